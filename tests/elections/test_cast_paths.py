"""The two ways a ballot is cast give the same answers: the one SQL statement (PostgreSQL, when the hall votes) and
the steps through the ORM (SQLite, and the form post's fallback). The statement is built from the models and from
the delegates' rule of a link that opens, so a change of that rule changes both ways at once."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Value, When
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from delegates.models import PersonalLink, PersonalLinkQuerySet
from delegates.services.links import LinkProblem, personal_link_issue
from elections import sealing, services
from elections.models import Poll, SealedBallot, VoteCast
from elections.services import ballot_cast, ballot_cast_by_link, poll_close, poll_create_decision, poll_open
from elections.services import poll_create_for_election as poll_for
from tests.elections.factories import CandidateFactory, ElectionFactory, present_delegates, sealed_ballots
from tests.factories import CongressFactory

pytestmark = pytest.mark.django_db

VOTERS = ("ada", "bo", "cato", "dag", "revoked", "expired")
UNKNOWN_TOKEN = "A" * 43  # the shape of a secret, never issued
NO_SUCH_CANDIDATE = 987_654_321


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement cast is PostgreSQL's")


@pytest.fixture
def take_path(monkeypatch):
    """Choose the way ballots are cast: "statement" or "steps"."""

    def take(path: str) -> None:
        monkeypatch.setattr(services, "_in_one_statement", lambda: path == "statement")

    return take


@dataclasses.dataclass
class Hall:
    """A congress voting, with names for its polls, candidates and voters (the keys differ from hall to hall)."""

    polls: dict[str, int]
    candidates: dict[str, int]
    voters: dict[str, int]
    tokens: dict[str, str]


def _hall() -> Hall:
    congress = CongressFactory()
    voters = dict(zip(VOTERS, present_delegates(congress, len(VOTERS)), strict=True))
    candidates: dict[str, int] = {}

    def election(labels: tuple[str, ...], **kwargs):
        chosen = ElectionFactory(congress=congress, **kwargs)
        for label in labels:
            candidates[label] = CandidateFactory(election=chosen, last_name=label).pk
        return chosen

    one_seat = poll_for(election=election(("A1", "A2", "A3", "W")))
    one_seat.election.candidates.get(pk=candidates["W"]).delete()  # withdrew before the vote opened
    two_seats = poll_for(election=election(("B1", "B2", "B3"), seats=2, method="multi_seat", office="other"))
    election(("O1",), office="other")  # another election's candidate
    polls = {
        "decision": poll_create_decision(congress=congress, title="Kontingent"),
        "one_seat": one_seat,
        "two_seats": two_seats,
        "closed": poll_create_decision(congress=congress, title="Vedtekter"),
        "draft": poll_create_decision(congress=congress, title="Ikke åpnet"),
        "paper": poll_create_decision(congress=congress, title="Papir", mode=Poll.Mode.PAPER),
    }
    for label in ("decision", "one_seat", "two_seats", "closed"):
        polls[label] = poll_open(poll=polls[label], user=None)
    poll_close(poll=polls["closed"], user=None)
    Poll.objects.filter(pk=polls["paper"].pk).update(state=Poll.State.OPEN)  # open, but its ballots are on paper
    voters["late"] = present_delegates(congress, 1)[0]  # checked in after the votes opened

    elsewhere = CongressFactory()
    present_delegates(elsewhere, 1)
    polls["elsewhere"] = poll_open(poll=poll_create_decision(congress=elsewhere, title="Annet ting"), user=None)

    tokens = {label: personal_link_issue(participant=voter)[1] for label, voter in voters.items()}
    PersonalLink.objects.filter(participant=voters["revoked"]).update(revoked_at=timezone.now())  # by staff
    PersonalLink.objects.filter(participant=voters["expired"]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    tokens.update(unknown=UNKNOWN_TOKEN, malformed="not-a-token")
    poll_ids = {label: poll.pk for label, poll in polls.items()}
    poll_ids["missing"] = max(poll_ids.values()) + 1000
    return Hall(polls=poll_ids, candidates=candidates, voters={k: v.pk for k, v in voters.items()}, tokens=tokens)


# (voter, poll, ballot, the answer expected); the ballot names candidates by their labels.
BALLOTS = [
    ("ada", "decision", {"answer": "yes"}, "cast"),
    ("ada", "decision", {"answer": "no"}, "voted"),
    ("bo", "decision", {"answer": "maybe"}, "invalid"),
    ("bo", "decision", {"answer": "yes", "choices": ["A1"]}, "invalid"),  # names on a yes/no ballot
    ("bo", "decision", {"choices": ["A1"]}, "invalid"),  # the wrong kind of ballot
    ("bo", "one_seat", {"answer": "yes"}, "invalid"),  # the wrong kind of ballot
    ("bo", "one_seat", {"answer": "yes", "choices": ["A1"]}, "invalid"),
    ("bo", "one_seat", {"choices": ["A1", "A2"]}, "invalid"),  # too many names
    ("bo", "one_seat", {"choices": ["O1"]}, "invalid"),  # a candidate of another election
    ("bo", "one_seat", {"choices": [NO_SUCH_CANDIDATE]}, "invalid"),  # no such candidate
    ("bo", "one_seat", {"choices": ["W"]}, "invalid"),  # withdrawn before the vote opened
    ("bo", "one_seat", {"choices": ["A1", "A1"]}, "invalid"),  # named twice
    ("bo", "two_seats", {"choices": ["B1", "B2", "B3"]}, "invalid"),  # too many names
    ("bo", "two_seats", {"choices": ["B1", "O1"]}, "invalid"),
    ("bo", "one_seat", {"choices": ["A2"]}, "cast"),
    ("bo", "one_seat", {"choices": ["A2"]}, "voted"),  # twice
    ("bo", "two_seats", {"choices": ["B3", "B1"]}, "cast"),
    ("cato", "two_seats", {}, "cast"),  # blank
    ("cato", "one_seat", {"choices": ["A3"]}, "cast"),
    ("cato", "decision", {"answer": "abstain"}, "cast"),
    ("cato", "decision", {"answer": "yes"}, "voted"),
    ("dag", "closed", {"answer": "yes"}, "not_open"),
    ("dag", "draft", {"answer": "yes"}, "not_open"),
    ("dag", "paper", {"answer": "yes"}, "not_open"),
    ("dag", "elsewhere", {"answer": "yes"}, "not_found"),
    ("dag", "missing", {"answer": "yes"}, "not_found"),
    ("dag", "closed", {"answer": "maybe"}, "not_open"),  # not open comes before not valid
    ("late", "decision", {"answer": "yes"}, "not_eligible"),
    ("late", "one_seat", {"choices": ["A1", "A2"]}, "not_eligible"),  # not eligible comes before not valid
    ("dag", "decision", {"answer": "no"}, "cast"),
    ("revoked", "decision", {"answer": "yes"}, "link_revoked"),
    ("expired", "decision", {"answer": "yes"}, "link_expired"),
    ("unknown", "decision", {"answer": "yes"}, "link_unknown"),
    ("malformed", "decision", {"answer": "yes"}, "link_malformed"),
]
LINK_ONLY = {"revoked", "expired", "unknown", "malformed"}  # without the link, these voters are ordinary voters


def _send(hall: Hall, by: str, voter: str, poll: str, ballot: dict) -> tuple:
    """Cast one ballot; the answer: ("cast", poll) or (the refusal's word, its messages in the voter's words)."""
    choices = [hall.candidates.get(choice, choice) for choice in ballot.get("choices", ())]
    kwargs = {"poll_id": hall.polls[poll], "choices": choices, "answer": ballot.get("answer", "")}
    try:
        if by == "link":
            receipt = ballot_cast_by_link(token=hall.tokens[voter], **kwargs)
        else:
            receipt = ballot_cast(participant_id=hall.voters[voter], **kwargs)
    except LinkProblem as problem:
        return (f"link_{problem.code}",)
    except ValidationError as error:
        return (getattr(error, "refusal", "") or "invalid", tuple(error.messages))
    sealed = SealedBallot.objects.filter(poll_id=hall.polls[poll], tag=sealing.receipt_tag(hall.polls[poll], receipt))
    assert sealed.count() == 1
    return ("cast",)


def _stored(hall: Hall) -> dict:
    """The rows written, by label: who voted where, and what each ballot says."""
    polls = {key: label for label, key in hall.polls.items()}
    candidates = {key: label for label, key in hall.candidates.items()}
    voters = {key: label for label, key in hall.voters.items()}
    votes = VoteCast.objects.filter(poll__in=list(polls)).values_list("poll", "participant")
    ballots = [
        (poll.pk, ballot.choices, ballot.answer)
        for poll in Poll.objects.filter(pk__in=list(polls))
        for ballot in sealed_ballots(poll)
    ]
    return {
        "votes": sorted((polls[poll], voters[voter]) for poll, voter in votes),
        "ballots": sorted(
            (polls[poll], sorted(candidates[choice] for choice in choices), answer) for poll, choices, answer in ballots
        ),
    }


def _vote_through(path: str, by: str, take_path) -> tuple[list, dict]:
    hall = _hall()
    take_path(path)
    with CaptureQueriesContext(connection) as queries:
        answers = [_send(hall, by, *row[:3]) for row in BALLOTS if by == "link" or row[0] not in LINK_ONLY]
    statements = sum(1 for query in queries.captured_queries if query["sql"].lstrip().startswith("WITH voter AS"))
    assert (statements > 0) == (path == "statement"), f"{path}: {statements} one-statement casts"
    return answers, _stored(hall)


@pytest.mark.parametrize("by", ["link", "participant"])
def test_the_statement_and_the_steps_take_and_refuse_the_same_ballots_and_store_the_same_rows(take_path, by):
    expected = [row[3] for row in BALLOTS if by == "link" or row[0] not in LINK_ONLY]

    by_statement, stored_by_statement = _vote_through("statement", by, take_path)
    by_steps, stored_by_steps = _vote_through("steps", by, take_path)

    assert [answer[0] for answer in by_statement] == expected
    assert by_statement == by_steps  # the same words, and the same messages for the voter
    assert stored_by_statement == stored_by_steps
    assert stored_by_statement["votes"] == [
        ("decision", "ada"),
        ("decision", "cato"),
        ("decision", "dag"),
        ("one_seat", "bo"),
        ("one_seat", "cato"),
        ("two_seats", "bo"),
        ("two_seats", "cato"),
    ]
    assert stored_by_statement["ballots"] == [
        ("decision", [], "abstain"),
        ("decision", [], "no"),
        ("decision", [], "yes"),
        ("one_seat", ["A2"], ""),
        ("one_seat", ["A3"], ""),
        ("two_seats", [], ""),
        ("two_seats", ["B1", "B3"], ""),
    ]


@pytest.fixture
def stricter_link_rule(monkeypatch):
    """The delegates' rule with one more reason for a link not to open: it was never mailed ("revoked", as if
    replaced). The statement is built again from it, and again from the real rule afterwards."""
    original = PersonalLinkQuerySet.problem

    def problem(at):
        rule = original(at)
        rule.cases.insert(0, When(mailed_at__isnull=True, then=Value("revoked")))
        return rule

    monkeypatch.setattr(PersonalLinkQuerySet, "problem", staticmethod(problem))
    services._cast_statement.cache_clear()
    yield
    services._cast_statement.cache_clear()


@pytest.mark.parametrize("path", ["statement", "steps"])
def test_the_rule_of_a_link_that_opens_is_the_delegates_on_both_paths(take_path, stricter_link_rule, path):
    congress = CongressFactory()
    mailed, unmailed = present_delegates(congress, 2)
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent"), user=None)
    tokens = {voter: personal_link_issue(participant=voter)[1] for voter in (mailed, unmailed)}
    PersonalLink.objects.filter(participant=mailed).update(mailed_at=timezone.now())
    take_path(path)

    assert ballot_cast_by_link(token=tokens[mailed], poll_id=poll.pk, answer="yes")
    with pytest.raises(LinkProblem) as problem:
        ballot_cast_by_link(token=tokens[unmailed], poll_id=poll.pk, answer="yes")

    assert problem.value.code == "revoked"
    assert list(VoteCast.objects.filter(poll=poll).values_list("participant", flat=True)) == [mailed.pk]


@pytest.mark.parametrize("by", ["participant", "link"])
def test_the_statement_is_built_from_the_models_and_holds_no_value(by):
    sql, constants = services._cast_statement(by)
    assert "'" not in sql  # no state, kind, answer or rule written into it: every value is a parameter
    for model in (Poll, Poll.candidates.through, VoteCast, SealedBallot):
        assert f'"{model._meta.db_table}"' in sql
    assert {constants["takes_ballots_state"], constants["takes_ballots_mode"]} == {"open", "electronic"}
    assert constants["yes_no"] == Poll.Kind.YES_NO


def test_the_cast_statement_is_prepared_once_per_connection_and_not_planned_for_every_ballot():
    """The whole hall casts within a minute: the one statement is prepared on the connection and executed by name,
    so that after the first few ballots PostgreSQL neither parses nor plans it again (issue 13)."""
    congress = CongressFactory()
    voters = present_delegates(congress, 10)
    tokens = [personal_link_issue(participant=voter)[1] for voter in voters]
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent"), user=None)
    for token in tokens:
        ballot_cast_by_link(token=token, poll_id=poll.pk, choices=[], answer="yes")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%INSERT INTO {connection.ops.quote_name(SealedBallot._meta.db_table)}%"],
        )
        statements = cursor.fetchall()
    assert len(statements) == 1, statements
    generic, custom = statements[0]
    assert generic + custom == len(tokens)  # every ballot cast by the one prepared statement
    assert generic > 0  # PostgreSQL settled on one plan: the later ballots were not planned again
    assert VoteCast.objects.filter(poll=poll).count() == len(tokens)
