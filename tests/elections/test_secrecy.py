"""No ballot can be traced to its voter, even with the database in hand (issue 13, item 1).

While a poll is open its ballots are sealed (encrypted with a key the database never holds); at the close they are
opened, counted and written again as new rows in a random order, and the sealed rows go. The attacks of the issue
are run against the database during the vote and after the close, on PostgreSQL: join the ballots to the vote
records by ``xmin``, pair them by physical order (``ctid``), and read the tables' raw pages (``pageinspect``), dead
row versions included. An attack "links" a ballot to its voter when the row it pairs with a voter holds that voter's
receipt in clear: the receipt names the ballot exactly. None may link more ballots than chance: pairing the 100
voters with the 100 ballots at random finds each voter's own ballot with probability 1/100, so the number found is
about Binomial(100, 1/100); the bound below is what chance exceeds with probability under one in a million. The
order of the close is drawn from a fixed seed, so the outcome is the same in every run.

The rest runs on SQLite too: a sealed ballot holds nothing readable, the count and the receipts after the close, and
a changed or damaged key is refused with a clear message rather than counted wrong.
"""

import json
import math
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings

from elections import sealing
from elections.models import Ballot, Poll, SealedBallot, VoteCast
from elections.selectors import published_ballots
from elections.services import (
    ballot_cast,
    poll_close,
    poll_create_decision,
    poll_create_for_election,
    poll_open,
    poll_publish,
    poll_sign_off,
)
from tests.elections.factories import CandidateFactory, ElectionFactory, present_delegates
from tests.factories import CongressFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

VOTERS = 100
SEED = 13


def chance_bound(n: int, *, probability: float = 1e-6) -> int:
    """The smallest k with P(Binomial(n, 1/n) >= k) < probability: k links or more are not chance."""

    def tail(k: int) -> float:
        return sum(math.comb(n, j) * (1 / n) ** j * (1 - 1 / n) ** (n - j) for j in range(k, n + 1))

    return next(k for k in range(n + 1) if tail(k) < probability)


def test_the_chance_bound_is_what_chance_gives():
    assert chance_bound(100) == 9  # P(>= 9) = 8.4e-7, P(>= 8) = 8.2e-6
    rng = random.Random(SEED)
    worst = 0
    for _trial in range(2000):
        order = list(range(VOTERS))
        rng.shuffle(order)
        worst = max(worst, sum(1 for index, value in enumerate(order) if index == value))
    assert worst < chance_bound(VOTERS)


# --- A hall of 100 voters ------------------------------------------------------------------------------------------


def _hall(*, voters: int = VOTERS):
    """An open election for 3 of 6 seats and ``voters`` ballots of varied choices (a fixed seed): the poll and
    each voter's (participant id, receipt, choices)."""
    congress = CongressFactory()
    people = present_delegates(congress, voters)
    election = ElectionFactory(congress=congress, seats=3, method="multi_seat", office="hovedstyre_member")
    for _number in range(6):
        CandidateFactory(election=election)
    poll = poll_open(poll=poll_create_for_election(election=election), user=None)
    candidates = list(poll.candidates.values_list("pk", flat=True))
    rng = random.Random(SEED)
    cast = []
    for person in people:
        chosen = sorted(rng.sample(candidates, rng.choice([0, 1, 2, 3, 3])))
        receipt = ballot_cast(poll_id=poll.pk, participant_id=person.pk, choices=chosen)
        cast.append((person.pk, receipt, chosen))
    return poll, cast


def _close_in_a_fixed_order(monkeypatch, poll):
    monkeypatch.setattr("elections.services._shuffle", random.Random(SEED).shuffle)
    return poll_close(poll=poll, user=None)


# --- Everywhere (SQLite too) -----------------------------------------------------------------------------------------


def test_while_the_poll_is_open_a_stored_ballot_holds_nothing_readable():
    poll, cast = _hall(voters=12)
    decision = poll_open(poll=poll_create_decision(congress=poll.congress, title="Kontingent"), user=None)
    answers = ["yes", "no", "abstain"]
    voters = [voter for voter, _receipt, _choices in cast]
    cast_decision = [
        (voter, ballot_cast(poll_id=decision.pk, participant_id=voter, answer=answers[number % 3]), answers[number % 3])
        for number, voter in enumerate(voters)
    ]

    assert not Ballot.objects.exists()  # no ballot in clear while the polls are open
    rows = list(SealedBallot.objects.values_list("poll", "tag", "sealed"))
    assert len(rows) == 2 * len(voters) == VoteCast.objects.count()
    readable = [receipt for _voter, receipt, _choices in cast] + [receipt for _voter, receipt, _a in cast_decision]
    for _poll, tag, sealed in rows:
        stored = bytes(tag) + bytes(sealed)
        for receipt in readable:
            assert receipt.encode() not in stored
        # What the ballot's plain text is made of (elections.sealing.seal: {"r":…,"c":[…],"a":"yes"}). Words as
        # short as "yes" turn up in random ciphertext now and then (three given bytes somewhere in 512: about once
        # in 30,000 ballots), so the test looks for the plain text's own longer pieces.
        for piece in (b'{"r":"', b'","c":[', b'"a":"yes"', b'"a":"abstain"', b'"a":"no"'):
            assert piece not in bytes(sealed)
    # The same length for every ballot: a "yes" cannot be told from an "abstain", nor one name from three.
    assert len({len(bytes(sealed)) for _poll, _tag, sealed in rows}) == 1
    assert len({len(bytes(tag)) for _poll, tag, _sealed in rows}) == 1


def test_after_the_close_the_count_is_right_and_every_voter_finds_their_ballot(monkeypatch):
    poll, cast = _hall(voters=30)
    expected = {}
    for _voter, _receipt, chosen in cast:
        for candidate in chosen:
            expected[candidate] = expected.get(candidate, 0) + 1

    closed = _close_in_a_fixed_order(monkeypatch, poll)

    assert not SealedBallot.objects.filter(poll=poll).exists()
    counted = dict(zip(closed.result["candidates"], closed.result["votes"], strict=True))
    assert {candidate: votes for candidate, votes in counted.items() if votes} == expected
    assert closed.result["voted"] == 30
    official = StaffUserFactory(is_superuser=True)
    poll_sign_off(poll=closed, user=official)
    published = poll_publish(poll=closed, user=official)
    found = {ballot.receipt: sorted(ballot.choices) for ballot in published_ballots(published)}
    assert found == {receipt: chosen for _voter, receipt, chosen in cast}


@override_settings(KS_BALLOT_KEY="the key the ballots were sealed with")
def test_a_changed_key_is_refused_at_the_close_with_a_clear_message_and_the_poll_stays_open(english_in_test):
    poll, cast = _hall(voters=5)
    with override_settings(KS_BALLOT_KEY="another key"), pytest.raises(ValidationError) as refused:
        poll_close(poll=poll, user=None)
    assert "the ballot key (KS_BALLOT_KEY, or SECRET_KEY when it is not set) has changed" in refused.value.messages[0]
    poll.refresh_from_db()
    assert poll.state == Poll.State.OPEN and poll.result is None
    assert SealedBallot.objects.filter(poll=poll).count() == 5 and not Ballot.objects.exists()

    # The earlier key among the fallbacks opens them.
    with override_settings(
        KS_BALLOT_KEY="another key", KS_BALLOT_KEY_FALLBACKS=["the key the ballots were sealed with"]
    ):
        closed = poll_close(poll=poll, user=None)
    assert closed.result["voted"] == 5
    assert sorted(Ballot.objects.filter(poll=poll).values_list("receipt", flat=True)) == sorted(r for _v, r, _c in cast)


def test_a_secret_key_changed_without_a_ballot_key_is_refused_too(english_in_test):
    with override_settings(KS_BALLOT_KEY="", SECRET_KEY="the secret key of the day " * 2):
        poll, _cast = _hall(voters=3)
    with override_settings(KS_BALLOT_KEY="", SECRET_KEY="a new secret key " * 3), pytest.raises(ValidationError):
        poll_close(poll=poll, user=None)
    with override_settings(KS_BALLOT_KEY="", SECRET_KEY="the secret key of the day " * 2):
        assert poll_close(poll=poll, user=None).result["voted"] == 3


def test_an_altered_or_moved_ballot_is_refused_at_the_close_and_nothing_is_counted(english_in_test):
    poll, _cast = _hall(voters=4)
    other = poll_open(poll=poll_create_decision(congress=poll.congress, title="Kontingent"), user=None)
    sealed = SealedBallot.objects.filter(poll=poll).first()
    altered = bytearray(bytes(sealed.sealed))
    altered[40] ^= 1
    SealedBallot.objects.filter(pk=sealed.pk).update(sealed=bytes(altered))
    with pytest.raises(ValidationError, match="Some ballots cannot be opened"):
        poll_close(poll=poll, user=None)
    poll.refresh_from_db()
    assert poll.state == Poll.State.OPEN and not Ballot.objects.exists()

    # A ballot of one poll copied into another does not open there either (it is bound to its poll).
    SealedBallot.objects.create(poll=other, tag=b"\0" * 16, sealed=SealedBallot.objects.exclude(pk=sealed.pk)[0].sealed)
    with pytest.raises(ValidationError, match="Some ballots cannot be opened"):
        poll_close(poll=other, user=None)


def test_sealing_is_bound_to_the_poll_and_pads_every_ballot_to_one_size():
    short = sealing.seal(1, receipt="AAAAAAAAAA", choices=[], answer="no")
    long = sealing.seal(1, receipt="AAAAAAAAAA", choices=list(range(10**18, 10**18 + 20)), answer="")
    assert len(short) == len(long)
    assert sealing.seal(1, receipt="AAAAAAAAAA", choices=[], answer="no") != short  # a fresh nonce every time
    (opened,) = sealing.unseal_all(1, [long], stored_check=sealing.key_check(1))
    assert (opened.receipt, opened.answer, len(opened.choices)) == ("AAAAAAAAAA", "", 20)
    with pytest.raises(sealing.BallotKeyError):
        sealing.unseal_all(2, [short], stored_check="")
    assert sealing.receipt_tag(1, "AAAAAAAAAA") != sealing.receipt_tag(2, "AAAAAAAAAA")


# --- The attacks, on PostgreSQL --------------------------------------------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="xmin, ctid and raw pages (pageinspect) are PostgreSQL's; CI runs these in its PostgreSQL half",
)
BALLOT_TABLES = (Ballot._meta.db_table, SealedBallot._meta.db_table)
VOTES = VoteCast._meta.db_table


def _as_bytes(value) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes | memoryview | bytearray):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value, default=str).encode()


def _links(pairs, receipts: dict[int, str]) -> int:
    """How many (voter, stored bytes) pairs hold that voter's receipt: ballots the attack linked to their voter."""
    return sum(1 for voter, stored in pairs if receipts[voter].encode() in stored)


def _votes_by_xmin(cursor, poll) -> dict[str, int]:
    cursor.execute(f"SELECT xmin::text, participant_id FROM {VOTES} WHERE poll_id = %s", [poll.pk])  # noqa: S608
    return dict(cursor.fetchall())


def _join_by_xmin(poll) -> list[tuple[int, bytes]]:
    pairs = []
    with connection.cursor() as cursor:
        for table in BALLOT_TABLES:
            cursor.execute(
                f"SELECT v.participant_id, b.* FROM {VOTES} v JOIN {table} b ON b.xmin = v.xmin"  # noqa: S608
                " WHERE v.poll_id = %s",
                [poll.pk],
            )
            pairs += [(row[0], b"|".join(_as_bytes(value) for value in row[1:])) for row in cursor.fetchall()]
    return pairs


def _pair_by_ctid(poll) -> list[tuple[int, bytes]]:
    pairs = []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT participant_id FROM {VOTES} WHERE poll_id = %s ORDER BY ctid", [poll.pk])  # noqa: S608
        voters = [row[0] for row in cursor.fetchall()]
        for table in BALLOT_TABLES:
            cursor.execute(f"SELECT * FROM {table} WHERE poll_id = %s ORDER BY ctid", [poll.pk])  # noqa: S608
            rows = [b"|".join(_as_bytes(value) for value in row) for row in cursor.fetchall()]
            pairs += list(zip(voters, rows, strict=False))
    return pairs


def _raw_tuples(cursor, table: str) -> list[tuple[str, bytes]]:
    """Every tuple in the table's pages, live or dead: (t_xmin, t_data)."""
    cursor.execute("SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int", [table])
    blocks = cursor.fetchone()[0]
    found = []
    for block in range(blocks):
        cursor.execute(
            "SELECT t_xmin::text, t_data FROM heap_page_items(get_raw_page(%s, %s)) WHERE t_data IS NOT NULL"
            " ORDER BY lp",
            [table, block],
        )
        found += [(xmin, bytes(data)) for xmin, data in cursor.fetchall()]
    return found


def _raw_pages(cursor, relation: str) -> bytes:
    cursor.execute("SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int", [relation])
    blocks = cursor.fetchone()[0]
    pages = []
    for block in range(blocks):
        cursor.execute("SELECT get_raw_page(%s, %s)", [relation, block])
        pages.append(bytes(cursor.fetchone()[0]))
    return b"".join(pages)


def _every_relation_of(cursor, table: str) -> list[str]:
    """The table, its indexes and its TOAST table."""
    cursor.execute(
        "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass"
        " UNION ALL SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = %s::regclass AND reltoastrelid <> 0",
        [table, table],
    )
    return [table, *(row[0] for row in cursor.fetchall())]


def _read_raw_pages(poll) -> list[tuple[int, bytes]]:
    """The attack on the files: every tuple version of the ballot tables, dead ones too, paired with the voter of
    the same transaction where there is one, else by their order in the pages."""
    pairs = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        by_xmin = _votes_by_xmin(cursor, poll)
        in_order = [by_xmin[xmin] for xmin, _data in _raw_tuples(cursor, VOTES) if xmin in by_xmin]
        for table in BALLOT_TABLES:
            unpaired = []
            for xmin, data in _raw_tuples(cursor, table):
                if xmin in by_xmin:
                    pairs.append((by_xmin[xmin], data))
                else:
                    unpaired.append(data)
            pairs += list(zip(in_order, unpaired, strict=False))
    return pairs


def _found_in_raw_pages(receipts) -> int:
    """How many receipts can be read anywhere in the files of the ballot tables (table, indexes, TOAST)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        raw = b"".join(
            _raw_pages(cursor, relation) for table in BALLOT_TABLES for relation in _every_relation_of(cursor, table)
        )
    return sum(1 for receipt in receipts if receipt.encode() in raw)


@pytest.fixture
def pageinspect():
    with connection.cursor() as cursor:
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        except Exception as error:  # any reason it is missing
            pytest.skip(f"pageinspect is not available in this PostgreSQL: {error}")


ATTACKS = {"xmin": _join_by_xmin, "ctid": _pair_by_ctid, "raw pages": _read_raw_pages}


@postgresql_only
@pytest.mark.django_db(transaction=True)  # every ballot in a transaction of its own, as in the hall
@pytest.mark.usefixtures("pageinspect")
def test_no_attack_on_the_database_links_more_ballots_to_voters_than_chance_during_the_vote_or_after(monkeypatch):
    poll, cast = _hall()
    receipts = {voter: receipt for voter, receipt, _choices in cast}
    bound = chance_bound(VOTERS)

    during = {name: _links(attack(poll), receipts) for name, attack in ATTACKS.items()}
    found_during = _found_in_raw_pages(receipts.values())

    closed = _close_in_a_fixed_order(monkeypatch, poll)
    assert closed.result["voted"] == VOTERS

    after = {name: _links(attack(poll), receipts) for name, attack in ATTACKS.items()}
    assert {name: links < bound for name, links in during.items()} == dict.fromkeys(ATTACKS, True), during
    assert {name: links < bound for name, links in after.items()} == dict.fromkeys(ATTACKS, True), after
    assert found_during == 0  # no receipt anywhere in the files while the vote is open
    assert _found_in_raw_pages(receipts.values()) == VOTERS  # after the close every ballot is there, in clear


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("pageinspect")
def test_after_the_close_no_dead_version_of_a_sealed_ballot_is_left_in_its_table(monkeypatch):
    """The close VACUUMs the sealed ballots' table after its commit: the dead versions, which carry the voters'
    transaction ids (with the key they could be opened), are gone from the table's pages."""
    poll, _cast = _hall(voters=30)
    with connection.cursor() as cursor:
        votes = set(_votes_by_xmin(cursor, poll))
        assert {xmin for xmin, _data in _raw_tuples(cursor, SealedBallot._meta.db_table)} & votes
    _close_in_a_fixed_order(monkeypatch, poll)
    with connection.cursor() as cursor:
        left = [xmin for xmin, _data in _raw_tuples(cursor, SealedBallot._meta.db_table) if xmin in votes]
        left += [xmin for xmin, _data in _raw_tuples(cursor, Ballot._meta.db_table) if xmin in votes]
    assert left == []
