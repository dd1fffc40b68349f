from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: The chairs (dirigenter) and the technical desk: run the lists of speakers and the hall screen, read the agenda.
CHAIR_GROUP = "Møteleder"
CHAIR_PERMISSIONS = {
    "speakerslist": ("view", "run"),
    "speakerrequest": ("view",),
    "procedure": ("view",),
    "itemprocedure": ("view",),
    "officer": ("view",),
}


class PlenaryConfig(AppConfig):
    name = "plenary"
    verbose_name = _("Plenary")

    def ready(self) -> None:
        from core.groups import SECRETARIAT_GROUP, staff_groups_grant

        staff_groups_grant("plenary", {SECRETARIAT_GROUP: None, CHAIR_GROUP: CHAIR_PERMISSIONS})
        # The chairs open the congress and its agenda (the console's items and their documents).
        staff_groups_grant("agenda", {CHAIR_GROUP: {"congress": ("view",), "agendaitem": ("view",)}})

        from agenda import booklet
        from delegates.demo import demo_resetting, demo_seeded
        from plenary import demo
        from plenary.booklet import rules_section

        demo_resetting.connect(demo.reset, dispatch_uid="plenary_demo_reset")
        demo_seeded.connect(demo.seed, dispatch_uid="plenary_demo")
        # The programme booklet prints the rules of procedure (agenda never imports plenary).
        booklet.register("plenary.rules", rules_section)
