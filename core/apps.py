from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Users and access")

    def ready(self) -> None:
        from core.groups import SECRETARIAT_GROUP, staff_groups_after_migrate, staff_groups_grant

        staff_groups_grant("core", {SECRETARIAT_GROUP: {"outboxmail": ("view", "change")}})
        post_migrate.connect(staff_groups_after_migrate, dispatch_uid="core_staff_groups")

        # allauth's MFA app and its authenticators in the user's language in the admin.
        from core.third_party import name_third_party_models

        name_third_party_models()
