"""Issue 14, "How it is checked": every page of the delegate portal is axe-clean on a phone (390 px, touch) and on a
computer (1280 px), and does not scroll sideways.

The pages are not a hand list: they are read from the URLconf (the namespaces of the portal's three ``urls.py``:
everything behind ``/p/<token>/`` and the lost-link page). Each is visited with real content from the seeded demo,
or named in ``NOT_PAGES`` (a file, JSON, or POST only) with its reason; a new page that is neither fails the test.
axe runs the WCAG 2.1 A/AA rules of ``tests.accessibility`` and ``landmark-unique`` (``tests.landmarks``), once per
page and width, after every ``<details>`` is opened (the hidden part of a page is part of the page).
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agenda.models import AgendaItem, Congress
from committees import selectors as committee_selectors
from committees.models import Paragraph
from committees.services import amendment_submit, statement_submit
from delegates import demo
from delegates.checkin import checkin_record
from delegates.models import Attendance, Participant
from delegates.selectors import invited_events
from delegates.services.links import personal_link_issue, personal_link_url
from delegates.services.registration import registration_cancel, registration_save
from elections.models import Poll
from elections.services import poll_open
from plenary import selectors as plenary_selectors
from plenary.services import hall_item_set, speaker_request_add, speech_next
from surveys.models import Respondent
from tests.accessibility import WCAG_21_AA_TAGS, format_violations
from tests.conftest import BROWSER_LOCALE, BROWSER_TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]

PORTAL_NAMESPACES = ("portal", "committees_portal", "elections_portal", "plenary_portal", "surveys_portal")
# The portal's routes that are no page to look at, and why. Keep this short: anything else is visited.
NOT_PAGES = {
    "portal:programme_ics": "the calendar file (text/calendar)",
    "portal:agenda_document": "an agenda document, downloaded",
    "portal:language": "POST only: the language switch",
    "elections_portal:ballots_state": "JSON: the open votes' state, for the ballots page's script",
    "elections_portal:cast": "POST only: the ballot page's cast API (JSON)",
    "plenary_portal:floor_state": "JSON: the hall's state for the phone, for the floor page's script",
    "surveys_portal:draft": "POST only: the survey's background save of a draft (JSON)",
}
CONTEXTS = {
    390: {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3},
    1280: {"viewport": {"width": 1280, "height": 900}},
}
# WCAG 2.1 A and AA (as tests.accessibility), and landmark-unique (as tests.landmarks), in one run of axe.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_21_AA_TAGS},
    "rules": {"landmark-unique": {"enabled": True}},
    "resultTypes": ["violations"],
}
OPEN_DETAILS = "() => document.querySelectorAll('details').forEach((details) => { details.open = true; })"
SIDEWAYS = "() => [document.documentElement.scrollWidth, window.innerWidth]"

_axe = Axe()


def portal_routes() -> set[str]:
    """``namespace:name`` of every route of the portal's URLconfs."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace in PORTAL_NAMESPACES:
                yield f"{namespace}:{pattern.name}"

    return set(walk(get_resolver().url_patterns))


@dataclass
class Visit:
    name: str  # the route
    path: str
    what: str  # which version of the page (for the report)


@dataclass
class Walk:
    visits: list[Visit]  # every page to look at, each with content
    not_pages: dict[str, str]  # a route of NOT_PAGES -> a path of it (where the demo has one)


def _token(participant: Participant) -> str:
    return personal_link_issue(participant=participant)[1]


def _pages_with_content() -> Walk:
    """A delegate of the extraordinary demo congress (registration, amendments and statements open) who has
    registered, proposed an amendment and a statement and is checked in with two votes open; one of their fellow
    delegates who cancelled; and a delegate of Landstinget 2024, whose votes are published."""
    upcoming = Congress.objects.get(name=demo.UPCOMING_CONGRESS["name"])
    voters = list(
        Participant.objects.filter(
            congress=upcoming, role=Participant.Role.DELEGATE, status=Participant.Status.ACTIVE
        ).order_by("pk")
    )
    me, cancelled, supporters = voters[0], voters[1], voters[2:8]
    token = _token(me)
    registration_save(
        participant=me,
        event_ids=list(invited_events(me).values_list("pk", flat=True)),
        hotel_nights=[],
        diet="vegetarian",
        allergies="Nøtter",
        accessibility="",
        arrival=None,
        departure=None,
        listed=True,
        mobile="",
        link_url=personal_link_url(token),
    )
    document = committee_selectors.document_of(upcoming)
    paragraph = Paragraph.objects.filter(document=document).order_by("position").first()
    amendment = amendment_submit(
        document=document,
        submitter=me,
        chapter=paragraph.chapter,
        kind="replace",
        line_from=paragraph.first_line,
        line_to=paragraph.last_line,
        text="KS vil arbeide for at flere unge og flere kvinner stiller til valg.",
        justification="Flere kvinner bør stille til valg.",
        supporters=supporters[:2],
    )
    statement = statement_submit(
        congress=upcoming,
        submitter=me,
        title="Styrk beredskapen i kommunene",
        text="Landstinget ber staten finansiere kommunenes beredskap.",
        justification="Kommunene bærer beredskapen.",
        supporters=supporters,
    )
    checkin_record(participant=me, direction=Attendance.Direction.IN, user=None)
    election_poll = Poll.objects.filter(congress=upcoming, election__isnull=False).order_by("pk").first()
    decision_poll = Poll.objects.filter(congress=upcoming, election__isnull=True).order_by("pk").first()
    poll_open(poll=election_poll, user=None)
    poll_open(poll=decision_poll, user=None)
    cancelled_token = _token(cancelled)
    registration_cancel(participant=cancelled)

    # The hall (the demo's item, or the first): a fellow delegate speaking, me waiting with a speech and a reply.
    item = plenary_selectors.hall_of(upcoming).current_item
    if item is None:
        item = AgendaItem.objects.filter(congress=upcoming).order_by("number").first()
        hall_item_set(congress=upcoming, item_id=item.pk, user=None)
    speaking = plenary_selectors.item_list(item).speaking
    speaker = supporters[0]
    checkin_record(participant=speaker, direction=Attendance.Direction.IN, user=None)
    speech = speaker_request_add(item=item, kind="speech", participant=speaker)
    speaker_request_add(item=item, kind="speech", participant=me)
    speech_next(
        congress=upcoming, expected_speaking_id=speaking.pk if speaking else None, user=None, request_id=speech.pk
    )
    speaker_request_add(item=item, kind="reply", participant=me)

    landsting_2024 = Congress.objects.get(name=demo.DEMO_CONGRESS["name"])
    published = Poll.objects.filter(congress=landsting_2024, state=Poll.State.PUBLISHED)
    published_election = published.filter(election__isnull=False).order_by("pk").first()
    published_decision = published.filter(election__isnull=True).order_by("pk").first()
    voter_2024 = published_election.eligible.order_by("pk").first().participant
    token_2024 = _token(voter_2024)
    respondent_2024 = Respondent.objects.filter(survey__congress=landsting_2024).order_by("pk").first().participant

    def at(name: str, what: str, token_: str | None = token, **kwargs) -> Visit:
        return Visit(name, reverse(name, kwargs={"token": token_, **kwargs} if token_ else kwargs), what)

    visits = [
        at("portal:lost_link", "the lost-link form", token_=None),
        at("portal:home", "the registration form, with the saved answers"),
        at("portal:home", "registration closed (2024), read-only answers", token_=token_2024),
        at("portal:done", "registered"),
        at("portal:cancel", "cancel, before cancelling"),
        at("portal:cancelled", "cancelled", token_=cancelled_token),
        at("portal:my_data", "everything stored, with mails and history"),
        at("portal:programme", "the personal programme"),
        at("committees_portal:document", "the political document"),
        at("committees_portal:amendments", "the amendments, one own"),
        at("committees_portal:amendment_new", "a new amendment"),
        at("committees_portal:amendment", "an own amendment", number=amendment.number),
        at("committees_portal:amendment_withdraw", "withdrawing it", number=amendment.number),
        at("committees_portal:statements", "the statements, one own"),
        at("committees_portal:statement_new", "a new statement"),
        at("committees_portal:statement", "an own statement", number=statement.number),
        at("committees_portal:statement_withdraw", "withdrawing it", number=statement.number),
        at("elections_portal:ballots", "two votes open"),
        at("elections_portal:ballot", "an election's ballot", poll_id=election_poll.pk),
        at("elections_portal:ballot", "a decision's ballot", poll_id=decision_poll.pk),
        at("elections_portal:results", "the results of 2024", token_=token_2024),
        at("elections_portal:result", "an election's result", token_=token_2024, poll_id=published_election.pk),
        at("elections_portal:result", "a decision's result", token_=token_2024, poll_id=published_decision.pk),
        at("plenary_portal:floor", "asking for the floor: a speech and a reply waiting, someone speaking"),
        at("plenary_portal:floor", "asking for the floor, a delegate of 2024", token_=token_2024),
        at("surveys_portal:form", "the evaluation of 2024, closed", token_=token_2024),
        at("surveys_portal:thanks", "the evaluation of 2024, answered", token_=_token(respondent_2024)),
    ]
    not_pages = {
        "portal:programme_ics": reverse("portal:programme_ics", kwargs={"token": token}),
        "portal:language": reverse("portal:language", kwargs={"token": token}),
        "elections_portal:ballots_state": reverse("elections_portal:ballots_state", kwargs={"token": token}),
        "elections_portal:cast": reverse("elections_portal:cast", kwargs={"token": token, "poll_id": decision_poll.pk}),
        "plenary_portal:floor_state": reverse("plenary_portal:floor_state", kwargs={"token": token}),
        "surveys_portal:draft": reverse("surveys_portal:draft", kwargs={"token": token_2024}),
    }
    return Walk(visits=visits, not_pages=not_pages)


def _problems_of(page, base_url: str, visit: Visit) -> list[str]:
    response = page.goto(base_url + visit.path)
    content_type = response.headers.get("content-type", "")
    if response.status != 200 or not content_type.startswith("text/html"):
        return [f"answered {response.status} {content_type}"]
    if urlsplit(page.url).path != visit.path:
        return [f"redirected to {urlsplit(page.url).path}"]
    page.evaluate(OPEN_DETAILS)
    problems = []
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    if violations:
        problems.append(format_violations(violations))
    width, viewport = page.evaluate(SIDEWAYS)
    if width > viewport:
        problems.append(f"the page is {width} px wide in a {viewport} px viewport")
    return problems


def test_every_portal_page_is_axe_clean_on_a_phone_and_a_computer(live_server, browser, seeded_demo):
    walk = _pages_with_content()
    routes = portal_routes()

    visited = {visit.name for visit in walk.visits}
    assert not set(NOT_PAGES) - routes, f"NOT_PAGES names routes that are gone: {sorted(set(NOT_PAGES) - routes)}"
    assert not visited - routes, sorted(visited - routes)
    assert not routes - visited - set(NOT_PAGES), (
        f"portal pages neither visited nor excluded: {sorted(routes - visited - set(NOT_PAGES))}"
    )

    problems: dict[str, list[str]] = {}
    for width, options in CONTEXTS.items():
        context = browser.new_context(locale=BROWSER_LOCALE, **options)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        try:
            page = context.new_page()
            for visit in walk.visits:
                for problem in _problems_of(page, live_server.url, visit):
                    problems.setdefault(f"{width} px, {visit.name} ({visit.what}), {visit.path}", []).append(problem)
            if width == 390:
                # What is left out is no HTML page: a file, JSON, or a refusal of GET.
                for name, path in walk.not_pages.items():
                    response = context.request.get(live_server.url + path)
                    content_type = response.headers.get("content-type", "")
                    assert response.status == 405 or not content_type.startswith("text/html"), (name, response.status)
        finally:
            context.close()

    report = "\n".join(f"{where}:\n" + "\n".join(found) for where, found in problems.items())
    assert not problems, f"{len(problems)} page(s) with problems:\n{report}"
