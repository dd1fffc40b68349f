from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: The election officials: run the votes on the officials' desk, add candidates proposed from the floor, read the rest.
ELECTION_OFFICIAL_GROUP = "Valgfunksjonær"
ELECTION_OFFICIAL_PERMISSIONS = {
    "election": ("view",),
    "poll": ("view", "run"),
    "candidate": ("view", "change", "add"),
    "automaticmember": ("view",),
}


class ElectionsConfig(AppConfig):
    name = "elections"
    verbose_name = _("Elections")

    def ready(self) -> None:
        from core.groups import SECRETARIAT_GROUP, staff_groups_grant
        from delegates.demo import demo_resetting, demo_seeded
        from elections.demo import reset, seed

        staff_groups_grant(
            "elections", {SECRETARIAT_GROUP: None, ELECTION_OFFICIAL_GROUP: ELECTION_OFFICIAL_PERMISSIONS}
        )

        demo_resetting.connect(reset, dispatch_uid="elections_demo_reset")
        demo_seeded.connect(seed, dispatch_uid="elections_demo")
