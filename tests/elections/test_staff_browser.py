"""The officials' desk and the hall's projector in Debian's Chromium: an official creates and opens a vote, the
projector counts the ballots as they come in, and shows the result once the official has closed, signed off and
published it."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext
from playwright.sync_api import expect

from core.groups import staff_groups_ensure
from elections.apps import ELECTION_OFFICIAL_GROUP
from elections.models import Poll
from elections.services import ballot_cast
from tests.accessibility import assert_no_axe_violations
from tests.elections.factories import CandidateFactory, ElectionFactory, present_delegates
from tests.factories import CongressFactory, StaffUserFactory
from tests.helpers import nb, sign_in_on_the_form

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]


def nb_state(message: str) -> str:
    with translation.override("nb"):
        return pgettext("poll state", message)


def test_an_official_runs_a_vote_and_the_projector_follows_it(live_server, page):
    staff_groups_ensure()
    official = StaffUserFactory(email="valg@ks.no", first_name="Vera", last_name="Valgstyrer")
    official.groups.add(Group.objects.get(name=ELECTION_OFFICIAL_GROUP))
    congress = CongressFactory()
    election = ElectionFactory(congress=congress, title="Valg av leder")
    gunn = CandidateFactory(election=election, first_name="Gunn", last_name="Helgesen", gender="female")
    CandidateFactory(election=election, first_name="Bjørn", last_name="Gram", gender="male")
    voters = present_delegates(congress, 3)
    desk_url = reverse("elections_staff:desk")

    # The official signs in and lands on the desk.
    login_url = f"{live_server.url}{reverse('account_login')}?next={desk_url}"
    sign_in_on_the_form(page, login_url, "valg@ks.no", lands_on=f"{live_server.url}{desk_url}")
    expect(page.locator(f"#election-{election.pk}")).to_contain_text("Gunn Helgesen")
    assert_no_axe_violations(page, context="#content-main")

    # Create the electronic vote of the election, then open it.
    page.locator(f"#election-{election.pk} button[value=electronic]").click()
    poll = Poll.objects.get(election=election)
    row = page.locator(f"#poll-{poll.pk}")
    expect(row).to_contain_text(nb("Not opened"))
    row.locator("[data-action=open]").click()
    expect(page.locator(".messagelist")).to_contain_text("3")
    expect(page.locator(f"#poll-{poll.pk}")).to_contain_text(nb_state("Open"))

    # The projector, on a second page: "0 of 3", then "1 of 3" once a ballot is cast, without reloading by hand.
    projector = page.context.new_page()
    projector.goto(live_server.url + reverse("elections_staff:projector", args=[congress.pk]))
    expect(projector.locator("#projector-title")).to_have_text("Valg av leder")
    expect(projector.locator("#projector-received")).to_have_text("0")
    expect(projector.locator("#projector-eligible")).to_have_text("3")
    assert_no_axe_violations(projector)
    ballot_cast(poll_id=poll.pk, participant_id=voters[0].pk, choices=[gunn.pk])
    expect(projector.locator("#projector-received")).to_have_text("1", timeout=10_000)
    expect(projector.locator("#projector-count")).to_contain_text(re.compile(r"1\D+3"))

    # The official closes (confirming on a page of its own), signs off and publishes.
    page.locator(f"#poll-{poll.pk} [data-action=close]").click()
    expect(page.locator("#confirm-text")).to_be_visible()
    assert_no_axe_violations(page, context="#content-main")
    page.locator("#confirm-button").click()
    expect(page).to_have_url(re.compile(rf"/admin/elections/desk/poll/{poll.pk}/$"))
    elected = nb("Elected: %(names)s.") % {"names": "Gunn Helgesen"}
    expect(page.locator("#result-outcome")).to_have_text(elected)
    expect(projector.locator("#projector-state")).to_be_visible(timeout=10_000)  # closed: the result is checked
    page.locator("[data-action=sign-off]").click()
    expect(page.locator("#sign-off-list")).to_contain_text("Vera Valgstyrer")
    assert_no_axe_violations(page, context="#content-main")
    page.locator("[data-action=publish]").click()
    page.locator("#confirm-button").click()
    expect(page.locator("#poll-state")).to_have_text(nb("Published"))

    # The hall sees the published result by itself.
    expect(projector.locator("#projector-outcome")).to_have_text(elected, timeout=10_000)
    expect(projector.locator("#projector-result")).to_contain_text("Gunn Helgesen")
    expect(projector.locator("#projector-result")).to_contain_text(re.compile(r"100[,.]0 %"))
    expect(projector.locator("#projector-base")).to_be_visible()
    assert_no_axe_violations(projector)
    poll.refresh_from_db()
    assert poll.state == Poll.State.PUBLISHED
