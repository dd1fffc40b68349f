"""Every write the delegates app knows."""

import datetime
import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from agenda.models import Congress, Event
from core.models import OutboxMail
from core.services import outbox_queue
from delegates.apportionment import ApportionmentError, Method, Tie, UnitResult, apportion
from delegates.apportionment_messages import describe_apportionment_error, describe_tie
from delegates.mail_texts import default_text
from delegates.mail_texts import render as render_mail_text
from delegates.models import (
    County,
    CountyHoldBack,
    DelegateKey,
    MailText,
    Organisation,
    Participant,
    PersonalLink,
    Registration,
    SeatAllocation,
    Substitution,
)
from delegates.population import PopulationImportError, PopulationImportResult, PopulationRow, RowError, same_name
from delegates.selectors import REGIONAL_OFFICE_GROUP, SECRETARIAT_GROUP, county_populations

# --- The delegate key and its allocation -------------------------------------------------------------------------


class TieNotSettled(Exception):
    """The last seat(s) are tied; staff must draw lots and record the result before the allocation is applied."""

    def __init__(self, tie: Tie, names: dict[str, str]):
        self.tie = tie
        self.names = names
        super().__init__(describe_tie(tie))


def _explanation(unit: UnitResult, method: Method) -> dict:
    info: dict = {"minimum_seats": unit.minimum_seats, "quota": _decimal_text(unit.quota)}
    if method is Method.LARGEST_REMAINDER:
        whole = int(unit.quota) if unit.remainder is not None else unit.seats
        info.update(
            kind="largest_remainder",
            remainder=_decimal_text(unit.remainder or 0),
            whole_seats=whole,
            remainder_seat=unit.seats - unit.minimum_seats > whole,
        )
    else:
        info.update(
            kind="divisor",
            quotients=[
                {
                    "divisor": _decimal_text(q.divisor, 1),
                    "value": _decimal_text(q.value),
                    "seat": q.seat_number,
                }
                for q in unit.quotients
            ],
        )
    return info


def _decimal_text(value, places: int = 3) -> str:
    return f"{float(value):.{places}f}"


@transaction.atomic
def seat_allocation_compute(
    *, key: DelegateKey, user: AbstractBaseUser | None, lot_winners: Sequence[str] = (), lot_record: str = ""
) -> list[SeatAllocation]:
    """Compute the counties' seats under ``key`` and store one row per county.

    Overrides that staff recorded earlier are kept. A tie for the last seat is never settled here: without
    ``lot_winners`` (county numbers drawn by lot) and ``lot_record`` the call raises TieNotSettled.
    """
    key = DelegateKey.objects.select_for_update(of=("self",)).select_related("congress").get(pk=key.pk)
    populations = county_populations()
    if not populations:
        raise ValidationError(_("No counties with municipalities and population figures are loaded."))
    by_number = {p.county.number: p for p in populations}
    method = Method(key.method)
    try:
        result = apportion(
            [(number, p.population) for number, p in by_number.items()],
            seats=key.member_seats,
            method=method,
            min_seats=key.min_seats_per_county,
        )
    except ApportionmentError as error:
        raise ValidationError(describe_apportionment_error(error)) from error

    tie_text = ""
    lot_seats: set[str] = set()
    if result.tie is not None:
        names = {number: str(by_number[number].county) for number in result.tie.candidates}
        if not lot_winners:
            raise TieNotSettled(result.tie, names)
        if not lot_record.strip():
            raise ValidationError(_("Record how the drawing of lots was carried out."))
        try:
            result = result.resolve_tie(list(lot_winners))
        except ApportionmentError as error:
            raise ValidationError(describe_apportionment_error(error)) from error
        lot_seats = set(lot_winners)
        tie_text = ngettext(
            "Tie between %(candidates)s for %(seats)d seat, settled by drawing lots (recorded %(when)s by %(who)s). "
            "Won by %(winners)s. Record: %(record)s",
            "Tie between %(candidates)s for %(seats)d seats, settled by drawing lots (recorded %(when)s by %(who)s). "
            "Won by %(winners)s. Record: %(record)s",
            len(lot_seats),
        ) % {
            "candidates": ", ".join(names.values()),
            "seats": len(lot_seats),
            "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "who": user or "-",
            "winners": ", ".join(names[number] for number in lot_winners),
            "record": lot_record.strip(),
        }

    existing = {a.county.number: a for a in key.allocations.select_related("county")}
    key.allocations.exclude(county__number__in=by_number).delete()
    rows = []
    for unit in result.units:
        population = by_number[unit.name]
        allocation = existing.get(unit.name) or SeatAllocation(key=key, county=population.county)
        allocation.population = population.population
        allocation.population_date = population.reference_date
        allocation.computed_seats = unit.seats
        allocation.seats_by_lot = 1 if unit.name in lot_seats else 0
        allocation.explanation = _explanation(unit, method)
        rows.append(allocation)
    to_create = [a for a in rows if a.pk is None]
    to_update = [a for a in rows if a.pk is not None]
    # With history rows, so that every change of a county's numbers can be traced (who and when).
    bulk_create_with_history(to_create, SeatAllocation, default_user=user)
    bulk_update_with_history(
        to_update,
        SeatAllocation,
        ["population", "population_date", "computed_seats", "seats_by_lot", "explanation"],
        default_user=user,
    )
    key.computed_at = timezone.now()
    key.computed_by = user
    key.tie_resolution = tie_text
    key.save(update_fields=["computed_at", "computed_by", "tie_resolution"])
    return rows


@transaction.atomic
def seat_allocation_override(
    *, allocation: SeatAllocation, seats: int | None, reason: str, user: AbstractBaseUser
) -> SeatAllocation:
    """Set (or with ``seats=None`` clear) staff's own number of seats for a county. An override needs a reason."""
    allocation = SeatAllocation.objects.select_for_update().get(pk=allocation.pk)
    reason = reason.strip()
    if seats is not None and not reason:
        raise ValidationError({"override_reason": _("Give a reason for overriding the computed number.")})
    if seats is not None and seats < 0:
        raise ValidationError({"override_seats": _("The number of seats cannot be negative.")})
    allocation.override_seats = seats
    allocation.override_reason = reason if seats is not None else ""
    allocation.overridden_by = user
    allocation.overridden_at = timezone.now()
    allocation.save(update_fields=["override_seats", "override_reason", "overridden_by", "overridden_at"])
    return allocation


# --- Population figures ---------------------------------------------------------------------------------------


def _organisation_state(organisation: Organisation) -> tuple:
    return (
        organisation.kind,
        organisation.number,
        organisation.name,
        organisation.county_id,
        organisation.population,
        organisation.population_date,
    )


@transaction.atomic
def population_import(*, rows: Sequence[PopulationRow], skipped_rows: int = 0) -> PopulationImportResult:
    """Load counties, municipalities and their population figures from parsed rows; all or nothing.

    Counties that do not exist are created when the rows name them (SSB rows do not, so there an unknown
    county is an error) and renamed when the name differs. Municipalities are created or updated by official
    number (never duplicated) and renamed when the file's name differs. Every county in the rows then gets
    its county municipality: number = the county number, name "<county> fylkeskommune", population = the sum
    of its municipalities with the same (the county's latest) reference date — except a county with exactly
    one municipality (Oslo), which is one organisation of the kind MUNICIPALITY_AND_COUNTY: one delegation.

    ``skipped_rows`` (rows the parser left out on purpose) is only passed through to the result. Problems
    raise PopulationImportError with every row error, and the transaction rolls back.
    """
    Kind = Organisation.Kind
    errors: list[RowError] = []
    county_numbers = sorted({row.county_number for row in rows})
    numbers = {row.municipality_number for row in rows}
    county_names: dict[str, str] = {}
    for row in rows:
        if row.county_name:
            county_names.setdefault(row.county_number, row.county_name)

    counties = {c.number: c for c in County.objects.select_for_update().filter(number__in=county_numbers)}
    organisations = list(
        Organisation.objects.select_for_update()
        .filter(Q(number__in=numbers | set(county_numbers)) | Q(county__in=list(counties.values())))
        .order_by()  # the default ordering joins County, and FOR UPDATE refuses an outer join
    )
    by_number = {o.number: o for o in organisations if o.number}
    for row in rows:
        params = {"number": row.municipality_number}
        existing = by_number.get(row.municipality_number)
        if row.reference_date is None:
            errors.append(RowError(row.line, "missing_reference_date", params))
        if row.county_number not in counties and row.county_number not in county_names:
            errors.append(RowError(row.line, "unknown_county", {**params, "county": row.county_number}))
        if existing is None and not row.name:
            errors.append(RowError(row.line, "missing_name", params))
        elif existing is not None and existing.kind not in Organisation.MUNICIPAL_KINDS:
            errors.append(
                RowError(
                    row.line,
                    "number_taken",
                    {**params, "name": existing.name, "kind": existing.get_kind_display()},
                )
            )
    if errors:
        raise PopulationImportError(sorted(errors, key=lambda error: error.line))

    # Counties: create the missing ones, rename the ones the file names differently.
    new_counties = [County(number=n, name=county_names[n]) for n in county_numbers if n not in counties]
    renamed_counties = [c for n, c in counties.items() if county_names.get(n, c.name) != c.name]
    for county in renamed_counties:
        county.name = county_names[county.number]
    County.objects.bulk_update(renamed_counties, ["name"])
    County.objects.bulk_create(new_counties)
    if any(county.pk is None for county in new_counties):  # a backend that cannot return the new keys
        new_counties = list(County.objects.filter(number__in=[c.number for c in new_counties]))
    counties.update({county.number: county for county in new_counties})

    # Municipalities.
    before = {id(o): _organisation_state(o) for o in organisations}
    municipal = [o for o in organisations if o.kind in Organisation.MUNICIPAL_KINDS]
    created: list[Organisation] = []
    county_dates: dict[str, date] = {}
    for row in rows:
        county = counties[row.county_number]
        organisation = by_number.get(row.municipality_number)
        if organisation is None:
            organisation = Organisation(kind=Kind.MUNICIPALITY, number=row.municipality_number, name=row.name)
            by_number[organisation.number] = organisation
            municipal.append(organisation)
            created.append(organisation)
        elif row.name and not same_name(organisation.name, row.name):
            organisation.name = row.name
        organisation.county = county
        organisation.population = row.population
        organisation.population_date = row.reference_date
        county_dates[row.county_number] = max(
            county_dates.get(row.county_number, row.reference_date), row.reference_date
        )

    # County municipalities, or the one organisation of a county with a single municipality.
    county_level = {o.county_id: o for o in organisations if o.kind == Kind.COUNTY_MUNICIPALITY}
    rows_by_county = {row.county_number: row for row in rows}
    single: list[Organisation] = []
    for number in county_numbers:
        county = counties[number]
        members = [o for o in municipal if o.county_id == county.pk]
        separate = county_level.get(county.pk)
        if len(members) == 1:
            members[0].kind = Kind.MUNICIPALITY_AND_COUNTY
            single.append(members[0])
            if separate is not None:
                errors.append(
                    RowError(
                        rows_by_county[number].line,
                        "sole_municipality_conflict",
                        {"name": members[0].name, "county": number, "other": separate.name},
                    )
                )
            continue
        for member in members:
            member.kind = Kind.MUNICIPALITY
        holder = by_number.get(number)
        if separate is None and holder is not None and holder.kind == Kind.COUNTY_MUNICIPALITY:
            separate = holder  # registered under another county: it moves here
        if holder is not None and holder is not separate:
            errors.append(
                RowError(
                    rows_by_county[number].line,
                    "number_taken",
                    {"number": number, "name": holder.name, "kind": holder.get_kind_display()},
                )
            )
            continue
        if separate is None:
            separate = Organisation(kind=Kind.COUNTY_MUNICIPALITY)
            created.append(separate)
        separate.number = number
        separate.county = county
        separate.name = f"{county.name} fylkeskommune"
        separate.population = sum(
            m.population for m in members if m.population is not None and m.population_date == county_dates[number]
        )
        separate.population_date = county_dates[number]
    if errors:
        raise PopulationImportError(sorted(errors, key=lambda error: error.line))

    changed = [o for o in organisations if _organisation_state(o) != before[id(o)]]
    # Updates first: a former single delegation must stop being one before its county municipality is created.
    # Only the fields that changed, in modest batches: bulk_update's CASE expressions grow with both.
    fields = ["kind", "number", "name", "county", "population", "population_date"]
    states = [(before[id(o)], _organisation_state(o)) for o in changed]
    fields = [f for i, f in enumerate(fields) if any(old[i] != new[i] for old, new in states)]
    if changed:
        Organisation.objects.bulk_update(changed, fields, batch_size=100)
    Organisation.objects.bulk_create(created)

    changed_ids = {id(o) for o in changed}
    touched_ids = changed_ids | {id(o) for o in created}
    county_ids = {county.pk for county in counties.values()}
    not_in_file = (
        Organisation.objects.filter(kind__in=Organisation.MUNICIPAL_KINDS)
        .exclude(number__in=numbers)
        .order_by("number")
        .values_list("number", "name")
    )
    return PopulationImportResult(
        counties_created=len(new_counties),
        counties_renamed=len(renamed_counties),
        municipalities_created=sum(1 for o in created if o.kind != Kind.COUNTY_MUNICIPALITY),
        municipalities_updated=sum(1 for o in changed if o.kind != Kind.COUNTY_MUNICIPALITY),
        municipalities_unchanged=sum(1 for number in numbers if id(by_number[number]) not in touched_ids),
        county_municipalities_created=sum(1 for o in created if o.kind == Kind.COUNTY_MUNICIPALITY),
        county_municipalities_updated=sum(1 for o in changed if o.kind == Kind.COUNTY_MUNICIPALITY),
        county_municipalities_unchanged=sum(
            1
            for o in organisations
            if o.kind == Kind.COUNTY_MUNICIPALITY and o.county_id in county_ids and id(o) not in changed_ids
        ),
        skipped_rows=skipped_rows,
        population=sum(row.population for row in rows),
        reference_dates=tuple(sorted({row.reference_date for row in rows if row.reference_date})),
        single_delegations=tuple(o.name for o in single),
        not_in_file=tuple(f"{number} {name}" for number, name in not_in_file),
    )


# --- Staff groups --------------------------------------------------------------------------------------------

REGIONAL_OFFICE_PERMISSIONS = {
    "delegates": {
        "participant": ("view", "add", "change", "delete"),
        "registration": ("view",),
        "personallink": ("view",),
        "substitution": ("view", "add"),
        "countyholdback": ("view",),
        "organisation": ("view",),
        "county": ("view",),
        "seatallocation": ("view",),
    },
    "agenda": {"congress": ("view",)},
    # The committee work is public to the congress; regional staff may read it, never change it.
    "committees": {
        "politicaldocument": ("view",),
        "chapter": ("view",),
        "committee": ("view",),
        "amendment": ("view",),
        "statement": ("view",),
    },
}
COMMITTEE_SECRETARY_GROUP = "Komitésekretær"
#: A committee secretary records the recommendations of their own committee (``committees.selectors`` narrows it).
COMMITTEE_SECRETARY_PERMISSIONS = {
    "committees": {
        "politicaldocument": ("view",),
        "chapter": ("view",),
        "committee": ("view",),
        "amendment": ("view", "change"),
        "statement": ("view", "change"),
    },
    "agenda": {"congress": ("view",)},
}
SECRETARIAT_APPS = ("agenda", "delegates", "committees", "elections")


def _permissions(spec: dict) -> QuerySet:
    wanted = Q()
    for app_label, models_ in spec.items():
        for model, actions in models_.items():
            wanted |= Q(content_type__app_label=app_label, codename__in=[f"{a}_{model}" for a in actions])
    return Permission.objects.filter(wanted)


def staff_groups_ensure() -> None:
    """Create or refresh the staff groups (secretariat, regional office, committee secretary) (idempotent)."""
    secretariat, _created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    secretariat.permissions.set(
        Permission.objects.filter(
            Q(content_type__app_label__in=SECRETARIAT_APPS)
            | Q(content_type__app_label="core", codename__in=["view_outboxmail", "change_outboxmail"])
        )
    )
    regional, _created = Group.objects.get_or_create(name=REGIONAL_OFFICE_GROUP)
    regional.permissions.set(_permissions(REGIONAL_OFFICE_PERMISSIONS))
    secretaries, _created = Group.objects.get_or_create(name=COMMITTEE_SECRETARY_GROUP)
    secretaries.permissions.set(_permissions(COMMITTEE_SECRETARY_PERMISSIONS))


# --- Hold-back -------------------------------------------------------------------------------------------------


@transaction.atomic
def county_hold_back_set(
    *, congress: Congress, county: County, reason: str, user: AbstractBaseUser | None
) -> CountyHoldBack:
    """Hold back a county's invitations (or change the reason); releasing it is deleting the row."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for holding the county back.")})
    hold_back, created = CountyHoldBack.objects.select_for_update().get_or_create(
        congress=congress, county=county, defaults={"reason": reason, "created_by": user}
    )
    if not created and hold_back.reason != reason:
        hold_back.reason = reason
        hold_back.save(update_fields=["reason"])
    return hold_back


# --- Participants ----------------------------------------------------------------------------------------------


@transaction.atomic
def participant_withdraw(
    *, participant: Participant, user: AbstractBaseUser | None, reason: str = "", replacement: Participant | None = None
) -> Substitution:
    """A participant withdraws. If they held a voting seat, the next deputy of the same delegation takes it.

    Staff may pick another deputy than the next in rank, but must then say why. When no deputy is left the seat
    stays empty and the record says so. Everything is checked before anything is written.
    """
    # order_by("pk"): the default ordering joins the nullable county, and PostgreSQL refuses FOR UPDATE on outer joins.
    delegation = {
        p.pk: p for p in Participant.objects.delegation_of(participant).select_for_update(of=("self",)).order_by("pk")
    }
    current = delegation.get(participant.pk)
    if current is None:
        raise ValidationError(_("The participant's delegation has changed. Reload the page and try again."))
    if current.status == Participant.Status.WITHDRAWN:
        raise ValidationError(_("%(name)s has already withdrawn.") % {"name": current.full_name})

    held_seat = current.has_voting_right
    seat = current.acting_for if current.acting_for_id else current
    chosen = next_in_rank = None
    if held_seat:
        free_deputies = sorted(
            (p for p in delegation.values() if p.is_free_deputy and p.pk != current.pk), key=lambda p: p.deputy_rank
        )
        next_in_rank = free_deputies[0] if free_deputies else None
        if replacement is None:
            chosen = next_in_rank
        else:
            chosen = next((p for p in free_deputies if p.pk == replacement.pk), None)
            if chosen is None:
                raise ValidationError({"replacement": _("Choose an available deputy of the same delegation.")})
            if chosen is not next_in_rank and not reason.strip():
                raise ValidationError({"reason": _("Give a reason for choosing another deputy than the next in rank.")})

    current.status = Participant.Status.WITHDRAWN
    current.acting_for = None
    current.save(update_fields=["status", "acting_for"])
    if chosen is not None:
        chosen.acting_for = seat
        chosen.save(update_fields=["acting_for"])
    return Substitution.objects.create(
        congress_id=current.congress_id,
        withdrawn=current,
        held_seat=held_seat,
        replacement=chosen,
        reason=reason.strip(),
        replacement_chosen=chosen is not None and chosen is not next_in_rank,
        created_by=user,
    )


# --- Personal links -------------------------------------------------------------------------------------------

TOKEN_BYTES = 32  # 256 random bits; the issue asks for at least 128
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


class LinkProblem(Exception):
    """Why a personal link does not open: ``malformed``, ``unknown``, ``revoked`` or ``expired``."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def personal_link_digest(token: str) -> str:
    """The stored hash of a secret of the right shape; LinkProblem("malformed") for anything else."""
    if not _TOKEN_SHAPE.fullmatch(token or ""):
        raise LinkProblem("malformed")
    return _token_hash(token)


@transaction.atomic
def personal_link_issue(*, participant: Participant, user: AbstractBaseUser | None = None) -> tuple[PersonalLink, str]:
    """A new personal link for the participant; any earlier link stops working. Returns the link and its secret,
    which is shown or mailed once and never stored."""
    Participant.objects.select_for_update(of=("self",)).filter(pk=participant.pk).order_by("pk").first()
    now = timezone.now()
    PersonalLink.objects.filter(participant=participant, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = PersonalLink.objects.create(
        participant=participant,
        token_hash=_token_hash(token),
        created_by=user,
        expires_at=now + datetime.timedelta(days=participant.congress.link_validity_days),
    )
    return link, token


def personal_link_revoke(*, participant: Participant) -> int:
    return PersonalLink.objects.filter(participant=participant, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def personal_link_resolve(*, token: str, touch: bool = True) -> PersonalLink:
    """The valid link with this secret, or LinkProblem. Records when the link was opened, unless ``touch`` is off
    (casting a ballot: no write beyond the vote, and no time of voting kept with the voter's link)."""
    digest = personal_link_digest(token)
    link = (
        PersonalLink.objects.select_related(
            "participant__congress", "participant__county__regional_office", "participant__organisation"
        )
        .filter(token_hash=digest)
        .first()
    )
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        raise LinkProblem("unknown")
    now = timezone.now()
    if link.revoked_at is not None:
        raise LinkProblem("revoked")
    if link.expires_at <= now:
        raise LinkProblem("expired")
    if touch:
        PersonalLink.objects.filter(pk=link.pk).update(last_opened_at=now)
        PersonalLink.objects.filter(pk=link.pk, first_opened_at__isnull=True).update(first_opened_at=now)
    return link


def personal_link_send_lost(*, email: str, language: str = "nb") -> int:
    """Mail a new personal link to each participant with this address who has been invited to a congress not yet
    over and may still be invited (not held back, not withdrawn, a deputy only with a seat).

    Returns how many were sent; the caller must not reveal it (the answer is the same for unknown addresses).
    """
    today = timezone.localdate()
    invited = (
        Participant.objects.filter(email__iexact=email, congress__last_day__gte=today, links__mailed_at__isnull=False)
        .select_related("congress", "county__regional_office", "organisation")
        .distinct()
    )
    sent = 0
    for participant in invitations_plan(participants=invited).to_send:
        with transaction.atomic():
            link, token = personal_link_issue(participant=participant)
            participant_mail_queue(
                participant=participant,
                kind=MailText.Kind.LOST_LINK,
                link_url=personal_link_url(token),
                dedupe_key=f"lost_link:{link.pk}",
                language=language,
            )
            PersonalLink.objects.filter(pk=link.pk).update(mailed_at=timezone.now())
        sent += 1
    return sent


# --- Mail built from the editable texts ---------------------------------------------------------------------------


def _mail_values(*, participant: Participant, link_url: str = "") -> dict[str, str]:
    congress = participant.congress
    office = (
        participant.county.regional_office if participant.county_id and participant.county.regional_office else None
    )
    return {
        "first_name": participant.first_name,
        "full_name": participant.full_name,
        "congress": congress.name,
        "link": link_url,
        "deadline": congress.registration_deadline.strftime("%d.%m.%Y"),
        "county": participant.county.name if participant.county_id else "",
        "organisation": participant.organisation.name if participant.organisation_id else "",
        "sender": office.name if office else "KS",
    }


def mail_text_for(*, congress: Congress, kind: str, language: str) -> tuple[str, str]:
    text = MailText.objects.filter(congress=congress, kind=kind, language=language).first()
    return (text.subject, text.body) if text else default_text(kind, language)


def participant_mail_queue(
    *,
    participant: Participant,
    kind: str,
    link_url: str = "",
    dedupe_key: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    language: str = "nb",
    to: str | None = None,
):
    """Queue one of the congress's mail texts for (or about) a participant; sent after the transaction commits."""
    subject, body = mail_text_for(congress=participant.congress, kind=kind, language=language)
    values = _mail_values(participant=participant, link_url=link_url)
    office = participant.county.regional_office if participant.county_id else None
    return outbox_queue(
        to=to or participant.email,
        subject=render_mail_text(subject, values),
        body_text=render_mail_text(body, values),
        purpose=kind,
        attachments=attachments,
        dedupe_key=dedupe_key,
        reply_to=office.email if office else "",
        related_participant_id=participant.pk,
        contains_secret=bool(link_url),
    )


# --- Registration through the personal link -----------------------------------------------------------------------


def registration_is_open(participant: Participant, *, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return participant.status == Participant.Status.ACTIVE and today <= participant.congress.registration_deadline


def allowed_hotel_nights(congress: Congress) -> list[datetime.date]:
    """The nights one can book: from two nights before the first day up to the night before the last day."""
    first = congress.first_day - datetime.timedelta(days=2)
    return [first + datetime.timedelta(days=n) for n in range((congress.last_day - first).days)]


@transaction.atomic
def registration_save(
    *,
    participant: Participant,
    event_ids: Sequence[int],
    hotel_nights: Sequence[datetime.date],
    diet: str,
    allergies: str,
    accessibility: str,
    arrival: datetime.datetime | None,
    departure: datetime.datetime | None,
    listed: bool,
    mobile: str,
    link_url: str,
    language: str = "nb",
) -> Registration:
    """Create or change the participant's registration and mail a confirmation. Only until the deadline."""
    participant = Participant.objects.select_for_update(of=("self",)).select_related("congress").get(pk=participant.pk)
    if not registration_is_open(participant):
        raise ValidationError(_("Registration is closed: the deadline has passed or you have withdrawn."))
    invited = set(invited_events(participant).values_list("pk", flat=True))
    chosen = set(event_ids)
    if not chosen <= invited:
        raise ValidationError({"events": _("You can only register for events you are invited to.")})
    nights = sorted(set(hotel_nights))
    if not set(nights) <= set(allowed_hotel_nights(participant.congress)):
        raise ValidationError({"hotel_nights": _("Choose hotel nights during the congress week.")})
    if arrival and departure and departure < arrival:
        raise ValidationError({"departure": _("Departure cannot be before arrival.")})

    registration, _created = Registration.objects.get_or_create(participant=participant)
    registration.status = Registration.Status.REGISTERED
    registration.cancelled_at = None
    registration.hotel_nights = [night.isoformat() for night in nights]
    registration.diet = diet
    registration.allergies = allergies.strip()
    registration.accessibility = accessibility.strip()
    registration.arrival = arrival
    registration.departure = departure
    registration.listed = listed
    registration.save()
    registration.events.set(chosen)
    if participant.mobile != mobile.strip():
        participant.mobile = mobile.strip()
        participant.save(update_fields=["mobile"])
    participant_mail_queue(
        participant=participant,
        kind=MailText.Kind.CONFIRMATION,
        link_url=link_url,
        language=language,
        dedupe_key=f"confirmation:{registration.pk}:{registration.updated_at.isoformat()}",
    )
    return registration


@transaction.atomic
def registration_cancel(*, participant: Participant) -> Substitution:
    """The participant cancels through their link: the regional office is told, and for a delegate the next deputy
    takes the seat and is invited."""
    participant = Participant.objects.select_for_update(of=("self",)).select_related("congress").get(pk=participant.pk)
    if not registration_is_open(participant):
        raise ValidationError(_("Registration is closed: the deadline has passed or you have withdrawn."))
    registration, _created = Registration.objects.get_or_create(participant=participant)
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    substitution = participant_withdraw(
        participant=participant, user=None, reason=_("Cancelled through the personal link.")
    )
    office = participant.county.regional_office if participant.county_id else None
    participant_mail_queue(
        participant=participant,
        kind=MailText.Kind.CANCELLATION_NOTICE,
        to=office.email if office else settings.DEFAULT_FROM_EMAIL,
        dedupe_key=f"cancellation:{participant.pk}",
    )
    if substitution.replacement is not None:
        invitations_queue(participants=[substitution.replacement], user=None)
    return substitution


def invited_events(participant: Participant):
    """The events of the congress week the participant's role is invited to and which need registration."""
    events = Event.objects.filter(congress_id=participant.congress_id, registration_required=True)
    role = Participant.Role.DELEGATE if participant.acting_for_id else participant.role
    return events.filter(pk__in=[e.pk for e in events if e.invites(role)])


def personal_link_url(token: str) -> str:
    return f"{settings.KS_PUBLIC_BASE_URL}{reverse('portal:home', args=[token])}"


# --- Reminders and deletion of personal data ---------------------------------------------------------------------


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind, once, those invited who have not registered, when the congress's reminder day has come.

    The reminder carries a new personal link (the secret of the old one is not stored), which replaces the old.
    """
    today = today or timezone.localdate()
    queued = 0
    for congress in Congress.objects.filter(registration_deadline__gte=today, reminder_days_before_deadline__gt=0):
        if today < congress.registration_deadline - datetime.timedelta(days=congress.reminder_days_before_deadline):
            continue
        # Invited, with a link that still works: a link staff revoked is not renewed by a reminder.
        waiting = (
            Participant.objects.filter(
                congress=congress, links__mailed_at__isnull=False, links__revoked_at__isnull=True
            )
            .exclude(registration__isnull=False)
            .select_related("congress", "county__regional_office", "organisation")
            .distinct()
        )
        for participant in invitations_plan(participants=waiting).to_send:
            with transaction.atomic():
                # Under the participant's lock, so that two overlapping runs cannot both issue a link.
                Participant.objects.select_for_update(of=("self",)).filter(pk=participant.pk).order_by("pk").first()
                if OutboxMail.objects.filter(dedupe_key=f"reminder:{participant.pk}").exists():
                    continue
                link, token = personal_link_issue(participant=participant)
                participant_mail_queue(
                    participant=participant,
                    kind=MailText.Kind.REMINDER,
                    link_url=personal_link_url(token),
                    dedupe_key=f"reminder:{participant.pk}",
                )
                PersonalLink.objects.filter(pk=link.pk).update(mailed_at=timezone.now())
                queued += 1
    return queued


def health_data_deletion_date(congress: Congress) -> datetime.date:
    return congress.last_day + datetime.timedelta(days=congress.health_data_retention_days)


@transaction.atomic
def registration_health_data_purge(*, today: datetime.date | None = None) -> int:
    """Blank diet, allergy and accessibility answers of congresses whose retention period has ended."""
    today = today or timezone.localdate()
    due = [c.pk for c in Congress.objects.all() if health_data_deletion_date(c) <= today]
    return Registration.objects.filter(participant__congress__in=due, health_data_deleted_at__isnull=True).update(
        diet="", allergies="", accessibility="", health_data_deleted_at=timezone.now()
    )


# --- Invitations ------------------------------------------------------------------------------------------------

INVITATION_BATCH_SIZE = 100  # letters rendered as one PDF batch; batches run in parallel on the workers


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


def invitations_send(
    *,
    participants: Iterable[Participant],
    user: AbstractBaseUser | None,
    request_id: str | None = None,
    batch_size: int = INVITATION_BATCH_SIZE,
) -> InvitationPlan:
    """Issue a personal link to each participant and queue the invitation mail with the PDF letter.

    Refused participants (held-back county, withdrawn, no address, a deputy without a seat) are left alone. Each
    batch is one transaction: its mails are queued only when its links are stored. ``request_id`` names one request
    to send (one click): running the same request twice (a retried task) sends each invitation once.
    """
    from delegates.letters import render_invitation_letters  # rendering imports this module

    request_id = request_id or uuid.uuid4().hex
    queryset = Participant.objects.select_related("congress", "county__regional_office", "organisation")
    plan = invitations_plan(participants=queryset.filter(pk__in=[p.pk for p in participants]).order_by("pk"))
    for start in range(0, len(plan.to_send), batch_size):
        with transaction.atomic():
            # Lock first, then look for this request's mails: a duplicate run waits here and then finds them.
            ids = [p.pk for p in plan.to_send[start : start + batch_size]]
            list(Participant.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
            keys = {pk: f"invitation:{pk}:{request_id}" for pk in ids}
            done = set(OutboxMail.objects.filter(dedupe_key__in=keys.values()).values_list("dedupe_key", flat=True))
            chunk = [p for p in plan.to_send[start : start + batch_size] if keys[p.pk] not in done]
            if not chunk:
                continue
            issued = [personal_link_issue(participant=p, user=user) for p in chunk]
            urls = [personal_link_url(token) for _link, token in issued]
            letters = render_invitation_letters(list(zip(chunk, urls, strict=True)))
            for participant, url, pdf in zip(chunk, urls, letters, strict=True):
                participant_mail_queue(
                    participant=participant,
                    kind=MailText.Kind.INVITATION,
                    link_url=url,
                    dedupe_key=keys[participant.pk],
                    attachments=[(_("invitation.pdf"), pdf, "application/pdf")],
                )
            PersonalLink.objects.filter(pk__in=[link.pk for link, _token in issued]).update(mailed_at=timezone.now())
    return plan


def invitations_queue(*, participants: Iterable[Participant], user: AbstractBaseUser | None) -> InvitationPlan:
    """Plan the invitations and hand them to the workers in batches once the transaction commits."""
    from delegates.tasks import send_invitations  # the task module imports this one

    plan = invitations_plan(participants=participants)
    ids = [participant.pk for participant in plan.to_send]
    user_id = user.pk if user is not None else None
    request_id = uuid.uuid4().hex
    for start in range(0, len(ids), INVITATION_BATCH_SIZE):
        batch = ids[start : start + INVITATION_BATCH_SIZE]
        transaction.on_commit(lambda batch=batch: send_invitations.delay(batch, user_id, request_id), robust=True)
    return plan


# --- Printed documents (issue 5): ordered by staff, rendered by a worker ---------------------------------------------

#: Documents that list participants: ordered only by users who see every county (the document is not scoped).
PARTICIPANT_DOCUMENT_KINDS = frozenset({"badges_a4", "badges_labels", "participant_list", "name_cards"})


def document_order(*, congress: Congress, kind: str, user: AbstractBaseUser | None):
    """A new printed document, QUEUED; the worker renders it once the transaction commits.

    Documents with participants cover the whole congress, so only users who see every county may order them.
    """
    from django.core.exceptions import PermissionDenied

    from delegates.models import GeneratedDocument
    from delegates.selectors import user_sees_all_counties
    from delegates.tasks import render_document  # the task module imports this one

    if kind not in GeneratedDocument.Kind.values:
        raise ValidationError(_("Unknown document."))
    if kind in PARTICIPANT_DOCUMENT_KINDS and user is not None and not user_sees_all_counties(user):
        raise PermissionDenied(_("Only the secretariat can print documents with the participants of every county."))
    document = GeneratedDocument.objects.create(
        congress=congress, kind=kind, status=GeneratedDocument.Status.QUEUED, created_by=user
    )
    transaction.on_commit(lambda: render_document.delay(document.pk), robust=True)
    return document


def _document_builder(kind: str):
    """The function that renders ``kind``: ``(congress, progress=...) -> (pdf bytes, pages)``."""
    from delegates import printing

    builders = {
        "badges_a4": printing.build_badges_a4,
        "badges_labels": printing.build_badges_labels,
        "participant_list": printing.build_participant_list,
        "name_cards": printing.build_name_cards,
    }
    if kind in builders:
        return builders[kind]
    if kind in ("programme", "agenda"):
        from agenda import printing as agenda_printing  # WeasyPrint is loaded only where documents are rendered

        render = agenda_printing.render_programme if kind == "programme" else agenda_printing.render_agenda

        def build(congress, *, progress=None):
            return render(congress)

        return build
    raise RuntimeError(_("Unknown document: %(kind)s") % {"kind": kind})


def document_render(*, document_id: int, progress=None):
    """Render a QUEUED document: RENDERING with progress, then DONE with the file, or FAILED with the error.

    A duplicated task finds the document no longer QUEUED and does nothing. ``progress`` (optional) is called with
    each percentage too; the row's ``progress`` is always updated with ``.update()`` so a polling page sees it.
    """
    import logging

    from django.core.files.base import ContentFile

    from delegates.models import GeneratedDocument

    Status = GeneratedDocument.Status
    started = GeneratedDocument.objects.filter(pk=document_id, status=Status.QUEUED).update(
        status=Status.RENDERING, progress=0, error=""
    )
    if not started:
        return None
    document = GeneratedDocument.objects.select_related("congress").get(pk=document_id)

    def report(percent: int) -> None:
        GeneratedDocument.objects.filter(pk=document_id).update(progress=percent)
        if progress is not None:
            progress(percent)

    try:
        build = _document_builder(document.kind)
        pdf, pages = build(document.congress, progress=report)
        report(95)
        name = f"{document.kind.replace('_', '-')}-{document.congress.year}-{document.pk}.pdf"
        document.file.save(name, ContentFile(pdf), save=False)
        document.pages = pages
        document.status = Status.DONE
        document.progress = 100
        document.finished_at = timezone.now()
        document.save(update_fields=["file", "pages", "status", "progress", "finished_at"])
        if progress is not None:
            progress(100)
    except Exception as error:
        logging.getLogger(__name__).exception("Rendering document %s (%s) failed", document_id, document.kind)
        GeneratedDocument.objects.filter(pk=document_id).update(
            status=Status.FAILED, error=str(error) or type(error).__name__, finished_at=timezone.now()
        )
        document.refresh_from_db()
    return document
