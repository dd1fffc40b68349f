"""Issue 14, item 8: the published result with its list of ballots opened has no two landmarks alike (axe-core's
``landmark-unique``), on a phone and on a computer."""

import pytest
from django.urls import reverse

from delegates.services.links import personal_link_issue
from elections.services import ballot_cast, poll_close, poll_create_decision, poll_open, poll_publish, poll_sign_off
from tests.accessibility import assert_no_axe_violations
from tests.elections.factories import present_delegates
from tests.factories import CongressFactory, StaffUserFactory
from tests.landmarks import assert_landmarks_unique

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]


@pytest.mark.parametrize("width", [390, 1280])
def test_the_result_with_all_ballots_shown_has_unique_landmarks(live_server, browser, width):
    congress = CongressFactory(name="Landstinget 2028")
    me, other = present_delegates(congress, 2)
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Medlemskontingent"), user=None)
    ballot_cast(poll_id=poll.pk, participant_id=me.pk, answer="yes")
    ballot_cast(poll_id=poll.pk, participant_id=other.pk, answer="no")
    official = StaffUserFactory()
    poll_close(poll=poll, user=official)
    poll_sign_off(poll=poll, user=official)
    poll_publish(poll=poll, user=official)
    _link, token = personal_link_issue(participant=me)

    context = browser.new_context(locale="nb-NO", viewport={"width": width, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server.url + reverse("elections_portal:result", args=[token, poll.pk]))
        page.locator("details.ballot-list summary").click()
        assert page.locator("details.ballot-list table").is_visible()
        assert_landmarks_unique(page)
        assert_no_axe_violations(page)
    finally:
        context.close()
