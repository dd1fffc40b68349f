"""The one way to build a staff page (core.staff): every page under /admin/ that the admin does not make itself is a
``staff_page`` in an app's ``staff_urls.py``; it sends an anonymous visitor to the admin's sign-in, refuses a staff
user without the permission, and shares the congress picker and the mapping of a service's errors onto a form."""

import datetime
import re

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agenda.staff import congress_choice
from core.forms import add_service_errors
from core.staff import MARKER, any_permission, is_staff_page, staff_page
from tests.factories import CongressFactory, SecretariatUserFactory, StaffUserFactory

PROJECT_APPS = {"agenda", "committees", "core", "delegates", "elections", "ks_landsting"}
# Values that fill a staff page's URL parameters; the permission is checked before anything is looked up.
SAMPLE_ARGUMENTS = {"int": "1", "str": "nb", "slug": "document", "path": "x"}


def _walk(patterns, prefix="", namespaces=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = (pattern.namespace,) if pattern.namespace else ()
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), namespaces + namespace)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespaces, pattern


def _staff_routes() -> list[tuple[str, str, URLPattern]]:
    """(route, "namespace:name", pattern) of every URL under /admin/ that the admin site does not make itself."""
    return [
        (route, f"{':'.join(namespaces)}:{pattern.name}", pattern)
        for route, namespaces, pattern in _walk(get_resolver().url_patterns)
        if route.startswith("admin/") and namespaces[:1] != ("admin",)
    ]


def _sample_path(route: str) -> str:
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda match: SAMPLE_ARGUMENTS[match.group(1) or "str"], route)


STAFF_ROUTES = _staff_routes()


def test_every_app_has_staff_pages_under_the_admin():
    namespaces = {name.split(":")[0] for _route, name, _pattern in STAFF_ROUTES}
    assert namespaces == {
        "agenda_staff",
        "committees_staff",
        "county_meetings_staff",
        "delegates_staff",
        "elections_staff",
        "plenary_staff",
        "surveys_staff",
    }


@pytest.mark.parametrize(("route", "name", "pattern"), STAFF_ROUTES, ids=[name for _r, name, _p in STAFF_ROUTES])
def test_every_page_under_the_admin_is_a_staff_page(route, name, pattern):
    assert is_staff_page(pattern.callback), f"/{route} ({name}) must be a core.staff.staff_page view"


def test_no_model_admin_adds_pages_of_its_own():
    """Pages go to the app's staff_urls.py, never to a ModelAdmin's or the site's get_urls."""
    assert admin.site.get_urls.__func__ is AdminSite.get_urls
    for model, model_admin in admin.site._registry.items():
        for cls in type(model_admin).__mro__:
            if "get_urls" in vars(cls):
                assert cls.__module__.split(".")[0] not in PROJECT_APPS, f"{cls.__qualname__} ({model}) has get_urls"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "pattern"), STAFF_ROUTES, ids=[name for _r, name, _p in STAFF_ROUTES])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, route, name, pattern):
    path = _sample_path(route)

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("admin:login") + "?next="), name


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "pattern"), STAFF_ROUTES, ids=[name for _r, name, _p in STAFF_ROUTES])
def test_staff_without_the_permission_are_refused(client, route, name, pattern):
    client.force_login(StaffUserFactory())
    path = _sample_path(route)

    assert client.get(path).status_code == 403, name
    assert client.post(path).status_code == 403, name


@pytest.mark.django_db
def test_a_user_who_is_not_staff_is_sent_to_sign_in_even_with_the_permission(client):
    user = StaffUserFactory(is_staff=False)
    user.user_permissions.add(Permission.objects.get(codename="view_participant"))
    client.force_login(user)

    response = client.get(reverse("delegates_staff:delegation_overview"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["delegates_staff:delegation_overview", "elections_staff:desk", "delegates_staff:checkin"]
)
def test_a_staff_page_is_never_cached_and_has_the_admins_look(client, name):
    client.force_login(SecretariatUserFactory())

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert response.context["site_header"] == admin.site.site_header
    assert 'id="logout-form"' in response.text


@pytest.mark.django_db
def test_staff_pages_need_two_factor_authentication_when_it_is_required(client, settings):
    settings.KS_REQUIRE_STAFF_MFA = True
    client.force_login(SecretariatUserFactory())

    for name in ("delegates_staff:delegation_overview", "elections_staff:desk"):
        assert client.get(reverse(name))["Location"] == reverse("mfa_activate_totp")


# --- The decorator itself -------------------------------------------------------------------------------------------


def _page(permission):
    @staff_page(permission=permission)
    def page(request):
        from django.http import HttpResponse

        return HttpResponse("ok")

    return page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("permission", "granted", "allowed"),
    [
        ("delegates.view_participant", ["view_participant"], True),
        ("delegates.view_participant", [], False),
        (("delegates.view_participant", "delegates.view_registration"), ["view_participant"], False),
        (
            ("delegates.view_participant", "delegates.view_registration"),
            ["view_participant", "view_registration"],
            True,
        ),
        (any_permission("elections.view_poll", "elections.run_poll"), ["run_poll"], True),
        (any_permission("elections.view_poll", "elections.run_poll"), ["view_participant"], False),
    ],
)
def test_the_permission_is_one_name_all_of_several_or_a_rule(permission, granted, allowed):
    user = StaffUserFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=granted))
    request = RequestFactory().get("/admin/x/")
    request.user = type(user).objects.get(pk=user.pk)  # fresh permission cache

    if allowed:
        assert _page(permission)(request).status_code == 200
    else:
        with pytest.raises(PermissionDenied):  # the handler answers 403
            _page(permission)(request)


def test_a_staff_page_carries_its_permission_and_needs_one():
    assert getattr(_page("delegates.view_participant"), MARKER) == "delegates.view_participant"
    with pytest.raises(ValueError):
        _page(())


# --- The congress picker ---------------------------------------------------------------------------------------------


def _congress(year: int):
    return CongressFactory(
        year=year,
        first_day=datetime.date(year, 2, 13),
        last_day=datetime.date(year, 2, 14),
        registration_deadline=datetime.date(year, 1, 15),
    )


@pytest.mark.django_db
def test_the_congress_picker_offers_every_congress_newest_first_and_chooses_the_newest():
    older = _congress(2020)
    newer = _congress(2024)

    congresses, chosen = congress_choice(RequestFactory().get("/"))

    assert congresses == [newer, older]
    assert chosen == newer


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["GET", "POST"])
def test_the_congress_picker_takes_the_congress_asked_for_in_the_query_or_the_form(where):
    older = _congress(2020)
    _congress(2024)
    factory = RequestFactory()
    request = factory.get("/", {"congress": older.pk}) if where == "GET" else factory.post("/", {"congress": older.pk})

    assert congress_choice(request)[1] == older


@pytest.mark.django_db
@pytest.mark.parametrize("asked", ["999999", "abc", ""])
def test_the_congress_picker_falls_back_to_the_newest_for_an_unknown_congress(asked):
    _congress(2020)
    newer = _congress(2024)

    assert congress_choice(RequestFactory().get("/", {"congress": asked}))[1] == newer


@pytest.mark.django_db
def test_the_congress_picker_without_a_congress():
    assert congress_choice(RequestFactory().get("/")) == ([], None)


# --- A service's errors on a form ----------------------------------------------------------------------------------


class _Form(forms.Form):
    reason = forms.CharField(required=False)


def _bound_form() -> _Form:
    form = _Form({"reason": ""})
    assert form.is_valid()
    return form


def test_a_services_error_about_a_field_of_the_form_is_shown_at_that_field():
    form = _bound_form()

    add_service_errors(form, ValidationError({"reason": "Give a reason.", "replacement": "Not a deputy."}))

    assert form.errors["reason"] == ["Give a reason."]
    assert form.non_field_errors() == ["Not a deputy."]


def test_a_services_error_without_a_field_is_shown_at_the_top_of_the_form():
    form = _bound_form()

    add_service_errors(form, ValidationError(["The registration is closed.", "Try again."]))

    assert form.non_field_errors() == ["The registration is closed.", "Try again."]
    assert "reason" not in form.errors
