import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agenda.models import Congress, Event
from core.deadlines import deadline_date, deadline_is_open
from core.groups import SECRETARIAT_GROUP
from core.templatetags.deadlines import deadline_format
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


# "17", "nr 17", "Nr. 17", "no. 17", "#17": a participant number as people type it at a desk.
_NUMBER_QUERY = re.compile(r"(?:(?:nr|no)\.?\s*|#\s*)?([0-9]{1,7})", re.IGNORECASE)


def participant_number_in(text: str) -> int | None:
    """The participant number that ``text`` asks for ("17", "nr 17", "#17"), or None when it is not just a number."""
    match = _NUMBER_QUERY.fullmatch((text or "").strip())
    return int(match.group(1)) if match else None


def participant_by_number(*, congress: Congress, number: int) -> Participant | None:
    """The participant of ``congress`` with this number (withdrawn ones included: the number stays theirs)."""
    return Participant.objects.select_related("organisation", "county").filter(congress=congress, number=number).first()


# --- Invitations and registration -------------------------------------------------------------------------------


def registration_is_open(participant: Participant, *, now: datetime.datetime | None = None) -> bool:
    """Active, and on or before the registration deadline's day in Oslo time (``core.deadlines``)."""
    return participant.status == Participant.Status.ACTIVE and deadline_is_open(
        participant.congress.registration_deadline, now or timezone.now()
    )


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
    #: Those whose congress's registration deadline has passed but which has not started: refused unless staff send
    #: them anyway as late additions (``late_addition=True``), then in ``to_send``.
    late_additions: list[Participant] = field(default_factory=list)


#: Why invitations for a congress are refused whatever the participant (``invitation_congress_problem``).
CONGRESS_CONCLUDED = "concluded"
CONGRESS_STARTED = "started"
DEADLINE_PASSED = "deadline_passed"


def invitation_congress_problem(congress: Congress, *, now: datetime.datetime | None = None) -> str | None:
    """Why no invitation may go out for ``congress`` now, or None.

    Concluded, or its registration deadline (open through that day in Oslo time, ``core.deadlines``) passed and the
    congress started: never. Deadline passed before the first day: ``DEADLINE_PASSED``, which staff may override for
    a late addition.
    """
    now = now or timezone.now()
    if congress.status == Congress.Status.CONCLUDED:
        return CONGRESS_CONCLUDED
    if deadline_is_open(congress.registration_deadline, now):
        return None
    if congress.first_day <= deadline_date(now):
        return CONGRESS_STARTED
    return DEADLINE_PASSED


def _congress_refusal(congress: Congress, problem: str) -> str:
    values = {"congress": congress.name, "deadline": deadline_format(congress.registration_deadline)}
    if problem == CONGRESS_CONCLUDED:
        return _("%(congress)s is concluded.") % values
    if problem == CONGRESS_STARTED:
        return (
            _("The registration deadline of %(congress)s (%(deadline)s) has passed and the congress has started.")
            % values
        )
    return (
        _(
            "The registration deadline of %(congress)s (%(deadline)s) has passed. Before the congress starts, "
            "a late addition can be sent anyway."
        )
        % values
    )


def invitations_plan(
    *,
    participants: Iterable[Participant],
    late_addition: bool = False,
    seat_taken: bool = False,
    congress_rules: bool = True,
    now: datetime.datetime | None = None,
) -> InvitationPlan:
    """Who would get an invitation now, and who is refused and why (the dry run shows exactly this).

    Besides the participant's own state, the congress decides (``invitation_congress_problem``): nothing goes out for
    a concluded congress, nor after the registration deadline, unless ``late_addition`` (staff's deliberate "send
    anyway", only before the first day) or ``seat_taken`` (a deputy who has just taken a seat, who needs the link to
    vote: until the congress is concluded). ``congress_rules=False``: the participant's own state only, for a mail
    that gives again a link the participant was already invited with (a lost link, an interrupted send).
    """
    participants = list(participants)
    now = now or timezone.now()
    held_back = set(
        CountyHoldBack.objects.filter(congress_id__in={p.congress_id for p in participants}).values_list(
            "congress_id", "county_id"
        )
    )
    problems: dict[int, str | None] = {}
    plan = InvitationPlan()
    for participant in participants:
        if congress_rules and participant.congress_id not in problems:
            problems[participant.congress_id] = invitation_congress_problem(participant.congress, now=now)
        problem = problems.get(participant.congress_id)
        if seat_taken and problem in (CONGRESS_STARTED, DEADLINE_PASSED):
            problem = None
        if problem in (CONGRESS_CONCLUDED, CONGRESS_STARTED):
            plan.refused.append((participant, _congress_refusal(participant.congress, problem)))
        elif participant.county_id and (participant.congress_id, participant.county_id) in held_back:
            plan.refused.append((participant, _("The county is held back.")))
        elif participant.status != Participant.Status.ACTIVE:
            plan.refused.append((participant, _("The participant has withdrawn.")))
        elif not participant.email:
            plan.refused.append((participant, _("No e-mail address.")))
        elif participant.role == Participant.Role.DEPUTY and participant.acting_for_id is None:
            plan.refused.append((participant, _("A deputy is invited when taking a seat.")))
        elif problem == DEADLINE_PASSED:
            plan.late_additions.append(participant)
            if late_addition:
                plan.to_send.append(participant)
            else:
                plan.refused.append((participant, _congress_refusal(participant.congress, problem)))
        else:
            plan.to_send.append(participant)
    return plan


@dataclass(frozen=True)
class MailTextInUse:
    """A kind of mail in one language as it goes out for a congress: the text staff wrote, or the built-in one."""

    kind: str
    kind_label: str
    language: str
    language_label: str
    subject: str
    custom: MailText | None  # None: the built-in text is used


def mail_texts_in_use(congress: Congress) -> list[MailTextInUse]:
    """Every kind of mail in every language for ``congress``, as :func:`mail_text_for` picks it; one query."""
    custom = {(text.kind, text.language): text for text in MailText.objects.filter(congress=congress)}
    rows = []
    for kind, kind_label in MailText.Kind.choices:
        for language, language_label in MailText.Language.choices:
            text = custom.get((kind, language))
            subject = text.subject if text else default_text(kind, language)[0]
            rows.append(MailTextInUse(kind, str(kind_label), language, str(language_label), subject, text))
    return rows


def documents_visible_to(user, documents: QuerySet) -> QuerySet:
    """The printed documents (``GeneratedDocument``) ``user`` may see and download: every one for a user who sees
    every county; otherwise those without participants (programme, agenda) and those limited to counties that are
    all the user's own, never one for the whole congress or with another office's county."""
    if user_sees_all_counties(user):
        return documents
    from delegates.services.documents import PARTICIPANT_DOCUMENT_KINDS  # that module reads this one

    through = documents.model.counties.through
    covered = through.objects.filter(generateddocument=OuterRef("pk"))
    outside = covered.exclude(county__in=counties_visible_to(user))
    return documents.filter(~Q(kind__in=PARTICIPANT_DOCUMENT_KINDS) | (Exists(covered) & ~Exists(outside)))
