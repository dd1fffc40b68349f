"""The Content-Security-Policy in Debian's Chromium: representative pages of each type report no violation (the
``securitypolicyviolation`` events and the console's "Refused to …" errors), and their scripts still work: the
admin's filters and actions, the check-in desk and the projector asking for their numbers, the ballot's script
limiting the choices and casting without leaving the page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from committees.models import Committee
from delegates import demo
from delegates.models import DelegateKey, Participant
from delegates.services.links import personal_link_issue
from elections.models import Poll
from elections.services import poll_create_for_election, poll_open
from tests.elections.factories import CandidateFactory, ElectionFactory, present_delegates
from tests.factories import CongressFactory
from tests.helpers import sign_in_on_the_form

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    [event.violatedDirective, event.blockedURI, event.sourceFile + ":" + event.lineNumber, event.sample].join(" | ")
  );
}, true);
"""


class Watch:
    """What a page reported: CSP violations (events and console), and uncaught script errors."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def assert_clean(self) -> None:
        events = self.page.evaluate("() => window.__cspViolations || []")
        assert events == [], f"{self.page.url}: {events}"
        assert self.console == []
        assert self.errors == []


@pytest.fixture
def watched(page):
    page.context.add_init_script(RECORD_VIOLATIONS)
    return page, Watch(page)


@pytest.fixture
def watched_phone(phone_page):
    phone_page.context.add_init_script(RECORD_VIOLATIONS)
    return phone_page, Watch(phone_page)


def visit(page, watch, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    page.wait_for_load_state("load")
    watch.assert_clean()


def test_admin_staff_and_hall_pages_report_no_violations_and_their_scripts_work(live_server, watched, seeded_demo):
    page, watch = watched
    base = live_server.url
    sign_in_on_the_form(page, f"{base}/admin/", *demo.DEMO_SECRETARIAT_LOGIN)
    watch.assert_clean()

    # The participant list: a filter, then the actions (the admin's actions.js counts the ticked rows).
    visit(page, watch, base + reverse("admin:delegates_participant_changelist"))
    filters = page.locator("#changelist-filter")
    filters.locator("details").first.locator("li:not(.selected) a").first.click()
    expect(page).to_have_url(re.compile(r"\?.+="))
    watch.assert_clean()
    counter = page.locator(".action-counter")
    before = counter.inner_text()
    page.locator("#result_list tbody input.action-select").first.check()
    expect(counter).not_to_have_text(before)
    expect(page.locator("#result_list tbody tr").first).to_have_class(re.compile("selected"))
    page.locator("select[name=action]").select_option(index=1)
    watch.assert_clean()

    participant = Participant.objects.order_by("pk").first()
    committee = Committee.objects.order_by("pk").first()
    poll = Poll.objects.order_by("pk").first()
    for url in (
        reverse("admin:index"),
        reverse("admin:delegates_participant_change", args=[participant.pk]),
        reverse("admin:delegates_participant_history", args=[participant.pk]),
        reverse("admin:delegates_participant_import"),
        reverse("admin:delegates_participant_export"),
        reverse("admin:core_outboxmail_changelist"),  # no actions: Django's own inline style, allowed by its hash
        reverse("admin:agenda_congress_change", args=[participant.congress_id]),
        reverse("delegates_staff:delegation_overview"),
        reverse("delegates_staff:registration_status"),
        reverse("delegates_staff:documents"),
        reverse("delegates_staff:seat_allocation", args=[DelegateKey.objects.order_by("pk").first().pk]),
        reverse("committees_staff:committee_work", args=[committee.pk]),
        reverse("elections_staff:desk"),
        reverse("elections_staff:poll", args=[poll.pk]),
        reverse("admin:password_change"),
        reverse("mfa_index"),
        reverse("mfa_activate_totp"),  # the QR code is an image in a data: URL
    ):
        visit(page, watch, base + url)

    # The export page's "Select all" (import-export's own inline handler, allowed by its hash) still works.
    visit(page, watch, base + reverse("admin:delegates_participant_export"))
    page.locator("input[name=select-all-toggle]").uncheck()
    expect(page.locator(".selectable-field-export-row input[type=checkbox]:checked")).to_have_count(0)
    watch.assert_clean()

    # The check-in desk loads its script, which asks for the counts.
    with page.expect_response(lambda response: "counts.json" in response.url) as counts:
        visit(page, watch, base + reverse("delegates_staff:checkin"))
    assert counts.value.status == 200
    watch.assert_clean()

    # The projector (the hall's screen) asks for its state.
    with page.expect_response(lambda response: "state.json" in response.url) as state:
        visit(page, watch, base + reverse("elections_staff:projector", args=[poll.congress_id]))
    assert state.value.status == 200
    watch.assert_clean()


def test_portal_pages_report_no_violations_and_the_ballot_script_casts(live_server, watched_phone):
    page, watch = watched_phone
    base = live_server.url
    congress = CongressFactory(name="Landstinget 2028")
    me = present_delegates(congress, 1)[0]
    present_delegates(congress, 2)
    election = ElectionFactory(congress=congress, title="Valg av hovedstyre", method="multi_seat", seats=2)
    for position, last in enumerate(("Aasen", "Dalheim", "Eide")):
        CandidateFactory(election=election, last_name=last, position=position)
    poll = poll_open(poll=poll_create_for_election(election=election), user=None)
    first, second, third = poll.candidates.order_by("position")
    _link, token = personal_link_issue(participant=me)

    for url in (
        reverse("portal:home", args=[token]),
        reverse("portal:programme", args=[token]),
        reverse("portal:my_data", args=[token]),
        reverse("committees_portal:document", args=[token]),
        reverse("elections_portal:ballots", args=[token]),
        reverse("portal:lost_link"),
    ):
        visit(page, watch, base + url)

    # The ballot: the script stops a third tick, then casts without leaving the page.
    visit(page, watch, base + reverse("elections_portal:ballot", args=[token, poll.pk]))
    page.locator(f"#ballot-{first.pk}").check()
    page.locator(f"#ballot-{second.pk}").check()
    expect(page.locator(f"#ballot-{third.pk}")).to_be_disabled()
    ballot_url = page.url
    with page.expect_response(lambda response: response.url.endswith("/avgi/")) as cast:
        page.locator("button.ballot-cast__button").click()
    assert cast.value.status == 200
    expect(page.locator("#receipt")).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{6}$"))
    assert page.url == ballot_url
    watch.assert_clean()

    # A form sent back with an error: the portal's script moves the focus to the summary.
    page.goto(base + reverse("portal:lost_link"))
    page.locator("input[name=email]").fill("not an address")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    expect(page.locator("#error-summary")).to_be_focused()
    watch.assert_clean()
