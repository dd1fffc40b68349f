import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agenda.models import Congress, Event
from core.groups import SECRETARIAT_GROUP
from delegates.mail_texts import default_text
from delegates.models import (
    County,
    CountyHoldBack,
    DelegateKey,
    MailText,
    Organisation,
    Participant,
    RegistrationSettings,
    SeatAllocation,
)


@dataclass(frozen=True)
class CountyPopulation:
    county: County
    population: int
    reference_date: datetime.date


def county_populations() -> list[CountyPopulation]:
    """Every county with its population: the sum of its municipalities' figures for the latest reference date.

    Municipalities without a figure for that date (dissolved ones left from an older import) are not counted.
    """
    latest = Organisation.objects.filter(kind__in=Organisation.MUNICIPAL_KINDS).aggregate(
        latest=Max("population_date")
    )["latest"]
    if latest is None:
        return []
    current = Q(organisations__kind__in=Organisation.MUNICIPAL_KINDS, organisations__population_date=latest)
    counties = (
        County.objects.annotate(
            municipalities=Count("organisations", filter=current),
            population=Sum("organisations__population", filter=current),
        )
        .filter(municipalities__gt=0)
        .order_by("number")
    )
    return [
        CountyPopulation(county=county, population=county.population or 0, reference_date=latest) for county in counties
    ]


@dataclass(frozen=True)
class AllocationRow:
    allocation: SeatAllocation
    share: Decimal
    county_municipality_seats: int
    municipality_seats: int
    single_delegation: bool
    explanation: str
    quotients: Sequence[dict]


@dataclass(frozen=True)
class AllocationTable:
    key: DelegateKey
    rows: list[AllocationRow]
    population: int
    computed_seats: int
    final_seats: int
    overridden: int

    @property
    def total_seats(self) -> int:
        return self.final_seats + self.key.samfunnsbedriftene_seats

    @property
    def balanced(self) -> bool:
        return self.final_seats == self.key.member_seats


def allocation_table(*, key: DelegateKey) -> AllocationTable:
    """The allocation as staff read it: one row per county, with shares, the split and the explanation."""
    single_delegation = Organisation.objects.filter(
        county=OuterRef("county"), kind=Organisation.Kind.MUNICIPALITY_AND_COUNTY
    )
    allocations = list(
        key.allocations.select_related("county__regional_office", "overridden_by")
        .annotate(single_delegation=Exists(single_delegation))
        .order_by("county__number")
    )
    population = sum(a.population for a in allocations)
    rows = []
    for allocation in allocations:
        county_part, municipal_part = key.split_seats(
            allocation.final_seats, single_delegation=allocation.single_delegation
        )
        share = Decimal(allocation.population * 100) / population if population else Decimal(0)
        rows.append(
            AllocationRow(
                allocation=allocation,
                share=share.quantize(Decimal("0.01")),
                county_municipality_seats=county_part,
                municipality_seats=municipal_part,
                single_delegation=allocation.single_delegation,
                explanation=explain_allocation(allocation),
                quotients=[
                    {"divisor": _number(q["divisor"]), "value": _number(q["value"]), "seat": q["seat"]}
                    for q in allocation.explanation.get("quotients", [])
                ],
            )
        )
    return AllocationTable(
        key=key,
        rows=rows,
        population=population,
        computed_seats=sum(a.computed_seats for a in allocations),
        final_seats=sum(a.final_seats for a in allocations),
        overridden=sum(1 for a in allocations if a.override_seats is not None),
    )


def _number(text: str) -> str:
    """A stored decimal ("13049.273", "55.0") in the active language's format, without needless zeros."""
    value = Decimal(text)
    places = max(0, -value.normalize().as_tuple().exponent)
    return number_format(value, decimal_pos=min(places, 3), use_l10n=True, force_grouping=True)


def explain_allocation(allocation: SeatAllocation) -> str:
    """A sentence that tells staff why the county got its computed seats."""
    info = allocation.explanation or {}
    parts = []
    minimum = info.get("minimum_seats", 0)
    if minimum:
        parts.append(
            ngettext("%(count)d seat from the minimum rule.", "%(count)d seats from the minimum rule.", minimum)
            % {"count": minimum}
        )
    if info.get("kind") == "largest_remainder":
        parts.append(
            _("Quota %(quota)s; whole seats %(whole)d, remainder %(remainder)s%(extra)s.")
            % {
                "quota": _number(info.get("quota", "0")),
                "whole": info.get("whole_seats", 0),
                "remainder": _number(info.get("remainder", "0")),
                "extra": _(", which won a remainder seat") if info.get("remainder_seat") else "",
            }
        )
    elif info.get("kind") == "divisor":
        won = [q for q in info.get("quotients", []) if q.get("seat") is not None]
        lost = [q for q in info.get("quotients", []) if q.get("seat") is None]
        if won:
            last = won[-1]
            parts.append(
                _("Last seat won with quotient %(value)s (population ÷ %(divisor)s), as seat no. %(seat)d.")
                % {"value": _number(last["value"]), "divisor": _number(last["divisor"]), "seat": last["seat"]}
            )
        if lost:
            parts.append(
                _("Next quotient %(value)s (÷ %(divisor)s) did not win a seat.")
                % {"value": _number(lost[0]["value"]), "divisor": _number(lost[0]["divisor"])}
            )
    if allocation.seats_by_lot:
        parts.append(
            ngettext(
                "%(count)d seat won by drawing lots.",
                "%(count)d seats won by drawing lots.",
                allocation.seats_by_lot,
            )
            % {"count": allocation.seats_by_lot}
        )
    return " ".join(parts)


# --- What a staff user may see: one place decides it, every interface asks here ---------------------------------


def user_sees_all_counties(user) -> bool:
    """The secretariat (superusers and the Sekretariat group) sees every county; regional staff only their own."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return False
    cached = getattr(user, "_sees_all_counties", None)
    if cached is None:
        cached = user.is_superuser or user.groups.filter(name=SECRETARIAT_GROUP).exists()
        user._sees_all_counties = cached
    return cached


def counties_visible_to(user) -> QuerySet[County]:
    if user_sees_all_counties(user):
        return County.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return County.objects.none()
    return County.objects.filter(regional_office__staff=user)


def scope_to_user(queryset: QuerySet, user, *, county_path: str = "county") -> QuerySet:
    """Restrict ``queryset`` to the rows whose county (reached through ``county_path``) the user may see."""
    if user_sees_all_counties(user):
        return queryset
    return queryset.filter(**{f"{county_path}__in": counties_visible_to(user)})


def county_visible_to(user, county: County | None) -> bool:
    if user_sees_all_counties(user):
        return True
    return county is not None and counties_visible_to(user).filter(pk=county.pk).exists()


def delegation_free_deputies(*, participant: Participant) -> list[Participant]:
    """Active deputies of the participant's delegation who do not yet hold a seat, next in rank first."""
    return list(Participant.objects.delegation_of(participant).free_deputies().exclude(pk=participant.pk))


# --- Invitations and registration -------------------------------------------------------------------------------


def registration_is_open(participant: Participant, *, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return participant.status == Participant.Status.ACTIVE and today <= participant.congress.registration_deadline


def allowed_hotel_nights(congress: Congress) -> list[datetime.date]:
    """The nights one can book: from two nights before the first day up to the night before the last day."""
    first = congress.first_day - datetime.timedelta(days=2)
    return [first + datetime.timedelta(days=n) for n in range((congress.last_day - first).days)]


def _invited_role(participant: Participant) -> str:
    return Participant.Role.DELEGATE if participant.acting_for_id else participant.role


def invited_events(participant: Participant) -> QuerySet[Event]:
    """The events of the congress week the participant's role is invited to and which need registration."""
    events = Event.objects.filter(congress_id=participant.congress_id, registration_required=True)
    role = _invited_role(participant)
    return events.filter(pk__in=[e.pk for e in events if e.invites(role)])


def invited_events_of(participants: Sequence[Participant]) -> dict[int, list[Event]]:
    """:func:`invited_events` of many participants (by primary key, each list by start), in one query."""
    congress_events: dict[int, list[Event]] = {}
    for event in Event.objects.filter(
        congress_id__in={p.congress_id for p in participants}, registration_required=True
    ).order_by("starts_at", "pk"):
        congress_events.setdefault(event.congress_id, []).append(event)
    return {
        p.pk: [e for e in congress_events.get(p.congress_id, []) if e.invites(_invited_role(p))] for p in participants
    }


def mail_text_for(*, congress: Congress, kind: str, language: str) -> tuple[str, str]:
    """The subject and body staff wrote for this mail, or the built-in text."""
    text = MailText.objects.filter(congress=congress, kind=kind, language=language).first()
    return (text.subject, text.body) if text else default_text(kind, language)


def registration_settings(congress: Congress) -> RegistrationSettings:
    """The congress's invitation and registration settings: the ones staff saved, or the defaults."""
    try:
        return congress.registration_settings
    except RegistrationSettings.DoesNotExist:
        return RegistrationSettings(congress=congress)


def health_data_deletion_date(congress: Congress) -> datetime.date:
    return congress.last_day + datetime.timedelta(days=registration_settings(congress).health_data_retention_days)


@dataclass
class InvitationPlan:
    to_send: list[Participant] = field(default_factory=list)
    refused: list[tuple[Participant, str]] = field(default_factory=list)


def invitations_plan(*, participants: Iterable[Participant]) -> InvitationPlan:
    """Who would get an invitation now, and who is refused and why (the dry run shows exactly this)."""
    participants = list(participants)
    held_back = set(
        CountyHoldBack.objects.filter(congress_id__in={p.congress_id for p in participants}).values_list(
            "congress_id", "county_id"
        )
    )
    plan = InvitationPlan()
    for participant in participants:
        if participant.county_id and (participant.congress_id, participant.county_id) in held_back:
            plan.refused.append((participant, _("The county is held back.")))
        elif participant.status != Participant.Status.ACTIVE:
            plan.refused.append((participant, _("The participant has withdrawn.")))
        elif not participant.email:
            plan.refused.append((participant, _("No e-mail address.")))
        elif participant.role == Participant.Role.DEPUTY and participant.acting_for_id is None:
            plan.refused.append((participant, _("A deputy is invited when taking a seat.")))
        else:
            plan.to_send.append(participant)
    return plan
