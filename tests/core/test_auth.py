"""Signing in and out, closed sign-up, the admin behind allauth, the language switch, home and health pages."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from core.models import User
from tests.factories import PASSWORD, CongressFactory, StaffUserFactory, UserFactory
from tests.helpers import nb

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache", "production_password_hasher")]


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def is_signed_in(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


# --- Home and health ----------------------------------------------------------------------------------------


def test_home_page_without_a_congress(client):
    response = client.get("/")

    assert response.status_code == 200
    assert '<html lang="nb">' in response.text
    assert nb("No congress has been set up yet.") in response.text


def test_home_page_shows_the_current_congress(client):
    CongressFactory(name="Landstinget 2024", city="Trondheim", venue="Trondheim Spektrum")

    response = client.get("/")

    assert response.status_code == 200
    assert "<h1" in response.text
    assert "Landstinget 2024" in response.text
    assert "Trondheim, Trondheim Spektrum" in response.text
    assert "13. februar" in response.text  # dates in Norwegian


def test_health_check_is_ok(client):
    response = client.get("/helse/")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"  # the other fields: tests/core/test_health.py


# --- Signing in -------------------------------------------------------------------------------------------


def test_login_page_is_norwegian_by_default(client):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert '<html lang="nb">' in response.text
    assert "Logg inn" in response.text
    assert 'autocomplete="email"' in response.text
    assert 'autocomplete="current-password"' in response.text


def test_staff_signs_in_with_email_and_password_and_reaches_the_admin(client):
    user = StaffUserFactory(email="kari.nordmann@ks.no")

    response = sign_in(client, "kari.nordmann@ks.no", follow=True)

    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200
    assert response.wsgi_request.user == user
    assert nb("KS Landstinget – administration") in response.text


def test_email_address_is_not_case_sensitive_at_sign_in(client):
    StaffUserFactory(email="ola@ks.no")

    response = sign_in(client, "Ola@KS.no")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_sign_in_goes_back_to_the_page_asked_for(client):
    StaffUserFactory(email="ola@ks.no")

    response = client.post(
        reverse("account_login"), {"login": "ola@ks.no", "password": PASSWORD, "next": "/admin/core/user/"}
    )

    assert response["Location"] == "/admin/core/user/"


def test_wrong_password_gives_a_clear_norwegian_error(client):
    StaffUserFactory(email="kari@ks.no")

    response = sign_in(client, "kari@ks.no", "wrong password")

    assert response.status_code == 200
    assert '<html lang="nb">' in response.text
    assert re.search(r'role="alert">\s*<p>E-postadressen og/eller passordet du oppgav er feil\.</p>', response.text)
    assert 'value="kari@ks.no"' in response.text  # the address is kept, the password is not
    assert "wrong password" not in response.text
    assert not is_signed_in(client)


def test_wrong_password_error_in_english(client):
    StaffUserFactory(email="kari@ks.no")

    response = sign_in(client, "kari@ks.no", "wrong password", headers={"accept-language": "en"})

    assert '<html lang="en">' in response.text
    assert "The email address and/or password you specified are not correct." in response.text


def test_unknown_address_gets_the_same_error_as_a_wrong_password(client):
    response = sign_in(client, "nobody@ks.no")

    assert response.status_code == 200
    assert "E-postadressen og/eller passordet du oppgav er feil." in response.text


def test_empty_form_asks_for_both_fields(client):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})

    assert response.status_code == 200
    assert response.text.count("Feltet er påkrevet.") == 2
    assert 'aria-invalid="true"' in response.text


def test_inactive_user_cannot_sign_in(client):
    StaffUserFactory(email="former@ks.no", is_active=False)

    sign_in(client, "former@ks.no")

    assert not is_signed_in(client)


def test_sign_out_asks_for_confirmation_and_signs_out_on_post(client):
    StaffUserFactory(email="kari@ks.no")
    sign_in(client, "kari@ks.no")

    confirmation = client.get(reverse("account_logout"))
    assert confirmation.status_code == 200
    assert "Er du sikker at du ønsker å logge ut?" in confirmation.text
    assert is_signed_in(client)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert not is_signed_in(client)


def test_sign_out_button_in_the_header(client):
    StaffUserFactory(email="kari@ks.no")
    sign_in(client, "kari@ks.no")

    response = client.get("/")

    assert f'action="{reverse("account_logout")}"' in response.text
    assert nb("Sign out") in response.text


# --- Password reset -------------------------------------------------------------------------------------


def test_password_reset_by_email(client):
    StaffUserFactory(email="kari@ks.no")

    page = client.get(reverse("account_reset_password"))
    assert page.status_code == 200
    assert "Tilbakestill passord" in page.text

    response = client.post(reverse("account_reset_password"), {"email": "kari@ks.no"})
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kari@ks.no"]
    link = re.search(r"https?://[^/\s]+(/konto/password/reset/key/\S+/)", mail.outbox[0].body).group(1)

    done = client.get(reverse("account_reset_password_done"))
    assert "Vi har sendt deg en e-post." in done.text

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert 'name="password1"' in form_page.text
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link

    too_short = client.post(form_url, {"password1": "short", "password2": "short"})
    assert too_short.status_code == 200
    assert 'aria-invalid="true"' in too_short.text

    changed = client.post(form_url, {"password1": "a new long passphrase 42", "password2": "a new long passphrase 42"})
    assert changed.status_code == 302
    assert changed["Location"] == reverse("account_reset_password_from_key_done")

    assert sign_in(client, "kari@ks.no", PASSWORD).status_code == 200  # the old password no longer works
    assert sign_in(client, "kari@ks.no", "a new long passphrase 42")["Location"] == "/admin/"

    client.post(reverse("account_logout"))
    reused = client.get(link, follow=True)  # a reset link works only once
    assert "Ugyldig token" in reused.text
    assert 'name="password1"' not in reused.text


def test_bad_password_reset_link_is_explained(client):
    response = client.get("/konto/password/reset/key/1-bad-token/", follow=True)

    assert response.status_code == 200
    assert "Ugyldig token" in response.text
    assert f'href="{reverse("account_reset_password")}"' in response.text  # a link to ask for a new one


# --- Sign-up is closed ----------------------------------------------------------------------------------


def test_signup_is_closed(client):
    response = client.get(reverse("account_signup"))

    assert response.status_code == 200
    assert "Registrering stengt" in response.text
    assert 'name="password1"' not in response.text


def test_posting_to_signup_creates_no_account(client):
    client.post(
        reverse("account_signup"),
        {"email": "new@example.no", "password1": "a long passphrase 42", "password2": "a long passphrase 42"},
    )

    assert not User.objects.filter(email="new@example.no").exists()


@pytest.mark.parametrize(
    "url_name",
    ["home", "account_login", "account_reset_password", "account_logout", "mfa_index", "mfa_activate_totp"],
)
def test_no_page_links_to_signup(client, url_name):
    StaffUserFactory(email="kari@ks.no")
    if url_name in {"account_logout", "mfa_index", "mfa_activate_totp"}:
        sign_in(client, "kari@ks.no")

    response = client.get(reverse(url_name), follow=True)  # activating TOTP first asks for the password again

    assert response.status_code == 200
    assert reverse("account_signup") not in response.text
    assert "signup" not in response.text.lower()


# --- The admin behind allauth ---------------------------------------------------------------------------


def test_admin_login_redirects_to_allauth_login(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/konto/login/?next=%2Fadmin%2F"


def test_anonymous_visitor_to_the_admin_ends_on_the_login_page(client):
    response = client.get("/admin/core/user/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/konto/login/?next=")
    assert "Logg inn" in response.text


def test_non_staff_user_cannot_use_the_admin(client):
    UserFactory(email="ordinary@example.no")
    sign_in(client, "ordinary@example.no")

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert client.get("/admin/core/user/", follow=True).status_code == 403


def test_admin_header_links_to_two_factor_settings_and_has_a_language_switch(client):
    StaffUserFactory(email="kari@ks.no")
    sign_in(client, "kari@ks.no")

    response = client.get("/admin/")

    assert f'<a href="{reverse("mfa_index")}">{nb("Two-factor authentication")}</a>' in response.text
    assert 'id="logout-form"' in response.text
    assert 'id="admin-language-select"' in response.text
    assert nb("KS Landstinget – administration") in response.text


# --- Language -------------------------------------------------------------------------------------------


def test_language_switch_to_english_and_back(client):
    login_url = reverse("account_login")
    page = client.get(login_url)
    assert '<html lang="nb">' in page.text
    assert "<h1>Logg inn</h1>" in page.text
    assert 'action="/i18n/setlang/"' in page.text

    response = client.post(reverse("set_language"), {"language": "en", "next": login_url}, follow=True)

    assert response.redirect_chain[-1][0] == login_url
    assert '<html lang="en">' in response.text
    assert "<h1>Sign In</h1>" in response.text
    assert '<option value="en" lang="en" selected>English</option>' in response.text

    response = client.post(reverse("set_language"), {"language": "nb", "next": login_url}, follow=True)

    assert '<html lang="nb">' in response.text
    assert "<h1>Logg inn</h1>" in response.text


def test_language_switch_ignores_unknown_languages_and_foreign_next_urls(client):
    response = client.post(reverse("set_language"), {"language": "xx", "next": "https://evil.example/"})

    assert response["Location"] == "/"
    assert '<html lang="nb">' in client.get("/").text
