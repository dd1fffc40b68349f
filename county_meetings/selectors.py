"""Reads of the county meetings, and who may see which: the regional office of the meeting's county, through the one
scoping rule of ``delegates.selectors``."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.formats import number_format
from django.utils.translation import ngettext

from agenda.models import Congress
from county_meetings.composition import Composition, Member, composition_check, party_key
from county_meetings.models import CountyMeeting, ElectionResult, MeetingSeat, MemberReport, ReportedPerson
from delegates.models import County, Organisation
from delegates.selectors import counties_visible_to, explain_allocation, scope_to_user, user_sees_all_counties


def meeting_members(county: County) -> list[Organisation]:
    """The county's members of a county meeting: its municipalities and its county municipality (Oslo is both, one
    member), by number."""
    return list(Organisation.objects.filter(county=county, kind__in=MEMBER_KINDS).order_by("number"))


def meetings_visible_to(user) -> QuerySet[CountyMeeting]:
    """The county meetings ``user`` may see: all for the secretariat, a regional office's own counties' for it."""
    return scope_to_user(CountyMeeting.objects.select_related("congress", "county"), user)


def meeting_seats_visible_to(user) -> QuerySet[MeetingSeat]:
    return scope_to_user(
        MeetingSeat.objects.select_related("meeting__congress", "organisation"), user, county_path="meeting__county"
    )


def congresses_of_other_offices_hidden(user, queryset: QuerySet[Congress]) -> QuerySet[Congress]:
    """Registered with ``agenda.selectors.congress_filter_register``: a regional office sees the Landsting and its
    own counties' county meetings, never another office's (in every congress picker and the congresses' admin)."""
    if user_sees_all_counties(user):
        return queryset
    own = CountyMeeting.objects.filter(county__in=counties_visible_to(user)).values("congress_id")
    return queryset.exclude(Q(kind=Congress.Kind.COUNTY_MEETING) & ~Q(pk__in=own))


# --- The staff pages: meetings, seats, election results, composition ----------------------------------------------

#: The kinds of organisation that are members of a county meeting (``meeting_members``).
MEMBER_KINDS = (
    Organisation.Kind.MUNICIPALITY,
    Organisation.Kind.COUNTY_MUNICIPALITY,
    Organisation.Kind.MUNICIPALITY_AND_COUNTY,
)


@dataclass(frozen=True)
class MeetingComposition:
    """The composition check of a meeting with what it rests on: the members (municipalities and the county
    municipality) that have submitted their report, and the election results per municipality."""

    check: Composition
    members: int
    reported: int
    representatives: int  # representatives in the submitted reports (deputies not counted)
    municipalities_without_results: tuple[str, ...]  # names

    @property
    def not_reported(self) -> int:
        return self.members - self.reported

    @property
    def provisional(self) -> bool:
        """Until every member has reported, the check says only how the meeting looks so far."""
        return self.not_reported > 0

    @property
    def has_members(self) -> bool:
        return self.check.gender.total > 0

    @property
    def flags(self) -> int:
        """The genders below the minimum and the parties beyond the threshold."""
        return len(self.check.gender.failing) + len(self.check.parties.flagged)


@dataclass(frozen=True)
class MeetingSummary:
    meeting: CountyMeeting
    members: int
    reports_submitted: int
    composition: MeetingComposition

    @property
    def seats_state(self) -> str:
        """``published``, ``computed`` or ``not_computed``."""
        if self.meeting.seats_published_at is not None:
            return "published"
        return "computed" if self.meeting.computed_at is not None else "not_computed"


def _members_count_subquery() -> Subquery:
    return Subquery(
        Organisation.objects.filter(county=OuterRef("county_id"), kind__in=MEMBER_KINDS)
        .order_by()
        .values("county_id")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _submitted_count_subquery() -> Subquery:
    return Subquery(
        MemberReport.objects.filter(meeting=OuterRef("pk"), status=MemberReport.Status.SUBMITTED)
        .order_by()
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _reported_members(meeting_ids) -> dict[int, list[Member]]:
    """The representatives of the submitted reports per meeting, as the composition check's members."""
    members: dict[int, list[Member]] = defaultdict(list)
    rows = ReportedPerson.objects.filter(
        report__meeting_id__in=meeting_ids,
        report__status=MemberReport.Status.SUBMITTED,
        role=ReportedPerson.Role.REPRESENTATIVE,
    ).values_list("report__meeting_id", "gender", "party")
    for meeting_id, gender, party in rows:
        members[meeting_id].append(Member(gender=gender or None, party=party or None))
    return members


def _votes_by_party(meeting_ids) -> dict[int, dict[str, int]]:
    votes: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        ElectionResult.objects.filter(meeting_id__in=meeting_ids)
        .order_by()
        .values_list("meeting_id", "party")
        .annotate(total=Sum("votes"))
    )
    for meeting_id, party, total in rows:
        votes[meeting_id][party] = votes[meeting_id].get(party, 0) + total
    return votes


def meetings_overview(user) -> list[MeetingSummary]:
    """The meetings ``user`` may see, newest first, each with its members, the reports submitted and the
    composition check so far: four queries whatever the number of meetings."""
    meetings = list(
        meetings_visible_to(user)
        .annotate(
            members_count=Coalesce(_members_count_subquery(), 0),
            submitted_count=Coalesce(_submitted_count_subquery(), 0),
            representatives_count=Coalesce(
                Subquery(
                    ReportedPerson.objects.filter(
                        report__meeting=OuterRef("pk"),
                        report__status=MemberReport.Status.SUBMITTED,
                        role=ReportedPerson.Role.REPRESENTATIVE,
                    )
                    .order_by()
                    .values("report__meeting")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
        )
        .order_by("-election_year", "county__number")
    )
    ids = [meeting.pk for meeting in meetings]
    members = _reported_members(ids) if ids else {}
    votes = _votes_by_party(ids) if ids else {}
    summaries = []
    for meeting in meetings:
        check = composition_check(
            members.get(meeting.pk, []),
            votes.get(meeting.pk, {}),
            threshold_points=meeting.party_deviation_points,
        )
        summaries.append(
            MeetingSummary(
                meeting=meeting,
                members=meeting.members_count,
                reports_submitted=meeting.submitted_count,
                composition=MeetingComposition(
                    check=check,
                    members=meeting.members_count,
                    reported=meeting.submitted_count,
                    representatives=meeting.representatives_count,
                    municipalities_without_results=(),
                ),
            )
        )
    return summaries


def meeting_composition(meeting: CountyMeeting) -> MeetingComposition:
    """The composition check of one meeting, with the municipalities that have no election results yet."""
    members = meeting_members(meeting.county)
    reported = MemberReport.objects.filter(meeting=meeting, status=MemberReport.Status.SUBMITTED).count()
    people = _reported_members([meeting.pk]).get(meeting.pk, [])
    with_results = set(ElectionResult.objects.filter(meeting=meeting).values_list("organisation_id", flat=True))
    without = tuple(
        member.name
        for member in members
        if member.kind != Organisation.Kind.COUNTY_MUNICIPALITY and member.pk not in with_results
    )
    return MeetingComposition(
        check=composition_check(
            people, _votes_by_party([meeting.pk]).get(meeting.pk, {}), threshold_points=meeting.party_deviation_points
        ),
        members=len(members),
        reported=reported,
        representatives=len(people),
        municipalities_without_results=without,
    )


@dataclass(frozen=True)
class PartyVotes:
    party: str
    votes: int
    share: Fraction
    municipalities: int  # in how many municipalities the party has a result


@dataclass(frozen=True)
class StoredResults:
    parties: tuple[PartyVotes, ...]  # most votes first
    votes: int
    rows: int
    municipalities: int  # with at least one result
    municipalities_without: tuple[str, ...]  # names of the county's municipalities without results


def stored_election_results(meeting: CountyMeeting) -> StoredResults:
    """The meeting's stored election results per party (spellings that are one party by ``party_key`` together),
    with the county's municipalities that have none."""
    rows = list(ElectionResult.objects.filter(meeting=meeting).values_list("organisation_id", "party", "votes"))
    names: dict[str, str] = {}
    votes: dict[str, int] = defaultdict(int)
    places: dict[str, set[int]] = defaultdict(set)
    for organisation_id, party, count in rows:
        key = party_key(party)
        names.setdefault(key, party)
        votes[key] += count
        places[key].add(organisation_id)
    total = sum(votes.values())
    parties = sorted(
        (
            PartyVotes(
                party=names[key],
                votes=votes[key],
                share=Fraction(votes[key], total) if total else Fraction(0),
                municipalities=len(places[key]),
            )
            for key in names
        ),
        key=lambda party: (-party.votes, party_key(party.party)),
    )
    present = {organisation_id for organisation_id, _party, _count in rows}
    without = tuple(
        member.name
        for member in meeting_members(meeting.county)
        if member.kind != Organisation.Kind.COUNTY_MUNICIPALITY and member.pk not in present
    )
    return StoredResults(
        parties=tuple(parties), votes=total, rows=len(rows), municipalities=len(present), municipalities_without=without
    )


@dataclass(frozen=True)
class SeatRow:
    seat: MeetingSeat
    fixed: bool  # the county municipality's fixed number
    explanation: str
    quotients: tuple[dict, ...]


@dataclass(frozen=True)
class SeatTable:
    meeting: CountyMeeting
    rows: tuple[SeatRow, ...]
    population: int
    computed_seats: int
    final_seats: int
    overridden: int

    @property
    def balanced(self) -> bool:
        return self.final_seats == self.meeting.seats


def _number(text: str) -> str:
    """A stored decimal ("13049.273", "55.0") in the active language's format, without needless zeros."""
    value = Decimal(text)
    places = max(0, -value.normalize().as_tuple().exponent)
    return number_format(value, decimal_pos=min(places, 3), use_l10n=True, force_grouping=True)


def meeting_seat_table(meeting: CountyMeeting) -> SeatTable:
    """The meeting's representatives per member as staff read them, with each member's explanation."""
    seats = list(meeting.member_seats.select_related("organisation", "overridden_by").order_by("organisation__number"))
    rows = []
    for seat in seats:
        fixed = (seat.explanation or {}).get("kind") == "fixed"
        if fixed:
            explanation = ngettext(
                "The county municipality's fixed number: %(count)d representative.",
                "The county municipality's fixed number: %(count)d representatives.",
                seat.computed_seats,
            ) % {"count": seat.computed_seats}
        else:
            explanation = explain_allocation(seat)
        quotients = tuple(
            {"divisor": _number(q["divisor"]), "value": _number(q["value"]), "seat": q["seat"]}
            for q in (seat.explanation or {}).get("quotients", [])
        )
        rows.append(SeatRow(seat=seat, fixed=fixed, explanation=explanation, quotients=quotients))
    return SeatTable(
        meeting=meeting,
        rows=tuple(rows),
        population=sum(row.seat.population or 0 for row in rows if not row.fixed),
        computed_seats=sum(seat.computed_seats for seat in seats),
        final_seats=sum(seat.final_seats for seat in seats),
        overridden=sum(1 for seat in seats if seat.override_seats is not None),
    )


# --- The members' reports (issue 16, part 3) ------------------------------------------------------------------


def reports_visible_to(user) -> QuerySet[MemberReport]:
    """The members' reports ``user`` may see: those of the meetings of their own counties (all for the secretariat)."""
    return scope_to_user(
        MemberReport.objects.select_related("meeting__congress", "meeting__county", "organisation", "entered_by"),
        user,
        county_path="meeting__county",
    )


class ReportState:
    """A member's state in the report overview, in the order a report moves through."""

    NOT_SENT = "not_sent"
    LINK_SENT = "link_sent"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ENTERED_BY_STAFF = "entered_by_staff"


def report_state_labels() -> dict[str, str]:
    from django.utils.translation import gettext as _

    return {
        ReportState.NOT_SENT: _("Link not sent"),
        ReportState.LINK_SENT: _("Link sent"),
        ReportState.DRAFT: _("Draft"),
        ReportState.SUBMITTED: _("Submitted"),
        ReportState.ENTERED_BY_STAFF: _("Entered by staff"),
    }


@dataclass(frozen=True)
class ReportRow:
    organisation: Organisation
    seats: int | None
    report: MemberReport | None
    state: str
    state_label: str
    mailed_at: datetime.datetime | None
    people: int


def report_overview(meeting: CountyMeeting) -> list[ReportRow]:
    """Every member of the meeting with its representatives, its report's state, when its link was last mailed and
    its reminders: three queries, whatever the number of members."""
    from django.db.models import Max

    seats = {row.organisation_id: row.seats for row in MeetingSeat.objects.filter(meeting=meeting)}
    reports = {
        report.organisation_id: report
        for report in MemberReport.objects.filter(meeting=meeting)
        .select_related("entered_by")
        .annotate(last_mailed_at=Max("links__mailed_at"), people_count=Count("people", distinct=True))
    }
    labels = report_state_labels()
    rows = []
    for member in meeting_members(meeting.county):
        report = reports.get(member.pk)
        if report is None:
            state = ReportState.NOT_SENT
        elif report.status == MemberReport.Status.SUBMITTED:
            state = ReportState.ENTERED_BY_STAFF if report.entered_by_id else ReportState.SUBMITTED
        elif report.people_count or report.decision_date or report.decision_document:
            state = ReportState.DRAFT
        elif report.last_mailed_at is not None:
            state = ReportState.LINK_SENT
        else:
            state = ReportState.NOT_SENT
        rows.append(
            ReportRow(
                organisation=member,
                seats=seats.get(member.pk),
                report=report,
                state=state,
                state_label=labels[state],
                mailed_at=report.last_mailed_at if report is not None else None,
                people=report.people_count if report is not None else 0,
            )
        )
    return rows


def report_counts(rows: list[ReportRow]) -> dict[str, int]:
    """How many members are in each state, and how many in all."""
    counts = dict.fromkeys(report_state_labels(), 0)
    for row in rows:
        counts[row.state] += 1
    counts["all"] = len(rows)
    counts["reported"] = counts[ReportState.SUBMITTED] + counts[ReportState.ENTERED_BY_STAFF]
    return counts
