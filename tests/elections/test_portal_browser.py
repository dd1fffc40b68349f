"""A delegate in the hall, on a phone, in Debian's Chromium: opens the open votes from the personal link, votes in an
election for several seats, keeps the receipt, and finds the ballot with it in the published result. Every page
passes axe-core (WCAG 2.1 AA) and nothing scrolls sideways at 390 px."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from delegates.services.links import personal_link_issue
from elections.models import Poll, VoteCast
from elections.services import (
    poll_close,
    poll_create_decision,
    poll_create_for_election,
    poll_open,
    poll_publish,
    poll_sign_off,
)
from tests.accessibility import assert_no_axe_violations
from tests.elections.factories import (
    CandidateFactory,
    ElectionFactory,
    only_sealed_ballot,
    present_delegates,
)
from tests.factories import CongressFactory, OrganisationFactory, StaffUserFactory
from tests.helpers import assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]


def assert_page_is_fine(page) -> None:
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)


def test_delegate_votes_on_a_phone_and_finds_the_ballot_by_receipt(live_server, phone_page):
    page = phone_page
    congress = CongressFactory(name="Landstinget 2028")
    me = present_delegates(congress, 1, first_name="Ingebjørg", last_name="Skjervheim")[0]
    present_delegates(congress, 2)
    election = ElectionFactory(
        congress=congress, title="Valg av hovedstyre", office="hovedstyre_member", method="multi_seat", seats=2
    )
    names = [("Gunn", "Aasen"), ("Bjørn", "Dalheim-Kristoffersen"), ("Marit", "Eide"), ("Tor", "Fjellstad")]
    for position, (first, last) in enumerate(names):
        CandidateFactory(
            election=election,
            first_name=first,
            last_name=last,
            party="Ap",
            organisation=OrganisationFactory(name=f"{last} kommune"),
            position=position,
        )
    poll = poll_open(poll=poll_create_for_election(election=election), user=None)
    gunn, bjorn, marit, _tor = poll.candidates.order_by("position")
    _link, token = personal_link_issue(participant=me)

    # The open votes, from the personal page's navigation.
    page.goto(live_server.url + reverse("portal:home", args=[token]))
    page.locator(f".portal-nav a[href='{reverse('elections_portal:ballots', args=[token])}']").click()
    expect(page.locator(f"#poll-{poll.pk} h2")).to_have_text("Valg av hovedstyre")
    assert_page_is_fine(page)

    # The ballot: a checkbox per candidate, with party and organisation.
    page.locator(f"#poll-{poll.pk} a.poll-item__vote").click()
    expect(page.locator("h1")).to_have_text("Valg av hovedstyre")
    expect(page.locator(".ballot input[type=checkbox]")).to_have_count(4)
    expect(page.locator(f"label[for='ballot-{bjorn.pk}']")).to_contain_text("Dalheim-Kristoffersen kommune")
    assert_page_is_fine(page)

    # Nothing ticked and no blank ballot confirmed: nothing is cast, the error summary gets the focus.
    page.locator("button.ballot-cast__button").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_page_is_fine(page)
    assert not VoteCast.objects.exists()

    # Two seats: once two are ticked, the others cannot be ticked.
    page.locator(f"#ballot-{gunn.pk}").check()
    page.locator(f"#ballot-{bjorn.pk}").check()
    expect(page.locator(f"#ballot-{marit.pk}")).to_be_disabled()
    page.locator(f"#ballot-{gunn.pk}").uncheck()
    expect(page.locator(f"#ballot-{marit.pk}")).to_be_enabled()
    page.locator(f"#ballot-{marit.pk}").check()
    ballot_url = page.url
    held = []  # the ballot is held on its way, to see the page while it is sent
    page.route("**/avgi/", lambda route: held.append(route))
    page.locator("button.ballot-cast__button").click()
    expect(page.locator("#ballot-sending")).to_have_text("Sender stemmen din …")
    expect(page.locator("button.ballot-cast__button")).to_be_disabled()
    for _wait in range(100):  # the held request reaches the test a moment after the page shows it is sending
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    with page.expect_response(lambda response: response.url.endswith("/avgi/")) as cast:
        held[0].continue_()
    assert cast.value.status == 200

    # The receipt, shown once, in two groups: in place of the ballot (the page's script), with the focus on it.
    receipt = page.locator("#receipt")
    expect(receipt).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{6}$"))
    expect(page.locator("h1")).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Stemmen din er registrert – Valg av hovedstyre"))
    assert page.url == ballot_url
    expect(page.locator("form.ballot-form")).to_have_count(0)
    shown = receipt.inner_text()
    ballot = only_sealed_ballot(poll)
    assert ballot.receipt == shown.replace("-", "")
    assert sorted(ballot.choices) == sorted([bjorn.pk, marit.pk])
    assert_page_is_fine(page)

    # The officials close, check and publish.
    official = StaffUserFactory()
    poll_close(poll=poll, user=official)
    poll_sign_off(poll=poll, user=official)
    poll_publish(poll=poll, user=official)
    assert Poll.objects.get(pk=poll.pk).state == Poll.State.PUBLISHED

    # The delegate opens the result and types the receipt as they wrote it down (lower case, no dash).
    page.locator(f"a[href='{reverse('elections_portal:results', args=[token])}']").first.click()
    page.locator(f"#result-{poll.pk} a").click()
    expect(page.locator("#outcome")).to_contain_text("Bjørn Dalheim-Kristoffersen")
    page.locator("#id_kvittering").fill(shown.replace("-", "").lower())
    page.locator(".receipt-lookup button[type=submit]").click()
    expect(page.locator("#lookup-result")).to_be_focused()
    expect(page.locator(".lookup-result__says")).to_have_text("Bjørn Dalheim-Kristoffersen, Marit Eide")
    assert_page_is_fine(page)
    # The whole list, opened, with the ballot marked.
    expect(page.locator("details.ballot-list")).to_have_attribute("open", "")
    expect(page.locator(f"#kvittering-{ballot.receipt}")).to_contain_text(shown)
    assert_page_is_fine(page)


@pytest.fixture
def phone_page_without_javascript(browser):
    context = browser.new_context(
        locale="nb-NO", viewport={"width": 390, "height": 844}, is_mobile=True, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_without_javascript_the_form_is_posted_and_the_receipt_page_follows(live_server, phone_page_without_javascript):
    page = phone_page_without_javascript
    congress = CongressFactory(name="Landstinget 2028")
    me = present_delegates(congress, 1)[0]
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent 2029"), user=None)
    _link, token = personal_link_issue(participant=me)

    page.goto(live_server.url + reverse("elections_portal:ballot", args=[token, poll.pk]))
    page.locator("label[for='ballot-no']").click()
    with page.expect_navigation():
        page.locator("button.ballot-cast__button").click()

    expect(page.locator("#receipt")).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{6}$"))
    assert only_sealed_ballot(poll).answer == "no"
    # (axe needs JavaScript; the receipt's markup is the one checked with it above)

    # Back to the ballot: it says the vote is cast, and there is no form to send again.
    page.goto(live_server.url + reverse("elections_portal:ballot", args=[token, poll.pk]))
    expect(page.locator("h1")).to_contain_text("Kontingent 2029")
    expect(page.locator("form.ballot-form")).to_have_count(0)
    assert VoteCast.objects.filter(poll=poll).count() == 1


def test_a_vote_closed_while_the_ballot_was_open_is_said_so_on_the_page(live_server, phone_page):
    """The script's cast is refused (403), so the form is posted as usual and the server's page says why."""
    page = phone_page
    congress = CongressFactory(name="Landstinget 2028")
    me = present_delegates(congress, 1)[0]
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent 2029"), user=None)
    _link, token = personal_link_issue(participant=me)
    page.goto(live_server.url + reverse("elections_portal:ballot", args=[token, poll.pk]))
    page.locator("label[for='ballot-yes']").click()
    poll_close(poll=poll, user=StaffUserFactory())

    with page.expect_response(lambda response: response.url.endswith("/avgi/")) as cast:
        page.locator("button.ballot-cast__button").click()
    assert cast.value.status == 403

    expect(page.locator("#refusal")).to_contain_text("Denne avstemningen er avsluttet")
    assert not VoteCast.objects.filter(poll=poll).exists()
    assert_page_is_fine(page)


def test_a_vote_that_opens_while_the_delegate_waits_appears_on_the_list(live_server, phone_page, monkeypatch):
    monkeypatch.setattr("elections.portal.views.OPEN_VOTES_CHECK_SECONDS", 1)
    page = phone_page
    congress = CongressFactory(name="Landstinget 2028")
    me = present_delegates(congress, 1)[0]
    poll = poll_create_decision(congress=congress, title="Kontingent 2029")
    _link, token = personal_link_issue(participant=me)
    page.goto(live_server.url + reverse("elections_portal:ballots", args=[token]))
    expect(page.locator("#no-polls")).to_contain_text("La siden være åpen")
    assert_page_is_fine(page)

    poll_open(poll=poll, user=None)

    expect(page.locator(f"#poll-{poll.pk} h2")).to_have_text("Kontingent 2029")
    expect(page.locator(f"#poll-{poll.pk} a.poll-item__vote")).to_be_visible()
    assert_page_is_fine(page)
