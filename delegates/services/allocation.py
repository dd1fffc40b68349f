"""The delegate key: computing the counties' seats and staff's overrides."""

from collections.abc import Sequence

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from delegates.apportionment import Apportionment, ApportionmentError, Method, Tie, UnitResult, apportion
from delegates.apportionment_messages import describe_apportionment_error, describe_tie
from delegates.models import DelegateKey, SeatAllocation
from delegates.selectors import county_populations


class TieNotSettled(Exception):
    """The last seat(s) are tied; staff must draw lots and record the result before the allocation is applied."""

    def __init__(self, tie: Tie, names: dict[str, str]):
        self.tie = tie
        self.names = names
        super().__init__(describe_tie(tie))


def allocation_explanation(unit: UnitResult, method: Method) -> dict:
    """How a unit's seats came about, stored with its allocation and shown in the allocation table."""
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


def apportion_settled(
    units: Sequence[tuple[str, int]],
    *,
    seats: int,
    method: Method,
    min_seats: int,
    names: dict[str, str],
    lot_winners: Sequence[str],
    lot_record: str,
    user: AbstractBaseUser | None,
) -> tuple[Apportionment, set[str], str]:
    """``apportion`` with a tie for the last seat(s) settled by the drawing of lots staff recorded: the result, the
    units that won a seat by lot, and the record of the drawing in words (empty without a tie). Without
    ``lot_winners`` a tie raises TieNotSettled (``names``: each unit's name for the message); bad input a
    ValidationError in words. The delegate key and the county meetings' seats share it."""
    try:
        result = apportion(units, seats=seats, method=method, min_seats=min_seats)
    except ApportionmentError as error:
        raise ValidationError(describe_apportionment_error(error)) from error
    if result.tie is None:
        return result, set(), ""
    tied = {unit: names[unit] for unit in result.tie.candidates}
    if not lot_winners:
        raise TieNotSettled(result.tie, tied)
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
        "candidates": ", ".join(tied.values()),
        "seats": len(lot_seats),
        "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "who": user or "-",
        "winners": ", ".join(names[unit] for unit in lot_winners),
        "record": lot_record.strip(),
    }
    return result, lot_seats, tie_text


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
    result, lot_seats, tie_text = apportion_settled(
        [(number, p.population) for number, p in by_number.items()],
        seats=key.member_seats,
        method=method,
        min_seats=key.min_seats_per_county,
        names={number: str(p.county) for number, p in by_number.items()},
        lot_winners=lot_winners,
        lot_record=lot_record,
        user=user,
    )

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
        allocation.explanation = allocation_explanation(unit, method)
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
