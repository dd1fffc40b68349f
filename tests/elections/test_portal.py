"""The delegates' voting pages behind the personal link: the open votes, the ballot, the receipt and the results."""

import logging
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates.checkin import checkin_record
from delegates.models import Attendance, PersonalLink
from delegates.services.links import personal_link_issue
from elections.models import Ballot, Poll, SealedBallot, VoteCast
from elections.services import (
    ballot_cast,
    poll_close,
    poll_create_decision,
    poll_create_for_election,
    poll_open,
    poll_publish,
    poll_sign_off,
)
from tests.elections.factories import (
    CandidateFactory,
    ElectionFactory,
    only_sealed_ballot,
    present_delegates,
)
from tests.factories import CongressFactory, CountyFactory, OrganisationFactory, ParticipantFactory, StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]

RECEIPT_SHOWN = re.compile(r'<p class="receipt__code" id="receipt" data-receipt>([A-Z0-9]{4})-([A-Z0-9]{6})</p>')


@pytest.fixture
def congress():
    return CongressFactory(name="Landstinget 2028")


@pytest.fixture
def me(congress):
    county = CountyFactory(number="50", name="Trøndelag")
    organisation = OrganisationFactory(name="Trondheim kommune", county=county)
    return present_delegates(congress, 1, organisation=organisation, first_name="Ingebjørg")[0]


@pytest.fixture
def others(congress, me):
    return present_delegates(congress, 3)


@pytest.fixture
def official():
    return StaffUserFactory()


def url(name, token, *args):
    return reverse(f"elections_portal:{name}", args=[token, *args])


def election(congress, *, candidates=3, **kwargs):
    chosen = ElectionFactory(congress=congress, **kwargs)
    for number in range(candidates):
        CandidateFactory(election=chosen, first_name=["Gunn", "Bjørn", "Marit", "Tor", "Åshild", "Per"][number])
    return chosen


def open_election(congress, **kwargs) -> Poll:
    return poll_open(poll=poll_create_for_election(election=election(congress, **kwargs)), user=None)


def open_decision(congress, title="Kontingent 2029") -> Poll:
    return poll_open(poll=poll_create_decision(congress=congress, title=title), user=None)


def candidates(poll):
    return list(poll.candidates.order_by("position"))


def shown_receipt(response) -> str:
    match = RECEIPT_SHOWN.search(response.content.decode())
    assert match, "no receipt on the page"
    return match.group(1) + match.group(2)


def publish(poll, official):
    poll_close(poll=poll, user=official)
    poll_sign_off(poll=poll, user=official)
    return poll_publish(poll=poll, user=official)


# --- The open votes --------------------------------------------------------------------------------------------


def test_the_list_shows_the_open_votes_with_a_vote_button_or_that_the_delegate_has_voted(client, congress, me, token):
    leader = open_election(congress, title="Valg av leder")
    fee = open_decision(congress)
    poll_create_decision(congress=congress, title="Ikke åpnet ennå")

    body = client.get(url("ballots", token)).content.decode()
    assert "Valg av leder" in body and "Kontingent 2029" in body
    assert "Ikke åpnet ennå" not in body
    assert url("ballot", token, leader.pk) in body and url("ballot", token, fee.pk) in body
    assert url("results", token) in body

    ballot_cast(poll_id=fee.pk, participant_id=me.pk, answer="yes")
    body = client.get(url("ballots", token)).content.decode()
    assert url("ballot", token, fee.pk) not in body
    assert "You have voted" in body
    assert url("ballot", token, leader.pk) in body


def test_without_an_open_vote_the_delegate_is_told_when_votes_open(client, congress, me, token):
    response = client.get(url("ballots", token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "No vote is open for you now." in body
    assert "only delegates checked in when a vote opens can vote in it" in body
    assert f'href="{url("ballots", token)}"' in body  # check again


def test_the_list_follows_the_votes_through_a_key_its_script_asks_for(client, congress, me, token):
    link = PersonalLink.objects.get(participant=me, revoked_at__isnull=True)
    page = client.get(url("ballots", token)).content.decode()
    state = client.get(url("ballots_state", token))
    assert state.status_code == 200 and state["Cache-Control"] == "no-store"
    assert state.json() == {"key": ""}
    assert f'data-live-url="{url("ballots_state", token)}" data-key=""' in page
    opened = PersonalLink.objects.get(pk=link.pk).last_opened_at

    fee = open_decision(congress)
    assert client.get(url("ballots_state", token)).json() == {"key": f"{fee.pk}:0"}
    ballot_cast(poll_id=fee.pk, participant_id=me.pk, answer="yes")
    assert client.get(url("ballots_state", token)).json() == {"key": f"{fee.pk}:1"}
    assert f'data-key="{fee.pk}:1"' in client.get(url("ballots", token)).content.decode()
    poll_close(poll=fee, user=None)
    assert client.get(url("ballots_state", token)).json() == {"key": ""}
    # Asking is not a visit: a phone left on the page is not recorded every few seconds.
    PersonalLink.objects.filter(pk=link.pk).update(last_opened_at=opened)
    client.get(url("ballots_state", token))
    assert PersonalLink.objects.get(pk=link.pk).last_opened_at == opened


def test_the_list_state_of_a_bad_link_is_the_link_page(client):
    response = client.get(reverse("elections_portal:ballots_state", args=["A" * 43]))
    assert response.status_code == 404


def test_the_portal_navigation_links_to_voting(client, token):
    body = client.get(reverse("committees_portal:statements", args=[token])).content.decode()
    assert f'href="{url("ballots", token)}"' in body


def test_a_bad_link_gets_the_link_page(client):
    response = client.get(url("ballots", "x" * 43))
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"


# --- Voting ------------------------------------------------------------------------------------------------------


def test_one_seat_the_ballot_shows_the_candidates_and_an_explicit_blank_ballot(client, congress, me, token):
    poll = open_election(congress, title="Valg av leder")
    gunn = candidates(poll)[0]
    gunn.organisation = OrganisationFactory(name="Bergen kommune")
    gunn.party = "Ap"
    gunn.save()

    response = client.get(url("ballot", token, poll.pk))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Valg av leder</h1>" in body
    assert "<legend" in body and "Choose one candidate" in body
    for candidate in candidates(poll):
        assert f'type="radio" name="choice" id="ballot-{candidate.pk}" value="{candidate.pk}"' in body
        assert candidate.full_name in body
    assert "Ap, Bergen kommune" in body
    assert 'value="blank"' in body and "Blank ballot" in body
    assert "Cast my vote" in body
    assert "A vote cannot be changed once it is cast." in body


def test_one_seat_a_vote_for_a_candidate_gives_a_receipt_on_the_page(client, congress, me, token):
    poll = open_election(congress)
    tor = candidates(poll)[1]

    response = client.post(url("ballot", token, poll.pk), {"choice": str(tor.pk)})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Your vote is registered." in body
    assert "Write it down or take a screenshot." in body
    receipt = shown_receipt(response)
    ballot = only_sealed_ballot(poll)
    assert (ballot.receipt, ballot.choices, ballot.answer) == (receipt, [tor.pk], "")
    assert VoteCast.objects.filter(poll=poll, participant=me).exists()


def test_one_seat_a_blank_ballot_is_chosen_explicitly(client, congress, me, token):
    poll = open_election(congress)
    response = client.post(url("ballot", token, poll.pk), {"choice": "blank"})
    assert response.status_code == 200
    assert only_sealed_ballot(poll).choices == []


def test_one_seat_nothing_chosen_is_refused_and_the_form_is_shown_again(client, congress, me, token):
    poll = open_election(congress)
    response = client.post(url("ballot", token, poll.pk), {})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="error-summary"' in body
    assert "Choose a candidate, or choose “Blank ballot”." in body
    assert f'href="#ballot-{candidates(poll)[0].pk}"' in body
    assert "Cast my vote" in body
    assert not SealedBallot.objects.exists() and not VoteCast.objects.exists()


def test_a_candidate_from_another_election_is_refused(client, congress, me, token):
    poll = open_election(congress)
    stranger = CandidateFactory(election=ElectionFactory(congress=congress))
    response = client.post(url("ballot", token, poll.pk), {"choice": str(stranger.pk)})
    assert response.status_code == 400
    assert "Choose among the candidates of this vote." in response.content.decode()
    assert not SealedBallot.objects.exists() and not VoteCast.objects.exists()


def several(congress, title="Valg av hovedstyre"):
    return open_election(congress, title=title, candidates=5, method="multi_seat", seats=3, office="hovedstyre_member")


def test_several_seats_the_ballot_has_checkboxes_and_says_how_many(client, congress, me, token):
    poll = several(congress)
    body = client.get(url("ballot", token, poll.pk)).content.decode()
    assert "Choose up to 3 candidates" in body
    assert body.count('type="checkbox" name="choices"') == 5
    assert 'name="blank"' in body and "I want to vote blank" in body
    assert 'value="blank"' not in body


def test_several_seats_up_to_the_limit_are_counted(client, congress, me, token):
    poll = several(congress)
    chosen = [candidate.pk for candidate in candidates(poll)[:3]]
    response = client.post(url("ballot", token, poll.pk), {"choices": [str(pk) for pk in chosen]})
    assert response.status_code == 200
    assert sorted(only_sealed_ballot(poll).choices) == sorted(chosen)
    assert shown_receipt(response) == only_sealed_ballot(poll).receipt


def test_several_seats_more_than_the_limit_is_refused_by_the_server(client, congress, me, token):
    poll = several(congress)
    response = client.post(url("ballot", token, poll.pk), {"choices": [str(c.pk) for c in candidates(poll)[:4]]})
    assert response.status_code == 400
    body = response.content.decode()
    assert "You can choose up to 3 candidates; you ticked 4." in body
    assert body.count(" checked") == 4  # what the delegate ticked is kept
    assert not SealedBallot.objects.exists() and not VoteCast.objects.exists()


def test_several_seats_nothing_ticked_asks_to_confirm_a_blank_ballot(client, congress, me, token):
    poll = several(congress)
    response = client.post(url("ballot", token, poll.pk), {})
    assert response.status_code == 400
    assert "To vote blank, tick “I want to vote blank”." in response.content.decode()
    assert not VoteCast.objects.exists()

    response = client.post(url("ballot", token, poll.pk), {"blank": "on"})
    assert response.status_code == 200
    assert only_sealed_ballot(poll).choices == []


def test_several_seats_candidates_and_blank_together_are_refused(client, congress, me, token):
    poll = several(congress)
    response = client.post(url("ballot", token, poll.pk), {"choices": [str(candidates(poll)[0].pk)], "blank": "on"})
    assert response.status_code == 400
    assert "Untick the candidates or the blank ballot." in response.content.decode()
    assert not VoteCast.objects.exists()


@pytest.mark.parametrize("answer", ["yes", "no", "abstain"])
def test_yes_no_each_answer_is_counted(client, congress, me, token, answer):
    poll = open_decision(congress)
    body = client.get(url("ballot", token, poll.pk)).content.decode()
    for value in ("yes", "no", "abstain"):
        assert f'type="radio" name="answer" id="ballot-{value}" value="{value}"' in body

    response = client.post(url("ballot", token, poll.pk), {"answer": answer})

    assert response.status_code == 200
    assert only_sealed_ballot(poll).answer == answer


@pytest.mark.parametrize("data", [{}, {"answer": "maybe"}, {"choice": "blank"}])
def test_yes_no_without_an_answer_is_refused(client, congress, me, token, data):
    poll = open_decision(congress)
    response = client.post(url("ballot", token, poll.pk), data)
    assert response.status_code == 400
    assert "Choose yes, no or abstain." in response.content.decode()
    assert not VoteCast.objects.exists()


def test_a_second_vote_is_refused_with_409_and_nothing_is_added(client, congress, me, token):
    poll = open_decision(congress)
    assert client.post(url("ballot", token, poll.pk), {"answer": "yes"}).status_code == 200

    response = client.post(url("ballot", token, poll.pk), {"answer": "no"})

    assert response.status_code == 409
    assert "You have already voted in this poll." in response.content.decode()
    assert SealedBallot.objects.filter(poll=poll).count() == VoteCast.objects.filter(poll=poll).count() == 1
    assert only_sealed_ballot(poll).answer == "yes"
    # Opening the ballot again says so too, without a form.
    response = client.get(url("ballot", token, poll.pk))
    assert response.status_code == 200
    assert "You have already voted in this poll." in response.content.decode()
    assert "Cast my vote" not in response.content.decode()


def test_a_delegate_not_checked_in_when_the_vote_opened_cannot_vote(client, congress, others):
    late = ParticipantFactory(congress=congress)
    _link, token = personal_link_issue(participant=late)
    poll = open_decision(congress)
    checkin_record(participant=late, direction=Attendance.Direction.IN, user=None)  # too late for this vote

    assert "No vote is open for you now." in client.get(url("ballots", token)).content.decode()
    response = client.get(url("ballot", token, poll.pk))
    assert response.status_code == 403
    assert "only delegates who were checked in when the vote opened" in response.content.decode()
    response = client.post(url("ballot", token, poll.pk), {"answer": "yes"})
    assert response.status_code == 403
    assert not SealedBallot.objects.exists() and not VoteCast.objects.exists()


def test_a_closed_vote_takes_no_ballot(client, congress, me, token, official):
    poll = open_decision(congress)
    poll_close(poll=poll, user=official)

    response = client.get(url("ballot", token, poll.pk))
    assert response.status_code == 403
    assert "This vote is closed" in response.content.decode()
    response = client.post(url("ballot", token, poll.pk), {"answer": "yes"})
    assert response.status_code == 403
    assert not SealedBallot.objects.exists()


def test_a_vote_not_opened_yet_and_a_vote_of_another_congress(client, congress, me, token):
    draft = poll_create_decision(congress=congress, title="Ikke åpnet")
    response = client.post(url("ballot", token, draft.pk), {"answer": "yes"})
    assert response.status_code == 403
    assert "has not been opened yet" in response.content.decode()

    elsewhere = CongressFactory()
    present_delegates(elsewhere, 1)
    foreign = open_decision(elsewhere)
    response = client.post(url("ballot", token, foreign.pk), {"answer": "yes"})
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert not SealedBallot.objects.exists()


def test_the_receipt_is_only_in_the_response(client, congress, me, token, caplog):
    poll = open_election(congress)
    link = PersonalLink.objects.get(participant=me, revoked_at__isnull=True)
    client.get(url("ballot", token, poll.pk))
    opened = PersonalLink.objects.get(pk=link.pk).last_opened_at
    caplog.set_level(logging.DEBUG)

    response = client.post(url("ballot", token, poll.pk), {"choice": str(candidates(poll)[0].pk)})

    receipt = shown_receipt(response)
    assert response.status_code == 200
    assert "Location" not in response
    assert response["Cache-Control"] == "no-store"
    assert receipt not in response.wsgi_request.get_full_path()
    assert not response.wsgi_request.session.modified
    assert all(receipt not in str(value) for value in client.session.values())
    assert all(receipt not in morsel.value for morsel in response.cookies.values())
    assert all(receipt not in morsel.value for morsel in client.cookies.values())
    assert list(get_messages(response.wsgi_request)) == []
    assert receipt not in caplog.text
    # The visit that cast the ballot is not recorded with the link: no time of voting is kept with the voter.
    assert PersonalLink.objects.get(pk=link.pk).last_opened_at == opened


def test_casting_a_vote_takes_a_small_fixed_number_of_queries(
    client, congress, me, token, django_assert_max_num_queries
):
    poll = several(congress)
    data = {"choices": [str(c.pk) for c in candidates(poll)[:3]]}
    # The link; the poll with eligibility and "has voted"; the service: (lock,) poll, eligibility, candidates, the
    # two inserts, and their savepoints.
    with django_assert_max_num_queries(14):
        response = client.post(url("ballot", token, poll.pk), data)
    assert response.status_code == 200


# --- Results -------------------------------------------------------------------------------------------------------


def test_results_are_hidden_until_published(client, congress, me, token, official):
    poll = open_decision(congress)
    ballot_cast(poll_id=poll.pk, participant_id=me.pk, answer="yes")

    response = client.get(url("result", token, poll.pk))
    assert response.status_code == 404
    assert "not published yet" in response.content.decode()
    poll_close(poll=poll, user=official)
    assert client.get(url("result", token, poll.pk)).status_code == 404
    body = client.get(url("results", token)).content.decode()
    assert "No results have been published yet." in body
    assert "Kontingent 2029" not in body

    poll_sign_off(poll=poll, user=official)
    poll_publish(poll=poll, user=official)

    body = client.get(url("results", token)).content.decode()
    assert url("result", token, poll.pk) in body
    assert "Adopted." in body
    assert client.get(url("result", token, poll.pk)).status_code == 200


def test_the_result_of_an_election_with_the_list_of_ballots(client, congress, me, token, others, official):
    poll = open_election(congress, title="Valg av leder")
    gunn, bjorn, _marit = candidates(poll)
    mine = ballot_cast(poll_id=poll.pk, participant_id=me.pk, choices=[bjorn.pk])
    for voter, choices in zip(others, [[gunn.pk], [gunn.pk], []], strict=True):
        ballot_cast(poll_id=poll.pk, participant_id=voter.pk, choices=choices)
    publish(poll, official)

    response = client.get(url("result", token, poll.pk))

    assert response.status_code == 200
    body = response.content.decode()
    assert f"Elected: {gunn.full_name}." in body
    assert re.search(r"<td class=\"num\">66[,.]7 %</td>", body)  # 2 of the 3 non-blank ballots
    assert "Blank ballots" in body
    assert "Eligible to vote" in body and "<dd>4</dd>" in body
    rows = re.findall(r'<td class="receipt-cell">([A-Z0-9-]+)</td>\s*<td>(.*?)</td>', body)
    assert [receipt for receipt, _says in rows] == sorted(receipt for receipt, _says in rows)
    assert len(rows) == 4
    assert (f"{mine[:4]}-{mine[4:]}", bjorn.full_name) in rows
    assert sum(1 for _receipt, says in rows if says == "Blank") == 1


@pytest.mark.parametrize("typed", ["dash", "plain", "lower", "spaces"])
def test_the_delegate_finds_their_ballot_by_receipt(client, congress, me, token, others, official, typed):
    poll = several(congress)
    first, second, third = candidates(poll)[:3]
    mine = ballot_cast(poll_id=poll.pk, participant_id=me.pk, choices=[third.pk, first.pk, second.pk])
    ballot_cast(poll_id=poll.pk, participant_id=others[0].pk, choices=[first.pk, second.pk])
    ballot_cast(poll_id=poll.pk, participant_id=others[1].pk, choices=[first.pk])
    publish(poll, official)
    entered = {
        "dash": f"{mine[:4]}-{mine[4:]}",
        "plain": mine,
        "lower": f"{mine[:4]}-{mine[4:]}".lower(),
        "spaces": f" {mine[:4]} {mine[4:]} ".lower(),
    }[typed]

    response = client.post(url("result", token, poll.pk), {"kvittering": entered})

    assert response.status_code == 200
    body = response.content.decode()
    assert f'Your ballot with receipt <span class="receipt-inline">{mine[:4]}-{mine[4:]}</span>:' in body
    says = re.search(r'<strong class="lookup-result__says">(.*?)</strong>', body).group(1)
    assert says == f"{first.full_name}, {second.full_name}, {third.full_name}"  # in the order of the ballot


def test_an_unknown_receipt_is_not_found(client, congress, me, token, official):
    poll = open_decision(congress)
    ballot_cast(poll_id=poll.pk, participant_id=me.pk, answer="no")
    publish(poll, official)
    other = open_decision(congress, title="Annen sak")
    theirs = ballot_cast(poll_id=other.pk, participant_id=me.pk, answer="yes")
    publish(other, official)

    for entered in (theirs, "ABCD-EFGH23", "nonsense"):
        body = client.post(url("result", token, poll.pk), {"kvittering": entered}).content.decode()
        assert "No ballot with the receipt" in body
        assert "Your ballot with receipt" not in body

    mine = Ballot.objects.get(poll=poll).receipt
    body = client.post(url("result", token, poll.pk), {"kvittering": mine}).content.decode()
    found = r"Your ballot with receipt <span class=\"receipt-inline\">[A-Z0-9-]+</span>: <strong [^>]+>No</strong>"
    assert re.search(found, body)


def _fill(poll: Poll, count: int) -> None:
    """``count`` ballots without going through the service (their voters need not be checked in)."""
    voters = ParticipantFactory.create_batch(count, congress=poll.congress)
    ids = [candidate.pk for candidate in candidates(poll)]
    VoteCast.objects.bulk_create(VoteCast(poll=poll, participant=voter) for voter in voters)
    Ballot.objects.bulk_create(
        Ballot(poll=poll, receipt=f"R{number:09d}", choices=ids[: 1 + number % 3][: poll.max_choices])
        for number in range(count)
    )


@pytest.mark.parametrize("kind", ["one_seat", "several_seats"])
def test_the_result_page_takes_as_many_queries_for_100_ballots_as_for_10(client, congress, me, token, official, kind):
    counts = []
    for count in (10, 100):
        title = f"Valg med {count} stemmesedler"
        poll = open_election(congress, title=title) if kind == "one_seat" else several(congress, title=title)
        _fill(poll, count)
        publish(poll, official)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url("result", token, poll.pk), {"kvittering": "R000000005"})
        assert response.status_code == 200
        assert response.content.decode().count('class="receipt-cell"') == count
        counts.append(len(queries))
        Poll.objects.filter(pk=poll.pk).update(congress=CongressFactory())  # out of the way of the next round
    assert counts[0] == counts[1]
    assert counts[1] <= 10


def test_the_results_list_does_not_grow_in_queries_with_the_number_of_polls(client, congress, me, token, official):
    def measured() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("results", token)).status_code == 200
        return len(queries)

    def voted(poll: Poll) -> Poll:
        vote = (
            {"choices": [c.pk for c in candidates(poll)[: poll.max_choices]]} if poll.is_election else {"answer": "yes"}
        )
        ballot_cast(poll_id=poll.pk, participant_id=me.pk, **vote)
        return poll

    publish(voted(open_election(congress)), official)
    publish(voted(open_decision(congress)), official)
    publish(voted(several(congress)), official)
    few = measured()
    for number in range(3):
        publish(voted(open_election(congress, title=f"Valg {number}")), official)
        publish(voted(open_decision(congress, title=f"Sak {number}")), official)
        publish(voted(several(congress, title=f"Styre {number}")), official)
    body = client.get(url("results", token)).content.decode()
    assert body.count('class="poll-item__outcome"') == 12
    assert measured() == few
