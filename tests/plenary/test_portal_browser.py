"""Issue 15, "How it is checked" (Playwright 1, 3 and 4, the phone's side), in Debian's Chromium: a delegate on a
390 px phone asks for the floor; the desk gives it and the phone says "Du har ordet" within 3 s without a reload;
another delegate's phone asks for a reply; the chair closes the list, and a further request is refused in words.
Every state passes axe-core (WCAG 2.1 AA) and nothing scrolls sideways."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from delegates.services.links import personal_link_issue
from plenary.services import hall_item_set, speakers_list_close, speech_next, speech_pause
from tests.accessibility import assert_no_axe_violations
from tests.conftest import BROWSER_LOCALE
from tests.factories import CongressFactory, OrganisationFactory, ParticipantFactory, SecretariatUserFactory
from tests.helpers import assert_no_horizontal_scroll
from tests.plenary.factories import AgendaItemFactory, delegate_in_hall

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
# From the desk's action to the phone: the issue's target (the phone asks every 2 s).
WITHIN_MS = 3000


def assert_page_is_fine(page) -> None:
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)


@pytest.fixture
def phones(browser):
    contexts = []

    def open_phone(*, javascript: bool = True):
        context = browser.new_context(locale=BROWSER_LOCALE, java_script_enabled=javascript, **PHONE)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def floor_url(live_server, participant) -> str:
    return live_server.url + reverse("plenary_portal:floor", args=[personal_link_issue(participant=participant)[1]])


def test_ask_get_the_floor_a_reply_and_the_list_closed(live_server, phones):
    congress = CongressFactory(name="Landstinget 2028")
    item = AgendaItemFactory(congress=congress, number=3, title="Generell politisk debatt")
    hall_item_set(congress=congress, item_id=item.pk, user=None)
    chair = SecretariatUserFactory()
    me = delegate_in_hall(
        congress,
        first_name="Ingebjørg",
        last_name="Skjervheim",
        organisation=OrganisationFactory(name="Trondheim kommune"),
    )
    other = delegate_in_hall(congress, first_name="Åsmund", last_name="Nøkleby")
    late = delegate_in_hall(congress, first_name="Dagny", last_name="Ødegård")

    # 1. The delegate asks with one tap.
    page = phones()
    page.goto(floor_url(live_server, me))
    expect(page.locator("h1")).to_have_text("Be om ordet")
    expect(page.locator("[data-floor=headline]")).to_have_text("Du står ikke på talerlista.")
    assert_page_is_fine(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Be om ordet", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Du har bedt om ordet til et innlegg.")
    expect(page.locator("[data-floor=headline]")).to_have_text("Du er neste")
    expect(page.locator(".floor-own")).to_contain_text("Innlegg")
    expect(page.get_by_role("button", name="Be om ordet", exact=True)).to_be_hidden()
    assert_page_is_fine(page)

    # 2. The desk gives the floor: the phone says so within 3 s, without a reload.
    page.evaluate("() => { window.notReloaded = true; }")
    speech = speech_next(congress=congress, expected_speaking_id=None, user=chair)
    expect(page.locator("[data-floor=headline]")).to_have_text("Du har ordet", timeout=WITHIN_MS)
    assert page.evaluate("() => window.notReloaded") is True
    expect(page.locator(".floor-speaker__name")).to_have_text("Ingebjørg Skjervheim")
    expect(page.locator("[data-floor=clock]")).to_contain_text("igjen")
    first = page.locator("[data-floor=clock]").text_content()
    page.wait_for_timeout(1200)
    assert page.locator("[data-floor=clock]").text_content() != first, "the clock runs"
    expect(page.locator(".floor-own")).to_be_hidden()
    assert_page_is_fine(page)

    # 3. Another delegate's phone asks for a reply while the speech is given.
    their = phones()
    their.goto(floor_url(live_server, other))
    expect(their.locator(".floor-speaker__name")).to_have_text("Ingebjørg Skjervheim")
    with their.expect_navigation():
        their.get_by_role("button", name="Be om replikk").click()
    expect(their.locator(".messages")).to_contain_text("Du har bedt om replikk.")
    expect(their.locator("[data-floor=headline]")).to_have_text("Du er neste")
    assert_page_is_fine(their)
    # The speaker's phone now offers to answer the replies.
    expect(page.get_by_role("button", name="Svar på replikkene")).to_be_visible(timeout=WITHIN_MS)

    # A phone without JavaScript, opened before the list is closed.
    plain = phones(javascript=False)
    plain.goto(floor_url(live_server, late))
    expect(plain.get_by_role("button", name="Be om ordet", exact=True)).to_be_visible()

    # 4. The chair closes the list: the phones stop offering a speech and say why.
    speakers_list_close(item=item, user=chair)
    note = "Det er satt strek for talerlista."
    expect(their.locator("[data-floor=notes]")).to_contain_text(note, timeout=WITHIN_MS)
    expect(their.get_by_role("button", name="Be om ordet", exact=True)).to_be_hidden()
    assert_page_is_fine(their)

    # A further request, from the page loaded before, is refused in words.
    with plain.expect_navigation():
        plain.get_by_role("button", name="Be om ordet", exact=True).click()
    expect(plain.locator(".messages")).to_contain_text(note)
    expect(plain.locator("[data-floor=notes]")).to_contain_text(note)
    assert plain.locator("[data-floor=speech]").get_attribute("hidden") is not None  # (axe needs JavaScript)

    # The clock paused, then the connection lost: the phone keeps the last state and says so.
    speech_pause(congress=congress, request_id=speech.pk, user=chair)
    expect(page.locator("[data-floor=clock]")).to_contain_text("på pause", timeout=WITHIN_MS)
    page.route("**/ordet/tilstand/", lambda route: route.abort())
    expect(page.locator("[data-floor=stale]")).to_be_visible(timeout=12_000)  # after three intervals without an answer
    expect(page.locator("[data-floor=headline]")).to_have_text("Du har ordet")
    assert_page_is_fine(page)
    page.unroute("**/ordet/tilstand/")
    expect(page.locator("[data-floor=stale]")).to_be_hidden(timeout=WITHIN_MS + 1000)


def test_not_checked_in_and_no_item(live_server, phones):
    congress = CongressFactory(name="Landstinget 2028")
    me = delegate_in_hall(congress)
    page = phones()
    page.goto(floor_url(live_server, me))
    expect(page.locator("#floor-no-item")).to_be_visible()
    assert_page_is_fine(page)

    # The chair opens an item: the page shows it by itself.
    item = AgendaItemFactory(congress=congress, number=2, title="Åpning")
    hall_item_set(congress=congress, item_id=item.pk, user=None)
    expect(page.locator("[data-floor=item]")).to_have_text("Sak 2: Åpning", timeout=WITHIN_MS + 2000)
    expect(page.get_by_role("button", name="Be om ordet", exact=True)).to_be_visible()

    absent = ParticipantFactory(congress=congress)
    page.goto(floor_url(live_server, absent))
    expect(page.locator("[data-floor=notes]")).to_have_text(
        "Du er ikke sjekket inn i salen. Vis navneskiltet ditt i innsjekkingen først."
    )
    expect(page.locator(".floor-ask button:visible")).to_have_count(0)
    assert_page_is_fine(page)
