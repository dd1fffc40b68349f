"""The check-in desk: recording who arrives at and leaves the congress hall, and counting who is present.

Writes (``checkin_record``, ``checkin_scan``, ``checkin_by_id``) and reads (``presence_counts``, ``checkin_search``)
live together here because they share one rule: a participant is present when their latest attendance row is "in".
The elections take the number of present delegates with voting right from ``presence_counts``.

Scans are idempotent: recording the same direction twice in a row returns the latest row and writes nothing, so a
badge scanned twice (or a form sent twice) is counted once. The desk says explicitly whether it registers arrivals
or departures; a scan never toggles.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.translation import gettext as _

from agenda.models import Congress
from delegates.models import Attendance, Participant
from delegates.selectors import participant_number_in, scope_to_user, user_sees_all_counties

Direction = Attendance.Direction
SEARCH_LIMIT = 20
# What a scanner may send around the code (spaces, line ends, a trailing slash); the code itself is hexadecimal.
_CODE_TRIM = " \t\r\n/"


@dataclass(frozen=True)
class CheckinResult:
    participant: Participant
    attendance: Attendance
    recorded: bool  # False when the participant was already registered in this direction (a repeated scan)


def with_latest_attendance(queryset: QuerySet[Participant]) -> QuerySet[Participant]:
    """Annotate ``latest_direction`` and ``latest_at``: one subquery each, no query per participant."""
    latest = Attendance.objects.filter(participant=OuterRef("pk")).order_by("-at", "-pk")
    return queryset.annotate(
        latest_direction=Subquery(latest.values("direction")[:1]),
        latest_at=Subquery(latest.values("at")[:1]),
    )


# --- Writes ------------------------------------------------------------------------------------------------------


@transaction.atomic
def _record(*, participant: Participant, direction: str, user) -> CheckinResult:
    if direction not in Direction.values:
        raise ValidationError(_("Unknown direction: choose arrival or departure."), code="direction")
    # Lock the participant so that two desks scanning the same badge at once write one row, not two.
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("organisation", "county")
        .get(pk=participant.pk)
    )
    if participant.status == Participant.Status.WITHDRAWN:
        raise ValidationError(
            _("%(name)s has withdrawn from the congress; nothing was recorded.") % {"name": participant.full_name},
            code="withdrawn",
        )
    latest = participant.attendance.order_by("-at", "-pk").first()
    if latest is not None and latest.direction == direction:
        return CheckinResult(participant=participant, attendance=latest, recorded=False)
    attendance = Attendance.objects.create(participant=participant, direction=direction, recorded_by=user)
    return CheckinResult(participant=participant, attendance=attendance, recorded=True)


def checkin_record(*, participant: Participant, direction: str, user) -> Attendance:
    """Record that ``participant`` arrived (``"in"``) or left (``"out"``).

    Refuses a withdrawn participant with a ValidationError. Recording the direction the participant is already in
    returns that latest row without writing a new one.
    """
    return _record(participant=participant, direction=direction, user=user).attendance


def normalise_badge_code(raw: str) -> str:
    """What a hand scanner or camera read, as a badge code: trimmed, upper-case, the last part of a URL."""
    code = (raw or "").strip(_CODE_TRIM)
    if "/" in code:
        code = code.rsplit("/", 1)[-1]
    if "=" in code:
        code = code.rsplit("=", 1)[-1]
    return code.strip(_CODE_TRIM).upper()


def checkin_scan(*, congress: Congress, badge_code: str, direction: str, user) -> CheckinResult:
    """A badge scanned at the desk of ``congress``; ``direction`` is the desk's mode (arrival or departure desk).

    Unknown codes, badges of another congress and participants outside the user's counties are refused with a
    ValidationError that says so in words. Regional staff get one and the same refusal for all three, from one query
    that only looks among their own counties at this congress: the desk neither names another region's participant
    nor confirms that a code exists.
    """
    code = normalise_badge_code(badge_code)
    if not user_sees_all_counties(user):
        participant = (
            scope_to_user(Participant.objects.filter(congress=congress), user)
            .select_related("organisation", "county")
            .filter(badge_code=code)
            .first()
            if code
            else None
        )
        if participant is None:
            raise ValidationError(
                _("No participant in your counties at this congress has the badge “%(code)s”.") % {"code": code or "–"}
            )
        return _record(participant=participant, direction=direction, user=user)
    participant = (
        Participant.objects.select_related("organisation", "county").filter(badge_code=code).first() if code else None
    )
    if participant is None:
        raise ValidationError(_("Unknown badge: no participant has the code “%(code)s”.") % {"code": code or "–"})
    if participant.congress_id != congress.pk:
        raise ValidationError(
            _("%(name)s's badge belongs to another congress (%(congress)s).")
            % {"name": participant.full_name, "congress": participant.congress}
        )
    return _record(participant=participant, direction=direction, user=user)


def checkin_by_id(*, congress: Congress, participant_id: int, direction: str, user) -> CheckinResult:
    """A participant picked from the name search at the desk (only among those the user may see)."""
    participant = (
        scope_to_user(Participant.objects.filter(congress=congress), user)
        .select_related("organisation", "county")
        .filter(pk=participant_id)
        .first()
    )
    if participant is None:
        raise ValidationError(_("That participant was not found among the ones you may check in."))
    return _record(participant=participant, direction=direction, user=user)


# --- Reads -------------------------------------------------------------------------------------------------------


def presence_counts(*, congress: Congress) -> dict:
    """Who is in the hall now, in one query whatever the number of participants.

    Present means active with the latest attendance "in". Present with voting right: present delegates and
    Samfunnsbedriftene delegates, and present deputies acting for a delegate (``Participant.has_voting_right``).
    Withdrawn participants are not counted at all, even if they never scanned out.

    Returns ``{"present", "present_voting", "total", "voting_total", "by_role": [{"role", "label", "total",
    "present", "present_voting"}]}``; ``total`` is the number of active participants.
    """
    present = Q(latest_direction=Direction.IN)
    voting = Q(role__in=Participant.VOTING_ROLES) | Q(acting_for__isnull=False)
    rows = (
        with_latest_attendance(Participant.objects.filter(congress=congress, status=Participant.Status.ACTIVE))
        .order_by()
        .values("role")
        .annotate(
            total=Count("pk"),
            present=Count("pk", filter=present),
            voting_total=Count("pk", filter=voting),
            present_voting=Count("pk", filter=present & voting),
        )
        .order_by("role")
    )
    labels = dict(Participant.Role.choices)
    by_role = {
        row["role"]: {
            "role": row["role"],
            "label": str(labels.get(row["role"], row["role"])),
            "total": row["total"],
            "present": row["present"],
            "present_voting": row["present_voting"],
            "voting_total": row["voting_total"],
        }
        for row in rows
    }
    ordered = [by_role[role] for role in Participant.Role.values if role in by_role]
    return {
        "present": sum(r["present"] for r in ordered),
        "present_voting": sum(r["present_voting"] for r in ordered),
        "total": sum(r["total"] for r in ordered),
        "voting_total": sum(r["voting_total"] for r in ordered),
        "by_role": ordered,
    }


@dataclass(frozen=True)
class SearchHit:
    participant: Participant
    present: bool
    since: datetime.datetime | None  # time of the latest scan, in either direction

    @property
    def withdrawn(self) -> bool:
        return self.participant.status == Participant.Status.WITHDRAWN


def _name_matches(word: str) -> Q:
    """Case-insensitive on PostgreSQL; on SQLite (whose LIKE folds ASCII only) the usual spellings of æ, ø, å
    names are tried too, so "ødegård" finds "Ødegård"."""
    q = Q()
    for variant in {word, word.lower(), word.upper(), word.capitalize()}:
        q |= Q(first_name__icontains=variant) | Q(last_name__icontains=variant)
    return q


def checkin_search(*, congress: Congress, query: str, user) -> list[SearchHit]:
    """Participants of ``congress`` whose names contain every word of ``query``, among those the user may see;
    at most ``SEARCH_LIMIT``, each marked present or not. A query that is a participant number ("17", "nr 17",
    "#17") finds the participant with that number first."""
    words = query.split()
    if not words:
        return []
    scoped = scope_to_user(Participant.objects.filter(congress=congress), user)
    number = participant_number_in(query)
    by_name = scoped
    for word in words[:5]:
        by_name = by_name.filter(_name_matches(word))
    order = ["last_name", "first_name", "pk"]
    if number is not None:
        by_name = by_name | scoped.filter(number=number)
        order.insert(0, Case(When(number=number, then=Value(0)), default=Value(1)))
    participants = with_latest_attendance(by_name.select_related("organisation", "county")).order_by(*order)[
        :SEARCH_LIMIT
    ]
    return [
        SearchHit(
            participant=p,
            present=p.latest_direction == Direction.IN and p.status == Participant.Status.ACTIVE,
            since=p.latest_at,
        )
        for p in participants
    ]
