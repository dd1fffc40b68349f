from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

SECRETARIAT_PERMISSIONS = {
    "survey": ("view", "add", "change", "delete"),
    "question": ("view", "add", "change", "delete"),
    "choice": ("view", "add", "change", "delete"),
}


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from core.groups import SECRETARIAT_GROUP, staff_groups_grant

        # The secretariat builds the surveys. No staff group gets the respondents, the answers or the drafts.
        staff_groups_grant("surveys", {SECRETARIAT_GROUP: SECRETARIAT_PERMISSIONS})
