"""One way to build a staff page: a view in the admin's look, served under /admin/ from the app's ``staff_urls.py``.

    @staff_page(permission="delegates.view_participant")
    def delegation_overview(request):
        ...
        return TemplateResponse(request, template, staff_context(request, title=..., opts=Participant._meta, ...))

``staff_page`` wraps the view in ``admin.site.admin_view`` (signed-in active staff only, through the two-factor
login; never cached; CSRF-protected) and refuses, with 403, a staff user who lacks the permission. What a user may see
within the page (their own counties, their own committee) is still the view's business, through the app's selectors.
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]
UserRule = Callable[[AbstractBaseUser], bool]
#: A permission name ("app.codename"), several that are all needed, or a rule on the user (see ``any_permission``).
Permission = str | Iterable[str] | UserRule

#: Set on every view ``staff_page`` returns; tests/core/test_staff_pages.py checks that every page under /admin/ has it.
MARKER = "staff_page_permission"


def any_permission(*permissions: str) -> UserRule:
    """A rule met by a user with at least one of ``permissions``: e.g. the admin's "view" (view or change)."""

    def rule(user: AbstractBaseUser) -> bool:
        return any(user.has_perm(permission) for permission in permissions)

    rule.__name__ = rule.__qualname__ = f"any_permission{permissions!r}"
    return rule


def _allows(permission: Permission, user: AbstractBaseUser) -> bool:
    if isinstance(permission, str):
        return user.has_perm(permission)
    if callable(permission):
        return bool(permission(user))
    return user.has_perms(list(permission))


def staff_page(*, permission: Permission) -> Callable[[View], View]:
    """Serve the view as an admin page that needs ``permission`` (see the module's docstring)."""
    if not isinstance(permission, str) and not callable(permission):
        permission = tuple(permission)
        if not permission:
            raise ValueError("A staff page needs a permission.")

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _allows(permission, request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        page = admin.site.admin_view(checked)
        setattr(page, MARKER, permission)
        return page

    return decorate


def is_staff_page(view: Callable) -> bool:
    return hasattr(view, MARKER)


def edited_object(request: HttpRequest, queryset: QuerySet[M]) -> M | None:
    """The object of ``queryset`` whose admin change page this is (None on the add page)."""
    object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
    if not object_id or not str(object_id).isdigit():
        return None
    return queryset.filter(pk=object_id).first()


class ReadOnlyAdminMixin:
    """For a ``ModelAdmin`` or an inline of records only the services write: listed and shown, never added, changed
    or deleted in the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def staff_context(
    request: HttpRequest, *, title: str, subtitle: str | None = None, opts: Any = None, **context: Any
) -> dict[str, Any]:
    """The admin's own context (header, user tools, sidebar) with the page's title and ``opts`` (the model whose app
    the breadcrumbs lead back to) and the page's own values."""
    return {**admin.site.each_context(request), "title": title, "subtitle": subtitle, "opts": opts, **context}
