from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

#: The election officials: run the votes on the officials' desk, add candidates proposed from the floor, read the rest.
ELECTION_OFFICIAL_GROUP = "Valgfunksjonær"
ELECTION_OFFICIAL_PERMISSIONS = (
    "view_election",
    "view_poll",
    "run_poll",
    "view_candidate",
    "change_candidate",
    "add_candidate",
    "view_automaticmember",
)


def election_official_group_ensure() -> None:
    """Create or refresh the election officials' group with exactly its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=ELECTION_OFFICIAL_GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="elections", codename__in=ELECTION_OFFICIAL_PERMISSIONS)
    )


def _ensure_election_official_group(sender, **kwargs) -> None:
    election_official_group_ensure()


class ElectionsConfig(AppConfig):
    name = "elections"
    verbose_name = _("Elections")

    def ready(self) -> None:
        # On every app's post_migrate (like the delegates' staff groups): the auth app creates the permissions on
        # the same signal, so by the last app they all exist.
        post_migrate.connect(_ensure_election_official_group, dispatch_uid="elections_official_group")

        from delegates.demo import demo_resetting, demo_seeded
        from elections.demo import reset, seed

        demo_resetting.connect(reset, dispatch_uid="elections_demo_reset")
        demo_seeded.connect(seed, dispatch_uid="elections_demo")
