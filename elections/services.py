"""Every write of the poll engine: polls for elections and decisions, opening with the voter snapshot, casting a
secret ballot, closing (the count is frozen), drawing lots, signing off, publishing, paper counts."""

import contextlib
import functools
import logging
import random
import secrets
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Max, Model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agenda.models import Congress
from core import decisions
from delegates.models import Participant, PersonalLink
from delegates.services.links import LinkProblem, personal_link_digest, personal_link_resolve
from elections import counting, sealing
from elections.counting_messages import describe_counting_error
from elections.models import (
    Ballot,
    Candidate,
    Election,
    EligibleVoter,
    LotDrawing,
    PaperCount,
    Poll,
    SealedBallot,
    SignOff,
    VoteCast,
)
from elections.selectors import eligible_voters
from elections.sql import column as _column
from elections.sql import named_placeholders as _named_placeholders
from elections.sql import server_bound_cursor as _server_bound_cursor
from elections.sql import table as _table

#: Receipts: 10 characters from an alphabet without look-alikes (50 bits); shown once to the voter, never stored
#: with the voter.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 10
RECEIPT_CONSTRAINT = "sealed_ballot_unique_tag"  # the receipt's keyed hash: a receipt drawn twice in one poll
ONE_VOTE_CONSTRAINT = "one_vote_per_voter"
YES_NO_ANSWERS = ("yes", "no", "abstain")
LARGEST_KEY = 2**63 - 1  # a candidate number beyond any database key is refused before the database sees it


class BallotRefused(ValidationError):
    """The poll takes no ballot from this voter; ``refusal`` is the word for why, on the voting pages and in the
    cast address's answers."""

    refusal = ""


class AlreadyVoted(BallotRefused):
    refusal = "voted"


class PollNotOpen(BallotRefused):
    refusal = "not_open"


class NotEligible(BallotRefused):
    refusal = "not_eligible"


class PollNotFound(BallotRefused):
    """No such poll in the voter's congress."""

    refusal = "not_found"


logger = logging.getLogger(__name__)


def required_sign_offs() -> int:
    return int(getattr(settings, "KS_POLL_SIGN_OFFS", 1))


# --- Creating polls ------------------------------------------------------------------------------------------------


def _next_position(congress: Congress) -> int:
    return (Poll.objects.filter(congress=congress).aggregate(Max("position"))["position__max"] or 0) + 1


@transaction.atomic
def poll_create_for_election(*, election: Election, mode: str = Poll.Mode.ELECTRONIC) -> Poll:
    """The first round of an election, with every candidate standing."""
    candidates = list(election.candidates.all())
    if not candidates:
        raise ValidationError(_("The election has no candidates yet."))
    if election.polls.filter(round=1).exists():
        raise ValidationError(_("This election already has its vote."))
    single = election.method == Election.Method.SINGLE_MAJORITY
    max_choices = 1 if single else min(election.choices_per_ballot, len(candidates))
    poll = Poll.objects.create(
        congress=election.congress,
        title=election.title,
        kind=Poll.Kind.SINGLE_MAJORITY if single else Poll.Kind.MULTI_SEAT,
        mode=mode,
        election=election,
        seats=election.seats,
        max_choices=max_choices,
        position=_next_position(election.congress),
    )
    poll.candidates.set(candidates)
    return poll


@transaction.atomic
def poll_create_decision(
    *,
    congress: Congress,
    title: str,
    majority: str = Poll.Majority.SIMPLE,
    subject_key: str = "",
    subject_label: str = "",
    mode: str = Poll.Mode.ELECTRONIC,
) -> Poll:
    """A yes / no / abstain vote on a proposal, optionally on a registered subject (an amendment, a statement)."""
    if not title.strip():
        raise ValidationError({"title": _("Give the vote a title.")})
    if majority not in Poll.Majority.values:
        raise ValidationError({"majority": _("Choose the majority needed.")})
    return Poll.objects.create(
        congress=congress,
        title=title.strip(),
        kind=Poll.Kind.YES_NO,
        mode=mode,
        majority=majority,
        subject_key=subject_key,
        subject_label=subject_label,
        position=_next_position(congress),
    )


@transaction.atomic
def poll_open_decision(*, congress: Congress, subject_key: str, user: AbstractBaseUser | None) -> Poll:
    """Create the yes/no vote on one registered subject (an amendment, a statement) and open it at once, as the
    chair's console does: titled with the subject's name, simple majority, electronic. Refused when the subject is
    decided or already has a vote, or while another vote of the congress is open. Under a lock on the congress, so
    two consoles pressing "Open vote" at once make one vote."""
    Congress.objects.select_for_update().filter(pk=congress.pk).first()
    taken = Poll.objects.filter(congress=congress, subject_key=subject_key).exists()
    subject = next((s for s in decisions.subjects(congress) if s.key == subject_key), None)
    if subject is None or taken:
        raise ValidationError(_("This subject has been decided or already has a vote."), code="subject")
    already_open = Poll.objects.filter(congress=congress, state=Poll.State.OPEN).first()
    if already_open is not None:
        raise ValidationError(
            _("“%(title)s” is still open: close it before opening another vote.") % {"title": already_open.title},
            code="open",
        )
    poll = poll_create_decision(
        congress=congress, title=str(subject.label), subject_key=subject.key, subject_label=str(subject.label)
    )
    return poll_open(poll=poll, user=user)


def _runoff_title(title: str) -> str:
    """Stored in the congress' language (the site's default), like the titles the secretariat types, and not in
    the language of the official who happens to create the run-off."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(title)s, run-off") % {"title": title}


@transaction.atomic
def poll_create_runoff(*, poll: Poll) -> Poll:
    """The second round between the two leading candidates, when the first gave nobody an absolute majority."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    result = poll.result or {}
    if poll.kind != Poll.Kind.SINGLE_MAJORITY or poll.state not in (Poll.State.CLOSED, Poll.State.PUBLISHED):
        raise ValidationError(_("Only a closed election for one seat can go to a run-off."))
    if result.get("tie"):
        raise ValidationError(_("Settle the tie by drawing lots first."))
    if not result.get("runoff"):
        raise ValidationError(_("Nobody needs a run-off: the result is decided."))
    if Poll.objects.filter(runoff_of=poll).exists():
        raise ValidationError(_("The run-off has already been created."))
    runoff = Poll.objects.create(
        congress=poll.congress,
        title=_runoff_title(poll.title),
        kind=Poll.Kind.SINGLE_MAJORITY,
        mode=poll.mode,
        election=poll.election,
        round=poll.round + 1,
        runoff_of=poll,
        seats=1,
        max_choices=1,
        position=_next_position(poll.congress),
    )
    runoff.candidates.set(Candidate.objects.filter(pk__in=result["runoff"]))
    return runoff


# --- Opening and voting --------------------------------------------------------------------------------------------


def _stand_the_candidates_of_now(poll: Poll) -> None:
    """The first round of an election stands every candidate the election has when the vote opens: those proposed
    from the floor after the poll was created too, and not those removed since."""
    election = poll.election
    candidates = list(election.candidates.all())
    poll.candidates.set(candidates)
    poll.seats = election.seats
    if poll.kind == Poll.Kind.MULTI_SEAT:
        poll.max_choices = max(1, min(election.choices_per_ballot, len(candidates)))
    poll.save(update_fields=["seats", "max_choices"])


@transaction.atomic
def poll_open(*, poll: Poll, user: AbstractBaseUser | None) -> Poll:
    """Open the poll and take the snapshot of who may vote: those checked in now (and stand-in deputies)."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.state != Poll.State.DRAFT:
        raise ValidationError(_("Only a poll that has not been opened can be opened."))
    if poll.mode != Poll.Mode.ELECTRONIC:
        raise ValidationError(_("A paper ballot is not opened here; enter its counts when they are ready."))
    if poll.election_id and poll.runoff_of_id is None:
        _stand_the_candidates_of_now(poll)
    if poll.kind != Poll.Kind.YES_NO and poll.candidates.count() < 1:
        raise ValidationError(_("The poll has no candidates."))
    voters = eligible_voters(poll.congress)
    if not voters:
        raise ValidationError(_("Nobody with the right to vote is checked in: check the delegates in first."))
    EligibleVoter.objects.bulk_create(
        EligibleVoter(poll=poll, participant_id=voter.participant_id, stands_in_for_id=voter.stands_in_for_id)
        for voter in voters
    )
    poll.state = Poll.State.OPEN
    poll.eligible_count = len(voters)
    poll.opened_at = timezone.now()
    poll.opened_by = user
    poll.ballot_key_check = sealing.key_check(poll.pk)
    poll.save(update_fields=["state", "eligible_count", "opened_at", "opened_by", "ballot_key_check"])
    return poll


@functools.cache
def _poll_for_voting_sql(lock: str) -> str:
    columns = ", ".join(
        _column(Poll, field, qualified=False) for field in ("id", "congress", "state", "mode", "kind", "max_choices")
    )
    return f"SELECT {columns} FROM {_table(Poll)} WHERE {_column(Poll, 'id')} = %s{lock}"  # noqa: S608 - names


def _lock_open_poll_for_voting(poll_id: int) -> Poll:
    """The poll, read under a shared lock: many voters at once, but closing waits until their ballots are in.

    Plain SQL because Django has no FOR SHARE. Used where the ballot is not cast in one statement (SQLite).
    """
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    return Poll.objects.raw(_poll_for_voting_sql(lock), [poll_id])[0]


def _new_receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _position in range(RECEIPT_LENGTH))


def _ballot_shape(choices: Sequence, answer: str) -> tuple[list[int], str]:
    """What can be checked of a ballot without its poll: candidate numbers, each named once."""
    try:
        given = [int(choice) for choice in choices]
    except (TypeError, ValueError):
        raise ValidationError(_("Choose among the candidates of this vote.")) from None
    if any(not 0 < number <= LARGEST_KEY for number in given):
        raise ValidationError(_("Choose among the candidates of this vote."))
    if len(set(given)) != len(given):
        raise ValidationError(_("Each candidate can be named only once."))
    return sorted(given), answer or ""


# What a ballot of each kind may hold, judged without the poll's candidates; the one-statement cast gets both
# answers as parameters, so these are its rules too.
def _fits_a_yes_no_vote(chosen: list[int], answer: str) -> bool:
    return answer in YES_NO_ANSWERS and not chosen


def _fits_an_election(chosen: list[int], answer: str) -> bool:
    return not answer


def ballot_check(*, poll: Poll, choices: Sequence = (), answer: str = "") -> tuple[list[int], str]:
    """The ballot's content, checked: (candidate ids, answer). Raises ValidationError in the voter's words."""
    chosen, answer = _ballot_shape(choices, answer)
    if poll.kind == Poll.Kind.YES_NO:
        if not _fits_a_yes_no_vote(chosen, answer):
            raise ValidationError(_("Choose yes, no or abstain."))
        return [], answer
    if not _fits_an_election(chosen, answer):
        raise ValidationError(_("Choose among the candidates of this vote."))
    if len(chosen) > poll.max_choices:
        raise ValidationError(
            _("You named %(count)d candidates; at most %(max)d can be named.")
            % {"count": len(chosen), "max": poll.max_choices}
        )
    if chosen:
        standing = set(poll.candidates.filter(pk__in=chosen).values_list("pk", flat=True))
        if len(standing) != len(chosen):
            raise ValidationError(_("Choose among the candidates of this vote."))
    return chosen, ""


def _refusals() -> dict[str, BallotRefused]:
    refusals = (
        PollNotFound(_("There is no such vote.")),
        PollNotOpen(_("This vote is not open.")),
        NotEligible(_("You may not vote in this poll: only delegates checked in when it opened (or their stand-ins).")),
        AlreadyVoted(_("You have already voted in this poll; a ballot cannot be changed.")),
    )
    return {refusal.refusal: refusal for refusal in refusals}


def _in_one_statement() -> bool:
    """On PostgreSQL a ballot is cast in one SQL statement; elsewhere (SQLite) in steps through the ORM. PostgreSQL
    can take the steps too: the tests send the same ballots both ways."""
    return connection.vendor == "postgresql"


def ballot_cast(*, poll_id: int, participant_id: int, choices: Sequence = (), answer: str = "") -> str:
    """Cast a secret ballot and return its receipt. Exactly one per voter: a second attempt raises AlreadyVoted.

    The record that the voter voted and the ballot are written in one transaction; the ballot carries no voter, no
    time, and a random key. The receipt is returned to be shown once and is not stored with the voter.
    Raises, checking in this order: ValidationError for a ballot that cannot be one in any poll (not candidate
    numbers, or one named twice); PollNotFound (not a poll of the voter's congress); PollNotOpen; NotEligible;
    ValidationError for a ballot that does not fit this poll; AlreadyVoted.
    """
    chosen, answer = _ballot_shape(choices, answer)
    if _in_one_statement():
        try:
            return _cast_in_one_statement("participant", {"voter": participant_id}, poll_id, chosen, answer)
        except _NoVoter:
            raise _refusals()["not_found"] from None
    return _cast_in_steps(poll_id=poll_id, participant_id=participant_id, chosen=chosen, answer=answer)


def ballot_cast_by_link(*, token: str, poll_id: int, choices: Sequence = (), answer: str = "") -> str:
    """``ballot_cast`` for the voter whose personal link this is, when the hall votes: on PostgreSQL the link, the
    poll, the snapshot and both writes are one statement. Raises LinkProblem("malformed") first, then as
    ``ballot_cast`` with LinkProblem for a link that does not open before PollNotFound. The link is not touched:
    no time of voting is kept with the voter's link."""
    digest = personal_link_digest(token)
    chosen, answer = _ballot_shape(choices, answer)
    if _in_one_statement():
        try:
            return _cast_in_one_statement("link", {"voter": digest, "now": timezone.now()}, poll_id, chosen, answer)
        except _NoVoter:
            personal_link_resolve(token=token, touch=False)  # raises the link's problem
            raise LinkProblem("unknown") from None  # it opened a moment later: refuse this attempt all the same
    link = personal_link_resolve(token=token, touch=False)
    return _cast_in_steps(poll_id=poll_id, participant_id=link.participant_id, chosen=chosen, answer=answer)


def _cast_in_steps(*, poll_id: int, participant_id: int, chosen: list[int], answer: str) -> str:
    refusals = _refusals()
    for _attempt in range(5):
        receipt = _new_receipt()
        try:
            with transaction.atomic():
                try:
                    poll = _lock_open_poll_for_voting(poll_id)
                except IndexError:
                    raise refusals["not_found"] from None
                if not Participant.objects.filter(pk=participant_id, congress_id=poll.congress_id).exists():
                    raise refusals["not_found"]
                if not poll.takes_ballots:
                    raise refusals["not_open"]
                if not EligibleVoter.objects.filter(poll_id=poll_id, participant_id=participant_id).exists():
                    raise refusals["not_eligible"]
                chosen, answer = ballot_check(poll=poll, choices=chosen, answer=answer)
                VoteCast.objects.create(poll_id=poll_id, participant_id=participant_id)
                SealedBallot.objects.create(poll_id=poll_id, **_sealed(poll_id, receipt, chosen, answer))
            return receipt
        except IntegrityError:
            # Either this voter has voted (the unique vote record), or the receipt was drawn twice in this poll.
            if VoteCast.objects.filter(poll_id=poll_id, participant_id=participant_id).exists():
                raise refusals["voted"] from None
    raise RuntimeError("no free receipt after five draws")


def _sealed(poll_id: int, receipt: str, chosen: list[int], answer: str) -> dict:
    """The columns of a sealed ballot: the receipt's keyed hash and the encrypted ballot."""
    return {
        "tag": sealing.receipt_tag(poll_id, receipt),
        "sealed": sealing.seal(poll_id, receipt=receipt, choices=chosen, answer=answer),
    }


class _NoVoter(Exception):
    """The voter of the statement was not found (for a link: unknown, revoked or expired)."""


def _voter_sql(by: str) -> tuple[str, dict]:
    """The voter of a ballot (participant_id, congress_id) by the participant's number or by the hash of a personal
    link that opens now (``PersonalLink.objects.valid``: the delegates' rule, not a copy), and its constants."""
    person = _column(Participant, "id")
    congress = _column(Participant, "congress")
    if by == "participant":
        sql = f"SELECT {person} AS participant_id, {congress} AS congress_id FROM {_table(Participant)}"  # noqa: S608
        return f"{sql} WHERE {person} = %(voter)s", {}
    link_valid, constants = _named_placeholders(*PersonalLink.objects.valid_sql(at_sql="%(now)s"), prefix="link_rule")
    participant = _column(PersonalLink, "participant")
    sql = (
        f"SELECT {participant} AS participant_id, {congress} AS congress_id FROM {_table(PersonalLink)}"  # noqa: S608
        f" JOIN {_table(Participant)} ON {person} = {participant}"
        f" WHERE {_column(PersonalLink, 'token_hash')} = %(voter)s AND {link_valid}"
    )
    return sql, constants


# One statement, so one round trip and one transaction (autocommit) per ballot when the whole hall votes:
# - "poll" takes the shared lock on the poll row: closing (FOR UPDATE) waits for this ballot, and a ballot that
#   waited for a closing sees the poll closed (READ COMMITTED reads the locked row's newest version);
# - the vote record is written only when the poll takes ballots, the voter is in the snapshot and the ballot is
#   valid, and "ON CONFLICT DO NOTHING" on UNIQUE(poll, participant) makes a second ballot write nothing, even at
#   the same moment (the second waits for the first and then finds it);
# - the ballot is written from the vote record's RETURNING: both rows or neither. It is sealed in Python before the
#   statement (``elections.sealing``): the row holds only its poll, a random key, the receipt's keyed hash and the
#   encrypted bytes. The candidates chosen are a parameter of the validity check, never written in clear;
# - the final row says which check failed, in the same order as ``_cast_in_steps`` checks.
# Only the poll row is read again after waiting for its lock; the voter list and the candidates are read as they
# were when the statement began. A ballot sent while the same poll was being opened is therefore refused as not
# eligible (or not valid): it was sent before there was a ballot page to send it from.
# The values are bound by the server (``$1``…), not written into the SQL text, so that PostgreSQL's view of running
# statements and its error log never hold a voter and a ballot side by side.
# Nothing in it is written twice: tables and columns come from the models' ``_meta``, the states from
# ``Poll.TAKES_BALLOTS`` and ``Poll.Kind``, the link's rule from delegates, and what a ballot of each kind may hold
# from ``_fits_a_yes_no_vote`` and ``_fits_an_election`` (as parameters). Only the checks against the poll's own
# row and candidates are SQL here and Python in ``ballot_check``; the tests send the same ballots both ways.
@functools.cache
def _cast_statement(by: str) -> tuple[str, dict]:
    """The statement for a voter found ``by`` "participant" or "link", and its constant parameters; built once."""
    voter_sql, constants = _voter_sql(by)
    constants.update({f"takes_ballots_{field}": str(value) for field, value in Poll.TAKES_BALLOTS.items()})
    constants["yes_no"] = str(Poll.Kind.YES_NO)
    takes_ballots = " AND ".join(f"{_column(Poll, field)} = %(takes_ballots_{field})s" for field in Poll.TAKES_BALLOTS)
    standing = Poll.candidates.through  # the poll's candidates
    one_vote = next(constraint for constraint in VoteCast._meta.constraints if constraint.name == ONE_VOTE_CONSTRAINT)

    def columns(model: type[Model], *fields: str) -> str:
        return ", ".join(_column(model, field, qualified=False) for field in fields)

    sql = f"""
WITH voter AS ({voter_sql}),
poll AS (
    SELECT {_column(Poll, "id")} AS id, {_column(Poll, "kind")} AS kind,
        {_column(Poll, "max_choices")} AS max_choices, ({takes_ballots}) AS takes_ballots
    FROM {_table(Poll)}
    WHERE {_column(Poll, "id")} = %(poll)s AND {_column(Poll, "congress")} = (SELECT congress_id FROM voter)
    FOR SHARE
),
eligible AS (
    SELECT EXISTS (
        SELECT 1 FROM {_table(EligibleVoter)}
        WHERE {_column(EligibleVoter, "poll")} = %(poll)s
            AND {_column(EligibleVoter, "participant")} = (SELECT participant_id FROM voter)
    ) AS yes
),
valid AS (
    SELECT CASE WHEN poll.kind = %(yes_no)s THEN %(fits_a_yes_no_vote)s
        ELSE %(fits_an_election)s AND cardinality(%(choices)s::bigint[]) <= poll.max_choices
            AND cardinality(%(choices)s::bigint[]) = (
                SELECT count(*) FROM {_table(standing)}
                WHERE {_column(standing, "poll")} = poll.id
                    AND {_column(standing, "candidate")} = ANY(%(choices)s::bigint[])
            )
        END AS yes
    FROM poll
),
vote AS (
    INSERT INTO {_table(VoteCast)} ({columns(VoteCast, "id", "poll", "participant")})
    SELECT %(vote_id)s, poll.id, voter.participant_id FROM poll, voter, eligible, valid
    WHERE poll.takes_ballots AND eligible.yes AND valid.yes
    ON CONFLICT ({columns(VoteCast, *one_vote.fields)}) DO NOTHING
    RETURNING {columns(VoteCast, "poll")} AS poll_id
),
ballot AS (
    INSERT INTO {_table(SealedBallot)} ({columns(SealedBallot, "id", "poll", "tag", "sealed")})
    SELECT %(ballot_id)s, vote.poll_id, %(tag)s, %(sealed)s
    FROM vote
    RETURNING 1
)
SELECT
    EXISTS (SELECT 1 FROM voter),
    EXISTS (SELECT 1 FROM poll),
    coalesce((SELECT takes_ballots FROM poll), false),
    (SELECT yes FROM eligible),
    coalesce((SELECT yes FROM valid), false),
    EXISTS (SELECT 1 FROM ballot)
"""  # noqa: S608 - names from the models; the values are bound by the server
    return sql, constants


def _cast_in_one_statement(by: str, voter_params: dict, poll_id: int, chosen: list[int], answer: str) -> str:
    sql, constants = _cast_statement(by)
    params = {
        **constants,
        **voter_params,
        "poll": poll_id,
        "choices": chosen,
        "fits_a_yes_no_vote": _fits_a_yes_no_vote(chosen, answer),
        "fits_an_election": _fits_an_election(chosen, answer),
    }
    for _attempt in range(5):
        receipt = _new_receipt()
        params.update(_sealed(poll_id, receipt, chosen, answer), vote_id=uuid.uuid4(), ballot_id=uuid.uuid4())
        try:
            row = _fetch_one(sql, params)
        except IntegrityError as error:
            if _constraint(error) == RECEIPT_CONSTRAINT:
                continue  # the receipt was drawn twice in this poll (a second vote writes nothing: not an error)
            raise
        found_voter, found_poll, takes_ballots, eligible, valid, cast = row
        if cast:
            return receipt
        if not found_voter:
            raise _NoVoter
        refusals = _refusals()
        if not found_poll:
            raise refusals["not_found"]
        if not takes_ballots:
            raise refusals["not_open"]
        if not eligible:
            raise refusals["not_eligible"]
        if not valid:
            ballot_check(poll=Poll.objects.get(pk=poll_id), choices=chosen, answer=answer)  # says what is wrong
            raise ValidationError(_("Choose among the candidates of this vote."))
        raise refusals["voted"]
    raise RuntimeError("no free receipt after five draws")


def _constraint(error: IntegrityError) -> str:
    diagnostics = getattr(error.__cause__, "diag", None)
    return getattr(diagnostics, "constraint_name", "") or ""


def _fetch_one(sql: str, params: dict) -> tuple:
    """Outside a transaction the statement is its own (autocommit); inside one, a savepoint lets a receipt drawn
    twice be drawn again."""
    savepoint = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with savepoint, _server_bound_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


# --- Closing, counting, lots, sign-off, publishing ----------------------------------------------------------------


def _count(poll: Poll, ballots: list[tuple[list[int], str]], *, settled: Sequence[int] = ()) -> dict:
    """Count with the pure module; the result as stored in ``Poll.result`` (JSON)."""
    candidate_ids = [candidate.pk for candidate in poll.candidates.order_by("position", "last_name", "pk")]
    try:
        if poll.kind == Poll.Kind.YES_NO:
            result = counting.count_yes_no([answer for _choices, answer in ballots], majority=poll.majority)
        elif poll.kind == Poll.Kind.SINGLE_MAJORITY:
            result = counting.count_single_majority(candidate_ids, [choices for choices, _answer in ballots])
        else:
            result = counting.count_multi_seat(
                candidate_ids, [choices for choices, _answer in ballots], seats=poll.seats, max_choices=poll.max_choices
            )
        if settled:
            result = counting.settle_tie(result, list(settled))
    except counting.CountingError as error:
        raise ValidationError(describe_counting_error(error)) from error
    return counting.result_to_json(result)


def _electronic_ballots(poll: Poll) -> list[tuple[list[int], str]]:
    return [
        (list(choices), answer) for choices, answer in Ballot.objects.filter(poll=poll).values_list("choices", "answer")
    ]


def _ballot_key_refusal(problem: str) -> ValidationError:
    if problem == "key changed":
        return ValidationError(
            _(
                "The ballots cannot be opened: the ballot key (KS_BALLOT_KEY, or SECRET_KEY when it is not set) has"
                " changed since this vote was opened. Set it back, or put the earlier key in KS_BALLOT_KEY_FALLBACKS,"
                " and close the vote again. The vote stays open and no ballot is lost."
            )
        )
    return ValidationError(
        _(
            "Some ballots cannot be opened with the ballot key: they have been altered in the database, or sealed with"
            " a key that is no longer configured. The vote stays open; nothing has been counted. Contact the"
            " developers."
        )
    )


def _unseal_and_store_in_random_order(poll: Poll) -> list[tuple[list[int], str]]:
    """Open the poll's sealed ballots, write them as ``Ballot`` rows in a random order with new keys, delete the
    sealed rows, and return the ballots for the count. Runs when the poll closes, under its lock, so no ballot is
    cast meanwhile; raises ValidationError (and changes nothing) when a ballot cannot be opened.

    The new rows share nothing with the sealed ones they come from but what is inside the encryption (the receipt,
    the choices, the answer): not their keys, not their order, not their transaction (``xmin``), which is the
    close's for all of them. Ballots stored in clear by a version before sealing (a poll open during the upgrade)
    are taken along and written again the same way.
    """
    sealed = list(SealedBallot.objects.filter(poll=poll).values_list("sealed", flat=True))
    try:
        opened = sealing.unseal_all(poll.pk, sealed, stored_check=poll.ballot_key_check)
    except sealing.BallotKeyError as error:
        raise _ballot_key_refusal(str(error)) from None
    rows = [(ballot.receipt, sorted(ballot.choices), ballot.answer) for ballot in opened]
    rows += [(receipt, list(choices), answer) for receipt, choices, answer in _in_clear(poll)]
    _shuffle(rows)
    SealedBallot.objects.filter(poll=poll).delete()
    Ballot.objects.filter(poll=poll).delete()
    Ballot.objects.bulk_create(
        (
            Ballot(id=uuid.uuid4(), poll=poll, receipt=receipt, choices=choices, answer=answer)
            for receipt, choices, answer in rows
        ),
        batch_size=500,
    )
    return [(choices, answer) for _receipt, choices, answer in rows]


def _in_clear(poll: Poll) -> list[tuple]:
    return list(Ballot.objects.filter(poll=poll).values_list("receipt", "choices", "answer"))


def _shuffle(rows: list) -> None:
    """The order the ballots are written in at the close (a test may make it repeatable)."""
    random.SystemRandom().shuffle(rows)


def _vacuum_ballot_tables() -> None:
    """After a close on PostgreSQL: VACUUM the sealed ballots' table (and the ballots'), so that the dead row
    versions of the sealed ballots, which still carry the transaction ids of the votes, are removed from the table
    and its indexes now rather than whenever autovacuum comes. Needs autocommit (it runs after the commit). It does
    not zero the freed space in the pages, remove a row version that an older snapshot still sees (a running
    ``pg_dump``), or reach the write-ahead log, replicas' own files or backups: what stays there is ciphertext. A
    failure (no privilege, a lock) is logged and changes nothing in the result."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    tables = ", ".join(_table(model) for model in (SealedBallot, Ballot))
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (INDEX_CLEANUP ON) {tables}")
    except DatabaseError:
        logger.warning("VACUUM of the ballot tables after a close failed", exc_info=True)


@transaction.atomic
def poll_close(*, poll: Poll, user: AbstractBaseUser | None) -> Poll:
    """Close the vote, open the sealed ballots and freeze the count. Waits for ballots being cast right now (they
    hold a shared lock). A ballot key that cannot open the ballots leaves the poll open with a clear message."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.state != Poll.State.OPEN:
        raise ValidationError(_("Only an open poll can be closed."))
    ballots = _unseal_and_store_in_random_order(poll)
    voted = VoteCast.objects.filter(poll=poll).count()
    if voted != len(ballots):  # cannot happen: both are written in one transaction
        raise ValidationError(
            _("%(voted)d voted but there are %(ballots)d ballots; the poll stays open. Contact the developers.")
            % {"voted": voted, "ballots": len(ballots)}
        )
    poll.result = {**_count(poll, ballots), "voted": voted, "eligible": poll.eligible_count}
    poll.state = Poll.State.CLOSED
    poll.closed_at = timezone.now()
    poll.closed_by = user
    poll.save(update_fields=["result", "state", "closed_at", "closed_by"])
    transaction.on_commit(_vacuum_ballot_tables)
    return poll


def _paper_ballots(poll: Poll, *, counts: dict[int, int], blank: int, valid: int) -> list[tuple[list[int], str]]:
    """Ballots that add up to the entered counts (vote i on ballot i mod valid: nobody twice on one ballot)."""
    if poll.kind == Poll.Kind.YES_NO:
        return [([], answer) for answer in YES_NO_ANSWERS for _vote in range(counts.get(answer, 0))]
    votes = [candidate for candidate, count in sorted(counts.items()) for _vote in range(count)]
    ballots: list[list[int]] = [[] for _ballot in range(valid)]
    for index, candidate in enumerate(votes):
        ballots[index % valid].append(candidate)
    return [(choices, "") for choices in ballots] + [([], "") for _ballot in range(blank)]


@transaction.atomic
def paper_count_enter(
    *,
    poll: Poll,
    counts: dict,
    blank: int,
    user: AbstractBaseUser | None,
    valid_ballots: int | None = None,
    rejected: int = 0,
) -> Poll:
    """Enter the counts of a paper ballot; the poll is then closed with them, like an electronic one.

    ``counts`` maps candidate ids (or "yes"/"no"/"abstain") to votes. For several seats, ``valid_ballots`` is the
    number of non-blank ballots (each may name several candidates).
    """
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.mode != Poll.Mode.PAPER or poll.state not in (Poll.State.DRAFT, Poll.State.CLOSED):
        raise ValidationError(_("Counts can be entered for a paper ballot that is not published."))
    if any(int(value) < 0 for value in counts.values()) or blank < 0 or rejected < 0:
        raise ValidationError(_("Counts cannot be negative."))
    if poll.kind == Poll.Kind.YES_NO:
        counts = {answer: int(counts.get(answer, 0)) for answer in YES_NO_ANSWERS}
        valid = sum(counts.values())
    else:
        standing = set(poll.candidates.values_list("pk", flat=True))
        counts = {int(key): int(value) for key, value in counts.items()}
        if set(counts) - standing:
            raise ValidationError(_("Enter counts for the candidates of this vote only."))
        total = sum(counts.values())
        valid = valid_ballots if valid_ballots is not None and poll.kind == Poll.Kind.MULTI_SEAT else total
        if poll.kind == Poll.Kind.MULTI_SEAT:
            if valid_ballots is None:
                raise ValidationError({"valid_ballots": _("Enter the number of ballots that name candidates.")})
            if total < valid:
                raise ValidationError(
                    _(
                        "%(valid)d ballots name candidates, but there are only %(total)d votes: each of those ballots"
                        " holds at least one vote. Count blank ballots separately."
                    )
                    % {"valid": valid, "total": total}
                )
            if any(count > valid for count in counts.values()) or total > valid * poll.max_choices:
                raise ValidationError(
                    _(
                        "The counts do not fit %(valid)d ballots of at most %(max)d names each: a candidate cannot"
                        " have more votes than there are ballots."
                    )
                    % {"valid": valid, "max": poll.max_choices}
                )
    ballots = _paper_ballots(poll, counts=counts, blank=blank, valid=valid)
    PaperCount.objects.update_or_create(
        poll=poll,
        defaults={
            "counts": {str(key): value for key, value in counts.items()},
            "blank": blank,
            "rejected": rejected,
            "entered_by": user,
        },
    )
    LotDrawing.objects.filter(poll=poll).delete()
    SignOff.objects.filter(poll=poll).delete()  # new counts must be checked again
    poll.result = {**_count(poll, ballots), "voted": len(ballots) + rejected, "rejected": rejected, "eligible": None}
    poll.state = Poll.State.CLOSED
    poll.closed_at = timezone.now()
    poll.closed_by = user
    poll.save(update_fields=["result", "state", "closed_at", "closed_by"])
    return poll


@transaction.atomic
def poll_settle_tie(
    *, poll: Poll, winners: Sequence[int], drawn_by: str, witnesses: str = "", user: AbstractBaseUser | None
) -> Poll:
    """Record the drawing of lots that settles the tie of a closed poll, and count again with it."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    tie = (poll.result or {}).get("tie")
    if poll.state != Poll.State.CLOSED or not tie:
        raise ValidationError(_("There is no tie to settle."))
    if not drawn_by.strip():
        raise ValidationError({"drawn_by": _("Say who drew the lots.")})
    if poll.mode == Poll.Mode.ELECTRONIC:
        ballots = _electronic_ballots(poll)
    else:
        paper = poll.paper_count
        counts = {int(key) if key.isdigit() else key: value for key, value in paper.counts.items()}
        valid = poll.result.get("valid", sum(counts.values()))
        ballots = _paper_ballots(poll, counts=counts, blank=paper.blank, valid=valid)
    settled = _count(poll, ballots, settled=winners)
    LotDrawing.objects.create(
        poll=poll,
        tied=tie,
        winners=list(winners),
        drawn_by=drawn_by.strip(),
        witnesses=witnesses.strip(),
        recorded_by=user,
    )
    poll.result = {**poll.result, **settled, "lot": {"winners": list(winners), "drawn_by": drawn_by.strip()}}
    poll.save(update_fields=["result"])
    return poll


@transaction.atomic
def poll_sign_off(*, poll: Poll, user: AbstractBaseUser) -> SignOff:
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.state != Poll.State.CLOSED:
        raise ValidationError(_("Only a closed poll can be signed off."))
    if (poll.result or {}).get("tie"):
        raise ValidationError(_("Settle the tie by drawing lots before signing off."))
    sign_off, _created = SignOff.objects.get_or_create(poll=poll, user=user)
    return sign_off


@transaction.atomic
def poll_publish(*, poll: Poll, user: AbstractBaseUser | None) -> Poll:
    """Publish a closed, signed-off result. A yes/no vote on a registered subject records its outcome there."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.state != Poll.State.CLOSED:
        raise ValidationError(_("Only a closed poll can be published."))
    if (poll.result or {}).get("tie"):
        raise ValidationError(_("Settle the tie by drawing lots before publishing."))
    needed = required_sign_offs()
    if poll.sign_offs.count() < needed:
        raise ValidationError(
            _("The result needs %(needed)d sign-offs by officials before it is published.") % {"needed": needed}
        )
    poll.state = Poll.State.PUBLISHED
    poll.published_at = timezone.now()
    poll.published_by = user
    poll.save(update_fields=["state", "published_at", "published_by"])
    if poll.kind == Poll.Kind.YES_NO and poll.subject_key:
        decisions.record_outcome(key=poll.subject_key, adopted=bool(poll.result.get("adopted")), user=user)
    return poll
