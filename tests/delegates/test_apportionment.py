import csv
import math
from fractions import Fraction
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from delegates.apportionment import (
    Apportionment,
    ApportionmentError,
    Method,
    Quotient,
    Tie,
    apportion,
)
from delegates.apportionment_messages import describe_apportionment_error, describe_tie

COUNTIES_CSV = Path("/work/shared/data/fylker_2024_folketall.csv")
DIVISOR_METHODS = [Method.SAINTE_LAGUE, Method.MODIFIED_SAINTE_LAGUE, Method.DHONDT]


def seats(units, **kwargs) -> dict[str, int]:
    result = apportion(units, **kwargs)
    assert result.tie is None
    return result.seats()


# --- Hand-checked examples ----------------------------------------------------------------------------------

# A 53 000, B 24 000, C 23 000, 7 seats (total 100 000).
#   Sainte-Laguë (1, 3, 5, 7): A 53000, 17667, 10600, 7571 · B 24000, 8000 · C 23000, 7667
#     the 7 best: 53000 A, 24000 B, 23000 C, 17667 A, 10600 A, 8000 B, 7667 C  (next: 7571 A)  -> 3 / 2 / 2
#   modified (1.4, 3, 5, 7): A 37857, 17667, 10600, 7571 · B 17143, 8000 · C 16429, 7667
#     the 7 best: 37857 A, 17667 A, 17143 B, 16429 C, 10600 A, 8000 B, 7667 C  (next: 7571 A)  -> 3 / 2 / 2
#   D'Hondt (1, 2, 3, 4): A 53000, 26500, 17667, 13250, 10600 · B 24000, 12000 · C 23000, 11500
#     the 7 best: 53000 A, 26500 A, 24000 B, 23000 C, 17667 A, 13250 A, 12000 B  (next: 11500 C)  -> 4 / 2 / 1
#   Hare: quotas 3.71 / 1.68 / 1.61, floors 3 + 1 + 1 = 5, two more to remainders .71 A and .68 B -> 4 / 2 / 1
SMALL = [("A", 53_000), ("B", 24_000), ("C", 23_000)]

# A 71 000, B 20 000, C 9 000, 8 seats: all four methods differ.
#   Sainte-Laguë: A 71000, 23667, 14200, 10143, 7889, 6455 · B 20000, 6667 · C 9000
#     the 8 best: 71000 A, 23667 A, 20000 B, 14200 A, 10143 A, 9000 C, 7889 A, 6667 B  (next 6455 A) -> 5/2/1
#   modified: A 50714, 23667, 14200, 10143, 7889, 6455 · B 14286, 6667 · C 6429
#     the 8 best: 50714 A, 23667 A, 14286 B, 14200 A, 10143 A, 7889 A, 6667 B, 6455 A  (next 6429 C) -> 6/2/0
#   D'Hondt: A 71000, 35500, 23667, 17750, 14200, 11833, 10143 · B 20000, 10000 · C 9000
#     the 8 best: 71000, 35500, 23667 A, 20000 B, 17750, 14200, 11833, 10143 A  (next 10000 B) -> 7 / 1 / 0
#   Hare: quotas 5.68 / 1.60 / 0.72, floors 5 + 1 + 0 = 6, two more to .72 C and .68 A -> 6 / 1 / 1
SPREAD = [("A", 71_000), ("B", 20_000), ("C", 9_000)]


@pytest.mark.parametrize(
    ("units", "total", "method", "expected"),
    [
        (SMALL, 7, Method.SAINTE_LAGUE, (3, 2, 2)),
        (SMALL, 7, Method.MODIFIED_SAINTE_LAGUE, (3, 2, 2)),
        (SMALL, 7, Method.DHONDT, (4, 2, 1)),
        (SMALL, 7, Method.LARGEST_REMAINDER, (4, 2, 1)),
        (SPREAD, 8, Method.SAINTE_LAGUE, (5, 2, 1)),
        (SPREAD, 8, Method.MODIFIED_SAINTE_LAGUE, (6, 2, 0)),
        (SPREAD, 8, Method.DHONDT, (7, 1, 0)),
        (SPREAD, 8, Method.LARGEST_REMAINDER, (6, 1, 1)),
    ],
)
def test_hand_checked_examples(units, total, method, expected):
    assert seats(units, seats=total, method=method) == dict(zip("ABC", expected, strict=True))


def test_method_can_be_given_by_its_name():
    assert seats(SPREAD, seats=8, method="modified-sainte-lague") == {"A": 6, "B": 2, "C": 0}


# A 60 000, B 30 000, C 10 000, 10 seats.
#   Sainte-Laguë without a minimum: A 60000, 20000, 12000, 8571, 6667, 5455 · B 30000, 10000, 6000 · C 10000
#     (next: B 4286, C 3333) -> 6 / 3 / 1
#   with a minimum of 2: everyone starts at 2, four seats left, quotients continue from divisor 5:
#     A 12000, 8571, 6667 · B 6000 · C 2000  (next: A 5455, B 4286) -> 5 / 3 / 2
#   modified Sainte-Laguë only changes the first divisor, which a unit at a minimum of 2 has passed: the same.
#   D'Hondt with a minimum of 2 continues from divisor 3:
#     A 20000, 15000, 12000, 10000 · B 10000 · C 3333 -> tie at 10000 between A and B for the last seat.
MINIMUM = [("A", 60_000), ("B", 30_000), ("C", 10_000)]


def test_minimum_seats_with_divisor_methods():
    assert seats(MINIMUM, seats=10, method=Method.SAINTE_LAGUE) == {"A": 6, "B": 3, "C": 1}
    assert seats(MINIMUM, seats=10, method=Method.SAINTE_LAGUE, min_seats=2) == {"A": 5, "B": 3, "C": 2}
    assert seats(MINIMUM, seats=10, method=Method.MODIFIED_SAINTE_LAGUE, min_seats=2) == {
        "A": 5,
        "B": 3,
        "C": 2,
    }

    result = apportion(MINIMUM, seats=10, method=Method.SAINTE_LAGUE, min_seats=2)
    a, b, c = result.units
    assert [u.minimum_seats for u in result.units] == [2, 2, 2]
    assert a.quotients == (
        Quotient(Fraction(5), Fraction(12_000), 1),
        Quotient(Fraction(7), Fraction(60_000, 7), 2),
        Quotient(Fraction(9), Fraction(60_000, 9), 3),
        Quotient(Fraction(11), Fraction(60_000, 11), None),
    )
    assert b.quotients == (
        Quotient(Fraction(5), Fraction(6_000), 4),
        Quotient(Fraction(7), Fraction(30_000, 7), None),
    )
    assert c.quotients == (Quotient(Fraction(5), Fraction(2_000), None),)


def test_minimum_seats_with_dhondt_can_end_in_a_tie():
    result = apportion(MINIMUM, seats=10, method=Method.DHONDT, min_seats=2)
    assert result.tie == Tie(candidates=("A", "B"), seats=1, value=Fraction(10_000))
    assert result.seats() == {"A": 5, "B": 2, "C": 2}


def test_modified_sainte_lague_first_divisor_is_exactly_seven_fifths():
    result = apportion(SPREAD, seats=8, method=Method.MODIFIED_SAINTE_LAGUE)
    assert result.units[2].quotients == (Quotient(Fraction(7, 5), Fraction(45_000, 7), None),)
    assert result.units[0].quotients[0] == Quotient(Fraction(7, 5), Fraction(355_000, 7), 1)


# Largest remainder, A 69 000, B 21 000, C 10 000, 10 seats, minimum 2:
#   round 1: quotas 6.9 / 2.1 / 1.0 -> C is below 2, fixed at 2; 8 seats left for 90 000
#   round 2: quotas A 8 * 69/90 = 6.13, B 8 * 21/90 = 1.87 -> B is below 2 now, fixed at 2; 6 seats left
#   round 3: A alone, quota 6 -> 6 / 2 / 2.
#   Without the minimum: floors 6 + 2 + 1, the last seat to .9 A -> 7 / 2 / 1
CASCADE = [("A", 69_000), ("B", 21_000), ("C", 10_000)]


def test_largest_remainder_with_minimum_recomputes_the_quota_until_stable():
    assert seats(CASCADE, seats=10, method=Method.LARGEST_REMAINDER) == {"A": 7, "B": 2, "C": 1}
    result = apportion(CASCADE, seats=10, method=Method.LARGEST_REMAINDER, min_seats=2)
    assert result.seats() == {"A": 6, "B": 2, "C": 2}
    assert [u.minimum_seats for u in result.units] == [0, 2, 2]
    assert [u.quota for u in result.units] == [Fraction(69, 10), Fraction(21, 10), Fraction(1)]
    assert result.units[0].remainder == 0


def test_largest_remainder_reports_the_remainders():
    result = apportion(SMALL, seats=7, method=Method.LARGEST_REMAINDER)
    assert [u.remainder for u in result.units] == [Fraction(71, 100), Fraction(68, 100), Fraction(61, 100)]
    assert [u.quota for u in result.units] == [Fraction(371, 100), Fraction(168, 100), Fraction(161, 100)]
    assert [u.share for u in result.units] == [Fraction(53, 100), Fraction(24, 100), Fraction(23, 100)]
    assert all(u.quotients == () for u in result.units)


def read_counties() -> list[tuple[str, int]]:
    with COUNTIES_CSV.open(encoding="utf-8") as f:
        return [
            (row["fylkesnavn"], int(row["folketall_sum_kommuner"])) for row in csv.DictReader(f) if row["fylkesnummer"]
        ]


COUNTY_NAMES = [
    "Oslo", "Rogaland", "Møre og Romsdal", "Nordland", "Østfold", "Akershus", "Buskerud", "Innlandet",
    "Vestfold", "Telemark", "Agder", "Vestland", "Trøndelag", "Troms", "Finnmark",
]  # fmt: skip


@pytest.mark.parametrize("method", list(Method))
@pytest.mark.parametrize("min_seats", [0, 2])
def test_the_15_counties_of_2024_share_219_seats(method, min_seats):
    counties = read_counties()
    assert [name for name, _ in counties] == COUNTY_NAMES
    result = apportion(counties, seats=219, method=method, min_seats=min_seats)
    assert result.tie is None
    assert sum(result.seats().values()) == 219
    assert all(abs(unit.seats - unit.quota) < 1 for unit in result.units)


def test_the_counties_of_2024_by_sainte_lague_and_by_largest_remainder():
    counties = read_counties()
    # Hare, total 5 550 203: floors 28 19 10 9 12 28 10 14 10 6 12 25 19 6 2 = 210, nine seats to the largest
    # remainders: Telemark .988, Finnmark .961, Innlandet .848, Akershus .757, Rogaland .706, Vestland .699,
    # Troms .692, Møre og Romsdal .678, Buskerud .647 (then Agder .621, Nordland .591 miss out).
    assert list(seats(counties, seats=219, method="largest-remainder").values()) == [
        28, 20, 11, 9, 12, 29, 11, 15, 10, 7, 12, 26, 19, 7, 3,
    ]  # fmt: skip
    # Sainte-Laguë gives Agder and Nordland those seats instead of Akershus and Vestland. Checked by Webster's
    # rounding, which Sainte-Laguë is equivalent to: dividing by 25 580, every population rounds (half up) to
    # its seats, e.g. Akershus 728 803 / 25 580 = 28.49 -> 28, Agder 319 850 / 25 580 = 12.50 -> 13,
    # Nordland 9.50 -> 10, Vestland 25.46 -> 25 (any divisor from 25 572.04 to 25 587.47 would do).
    result = apportion(counties, seats=219, method="sainte-lague")
    expected = [28, 20, 11, 10, 12, 28, 11, 15, 10, 7, 13, 25, 19, 7, 3]
    assert list(result.seats().values()) == expected
    assert [math.floor(Fraction(population, 25_580) + Fraction(1, 2)) for _, population in counties] == expected
    assert_last_seat_beats_every_next_quotient(result)


def assert_last_seat_beats_every_next_quotient(result: Apportionment) -> None:
    """What makes a divisor method: the weakest quotient that won is at least the strongest that did not."""
    won = [q.value for u in result.units for q in u.quotients if q.seat_number is not None]
    lost = [u.quotients[-1].value for u in result.units]
    if won:
        assert min(won) >= max(lost)
    assert sorted(q.seat_number for u in result.units for q in u.quotients if q.seat_number) == list(
        range(1, len(won) + 1)
    )


# --- Ties ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", list(Method))
def test_equal_populations_for_one_last_seat_are_a_tie(method):
    # A and B get one seat each, then A and B are level (quotient 1000/d(1), or remainder 1/2) for the third.
    result = apportion([("A", 1000), ("B", 1000), ("C", 0)], seats=3, method=method)
    assert result.seats() == {"A": 1, "B": 1, "C": 0}
    assert result.tie is not None
    assert result.tie.candidates == ("A", "B")
    assert result.tie.seats == 1

    settled = result.resolve_tie(["B"])
    assert settled.tie is None
    assert settled.seats() == {"A": 1, "B": 2, "C": 0}
    assert result.seats() == {"A": 1, "B": 1, "C": 0}, "the original is unchanged"


def test_the_tie_value_is_the_level_quotient_or_remainder():
    units = [("A", 1000), ("B", 1000)]
    assert apportion(units, seats=3, method="sainte-lague").tie.value == Fraction(1000, 3)
    assert apportion(units, seats=3, method="modified-sainte-lague").tie.value == Fraction(1000, 3)
    assert apportion(units, seats=3, method="dhondt").tie.value == Fraction(500)
    assert apportion(units, seats=3, method="largest-remainder").tie.value == Fraction(1, 2)
    # the same with the order reversed: no unit is favoured by its place in the input
    assert apportion(units[::-1], seats=3, method="dhondt").seats() == {"B": 1, "A": 1}


def test_resolving_a_tie_records_the_won_quotient():
    result = apportion([("A", 1000), ("B", 1000)], seats=3, method=Method.DHONDT).resolve_tie(["A"])
    assert result.units[0].quotients == (
        Quotient(Fraction(1), Fraction(1000), 1),
        Quotient(Fraction(2), Fraction(500), 3),
        Quotient(Fraction(3), Fraction(1000, 3), None),
    )
    assert result.units[1].quotients == (
        Quotient(Fraction(1), Fraction(1000), 2),
        Quotient(Fraction(2), Fraction(500), None),
    )


def test_equal_quotients_that_all_fit_are_no_tie():
    assert seats([("A", 1000), ("B", 1000), ("C", 10)], seats=2, method=Method.SAINTE_LAGUE) == {
        "A": 1,
        "B": 1,
        "C": 0,
    }


def test_a_tie_for_two_seats_among_three():
    result = apportion([("A", 1000), ("B", 1000), ("C", 1000)], seats=5, method=Method.SAINTE_LAGUE)
    assert result.tie == Tie(candidates=("A", "B", "C"), seats=2, value=Fraction(1000, 3))
    assert result.resolve_tie(["C", "A"]).seats() == {"A": 2, "B": 1, "C": 2}


@pytest.mark.parametrize(
    "winners",
    [[], ["D"], ["A"], ["A", "B", "C"], ["A", "A"], ["A", "D"]],
    ids=["none", "not-tied", "too-few", "too-many", "twice", "one-not-tied"],
)
def test_resolve_tie_rejects_wrong_winners(winners):
    result = apportion([("A", 1000), ("B", 1000), ("C", 1000), ("D", 10)], seats=5, method=Method.SAINTE_LAGUE)
    with pytest.raises(ApportionmentError) as caught:
        result.resolve_tie(winners)
    assert caught.value.code == "invalid_tie_winners"
    assert caught.value.params["seats"] == 2


def test_resolve_tie_without_a_tie_is_rejected():
    with pytest.raises(ApportionmentError) as caught:
        apportion(SMALL, seats=7, method=Method.DHONDT).resolve_tie(["A"])
    assert caught.value.code == "invalid_tie_winners"


# --- Errors -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "kwargs", "code", "params"),
    [
        ([], {}, "no_units", {}),
        ([("A", 1), ("", 2)], {}, "empty_name", {"position": 2}),
        ([("A", 1), ("  ", 2)], {}, "empty_name", {"position": 2}),
        ([("A", 1), ("B", 2), ("A", 3)], {}, "duplicate_name", {"name": "A", "position": 3}),
        ([("A", 1), ("B", None)], {}, "missing_population", {"name": "B", "position": 2}),
        ([("A", 1), ("B", -5)], {}, "negative_population", {"name": "B", "population": -5}),
        ([("A", 1)], {"seats": -1}, "negative_seats", {"seats": -1}),
        ([("A", 1)], {"min_seats": -1}, "negative_minimum", {"minimum": -1}),
        (
            [(f"U{i}", 1) for i in range(15)],
            {"seats": 3, "min_seats": 2},
            "too_few_seats",
            {"seats": 3, "needed": 30, "units": 15, "minimum": 2},
        ),
        ([("A", 0), ("B", 0)], {"seats": 5, "min_seats": 2}, "no_population", {"seats": 1}),
        ([("A", 1)], {"method": "hamilton"}, "unknown_method", {"method": "hamilton"}),
    ],
)
def test_bad_input_is_an_error_with_a_code(units, kwargs, code, params):
    kwargs = {"seats": 5, "method": Method.SAINTE_LAGUE, **kwargs}
    with pytest.raises(ApportionmentError) as caught:
        apportion(units, **kwargs)
    error = caught.value
    assert error.code == code
    assert params.items() <= error.params.items()
    assert isinstance(error, ValueError)
    assert str(error).endswith(".")

    with translation.override("en"):
        message = describe_apportionment_error(error)
    assert "\n" not in message
    assert message.endswith(".")
    for key, value in params.items():
        if key != "position" or code == "empty_name":
            assert str(value) in message


def test_too_few_seats_message():
    with pytest.raises(ApportionmentError) as caught:
        apportion([(f"U{i}", 1) for i in range(15)], seats=3, method="dhondt", min_seats=2)
    expected = "3 seats are too few: the minimums need 30 (15 units × 2)."
    assert str(caught.value) == expected
    with translation.override("en"):
        assert describe_apportionment_error(caught.value) == expected


def test_invalid_tie_winners_message_names_the_candidates():
    result = apportion([("Agder", 1000), ("Troms", 1000)], seats=1, method="sainte-lague")
    with pytest.raises(ApportionmentError) as caught:
        result.resolve_tie(["Oslo"])
    with translation.override("en"):
        message = describe_apportionment_error(caught.value)
        assert describe_tie(result.tie) == "1 seat is undecided: Agder and Troms are tied for it."
    assert "Agder" in message
    assert "Troms" in message
    assert "Oslo" in message


def test_no_seats_beyond_the_minimums_needs_no_population():
    result = apportion([("A", 0), ("B", 0)], seats=4, method="largest-remainder", min_seats=2)
    assert result.seats() == {"A": 2, "B": 2}
    assert [u.share for u in result.units] == [0, 0]
    assert seats([("A", 0), ("B", 0)], seats=0, method="dhondt") == {"A": 0, "B": 0}


def test_units_without_population_get_only_the_minimum():
    assert seats([("A", 100), ("B", 0)], seats=5, method="sainte-lague", min_seats=1) == {"A": 4, "B": 1}
    assert seats([("A", 100), ("B", 0)], seats=5, method="largest-remainder") == {"A": 5, "B": 0}


# --- Properties ---------------------------------------------------------------------------------------------

# Populations from a small pool make equal populations, and so ties, common.
populations = st.one_of(st.sampled_from([0, 1, 1000, 2000, 3000, 7000]), st.integers(0, 2_000_000))
MINIMUMS = st.integers(0, 3)


@st.composite
def problems(draw, methods=tuple(Method), min_seats=MINIMUMS):
    pops = draw(st.lists(populations, min_size=1, max_size=8))
    minimum = draw(min_seats)
    extra = draw(st.integers(0, 40)) if any(pops) else 0
    units = [(f"U{i}", population) for i, population in enumerate(pops)]
    return units, len(units) * minimum + extra, draw(st.sampled_from(methods)), minimum


PROPERTY_SETTINGS = settings(deadline=None, max_examples=150)


@PROPERTY_SETTINGS
@given(problems())
def test_seats_add_up_and_every_unit_gets_its_minimum(problem):
    units, total, method, minimum = problem
    result = apportion(units, seats=total, method=method, min_seats=minimum)
    allocated = sum(result.seats().values())
    if result.tie is None:
        assert allocated == total
    else:
        assert allocated + result.tie.seats == total
        assert 0 < result.tie.seats < len(result.tie.candidates)
        settled = result.resolve_tie(result.tie.candidates[: result.tie.seats])
        assert sum(settled.seats().values()) == total
    assert all(unit.seats >= minimum for unit in result.units)


@PROPERTY_SETTINGS
@given(problems())
def test_equal_populations_always_get_equal_seats(problem):
    """No tie is ever broken silently: nothing but the population decides."""
    units, total, method, minimum = problem
    result = apportion(units, seats=total, method=method, min_seats=minimum)
    by_population: dict[int, set[int]] = {}
    for unit in result.units:
        by_population.setdefault(unit.population, set()).add(unit.seats)
    assert all(len(counts) == 1 for counts in by_population.values())


@PROPERTY_SETTINGS
@given(problems(methods=tuple(DIVISOR_METHODS)))
def test_divisor_methods_are_house_monotone(problem):
    units, total, method, minimum = problem
    assume(any(population for _, population in units))
    smaller = apportion(units, seats=total, method=method, min_seats=minimum)
    larger = apportion(units, seats=total + 1, method=method, min_seats=minimum)
    assume(smaller.tie is None and larger.tie is None)
    assert all(more.seats >= fewer.seats for fewer, more in zip(smaller.units, larger.units, strict=True)), (
        "one more seat in total never takes a seat away"
    )
    assert_last_seat_beats_every_next_quotient(smaller)


@PROPERTY_SETTINGS
@given(problems(methods=(Method.LARGEST_REMAINDER,), min_seats=st.just(0)))
def test_largest_remainder_without_minimum_stays_within_one_of_the_quota(problem):
    units, total, method, _ = problem
    result = apportion(units, seats=total, method=method)
    for unit in result.units:
        assert math.floor(unit.quota) <= unit.seats <= math.ceil(unit.quota)
