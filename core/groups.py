"""The staff groups. Each app grants, in its ``AppConfig.ready``, the permissions on its own models to the groups
that need them (and creates the groups it owns); ``staff_groups_ensure`` runs every app's part after migrating.

Only the two roles that every app's permissions refer to are named here: the secretariat (sees and runs
everything) and the regional offices (their own counties; ``delegates.selectors`` decides the scope).
"""

from collections.abc import Iterable, Mapping

from django.contrib.auth.models import Group, Permission

SECRETARIAT_GROUP = "Sekretariat"
REGIONAL_OFFICE_GROUP = "Regionkontor"

#: ``{model name: (action, ...)}``, e.g. ``{"participant": ("view", "change")}``; actions are Django's
#: view/add/change/delete or a model's own permission codename prefix.
PermissionSpec = Mapping[str, Iterable[str]]

#: ``(group name, app label, spec)`` for every grant the apps made in their ``ready``.
_grants: list[tuple[str, str, PermissionSpec | None]] = []


def staff_groups_grant(app_label: str, grants: Mapping[str, PermissionSpec | None]) -> None:
    """Called from an app's ``ready``: the groups (by name) that get permissions on ``app_label``'s models, and which
    (``None``: all of them). A group named here is created if it does not exist."""
    _grants.extend((group_name, app_label, spec) for group_name, spec in grants.items())


def staff_groups_ensure() -> None:
    """Create or refresh every staff group with exactly the permissions the apps grant it (idempotent).

    A permission added to a staff group by hand, which no app grants, is taken away again: what a group may do is
    what the code says, on every deploy.
    """
    wanted: dict[str, set[int]] = {}
    for group_name, app_label, spec in _grants:
        wanted.setdefault(group_name, set()).update(_permission_ids(app_label, spec))
    for group_name, permission_ids in wanted.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.set(permission_ids)


def _permission_ids(app_label: str, spec: PermissionSpec | None) -> list[int]:
    of_app = Permission.objects.filter(content_type__app_label=app_label)
    if spec is not None:
        codenames = [f"{action}_{model}" for model, actions in spec.items() for action in actions]
        of_app = of_app.filter(codename__in=codenames)
    return list(of_app.values_list("pk", flat=True))


def staff_groups_after_migrate(sender, *, apps=None, **kwargs) -> None:
    # On every app's post_migrate: the auth app creates each app's permissions on that app's signal, so by the last
    # app they all exist. A partial migration (``migrate agenda 0004`` on a new database) may not have the tables yet.
    try:
        if apps is not None:
            apps.get_model("auth", "Group")
    except LookupError:
        return
    staff_groups_ensure()
