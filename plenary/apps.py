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

        from django.db.models.signals import post_save

        from agenda.models import AgendaItem
        from plenary.models import ItemProcedure, Procedure
        from plenary.services import hall_touch_after_save

        # Rules, an item's times or its title edited in the admin: the screens and phones fetch their document again.
        for model in (Procedure, ItemProcedure, AgendaItem):
            post_save.connect(hall_touch_after_save, sender=model, dispatch_uid=f"plenary_hall_touch_{model.__name__}")
