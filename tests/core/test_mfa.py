"""Two-factor authentication (TOTP) for staff, and the setting that makes it compulsory for the admin."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from tests.factories import PASSWORD, SecretariatUserFactory, StaffUserFactory, UserFactory
from tests.helpers import nb

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache", "production_password_hasher")]

staff_factories = pytest.mark.parametrize(
    "user_factory", [StaffUserFactory, SecretariatUserFactory], ids=["regional-staff", "secretariat"]
)


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def open_activation_page(client):
    """allauth asks for the password again before an authenticator can be added."""
    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate")):
        confirm = client.post(response["Location"], {"password": PASSWORD})
        assert confirm["Location"] == reverse("mfa_activate_totp")
        response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    return response


def enable_totp(client, totp_code) -> str:
    page = open_activation_page(client)
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.context["form"].errors
    return secret


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def is_signed_in(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


# --- Enabling TOTP ----------------------------------------------------------------------------------------


@staff_factories
def test_staff_user_can_enable_totp(client, totp_code, user_factory):
    user = user_factory()
    sign_in(client, user)

    page = open_activation_page(client)
    secret = page.context["form"].secret
    assert "Aktiver autentiseringsapp" in page.text
    assert re.search(r'<img class="qr-code" src="data:image/svg\+xml;base64,[^"]+" alt="[^"]+"', page.text)
    assert f'value="{secret}"' in page.text  # the secret, for typing into the app by hand
    assert 'autocomplete="one-time-code"' in page.text

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)}, follow=True)

    assert has_totp(user)
    assert response.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    # (allauth's "activated" message is sent on commit, so only the browser test, outside a test transaction, sees it)
    assert "Gjenopprettingskoder" in response.text
    unused = RecoveryCodes(Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES))
    assert all(code in response.text for code in unused.get_unused_codes())


def test_activation_refuses_a_wrong_code(client, totp_code):
    user = StaffUserFactory()
    sign_in(client, user)
    secret = open_activation_page(client).context["form"].secret

    response = client.post(reverse("mfa_activate_totp"), {"code": wrong(totp_code(secret))})

    assert response.status_code == 200
    assert "Feil kode." in response.text
    assert 'aria-invalid="true"' in response.text
    assert not has_totp(user)


def test_activation_needs_the_password_again(client):
    user = StaffUserFactory()
    sign_in(client, user)

    response = client.get(reverse("mfa_activate_totp"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert "Bekreft tilgang" in response.text
    assert 'name="password"' in response.text


# --- Signing in with TOTP ---------------------------------------------------------------------------------


@staff_factories
def test_after_enabling_login_asks_for_the_code_and_refuses_a_wrong_one(client, totp_code, user_factory):
    user = user_factory()
    sign_in(client, user)
    secret = enable_totp(client, totp_code)
    client.post(reverse("account_logout"))

    response = sign_in(client, user)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not is_signed_in(client)  # the password alone is not enough
    page = client.get(reverse("mfa_authenticate"))
    assert "Tofaktorautentisering" in page.text
    assert 'autocomplete="one-time-code"' in page.text

    refused = client.post(reverse("mfa_authenticate"), {"code": wrong(totp_code(secret))})

    assert refused.status_code == 200
    assert "Feil kode." in refused.text
    assert not is_signed_in(client)

    accepted = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert accepted["Location"] == "/admin/"
    assert is_signed_in(client)


def test_a_code_cannot_be_used_twice(client, totp_code):
    user = StaffUserFactory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    code = totp_code(secret)
    sign_in(client, user)
    assert client.post(reverse("mfa_authenticate"), {"code": code})["Location"] == "/admin/"
    client.post(reverse("account_logout"))

    sign_in(client, user)
    replayed = client.post(reverse("mfa_authenticate"), {"code": code})

    assert replayed.status_code == 200
    assert not is_signed_in(client)


def test_a_recovery_code_signs_in_once(client, totp_code):
    user = StaffUserFactory()
    sign_in(client, user)
    enable_totp(client, totp_code)
    recovery_code = RecoveryCodes(
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()[0]
    client.post(reverse("account_logout"))

    sign_in(client, user)
    assert client.post(reverse("mfa_authenticate"), {"code": recovery_code})["Location"] == "/admin/"
    client.post(reverse("account_logout"))

    sign_in(client, user)
    assert client.post(reverse("mfa_authenticate"), {"code": recovery_code}).status_code == 200
    assert not is_signed_in(client)


def test_cancel_on_the_code_page_goes_back_to_sign_in(client):
    user = StaffUserFactory()
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)

    page = client.get(reverse("mfa_authenticate"))

    assert 'form="logout-from-stage"' in page.text
    response = client.post(reverse("account_logout"), {"next": reverse("account_login")})
    assert response["Location"] == reverse("account_login")
    assert client.get(reverse("mfa_authenticate"))["Location"].startswith(reverse("account_login"))


# --- Managing TOTP ----------------------------------------------------------------------------------------


def test_two_factor_overview_shows_the_state(client, totp_code):
    user = StaffUserFactory()
    sign_in(client, user)

    before = client.get(reverse("mfa_index"))
    assert "Ingen autentiseringsapp er aktiv." in before.text
    assert f'href="{reverse("mfa_activate_totp")}"' in before.text

    enable_totp(client, totp_code)
    after = client.get(reverse("mfa_index"))

    assert "Autentisering med en autentiseringsapp er aktiv." in after.text
    assert f'href="{reverse("mfa_deactivate_totp")}"' in after.text
    assert f'href="{reverse("mfa_generate_recovery_codes")}"' in after.text


def test_staff_user_can_deactivate_totp(client, totp_code):
    user = StaffUserFactory()
    sign_in(client, user)
    enable_totp(client, totp_code)

    page = client.get(reverse("mfa_deactivate_totp"))
    assert page.status_code == 200
    assert "Deaktiver autentiseringsapp" in page.text

    response = client.post(reverse("mfa_deactivate_totp"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("mfa_index")
    assert "Autentiseringsapp deaktivert." in response.text
    assert not has_totp(user)


def test_new_recovery_codes_replace_the_old_ones(client, totp_code):
    user = StaffUserFactory()
    sign_in(client, user)
    enable_totp(client, totp_code)
    rc = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    old_codes = set(RecoveryCodes(rc).get_unused_codes())

    assert client.get(reverse("mfa_generate_recovery_codes")).status_code == 200
    response = client.post(reverse("mfa_generate_recovery_codes"))

    assert response["Location"] == reverse("mfa_view_recovery_codes")
    rc = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert not old_codes & set(RecoveryCodes(rc).get_unused_codes())


def test_admin_header_links_to_two_factor_settings(client):
    user = StaffUserFactory()
    sign_in(client, user)

    response = client.get(reverse("admin:index"))

    assert f'<a href="{reverse("mfa_index")}">{nb("Two-factor authentication")}</a>' in response.text


# --- KS_REQUIRE_STAFF_MFA -------------------------------------------------------------------------------


@staff_factories
def test_required_mfa_sends_staff_without_totp_to_set_it_up(client, settings, user_factory):
    settings.KS_REQUIRE_STAFF_MFA = True
    user = user_factory()
    client.force_login(user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_index"))  # shows the message even on the way through reauthentication
    assert nb("Two-factor authentication is required for staff. Set it up to continue.") in page.text


def test_required_mfa_after_a_fresh_sign_in_lands_on_the_activation_page_with_a_message(client, settings, totp_code):
    settings.KS_REQUIRE_STAFF_MFA = True
    user = StaffUserFactory()

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)

    urls = [url for url, _status in response.redirect_chain]
    assert "/admin/" in urls
    assert reverse("mfa_activate_totp") in urls
    assert nb("Two-factor authentication is required for staff. Set it up to continue.") in response.text

    enable_totp(client, totp_code)

    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("path", ["/admin/", "/admin/core/user/", "/admin/password_change/"])
def test_required_mfa_protects_every_admin_page(client, settings, path):
    settings.KS_REQUIRE_STAFF_MFA = True
    client.force_login(StaffUserFactory())

    assert client.get(path)["Location"] == reverse("mfa_activate_totp")


def test_without_the_setting_staff_without_totp_get_the_admin(client, settings):
    settings.KS_REQUIRE_STAFF_MFA = False
    client.force_login(StaffUserFactory())

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert nb("Two-factor authentication is required for staff. Set it up to continue.") not in response.text


def test_required_mfa_lets_staff_with_totp_in(client, settings):
    settings.KS_REQUIRE_STAFF_MFA = True
    user = StaffUserFactory()
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)

    assert client.get(reverse("admin:index")).status_code == 200


def test_required_mfa_still_lets_staff_sign_out_and_reach_the_mfa_pages(client, settings):
    settings.KS_REQUIRE_STAFF_MFA = True
    client.force_login(StaffUserFactory())

    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("account_logout")).status_code == 200
    response = client.post(reverse("admin:logout"))

    assert response.status_code == 200  # Django's "logged out" page, not a redirect to set up TOTP
    assert client.get(reverse("mfa_index")).status_code == 302  # signed out


def test_required_mfa_does_not_touch_non_staff_or_public_pages(client, settings):
    settings.KS_REQUIRE_STAFF_MFA = True
    client.force_login(UserFactory())
    assert client.get("/").status_code == 200

    client.force_login(StaffUserFactory())
    assert client.get("/").status_code == 200
    assert client.get("/helse/").status_code == 200
