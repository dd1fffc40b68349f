"""Signing in through the real pages in Debian's Chromium, with axe-core (WCAG 2.1 A/AA) on the way.

`live_server` runs Django in a thread of this process against the test database; it needs `transactional_db`
(requested explicitly below), so data created here is committed and visible to the server thread.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from tests.accessibility import assert_no_axe_violations
from tests.factories import PASSWORD, StaffUserFactory
from tests.helpers import nb

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("transactional_db", "isolated_cache", "production_password_hasher"),
]


def en(message: str) -> str:
    with translation.override("en"):
        return gettext(message)


def fill_login_form(page, email: str, password: str) -> None:
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()


def has_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def test_staff_signs_in_lands_in_the_admin_and_switches_language(live_server, page):
    StaffUserFactory(email="kari.nordmann@ks.no")

    page.goto(f"{live_server.url}/admin/")

    expect(page).to_have_url(re.compile(r"/konto/login/\?next=%2Fadmin%2F$"))
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg inn")

    fill_login_form(page, "kari.nordmann@ks.no", PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.locator("#site-name")).to_have_text(nb("KS Landstinget – administration"))
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    expect(page.get_by_role("link", name=nb("Two-factor authentication"))).to_be_visible()

    page.locator("#admin-language-select").select_option("en")
    page.locator("#admin-language-select").locator("xpath=ancestor::form").get_by_role("button").click()

    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.locator("#site-name")).to_have_text(en("KS Landstinget – administration"))

    page.goto(f"{live_server.url}/")  # the choice is remembered on the public pages too
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#language-select").select_option("nb")
    page.locator("#language-select").locator("xpath=ancestor::form").get_by_role("button").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()


def test_wrong_password_is_refused_with_an_accessible_error(live_server, page):
    StaffUserFactory(email="kari@ks.no")
    page.goto(f"{live_server.url}{reverse('account_login')}")

    fill_login_form(page, "kari@ks.no", "not the password")

    expect(page.get_by_role("alert")).to_have_text("E-postadressen og/eller passordet du oppgav er feil.")
    expect(page).to_have_url(f"{live_server.url}{reverse('account_login')}")
    expect(page.get_by_label("E-post")).to_have_value("kari@ks.no")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("page_fixture", ["page", "phone_page"], ids=["desktop", "phone"])
@pytest.mark.parametrize(
    "path",
    ["/konto/login/", "/konto/password/reset/", "/konto/signup/", "/"],
    ids=["login", "password-reset", "signup-closed", "home"],
)
def test_public_pages_pass_axe(live_server, request, page_fixture, path):
    page = request.getfixturevalue(page_fixture)

    page.goto(f"{live_server.url}{path}")

    expect(page.locator("html")).to_have_attribute("lang", "nb")
    assert_no_axe_violations(page)
    assert not has_horizontal_scroll(page)


def test_login_page_reflows_at_320_pixels(live_server, page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}{reverse('account_login')}")

    assert not has_horizontal_scroll(page)
    button = page.get_by_role("button", name="Logg inn")
    expect(button).to_be_visible()
    assert button.bounding_box()["height"] >= 44  # large enough to tap
    assert_no_axe_violations(page)


def test_phone_user_can_sign_in(live_server, phone_page):
    StaffUserFactory(email="kari@ks.no")
    phone_page.goto(f"{live_server.url}{reverse('account_login')}?next=/")

    phone_page.get_by_label("E-post").tap()
    fill_login_form(phone_page, "kari@ks.no", PASSWORD)

    expect(phone_page).to_have_url(f"{live_server.url}/")
    expect(phone_page.get_by_role("button", name=nb("Sign out"))).to_be_visible()
    assert not has_horizontal_scroll(phone_page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(live_server, page):
    page.goto(f"{live_server.url}{reverse('account_login')}")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name=nb("Skip to content"))
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    outline = skip_link.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"  # focus is visible

    page.keyboard.press("Enter")

    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-post")).to_be_focused()


def test_staff_enables_totp_and_then_sign_in_asks_for_the_code(live_server, page, totp_code):
    StaffUserFactory(email="kari@ks.no")
    page.goto(f"{live_server.url}{reverse('account_login')}")
    fill_login_form(page, "kari@ks.no", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/admin/")

    page.get_by_role("link", name=nb("Two-factor authentication")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tofaktorautentisering")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Aktiver").click()

    # allauth asks for the password again before adding an authenticator
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekreft tilgang")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Bekreft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Aktiver autentiseringsapp")
    expect(page.get_by_role("img", name=nb("QR code to scan with your authenticator app"))).to_be_visible()
    assert_no_axe_violations(page)
    secret = page.get_by_label("Autentiseringshemmelighet").input_value()
    page.get_by_label("Autentiseringskode").fill(totp_code(secret))
    page.get_by_role("button", name="Aktiver").click()

    expect(page.get_by_role("status")).to_contain_text("Autentiseringsapp aktivert.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gjenopprettingskoder")
    assert page.get_by_label("Ubrukte koder").input_value().count("\n") >= 9
    assert_no_axe_violations(page)  # with the success message shown

    page.get_by_role("button", name=nb("Sign out")).click()
    page.goto(f"{live_server.url}{reverse('account_login')}")
    fill_login_form(page, "kari@ks.no", PASSWORD)

    expect(page).to_have_url(f"{live_server.url}{reverse('mfa_authenticate')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tofaktorautentisering")
    code = totp_code(secret)
    page.get_by_label("Kode").fill(f"{(int(code) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Logg inn").click()

    expect(page.get_by_text("Feil kode.")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_label("Kode").fill(totp_code(secret))
    page.get_by_role("button", name="Logg inn").click()

    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
