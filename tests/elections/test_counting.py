import json
import math
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from elections.counting import (
    CountingError,
    Majority,
    MultiSeatResult,
    SingleMajorityResult,
    Tie,
    count_multi_seat,
    count_single_majority,
    count_yes_no,
    gender_balance,
    minimum_per_gender,
    percent,
    result_to_json,
    runoff_candidates,
    settle_tie,
)
from elections.counting_messages import describe_base, describe_counting_error, describe_tie


def ballots_for(**votes: int) -> list[list[str]]:
    """Single-choice ballots: ``ballots_for(A=3, B=1)``; ``blank=2`` adds blank ballots."""
    blank = votes.pop("blank", 0)
    return [[name] for name, count in votes.items() for _ in range(count)] + [[] for _ in range(blank)]


def code_of(call) -> CountingError:
    with pytest.raises(CountingError) as caught:
        call()
    return caught.value


# --- Single seat, absolute majority: hand-checked examples --------------------------------------------------


def test_absolute_majority_elects():
    # A 6, B 3, C 1, 2 blank: base 10, threshold 10 // 2 + 1 = 6, A has 6 > 5.
    result = count_single_majority("ABC", ballots_for(A=6, B=3, C=1, blank=2))
    assert result.votes == (6, 3, 1)
    assert (result.ballots, result.blank, result.valid, result.base) == (12, 2, 10, 10)
    assert result.base_label == "non_blank_votes"
    assert result.threshold == 6
    assert result.percentages == (Fraction(60), Fraction(30), Fraction(10))
    assert result.elected == "A"
    assert result.runoff is None
    assert result.tie is None
    assert result.outcome == "elected"
    assert result.votes_for("B") == 3


def test_blank_ballots_are_reported_but_not_in_the_base():
    # A 5, B 4, 3 blank: base 9, threshold 5, A has 5 > 4.5 and is elected. Counted against the 12 ballots,
    # A's 5 would not have been more than half.
    result = count_single_majority("AB", ballots_for(A=5, B=4, blank=3))
    assert (result.ballots, result.blank, result.valid, result.base, result.threshold) == (12, 3, 9, 9, 5)
    assert result.elected == "A"
    assert percent(result.percentages[0]) == "55,6"  # 5 / 9
    assert percent(result.percentages[1]) == "44,4"


def test_exactly_half_is_not_a_majority():
    # A 5, B 3, C 2: base 10, threshold 6; 5 is not more than half -> run-off between A and B.
    result = count_single_majority("ABC", ballots_for(A=5, B=3, C=2, blank=1))
    assert result.threshold == 6
    assert result.elected is None
    assert result.runoff == ("A", "B")
    assert result.tie is None
    assert result.outcome == "runoff"
    assert runoff_candidates(result) == ("A", "B")


def test_runoff_is_in_candidate_order():
    result = count_single_majority("ABCD", ballots_for(A=1, B=2, C=4, D=3))
    assert result.runoff == ("C", "D")


def test_two_level_leaders_go_to_the_runoff_without_lots():
    result = count_single_majority("ABC", ballots_for(A=4, B=4, C=2))
    assert result.runoff == ("A", "B")
    assert result.tie is None


def test_tie_for_second_place_is_reported_and_settled_by_lot():
    # A 5, B 2, C 2, D 1: A is in the run-off, B and C are level for the other place.
    result = count_single_majority("ABCD", ballots_for(A=5, B=2, C=2, D=1))
    assert result.elected is None
    assert result.runoff is None
    assert result.tie == Tie(candidates=("B", "C"), places=1, votes=2, runoff=True)
    assert result.outcome == "tie"

    settled = settle_tie(result, ["C"])
    assert settled.runoff == ("A", "C")
    assert settled.tie is None
    assert settled.lot_winners == ("C",)
    assert settled.votes == result.votes
    assert runoff_candidates(result, ["C"]) == ("A", "C")


def test_three_level_leaders_need_lots_for_both_runoff_places():
    result = count_single_majority("ABCD", ballots_for(A=4, B=4, C=4, D=1))
    assert result.tie == Tie(candidates=("A", "B", "C"), places=2, votes=4, runoff=True)
    assert settle_tie(result, ["C", "A"]).runoff == ("A", "C")


def test_runoff_with_more_votes_wins():
    # The run-off: A 7, C 5, 1 blank: base 12, threshold 7.
    result = count_single_majority(["A", "C"], ballots_for(A=7, C=5, blank=1))
    assert result.threshold == 7
    assert result.elected == "A"


def test_runoff_tie_is_settled_by_lot():
    result = count_single_majority(["A", "C"], ballots_for(A=6, C=6, blank=1))
    assert result.elected is None
    assert result.runoff is None
    assert result.tie == Tie(candidates=("A", "C"), places=1, votes=6, runoff=False)
    settled = settle_tie(result, ["C"])
    assert settled.elected == "C"
    assert settled.lot_winners == ("C",)
    assert settled.outcome == "elected"
    with pytest.raises(CountingError) as caught:
        runoff_candidates(result, ["C"])
    assert caught.value.code == "no_runoff"


def test_single_candidate():
    assert count_single_majority(["A"], ballots_for(A=1, blank=5)).elected == "A"
    nobody = count_single_majority(["A"], ballots_for(blank=3))
    assert nobody.elected is None
    assert nobody.tie is None
    assert nobody.outcome == "no_votes"
    assert nobody.percentages == (Fraction(0),)


def test_candidates_can_be_ids_and_ballots_an_iterator():
    result = count_single_majority([17, 4, 9], iter([[4], [4], [9], []]))
    assert result.elected == 4
    assert result.votes == (0, 2, 1)


# --- Several seats: hand-checked examples -------------------------------------------------------------------

FIVE = ["A", "B", "C", "D", "E"]


def test_multi_seat_elects_the_most_votes():
    # A 4+3 = 7, B 4+2 = 6, C 4+1 = 5, D 3, E 2; 11 ballots, 1 blank, base 10 ballots.
    ballots = [["A", "B", "C"]] * 4 + [["A", "D"]] * 3 + [["B", "E"]] * 2 + [[]] + [["C"]]
    result = count_multi_seat(FIVE, ballots, seats=3, max_choices=3)
    assert result.votes == (7, 6, 5, 3, 2)
    assert (result.ballots, result.blank, result.valid, result.base) == (11, 1, 10, 10)
    assert result.base_label == "non_blank_ballots"
    assert result.percentages == (70, 60, 50, 30, 20)
    assert result.elected == ("A", "B", "C")
    assert result.tie is None
    assert result.vacancies == 0
    assert result.is_elected("C") and not result.is_elected("D")


def test_multi_seat_boundary_tie():
    # A 5, B 3, C 3, D 1, two seats: A is elected, B and C are level for the last seat.
    ballots = ballots_for(A=5, B=3, C=3, D=1)
    result = count_multi_seat("ABCD", ballots, seats=2, max_choices=2)
    assert result.elected == ("A",)
    assert result.tie == Tie(candidates=("B", "C"), places=1, votes=3, runoff=False)
    settled = settle_tie(result, ["C"])
    assert settled.elected == ("A", "C")
    assert settled.tie is None
    assert settled.lot_winners == ("C",)


def test_multi_seat_tie_over_two_seats():
    result = count_multi_seat("ABCD", ballots_for(A=5, B=3, C=3, D=3), seats=3, max_choices=1)
    assert result.elected == ("A",)
    assert result.tie == Tie(candidates=("B", "C", "D"), places=2, votes=3, runoff=False)
    assert settle_tie(result, ["D", "B"]).elected == ("A", "B", "D")


def test_multi_seat_level_group_that_fits_is_elected():
    result = count_multi_seat("ABC", ballots_for(A=3, B=3, C=1), seats=2, max_choices=1)
    assert result.elected == ("A", "B")
    assert result.tie is None


def test_multi_seat_candidates_without_votes_tie_for_the_remaining_seats():
    result = count_multi_seat("ABCD", ballots_for(A=2, blank=1), seats=3, max_choices=2)
    assert result.elected == ("A",)
    assert result.tie == Tie(candidates=("B", "C", "D"), places=2, votes=0, runoff=False)


def test_multi_seat_with_no_more_candidates_than_seats_elects_all():
    result = count_multi_seat("AB", ballots_for(A=2), seats=3, max_choices=2)
    assert result.elected == ("A", "B")
    assert result.tie is None
    assert result.vacancies == 1
    assert count_multi_seat("AB", [], seats=2, max_choices=1).elected == ("A", "B")


def test_multi_seat_all_blank():
    result = count_multi_seat("ABC", [[], []], seats=1, max_choices=1)
    assert (result.ballots, result.blank, result.valid, result.base) == (2, 2, 0, 0)
    assert result.percentages == (0, 0, 0)
    assert result.tie == Tie(candidates=("A", "B", "C"), places=1, votes=0, runoff=False)


# --- Yes / no: hand-checked examples ------------------------------------------------------------------------


def answers(yes: int = 0, no: int = 0, abstain: int = 0) -> list[str]:
    return ["yes"] * yes + ["no"] * no + ["abstain"] * abstain


def test_simple_majority_adopted():
    result = count_yes_no(answers(10, 8, 3), majority="simple")
    assert result.majority is Majority.SIMPLE
    assert (result.yes, result.no, result.abstain) == (10, 8, 3)
    assert (result.ballots, result.blank, result.valid, result.base) == (21, 3, 18, 18)
    assert result.base_label == "yes_plus_no"
    assert result.threshold == 10
    assert result.adopted
    assert not result.tied
    assert [percent(p) for p in result.percentages] == ["55,6", "44,4"]


def test_simple_majority_tie_is_not_adopted():
    result = count_yes_no(answers(9, 9, 2), majority="simple")
    assert result.tied
    assert not result.adopted
    assert result.threshold == 10


def test_simple_majority_lost():
    result = count_yes_no(answers(3, 5), majority="simple")
    assert not result.adopted
    assert not result.tied


def test_two_thirds_exact_boundary_is_adopted():
    # 20 of 30 is exactly 2/3; 50 abstentions do not count.
    result = count_yes_no(answers(20, 10, 50), majority="two_thirds")
    assert result.adopted
    assert result.threshold == 20
    assert result.percentages == (Fraction(200, 3), Fraction(100, 3))
    assert [percent(p) for p in result.percentages] == ["66,7", "33,3"]
    assert count_yes_no(answers(2, 1), majority=Majority.TWO_THIRDS).adopted  # 2/3 exactly, no float error


def test_two_thirds_just_below_is_not_adopted():
    # 19 of 29 = 0.655..; 20 yes would be needed (2 * 29 / 3 = 19.33, rounded up).
    result = count_yes_no(answers(19, 10), majority="two_thirds")
    assert not result.adopted
    assert result.threshold == 20
    assert not result.tied


def test_all_abstain():
    simple = count_yes_no(answers(abstain=4), majority="simple")
    assert (simple.base, simple.adopted, simple.tied, simple.threshold) == (0, False, True, 1)
    assert simple.percentages == (0, 0)
    two_thirds = count_yes_no(answers(abstain=4), majority="two_thirds")
    assert (two_thirds.adopted, two_thirds.tied, two_thirds.threshold) == (False, False, 1)


# --- Formatting and JSON ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(524, 10), "52,4"),
        (Fraction(1049, 20), "52,5"),  # 52.45: half up
        (Fraction(100, 3), "33,3"),
        (Fraction(200, 3), "66,7"),
        (100, "100,0"),
        (0, "0,0"),
        (Fraction(1, 20), "0,1"),
        (Fraction(1, 21), "0,0"),
        (Fraction(-5, 2), "-2,5"),
    ],
)
def test_percent(value, text):
    assert percent(value) == text


def test_result_to_json_is_json():
    result = count_single_majority([1, 2, 3], [[1], [1], [2], [2], [3], []])
    data = result_to_json(result)
    assert json.loads(json.dumps(data)) == data
    assert data["kind"] == "single_majority"
    assert data["outcome"] == "runoff"
    assert data["runoff"] == [1, 2]
    assert data["percentages"] == [[40, 1], [40, 1], [20, 1]]
    tied = result_to_json(count_multi_seat([1, 2, 3], [[1], [2]], seats=1, max_choices=1))
    assert tied["tie"] == {"candidates": [1, 2], "places": 1, "votes": 1, "runoff": False}
    assert result_to_json(count_yes_no(["yes"], majority="simple"))["majority"] == "simple"
    assert result_to_json(gender_balance(["female", "male"]))["met"] is True


# --- Errors -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "code", "params"),
    [
        (lambda: count_single_majority([], []), "no_candidates", {}),
        (lambda: count_multi_seat([], [], seats=1, max_choices=1), "no_candidates", {}),
        (lambda: count_single_majority("ABA", []), "duplicate_candidate", {"candidate": "A", "position": 3}),
        (lambda: count_multi_seat("AB", [], seats=0, max_choices=1), "no_seats", {"seats": 0}),
        (
            lambda: count_multi_seat("AB", [], seats=1, max_choices=0),
            "bad_max_choices",
            {"max_choices": 0, "candidates": 2},
        ),
        (
            lambda: count_multi_seat("AB", [], seats=1, max_choices=3),
            "bad_max_choices",
            {"max_choices": 3, "candidates": 2},
        ),
        (
            lambda: count_single_majority("AB", [["A"], [], ["X"]]),
            "unknown_candidate",
            {"position": 3, "candidate": "X"},
        ),
        (
            lambda: count_multi_seat("ABC", [["A", "B"], ["C", "C"]], seats=2, max_choices=2),
            "duplicate_choice",
            {"position": 2, "candidate": "C"},
        ),
        (
            lambda: count_multi_seat("ABC", [["A", "B", "C"]], seats=2, max_choices=2),
            "too_many_choices",
            {"position": 1, "choices": 3, "max_choices": 2},
        ),
        (
            lambda: count_single_majority("ABC", [["A"], ["A", "B"]]),
            "too_many_choices",
            {"position": 2, "choices": 2, "max_choices": 1},
        ),
        (
            lambda: count_yes_no(["yes", "blank"], majority="simple"),
            "unknown_answer",
            {"position": 2, "answer": "blank", "choices": ("yes", "no", "abstain")},
        ),
        (
            lambda: count_yes_no([""], majority="simple"),
            "unknown_answer",
            {"position": 1, "answer": "", "choices": ("yes", "no", "abstain")},
        ),
        (
            lambda: count_yes_no(["yes"], majority="three_quarters"),
            "unknown_majority",
            {"majority": "three_quarters", "choices": ("simple", "two_thirds")},
        ),
        (
            lambda: gender_balance(["female", "f"]),
            "unknown_gender",
            {"position": 2, "gender": "f", "choices": ("female", "male", "other", "")},
        ),
        (lambda: gender_balance([], minimum=Fraction(3, 5)), "bad_minimum", {"minimum": Fraction(3, 5)}),
        (lambda: gender_balance([], minimum=0), "bad_minimum", {"minimum": Fraction(0)}),
    ],
)
def test_errors(call, code, params):
    error = code_of(call)
    assert error.code == code
    assert error.params == params
    assert str(error) and str(error) != code
    with translation.override("en"):
        message = describe_counting_error(error)
    assert message
    assert "%(" not in message


TIED = count_multi_seat("ABCD", ballots_for(A=5, B=3, C=3, D=3), seats=3, max_choices=1)  # B, C, D for 2 seats


@pytest.mark.parametrize(
    "winners",
    [
        [],
        ["B"],  # too few
        ["B", "C", "D"],  # too many
        ["B", "B"],  # the same twice
        ["A", "B"],  # A is not in the tie
        ["B", "X"],  # X is not a candidate
    ],
)
def test_invalid_lot_winners(winners):
    error = code_of(lambda: settle_tie(TIED, winners))
    assert error.code == "invalid_lot_winners"
    assert error.params == {"winners": tuple(winners), "candidates": ("B", "C", "D"), "places": 2}


def test_no_tie_to_settle():
    for result in (
        count_multi_seat("AB", ballots_for(A=2, B=1), seats=1, max_choices=1),
        count_single_majority("AB", ballots_for(A=2, B=1)),
        count_yes_no(["yes"], majority="simple"),
        settle_tie(TIED, ["B", "C"]),  # already settled
    ):
        error = code_of(lambda result=result: settle_tie(result, ["A"]))
        assert error.code == "invalid_lot_winners"
        assert error.params["candidates"] == ()
        with translation.override("en"):
            assert describe_counting_error(error) == (
                "There is no tie to settle, so no winners of a drawing of lots are needed."
            )


def test_runoff_candidates_errors():
    elected = count_single_majority("ABC", ballots_for(A=3))
    assert code_of(lambda: runoff_candidates(elected)).code == "no_runoff"
    determined = count_single_majority("ABC", ballots_for(A=2, B=2, C=1))
    assert code_of(lambda: runoff_candidates(determined, ["C"])).code == "invalid_lot_winners"
    pending = count_single_majority("ABCD", ballots_for(A=5, B=2, C=2, D=1))
    assert code_of(lambda: runoff_candidates(pending)).code == "invalid_lot_winners"
    assert code_of(lambda: runoff_candidates(pending, ["A"])).code == "invalid_lot_winners"


def test_programming_errors_are_type_errors():
    with pytest.raises(TypeError):
        count_single_majority("AB", ["A"])  # a ballot must be a sequence of candidates, not a name
    with pytest.raises(TypeError):
        gender_balance(["female"], minimum=0.4)


def test_error_messages_in_english():
    with translation.override("en"):
        assert describe_counting_error(code_of(lambda: count_multi_seat("AB", [], seats=1, max_choices=3))) == (
            "A ballot may name from 1 to 2 candidates, not 3."
        )
        assert describe_counting_error(code_of(lambda: count_single_majority("AB", [["A", "B"]]))) == (
            "Ballot 1 names 2 candidates, but at most 1 is allowed."
        )
        assert describe_counting_error(code_of(lambda: settle_tie(TIED, ["A", "B"]))) == (
            "The drawing of lots must have exactly 2 different winners among B, C and D; got A and B."
        )
        assert describe_counting_error(code_of(lambda: count_yes_no(["ja"], majority="simple"))) == (
            "Ballot 1 answers “ja”; the answer must be one of “yes”, “no”, “abstain”."
        )


def test_describe_base():
    with translation.override("en"):
        assert describe_base("non_blank_votes", 212) == (
            "Percentages of the 212 votes for candidates (blank ballots not counted)."
        )
        assert describe_base("non_blank_votes", 1) == (
            "Percentages of the 1 vote for candidates (blank ballots not counted)."
        )
        assert describe_base("yes_plus_no", 30) == "Percentages of the 30 yes and no votes (abstentions not counted)."
        assert describe_base("non_blank_ballots", 10).startswith("Percentages of the 10 ballots that name candidates")
        result = count_multi_seat(FIVE, [["A"]], seats=1, max_choices=1)
        assert describe_base(result.base_label, result.base).startswith("Percentages of the 1 ballot that names")
    with pytest.raises(ValueError, match="unknown base"):
        describe_base("everything", 3)


def test_describe_tie():
    with translation.override("en"):
        assert describe_tie(TIED.tie) == "B, C and D are tied; a drawing of lots decides 2 seats among them."
        pending = count_single_majority("ABCD", ballots_for(A=5, B=2, C=2, D=1))
        assert describe_tie(pending.tie) == "B and C are tied; a drawing of lots decides 1 place in the run-off."


# --- Gender balance -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "required"),
    [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2), (5, 2), (6, 3), (7, 3), (8, 3), (9, 4), (10, 4), (11, 5), (15, 6)],
)
def test_minimum_per_gender_table(members, required):
    # Kommuneloven section 7-6: 2-3 members both genders, 4-5 two each, 6-8 three, 9 four, more 40 % rounded up.
    # (8 needs 3, although 40 % of 8 rounded up would be 4; 3 needs 1, not 2.)
    assert minimum_per_gender(members) == required
    assert gender_balance(["female"] * members).required == required


@pytest.mark.parametrize(
    ("female", "male", "other", "status"),
    [
        (1, 0, 0, "not_applicable"),
        (0, 0, 1, "not_applicable"),
        (1, 1, 0, "met"),
        (2, 0, 0, "not_met"),
        (2, 1, 0, "met"),
        (1, 1, 1, "met"),
        (3, 1, 0, "not_met"),
        (2, 2, 1, "met"),
        (5, 3, 0, "met"),  # 8 members: 3 each
        (6, 2, 0, "not_met"),
        (5, 4, 0, "met"),  # 9 members: 4 each
        (6, 3, 0, "not_met"),
        (9, 6, 0, "met"),  # the hovedstyre, 15 members: 6 each
        (10, 5, 0, "not_met"),
        (4, 6, 5, "not_met"),  # 15 members, 5 of them other: 6 female needed
        (6, 6, 3, "met"),
    ],
)
def test_gender_balance_cases(female, male, other, status):
    genders = ["female"] * female + ["male"] * male + ["other", ""][:other] + ["other"] * max(0, other - 2)
    balance = gender_balance(genders)
    assert (balance.female, balance.male, balance.other, balance.members) == (female, male, other, len(genders))
    assert balance.status == status
    assert balance.met == {"met": True, "not_met": False, "not_applicable": None}[status]
    if balance.members:
        assert balance.female_share + balance.male_share + balance.other_share == 1
    assert balance.female_missing == max(0, balance.required - female)
    assert balance.male_missing == max(0, balance.required - male)


def test_gender_balance_shares_and_other_minimum():
    balance = gender_balance(["female", "male", "male", "", "other"])
    assert balance.female_share == Fraction(1, 5)
    assert balance.other_share == Fraction(2, 5)
    assert balance.required == 2
    assert (balance.status, balance.female_missing, balance.male_missing) == ("not_met", 1, 0)
    half = gender_balance(["female"] * 6 + ["male"] * 5, minimum=Fraction(1, 2))
    assert half.required == 6
    assert half.status == "not_met"
    assert gender_balance([]).status == "not_applicable"


# --- Properties ---------------------------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(deadline=None, max_examples=200)
NAMES = "ABCDEFG"


@st.composite
def single_polls(draw, min_candidates=1):
    candidates = list(NAMES[: draw(st.integers(min_candidates, 6))])
    ballots = draw(st.lists(st.sampled_from([*candidates, None]), max_size=40))
    return candidates, [[] if choice is None else [choice] for choice in ballots]


@st.composite
def multi_polls(draw):
    candidates = list(NAMES[: draw(st.integers(1, 7))])
    seats = draw(st.integers(1, len(candidates) + 1))
    max_choices = draw(st.integers(1, len(candidates)))
    ballots = draw(st.lists(st.lists(st.sampled_from(candidates), unique=True, max_size=max_choices), max_size=30))
    return candidates, ballots, seats, max_choices


def settled(result):
    """The result after a drawing of lots won by the first tied candidates (any winners would do)."""
    if result.tie is None:
        return result
    return settle_tie(result, result.tie.candidates[: result.tie.places])


@PROPERTY_SETTINGS
@given(single_polls())
def test_single_majority_counts_add_up(poll):
    candidates, ballots = poll
    result = count_single_majority(candidates, ballots)
    non_blank = sum(1 for ballot in ballots if ballot)
    assert sum(result.votes) == non_blank == result.base == result.valid
    assert result.blank + result.valid == result.ballots == len(ballots)
    assert result.threshold == result.base // 2 + 1
    if result.base:
        assert sum(result.percentages) == 100
    for candidate, votes in zip(candidates, result.votes, strict=True):
        assert votes == sum(1 for ballot in ballots if ballot == [candidate])


@PROPERTY_SETTINGS
@given(single_polls())
def test_single_majority_elects_exactly_the_absolute_majority(poll):
    candidates, ballots = poll
    result = count_single_majority(candidates, ballots)
    majority = [c for c, v in zip(candidates, result.votes, strict=True) if 2 * v > result.base]
    assert [result.elected] == majority if majority else result.elected is None
    if result.elected is None and len(candidates) > 2:
        final = settled(result)
        assert final.runoff is not None and len(final.runoff) == 2
        chosen = [final.votes_for(c) for c in final.runoff]
        others = [final.votes_for(c) for c in candidates if c not in final.runoff]
        assert min(chosen) >= max(others, default=0), "the run-off has the two leading candidates"
        if result.tie is not None:
            assert all(result.votes_for(c) == result.tie.votes for c in result.tie.candidates)
            assert 0 < result.tie.places < len(result.tie.candidates)
            assert result.tie.runoff
    if result.elected is None and len(candidates) == 2:
        assert result.votes[0] == result.votes[1]
        assert result.tie is not None and not result.tie.runoff
        assert settled(result).elected == candidates[0]


@PROPERTY_SETTINGS
@given(single_polls(), st.data())
def test_single_majority_ignores_ballot_order(poll, data):
    candidates, ballots = poll
    shuffled = data.draw(st.permutations(ballots))
    assert count_single_majority(candidates, shuffled) == count_single_majority(candidates, ballots)


@PROPERTY_SETTINGS
@given(single_polls())
def test_single_majority_is_monotone(poll):
    candidates, ballots = poll
    result = count_single_majority(candidates, ballots)
    assume(result.elected is not None)
    assert count_single_majority(candidates, [*ballots, [result.elected]]).elected == result.elected


@PROPERTY_SETTINGS
@given(multi_polls())
def test_multi_seat_counts_add_up(poll):
    candidates, ballots, seats, max_choices = poll
    result = count_multi_seat(candidates, ballots, seats=seats, max_choices=max_choices)
    assert sum(result.votes) == sum(len(ballot) for ballot in ballots)
    non_blank = sum(1 for ballot in ballots if ballot)
    assert result.valid == result.base == non_blank
    assert result.blank + result.valid == result.ballots == len(ballots)
    assert all(0 <= percentage <= 100 for percentage in result.percentages)


@PROPERTY_SETTINGS
@given(multi_polls())
def test_multi_seat_fills_the_seats_with_the_most_votes(poll):
    candidates, ballots, seats, max_choices = poll
    result = count_multi_seat(candidates, ballots, seats=seats, max_choices=max_choices)
    if result.tie is not None:
        assert 0 < result.tie.places < len(result.tie.candidates)
        assert len(result.elected) + result.tie.places == seats
        assert not set(result.elected) & set(result.tie.candidates)
        assert all(result.votes_for(c) == result.tie.votes for c in result.tie.candidates)
        assert all(result.votes_for(c) > result.tie.votes for c in result.elected)
    final = settled(result)
    assert final.tie is None
    assert len(final.elected) == min(seats, len(candidates))
    assert final.vacancies == max(0, seats - len(candidates))
    elected = [final.votes_for(c) for c in final.elected]
    others = [final.votes_for(c) for c in candidates if c not in final.elected]
    assert min(elected) >= max(others, default=0)


@PROPERTY_SETTINGS
@given(multi_polls(), st.data())
def test_multi_seat_ignores_ballot_order(poll, data):
    candidates, ballots, seats, max_choices = poll
    shuffled = data.draw(st.permutations(ballots))
    assert count_multi_seat(candidates, shuffled, seats=seats, max_choices=max_choices) == count_multi_seat(
        candidates, ballots, seats=seats, max_choices=max_choices
    )


@PROPERTY_SETTINGS
@given(multi_polls(), st.data())
def test_multi_seat_is_monotone(poll, data):
    """One more vote for an elected candidate (outright or by lot) never un-elects them, and leaves no tie
    involving them."""
    candidates, ballots, seats, max_choices = poll
    result = settled(count_multi_seat(candidates, ballots, seats=seats, max_choices=max_choices))
    candidate = data.draw(st.sampled_from(result.elected))
    more = count_multi_seat(candidates, [*ballots, [candidate]], seats=seats, max_choices=max_choices)
    assert candidate in more.elected


@st.composite
def yes_no_ballots(draw):
    return draw(st.lists(st.sampled_from(["yes", "no", "abstain"]), max_size=60))


@PROPERTY_SETTINGS
@given(yes_no_ballots(), st.sampled_from(["simple", "two_thirds"]), st.data())
def test_yes_no_adopted_iff_the_majority_holds(ballots, majority, data):
    result = count_yes_no(ballots, majority=majority)
    yes, no, abstain = (ballots.count(answer) for answer in ("yes", "no", "abstain"))
    assert (result.yes, result.no, result.abstain, result.ballots) == (yes, no, abstain, len(ballots))
    assert result.base == result.valid == yes + no
    assert result.blank == abstain
    if majority == "simple":
        assert result.adopted == (yes > no)
        assert result.tied == (yes == no)
    else:
        assert result.adopted == (yes + no > 0 and 3 * yes >= 2 * (yes + no))
        assert not result.tied
    assert result.adopted == (yes >= result.threshold)
    if result.base:
        assert sum(result.percentages) == 100
    shuffled = data.draw(st.permutations(ballots))
    assert count_yes_no(shuffled, majority=majority) == result


@PROPERTY_SETTINGS
@given(st.lists(st.sampled_from(["female", "male", "other", ""]), max_size=40))
def test_gender_balance_follows_the_rule(genders):
    balance = gender_balance(genders)
    members = len(genders)
    assert balance.members == members
    assert balance.female + balance.male + balance.other == members
    if members < 2:
        assert balance.status == "not_applicable"
        return
    if members > 9:
        assert balance.required == math.ceil(Fraction(2, 5) * members)
    else:
        assert balance.required == {2: 1, 3: 1, 4: 2, 5: 2, 6: 3, 7: 3, 8: 3, 9: 4}[members]
    assert balance.met == (balance.female >= balance.required and balance.male >= balance.required)


def test_results_are_frozen():
    result = count_single_majority("AB", ballots_for(A=1))
    assert isinstance(result, SingleMajorityResult)
    with pytest.raises(AttributeError):
        result.elected = "B"  # type: ignore[misc]
    assert isinstance(count_multi_seat("AB", [], seats=1, max_choices=1), MultiSeatResult)
