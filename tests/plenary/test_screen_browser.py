"""The hall screen and the lower third in Debian's Chromium, as the hall and the live stream see them: the floor given
at the desk reaches the screen within a second, nothing scrolls at 1920 by 1080 or 1280 by 720 with a long name, a long
title, a full queue and replies, axe finds nothing, and the clock turns amber in the last 30 s and red in overtime.

Set ``KS_SCREENSHOT_DIR`` to keep a screenshot of every state at both sizes there."""

import datetime
import os
import pathlib
import re
import time

import pytest
from django.db import OperationalError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from elections.services import ballot_cast, poll_close, poll_create_decision, poll_open, poll_publish, poll_sign_off
from plenary.models import Hall, SpeakerRequest
from plenary.services import (
    hall_item_set,
    speaker_request_add,
    speakers_list_close,
    speakers_list_reopen,
    speech_end,
    speech_next,
    speech_pause,
)
from tests.accessibility import assert_no_axe_violations
from tests.conftest import BROWSER_LOCALE, BROWSER_TIMEOUT_MS
from tests.elections.factories import present_delegates
from tests.factories import CongressFactory, OrganisationFactory, SecretariatUserFactory
from tests.helpers import sign_in_on_the_form
from tests.plenary.factories import AgendaItemFactory, delegate_in_hall

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]

Kind = SpeakerRequest.Kind
SIZES = {"1920": (1920, 1080), "1280": (1280, 720)}
LONG_TITLE = (
    "Sak 7: Politisk dokument for kommunesektoren 2024–2028, kapittel 3: Velferd, helse, omsorg og "
    "oppvekst i hele landet, med komiteens innstilling og endringsforslag"
)
NO_SCROLL = """() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight,
                      window.innerWidth, window.innerHeight]"""
SHOTS = os.environ.get("KS_SCREENSHOT_DIR")


@pytest.fixture
def screen(browser):
    """A page of the given size in a fresh context (as a projector's browser: nothing signed in)."""
    contexts = []

    def open_screen(size: str = "1920"):
        width, height = SIZES[size]
        context = browser.new_context(locale=BROWSER_LOCALE, viewport={"width": width, "height": height})
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_screen
    for context in contexts:
        context.close()


@pytest.fixture
def chair():
    return SecretariatUserFactory()


def _retried(action, *args, **kwargs):
    """Write while a screen is polling: SQLite's shared in-memory test database refuses a write for a moment while the
    live server's thread reads ("database table is locked"), where PostgreSQL would wait. Try again."""
    for attempt in range(100):
        try:
            with transaction.atomic():
                return action(*args, **kwargs)
        except OperationalError as error:
            if "locked" not in str(error) or attempt == 99:
                raise
            time.sleep(0.01)
    return None


def _hall_url(live_server, congress, name: str = "screen") -> str:
    key = Hall.objects.get(congress=congress).screen_key
    return live_server.url + reverse(f"plenary_hall:{name}", args=[key])


def _item(title: str = "Generell politisk debatt"):
    item = AgendaItemFactory(congress=CongressFactory(name="Landstinget 2024"), title=title, number=4)
    hall_item_set(congress=item.congress, item_id=item.pk, user=None)
    return item


def _full_debate(item, chair, *, closed: bool = True):
    """A speaker with a long name; six more speeches waiting; two replies to the speech; the list closed."""
    speaker = delegate_in_hall(
        item.congress,
        first_name="Anne-Marthe Kristine",
        last_name="Østerbø-Haugland Johannessen",
        party="Kristelig Folkeparti",
        organisation=OrganisationFactory(name="Nordre Follo og Ås interkommunale samarbeidsråd"),
    )
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=speaker)
    names = [("Kari", "Nordmann"), ("Ola", "Haugen"), ("Ingrid", "Bakke-Solberg"), ("Lars", "Myhre")]
    names += [("Sølvi", "Strand"), ("Håkon", "Lie")]
    for first, last in names:
        speaker_request_add(
            item=item,
            kind=Kind.SPEECH,
            participant=delegate_in_hall(item.congress, first_name=first, last_name=last),
        )
    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    for first, last in (("Bo", "Berg"), ("Cato", "Carlsen")):
        speaker_request_add(
            item=item, kind=Kind.REPLY, participant=delegate_in_hall(item.congress, first_name=first, last_name=last)
        )
    if closed:
        speakers_list_close(item=item, user=chair)
    return speaker


def _move_clock(item, *, seconds_left: float) -> None:
    """Make the speech's start earlier in the database, and tell the screens (a new hall version)."""
    speech = SpeakerRequest.objects.get(item=item, state=SpeakerRequest.State.SPEAKING)
    started = timezone.now() - datetime.timedelta(seconds=speech.allowed_seconds - seconds_left)
    _retried(SpeakerRequest.objects.filter(pk=speech.pk).update, started_at=started)
    _retried(Hall.objects.filter(congress=item.congress).update, version=F("version") + 1)


def _shown(page, view: str) -> None:
    expect(page.locator("#screen")).to_have_attribute("data-view", view)


def _fits(page) -> None:
    width, height, inner_width, inner_height = page.evaluate(NO_SCROLL)
    assert (width, height) <= (inner_width, inner_height) and width <= inner_width, (width, height, page.url)
    # What must be seen is in view, not cut off: the clock, and the last entry of the queue.
    for selector in ("#clock", "#next li:last-child", "#replies li:last-child", "#strek", "#vote-rows tr:last-child"):
        box = page.locator(selector).bounding_box() if page.locator(selector).count() else None
        if box is not None and box["height"] > 0:
            assert box["y"] + box["height"] <= inner_height + 0.5, (selector, box, page.url)
            assert box["x"] + box["width"] <= inner_width + 0.5, (selector, box, page.url)


def _shot(page, name: str) -> None:
    if SHOTS:
        pathlib.Path(SHOTS).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=str(pathlib.Path(SHOTS) / f"{name}-{width}.png"))


# --- Live -----------------------------------------------------------------------------------------------------


def test_the_floor_given_at_the_desk_shows_on_the_screen_within_a_second(live_server, screen, chair):
    item = _item()
    anne = delegate_in_hall(item.congress, first_name="Anne", last_name="Andersen", party="Senterpartiet")
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=anne)
    page = screen("1920")
    page.goto(_hall_url(live_server, item.congress))
    _shown(page, "debate")
    expect(page.locator("#nobody")).to_be_visible()
    expect(page.locator("#next li")).to_have_count(1)

    given = time.monotonic()
    _retried(speech_next, congress=item.congress, expected_speaking_id=None, user=chair)
    expect(page.locator("#speaker-name")).to_have_text(anne.full_name, timeout=1000)
    expect(page.locator("#clock-time")).to_have_text("5:00", timeout=1000)
    assert time.monotonic() - given < 1.0
    expect(page.locator("#speaker-from")).to_contain_text("Senterpartiet")
    expect(page.locator("#next-empty")).to_be_visible()
    # The clock runs: a moment later it shows 4:59 or less.
    expect(page.locator("#clock-time")).to_have_text("4:59", timeout=2500)


def test_a_screen_opened_in_the_middle_of_a_speech_shows_the_time_left(live_server, screen, chair):
    item = _item()
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=delegate_in_hall(item.congress))
    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    _move_clock(item, seconds_left=125.4)
    page = screen("1280")
    page.goto(_hall_url(live_server, item.congress))
    expect(page.locator("#clock-time")).to_have_text(re.compile(r"^[12]:\d\d$"))
    minutes, seconds = page.locator("#clock-time").text_content().split(":")
    speech = SpeakerRequest.objects.get(item=item, state="speaking")
    left = speech.allowed_seconds - (timezone.now() - speech.started_at).total_seconds()
    assert abs(int(minutes) * 60 + int(seconds) - left) <= 1.5  # the time left now, by the server's clock
    expect(page.locator("#clock")).to_have_attribute("data-state", "running")


def test_the_clock_turns_amber_in_the_last_30_seconds_and_red_counting_up_in_overtime(live_server, screen, chair):
    item = _item()
    _full_debate(item, chair, closed=False)
    page = screen("1920")
    page.goto(_hall_url(live_server, item.congress))
    expect(page.locator("#clock")).to_have_attribute("data-state", "running")

    _move_clock(item, seconds_left=20)
    expect(page.locator("#clock")).to_have_attribute("data-state", "warning", timeout=1500)
    expect(page.locator("#clock-time")).to_have_text("0:20", timeout=1500)
    assert page.evaluate("() => getComputedStyle(document.getElementById('clock')).backgroundColor") == (
        "rgb(255, 184, 28)"
    )

    _move_clock(item, seconds_left=-42)
    expect(page.locator("#clock")).to_have_attribute("data-state", "overtime", timeout=1500)
    expect(page.locator("#clock-time")).to_have_text("+0:42", timeout=1500)
    expect(page.locator("#clock-note")).to_have_text("Overtid")
    assert page.evaluate("() => getComputedStyle(document.getElementById('clock')).backgroundColor") == (
        "rgb(192, 38, 29)"
    )
    expect(page.locator("#clock-time")).to_have_text("+0:43", timeout=2500)  # counting up
    _shot(page, "overtime")

    speaking = SpeakerRequest.objects.get(item=item, state="speaking")
    _retried(speech_pause, congress=item.congress, request_id=speaking.pk, user=chair)
    expect(page.locator("#clock")).to_have_attribute("data-paused", "", timeout=1500)
    expect(page.locator("#clock-note")).to_have_text("Pause")
    shown = page.locator("#clock-time").text_content()
    page.wait_for_timeout(1500)
    expect(page.locator("#clock-time")).to_have_text(shown)  # paused: the clock stands still
    _shot(page, "paused")


def test_a_screen_that_loses_the_server_keeps_the_last_state_and_says_so(live_server, screen, chair):
    item = _item()
    anne = _full_debate(item, chair)
    page = screen("1920")
    page.goto(_hall_url(live_server, item.congress))
    expect(page.locator("#speaker-name")).to_have_text(anne.full_name)
    page.route("**/state.json", lambda route: route.abort())
    expect(page.locator("#stale")).to_be_visible(timeout=6000)
    expect(page.locator("#speaker-name")).to_have_text(anne.full_name)
    page.unroute("**/state.json")
    expect(page.locator("#stale")).to_be_hidden(timeout=3000)


# --- Nothing scrolls; axe; every state, at both sizes -------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_nothing_scrolls_and_axe_finds_nothing_in_any_state(live_server, screen, chair, size):
    congress = CongressFactory(name="Landstinget 2024")
    hall_item_set(congress=congress, item_id=None, user=None)
    page = screen(size)
    url = _hall_url(live_server, congress)

    def look(view: str, name: str, *, axe: bool = True) -> None:
        page.goto(url)
        _shown(page, view)
        _fits(page)
        if axe:
            assert_no_axe_violations(page)
        _shot(page, name)
        page.goto("about:blank")  # no screen reads while the test writes (SQLite's shared test database)

    look("empty", "no-item")

    item = AgendaItemFactory(congress=congress, title=LONG_TITLE, number=7)
    hall_item_set(congress=congress, item_id=item.pk, user=None)
    speaker = _full_debate(item, chair)
    page.goto(url)
    expect(page.locator("#speaker-name")).to_have_text(speaker.full_name)
    expect(page.locator("#next li")).to_have_count(5)
    expect(page.locator("#replies li")).to_have_count(2)
    expect(page.locator("#more")).to_have_text("+ 1 til på listen")
    expect(page.locator("#strek")).to_be_visible()
    expect(page.locator("#item-number")).to_have_text("Sak 7")
    look("debate", "speech-closed-list")

    speakers_list_reopen(item=item, user=chair)
    look("debate", "speech-open-list", axe=False)

    voters = present_delegates(congress, 4)
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Endringsforslag 3-12 fra Agder"), user=chair)
    ballot_cast(poll_id=poll.pk, participant_id=voters[0].pk, answer="yes")
    page.goto(url)
    expect(page.locator("#vote-count")).to_have_text(re.compile(r"^1 av \d+ stemmer mottatt$"))
    look("vote", "vote-open")

    for voter, answer in zip(voters[1:], ("yes", "no", "abstain"), strict=True):
        ballot_cast(poll_id=poll.pk, participant_id=voter.pk, answer=answer)
    poll = poll_close(poll=poll, user=chair)
    look("vote", "vote-closed", axe=False)
    poll_sign_off(poll=poll, user=chair)
    poll_publish(poll=poll, user=chair)
    page.goto(url)
    expect(page.locator("#vote-outcome")).to_have_text("Vedtatt.")
    expect(page.locator("#vote-rows tr")).to_have_count(2)
    look("vote", "vote-result")

    # The next speech hands the screen back to the debate.
    current = SpeakerRequest.objects.get(item=item, state="speaking")
    speech_next(congress=congress, expected_speaking_id=current.pk, user=chair)
    look("debate", "after-the-vote", axe=False)


# --- The lower third --------------------------------------------------------------------------------------------


def test_the_lower_third_comes_and_goes_with_the_speaker_on_a_transparent_page(live_server, screen, chair):
    item = _item()
    anne = delegate_in_hall(
        item.congress,
        first_name="Anne",
        last_name="Andersen",
        party="Senterpartiet",
        organisation=OrganisationFactory(name="Tynset kommune"),
    )
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=anne)
    page = screen("1920")
    page.goto(_hall_url(live_server, item.congress, "lower_third"))
    transparent = "rgba(0, 0, 0, 0)"
    assert page.evaluate("() => getComputedStyle(document.documentElement).backgroundColor") == transparent
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == transparent
    caption = page.locator("#caption")
    expect(caption).not_to_have_class("caption on")

    speech = _retried(speech_next, congress=item.congress, expected_speaking_id=None, user=chair)
    expect(caption).to_have_class("caption on", timeout=1000)
    expect(page.locator("#speaker-name")).to_have_text("Anne Andersen")
    expect(page.locator("#speaker-from")).to_have_text("Tynset kommune · Senterpartiet")
    box = caption.bounding_box()
    assert box["y"] > 1080 / 2 and box["y"] + box["height"] < 1080  # in the lower part of the frame
    assert_no_axe_violations(page)
    page.wait_for_timeout(500)  # the fade
    for name, colour in (("dark", "#1b1f24"), ("light", "#e9edf1")):
        page.evaluate(f"() => {{ document.documentElement.style.background = '{colour}'; }}")
        _shot(page, f"lower-third-{name}")
    page.evaluate("() => { document.documentElement.style.background = ''; }")

    _retried(speech_end, congress=item.congress, request_id=speech.pk, user=chair)
    expect(caption).not_to_have_class("caption on", timeout=1000)
    assert not page.context.cookies()


# --- The desk's page of the links -----------------------------------------------------------------------------------


def test_the_desk_opens_the_screen_from_the_page_of_the_links(live_server, page, chair):
    item = _item()
    chair.email = "bord@ks.no"
    chair.save()
    links = reverse("plenary_staff:screen_links")
    login_url = f"{live_server.url}{reverse('account_login')}?next={links}"
    sign_in_on_the_form(page, login_url, "bord@ks.no", lands_on=f"{live_server.url}{links}")
    expect(page.locator("#screen-link")).to_have_text(_hall_url(live_server, item.congress))
    assert_no_axe_violations(page, context="#content-main")
    _shot(page, "links-page")

    page.locator("#screen-key-renew").click()
    expect(page.locator(".messagelist")).to_contain_text("ny nøkkel")
    new_url = _hall_url(live_server, item.congress)
    expect(page.locator("#screen-link")).to_have_text(new_url)
    with page.context.expect_page() as opened:
        page.locator("#screen-link").click()
    screen_page = opened.value
    expect(screen_page.locator("#item-title")).to_have_text("Generell politisk debatt")
