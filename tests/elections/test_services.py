"""The poll engine's writes: who may vote, one secret ballot per voter, a frozen count, lots, sign-off, paper."""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import translation

from delegates.checkin import checkin_record
from delegates.models import Attendance, Participant
from delegates.services.links import personal_link_issue
from elections.models import Ballot, EligibleVoter, LotDrawing, Poll, SealedBallot, VoteCast
from elections.services import (
    AlreadyVoted,
    PollNotFound,
    PollNotOpen,
    ballot_cast,
    ballot_cast_by_link,
    paper_count_enter,
    poll_close,
    poll_create_decision,
    poll_create_for_election,
    poll_create_runoff,
    poll_open,
    poll_publish,
    poll_settle_tie,
    poll_sign_off,
)
from tests.elections.factories import (
    CandidateFactory,
    ElectionFactory,
    only_sealed_ballot,
    present_delegates,
    sealed_ballots,
)
from tests.factories import CongressFactory, CountyFactory, OrganisationFactory, ParticipantFactory, StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]


def _election(congress=None, *, candidates=3, **kwargs):
    election = ElectionFactory(congress=congress or CongressFactory(), **kwargs)
    for _number in range(candidates):
        CandidateFactory(election=election)
    return election


def _published(poll, official):
    poll_close(poll=poll, user=official)
    poll_sign_off(poll=poll, user=official)
    return poll_publish(poll=poll, user=official)


# --- The schema ------------------------------------------------------------------------------------------------------


def test_the_ballot_table_cannot_link_a_ballot_to_its_voter_or_its_time():
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, Ballot._meta.db_table)
        relations = connection.introspection.get_relations(cursor, Ballot._meta.db_table)
    names = {column.name for column in columns}
    assert names == {"id", "poll_id", "receipt", "choices", "answer"}
    referenced = {table for _column, table in relations.values()}
    assert referenced == {Poll._meta.db_table}
    assert not any(("time" in name or "_at" in name or "date" in name) for name in names)
    ballot_field = Ballot._meta.pk
    assert ballot_field.get_internal_type() == "UUIDField"  # a random key: no order to match with the voter list
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, SealedBallot._meta.db_table)
        relations = connection.introspection.get_relations(cursor, SealedBallot._meta.db_table)
    assert {column.name for column in columns} == {"id", "poll_id", "tag", "sealed"}  # nothing readable
    assert {table for _column, table in relations.values()} == {Poll._meta.db_table}
    assert SealedBallot._meta.pk.get_internal_type() == "UUIDField"
    vote_cast = {field.name for field in VoteCast._meta.get_fields()}
    assert vote_cast == {"id", "poll", "participant"}  # who voted, and nothing about what or when
    assert VoteCast._meta.pk.get_internal_type() == "UUIDField"


# --- Who may vote --------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # each ballot in a transaction of its own, as in the hall
def test_closing_stores_the_ballots_again_in_an_order_that_says_nothing_of_the_order_of_voting():
    official = StaffUserFactory()
    congress = CongressFactory()
    voters = present_delegates(congress, 40)
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent"), user=official)
    cast_in_order = [
        ballot_cast(poll_id=poll.pk, participant_id=voter.pk, answer=["yes", "no", "abstain"][number % 3])
        for number, voter in enumerate(voters)
    ]
    content = sorted((ballot.receipt, ballot.answer, ballot.choices) for ballot in sealed_ballots(poll))
    sealed_keys = set(SealedBallot.objects.filter(poll=poll).values_list("id", flat=True))
    storage = "ctid" if connection.vendor == "postgresql" else "rowid"
    assert not Ballot.objects.filter(poll=poll).exists()  # nothing readable while the poll is open

    def in_storage_order(table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT receipt FROM {table} WHERE poll_id = %s ORDER BY {storage}", [poll.pk])  # noqa: S608
            return [row[0] for row in cursor.fetchall()]

    closed = poll_close(poll=poll, user=official)

    stored = in_storage_order(Ballot._meta.db_table)
    assert stored != cast_in_order and sorted(stored) == sorted(cast_in_order)
    assert sorted(Ballot.objects.filter(poll=poll).values_list("receipt", "answer", "choices")) == content
    assert not SealedBallot.objects.filter(poll=poll).exists()
    assert not sealed_keys & set(Ballot.objects.filter(poll=poll).values_list("id", flat=True))  # new keys
    assert (closed.result["yes"], closed.result["no"], closed.result["abstain"]) == (14, 13, 13)
    if connection.vendor == "postgresql":  # nor the transaction of the vote: all ballots now share the closing one
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT xmin::text FROM elections_ballot WHERE poll_id = %s", [poll.pk])
            ballot_transactions = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT DISTINCT xmin::text FROM elections_votecast WHERE poll_id = %s", [poll.pk])
            vote_transactions = {row[0] for row in cursor.fetchall()}
        assert len(ballot_transactions) == 1 and not ballot_transactions & vote_transactions


def test_the_snapshot_holds_checked_in_delegates_and_deputies_standing_in_for_absent_ones():
    congress = CongressFactory()
    county = CountyFactory(number="46", name="Vestland")
    organisation = OrganisationFactory(county=county)
    common = {"congress": congress, "county": county, "organisation": organisation, "elected_by": "county_meeting"}
    here, away = ParticipantFactory(**common), ParticipantFactory(**common)
    first, second = (ParticipantFactory(role="deputy", deputy_rank=rank, **common) for rank in (1, 2))
    observer = ParticipantFactory(congress=congress, role="observer", county=county, organisation=organisation)
    for person in (here, first, second, observer):
        checkin_record(participant=person, direction=Attendance.Direction.IN, user=None)
    checkin_record(participant=away, direction=Attendance.Direction.IN, user=None)
    checkin_record(participant=away, direction=Attendance.Direction.OUT, user=None)
    poll = poll_create_decision(congress=congress, title="Kontingent")

    poll = poll_open(poll=poll, user=None)

    snapshot = dict(EligibleVoter.objects.filter(poll=poll).values_list("participant", "stands_in_for"))
    assert snapshot == {here.pk: None, first.pk: away.pk}  # the deputy next in rank, in place of the absent
    assert poll.eligible_count == 2
    # the snapshot is kept: the absent delegate coming back does not change who may vote in this poll
    checkin_record(participant=away, direction=Attendance.Direction.IN, user=None)
    with pytest.raises(ValidationError, match="may not vote"):
        ballot_cast(poll_id=poll.pk, participant_id=away.pk, answer="yes")
    with pytest.raises(ValidationError, match="may not vote"):
        ballot_cast(poll_id=poll.pk, participant_id=observer.pk, answer="yes")
    assert ballot_cast(poll_id=poll.pk, participant_id=first.pk, answer="yes")


def test_at_a_county_meeting_only_a_councils_own_deputy_stands_in_for_its_absent_representative():
    congress = CongressFactory(kind="county_meeting")
    county = CountyFactory(number="56", name="Finnmark")
    alta, vardo = OrganisationFactory(county=county, name="Alta"), OrganisationFactory(county=county, name="Vardø")
    council = {"congress": congress, "county": county, "elected_by": "municipal_council"}
    alta_away = ParticipantFactory(organisation=alta, **council)
    alta_deputy = ParticipantFactory(organisation=alta, role="deputy", deputy_rank=1, **council)
    vardo_here = ParticipantFactory(organisation=vardo, **council)
    vardo_deputy = ParticipantFactory(organisation=vardo, role="deputy", deputy_rank=1, **council)
    for person in (vardo_here, vardo_deputy):
        checkin_record(participant=person, direction=Attendance.Direction.IN, user=None)
    poll = poll_create_decision(congress=congress, title="Uttalelse")

    poll = poll_open(poll=poll, user=None)

    # Vardø's deputy does not take Alta's place: Alta's own deputy is not in the hall either.
    snapshot = dict(EligibleVoter.objects.filter(poll=poll).values_list("participant", "stands_in_for"))
    assert snapshot == {vardo_here.pk: None}
    checkin_record(participant=alta_deputy, direction=Attendance.Direction.IN, user=None)
    again = poll_open(poll=poll_create_decision(congress=congress, title="Uttalelse 2"), user=None)
    snapshot = dict(EligibleVoter.objects.filter(poll=again).values_list("participant", "stands_in_for"))
    assert snapshot == {vardo_here.pk: None, alta_deputy.pk: alta_away.pk}


def test_a_voter_of_another_congress_or_none_finds_no_such_poll():
    congress = CongressFactory()
    present_delegates(congress, 1)
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent"), user=None)
    stranger = present_delegates(CongressFactory(), 1)[0]
    with pytest.raises(PollNotFound):
        ballot_cast(poll_id=poll.pk, participant_id=stranger.pk, answer="yes")
    with pytest.raises(PollNotFound):
        ballot_cast(poll_id=poll.pk, participant_id=stranger.pk + 1000, answer="yes")
    assert not VoteCast.objects.exists()


@pytest.mark.parametrize(
    "autocommit",
    [
        pytest.param(False, id="in-a-transaction"),
        pytest.param(True, id="autocommit", marks=pytest.mark.django_db(transaction=True)),
    ],
)
def test_a_receipt_drawn_twice_in_a_poll_is_drawn_again(monkeypatch, autocommit):
    """Inside a transaction (the statement in a savepoint) and outside one (the statement is its transaction)."""
    assert connection.in_atomic_block != autocommit
    congress = CongressFactory()
    first, second = present_delegates(congress, 2)
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent"), user=None)
    draws = iter(["AAAAAAAAAA", "AAAAAAAAAA", "BBBBBBBBBB"])
    monkeypatch.setattr("elections.services._new_receipt", lambda: next(draws))

    assert ballot_cast(poll_id=poll.pk, participant_id=first.pk, answer="yes") == "AAAAAAAAAA"
    assert ballot_cast(poll_id=poll.pk, participant_id=second.pk, answer="no") == "BBBBBBBBBB"

    assert sorted((ballot.receipt, ballot.answer) for ballot in sealed_ballots(poll)) == [
        ("AAAAAAAAAA", "yes"),
        ("BBBBBBBBBB", "no"),
    ]
    assert VoteCast.objects.filter(poll=poll).count() == 2


def test_a_candidate_proposed_from_the_floor_after_the_poll_was_made_stands_when_it_opens():
    election = _election(candidates=3, method="multi_seat", seats=3, office="hovedstyre_member")
    present_delegates(election.congress, 2)
    poll = poll_create_for_election(election=election)
    assert poll.max_choices == 3
    withdrawn = election.candidates.order_by("pk").first()
    withdrawn.delete()
    floor = CandidateFactory(election=election, proposed_by="floor")
    CandidateFactory(election=election, proposed_by="floor")

    poll = poll_open(poll=poll, user=None)

    assert set(poll.candidates.all()) == set(election.candidates.all())
    assert floor in poll.candidates.all() and poll.candidates.count() == 4
    assert (poll.seats, poll.max_choices) == (3, 3)


def test_a_poll_cannot_open_when_nobody_with_voting_right_is_checked_in():
    congress = CongressFactory()
    ParticipantFactory(congress=congress)  # not checked in
    poll = poll_create_decision(congress=congress, title="Vedtekter", majority="two_thirds")
    with pytest.raises(ValidationError, match="checked in"):
        poll_open(poll=poll, user=None)
    poll.refresh_from_db()
    assert poll.state == Poll.State.DRAFT


# --- Casting -------------------------------------------------------------------------------------------------------


def test_one_ballot_per_voter_with_a_receipt_and_no_way_back():
    election = _election()
    voters = present_delegates(election.congress, 3)
    poll = poll_open(poll=poll_create_for_election(election=election), user=None)
    candidate = poll.candidates.first()

    receipt = ballot_cast(poll_id=poll.pk, participant_id=voters[0].pk, choices=[candidate.pk])

    assert len(receipt) == 10
    with pytest.raises(AlreadyVoted):
        ballot_cast(poll_id=poll.pk, participant_id=voters[0].pk, choices=[])
    assert SealedBallot.objects.filter(poll=poll).count() == VoteCast.objects.filter(poll=poll).count() == 1
    ballot = only_sealed_ballot(poll)
    assert (ballot.receipt, ballot.choices) == (receipt, [candidate.pk])


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        (["both"], "at most 1"),
        (["stranger"], "Choose among the candidates"),
        (["twice"], "only once"),
    ],
)
def test_a_bad_ballot_is_refused_and_the_voter_can_still_vote(choices, message):
    election = _election()
    other = _election(election.congress, title="Annet valg")
    voter = present_delegates(election.congress, 1)[0]
    poll = poll_open(poll=poll_create_for_election(election=election), user=None)
    first, second = list(poll.candidates.all())[:2]
    chosen = {
        "both": [first.pk, second.pk],
        "stranger": [other.candidates.first().pk],
        "twice": [first.pk, first.pk],
    }[choices[0]]
    with pytest.raises(ValidationError, match=message):
        ballot_cast(poll_id=poll.pk, participant_id=voter.pk, choices=chosen)
    assert not VoteCast.objects.exists()
    assert ballot_cast(poll_id=poll.pk, participant_id=voter.pk, choices=[])  # a blank ballot is allowed


def test_a_closed_poll_takes_no_ballots_and_its_count_is_frozen():
    official = StaffUserFactory()
    congress = CongressFactory()
    voters = present_delegates(congress, 4)
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent"), user=official)
    for voter, answer in zip(voters[:3], ["yes", "yes", "no"], strict=True):
        ballot_cast(poll_id=poll.pk, participant_id=voter.pk, answer=answer)
    poll = poll_close(poll=poll, user=official)
    with pytest.raises(ValidationError, match="not open"):
        ballot_cast(poll_id=poll.pk, participant_id=voters[3].pk, answer="no")
    assert poll.result["adopted"] is True
    assert (poll.result["voted"], poll.result["eligible"]) == (3, 4)
    with pytest.raises(ValidationError):
        poll_close(poll=poll, user=official)


# --- Results -------------------------------------------------------------------------------------------------------


def test_no_absolute_majority_leads_to_a_run_off_between_the_two_leading():
    official = StaffUserFactory()
    election = _election(candidates=3)
    voters = present_delegates(election.congress, 5)
    poll = poll_open(poll=poll_create_for_election(election=election), user=official)
    a, b, c = poll.candidates.order_by("position")
    for voter, candidate in zip(voters, [a, a, b, b, c], strict=True):
        ballot_cast(poll_id=poll.pk, participant_id=voter.pk, choices=[candidate.pk])
    poll = _published(poll, official)
    assert sorted(poll.result["runoff"]) == sorted([a.pk, b.pk])

    with translation.override("nb"):  # an official using the site in bokmål; the site's language is English here
        runoff = poll_create_runoff(poll=poll)

    assert (runoff.round, runoff.runoff_of) == (2, poll)
    assert runoff.title == f"{poll.title}, run-off"  # in the site's language, not the official's
    assert set(runoff.candidates.all()) == {a, b}
    with pytest.raises(ValidationError, match="already"):
        poll_create_runoff(poll=poll)


def test_a_tie_is_settled_by_a_recorded_drawing_of_lots_before_sign_off():
    official = StaffUserFactory()
    election = _election(candidates=2, method="multi_seat", seats=1, office="election_committee")
    voters = present_delegates(election.congress, 2)
    poll = poll_open(poll=poll_create_for_election(election=election), user=official)
    a, b = poll.candidates.order_by("position")
    ballot_cast(poll_id=poll.pk, participant_id=voters[0].pk, choices=[a.pk])
    ballot_cast(poll_id=poll.pk, participant_id=voters[1].pk, choices=[b.pk])
    poll = poll_close(poll=poll, user=official)
    assert poll.result["tie"]
    with pytest.raises(ValidationError, match="tie"):
        poll_sign_off(poll=poll, user=official)
    with pytest.raises(ValidationError):
        poll_settle_tie(poll=poll, winners=[a.pk], drawn_by=" ", user=official)

    poll = poll_settle_tie(poll=poll, winners=[b.pk], drawn_by="Dirigenten", witnesses="To tellere", user=official)

    assert poll.result["elected"] == [b.pk]
    assert not poll.result.get("tie")
    assert LotDrawing.objects.get(poll=poll).winners == [b.pk]
    poll_sign_off(poll=poll, user=official)
    assert poll_publish(poll=poll, user=official).state == Poll.State.PUBLISHED


def test_publishing_needs_the_sign_offs(settings):
    settings.KS_POLL_SIGN_OFFS = 2
    first, second = StaffUserFactory(), StaffUserFactory()
    congress = CongressFactory()
    present_delegates(congress, 1)
    poll = poll_close(poll=poll_open(poll=poll_create_decision(congress=congress, title="X"), user=first), user=first)
    poll_sign_off(poll=poll, user=first)
    poll_sign_off(poll=poll, user=first)  # the same official twice counts once
    with pytest.raises(ValidationError, match="2 sign-offs"):
        poll_publish(poll=poll, user=first)
    poll_sign_off(poll=poll, user=second)
    assert poll_publish(poll=poll, user=first).state == Poll.State.PUBLISHED


def test_paper_ballots_are_entered_as_counts():
    official = StaffUserFactory()
    election = _election(candidates=3, method="multi_seat", seats=2, office="hovedstyre_member")
    poll = poll_create_for_election(election=election, mode=Poll.Mode.PAPER)
    a, b, c = poll.candidates.order_by("position")
    with pytest.raises(ValidationError, match="do not fit"):
        paper_count_enter(poll=poll, counts={a.pk: 11, b.pk: 3}, blank=0, valid_ballots=10, user=official)

    poll = paper_count_enter(
        poll=poll, counts={a.pk: 9, b.pk: 7, c.pk: 2}, blank=1, valid_ballots=10, rejected=1, user=official
    )

    assert poll.state == Poll.State.CLOSED
    assert sorted(poll.result["elected"]) == sorted([a.pk, b.pk])
    assert (poll.result["blank"], poll.result["rejected"]) == (1, 1)


# --- Under load ----------------------------------------------------------------------------------------------------


def _checked_in_voters(congress, count: int) -> list[Participant]:
    """``count`` checked-in delegates as plain rows (``present_delegates`` makes one at a time: too slow here)."""
    organisation = OrganisationFactory()
    voters = Participant.objects.bulk_create(
        Participant(
            congress=congress,
            first_name="Velger",
            last_name=str(number),
            email=f"velger{number}@example.no",
            role="delegate",
            county=organisation.county,
            organisation=organisation,
            elected_by="county_meeting",
        )
        for number in range(count)
    )
    Attendance.objects.bulk_create(Attendance(participant=voter, direction="in") for voter in voters)
    return voters


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("by", ["participant", "link"])
def test_300_voters_voting_at_once_each_twice_give_exactly_300_ballots(by):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested against PostgreSQL")
    official = StaffUserFactory()
    election = _election(candidates=4, method="multi_seat", seats=2, office="hovedstyre_member")
    congress = election.congress
    voters = _checked_in_voters(congress, 300)
    poll = poll_open(poll=poll_create_for_election(election=election), user=official)
    candidates = list(poll.candidates.values_list("pk", flat=True))
    tokens = {voter.pk: personal_link_issue(participant=voter)[1] for voter in voters} if by == "link" else {}
    chooser = random.Random(7)
    wishes = {voter.pk: chooser.sample(candidates, chooser.randint(0, 2)) for voter in voters}
    attempts = [(voter.pk, wishes[voter.pk]) for voter in voters] * 2
    chooser.shuffle(attempts)
    outcomes = {"ok": 0, "again": 0}
    lock = threading.Lock()

    def cast(attempt):
        voter, choices = attempt
        try:
            if by == "link":
                ballot_cast_by_link(token=tokens[voter], poll_id=poll.pk, choices=choices)
            else:
                ballot_cast(poll_id=poll.pk, participant_id=voter, choices=choices)
            key = "ok"
        except AlreadyVoted:
            key = "again"
        finally:
            connections.close_all()
        with lock:
            outcomes[key] += 1

    with ThreadPoolExecutor(max_workers=40) as pool:
        list(pool.map(cast, attempts))

    assert outcomes == {"ok": 300, "again": 300}
    assert SealedBallot.objects.filter(poll=poll).count() == 300
    assert VoteCast.objects.filter(poll=poll).count() == 300
    poll = poll_close(poll=poll, user=official)
    expected = dict.fromkeys(candidates, 0)
    for choices in wishes.values():
        for candidate in choices:
            expected[candidate] += 1
    counted = {
        int(key): value
        for key, value in dict(zip(poll.result["candidates"], poll.result["votes"], strict=True)).items()
    }
    assert counted == expected
    assert poll.result["blank"] == sum(1 for choices in wishes.values() if not choices)


@pytest.mark.django_db(transaction=True)
def test_closing_while_the_hall_votes_counts_every_ballot_that_got_a_receipt_and_no_other():
    """Closing takes the poll row FOR UPDATE; each ballot holds it FOR SHARE. A ballot is either in before the
    count (and counted) or refused as not open: none is written after the count, none with a receipt is lost."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested against PostgreSQL")
    official = StaffUserFactory()
    congress = CongressFactory()
    voters = _checked_in_voters(congress, 200)
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent"), user=official)
    tokens = [personal_link_issue(participant=voter)[1] for voter in voters]
    receipts, refused = [], []
    lock = threading.Lock()
    halfway = threading.Event()

    def cast(number_and_token):
        number, token = number_and_token
        if number == 60:
            halfway.set()
        try:
            receipt = ballot_cast_by_link(token=token, poll_id=poll.pk, answer="yes")
            with lock:
                receipts.append(receipt)
        except PollNotOpen:
            with lock:
                refused.append(token)
        finally:
            connections.close_all()

    def close():
        halfway.wait(10)
        try:
            return poll_close(poll=poll, user=official)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        closing = pool.submit(close)
        list(pool.map(cast, enumerate(tokens)))
        closed = closing.result()

    assert len(receipts) + len(refused) == 200
    assert 0 < len(receipts) < 200 and refused  # the close came while the hall voted
    assert closed.result["voted"] == len(receipts) == closed.result["yes"]
    stored = set(Ballot.objects.filter(poll=poll).values_list("receipt", flat=True))
    assert stored == set(receipts)
    assert VoteCast.objects.filter(poll=poll).count() == len(receipts)


@pytest.mark.django_db(transaction=True)
def test_a_ballot_waiting_for_the_closing_finds_the_poll_closed_and_writes_nothing():
    """The cast's FOR SHARE waits for the closing's FOR UPDATE; once the closing commits, the cast reads the poll
    row as it is now (closed), not as it was when the statement began."""
    if connection.vendor != "postgresql":
        pytest.skip("lock waits are tested against PostgreSQL")
    congress = CongressFactory()
    voter = present_delegates(congress, 1)[0]
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent"), user=None)
    token = personal_link_issue(participant=voter)[1]
    locked, release = threading.Event(), threading.Event()

    def closing():
        try:
            with transaction.atomic():
                Poll.objects.select_for_update().get(pk=poll.pk)
                Poll.objects.filter(pk=poll.pk).update(state=Poll.State.CLOSED)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    def casting():
        try:
            return ballot_cast_by_link(token=token, poll_id=poll.pk, answer="yes")
        except PollNotOpen as refusal:
            return refusal
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        closer = pool.submit(closing)
        assert locked.wait(10)
        cast = pool.submit(casting)
        waiting = 0
        for _attempt in range(100):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND position('WITH voter AS' in query) > 0"
                )
                waiting = cursor.fetchone()[0]
            if waiting:
                break
            time.sleep(0.05)
        assert waiting == 1  # the ballot waits for the closing
        release.set()
        closer.result()
        outcome = cast.result()

    assert isinstance(outcome, PollNotOpen)
    assert not VoteCast.objects.filter(poll=poll).exists() and not SealedBallot.objects.filter(poll=poll).exists()


def test_the_result_reads_the_same_everywhere_with_its_base_and_gender_balance():
    from elections.models import AutomaticMember
    from elections.results import result_view

    official = StaffUserFactory()
    election = _election(candidates=0, method="multi_seat", seats=2, office="landsstyre_member")
    a = CandidateFactory(election=election, first_name="Anne", gender="female")
    b = CandidateFactory(election=election, first_name="Bjørn", gender="male")
    c = CandidateFactory(election=election, first_name="Carl", gender="male")
    for name in ("Hovedstyre 1", "Hovedstyre 2", "Hovedstyre 3"):
        AutomaticMember.objects.create(election=election, name=name, reason="hovedstyre", gender="male")
    voters = present_delegates(election.congress, 4)
    poll = poll_open(poll=poll_create_for_election(election=election), user=official)
    for voter, choices in zip(voters, [[b.pk, c.pk], [b.pk, c.pk], [a.pk], []], strict=True):
        ballot_cast(poll_id=poll.pk, participant_id=voter.pk, choices=choices)
    poll = poll_close(poll=poll, user=official)

    view = result_view(poll)

    assert [(row.label, row.votes, row.percent, row.elected) for row in view.rows] == [
        (b.full_name, 2, "66.7", True),
        (c.full_name, 2, "66.7", True),
        (a.full_name, 1, "33.3", False),
    ]
    assert (view.ballots, view.blank, view.base) == (4, 1, 3)
    assert "3" in view.base_sentence
    assert view.balance.members == 5 and view.balance.automatic == 3
    assert view.balance.met is False
    assert "NOT met" in view.warnings[0]
