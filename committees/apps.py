from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = _("Committees")

    def ready(self) -> None:
        from committees.demo import reset, seed
        from delegates.demo import demo_resetting, demo_seeded

        demo_resetting.connect(reset, dispatch_uid="committees_demo_reset")
        demo_seeded.connect(seed, dispatch_uid="committees_demo")

        from committees.services import amendment_decision_subjects, decision_record, statement_decision_subjects
        from ks_landsting import decisions

        # A plenary vote (elections app) on an amendment or statement records its outcome here.
        decisions.register("committees.amendment", subjects=amendment_decision_subjects, record=decision_record)
        decisions.register("committees.statement", subjects=statement_decision_subjects, record=decision_record)
