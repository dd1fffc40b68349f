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

#: A regional office enters the candidates of its own counties' county meetings and runs their votes on the desk
#: (``elections.selectors.election_congresses_managed_by`` keeps it to those meetings: never the Landsting's, never
#: another office's). The meeting's standard elections are created on the county meeting's page
#: (``county_meetings.meeting_elections``), so the elections themselves are only read here; a candidate entered by
#: mistake can be removed until a vote names them.
REGIONAL_OFFICE_PERMISSIONS = {
    "election": ("view",),
    "poll": ("view", "run"),
    "candidate": ("view", "change", "add", "delete"),
    "automaticmember": ("view",),
}


class ElectionsConfig(AppConfig):
    name = "elections"
    verbose_name = _("Elections")

    def ready(self) -> None:
        from core.groups import REGIONAL_OFFICE_GROUP, SECRETARIAT_GROUP, staff_groups_grant
        from delegates.demo import demo_resetting, demo_seeded
        from elections.demo import reset, seed

        staff_groups_grant(
            "elections",
            {
                SECRETARIAT_GROUP: None,
                ELECTION_OFFICIAL_GROUP: ELECTION_OFFICIAL_PERMISSIONS,
                REGIONAL_OFFICE_GROUP: REGIONAL_OFFICE_PERMISSIONS,
            },
        )

        demo_resetting.connect(reset, dispatch_uid="elections_demo_reset")
        demo_seeded.connect(seed, dispatch_uid="elections_demo")
