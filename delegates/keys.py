"""How a county's seats are split between its county municipality and its municipalities. Pure logic."""

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class SplitRule(StrEnum):
    FIXED = "fixed"
    SHARE = "share"


def split_county_seats(
    *, seats: int, rule: SplitRule | str, fixed: int, share_percent: Decimal, single_delegation: bool
) -> tuple[int, int]:
    """Return (county municipality seats, municipalities' seats) for a county with ``seats`` seats.

    ``single_delegation`` is Oslo's case: the municipality is also the county municipality, so every seat
    belongs to the one delegation and is counted on the municipal side.
    Under either rule the municipalities keep at least one seat when the county has any.
    """
    if seats < 0:
        raise ValueError("seats must not be negative")
    if single_delegation or seats == 0:
        return 0, seats
    rule = SplitRule(rule)
    if rule is SplitRule.FIXED:
        county_part = fixed
    else:
        exact = Decimal(seats) * Decimal(share_percent) / Decimal(100)
        county_part = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    county_part = min(county_part, seats - 1)
    return county_part, seats - county_part
