"""The county meeting's composition: gender balance, and the parties' shares of the members beside their shares of
the votes in the county's municipal elections (issue 16, item 4).

A pure module: standard library only, no Django. Plain data in (:class:`Member`, a ``{party: votes}`` mapping),
frozen dataclasses out, with codes and exact numbers (``fractions.Fraction``) and no words for users: the page that
shows the check makes its sentences from these results.

Gender
------
The codes are those of ``delegates.models.Participant.Gender``: ``female``, ``male`` and ``other`` ("other or not
stated"). A member whose gender is ``None`` or empty counts as ``other``. Every share is of *all* members, ``other``
included, so members without a stated gender can make the rule fail; :attr:`GenderBalance.undetermined` counts them so
that the page can say so. The rule (each of female and male at least :data:`GENDER_MINIMUM`, 40 %, compared exactly:
4 of 10 holds, 3 of 10 and 39 of 100 do not) applies to female and male only; ``other`` is counted and shown but not
held to it. No exception is made for very small bodies (with 1 or 3 members the rule cannot hold). With no members at
all there are no shares (``None``) and :attr:`GenderBalance.holds` is ``None``: the check has nothing to say.

Parties
-------
Party names are compared as given, normalised only by :func:`party_key`: Unicode NFC, surrounding and repeated
whitespace, and case (``casefold``). "Høyre", " HØYRE " and "høyre" are one party; "Ap", "AP" and "ap" are one party;
"Ap" and "Arbeiderpartiet" are two, because nothing here guesses that an abbreviation and a name mean the same party
(the election results' file and the reports must spell a party alike, up to case and spaces). A party's shown name
is its spelling in the election results (the first one given), else its first spelling among the members. A member
without a party (``None`` or blank) counts in the row with ``party=None`` and ``key=""``; no votes are ever cast for
it.

Every party with votes and every party with members has a row, in the order: most votes, most members, key. Shares
are of all members (those without a party included, so the member shares add up to exactly 1) and of all votes. The
difference is ``member share - vote share``; :attr:`PartyRow.difference_points` is it in percentage points. A row is
flagged when the *absolute* difference is strictly more than the threshold (in points, default
:data:`DEFAULT_THRESHOLD_POINTS`), so a party as much over as another is under is flagged alike. With no members, or
no votes, the shares on that side are ``None``, no difference is computed and nothing is flagged;
:attr:`PartyBalance.status` says which (``no_members``, ``no_votes``, ``ok``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

__all__ = [
    "DEFAULT_THRESHOLD_POINTS",
    "GENDER_MINIMUM",
    "Composition",
    "CompositionError",
    "Gender",
    "GenderBalance",
    "GenderShare",
    "Member",
    "PartyBalance",
    "PartyRow",
    "composition_check",
    "gender_balance",
    "party_balance",
    "party_key",
    "percent",
]

GENDER_MINIMUM = Fraction(2, 5)  # 40 %
DEFAULT_THRESHOLD_POINTS = 10


class Gender(StrEnum):
    """The codes of ``delegates.models.Participant.Gender``."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"  # other or not stated: counted and shown, not held to the rule


RULED_GENDERS = (Gender.FEMALE, Gender.MALE)


class CompositionError(ValueError):
    """Bad input (a programming error, not a user's): ``code`` and ``params`` say what."""

    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Member:
    """One member of the county meeting, as plain data."""

    gender: str | None = None
    party: str | None = None


# --- Gender -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GenderShare:
    gender: Gender
    count: int
    share: Fraction | None  # of all members; None with no members
    meets_minimum: bool | None  # None for ``other`` (not held to the rule) and with no members

    @property
    def ruled(self) -> bool:
        return self.gender in RULED_GENDERS


@dataclass(frozen=True)
class GenderBalance:
    total: int
    minimum: Fraction
    shares: tuple[GenderShare, ...]  # female, male, other: always all three, in that order

    @property
    def holds(self) -> bool | None:
        """Whether both female and male have at least the minimum share; None with no members."""
        if self.total == 0:
            return None
        return all(share.meets_minimum for share in self.shares if share.ruled)

    @property
    def failing(self) -> tuple[Gender, ...]:
        """The genders below the minimum (empty with no members)."""
        return tuple(share.gender for share in self.shares if share.meets_minimum is False)

    @property
    def undetermined(self) -> int:
        """Members of ``other`` (other or not stated), who are in the denominator but under no rule."""
        return self.of(Gender.OTHER).count

    def of(self, gender: Gender | str) -> GenderShare:
        return next(share for share in self.shares if share.gender == Gender(gender))


def _gender(value: str | None) -> Gender:
    if value is None or not str(value).strip():
        return Gender.OTHER
    try:
        return Gender(str(value).strip())
    except ValueError:
        raise CompositionError("unknown_gender", gender=value) from None


def gender_balance(genders: Iterable[str | None], *, minimum: Fraction = GENDER_MINIMUM) -> GenderBalance:
    """The count and share of each gender among ``genders`` (one code per member) and whether the rule holds."""
    minimum = _fraction(minimum, "minimum")
    if not 0 <= minimum <= 1:
        raise CompositionError("minimum_out_of_range", minimum=minimum)
    counts = dict.fromkeys(Gender, 0)
    for value in genders:
        counts[_gender(value)] += 1
    total = sum(counts.values())
    shares = []
    for gender in Gender:
        share = Fraction(counts[gender], total) if total else None
        meets = None if share is None or gender not in RULED_GENDERS else share >= minimum
        shares.append(GenderShare(gender=gender, count=counts[gender], share=share, meets_minimum=meets))
    return GenderBalance(total=total, minimum=minimum, shares=tuple(shares))


# --- Parties ------------------------------------------------------------------------------------------------------


def party_key(name: str | None) -> str:
    """The name by which parties are matched: NFC, whitespace trimmed and collapsed, case folded; "" for none."""
    if name is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(name)).split()).casefold()


class PartyStatus(StrEnum):
    OK = "ok"
    NO_MEMBERS = "no_members"
    NO_VOTES = "no_votes"
    NO_MEMBERS_NOR_VOTES = "no_members_nor_votes"


@dataclass(frozen=True)
class PartyRow:
    key: str  # party_key(party); "" for members without a party
    party: str | None  # the name as shown; None for members without a party
    members: int
    votes: int
    member_share: Fraction | None  # None with no members at all
    vote_share: Fraction | None  # None with no votes at all
    difference: Fraction | None  # member_share - vote_share; None if either is None
    flagged: bool

    @property
    def difference_points(self) -> Fraction | None:
        return None if self.difference is None else self.difference * 100

    @property
    def over_represented(self) -> bool:
        return self.difference is not None and self.difference > 0

    @property
    def under_represented(self) -> bool:
        return self.difference is not None and self.difference < 0


@dataclass(frozen=True)
class PartyBalance:
    members_total: int
    votes_total: int
    threshold_points: Fraction
    rows: tuple[PartyRow, ...]

    @property
    def status(self) -> PartyStatus:
        if not self.members_total and not self.votes_total:
            return PartyStatus.NO_MEMBERS_NOR_VOTES
        if not self.members_total:
            return PartyStatus.NO_MEMBERS
        if not self.votes_total:
            return PartyStatus.NO_VOTES
        return PartyStatus.OK

    @property
    def flagged(self) -> tuple[PartyRow, ...]:
        return tuple(row for row in self.rows if row.flagged)

    def of(self, party: str | None) -> PartyRow | None:
        key = party_key(party)
        return next((row for row in self.rows if row.key == key), None)


def party_balance(
    parties: Iterable[str | None],
    votes: Mapping[str, int],
    *,
    threshold_points: int | Fraction | Decimal | str = DEFAULT_THRESHOLD_POINTS,
) -> PartyBalance:
    """Each party's share of the members (``parties``: one party name per member) beside its share of ``votes``.

    ``votes`` is ``{party: votes}`` summed over the county's municipalities; names that are one party by
    :func:`party_key` are added together.
    """
    threshold = _fraction(threshold_points, "threshold_points")
    if threshold < 0:
        raise CompositionError("negative_threshold", threshold=threshold)

    names: dict[str, str | None] = {}
    vote_counts: dict[str, int] = {}
    for name, count in votes.items():
        key = party_key(name)
        if not key:
            raise CompositionError("votes_without_party", votes=count)
        if isinstance(count, bool) or not isinstance(count, int):
            raise CompositionError("votes_not_whole", party=name, votes=count)
        if count < 0:
            raise CompositionError("negative_votes", party=name, votes=count)
        names.setdefault(key, " ".join(unicodedata.normalize("NFC", name).split()))
        vote_counts[key] = vote_counts.get(key, 0) + count

    member_counts: dict[str, int] = {}
    for name in parties:
        key = party_key(name)
        if key not in names:
            names[key] = " ".join(unicodedata.normalize("NFC", name).split()) if key else None
        member_counts[key] = member_counts.get(key, 0) + 1

    members_total = sum(member_counts.values())
    votes_total = sum(vote_counts.values())
    rows = []
    for key, name in names.items():
        members = member_counts.get(key, 0)
        party_votes = vote_counts.get(key, 0)
        if not members and not party_votes:
            continue
        member_share = Fraction(members, members_total) if members_total else None
        vote_share = Fraction(party_votes, votes_total) if votes_total else None
        difference = None if member_share is None or vote_share is None else member_share - vote_share
        rows.append(
            PartyRow(
                key=key,
                party=name,
                members=members,
                votes=party_votes,
                member_share=member_share,
                vote_share=vote_share,
                difference=difference,
                flagged=difference is not None and abs(difference) * 100 > threshold,
            )
        )
    rows.sort(key=lambda row: (-row.votes, -row.members, row.key))
    return PartyBalance(
        members_total=members_total, votes_total=votes_total, threshold_points=threshold, rows=tuple(rows)
    )


# --- Both ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Composition:
    gender: GenderBalance
    parties: PartyBalance


def composition_check(
    members: Iterable[Member],
    votes: Mapping[str, int],
    *,
    threshold_points: int | Fraction | Decimal | str = DEFAULT_THRESHOLD_POINTS,
    gender_minimum: Fraction = GENDER_MINIMUM,
) -> Composition:
    """The gender balance and the party balance of the meeting's ``members`` against the county's ``votes``."""
    members = list(members)
    return Composition(
        gender=gender_balance([member.gender for member in members], minimum=gender_minimum),
        parties=party_balance([member.party for member in members], votes, threshold_points=threshold_points),
    )


# --- Numbers ------------------------------------------------------------------------------------------------------


def percent(share: Fraction, places: int = 1) -> Decimal:
    """``share`` in per cent, rounded half up to ``places`` decimals: 4/9 → 44.4, 5/9 → 55.6, 1/8 → 12.5."""
    scaled = Fraction(share) * 100
    quantum = Decimal(1).scaleb(-places)
    # Exact: round the fraction itself, not a float.
    numerator, denominator = scaled.numerator, scaled.denominator
    factor = 10**places
    sign = -1 if numerator < 0 else 1
    rounded = (2 * abs(numerator) * factor + denominator) // (2 * denominator)
    return (Decimal(sign * rounded) / Decimal(factor)).quantize(quantum, rounding=ROUND_HALF_UP)


def _fraction(value: int | Fraction | Decimal | str | float, name: str) -> Fraction:
    if isinstance(value, bool):
        raise CompositionError("not_a_number", name=name, value=value)
    if isinstance(value, float):
        value = str(value)  # 10.5 means 21/2, not the float nearest to it
    try:
        return Fraction(value)
    except (TypeError, ValueError, ZeroDivisionError):
        raise CompositionError("not_a_number", name=name, value=value) from None
