"""Casting from the ballot page's script: ``…/stemmegivning/<poll>/avgi/`` answers in JSON. The same rules as the
form post (one ballot per voter, open polls, the snapshot, valid ballots), the receipt only in the response, the
link not touched, refusals in the voter's language, and one statement on PostgreSQL."""

import datetime
import logging
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from delegates.models import PersonalLink
from delegates.services.links import personal_link_issue
from elections.models import SealedBallot, VoteCast
from elections.services import poll_close, poll_create_decision, poll_create_for_election, poll_open
from tests.elections.factories import (
    CandidateFactory,
    ElectionFactory,
    only_sealed_ballot,
    present_delegates,
    sealed_ballots,
)
from tests.factories import CongressFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]

RECEIPT = re.compile(r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{6}$")


@pytest.fixture
def congress():
    return CongressFactory(name="Landstinget 2028")


@pytest.fixture
def me(congress):
    return present_delegates(congress, 1, first_name="Ingebjørg")[0]


def cast_url(token, poll):
    return reverse("elections_portal:cast", args=[token, poll.pk])


def decision(congress, *, opened=True):
    poll = poll_create_decision(congress=congress, title="Kontingent 2029")
    return poll_open(poll=poll, user=None) if opened else poll


def election(congress, *, seats=1, method="single_majority", candidates=3):
    chosen = ElectionFactory(congress=congress, seats=seats, method=method, office="hovedstyre_member")
    for _number in range(candidates):
        CandidateFactory(election=chosen)
    return poll_open(poll=poll_create_for_election(election=chosen), user=None)


def shape(poll) -> dict:
    """The hidden fields the ballot page sends with the boxes."""
    return {"poll_kind": poll.kind, "poll_max_choices": str(poll.max_choices)}


def post(client, token, poll, **fields):
    return client.post(cast_url(token, poll), {**shape(poll), **fields}, HTTP_ACCEPT="application/json")


def test_the_ballot_page_names_the_cast_address_and_the_ballot_shape(client, congress, token):
    poll = election(congress, seats=2, method="multi_seat")
    body = client.get(reverse("elections_portal:ballot", args=[token, poll.pk])).content.decode()
    assert f'data-cast-url="{cast_url(token, poll)}"' in body
    assert '<input type="hidden" name="poll_kind" value="multi_seat">' in body
    assert '<input type="hidden" name="poll_max_choices" value="2">' in body
    assert '<template id="receipt-template">' in body


def test_a_ballot_is_cast_and_the_receipt_is_only_in_the_answer(client, congress, me, token, caplog):
    poll = decision(congress)
    link = PersonalLink.objects.get(participant=me, revoked_at__isnull=True)
    opened = link.last_opened_at
    caplog.set_level(logging.DEBUG)

    response = post(client, token, poll, answer="yes")

    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "cast"
    assert RECEIPT.match(answer["receipt"])
    ballot = only_sealed_ballot(poll)
    assert (ballot.receipt, ballot.answer, ballot.choices) == (answer["receipt"].replace("-", ""), "yes", [])
    assert VoteCast.objects.filter(poll=poll, participant=me).count() == 1
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert "sessionid" not in response.cookies
    assert answer["receipt"] not in caplog.text and ballot.receipt not in caplog.text
    assert PersonalLink.objects.get(pk=link.pk).last_opened_at == opened  # no time of voting with the voter


def test_an_election_ballot_is_read_as_the_page_sends_it(client, congress, token):
    poll = election(congress, seats=2, method="multi_seat", candidates=4)
    first, _second, third, _fourth = poll.candidates.order_by("position", "pk")
    response = post(client, token, poll, choices=[str(third.pk), str(first.pk)])
    assert response.status_code == 200, response.content
    assert only_sealed_ballot(poll).choices == sorted([first.pk, third.pk])


def test_an_explicit_blank_ballot_is_cast(client, congress, token):
    poll = election(congress)
    response = post(client, token, poll, choice="blank")
    assert response.json()["status"] == "cast"
    assert only_sealed_ballot(poll).choices == []


def test_a_second_ballot_is_refused_with_409_and_nothing_is_added(client, congress, token):
    poll = decision(congress)
    assert post(client, token, poll, answer="yes").status_code == 200
    response = post(client, token, poll, answer="no")
    assert response.status_code == 409
    assert response.json() == {
        "status": "voted",
        "messages": ["You have already voted in this poll; a ballot cannot be changed."],
    }
    assert [ballot.answer for ballot in sealed_ballots(poll)] == ["yes"]


def test_refusals_are_in_norwegian_by_default(client, congress, token, settings):
    settings.LANGUAGE_CODE = "nb"
    poll = decision(congress)
    post(client, token, poll, answer="yes")
    message = post(client, token, poll, answer="yes").json()["messages"][0]
    assert message.startswith("Du har allerede stemt")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"choices": []}, "Tick the candidates you vote for. To vote blank, tick “I want to vote blank”."),
        ({"choices": ["1", "2", "3"]}, "You can choose up to 2 candidates; you ticked 3."),
    ],
)
def test_a_ballot_the_form_refuses_gets_its_message(client, congress, token, fields, expected):
    poll = election(congress, seats=2, method="multi_seat", candidates=4)
    response = post(client, token, poll, **fields)
    assert response.status_code == 400
    assert response.json() == {"status": "invalid", "messages": [expected]}
    assert not VoteCast.objects.exists()


def test_a_candidate_of_another_poll_is_refused_by_the_service(client, congress, token):
    poll = election(congress)
    stranger = CandidateFactory()
    response = post(client, token, poll, choice=str(stranger.pk))
    assert response.status_code == 400
    assert response.json() == {"status": "invalid", "messages": ["Choose among the candidates of this vote."]}
    assert not VoteCast.objects.exists() and not SealedBallot.objects.exists()


def test_a_ballot_that_lies_about_the_shape_of_the_poll_is_refused(client, congress, token):
    poll = election(congress)  # one seat
    response = client.post(
        cast_url(token, poll), {"poll_kind": "yes_no", "poll_max_choices": "1", "answer": "yes"}
    )  # a yes/no answer to an election
    assert response.status_code == 400
    response = client.post(
        cast_url(token, poll),
        {"poll_kind": "multi_seat", "poll_max_choices": "3", "choices": [str(c.pk) for c in poll.candidates.all()]},
    )  # three names where one is allowed
    assert response.status_code == 400
    assert response.json()["messages"] == ["You named 3 candidates; at most 1 can be named."]
    assert not VoteCast.objects.exists() and not SealedBallot.objects.exists()


def test_a_post_without_the_shape_of_the_ballot_is_refused_in_words(client, congress, token):
    poll = decision(congress)
    response = client.post(cast_url(token, poll), {"answer": "yes"})
    assert response.status_code == 400
    assert response.json()["messages"] == ["The ballot could not be read. Reload the page and vote again."]


def test_a_closed_vote_a_vote_not_opened_and_a_vote_of_another_congress(client, congress, token):
    closed = decision(congress)
    poll_close(poll=closed, user=None)
    assert post(client, token, closed, answer="yes").json()["status"] == "not_open"
    draft = decision(congress, opened=False)
    response = post(client, token, draft, answer="yes")
    assert (response.status_code, response.json()["status"]) == (403, "not_open")
    other_congress = CongressFactory()
    present_delegates(other_congress, 1)
    elsewhere = decision(other_congress)
    response = post(client, token, elsewhere, answer="yes")
    assert (response.status_code, response.json()["status"]) == (404, "not_found")
    assert not SealedBallot.objects.exists()


def test_a_delegate_not_in_the_snapshot_is_refused(client, congress, me):
    poll = decision(congress)
    late = present_delegates(congress, 1)[0]  # checked in after the vote opened
    _link, token = personal_link_issue(participant=late)
    response = post(client, token, poll, answer="yes")
    assert response.status_code == 403
    assert response.json()["status"] == "not_eligible"
    assert not SealedBallot.objects.exists()


@pytest.mark.parametrize(
    ("problem", "status"), [("malformed", 404), ("unknown", 404), ("revoked", 410), ("expired", 410)]
)
def test_a_link_that_does_not_open_casts_nothing(client, congress, me, token, problem, status):
    poll = decision(congress)
    if problem == "malformed":
        token = "not-a-token"
    elif problem == "unknown":
        token = "A" * 43
    elif problem == "revoked":
        PersonalLink.objects.filter(participant=me).update(revoked_at=timezone.now())
    else:
        PersonalLink.objects.filter(participant=me).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = post(client, token, poll, answer="yes")
    assert response.status_code == status
    assert response.json()["status"] == f"link_{problem}"
    assert not VoteCast.objects.exists()


def test_only_post_and_the_csrf_check_holds(congress, token):
    poll = decision(congress)
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(cast_url(token, poll)).status_code == 405
    assert strict.post(cast_url(token, poll), {**shape(poll), "answer": "yes"}).status_code == 403
    assert not SealedBallot.objects.exists()


def test_on_postgresql_a_ballot_is_one_statement(client, congress, token):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement cast is PostgreSQL's")
    poll = decision(congress)
    with CaptureQueriesContext(connection) as queries:
        cast = post(client, token, poll, answer="yes")
        assert cast.status_code == 200
        assert post(client, token, poll, answer="yes").status_code == 409
    receipt = cast.json()["receipt"].replace("-", "")
    # Each is the statement inside the test's transaction's savepoint (SAVEPOINT, the statement, RELEASE).
    statements = [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert len(statements) == 2
    assert all(sql.lstrip().startswith("WITH voter AS") for sql in statements)
    # The server binds the values: the statement's text (as PostgreSQL shows and logs it) holds neither the voter's
    # link nor the ballot.
    digest = PersonalLink.objects.get(revoked_at__isnull=True).token_hash
    assert all("$1" in sql and digest not in sql and receipt not in sql for sql in statements)


@pytest.mark.parametrize("number", ["99999999999", "9223372036854775808", "2²", "٣"])
def test_a_candidate_number_beyond_any_key_is_refused_in_words(client, congress, token, number):
    poll = election(congress)
    response = post(client, token, poll, choice=number)
    assert response.status_code == 400
    assert response.json()["status"] == "invalid"
    form_post = client.post(reverse("elections_portal:ballot", args=[token, poll.pk]), {"choice": number})
    assert form_post.status_code == 400
    assert not VoteCast.objects.exists()
