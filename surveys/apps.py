from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

SECRETARIAT_PERMISSIONS = {
    "survey": ("view", "add", "change", "delete"),
    "question": ("view", "add", "change", "delete"),
    "choice": ("view", "add", "change", "delete"),
    # Reading the anonymous answers as results (surveys.results.RESULTS_PERMISSION); there is no admin page for them.
    "answerset": ("view",),
}
#: A regional office reads its own counties' results (surveys/results.py decides the scope).
REGIONAL_OFFICE_PERMISSIONS = {"answerset": ("view",)}


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from core.groups import REGIONAL_OFFICE_GROUP, SECRETARIAT_GROUP, staff_groups_grant

        # The secretariat builds the surveys. No staff group gets the respondents or the drafts; the answers are read
        # only as results (the secretariat and the regional offices, their own counties').
        staff_groups_grant(
            "surveys", {SECRETARIAT_GROUP: SECRETARIAT_PERMISSIONS, REGIONAL_OFFICE_GROUP: REGIONAL_OFFICE_PERMISSIONS}
        )

        # The invitation and the reminder: labelled in the outbox, and sent again with a fresh link after an
        # interrupted send.
        from core.outbox_purposes import outbox_purpose_labels_register
        from core.services import outbox_renewer_register
        from surveys.mail import MAIL_PURPOSES, survey_mail_renew

        outbox_purpose_labels_register(MAIL_PURPOSES)
        outbox_renewer_register(purposes=list(MAIL_PURPOSES), renew=survey_mail_renew)

        # The demo's survey of Landstinget 2024, and the one of 2020 it is compared with.
        from delegates.demo import demo_resetting, demo_seeded
        from surveys import demo

        demo_resetting.connect(demo.reset, dispatch_uid="surveys_demo_reset")
        demo_seeded.connect(demo.seed, dispatch_uid="surveys_demo")
