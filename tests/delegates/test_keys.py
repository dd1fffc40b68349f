from decimal import Decimal

import pytest

from delegates.keys import split_county_seats


@pytest.mark.parametrize(
    ("seats", "fixed", "expected"),
    [(10, 2, (2, 8)), (3, 2, (2, 1)), (2, 2, (1, 1)), (1, 2, (0, 1)), (0, 2, (0, 0)), (10, 0, (0, 10))],
)
def test_fixed_rule_leaves_the_municipalities_at_least_one_seat(seats, fixed, expected):
    assert (
        split_county_seats(seats=seats, rule="fixed", fixed=fixed, share_percent=Decimal(0), single_delegation=False)
        == expected
    )


@pytest.mark.parametrize(
    ("seats", "share", "expected"),
    [
        (10, "25", (3, 7)),
        (12, "25", (3, 9)),
        (2, "50", (1, 1)),
        (2, "100", (1, 1)),
        (7, "0", (0, 7)),
        (6, "25", (2, 4)),
    ],
)
def test_share_rule_rounds_half_up(seats, share, expected):
    assert (
        split_county_seats(seats=seats, rule="share", fixed=0, share_percent=Decimal(share), single_delegation=False)
        == expected
    )


def test_single_delegation_keeps_every_seat_on_the_municipal_side():
    assert split_county_seats(seats=28, rule="fixed", fixed=2, share_percent=Decimal(0), single_delegation=True) == (
        0,
        28,
    )


def test_negative_seats_are_refused():
    with pytest.raises(ValueError, match="negative"):
        split_county_seats(seats=-1, rule="fixed", fixed=2, share_percent=Decimal(0), single_delegation=False)
