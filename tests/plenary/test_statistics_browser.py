"""The speaking statistics page in Debian's Chromium, as the secretariat sees it at 1280 and 1024 px: the tables fit
without scrolling sideways, the item picker shows one item, axe finds nothing."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.accessibility import assert_no_axe_violations
from tests.factories import SecretariatUserFactory
from tests.helpers import assert_no_horizontal_scroll, nb, sign_in_on_the_form
from tests.plenary.test_statistics import debate  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]

#: Where to keep screenshots of the page, when set (to look at them; the test asserts without).
SCREENSHOTS = os.environ.get("KS_SCREENSHOT_DIR", "")


def test_the_statistics_fit_the_screen_and_follow_the_chosen_item(live_server, page, debate):  # noqa: F811
    congress, first, _second = debate
    SecretariatUserFactory(email="sekretariat@ks.no")
    url = f"{reverse('plenary_staff:statistics')}?congress={congress.pk}"
    sign_in_on_the_form(
        page,
        f"{live_server.url}{reverse('account_login')}?next={url}",
        "sekretariat@ks.no",
        lands_on=live_server.url + url,
    )
    expect(page.locator("section#statistics-item")).to_contain_text("1. Politisk debatt")
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        expect(page.locator("#statistics-gender")).to_contain_text(nb("Female"))
        assert_no_horizontal_scroll(page)
        if SCREENSHOTS:
            page.screenshot(path=str(Path(SCREENSHOTS) / f"statistics-{width}.png"), full_page=True)
    assert_no_axe_violations(page, context="#content-main")

    page.select_option("#statistics-item-choice", str(first.pk))
    page.get_by_role("button", name=nb("Show")).last.click()
    expect(page.locator("#statistics-summary")).to_contain_text("7:15")
    expect(page.locator("#statistics-item-choice")).to_have_value(str(first.pk))
    expect(page.locator("section#statistics-item")).to_have_count(0)  # no table per item for one item
