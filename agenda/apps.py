from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "agenda"
    verbose_name = _("Congress")

    def ready(self) -> None:
        from core.groups import REGIONAL_OFFICE_GROUP, SECRETARIAT_GROUP, staff_groups_grant

        staff_groups_grant("agenda", {SECRETARIAT_GROUP: None, REGIONAL_OFFICE_GROUP: {"congress": ("view",)}})
