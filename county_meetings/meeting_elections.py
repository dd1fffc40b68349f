"""The county meeting's elections (issue 16, parts 5 and 6): setting up its standard elections in the poll engine,
reading their outcome, the gender balance of the elected county board, and the transfer of the delegates and deputies
it elected into the Landsting's delegation of its county.

A county meeting's elections are ordinary ``elections.Election`` rows of the meeting's congress: candidates are
entered in the elections' admin and the votes run on the officials' desk, exactly as the Landsting's. What is the
county meeting's own is here:

- ``meeting_elections_create``: the five standard elections, idempotently: the municipalities' delegates to the
  Landsting (as many seats as the Landsting's delegate key gives the county's municipalities), their ranked deputies
  (as many as delegates unless staff say otherwise), and the county board's leader, deputy leader and other members
  (the board's size as the meeting decides, 7 to 15, leader and deputy leader included).
- ``meeting_transfer_to_landsting``: the elected delegates and deputies become participants of the Landsting,
  elected by the county meeting, after every check has passed; refused with the whole list of problems, writing
  nothing, when one fails. One ``TransferredDelegate`` per candidate makes a second run create nobody twice.

Decisions taken here (see the page and the README):

- The Landsting is the first one (kind "landsting") that starts on or after the meeting's first day and whose delegate
  key has an allocation for the county; the county's final seats are split with ``DelegateKey.split_seats``, and the
  municipalities' part is the number of delegates the meeting elects.
- Deputies are ranked by their votes, most first. Equal votes at the edge of the elected were settled by the engine's
  drawing of lots, and those drawn keep the drawing's order; otherwise equal votes keep the order of the candidate
  list (the election committee's proposal).
- A Landsting delegate or deputy of the county "elected by the county meeting" who did not come from this transfer
  (entered by hand earlier, withdrawn ones too, since a deputy's rank stays taken) is a problem that stops the
  transfer: the office removes or corrects them first, so that the delegation is never counted twice.
- The leader of the county board, and only the leader (the statutes: "fylkesstyrelederne ... er automatisk
  medlemmer" of the landsstyre), becomes the county's member by virtue of office in the Landsting's landsstyre
  election. Without such an election, or once it has been voted on, the result says so; it does not stop the
  delegates.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as noop
from django.utils.translation import ngettext

from agenda.models import AgendaItem, Congress
from county_meetings import composition
from county_meetings.models import CountyMeeting, TransferredDelegate
from delegates.models import DelegateKey, Organisation, Participant, SeatAllocation
from delegates.selectors import county_visible_to
from elections.models import AutomaticMember, Candidate, Election, Poll

Office = Election.Office
Method = Election.Method

#: The standard elections of a county meeting, in the order of the agenda: (office, method, title). The titles are
#: stored in the site's language (bokmål), like the titles the secretariat types.
STANDARD_ELECTIONS = (
    (Office.LANDSTING_DELEGATE, Method.MULTI_SEAT, noop("Election of the municipalities' delegates to the Landsting")),
    (Office.LANDSTING_DEPUTY, Method.MULTI_SEAT, noop("Election of the municipalities' deputies to the Landsting")),
    (Office.COUNTY_BOARD_LEADER, Method.SINGLE_MAJORITY, noop("Election of the leader of the county board")),
    (
        Office.COUNTY_BOARD_DEPUTY_LEADER,
        Method.SINGLE_MAJORITY,
        noop("Election of the deputy leader of the county board"),
    ),
    (Office.COUNTY_BOARD_MEMBER, Method.MULTI_SEAT, noop("Election of the other members of the county board")),
)
STANDARD_OFFICES = tuple(office for office, _method, _title in STANDARD_ELECTIONS)
BOARD_OFFICES = (Office.COUNTY_BOARD_LEADER, Office.COUNTY_BOARD_DEPUTY_LEADER, Office.COUNTY_BOARD_MEMBER)
BOARD_MIN, BOARD_MAX = 7, 15
MAX_DEPUTIES = 200


def _names(names: list[str]) -> str:
    return get_text_list(names, _("and"))


# --- Reads ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LandstingSeats:
    """The Landsting the meeting elects delegates to, and the county's seats there; ``problem`` says why there are
    none to go by (then the other fields may be empty)."""

    landsting: Congress | None
    allocation: SeatAllocation | None = None
    seats: int = 0  # the county's final seats
    county_municipality_seats: int = 0
    municipal_seats: int = 0  # what the county meeting elects
    single_delegation: bool = False
    problem: str = ""


def meeting_landsting_seats(meeting: CountyMeeting) -> LandstingSeats:
    """The first Landsting starting on or after the meeting whose delegate key has an allocation for the meeting's
    county, with the county's seats split between the county municipality and the municipalities."""
    county = meeting.county
    landstings = list(
        Congress.objects.filter(kind=Congress.Kind.LANDSTING, first_day__gte=meeting.congress.first_day).order_by(
            "first_day", "pk"
        )
    )
    if not landstings:
        return LandstingSeats(
            landsting=None, problem=_("There is no Landsting after this county meeting to elect delegates to.")
        )
    allocations = {
        allocation.key.congress_id: allocation
        for allocation in SeatAllocation.objects.filter(
            county=county, key__congress__in=landstings, key__computed_at__isnull=False
        ).select_related("key")
    }
    landsting = next((congress for congress in landstings if congress.pk in allocations), None)
    if landsting is None:
        return LandstingSeats(
            landsting=landstings[0],
            problem=_(
                "The delegate key of %(landsting)s has no computed seats for %(county)s yet: the secretariat "
                "computes the allocation first."
            )
            % {"landsting": landstings[0], "county": county.name},
        )
    allocation = allocations[landsting.pk]
    key: DelegateKey = allocation.key
    single = Organisation.objects.filter(county=county, kind=Organisation.Kind.MUNICIPALITY_AND_COUNTY).exists()
    county_part, municipal_part = key.split_seats(allocation.final_seats, single_delegation=single)
    problem = ""
    if municipal_part < 1:
        problem = _("The allocation of %(landsting)s gives the municipalities of %(county)s no seats.") % {
            "landsting": landsting,
            "county": county.name,
        }
    return LandstingSeats(
        landsting=landsting,
        allocation=allocation,
        seats=allocation.final_seats,
        county_municipality_seats=county_part,
        municipal_seats=municipal_part,
        single_delegation=single,
        problem=problem,
    )


def meeting_elections(meeting: CountyMeeting) -> list[Election]:
    """Every election of the meeting's congress in order, with ``candidates_list`` (organisation, county and linked
    participant loaded), ``polls_list`` (by round) and ``automatic_list``. Four queries, whatever their number."""
    return list(
        Election.objects.filter(congress_id=meeting.congress_id)
        .prefetch_related(
            Prefetch(
                "candidates",
                queryset=Candidate.objects.select_related(
                    "organisation", "county", "participant__organisation"
                ).order_by("position", "last_name", "first_name", "pk"),
                to_attr="candidates_list",
            ),
            Prefetch("polls", queryset=Poll.objects.order_by("round", "pk"), to_attr="polls_list"),
            Prefetch("automatic_members", queryset=AutomaticMember.objects.order_by("reason", "name")),
        )
        .order_by("position", "pk")
    )


@dataclass(frozen=True)
class Elected:
    candidate: Candidate
    votes: int


@dataclass(frozen=True)
class Outcome:
    """What an election has decided, as far as it is published.

    ``state``: ``no_vote`` (no poll created), ``running`` (a poll not yet published), ``undecided`` (published, but a
    run-off is still to come) or ``published`` (decided, ``elected`` in rank order)."""

    election: Election
    state: str
    elected: tuple[Elected, ...] = ()
    poll: Poll | None = None  # the poll that decided it, or the latest one
    published_on: datetime.date | None = None

    @property
    def decided(self) -> bool:
        return self.state == "published"

    @property
    def description(self) -> str:
        if self.state == "no_vote":
            return _("No vote has been created yet.")
        if self.state == "running":
            return _("The vote is not published yet (%(state)s).") % {"state": self.poll.get_state_display()}
        if self.state == "undecided":
            return _("Published without a winner: a run-off is still to come.")
        if not self.elected:
            return _("Published: nobody is elected.")
        return _("Elected: %(names)s.") % {"names": _names([e.candidate.full_name for e in self.elected])}


def _rank_key(candidate: Candidate, votes: int, lot_order: list) -> tuple:
    drawn = lot_order.index(candidate.pk) if candidate.pk in lot_order else len(lot_order)
    return (-votes, drawn, candidate.position, candidate.last_name, candidate.first_name, candidate.pk)


def election_outcome(election: Election) -> Outcome:
    """The published outcome of ``election`` (loaded by :func:`meeting_elections`): the elected in rank order (most
    votes first; equal votes in the order a drawing of lots gave, else in the order of the candidate list)."""
    polls = getattr(election, "polls_list", None)
    if polls is None:
        polls = list(election.polls.order_by("round", "pk"))
    if not polls:
        return Outcome(election=election, state="no_vote")
    poll = polls[-1]  # a run-off is the latest round
    if poll.state != Poll.State.PUBLISHED:
        return Outcome(election=election, state="running", poll=poll)
    result = poll.result or {}
    elected = result.get("elected")
    elected_ids = elected if isinstance(elected, list) else [] if elected is None else [elected]
    if poll.kind == Poll.Kind.SINGLE_MAJORITY and not elected_ids:
        return Outcome(election=election, state="undecided", poll=poll)
    votes = dict(zip(result.get("candidates", []), result.get("votes", []), strict=False))
    lot_order = list((result.get("lot") or {}).get("winners") or [])
    candidates = getattr(election, "candidates_list", None)
    if candidates is None:
        candidates = list(election.candidates.select_related("organisation", "county", "participant"))
    by_id = {candidate.pk: candidate for candidate in candidates}
    chosen = [by_id[pk] for pk in elected_ids if pk in by_id]
    chosen.sort(key=lambda candidate: _rank_key(candidate, votes.get(candidate.pk, 0), lot_order))
    published_on = timezone.localdate(poll.published_at) if poll.published_at else None
    return Outcome(
        election=election,
        state="published",
        elected=tuple(Elected(candidate=c, votes=votes.get(c.pk, 0)) for c in chosen),
        poll=poll,
        published_on=published_on,
    )


@dataclass(frozen=True)
class GenderRow:
    gender: str
    label: str
    count: int
    percent: Decimal | None  # one decimal; None with nobody elected
    below: bool  # a ruled gender below 40 %


@dataclass(frozen=True)
class BoardBalance:
    """The gender balance of the county board elected so far (leader, deputy leader and members, from the published
    polls)."""

    seats: int | None  # the board's size as decided, or None
    elected: int
    complete: bool  # every board election is decided and the board is full
    rows: tuple[GenderRow, ...]
    holds: bool | None  # None with nobody elected
    missing: tuple[str, ...]  # the board elections not decided yet, by title


def county_board_balance(meeting: CountyMeeting, elections: list[Election] | None = None) -> BoardBalance:
    """Each gender's share of the elected county board, flagged below 40 % (``county_meetings.composition``)."""
    if elections is None:
        elections = meeting_elections(meeting)
    members: list[Candidate] = []
    missing: list[str] = []
    offices_seen = set()
    for election in elections:
        if election.office not in BOARD_OFFICES:
            continue
        offices_seen.add(election.office)
        outcome = election_outcome(election)
        if outcome.decided:
            members.extend(e.candidate for e in outcome.elected)
        else:
            missing.append(election.title)
    balance = composition.gender_balance(
        [c.gender or (c.participant.gender if c.participant_id else "") for c in members]
    )
    labels = dict(Participant.Gender.choices)
    rows = tuple(
        GenderRow(
            gender=str(share.gender),
            label=str(labels.get(str(share.gender), share.gender)),
            count=share.count,
            percent=composition.percent(share.share) if share.share is not None else None,
            below=share.meets_minimum is False,
        )
        for share in balance.shares
    )
    complete = (
        not missing
        and offices_seen == set(BOARD_OFFICES)
        and meeting.county_board_seats is not None
        and len(members) == meeting.county_board_seats
    )
    return BoardBalance(
        seats=meeting.county_board_seats,
        elected=len(members),
        complete=complete,
        rows=rows,
        holds=balance.holds,
        missing=tuple(missing),
    )


def meeting_transfers(meeting: CountyMeeting) -> list[TransferredDelegate]:
    """The people transferred from the meeting to the Landsting, delegates first, deputies by rank. One query."""
    return list(
        TransferredDelegate.objects.filter(meeting=meeting)
        .select_related("participant__organisation", "participant__congress", "candidate", "transferred_by")
        .order_by("participant__role", "participant__deputy_rank", "participant__last_name", "pk")
    )


# --- Setting up the elections --------------------------------------------------------------------------------------


@dataclass
class ElectionsSetUp:
    created: list[Election] = field(default_factory=list)
    changed: list[Election] = field(default_factory=list)
    kept: list[Election] = field(default_factory=list)
    landsting: Congress | None = None


def _lock_meeting(meeting: CountyMeeting) -> CountyMeeting:
    return CountyMeeting.objects.select_for_update(of=("self",)).select_related("congress", "county").get(pk=meeting.pk)


@transaction.atomic
def meeting_elections_create(
    *,
    meeting: CountyMeeting,
    user: AbstractBaseUser,
    deputies: int | None = None,
    board_seats: int | None = None,
) -> ElectionsSetUp:
    """Create the meeting's standard elections in its congress, or bring them up to date: running it again creates
    nothing twice. ``deputies`` (default: as many as the delegates, or the number set before) is the number of ranked
    deputies; ``board_seats`` (7 to 15) records the board's size the meeting decided. An election whose vote has been
    created keeps its seats. Refused in words without the Landsting's seats for the county or the board's size."""
    meeting = _lock_meeting(meeting)
    if not county_visible_to(user, meeting.county):
        raise ValidationError(_("This county meeting belongs to another regional office."))
    seats = meeting_landsting_seats(meeting)
    if seats.problem:
        raise ValidationError(seats.problem)
    existing: dict[str, list[Election]] = {}
    for election in Election.objects.filter(congress_id=meeting.congress_id, office__in=STANDARD_OFFICES).order_by(
        "position", "pk"
    ):
        existing.setdefault(election.office, []).append(election)
    errors: dict[str, list[str]] = {}

    if board_seats is not None:
        if not BOARD_MIN <= board_seats <= BOARD_MAX:
            errors.setdefault("board_seats", []).append(
                _("The county board has 7 to 15 members, the leader and the deputy leader included.")
            )
    elif meeting.county_board_seats is None:
        errors.setdefault("board_seats", []).append(
            _("The meeting has not decided the size of its county board (7 to 15 members): enter it.")
        )
    board_size = board_seats if board_seats is not None else meeting.county_board_seats

    deputy_elections = existing.get(Office.LANDSTING_DEPUTY, [])
    if deputies is None:
        deputies = deputy_elections[0].seats if deputy_elections else seats.municipal_seats
    if not 1 <= deputies <= MAX_DEPUTIES:
        errors.setdefault("deputies", []).append(_("Enter between 1 and %(max)d deputies.") % {"max": MAX_DEPUTIES})
    if errors:
        raise ValidationError(errors)

    wanted_seats = {
        Office.LANDSTING_DELEGATE: seats.municipal_seats,
        Office.LANDSTING_DEPUTY: deputies,
        Office.COUNTY_BOARD_LEADER: 1,
        Office.COUNTY_BOARD_DEPUTY_LEADER: 1,
        Office.COUNTY_BOARD_MEMBER: board_size - 2,
    }
    # Seats cannot change once the vote of an election exists (as in the elections' admin).
    for office, _method, _title in STANDARD_ELECTIONS:
        for election in existing.get(office, []):
            if election.seats != wanted_seats[office] and election.polls.exists():
                if office == Office.COUNTY_BOARD_MEMBER:
                    errors.setdefault("board_seats", []).append(
                        _(
                            "The vote of “%(title)s” has been created for %(seats)d seats; the board's size can no "
                            "longer change."
                        )
                        % {"title": election.title, "seats": election.seats}
                    )
                elif office == Office.LANDSTING_DEPUTY:
                    errors.setdefault("deputies", []).append(
                        _(
                            "The vote of “%(title)s” has been created for %(seats)d seats; the number of deputies "
                            "can no longer change."
                        )
                        % {"title": election.title, "seats": election.seats}
                    )
                else:
                    errors.setdefault(NON_FIELD_ERRORS, []).append(
                        _(
                            "The vote of “%(title)s” has been created for %(seats)d seats, but it should now have "
                            "%(wanted)d; its seats can no longer change."
                        )
                        % {"title": election.title, "seats": election.seats, "wanted": wanted_seats[office]}
                    )
    if errors:
        raise ValidationError(errors)

    if board_seats is not None and meeting.county_board_seats != board_seats:
        meeting.county_board_seats = board_seats
        meeting.save(update_fields=["county_board_seats"])

    agenda_item = (
        AgendaItem.objects.filter(congress_id=meeting.congress_id, kind=AgendaItem.Kind.ELECTIONS)
        .order_by("number")
        .first()
    )
    taken_titles = set(Election.objects.filter(congress_id=meeting.congress_id).values_list("title", flat=True))
    done = ElectionsSetUp(landsting=seats.landsting)
    for position, (office, method, english_title) in enumerate(STANDARD_ELECTIONS, start=1):
        found = existing.get(office, [])
        if found:
            for election in found:
                if election.seats != wanted_seats[office]:
                    election.seats = wanted_seats[office]
                    election.save(update_fields=["seats"])
                    done.changed.append(election)
                else:
                    done.kept.append(election)
            continue
        with translation.override(settings.LANGUAGE_CODE):
            title = _(english_title)
        if title in taken_titles:
            raise ValidationError(
                _("The congress already has an election titled “%(title)s” for another office: rename it first.")
                % {"title": title}
            )
        election = Election.objects.create(
            congress_id=meeting.congress_id,
            office=office,
            title=title,
            seats=wanted_seats[office],
            method=method,
            position=position,
            agenda_item=agenda_item,
        )
        done.created.append(election)
    return done


# --- The transfer into the Landsting -------------------------------------------------------------------------------


@dataclass
class TransferRow:
    """One person the transfer makes (or made) a participant of the Landsting."""

    candidate: Candidate
    role: str  # Participant.Role.DELEGATE or DEPUTY
    rank: int | None  # the deputy's rank, 1 first
    votes: int
    first_name: str
    last_name: str
    email: str
    mobile: str
    gender: str
    party: str
    position: str
    organisation: Organisation | None
    elected_on: datetime.date | None
    participant: Participant | None = None  # the Landsting participant, once transferred
    already: bool = False  # transferred by an earlier run
    adopts: Participant | None = None  # entered by hand before with the same e-mail: taken over, not made again

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def role_label(self) -> str:
        return str(Participant.Role(self.role).label)


@dataclass
class BoardLeaderNote:
    """What happens to the county board's leader in the Landsting's landsstyre election."""

    text: str
    candidate: Candidate | None = None
    election: Election | None = None  # the landsstyre election to add the leader to, when that can be done
    done: bool = False  # the leader is already the county's member by virtue of office there


@dataclass
class TransferResult:
    meeting: CountyMeeting
    landsting: Congress | None
    municipal_seats: int
    rows: list[TransferRow]
    problems: list[str]
    board_leader: BoardLeaderNote | None
    dry_run: bool
    created: list[Participant] = field(default_factory=list)
    automatic_member: AutomaticMember | None = None

    @property
    def delegates(self) -> list[TransferRow]:
        return [row for row in self.rows if row.role == Participant.Role.DELEGATE]

    @property
    def deputies(self) -> list[TransferRow]:
        return [row for row in self.rows if row.role == Participant.Role.DEPUTY]

    @property
    def to_create(self) -> list[TransferRow]:
        return [row for row in self.rows if not row.already]

    @property
    def already_transferred(self) -> list[TransferRow]:
        return [row for row in self.rows if row.already]

    @property
    def adopted(self) -> list[TransferRow]:
        return [row for row in self.rows if not row.already and row.adopts is not None]

    @property
    def ok(self) -> bool:
        return not self.problems


def _row(
    candidate: Candidate, *, role: str, rank: int | None, votes: int, elected_on: datetime.date | None
) -> TransferRow:
    person = candidate.participant
    return TransferRow(
        candidate=candidate,
        role=role,
        rank=rank,
        votes=votes,
        first_name=candidate.first_name.strip(),
        last_name=candidate.last_name.strip(),
        email=(person.email.strip() if person is not None else ""),
        mobile=(person.mobile.strip() if person is not None else ""),
        gender=candidate.gender or (person.gender if person is not None else ""),
        party=candidate.party.strip() or (person.party.strip() if person is not None else ""),
        position=(person.position if person is not None else ""),
        organisation=candidate.organisation or (person.organisation if person is not None else None),
        elected_on=elected_on,
    )


def _one_election(elections: list[Election], office: str, problems: list[str]) -> Election | None:
    found = [election for election in elections if election.office == office]
    if not found:
        problems.append(
            _("The meeting has no election of “%(office)s”: create the standard elections first.")
            % {"office": Office(office).label}
        )
        return None
    if len(found) > 1:
        problems.append(
            _(
                "The meeting has %(count)d elections of “%(office)s” (%(titles)s); the transfer cannot tell which "
                "counts."
            )
            % {"count": len(found), "office": Office(office).label, "titles": _names([e.title for e in found])}
        )
        return None
    return found[0]


def _decided(election: Election | None, problems: list[str]) -> Outcome | None:
    if election is None:
        return None
    outcome = election_outcome(election)
    if outcome.decided:
        return outcome
    problems.append(
        _("“%(title)s” is not decided and published: %(state)s")
        % {"title": election.title, "state": outcome.description}
    )
    return None


def _transfer_plan(meeting: CountyMeeting) -> TransferResult:
    """Everything the transfer would do and every problem that stops it, without writing."""
    problems: list[str] = []
    seats = meeting_landsting_seats(meeting)
    result = TransferResult(
        meeting=meeting,
        landsting=seats.landsting,
        municipal_seats=seats.municipal_seats,
        rows=[],
        problems=problems,
        board_leader=None,
        dry_run=True,
    )
    if seats.problem:
        problems.append(seats.problem)
        return result
    landsting = seats.landsting
    elections = meeting_elections(meeting)
    delegates = _decided(_one_election(elections, Office.LANDSTING_DELEGATE, problems), problems)
    deputies = _decided(_one_election(elections, Office.LANDSTING_DEPUTY, problems), problems)
    fallback_day = meeting.congress.last_day

    rows: list[TransferRow] = []
    if delegates is not None:
        for elected in delegates.elected:
            rows.append(
                _row(
                    elected.candidate,
                    role=Participant.Role.DELEGATE,
                    rank=None,
                    votes=elected.votes,
                    elected_on=delegates.published_on or fallback_day,
                )
            )
    if deputies is not None:
        for rank, elected in enumerate(deputies.elected, start=1):
            rows.append(
                _row(
                    elected.candidate,
                    role=Participant.Role.DEPUTY,
                    rank=rank,
                    votes=elected.votes,
                    elected_on=deputies.published_on or fallback_day,
                )
            )
    result.rows = rows

    transferred = {
        record.candidate_id: record
        for record in TransferredDelegate.objects.filter(meeting=meeting).select_related("participant")
    }
    for row in rows:
        record = transferred.get(row.candidate.pk)
        if record is not None:
            row.already, row.participant = True, record.participant

    # The numbers against the allocation.
    if delegates is not None:
        count = len(result.delegates)
        values = {"count": count, "seats": seats.municipal_seats, "landsting": landsting, "county": meeting.county.name}
        if count > seats.municipal_seats:
            problems.append(
                _(
                    "Too many delegates: %(count)d elected, but %(landsting)s gives the municipalities of %(county)s "
                    "%(seats)d seats."
                )
                % values
            )
        elif count < seats.municipal_seats:
            problems.append(
                _(
                    "Too few delegates: %(count)d elected, but %(landsting)s gives the municipalities of %(county)s "
                    "%(seats)d seats."
                )
                % values
            )

    # Each person's record.
    for row in rows:
        if row.already:
            continue
        values = {"name": row.full_name, "role": row.role_label.lower()}
        person = row.candidate.participant
        if person is not None and person.congress_id != meeting.congress_id:
            problems.append(
                _("%(name)s (%(role)s) is linked to a participant of another congress, not of this meeting.") % values
            )
        if not row.email:
            problems.append(
                _("%(name)s (%(role)s) has no e-mail address: link the candidate to the meeting's participant.")
                % values
                if person is None
                else _("%(name)s (%(role)s) has no e-mail address: add it to the meeting's participant.") % values
            )
        if not row.gender:
            problems.append(_("%(name)s (%(role)s) has no gender.") % values)
        if row.organisation is None:
            problems.append(_("%(name)s (%(role)s) has no organisation.") % values)
        elif row.organisation.county_id != meeting.county_id or row.organisation.kind not in (
            Organisation.MUNICIPAL_KINDS
        ):
            problems.append(
                _("%(name)s (%(role)s) is from %(organisation)s, which is not a municipality of %(county)s.")
                % {**values, "organisation": row.organisation.name, "county": meeting.county.name}
            )

    # The same person twice.
    seen: dict[str, TransferRow] = {}
    for row in rows:
        keys = {f"candidate:{row.candidate.participant_id}"} if row.candidate.participant_id else set()
        if row.email:
            keys.add(f"email:{row.email.casefold()}")
        twice = next((seen[key] for key in keys if key in seen), None)
        if twice is not None:
            problems.append(
                _("%(name)s is elected twice, as %(first)s and as %(second)s.")
                % {"name": row.full_name, "first": twice.role_label.lower(), "second": row.role_label.lower()}
            )
        for key in keys:
            seen.setdefault(key, row)

    # The Landsting's participants: someone entered by hand before is taken over (by e-mail, in the county's part
    # elected by the county meeting); otherwise an address in use, and a delegation entered by hand, stop it.
    new_emails = {row.email.casefold(): row for row in rows if not row.already and row.email}
    transferred_ids = [record.participant_id for record in transferred.values()]
    entered_before = (
        Participant.objects.filter(
            congress=landsting,
            county=meeting.county,
            elected_by=Participant.ElectedBy.COUNTY_MEETING,
            role__in=[Participant.Role.DELEGATE, Participant.Role.DEPUTY],
            status=Participant.Status.ACTIVE,
        )
        .exclude(pk__in=transferred_ids)
        .exclude(email="")
        .select_related("acting_deputy")
    )
    for participant in entered_before:
        row = new_emails.pop(participant.email.casefold(), None)
        if row is None:
            continue
        row.adopts = participant
        substituted = participant.acting_for_id is not None or getattr(participant, "acting_deputy", None) is not None
        if participant.role != row.role and substituted:
            problems.append(
                _(
                    "%(name)s is at %(landsting)s as %(old)s with a substitution recorded, and is elected %(new)s: "
                    "undo the substitution first."
                )
                % {
                    "name": row.full_name,
                    "landsting": landsting,
                    "old": Participant.Role(participant.role).label.lower(),
                    "new": row.role_label.lower(),
                }
            )
    transferred_ids += [row.adopts.pk for row in rows if row.adopts is not None]
    if new_emails:
        taken = (
            Participant.objects.filter(congress=landsting)
            .annotate(email_folded=Lower("email"))
            .filter(email_folded__in=[email.lower() for email in new_emails])
            .only("first_name", "last_name", "email", "county_id")
        )
        for participant in taken:
            row = new_emails.get(participant.email.casefold())
            if row is None:
                continue
            values = {"name": row.full_name, "email": row.email, "landsting": landsting}
            if participant.county_id == meeting.county_id:
                problems.append(
                    _("%(name)s's e-mail address %(email)s is already used by %(other)s at %(landsting)s.")
                    % (values | {"other": participant.full_name})
                )
            else:  # another county's participant: the meeting's office does not learn who
                problems.append(
                    _(
                        "%(name)s's e-mail address %(email)s is already used by a participant of another county at "
                        "%(landsting)s."
                    )
                    % values
                )
    by_hand = list(
        Participant.objects.filter(
            congress=landsting,
            county=meeting.county,
            elected_by=Participant.ElectedBy.COUNTY_MEETING,
            role__in=[Participant.Role.DELEGATE, Participant.Role.DEPUTY],
        )
        .exclude(pk__in=transferred_ids)
        .order_by("role", "deputy_rank", "last_name", "first_name")
    )
    if by_hand:
        problems.append(
            ngettext(
                "The delegation of %(county)s at %(landsting)s already has %(count)d delegate or deputy elected by the "
                "county meeting that did not come from this transfer (%(names)s): remove or correct it first.",
                "The delegation of %(county)s at %(landsting)s already has %(count)d delegates or deputies elected by "
                "the county meeting that did not come from this transfer (%(names)s): remove or correct them first.",
                len(by_hand),
            )
            % {
                "county": meeting.county.name,
                "landsting": landsting,
                "count": len(by_hand),
                "names": _names([person.full_name for person in by_hand]),
            }
        )

    result.board_leader = _board_leader_note(meeting, elections, landsting)
    return result


def _board_leader_note(meeting: CountyMeeting, elections: list[Election], landsting: Congress) -> BoardLeaderNote:
    leader_elections = [e for e in elections if e.office == Office.COUNTY_BOARD_LEADER]
    outcome = election_outcome(leader_elections[0]) if len(leader_elections) == 1 else None
    if outcome is None or not outcome.decided or not outcome.elected:
        return BoardLeaderNote(
            text=_(
                "The leader of the county board is not elected (published) yet, so nobody is added to the "
                "landsstyre election."
            )
        )
    leader = outcome.elected[0].candidate
    landsstyre = (
        Election.objects.filter(congress=landsting, office=Office.LANDSSTYRE_MEMBER)
        .prefetch_related("polls")
        .order_by("position", "pk")
        .first()
    )
    values = {"name": leader.full_name, "landsting": landsting}
    if landsstyre is None:
        return BoardLeaderNote(
            text=_(
                "%(landsting)s has no landsstyre election yet: %(name)s, the leader of the county board, is added "
                "to it by a later transfer once it exists."
            )
            % values,
            candidate=leader,
        )
    values["election"] = landsstyre.title
    if any(poll.state != Poll.State.DRAFT for poll in landsstyre.polls.all()):
        return BoardLeaderNote(
            text=_(
                "“%(election)s” has already been voted on, so its members by virtue of office are not changed "
                "(%(name)s, the leader of the county board, is not added)."
            )
            % values,
            candidate=leader,
        )
    current = AutomaticMember.objects.filter(
        election=landsstyre, reason=AutomaticMember.Reason.COUNTY_BOARD_LEADER, county=meeting.county
    ).first()
    done = current is not None and current.name == leader.full_name
    if done:
        text = _("%(name)s is already the county's member by virtue of office in “%(election)s”.") % values
    else:
        text = (
            _(
                "%(name)s, the leader of the county board, becomes the county's member by virtue of office in "
                "“%(election)s”."
            )
            % values
        )
    return BoardLeaderNote(text=text, candidate=leader, election=landsstyre, done=done)


def _participant(
    row: TransferRow, *, meeting: CountyMeeting, landsting: Congress, adopts: Participant | None = None
) -> Participant:
    """A new Landsting participant for the row, or the one entered by hand before (``adopts``) brought in line with
    the election: its role, rank, organisation and date; its own number, links and registration stay."""
    participant = adopts or Participant(congress=landsting, county=meeting.county)
    values = {
        "first_name": row.first_name,
        "last_name": row.last_name,
        "email": row.email,
        "gender": row.gender,
        "party": row.party,
        "organisation": row.organisation,
        "role": row.role,
        "deputy_rank": row.rank,
        "elected_by": Participant.ElectedBy.COUNTY_MEETING,
        "elected_on": row.elected_on,
    }
    if adopts is None or not adopts.mobile:
        values["mobile"] = row.mobile
    if adopts is None or not adopts.position:
        values["position"] = row.position
    for name, value in values.items():
        setattr(participant, name, value)
    return participant


def _adopted_ranks_free(rows: list[TransferRow]) -> None:
    """Deputies taken over may swap ranks: park their ranks out of the way first, so no two share one meanwhile."""
    parked = [row.adopts for row in rows if row.adopts.role == Participant.Role.DEPUTY]
    for offset, participant in enumerate(parked):
        Participant.objects.filter(pk=participant.pk).update(deputy_rank=30000 + offset)


@transaction.atomic
def meeting_transfer_to_landsting(
    *, meeting: CountyMeeting, user: AbstractBaseUser, dry_run: bool = False
) -> TransferResult:
    """Make the delegates and deputies the county meeting elected participants of the Landsting for its county
    (delegates and deputies in rank order, elected by the county meeting, on the day their election was published),
    and its county board's leader the county's member by virtue of office in the landsstyre election.

    ``dry_run`` only says what would be done and what stands in the way. Otherwise every check must pass: the numbers
    against the Landsting's allocation, both elections published, each person's e-mail, gender and organisation, no
    address already in use at the Landsting, no delegate or deputy of the county meeting's part entered by hand;
    any problem refuses the whole transfer with the list of problems (``ValidationError``) and writes nothing.
    Someone transferred before is not made again. Under a lock on the meeting's row."""
    meeting = (
        _lock_meeting(meeting)
        if not dry_run
        else CountyMeeting.objects.select_related("congress", "county").get(pk=meeting.pk)
    )
    if not county_visible_to(user, meeting.county):
        raise ValidationError(_("This county meeting belongs to another regional office."))
    result = _transfer_plan(meeting)
    result.dry_run = dry_run
    if dry_run:
        return result
    if result.problems:
        raise ValidationError(result.problems)
    landsting = result.landsting
    try:
        with transaction.atomic():
            _adopted_ranks_free(result.adopted)
            for row in result.to_create:
                participant = _participant(row, meeting=meeting, landsting=landsting, adopts=row.adopts)
                participant.clean()
                participant.save()
                TransferredDelegate.objects.create(
                    meeting=meeting, candidate=row.candidate, participant=participant, transferred_by=user
                )
                row.participant = participant
                result.created.append(participant)
    except IntegrityError:
        raise ValidationError(
            _(
                "The Landsting's delegation changed while the transfer was being made (an e-mail address or a "
                "deputy's rank was taken meanwhile); nothing was transferred. Try again."
            )
        ) from None
    note = result.board_leader
    if note is not None and note.election is not None and note.candidate is not None:
        result.automatic_member = _board_leader_add(meeting=meeting, election=note.election, leader=note.candidate)
    return result


def _board_leader_add(*, meeting: CountyMeeting, election: Election, leader: Candidate) -> AutomaticMember:
    """The county's one member by virtue of office as a county board leader: updated if there is one (a placeholder
    or an earlier leader), created otherwise."""
    person = leader.participant
    values = {
        "name": leader.full_name,
        "gender": leader.gender or (person.gender if person is not None else ""),
        "party": leader.party or (person.party if person is not None else ""),
    }
    current = (
        AutomaticMember.objects.select_for_update()
        .filter(election=election, reason=AutomaticMember.Reason.COUNTY_BOARD_LEADER, county=meeting.county)
        .order_by("pk")
        .first()
    )
    if current is None:
        return AutomaticMember.objects.create(
            election=election, reason=AutomaticMember.Reason.COUNTY_BOARD_LEADER, county=meeting.county, **values
        )
    if any(getattr(current, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(current, name, value)
        current.save(update_fields=list(values))
    return current


__all__ = [
    "BoardBalance",
    "ElectionsSetUp",
    "LandstingSeats",
    "Outcome",
    "TransferResult",
    "TransferRow",
    "county_board_balance",
    "election_outcome",
    "meeting_elections",
    "meeting_elections_create",
    "meeting_landsting_seats",
    "meeting_transfer_to_landsting",
    "meeting_transfers",
]
