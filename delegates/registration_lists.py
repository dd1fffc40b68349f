"""Reads behind the staff's registration pages: status per county, the catering, rooming and accessibility lists,
and what personal data will be deleted when.

Every function is scoped to what the user may see (``delegates.selectors``) and uses a fixed number of queries,
whatever the number of participants: rows are fetched with ``.values()`` and grouped in Python.

Diet, allergy and accessibility answers are health-related. Once they have been deleted
(``Registration.health_data_deleted_at``) the lists say so instead of showing them.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agenda.models import Congress, Event
from agenda.roles import Role
from core.models import OutboxMail
from delegates.models import County, MailText, Participant, PersonalLink, Registration
from delegates.selectors import (
    counties_visible_to,
    health_data_deletion_date,
    registration_settings,
    scope_to_user,
    user_sees_all_counties,
)

DEFAULT_OUTBOX_BODY_RETENTION_DAYS = 90

# --- Registration status per county ------------------------------------------------------------------------------


@dataclass
class StatusFigures:
    """How far the participants of one county (or the total) have come."""

    label: str
    county: County | None = None
    participants: int = 0
    invited: int = 0
    opened: int = 0
    registered: int = 0
    cancelled: int = 0
    mail_failed: int = 0
    not_invited: int = 0

    def add(self, other: "StatusFigures") -> None:
        for name in ("participants", "invited", "opened", "registered", "cancelled", "mail_failed", "not_invited"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class FailedInvitation:
    participant_id: int
    name: str
    county: str
    email: str
    error: str


@dataclass
class RegistrationStatus:
    congress: Congress
    counties: list[StatusFigures]
    total: StatusFigures
    failed: list[FailedInvitation]
    sees_all: bool


def _county_label(number: str | None, name: str | None) -> str:
    if number is None:
        return _("No county")
    return f"{number} {name}"


def _no_county_label() -> str:
    return _("Without county (Samfunnsbedriftene and others)")


def _participants(*, congress: Congress, user) -> QuerySet[Participant]:
    return scope_to_user(Participant.objects.filter(congress=congress), user)


def registration_status_by_county(*, congress: Congress, user) -> RegistrationStatus:
    """Per county the user may see: participants, invited (a link was mailed), opened (a link was opened),
    registered (and not withdrawn, as in the lists), cancelled, invitation mail failed (the latest invitation mail
    failed) and not yet invited (active participants without a mailed link). The secretariat also gets a row for
    participants without a county."""
    sees_all = user_sees_all_counties(user)
    links = PersonalLink.objects.filter(participant=OuterRef("pk"))
    latest_invitation = OutboxMail.objects.filter(
        related_participant_id=OuterRef("pk"), purpose=MailText.Kind.INVITATION
    ).order_by("-created_at", "-id")
    rows = (
        _participants(congress=congress, user=user)
        .annotate(
            was_invited=Exists(links.filter(mailed_at__isnull=False)),
            was_opened=Exists(links.filter(first_opened_at__isnull=False)),
            invitation_status=Subquery(latest_invitation.values("status")[:1]),
            invitation_error=Subquery(latest_invitation.values("last_error")[:1]),
            registration_status=F("registration__status"),
            county_number=F("county__number"),
            county_name=F("county__name"),
        )
        .order_by(F("county__number").asc(nulls_last=True), "last_name", "first_name", "pk")
        .values(
            "id",
            "county_id",
            "county_number",
            "county_name",
            "first_name",
            "last_name",
            "email",
            "status",
            "was_invited",
            "was_opened",
            "invitation_status",
            "invitation_error",
            "registration_status",
        )
    )
    counties = list(counties_visible_to(user).order_by("number"))
    figures = {
        county.pk: StatusFigures(label=_county_label(county.number, county.name), county=county) for county in counties
    }
    no_county = StatusFigures(label=_no_county_label())
    failed = []
    for row in rows:
        target = figures.get(row["county_id"]) if row["county_id"] is not None else no_county
        if target is None:  # defensive: scope_to_user already left it out
            continue
        target.participants += 1
        if row["was_invited"]:
            target.invited += 1
        elif row["status"] == Participant.Status.ACTIVE:
            target.not_invited += 1
        if row["was_opened"]:
            target.opened += 1
        if row["registration_status"] == Registration.Status.REGISTERED and row["status"] == Participant.Status.ACTIVE:
            target.registered += 1
        elif row["registration_status"] == Registration.Status.CANCELLED:
            target.cancelled += 1
        if row["invitation_status"] == OutboxMail.Status.FAILED:
            target.mail_failed += 1
            failed.append(
                FailedInvitation(
                    participant_id=row["id"],
                    name=f"{row['first_name']} {row['last_name']}".strip(),
                    county=_county_label(row["county_number"], row["county_name"]),
                    email=row["email"],
                    error=row["invitation_error"] or "",
                )
            )
    county_rows = [figures[county.pk] for county in counties]
    if sees_all and no_county.participants:
        county_rows.append(no_county)
    total = StatusFigures(label=_("Total"))
    for figure in county_rows:
        total.add(figure)
    return RegistrationStatus(congress=congress, counties=county_rows, total=total, failed=failed, sees_all=sees_all)


# --- The lists of registered participants --------------------------------------------------------------------------

REGISTERED_FIELDS = (
    "id",
    "participant_id",
    "participant__first_name",
    "participant__last_name",
    "participant__email",
    "participant__mobile",
    "participant__role",
    "participant__county__number",
    "participant__county__name",
    "participant__organisation__name",
)


def _registered(*, congress: Congress, user) -> QuerySet[Registration]:
    """Registrations that stand: registered, by a participant who has not withdrawn, in the user's counties."""
    registrations = Registration.objects.filter(
        participant__congress=congress,
        participant__status=Participant.Status.ACTIVE,
        status=Registration.Status.REGISTERED,
    )
    return scope_to_user(registrations, user, county_path="participant__county").order_by(
        F("participant__county__number").asc(nulls_last=True),
        "participant__last_name",
        "participant__first_name",
        "pk",
    )


def _events_by_registration(registrations: QuerySet[Registration]) -> dict[int, list[int]]:
    """Event ids per registration id, in one query."""
    through = Registration.events.through
    chosen = defaultdict(list)
    for registration_id, event_id in through.objects.filter(registration_id__in=registrations.values("pk")).values_list(
        "registration_id", "event_id"
    ):
        chosen[registration_id].append(event_id)
    return chosen


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(value) if value is not None else None


def _local_date(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value is not None else None


@dataclass(frozen=True)
class Person:
    """Who a list row is about, as staff read it."""

    participant_id: int
    name: str
    county: str
    organisation: str
    role: str
    email: str
    mobile: str


def _person(row: dict) -> Person:
    return Person(
        participant_id=row["participant_id"],
        name=f"{row['participant__first_name']} {row['participant__last_name']}".strip(),
        county=_county_label(row["participant__county__number"], row["participant__county__name"])
        if row["participant__county__number"] is not None
        else "",
        organisation=row["participant__organisation__name"] or "",
        role=str(Role(row["participant__role"]).label) if row["participant__role"] in Role.values else "",
        email=row["participant__email"],
        mobile=row["participant__mobile"],
    )


def _diet_label(code: str) -> str:
    labels = dict(Registration.Diet.choices)
    return str(labels.get(code, code))


def _event_title(event: Event) -> str:
    return event.title_in((get_language() or "nb")[:2])


@dataclass(frozen=True)
class DietCount:
    diet: str
    label: str
    count: int


@dataclass(frozen=True)
class EventCatering:
    event: Event
    title: str
    total: int
    diets: list[DietCount]
    allergies: int
    deleted: int


@dataclass(frozen=True)
class CateringRow:
    person: Person
    diet: str
    diet_label: str
    allergies: str
    events: list[str]
    health_data_deleted_on: datetime.date | None


@dataclass
class CateringList:
    congress: Congress
    rows: list[CateringRow]
    diets: list[DietCount]
    events: list[EventCatering]
    with_allergies: int
    deleted: int = 0
    health_data_deleted_on: datetime.date | None = None


def _diet_counts(counter: Counter) -> list[DietCount]:
    return [DietCount(diet=code, label=str(label), count=counter[code]) for code, label in Registration.Diet.choices]


def catering_list(*, congress: Congress, user) -> CateringList:
    """Registered participants with their diet and allergies; counts per diet in total and per event."""
    registrations = _registered(congress=congress, user=user)
    rows = list(registrations.values(*REGISTERED_FIELDS, "diet", "allergies", "health_data_deleted_at"))
    events = list(Event.objects.filter(congress=congress).order_by("starts_at", "title"))
    order = {event.pk: index for index, event in enumerate(events)}
    titles = {event.pk: _event_title(event) for event in events}
    chosen = _events_by_registration(registrations)

    diet_total: Counter = Counter()
    per_event: dict[int, Counter] = {event.pk: Counter() for event in events}
    event_totals: Counter = Counter()
    event_allergies: Counter = Counter()
    event_deleted: Counter = Counter()
    result_rows = []
    deleted_on = []
    with_allergies = 0
    for row in rows:
        deleted = _local_date(row["health_data_deleted_at"])
        event_ids = sorted((pk for pk in chosen.get(row["id"], []) if pk in order), key=order.__getitem__)
        for pk in event_ids:
            event_totals[pk] += 1
            if deleted:
                event_deleted[pk] += 1
            else:
                per_event[pk][row["diet"]] += 1
                if row["allergies"].strip():
                    event_allergies[pk] += 1
        if deleted:
            deleted_on.append(deleted)
        else:
            diet_total[row["diet"]] += 1
            if row["allergies"].strip():
                with_allergies += 1
        result_rows.append(
            CateringRow(
                person=_person(row),
                diet="" if deleted else row["diet"],
                diet_label="" if deleted else _diet_label(row["diet"]),
                allergies="" if deleted else row["allergies"],
                events=[titles[pk] for pk in event_ids],
                health_data_deleted_on=deleted,
            )
        )
    return CateringList(
        congress=congress,
        rows=result_rows,
        diets=_diet_counts(diet_total),
        events=[
            EventCatering(
                event=event,
                title=titles[event.pk],
                total=event_totals[event.pk],
                diets=_diet_counts(per_event[event.pk]),
                allergies=event_allergies[event.pk],
                deleted=event_deleted[event.pk],
            )
            for event in events
        ],
        with_allergies=with_allergies,
        deleted=len(deleted_on),
        health_data_deleted_on=max(deleted_on) if deleted_on else None,
    )


@dataclass(frozen=True)
class NightCount:
    night: datetime.date  # the evening the night begins
    count: int

    @property
    def morning(self) -> datetime.date:
        return self.night + datetime.timedelta(days=1)


@dataclass(frozen=True)
class RoomingRow:
    person: Person
    nights: list[datetime.date]
    arrival: datetime.datetime | None
    departure: datetime.datetime | None


@dataclass
class RoomingList:
    congress: Congress
    rows: list[RoomingRow]
    nights: list[NightCount]

    @property
    def room_nights(self) -> int:
        return sum(n.count for n in self.nights)


def _nights(value) -> list[datetime.date]:
    nights = set()
    for item in value if isinstance(value, list) else []:
        try:
            nights.add(datetime.date.fromisoformat(str(item)[:10]))
        except ValueError:
            continue
    return sorted(nights)


def rooming_list(*, congress: Congress, user) -> RoomingList:
    """Registered participants who asked for hotel nights, with arrival and departure; how many rooms each night."""
    rows = _registered(congress=congress, user=user).values(*REGISTERED_FIELDS, "hotel_nights", "arrival", "departure")
    per_night: Counter = Counter()
    result_rows = []
    for row in rows:
        nights = _nights(row["hotel_nights"])
        if not nights:
            continue
        per_night.update(nights)
        result_rows.append(
            RoomingRow(
                person=_person(row),
                nights=nights,
                arrival=_local(row["arrival"]),
                departure=_local(row["departure"]),
            )
        )
    return RoomingList(
        congress=congress,
        rows=result_rows,
        nights=[NightCount(night=night, count=per_night[night]) for night in sorted(per_night)],
    )


@dataclass(frozen=True)
class AccessibilityRow:
    person: Person
    accessibility: str
    events: list[str]
    arrival: datetime.datetime | None
    departure: datetime.datetime | None


@dataclass
class AccessibilityList:
    congress: Congress
    rows: list[AccessibilityRow]
    deleted: int = 0
    health_data_deleted_on: datetime.date | None = None


def accessibility_list(*, congress: Congress, user) -> AccessibilityList:
    """Registered participants who described accessibility needs; empty answers and deleted ones are left out."""
    registrations = _registered(congress=congress, user=user)
    rows = list(
        registrations.filter(Q(health_data_deleted_at__isnull=False) | ~Q(accessibility="")).values(
            *REGISTERED_FIELDS, "accessibility", "arrival", "departure", "health_data_deleted_at"
        )
    )
    events = list(Event.objects.filter(congress=congress).order_by("starts_at", "title"))
    order = {event.pk: index for index, event in enumerate(events)}
    titles = {event.pk: _event_title(event) for event in events}
    chosen = _events_by_registration(
        registrations.filter(health_data_deleted_at__isnull=True).exclude(accessibility="")
    )
    result_rows = []
    deleted_on = []
    for row in rows:
        if row["health_data_deleted_at"] is not None:
            deleted_on.append(_local_date(row["health_data_deleted_at"]))
            continue
        if not row["accessibility"].strip():
            continue
        event_ids = sorted((pk for pk in chosen.get(row["id"], []) if pk in order), key=order.__getitem__)
        result_rows.append(
            AccessibilityRow(
                person=_person(row),
                accessibility=row["accessibility"],
                events=[titles[pk] for pk in event_ids],
                arrival=_local(row["arrival"]),
                departure=_local(row["departure"]),
            )
        )
    return AccessibilityList(
        congress=congress,
        rows=result_rows,
        deleted=len(deleted_on),
        health_data_deleted_on=max(deleted_on) if deleted_on else None,
    )


# --- What is deleted when ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HealthDataRetention:
    deletion_date: datetime.date
    retention_days: int
    holding: int  # registrations that still hold diet, allergy or accessibility answers
    with_diet: int
    with_allergies: int
    with_accessibility: int
    deleted: int  # registrations whose answers have been deleted
    deleted_on: datetime.date | None
    overdue: bool  # the date has passed but answers are still stored (the nightly clean-up has not run yet)


@dataclass(frozen=True)
class MailBodyRetention:
    retention_days: int
    stored: int  # mails whose text is still stored
    waiting: int  # of those, not sent yet: kept until they have been sent or have failed
    oldest_deleted_by: datetime.date | None
    all_mail: bool  # the secretariat sees every mail; regional staff only mails about their counties' participants


@dataclass(frozen=True)
class Retention:
    congress: Congress
    health_data: HealthDataRetention
    mail: MailBodyRetention
    today: datetime.date


def outbox_body_retention_days() -> int:
    return getattr(settings, "KS_OUTBOX_BODY_RETENTION_DAYS", DEFAULT_OUTBOX_BODY_RETENTION_DAYS)


def retention_overview(*, congress: Congress, user, today: datetime.date | None = None) -> Retention:
    """When the congress's diet, allergy and accessibility answers and the outgoing mails' texts will be deleted,
    and how much of each is stored now."""
    today = today or timezone.localdate()
    registrations = scope_to_user(
        Registration.objects.filter(participant__congress=congress), user, county_path="participant__county"
    )
    stored = Q(health_data_deleted_at__isnull=True)
    rows = list(
        registrations.values_list("diet", "allergies", "accessibility", "health_data_deleted_at").filter(
            (stored & (~Q(diet="") | ~Q(allergies="") | ~Q(accessibility=""))) | Q(health_data_deleted_at__isnull=False)
        )
    )
    holding = with_diet = with_allergies = with_accessibility = 0
    deleted_on = []
    for diet, allergies, accessibility, deleted_at in rows:
        if deleted_at is not None:
            deleted_on.append(_local_date(deleted_at))
            continue
        holding += 1
        with_diet += bool(diet)
        with_allergies += bool(allergies.strip())
        with_accessibility += bool(accessibility.strip())
    deletion_date = health_data_deletion_date(congress)
    health_data = HealthDataRetention(
        deletion_date=deletion_date,
        retention_days=registration_settings(congress).health_data_retention_days,
        holding=holding,
        with_diet=with_diet,
        with_allergies=with_allergies,
        with_accessibility=with_accessibility,
        deleted=len(deleted_on),
        deleted_on=max(deleted_on) if deleted_on else None,
        overdue=holding > 0 and deletion_date <= today,
    )

    days = outbox_body_retention_days()
    sees_all = user_sees_all_counties(user)
    mails = OutboxMail.objects.filter(body_purged_at__isnull=True)
    if not sees_all:
        mails = mails.filter(related_participant_id__in=scope_to_user(Participant.objects.all(), user).values("pk"))
    done = [OutboxMail.Status.SENT, OutboxMail.Status.FAILED]
    figures = mails.aggregate(
        stored=Count("pk"),
        waiting=Count("pk", filter=~Q(status__in=done)),
        oldest=Min("created_at", filter=Q(status__in=done)),
    )
    oldest = figures["oldest"]
    # The clean-up runs every night and deletes texts older than the period: a text written on day D is gone by
    # the morning of D + period + 1 at the latest.
    oldest_deleted_by = (
        max(timezone.localdate(oldest + datetime.timedelta(days=days)) + datetime.timedelta(days=1), today)
        if oldest is not None
        else None
    )
    mail = MailBodyRetention(
        retention_days=days,
        stored=figures["stored"],
        waiting=figures["waiting"],
        oldest_deleted_by=oldest_deleted_by,
        all_mail=sees_all,
    )
    return Retention(congress=congress, health_data=health_data, mail=mail, today=today)
