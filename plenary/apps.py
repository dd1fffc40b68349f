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
