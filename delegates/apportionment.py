"""Seat apportionment: how many delegate seats each unit (county) gets from its population.

A pure module: standard library only, no Django. All arithmetic is exact (``fractions.Fraction``); floats are
never used to compare quotients or remainders.

Methods
-------
- Divisor methods award seats one at a time to the unit with the highest quotient ``population / d(s)``,
  where ``s`` is the number of seats the unit already holds: Sainte-Laguë ``d(s) = 2s + 1`` (1, 3, 5, …),
  modified Sainte-Laguë the same except ``d(0) = 1.4``, D'Hondt ``d(s) = s + 1`` (1, 2, 3, …). With a
  minimum, every unit starts with ``min_seats`` and continues from divisor ``d(min_seats)``.
- Largest remainder with the Hare quota: each unit gets the whole part of its quota
  ``population * seats / total`` and the seats left over go to the largest fractional parts. With a minimum,
  units whose quota is below it are fixed at the minimum and set aside; the quota of the rest is recomputed
  with the seats that are left, until nothing changes.

Ties
----
When the last seat(s) would go to one of several units with exactly equal quotients (or remainders) and there
are fewer seats than such units, those seats are left unallocated and :attr:`Apportionment.tie` describes
them. A tie is never broken silently; the caller settles it (by drawing lots) and calls
:meth:`Apportionment.resolve_tie`.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

__all__ = [
    "Apportionment",
    "ApportionmentError",
    "Method",
    "Quotient",
    "Tie",
    "UnitResult",
    "apportion",
    "parse_method",
]


class Method(StrEnum):
    SAINTE_LAGUE = "sainte-lague"
    MODIFIED_SAINTE_LAGUE = "modified-sainte-lague"
    DHONDT = "dhondt"
    LARGEST_REMAINDER = "largest-remainder"

    @property
    def is_divisor_method(self) -> bool:
        return self is not Method.LARGEST_REMAINDER


class ApportionmentError(ValueError):
    """Bad input to :func:`apportion` or :meth:`Apportionment.resolve_tie`.

    ``code`` says what is wrong (see the codes below), ``params`` holds the values a message needs, and
    ``str(error)`` is a readable English sentence. Errors about one unit carry its ``name`` and its 1-based
    ``position`` in the input.

    Codes: ``unknown_method``, ``negative_seats``, ``negative_minimum``, ``no_units``, ``empty_name``,
    ``duplicate_name``, ``missing_population``, ``negative_population``, ``too_few_seats``, ``no_population``,
    ``invalid_tie_winners``.
    """

    def __init__(self, code: str, message: str, params: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params: dict = dict(params or {})

    def __repr__(self) -> str:
        return f"ApportionmentError(code={self.code!r}, message={self.message!r}, params={self.params!r})"


@dataclass(frozen=True)
class Quotient:
    divisor: Fraction
    value: Fraction  # population / divisor, exact
    seat_number: int | None  # order among the seats awarded by quotient (1-based); None: did not win


@dataclass(frozen=True)
class UnitResult:
    name: str
    population: int
    seats: int  # tied, undecided seats not included
    minimum_seats: int  # seats that came from the minimum rule rather than from quotients/quotas
    share: Fraction  # population / total population (0 when the total is 0)
    quota: Fraction  # exact Hare quota: share * total seats
    remainder: Fraction | None  # largest remainder only: the fractional part used to rank remainders
    # divisor methods only: every seat won by quotient, then the next (losing) quotient
    quotients: tuple[Quotient, ...]


@dataclass(frozen=True)
class Tie:
    candidates: tuple[str, ...]  # units level for the last seat(s), in input order
    seats: int  # how many seats among them remain undecided (fewer than the candidates)
    value: Fraction  # the tied quotient or remainder


@dataclass(frozen=True)
class Apportionment:
    method: Method
    total_seats: int
    min_seats: int
    units: tuple[UnitResult, ...]  # in input order
    tie: Tie | None

    def seats(self) -> dict[str, int]:
        """Seats per unit name, in input order (undecided tied seats not included)."""
        return {unit.name: unit.seats for unit in self.units}

    @property
    def allocated_seats(self) -> int:
        return sum(unit.seats for unit in self.units)

    def resolve_tie(self, winners: Sequence[str]) -> Apportionment:
        """The apportionment after the tie was settled (by lot) in favour of ``winners``.

        ``winners`` must be exactly ``tie.seats`` distinct names among ``tie.candidates``; each gets one more
        seat.
        """
        winners = tuple(winners)
        tie = self.tie
        candidates = tie.candidates if tie is not None else ()
        needed = tie.seats if tie is not None else 0
        if (
            tie is None
            or len(winners) != needed
            or len(set(winners)) != len(winners)
            or any(winner not in candidates for winner in winners)
        ):
            if tie is None:
                message = "There is no tie to settle."
            else:
                message = (
                    f"The tie must be settled with exactly {needed} different winner(s) among "
                    f"{', '.join(candidates)}; got {', '.join(winners) or 'none'}."
                )
            raise ApportionmentError(
                "invalid_tie_winners",
                message,
                {"winners": winners, "candidates": candidates, "seats": needed},
            )

        next_number = 1 + sum(
            1 for unit in self.units for quotient in unit.quotients if quotient.seat_number is not None
        )
        units = []
        for unit in self.units:
            if unit.name not in winners:
                units.append(unit)
                continue
            quotients = unit.quotients
            if self.method.is_divisor_method:
                divisor = _DIVISORS[self.method]
                won = dataclasses.replace(quotients[-1], seat_number=next_number)
                next_number += 1
                following = _quotient(unit.population, divisor(unit.seats + 1), None)
                quotients = (*quotients[:-1], won, following)
            units.append(dataclasses.replace(unit, seats=unit.seats + 1, quotients=quotients))
        return dataclasses.replace(self, units=tuple(units), tie=None)


# --- Divisors -----------------------------------------------------------------------------------------------


def _sainte_lague(seats: int) -> Fraction:
    return Fraction(2 * seats + 1)


def _modified_sainte_lague(seats: int) -> Fraction:
    return Fraction(7, 5) if seats == 0 else Fraction(2 * seats + 1)


def _dhondt(seats: int) -> Fraction:
    return Fraction(seats + 1)


_DIVISORS: dict[Method, Callable[[int], Fraction]] = {
    Method.SAINTE_LAGUE: _sainte_lague,
    Method.MODIFIED_SAINTE_LAGUE: _modified_sainte_lague,
    Method.DHONDT: _dhondt,
}


def _quotient(population: int, divisor: Fraction, seat_number: int | None) -> Quotient:
    return Quotient(divisor=divisor, value=Fraction(population) / divisor, seat_number=seat_number)


# --- Validation ---------------------------------------------------------------------------------------------


def parse_method(method: Method | str) -> Method:
    """The :class:`Method` named by ``method``; ``ApportionmentError(code="unknown_method")`` if none is."""
    try:
        return Method(method)
    except ValueError:
        choices = tuple(m.value for m in Method)
        raise ApportionmentError(
            "unknown_method",
            f"Unknown method {method!r}; choose one of {', '.join(choices)}.",
            {"method": str(method), "choices": choices},
        ) from None


def _validate(units: Sequence[tuple[str, int | None]], seats: int, min_seats: int) -> list[tuple[str, int]]:
    if seats < 0:
        raise ApportionmentError("negative_seats", f"The number of seats ({seats}) is negative.", {"seats": seats})
    if min_seats < 0:
        raise ApportionmentError(
            "negative_minimum",
            f"The minimum number of seats ({min_seats}) is negative.",
            {"minimum": min_seats},
        )
    if not units:
        raise ApportionmentError("no_units", "There are no units to share the seats among.")

    seen: set[str] = set()
    checked: list[tuple[str, int]] = []
    for position, (name, population) in enumerate(units, start=1):
        if not isinstance(name, str):
            raise TypeError(f"unit name must be a string, not {type(name).__name__}")
        if not name.strip():
            raise ApportionmentError(
                "empty_name", f"Unit number {position} has no name.", {"name": name, "position": position}
            )
        if name in seen:
            raise ApportionmentError(
                "duplicate_name", f"{name} appears more than once.", {"name": name, "position": position}
            )
        seen.add(name)
        if population is None:
            raise ApportionmentError(
                "missing_population",
                f"The population of {name} is missing.",
                {"name": name, "position": position},
            )
        if isinstance(population, bool) or not isinstance(population, int):
            raise TypeError(f"population of {name} must be an int, not {type(population).__name__}")
        if population < 0:
            raise ApportionmentError(
                "negative_population",
                f"The population of {name} ({population}) is negative.",
                {"name": name, "position": position, "population": population},
            )
        checked.append((name, population))

    needed = len(checked) * min_seats
    if seats < needed:
        raise ApportionmentError(
            "too_few_seats",
            f"{seats} seats are too few: the minimums need {needed} ({len(checked)} units × {min_seats}).",
            {"seats": seats, "needed": needed, "units": len(checked), "minimum": min_seats},
        )
    if seats > needed and sum(population for _, population in checked) == 0:
        raise ApportionmentError(
            "no_population",
            f"The total population is 0, so the {seats - needed} seat(s) beyond the minimums cannot be shared.",
            {"seats": seats - needed},
        )
    return checked


# --- Apportionment ------------------------------------------------------------------------------------------


def apportion(
    units: Sequence[tuple[str, int | None]],
    *,
    seats: int,
    method: Method | str,
    min_seats: int = 0,
) -> Apportionment:
    """Share ``seats`` among ``units`` (``(name, population)`` pairs) by ``method``, each unit getting at
    least ``min_seats``.

    Raises :class:`ApportionmentError` for bad input. A tie for the last seat(s) is reported in the result's
    ``tie``, with those seats left unallocated.
    """
    method = parse_method(method)
    checked = _validate(units, seats, min_seats)
    total_population = sum(population for _, population in checked)

    def share(population: int) -> Fraction:
        return Fraction(population, total_population) if total_population else Fraction(0)

    if method.is_divisor_method:
        return _divisor_apportionment(checked, seats, min_seats, method, share)
    return _largest_remainder_apportionment(checked, seats, min_seats, share)


def _divisor_apportionment(
    units: list[tuple[str, int]],
    total_seats: int,
    min_seats: int,
    method: Method,
    share: Callable[[int], Fraction],
) -> Apportionment:
    divisor = _DIVISORS[method]
    populations = [population for _, population in units]
    held = [min_seats] * len(units)
    won: list[list[Quotient]] = [[] for _ in units]
    left = total_seats - min_seats * len(units)
    seat_number = 0
    tie: Tie | None = None

    # A heap of (-quotient, input position): the highest quotient first.
    heap = [(-(Fraction(population) / divisor(min_seats)), i) for i, population in enumerate(populations)]
    heapq.heapify(heap)
    while left > 0:
        best = heap[0][0]
        leaders = []
        while heap and heap[0][0] == best:
            leaders.append(heapq.heappop(heap)[1])
        leaders.sort()
        if len(leaders) > left:
            tie = Tie(candidates=tuple(units[i][0] for i in leaders), seats=left, value=-best)
            break
        for i in leaders:  # every leader wins a seat before any lower quotient does
            seat_number += 1
            won[i].append(_quotient(populations[i], divisor(held[i]), seat_number))
            held[i] += 1
            left -= 1
            heapq.heappush(heap, (-(Fraction(populations[i]) / divisor(held[i])), i))

    results = tuple(
        UnitResult(
            name=name,
            population=population,
            seats=held[i],
            minimum_seats=min_seats,
            share=share(population),
            quota=share(population) * total_seats,
            remainder=None,
            quotients=(*won[i], _quotient(population, divisor(held[i]), None)),
        )
        for i, (name, population) in enumerate(units)
    )
    return Apportionment(method=method, total_seats=total_seats, min_seats=min_seats, units=results, tie=tie)


def _largest_remainder_apportionment(
    units: list[tuple[str, int]],
    total_seats: int,
    min_seats: int,
    share: Callable[[int], Fraction],
) -> Apportionment:
    count = len(units)
    held = [0] * count
    from_minimum = [0] * count
    remainders: list[Fraction | None] = [None] * count
    tie: Tie | None = None

    # Fix the units whose quota is below the minimum, recomputing the others' quotas, until nothing changes.
    active = set(range(count))
    left = total_seats
    while True:
        active_population = sum(units[i][1] for i in active)
        if left == min_seats * len(active) or active_population == 0:
            below = set(active)  # nothing beyond the minimums is left to share
        else:
            below = {i for i in active if Fraction(units[i][1] * left, active_population) < min_seats}
        if not below:
            break
        for i in below:
            held[i] = from_minimum[i] = min_seats
        active -= below
        left -= min_seats * len(below)
        if not active:
            break

    if active:
        active_population = sum(units[i][1] for i in active)
        quotas = {i: Fraction(units[i][1] * left, active_population) for i in active}
        for i, quota in quotas.items():
            held[i] = math.floor(quota)
            remainders[i] = quota - held[i]
        left -= sum(held[i] for i in active)
        # Award the leftover seats to the largest remainders, a whole group of equal remainders at a time.
        for value in sorted({remainders[i] for i in active}, reverse=True):
            if left == 0:
                break
            group = [i for i in sorted(active) if remainders[i] == value]
            if len(group) > left:
                tie = Tie(candidates=tuple(units[i][0] for i in group), seats=left, value=value)
                break
            for i in group:
                held[i] += 1
            left -= len(group)

    results = tuple(
        UnitResult(
            name=name,
            population=population,
            seats=held[i],
            minimum_seats=from_minimum[i],
            share=share(population),
            quota=share(population) * total_seats,
            remainder=remainders[i],
            quotients=(),
        )
        for i, (name, population) in enumerate(units)
    )
    return Apportionment(
        method=Method.LARGEST_REMAINDER, total_seats=total_seats, min_seats=min_seats, units=results, tie=tie
    )
