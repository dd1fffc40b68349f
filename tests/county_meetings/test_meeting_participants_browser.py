"""Issue 16, part 5, in the browser: a delegate whom a municipal council reported to a county meeting opens the
invitation's personal link on a 390 px phone, finds the meeting's own sessions ticked, and registers. Axe finds no
WCAG 2.1 AA violations on the form and the receipt, and nothing scrolls sideways."""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from agenda.models import Event
from delegates.models import Registration
from delegates.services.invitations import invitations_send
from tests.accessibility import assert_no_axe_violations
from tests.county_meetings.test_meeting_participants import meeting_with_report
from tests.helpers import assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]

#: Where to keep screenshots of the pages, to look at them (unset: none are taken).
SHOTS = os.environ.get("KS_SCREENSHOTS_DIR", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_a_reported_delegate_registers_for_the_county_meeting_on_a_phone(live_server, phone_page, settings):
    settings.KS_PUBLIC_BASE_URL = live_server.url
    ours = meeting_with_report(office_name="KS Nord", county_number="56", county_name="Finnmark", city="Alta")
    delegate = ours.delegates[0]
    invitations_send(participants=[delegate], user=ours.user)
    (invitation,) = mail.outbox
    link = re.search(r"https?://\S+/p/[A-Za-z0-9_-]{43}/", invitation.body).group(0)
    assert link.startswith(live_server.url)
    page = phone_page

    page.goto(link)
    expect(page.locator("h1")).to_contain_text(ours.congress.name)
    sessions = page.get_by_role("checkbox", name=re.compile("^Fylkesmøtet i Finnmark"))
    expect(sessions).to_have_count(2)
    for index in range(2):
        expect(sessions.nth(index)).to_be_checked()
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
    shot(page, "county-meeting-registration-390")

    page.get_by_role("button", name="Meld deg på").click()

    expect(page.locator("h1")).to_contain_text("Takk")
    expect(page.locator("main")).to_contain_text("Fylkesmøtet i Finnmark")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
    shot(page, "county-meeting-registered-390")
    registration = Registration.objects.get(participant=delegate)
    assert set(registration.events.values_list("pk", flat=True)) == set(
        Event.objects.filter(congress=ours.congress).values_list("pk", flat=True)
    )
