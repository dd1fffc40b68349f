"""The staff groups. Each app grants, in its ``AppConfig.ready``, the permissions on its own models to the groups
that need them (and creates the groups it owns); ``staff_groups_ensure`` runs every app's part after migrating.

Only the two roles that every app's permissions refer to are named here: the secretariat (sees and runs
everything) and the regional offices (their own counties; ``delegates.selectors`` decides the scope).
"""

from collections.abc import Callable, Iterable, Mapping

from django.contrib.auth.models import Group, Permission

SECRETARIAT_GROUP = "Sekretariat"
REGIONAL_OFFICE_GROUP = "Regionkontor"

#: ``{model name: (action, ...)}``, e.g. ``{"participant": ("view", "change")}``; actions are Django's
#: view/add/change/delete or a model's own permission codename prefix.
PermissionSpec = Mapping[str, Iterable[str]]

_group_grants: list[Callable[[], None]] = []


def staff_groups_grant(app_label: str, grants: Mapping[str, PermissionSpec | None]) -> None:
    """Called from an app's ``ready``: the groups (by name) that get permissions on ``app_label``'s models, and which
    (``None``: all of them). A group named here is created if it does not exist."""

    def grant() -> None:
        for group_name, spec in grants.items():
            group_permissions_set(group_name=group_name, app_label=app_label, spec=spec)

    _group_grants.append(grant)


def staff_groups_ensure() -> None:
    """Create or refresh every staff group with exactly the permissions the apps grant it (idempotent)."""
    for grant in _group_grants:
        grant()


def group_permissions_set(*, group_name: str, app_label: str, spec: PermissionSpec | None = None) -> Group:
    """Give the group exactly these permissions on ``app_label``'s models (``spec=None``: all of them).

    Permissions of other apps in the same group are left alone: each app sets its own part.
    """
    group, _created = Group.objects.get_or_create(name=group_name)
    of_app = Permission.objects.filter(content_type__app_label=app_label)
    if spec is None:
        wanted = of_app
    else:
        codenames = [f"{action}_{model}" for model, actions in spec.items() for action in actions]
        wanted = of_app.filter(codename__in=codenames)
    group.permissions.remove(*group.permissions.filter(content_type__app_label=app_label).exclude(pk__in=wanted))
    group.permissions.add(*wanted)
    return group


def staff_groups_after_migrate(sender, *, apps=None, **kwargs) -> None:
    # On every app's post_migrate: the auth app creates each app's permissions on that app's signal, so by the last
    # app they all exist. A partial migration (``migrate agenda 0004`` on a new database) may not have the tables yet.
    try:
        if apps is not None:
            apps.get_model("auth", "Group")
    except LookupError:
        return
    staff_groups_ensure()
