"""Reads of the poll engine: who may vote, what a delegate can vote on now, results as people read them."""

import functools
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from agenda.models import Congress
from agenda.selectors import congresses_visible_to
from core.groups import REGIONAL_OFFICE_GROUP
from delegates.checkin import with_latest_attendance
from delegates.models import Attendance, County, Participant, PersonalLink, RegionalOffice
from delegates.selectors import user_sees_all_counties
from elections.apps import ELECTION_OFFICIAL_GROUP
from elections.models import (
    AutomaticMember,
    Ballot,
    Candidate,
    Election,
    EligibleVoter,
    LotDrawing,
    Poll,
    SignOff,
    VoteCast,
)
from elections.results import ResultView, result_view
from elections.sql import column, named_placeholders, server_bound_cursor, table


@dataclass(frozen=True)
class Eligible:
    participant_id: int
    stands_in_for_id: int | None


def eligible_voters(congress: Congress) -> list[Eligible]:
    """Who may vote now: checked-in delegates with the right to vote, and checked-in deputies in place of absent ones.

    Per delegation (county and electing body; at a county meeting, each municipal council's), each voting delegate
    who is not in the hall leaves a place that the delegation's deputies who are in the hall fill, next in rank
    first. A deputy who has taken a seat for good (``acting_for``) votes as a delegate. Two queries, whatever the
    size of the congress.
    """
    people = list(
        with_latest_attendance(Participant.objects.filter(congress=congress, status=Participant.Status.ACTIVE))
        .order_by("deputy_rank", "pk")
        .values("pk", "role", "acting_for_id", "county_id", "organisation_id", "elected_by", "latest_direction")
    )
    seated: dict[tuple, list[dict]] = defaultdict(list)
    deputies: dict[tuple, list[dict]] = defaultdict(list)
    for person in people:
        # At a county meeting each municipal council's representatives are a delegation of their own.
        council = person["organisation_id"] if person["elected_by"] == Participant.ElectedBy.MUNICIPAL_COUNCIL else None
        delegation = (person["county_id"], person["elected_by"], council)
        if person["role"] in Participant.VOTING_ROLES or person["acting_for_id"] is not None:
            seated[delegation].append(person)
        elif person["role"] == Participant.Role.DEPUTY:
            deputies[delegation].append(person)
    present = Attendance.Direction.IN
    result = []
    for delegation, members in seated.items():
        absent = [member for member in members if member["latest_direction"] != present]
        result.extend(Eligible(member["pk"], None) for member in members if member["latest_direction"] == present)
        stand_ins = [deputy for deputy in deputies.get(delegation, []) if deputy["latest_direction"] == present]
        result.extend(Eligible(deputy["pk"], member["pk"]) for deputy, member in zip(stand_ins, absent, strict=False))
    return result


def polls_for_voter(participant: Participant) -> list[Poll]:
    """The congress' open polls the participant is eligible in, each with ``has_voted``; newest first."""
    return list(
        Poll.objects.filter(congress_id=participant.congress_id, **Poll.TAKES_BALLOTS)
        .filter(Exists(EligibleVoter.objects.filter(poll=OuterRef("pk"), participant=participant)))
        .annotate(has_voted=Exists(VoteCast.objects.filter(poll=OuterRef("pk"), participant=participant)))
        .order_by("-opened_at", "-pk")
    )


def poll_candidates(poll: Poll) -> list[Candidate]:
    return list(poll.candidates.select_related("county", "organisation").order_by("position", "last_name"))


def published_polls(congress: Congress) -> QuerySet[Poll]:
    return Poll.objects.filter(congress=congress, state=Poll.State.PUBLISHED).order_by("-published_at", "-pk")


def published_ballots(poll: Poll) -> list[Ballot]:
    """Every ballot of a published poll, by receipt (random), so that each voter can find theirs."""
    if poll.state != Poll.State.PUBLISHED or poll.mode != Poll.Mode.ELECTRONIC:
        return []
    return list(Ballot.objects.filter(poll=poll).order_by("receipt"))


def votes_received(poll: Poll) -> int:
    return VoteCast.objects.filter(poll=poll).count()


def may_run_polls(user: AbstractBaseUser) -> bool:
    return user.is_authenticated and user.has_perm("elections.run_poll")


def sees_all(user: AbstractBaseUser) -> bool:
    return user_sees_all_counties(user)


# --- Who manages which congress's elections ---------------------------------------------------------------------


def election_congresses_managed_by(user: AbstractBaseUser) -> QuerySet[Congress]:
    """The congresses whose elections, candidates and votes ``user`` may manage: in the elections' admin, on the
    officials' desk, the projector and the protocol.

    The secretariat and the election officials: every congress they may see (``agenda.selectors.
    congresses_visible_to``). A regional office's staff: only the county meetings of its own counties (the congresses
    they may see, of the kind "county meeting"), never the Landsting's. Staff who are neither (permissions given one by
    one) count as officials. The rule costs no query of its own: whether the user is an official or a regional
    office's is asked inside the query of the congresses.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return Congress.objects.none()
    visible = congresses_visible_to(user)
    if user_sees_all_counties(user):
        return visible
    official = Exists(Group.objects.filter(user=user.pk, name=ELECTION_OFFICIAL_GROUP))
    regional = Exists(Group.objects.filter(user=user.pk, name=REGIONAL_OFFICE_GROUP)) | Exists(
        RegionalOffice.objects.filter(staff=user.pk)
    )
    return visible.filter(official | ~regional | Q(kind=Congress.Kind.COUNTY_MEETING))


def _of_managed_congresses(queryset: QuerySet, user: AbstractBaseUser, *, congress_path: str) -> QuerySet:
    if user_sees_all_counties(user):
        return queryset  # every congress: no subquery
    return queryset.filter(**{f"{congress_path}__in": election_congresses_managed_by(user)})


def elections_managed_by(user: AbstractBaseUser, queryset: QuerySet[Election] | None = None) -> QuerySet[Election]:
    """The elections (of ``queryset``, else all) of the congresses ``user`` manages."""
    queryset = Election.objects.all() if queryset is None else queryset
    return _of_managed_congresses(queryset, user, congress_path="congress")


def candidates_managed_by(user: AbstractBaseUser, queryset: QuerySet[Candidate] | None = None) -> QuerySet[Candidate]:
    """The candidates (of ``queryset``, else all) in elections of the congresses ``user`` manages."""
    queryset = Candidate.objects.all() if queryset is None else queryset
    return _of_managed_congresses(queryset, user, congress_path="election__congress")


def polls_managed_by(user: AbstractBaseUser, queryset: QuerySet[Poll] | None = None) -> QuerySet[Poll]:
    """The polls (of ``queryset``, else all) of the congresses ``user`` manages."""
    queryset = Poll.objects.all() if queryset is None else queryset
    return _of_managed_congresses(queryset, user, congress_path="congress")


def participants_for_candidacy(user: AbstractBaseUser, *, congress_id: int | None = None) -> QuerySet[Participant]:
    """The participants a candidate may be linked to: those of ``congress_id`` (the election's congress) if given,
    else those of every congress ``user`` manages; by name."""
    participants = _of_managed_congresses(Participant.objects.all(), user, congress_path="congress")
    if congress_id is not None:
        participants = participants.filter(congress_id=congress_id)
    return participants.order_by("last_name", "first_name")


def managed_congress(user: AbstractBaseUser, congress_id: int | str | None) -> Congress | None:
    """The congress with this id if ``user`` manages its elections, else None (also for an id that is not one)."""
    if congress_id is None or not str(congress_id).isdigit():
        return None
    return election_congresses_managed_by(user).filter(pk=int(congress_id)).first()


# --- Portal reads


def voter_poll(participant: Participant, poll_id: int) -> Poll | None:
    """One poll of the participant's congress with ``is_eligible`` and ``has_voted`` for them, in one query."""
    return (
        Poll.objects.filter(pk=poll_id, congress_id=participant.congress_id)
        .annotate(
            is_eligible=Exists(EligibleVoter.objects.filter(poll=OuterRef("pk"), participant=participant)),
            has_voted=Exists(VoteCast.objects.filter(poll=OuterRef("pk"), participant=participant)),
        )
        .first()
    )


# The ballot page is opened by the whole hall within a minute, so it is read in one statement written once: the
# personal link that opens now (the delegates' rule, ``PersonalLink.objects.valid_sql``), its participant with the
# congress, county and regional office the portal's pages show, and the poll with ``is_eligible`` and ``has_voted``,
# as ``voter_poll`` reads them. The models are built from the row as ``select_related`` builds them.
_BALLOT_PAGE_MODELS = (
    (PersonalLink, "link", None),
    (Participant, "participant", ("link", "participant")),
    (Congress, "congress", ("participant", "congress")),
    (County, "county", ("participant", "county")),
    (RegionalOffice, "office", ("county", "regional_office")),
    (Poll, "poll", None),
)


@functools.cache
def _ballot_page_statement(vendor: str) -> tuple[str, dict, list]:
    link_valid, constants = named_placeholders(*PersonalLink.objects.valid_sql(at_sql="%(now)s"), prefix="link_rule")
    selected, layout = [], []
    for model, alias, _relation in _BALLOT_PAGE_MODELS:
        fields = list(model._meta.concrete_fields)
        # The link is read from its table by name: the link's rule names it so, not by an alias.
        quoted = table(model) if model is PersonalLink else connection.ops.quote_name(alias)
        selected += [f"{quoted}.{connection.ops.quote_name(field.column)}" for field in fields]
        converters = [
            (field, connection.ops.get_db_converters(field.get_col(alias)) + field.get_db_converters(connection))
            for field in fields
        ]
        layout.append((model, alias, converters))

    def aliased(model: type[Model], alias: str) -> str:
        return f"{table(model)} {connection.ops.quote_name(alias)}"

    def on(alias: str, model: type[Model], field: str) -> str:
        return f"{connection.ops.quote_name(alias)}.{connection.ops.quote_name(model._meta.get_field(field).column)}"

    voter = on("participant", Participant, "id")
    sql = f"""
SELECT {", ".join(selected)},
    EXISTS (SELECT 1 FROM {table(EligibleVoter)} WHERE {column(EligibleVoter, "poll")} = %(poll)s
        AND {column(EligibleVoter, "participant")} = {voter}),
    EXISTS (SELECT 1 FROM {table(VoteCast)} WHERE {column(VoteCast, "poll")} = %(poll)s
        AND {column(VoteCast, "participant")} = {voter})
FROM {table(PersonalLink)}
JOIN {aliased(Participant, "participant")} ON {voter} = {column(PersonalLink, "participant")}
JOIN {aliased(Congress, "congress")} ON {on("congress", Congress, "id")} = {on("participant", Participant, "congress")}
LEFT JOIN {aliased(County, "county")} ON {on("county", County, "id")} = {on("participant", Participant, "county")}
LEFT JOIN {aliased(RegionalOffice, "office")}
    ON {on("office", RegionalOffice, "id")} = {on("county", County, "regional_office")}
LEFT JOIN {aliased(Poll, "poll")} ON {on("poll", Poll, "id")} = %(poll)s
    AND {on("poll", Poll, "congress")} = {on("participant", Participant, "congress")}
WHERE {column(PersonalLink, "token_hash")} = %(digest)s AND {link_valid}
"""  # noqa: S608 - names from the models; the values are parameters
    return sql, constants, layout


@dataclass(frozen=True)
class BallotPage:
    link: PersonalLink
    poll: Poll | None  # None: no such poll in the voter's congress; else with ``is_eligible`` and ``has_voted``


def ballot_page(*, digest: str, poll_id: int) -> BallotPage | None:
    """The link with this hash if it opens now (with its participant, congress, county and regional office) and
    the poll of the ballot page, in one query; None when the link does not open (the caller says why)."""
    sql, constants, layout = _ballot_page_statement(connection.vendor)
    params = {**constants, "digest": digest, "poll": poll_id}
    params["now"] = connection.ops.adapt_datetimefield_value(timezone.now())
    # On PostgreSQL the values are bound by the server and the statement is prepared once per connection, as the
    # cast's statement is: the whole hall opens the page within a minute, and planning it was most of its cost.
    cursor = server_bound_cursor() if connection.vendor == "postgresql" else connection.cursor()
    with cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    built: dict[str, Model | None] = {}
    offset = 0
    for model, alias, converters in layout:
        values = []
        for field, field_converters in converters:
            value = row[offset]
            for converter in field_converters:
                value = converter(value, field, connection)
            values.append(value)
            offset += 1
        built[alias] = None if values[0] is None else model.from_db(connection.alias, None, values)
    for _model, alias, relation in _BALLOT_PAGE_MODELS:
        if relation is not None:
            owner, field = relation
            if built[owner] is not None:
                built[owner]._meta.get_field(field).set_cached_value(built[owner], built[alias])
    poll = built["poll"]
    if poll is not None:
        poll.is_eligible, poll.has_voted = bool(row[offset]), bool(row[offset + 1])
    return BallotPage(link=built["link"], poll=poll)


def published_polls_with_candidates(congress: Congress) -> QuerySet[Poll]:
    """The published polls with their election and candidates loaded, for a list of outcomes without N+1."""
    return (
        published_polls(congress)
        .select_related("election")
        .prefetch_related(
            "election__automatic_members",
            Prefetch(
                "candidates",
                queryset=Candidate.objects.select_related("county", "organisation").order_by("position", "last_name"),
            ),
        )
    )


# --- Staff reads -----------------------------------------------------------------------------------------------------


def _count_of(model, **filters) -> Subquery:
    """A correlated ``COUNT(*)`` of ``model`` rows of the outer poll (no join, so counts do not multiply)."""
    return Subquery(
        model.objects.filter(poll=OuterRef("pk"), **filters)
        .order_by()
        .values("poll")
        .annotate(total=Count("pk"))
        .values("total")[:1],
        output_field=IntegerField(),
    )


def _with_desk_counts(polls: QuerySet[Poll], user: AbstractBaseUser) -> QuerySet[Poll]:
    return polls.annotate(
        received=Coalesce(_count_of(VoteCast), 0),
        sign_off_count=Coalesce(_count_of(SignOff), 0),
        signed_by_user=Exists(SignOff.objects.filter(poll=OuterRef("pk"), user_id=user.pk)),
        has_runoff=Exists(Poll.objects.filter(runoff_of=OuterRef("pk"))),
    )


def desk_polls(congress: Congress, *, user: AbstractBaseUser) -> list[Poll]:
    """The congress' polls for the officials' desk, in order, each with ``received`` (votes cast), ``sign_off_count``,
    ``signed_by_user`` and ``has_runoff``. One query, whatever the number of polls."""
    polls = Poll.objects.filter(congress=congress).select_related("election").order_by("position", "pk")
    return list(_with_desk_counts(polls, user))


def desk_poll(poll_id: int, *, user: AbstractBaseUser) -> Poll | None:
    """One poll of a congress ``user`` manages (``election_congresses_managed_by``) with the same annotations as
    :func:`desk_polls`, or None."""
    polls = (
        polls_managed_by(user)
        .filter(pk=poll_id)
        .select_related("congress", "election", "runoff_of", "opened_by", "closed_by", "published_by")
    )
    return _with_desk_counts(polls, user).first()


def desk_poll_status(poll_id: int, *, user: AbstractBaseUser) -> Poll | None:
    """The poll of the desk's live status (a congress ``user`` manages, else None) with ``received``, the votes cast
    while it is open (None otherwise: the closed count is in its result): one query, asked every few seconds."""
    return (
        polls_managed_by(user)
        .filter(pk=poll_id)
        .annotate(received=Case(When(state=Poll.State.OPEN, then=Coalesce(_count_of(VoteCast), 0)), default=None))
        .first()
    )


def desk_elections(congress: Congress) -> list[Election]:
    """The congress' elections with ``candidates_list``, ``automatic_list`` and ``first_rounds`` (the vote created
    for it, if any). Four queries, whatever the number of elections and candidates."""
    return list(
        Election.objects.filter(congress=congress)
        .prefetch_related(
            Prefetch(
                "candidates",
                queryset=Candidate.objects.select_related("county", "organisation").order_by(
                    "position", "last_name", "first_name"
                ),
                to_attr="candidates_list",
            ),
            Prefetch(
                "automatic_members",
                queryset=AutomaticMember.objects.select_related("county").order_by("reason", "name"),
                to_attr="automatic_list",
            ),
            Prefetch("polls", queryset=Poll.objects.filter(round=1).order_by("pk"), to_attr="first_rounds"),
        )
        .order_by("position", "pk")
    )


def poll_sign_offs(poll: Poll) -> list[SignOff]:
    return list(SignOff.objects.filter(poll=poll).select_related("user").order_by("signed_at", "pk"))


def poll_lot_drawings(poll: Poll) -> list[LotDrawing]:
    return list(LotDrawing.objects.filter(poll=poll).select_related("recorded_by").order_by("recorded_at", "pk"))


def projector_poll(congress: Congress) -> Poll | None:
    """The poll the hall should see: the latest opened poll that is open; otherwise the poll that was closed or
    published last (a closed one shows its final count, a published one its result)."""
    open_poll = Poll.objects.filter(congress=congress, **Poll.TAKES_BALLOTS).order_by("-opened_at", "-pk").first()
    if open_poll is not None:
        return open_poll
    return (
        Poll.objects.filter(congress=congress, state__in=[Poll.State.CLOSED, Poll.State.PUBLISHED])
        .annotate(last_step=Greatest("closed_at", Coalesce("published_at", "closed_at")))
        .order_by(F("last_step").desc(nulls_last=True), "-pk")
        .first()
    )


# --- The plenary's hall screen (plenary reads votes only through these) -------------------------------------------


@dataclass(frozen=True)
class HallVote:
    """The vote the hall screen may show: ``projector_poll``'s choice, with the votes received so far (open) or the
    frozen figures (closed, published), and the moment of its last step. Never a ballot, a receipt or a voter."""

    poll: Poll
    received: int | None
    eligible: int | None
    last_step: object  # datetime: opened (open), closed or published

    @property
    def key(self) -> str:
        """Changes with the poll, its state and every vote received: the screen's tag."""
        return f"{self.poll.pk}.{self.poll.state}.{self.received if self.received is not None else ''}"


def hall_vote(congress_id: int) -> HallVote | None:
    """``projector_poll`` in one query: the latest opened poll that takes ballots, else the poll closed or published
    last; with ``received`` counted while it is open."""
    taking = Q(**Poll.TAKES_BALLOTS)
    poll = (
        Poll.objects.filter(congress_id=congress_id)
        .filter(taking | Q(state__in=[Poll.State.CLOSED, Poll.State.PUBLISHED]))
        .annotate(
            taking=Case(When(taking, then=Value(1)), default=Value(0), output_field=IntegerField()),
            last_step=Case(
                When(taking, then=F("opened_at")),
                default=Greatest("closed_at", Coalesce("published_at", "closed_at")),
            ),
            counted=Case(When(taking, then=Coalesce(_count_of(VoteCast), 0)), default=None),
        )
        .order_by("-taking", F("last_step").desc(nulls_last=True), "-pk")
        .first()
    )
    if poll is None:
        return None
    if poll.taking:
        return HallVote(poll=poll, received=poll.counted, eligible=poll.eligible_count, last_step=poll.last_step)
    result = poll.result or {}
    return HallVote(poll=poll, received=result.get("voted"), eligible=result.get("eligible"), last_step=poll.last_step)


def hall_vote_result(vote: HallVote) -> ResultView | None:
    """The published result as ``elections.results.result_view`` gives it (the projector's words), or None."""
    poll = vote.poll
    if poll.state != Poll.State.PUBLISHED:
        return None
    return result_view(poll, candidates=poll_candidates(poll) if poll.is_election else [])
