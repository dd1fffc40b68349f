"""Counting the ballots of a closed poll: elections and plenary (yes/no) decisions.

A pure module: standard library only, no Django. All arithmetic is exact (``fractions.Fraction``); floats are
never used to compare shares.

Methods
-------
- :func:`count_single_majority`: one seat, each ballot names at most one candidate. A candidate needs an absolute
  majority: more than half of the votes for candidates (blank ballots are reported but are not part of the base),
  that is at least ``base // 2 + 1`` votes. Without one, the two leading candidates go to a run-off. A run-off is a
  new poll with two candidates, counted with the same function: there the candidate with more votes has an
  absolute majority, and equal votes are a tie for the seat.
- :func:`count_multi_seat`: ``seats`` seats, each ballot names up to ``max_choices`` different candidates; the
  ``seats`` candidates with the most votes are elected. With no more candidates than seats, all are elected.
- :func:`count_yes_no`: a plenary decision. ``simple`` majority: adopted when yes > no; ``two_thirds``: adopted
  when yes >= 2/3 of (yes + no). Abstentions are reported but are not part of the base. Equal yes and no under a
  simple majority means the proposal is NOT adopted (``tied`` says so).
- :func:`gender_balance`: whether an elected body meets the gender balance rule of kommuneloven section 7-6.

Ties
----
A tie is never broken silently or at random here. When candidates with equal votes compete for fewer places
(seats, or places in a run-off) than there are of them, the result's ``tie`` names them and says how many places
are open; the caller settles it by a recorded drawing of lots and calls :func:`settle_tie` with the winners.

Percentages
-----------
Every result has ``percentages``: one exact percentage (0 to 100, a ``Fraction``) per candidate, in candidate
order (for yes/no: of yes and of no), computed from ``base``; ``base_label`` says what the base is. Format one
with :func:`percent`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TypeVar

__all__ = [
    "ANSWERS",
    "BASE_NON_BLANK_BALLOTS",
    "BASE_NON_BLANK_VOTES",
    "BASE_YES_PLUS_NO",
    "GENDERS",
    "CountingError",
    "GenderBalance",
    "Majority",
    "MultiSeatResult",
    "SingleMajorityResult",
    "Tie",
    "YesNoResult",
    "count_multi_seat",
    "count_single_majority",
    "count_yes_no",
    "gender_balance",
    "minimum_per_gender",
    "percent",
    "result_to_json",
    "runoff_candidates",
    "settle_tie",
]

BASE_NON_BLANK_VOTES = "non_blank_votes"
BASE_NON_BLANK_BALLOTS = "non_blank_ballots"
BASE_YES_PLUS_NO = "yes_plus_no"

ANSWERS = ("yes", "no", "abstain")
GENDERS = ("female", "male", "other", "")


class Majority(StrEnum):
    SIMPLE = "simple"
    TWO_THIRDS = "two_thirds"


class CountingError(ValueError):
    """Bad input to a counting function, :func:`settle_tie`, :func:`runoff_candidates` or :func:`gender_balance`.

    ``code`` says what is wrong, ``params`` holds the values a message needs, and ``str(error)`` is a readable
    English sentence (:mod:`elections.counting_messages` has the translated one). Errors about one ballot carry
    its 1-based ``position`` among the ballots.

    Codes and their params:

    - ``no_candidates``: ``{}``
    - ``duplicate_candidate``: ``candidate``, ``position`` (in the candidate list)
    - ``no_seats``: ``seats``
    - ``bad_max_choices``: ``max_choices``, ``candidates`` (how many there are)
    - ``unknown_candidate``: ``position``, ``candidate``
    - ``duplicate_choice``: ``position``, ``candidate``
    - ``too_many_choices``: ``position``, ``choices``, ``max_choices``
    - ``unknown_answer``: ``position``, ``answer``, ``choices``
    - ``unknown_majority``: ``majority``, ``choices``
    - ``invalid_lot_winners``: ``winners``, ``candidates`` (the tied ones; empty when there is no tie), ``places``
    - ``no_runoff``: ``outcome`` (the result decided something else than a run-off)
    - ``unknown_gender``: ``position``, ``gender``, ``choices``
    - ``bad_minimum``: ``minimum``
    """

    def __init__(self, code: str, params: Mapping[str, object] | None = None) -> None:
        self.code = code
        self.params: dict = dict(params or {})
        self.message = _english(code, self.params)
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"CountingError(code={self.code!r}, params={self.params!r})"


def _english(code: str, params: Mapping[str, object]) -> str:
    def names(values) -> str:
        return ", ".join(str(value) for value in values) or "none"

    p = params
    if code == "no_candidates":
        return "There are no candidates."
    if code == "duplicate_candidate":
        return f"Candidate {p['candidate']} is listed more than once (again as number {p['position']})."
    if code == "no_seats":
        return f"The number of seats ({p['seats']}) must be at least 1."
    if code == "bad_max_choices":
        return f"A ballot must be allowed to name 1 to {p['candidates']} candidates, not {p['max_choices']}."
    if code == "unknown_candidate":
        return f"Ballot {p['position']} names {p['candidate']!r}, who is not a candidate."
    if code == "duplicate_choice":
        return f"Ballot {p['position']} names {p['candidate']} more than once."
    if code == "too_many_choices":
        return f"Ballot {p['position']} names {p['choices']} candidates; at most {p['max_choices']} are allowed."
    if code == "unknown_answer":
        return f"Ballot {p['position']} answers {p['answer']!r}; the answer must be one of {names(p['choices'])}."
    if code == "unknown_majority":
        return f"Unknown majority {p['majority']!r}; choose one of {names(p['choices'])}."
    if code == "invalid_lot_winners":
        if not p["candidates"]:
            return "There is no tie to settle."
        return (
            f"The tie must be settled with exactly {p['places']} different winner(s) among "
            f"{names(p['candidates'])}; got {names(p['winners'])}."
        )
    if code == "no_runoff":
        return f"This poll does not lead to a run-off (its outcome is {p['outcome']!r})."
    if code == "unknown_gender":
        return f"Member {p['position']} has gender {p['gender']!r}; it must be one of {names(p['choices'])}."
    if code == "bad_minimum":
        return f"The minimum share per gender ({p['minimum']}) must be above 0 and at most 1/2."
    return code


# --- Results ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tie:
    """Candidates with equal votes competing for fewer places than there are of them."""

    candidates: tuple  # the tied candidates, in candidate order
    places: int  # how many of them are to be chosen (by lot); fewer than len(candidates)
    votes: int  # the votes each of them has
    runoff: bool  # True: the places are places in a run-off; False: they are seats


@dataclass(frozen=True)
class SingleMajorityResult:
    candidates: tuple
    votes: tuple[int, ...]  # per candidate, in candidate order
    ballots: int  # ballots cast, blank ones included
    blank: int  # ballots naming nobody
    valid: int  # ballots naming a candidate
    base: int  # votes for candidates (== valid); percentages and the threshold are computed from it
    base_label: str  # "non_blank_votes"
    percentages: tuple[Fraction, ...]  # per candidate: 100 * votes / base (0 when the base is 0)
    threshold: int  # votes needed for an absolute majority: base // 2 + 1
    elected: Hashable | None  # the candidate elected (outright, or by lot after a tie for the seat)
    runoff: tuple | None  # the two candidates of the run-off, in candidate order, when no one was elected
    tie: Tie | None  # a tie for the seat (two candidates) or for places in the run-off
    lot_winners: tuple = ()  # the winners of the drawing that settled a tie, if one was settled

    @property
    def outcome(self) -> str:
        """``"elected"``, ``"runoff"``, ``"tie"`` (to be settled by lot), or ``"no_votes"`` (the only candidate got
        no votes: nothing is decided)."""
        if self.elected is not None:
            return "elected"
        if self.runoff is not None:
            return "runoff"
        if self.tie is not None:
            return "tie"
        return "no_votes"

    def votes_for(self, candidate: Hashable) -> int:
        return self.votes[self.candidates.index(candidate)]


@dataclass(frozen=True)
class MultiSeatResult:
    candidates: tuple
    votes: tuple[int, ...]  # per candidate, in candidate order
    ballots: int  # ballots cast, blank ones included
    blank: int  # ballots naming nobody
    valid: int  # ballots naming at least one candidate
    base: int  # == valid: each ballot may name several candidates, so the base counts ballots, not votes
    base_label: str  # "non_blank_ballots"
    percentages: tuple[Fraction, ...]  # per candidate: 100 * votes / base; they may add up to more than 100
    seats: int
    max_choices: int
    elected: tuple  # elected for certain (or by lot, once settled), in candidate order
    tie: Tie | None  # candidates level for the last seat(s); tie.places seats are still open
    vacancies: int  # seats left empty because there are fewer candidates than seats
    lot_winners: tuple = ()  # the winners of the drawing that settled a tie, if one was settled

    def votes_for(self, candidate: Hashable) -> int:
        return self.votes[self.candidates.index(candidate)]

    def is_elected(self, candidate: Hashable) -> bool:
        return candidate in self.elected


@dataclass(frozen=True)
class YesNoResult:
    majority: Majority
    yes: int
    no: int
    abstain: int
    ballots: int  # ballots cast, abstentions included
    blank: int  # == abstain: abstaining is the blank vote
    valid: int  # == yes + no
    base: int  # == yes + no; percentages and the threshold are computed from it
    base_label: str  # "yes_plus_no"
    percentages: tuple[Fraction, Fraction]  # of yes and of no: 100 * votes / base (0 when the base is 0)
    threshold: int  # yes votes needed: simple base // 2 + 1; two_thirds ceil(2 * base / 3), at least 1
    adopted: bool
    tied: bool  # simple majority with yes == no: NOT adopted


@dataclass(frozen=True)
class GenderBalance:
    members: int
    female: int
    male: int
    other: int  # "other" or not stated
    female_share: Fraction  # of the members (0 for an empty body)
    male_share: Fraction
    other_share: Fraction
    minimum: Fraction  # the share asked of bodies of more than nine members
    required: int  # members each of female and male must have at least; 0 when not applicable
    status: str  # "met", "not_met" or "not_applicable" (fewer than two members)

    @property
    def met(self) -> bool | None:
        """True or False; None when the rule does not apply (a body of fewer than two members)."""
        return None if self.status == "not_applicable" else self.status == "met"

    @property
    def female_missing(self) -> int:
        return max(0, self.required - self.female)

    @property
    def male_missing(self) -> int:
        return max(0, self.required - self.male)


# --- Formatting ---------------------------------------------------------------------------------------------


def percent(value: Fraction | int) -> str:
    """A percentage (such as an entry of ``percentages``) with one decimal and a decimal comma: ``"52,4"``.

    Rounded half up, exactly: ``Fraction(1049, 20)`` (52.45) gives ``"52,5"``.
    """
    value = Fraction(value)
    sign = "-" if value < 0 else ""
    tenths = math.floor(abs(value) * 10 + Fraction(1, 2))
    if tenths == 0:
        sign = ""
    return f"{sign}{tenths // 10},{tenths % 10}"


def _percentages(votes: Sequence[int], base: int) -> tuple[Fraction, ...]:
    return tuple(Fraction(100 * count, base) if base else Fraction(0) for count in votes)


def _json_value(value: object) -> object:
    if isinstance(value, Fraction):
        return [value.numerator, value.denominator]
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple | list):
        return [_json_value(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _json_value(getattr(value, field.name)) for field in dataclasses.fields(value)}
    return value


_KINDS = {
    "SingleMajorityResult": "single_majority",
    "MultiSeatResult": "multi_seat",
    "YesNoResult": "yes_no",
    "GenderBalance": "gender_balance",
}


def result_to_json(result: SingleMajorityResult | MultiSeatResult | YesNoResult | GenderBalance) -> dict:
    """The result as JSON-ready data: its fields by name, tuples as lists, a ``Fraction`` as
    ``[numerator, denominator]``, a tie as a dict; plus ``kind``, and ``outcome`` (single majority) or ``met``
    (gender balance). Candidates are kept as they are, so they should be JSON values themselves (ids, names).
    """
    data = _json_value(result)
    assert isinstance(data, dict)
    data["kind"] = _KINDS[type(result).__name__]
    if isinstance(result, SingleMajorityResult):
        data["outcome"] = result.outcome
    if isinstance(result, GenderBalance):
        data["met"] = result.met
    return data


# --- Validation ---------------------------------------------------------------------------------------------


def _check_candidates(candidates: Sequence[Hashable]) -> tuple[tuple, dict[Hashable, int]]:
    candidates = tuple(candidates)
    if not candidates:
        raise CountingError("no_candidates")
    index: dict[Hashable, int] = {}
    for position, candidate in enumerate(candidates, start=1):
        if candidate is None:
            raise TypeError(f"candidate {position} is None")
        if candidate in index:
            raise CountingError("duplicate_candidate", {"candidate": candidate, "position": position})
        index[candidate] = position - 1
    return candidates, index


def _tally(
    index: Mapping[Hashable, int], ballots: Iterable[Sequence[Hashable]], max_choices: int
) -> tuple[list[int], int, int]:
    """Votes per candidate position, ballots cast and blank ballots; raises for the first bad ballot."""
    votes = [0] * len(index)
    cast = blank = 0
    for position, ballot in enumerate(ballots, start=1):
        if isinstance(ballot, str | bytes):
            raise TypeError(f"ballot {position} must be a sequence of candidates, not a string")
        choices = tuple(ballot)
        cast += 1
        if not choices:
            blank += 1
            continue
        seen: set[Hashable] = set()
        for candidate in choices:
            if candidate not in index:
                raise CountingError("unknown_candidate", {"position": position, "candidate": candidate})
            if candidate in seen:
                raise CountingError("duplicate_choice", {"position": position, "candidate": candidate})
            seen.add(candidate)
        if len(choices) > max_choices:
            raise CountingError(
                "too_many_choices", {"position": position, "choices": len(choices), "max_choices": max_choices}
            )
        for candidate in choices:
            votes[index[candidate]] += 1
    return votes, cast, blank


def _select(votes: Sequence[int], places: int) -> tuple[list[int], list[int], int]:
    """Choose ``places`` of the positions by most votes.

    Returns the positions chosen for certain, the positions tied for what is left (empty if nothing) and the
    number of places open among the tied. Positions are in candidate order.
    """
    chosen: list[int] = []
    left = places
    for value in sorted(set(votes), reverse=True):
        if left == 0:
            break
        group = [i for i, count in enumerate(votes) if count == value]
        if len(group) > left:
            return sorted(chosen), group, left
        chosen.extend(group)
        left -= len(group)
    return sorted(chosen), [], 0


# --- Single seat, absolute majority -------------------------------------------------------------------------


def count_single_majority(
    candidates: Sequence[Hashable], ballots: Iterable[Sequence[Hashable]]
) -> SingleMajorityResult:
    """Count a one-seat election by absolute majority. Each ballot names at most one candidate; an empty ballot
    is blank.

    A candidate with more than half of the votes for candidates is ``elected``. Otherwise, with three or more
    candidates, ``runoff`` names the two leading ones; if equal votes leave them undetermined, ``tie`` names the
    candidates level for the open run-off place(s) instead. With two candidates (a run-off) the one with more
    votes has the majority; equal votes are a ``tie`` for the seat. Settle ties with :func:`settle_tie`.
    """
    candidates, index = _check_candidates(candidates)
    votes, cast, blank = _tally(index, ballots, max_choices=1)
    base = sum(votes)
    threshold = base // 2 + 1
    elected = runoff = tie = None

    winners = [i for i, count in enumerate(votes) if count >= threshold]
    if winners:
        elected = candidates[winners[0]]  # at most one candidate can have more than half
    elif len(candidates) == 2:
        # Without a majority, two candidates are level: a run-off would be the same poll again.
        tie = Tie(candidates=candidates, places=1, votes=votes[0], runoff=False)
    elif len(candidates) > 2:
        chosen, tied, places = _select(votes, 2)
        if tied:
            tie = Tie(candidates=tuple(candidates[i] for i in tied), places=places, votes=votes[tied[0]], runoff=True)
        else:
            runoff = tuple(candidates[i] for i in chosen)
    # One candidate without a majority has no votes at all: nothing is decided ("no_votes").

    return SingleMajorityResult(
        candidates=candidates,
        votes=tuple(votes),
        ballots=cast,
        blank=blank,
        valid=cast - blank,
        base=base,
        base_label=BASE_NON_BLANK_VOTES,
        percentages=_percentages(votes, base),
        threshold=threshold,
        elected=elected,
        runoff=runoff,
        tie=tie,
    )


# --- Several seats, most votes ------------------------------------------------------------------------------


def count_multi_seat(
    candidates: Sequence[Hashable], ballots: Iterable[Sequence[Hashable]], *, seats: int, max_choices: int
) -> MultiSeatResult:
    """Count an election of ``seats`` members where each ballot names up to ``max_choices`` different
    candidates (none: blank). The ``seats`` candidates with the most votes are elected.

    With no more candidates than seats, every candidate is elected (``vacancies`` counts the seats left). When
    candidates with equal votes compete for the last seat(s), ``elected`` holds those elected for certain and
    ``tie`` the level ones; candidates with no votes can be part of such a tie.
    """
    candidates, index = _check_candidates(candidates)
    if seats < 1:
        raise CountingError("no_seats", {"seats": seats})
    if not 1 <= max_choices <= len(candidates):
        raise CountingError("bad_max_choices", {"max_choices": max_choices, "candidates": len(candidates)})
    votes, cast, blank = _tally(index, ballots, max_choices=max_choices)
    valid = cast - blank

    tie = None
    vacancies = 0
    if len(candidates) <= seats:
        chosen = list(range(len(candidates)))
        vacancies = seats - len(candidates)
    else:
        chosen, tied, places = _select(votes, seats)
        if tied:
            tie = Tie(candidates=tuple(candidates[i] for i in tied), places=places, votes=votes[tied[0]], runoff=False)

    return MultiSeatResult(
        candidates=candidates,
        votes=tuple(votes),
        ballots=cast,
        blank=blank,
        valid=valid,
        base=valid,
        base_label=BASE_NON_BLANK_BALLOTS,
        percentages=_percentages(votes, valid),
        seats=seats,
        max_choices=max_choices,
        elected=tuple(candidates[i] for i in sorted(chosen)),
        tie=tie,
        vacancies=vacancies,
    )


# --- Yes / no -----------------------------------------------------------------------------------------------


def _majority(majority: Majority | str) -> Majority:
    try:
        return Majority(majority)
    except ValueError:
        raise CountingError(
            "unknown_majority", {"majority": str(majority), "choices": tuple(m.value for m in Majority)}
        ) from None


def count_yes_no(ballots: Iterable[str], *, majority: Majority | str) -> YesNoResult:
    """Count a plenary vote. Each ballot is ``"yes"``, ``"no"`` or ``"abstain"`` (abstaining is the blank vote).

    ``simple``: adopted when yes > no; equal yes and no is ``tied`` and NOT adopted. ``two_thirds``: adopted when
    yes >= 2/3 of (yes + no), compared exactly, and at least one yes. Abstentions are not part of the base.
    """
    majority = _majority(majority)
    counts = dict.fromkeys(ANSWERS, 0)
    cast = 0
    for position, answer in enumerate(ballots, start=1):
        if not isinstance(answer, str) or answer not in counts:
            raise CountingError("unknown_answer", {"position": position, "answer": answer, "choices": ANSWERS})
        counts[answer] += 1
        cast += 1
    yes, no, abstain = counts["yes"], counts["no"], counts["abstain"]
    base = yes + no

    if majority is Majority.SIMPLE:
        adopted = yes > no
        threshold = base // 2 + 1
    else:
        adopted = base > 0 and Fraction(yes) >= Fraction(2, 3) * base
        threshold = max(1, math.ceil(Fraction(2 * base, 3)))
    yes_percentage, no_percentage = _percentages((yes, no), base)

    return YesNoResult(
        majority=majority,
        yes=yes,
        no=no,
        abstain=abstain,
        ballots=cast,
        blank=abstain,
        valid=base,
        base=base,
        base_label=BASE_YES_PLUS_NO,
        percentages=(yes_percentage, no_percentage),
        threshold=threshold,
        adopted=adopted,
        tied=majority is Majority.SIMPLE and yes == no,
    )


# --- Ties ---------------------------------------------------------------------------------------------------


_Result = TypeVar("_Result", SingleMajorityResult, MultiSeatResult, YesNoResult)


def _check_lot_winners(tie: Tie | None, winners: tuple) -> None:
    candidates = tie.candidates if tie is not None else ()
    places = tie.places if tie is not None else 0
    if (
        tie is None
        or len(winners) != places
        or len(set(winners)) != len(winners)
        or any(winner not in candidates for winner in winners)
    ):
        raise CountingError("invalid_lot_winners", {"winners": winners, "candidates": candidates, "places": places})


def settle_tie(result: _Result, winners: Sequence[Hashable]) -> _Result:
    """The result after its tie was settled by a recorded drawing of lots in favour of ``winners``.

    ``winners`` must be exactly ``tie.places`` different candidates among ``tie.candidates``, else
    ``CountingError("invalid_lot_winners")`` (also when there is no tie to settle). A multi-seat result gets the
    winners added to ``elected``; a single-majority tie for the seat elects the winner; a tie for places in the
    run-off sets ``runoff``. The winners are kept in ``lot_winners`` for the protocol.
    """
    winners = tuple(winners)
    tie = getattr(result, "tie", None)
    _check_lot_winners(tie, winners)
    assert tie is not None
    if isinstance(result, MultiSeatResult):
        chosen = set(result.elected) | set(winners)
        elected = tuple(candidate for candidate in result.candidates if candidate in chosen)
        return dataclasses.replace(result, elected=elected, tie=None, lot_winners=winners)
    if isinstance(result, SingleMajorityResult):
        if not tie.runoff:
            return dataclasses.replace(result, elected=winners[0], tie=None, lot_winners=winners)
        finalists = {c for c, count in zip(result.candidates, result.votes, strict=True) if count > tie.votes}
        finalists.update(winners)
        runoff = tuple(candidate for candidate in result.candidates if candidate in finalists)
        return dataclasses.replace(result, runoff=runoff, tie=None, lot_winners=winners)
    raise TypeError(f"cannot settle a tie in {type(result).__name__}")


def runoff_candidates(result: SingleMajorityResult, lot_winners: Sequence[Hashable] = ()) -> tuple:
    """The two candidates of the run-off a single-majority result calls for, in candidate order.

    When a tie for the run-off places was reported, ``lot_winners`` are the winners of the drawing (see
    :func:`settle_tie`); otherwise it must be empty. ``CountingError("no_runoff")`` when the result elected
    someone or has a tie for the seat itself.
    """
    if not isinstance(result, SingleMajorityResult):
        raise TypeError(f"expected a SingleMajorityResult, not {type(result).__name__}")
    lot_winners = tuple(lot_winners)
    if result.runoff is not None:
        if lot_winners:
            _check_lot_winners(None, lot_winners)
        return result.runoff
    if result.tie is not None and result.tie.runoff:
        runoff = settle_tie(result, lot_winners).runoff
        assert runoff is not None
        return runoff
    raise CountingError("no_runoff", {"outcome": result.outcome})


# --- Gender balance -----------------------------------------------------------------------------------------

# Kommuneloven section 7-6: two or three members, both genders represented; four or five, at least two of each;
# six to eight, at least three; nine, at least four; larger bodies at least 40 percent of each.
_SMALL_BODY_MINIMUM = {2: 1, 3: 1, 4: 2, 5: 2, 6: 3, 7: 3, 8: 3, 9: 4}


def minimum_per_gender(members: int, minimum: Fraction = Fraction(2, 5)) -> int:
    """How many members each of female and male must have in a body of ``members`` (0 below two members).

    Bodies of two to nine members follow the fixed table of kommuneloven section 7-6; larger bodies need
    ``minimum`` of the members, rounded up.
    """
    if members < 2:
        return 0
    if members in _SMALL_BODY_MINIMUM:
        return _SMALL_BODY_MINIMUM[members]
    return math.ceil(minimum * members)


def gender_balance(genders: Sequence[str], *, minimum: Fraction = Fraction(2, 5)) -> GenderBalance:
    """The gender balance of an elected body, one entry per member: ``"female"``, ``"male"``, ``"other"`` or
    ``""`` (not stated).

    The rule is met when female and male each have at least :func:`minimum_per_gender` members; it does not
    apply to a body of fewer than two members (``status == "not_applicable"``).
    """
    if isinstance(minimum, float) or not isinstance(minimum, Fraction | int):
        raise TypeError("minimum must be a Fraction, not a float")
    minimum = Fraction(minimum)
    if not 0 < minimum <= Fraction(1, 2):
        raise CountingError("bad_minimum", {"minimum": minimum})
    counts = {"female": 0, "male": 0, "other": 0}
    for position, gender in enumerate(genders, start=1):
        if not isinstance(gender, str) or gender not in GENDERS:
            raise CountingError("unknown_gender", {"position": position, "gender": gender, "choices": GENDERS})
        counts[gender or "other"] += 1
    members = sum(counts.values())

    def share(count: int) -> Fraction:
        return Fraction(count, members) if members else Fraction(0)

    required = minimum_per_gender(members, minimum)
    if members < 2:
        status = "not_applicable"
    elif counts["female"] >= required and counts["male"] >= required:
        status = "met"
    else:
        status = "not_met"
    return GenderBalance(
        members=members,
        female=counts["female"],
        male=counts["male"],
        other=counts["other"],
        female_share=share(counts["female"]),
        male_share=share(counts["male"]),
        other_share=share(counts["other"]),
        minimum=minimum,
        required=required,
        status=status,
    )
