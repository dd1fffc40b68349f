from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_staff_groups(sender, **kwargs) -> None:
    from delegates.services import staff_groups_ensure

    staff_groups_ensure()


class DelegatesConfig(AppConfig):
    name = "delegates"
    verbose_name = _("Delegates")

    def ready(self) -> None:
        # After the permissions exist: the auth app creates each app's permissions on that app's post_migrate, and the
        # groups also hold permissions of apps that come later (committees), so this runs after every app.
        post_migrate.connect(_ensure_staff_groups, dispatch_uid="delegates_staff_groups")
