from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

COMMITTEE_SECRETARY_GROUP = "Komitésekretær"
#: The committee work is public to the congress: regional staff may read it, never change it.
READ_COMMITTEE_WORK = {
    "politicaldocument": ("view",),
    "chapter": ("view",),
    "committee": ("view",),
    "amendment": ("view",),
    "statement": ("view",),
    "statementsettings": ("view",),
}
#: A regional office reads the committee work and forwards its county meetings' adopted amendments to the Landsting
#: (``committees.selectors.forwarding_sources_visible_to`` narrows it to its own counties' meetings).
REGIONAL_OFFICE_COMMITTEE_WORK = {**READ_COMMITTEE_WORK, "amendment": ("view", "forward")}
#: A committee secretary records the recommendations of their own committee (``committees.selectors`` narrows it).
COMMITTEE_SECRETARY_PERMISSIONS = {
    **READ_COMMITTEE_WORK,
    "amendment": ("view", "change"),
    "statement": ("view", "change"),
}


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = _("Committees")

    def ready(self) -> None:
        from committees.demo import reset, seed
        from core.groups import REGIONAL_OFFICE_GROUP, SECRETARIAT_GROUP, staff_groups_grant
        from delegates.demo import demo_resetting, demo_seeded

        staff_groups_grant(
            "committees",
            {
                SECRETARIAT_GROUP: None,
                REGIONAL_OFFICE_GROUP: REGIONAL_OFFICE_COMMITTEE_WORK,
                COMMITTEE_SECRETARY_GROUP: COMMITTEE_SECRETARY_PERMISSIONS,
            },
        )
        # A committee secretary opens the congress their committee belongs to.
        staff_groups_grant("agenda", {COMMITTEE_SECRETARY_GROUP: {"congress": ("view",)}})

        demo_resetting.connect(reset, dispatch_uid="committees_demo_reset")
        demo_seeded.connect(seed, dispatch_uid="committees_demo")

        from committees.services import amendment_decision_subjects, decision_record, statement_decision_subjects
        from core import decisions

        # A plenary vote (elections app) on an amendment or statement records its outcome here.
        decisions.register("committees.amendment", subjects=amendment_decision_subjects, record=decision_record)
        decisions.register("committees.statement", subjects=statement_decision_subjects, record=decision_record)
