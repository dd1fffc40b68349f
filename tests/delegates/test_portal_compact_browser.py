"""Issue 14, item 8, in Debian's Chromium: "Everything stored about you" shows every column at 390 px, its landmarks
are unique, the portal's eight links take one row on a phone with the current page in view, and a registration
for no event is asked to be confirmed. Every page passes axe-core at 390 and 1280 px."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from agenda.models import Event
from core.models import OutboxMail
from delegates.models import Registration
from delegates.services.links import personal_link_issue
from tests.accessibility import assert_no_axe_violations
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory, RegionalOfficeFactory
from tests.helpers import assert_no_horizontal_scroll
from tests.landmarks import assert_landmarks_unique

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]

WIDTHS = [390, 1280]

# Elements of the page's content (not its menu, which scrolls on purpose) whose content is wider than the element,
# so hidden or scrolled sideways.
CUT_OFF = """() => Array.from(document.querySelectorAll("main .content *"))
  .filter((element) => element.offsetParent !== null && element.clientWidth > 1  // not the visually hidden
    && element.scrollWidth > element.clientWidth + 1
    && getComputedStyle(element).overflowX !== "visible")
  .map((element) => element.outerHTML.slice(0, 80))"""


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def congress():
    today = timezone.localdate()
    return CongressFactory(
        name="Landstinget 2028",
        first_day=today + datetime.timedelta(days=40),
        last_day=today + datetime.timedelta(days=41),
        registration_deadline=today + datetime.timedelta(days=14),
    )


@pytest.fixture
def delegate(congress):
    office = RegionalOfficeFactory(name="KS Trøndelag", email="trondelag@ks.no")
    county = CountyFactory(number="50", name="Trøndelag", regional_office=office)
    return ParticipantFactory(
        congress=congress, county=county, first_name="Ingebjørg", last_name="Skjervheim", email="inge@example.no"
    )


@pytest.fixture
def events(congress):
    summit = Event.objects.create(
        congress=congress,
        title="Kommunalpolitisk toppmøte",
        kind=Event.Kind.POLICY_SUMMIT,
        starts_at=at(congress.first_day, 9),
        ends_at=at(congress.first_day, 15),
        invited_roles=["delegate"],
    )
    session = Event.objects.create(
        congress=congress,
        title="Landsting",
        kind=Event.Kind.LANDSTING_SESSION,
        starts_at=at(congress.first_day, 16),
        ends_at=at(congress.first_day, 18),
        invited_roles=["delegate"],
    )
    return summit, session


def phone_or_computer(browser, width):
    options = {"viewport": {"width": width, "height": 844}, "locale": "nb-NO"}
    if width < 500:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.mark.parametrize("width", WIDTHS)
def test_everything_stored_about_you_shows_every_column(live_server, browser, delegate, width):
    _old_link, _old = personal_link_issue(participant=delegate)
    _link, token = personal_link_issue(participant=delegate)
    OutboxMail.objects.create(
        to=delegate.email,
        subject="Innkalling til Landstinget 2028 – meld deg på innen fristen",
        body_text="…",
        purpose="invitation",
        related_participant_id=delegate.pk,
    )
    context, page = phone_or_computer(browser, width)
    try:
        page.goto(live_server.url + reverse("portal:my_data", args=[token]))
        assert page.evaluate(CUT_OFF) == []
        main = page.locator("main")
        for text in ("I bruk (denne lenken)", "Aktiv", "Innkalling til Landstinget 2028", "Sist åpnet"):
            visible = main.get_by_text(text).filter(visible=True)
            expect(visible.first).to_be_visible()
            box, frame = visible.first.bounding_box(), page.viewport_size
            assert box["x"] >= 0 and box["x"] + box["width"] <= frame["width"], text
        assert_landmarks_unique(page)
        assert_no_axe_violations(page)
        assert_no_horizontal_scroll(page)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_portal_menu_is_one_row_on_a_phone_with_the_current_page_in_view(live_server, browser, delegate, width):
    _link, token = personal_link_issue(participant=delegate)
    context, page = phone_or_computer(browser, width)
    try:
        page.goto(live_server.url + reverse("elections_portal:ballots", args=[token]))
        menu = page.locator(".portal-nav")
        links = menu.locator("a")
        expect(links).to_have_count(8)
        heights = {round(link.bounding_box()["y"]) for link in links.all()}
        if width < 500:
            assert len(heights) == 1, "the links wrap over several lines"
            assert menu.bounding_box()["height"] < 80
            current = menu.locator("a[aria-current]")
            expect(current).to_have_text("Avstemninger")
            expect(current).to_be_in_viewport(ratio=1)
            # The hidden ones are reached by the keyboard: each comes into view when focused.
            links.first.focus()
            expect(links.first).to_be_in_viewport(ratio=1)
        assert_no_axe_violations(page)
        assert_no_horizontal_scroll(page)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_congress_is_ticked_and_no_event_must_be_confirmed(live_server, browser, delegate, events, width):
    summit, session = events
    _link, token = personal_link_issue(participant=delegate)
    context, page = phone_or_computer(browser, width)
    try:
        page.goto(live_server.url + reverse("portal:home", args=[token]))
        expect(page.locator(f"input[name=events][value='{session.pk}']")).to_be_checked()
        expect(page.locator(f"input[name=events][value='{summit.pk}']")).not_to_be_checked()
        expect(page.locator("#id_no_events_confirmed")).to_have_count(0)

        # Nothing ticked: nothing is saved, the page asks.
        page.locator(f"input[name=events][value='{session.pk}']").uncheck()
        page.locator("form.portal-form button[type=submit]").click()
        expect(page.locator("#error-summary")).to_be_focused()
        expect(page.locator("#error-summary")).to_contain_text("Du har ikke krysset av for noe arrangement")
        assert not Registration.objects.filter(participant=delegate).exists()
        assert_no_axe_violations(page)
        assert_no_horizontal_scroll(page)

        # Confirmed: registered for no event.
        page.get_by_label("Ja, meld meg på uten å delta på noe arrangement.").check()
        page.locator("form.portal-form button[type=submit]").click()
        expect(page.locator(".alert--success h1")).to_be_visible()
        registration = Registration.objects.get(participant=delegate)
        assert not registration.events.exists()
    finally:
        context.close()
