"""The composition check of a county meeting (county_meetings.composition): hand-checked examples and properties."""

import ast
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from county_meetings import composition
from county_meetings.composition import (
    DEFAULT_THRESHOLD_POINTS,
    CompositionError,
    Gender,
    Member,
    PartyStatus,
    composition_check,
    gender_balance,
    party_balance,
    party_key,
    percent,
)
from delegates.models import Participant

# --- Gender: hand-checked -----------------------------------------------------------------------------------------


def test_gender_codes_are_the_participants():
    assert {gender.value for gender in Gender} == set(Participant.Gender.values)


def test_four_women_and_five_men_hold():
    balance = gender_balance(["female"] * 4 + ["male"] * 5)
    assert balance.total == 9
    assert balance.of("female").count == 4
    assert balance.of("female").share == Fraction(4, 9)
    assert percent(balance.of("female").share) == Decimal("44.4")
    assert percent(balance.of("male").share) == Decimal("55.6")
    assert balance.of("female").meets_minimum is True
    assert balance.of("male").meets_minimum is True
    assert balance.holds is True
    assert balance.failing == ()


def test_three_women_of_ten_fail():
    balance = gender_balance(["female"] * 3 + ["male"] * 7)
    assert balance.of("female").share == Fraction(3, 10)
    assert balance.of("female").meets_minimum is False
    assert balance.of("male").meets_minimum is True
    assert balance.holds is False
    assert balance.failing == (Gender.FEMALE,)


def test_exactly_forty_percent_holds_and_just_below_fails():
    assert gender_balance(["female"] * 4 + ["male"] * 6).holds is True
    assert gender_balance(["female"] * 39 + ["male"] * 61).holds is False
    assert gender_balance(["female"] * 40 + ["male"] * 60).holds is True
    # 2/5 exactly: no float rounding lets 0.39999… pass or 0.4 fail.
    assert gender_balance(["male"] * 2 + ["female"] * 3).holds is True


def test_other_or_not_stated_counts_in_the_denominator_but_is_not_ruled():
    # 4 women, 4 men, 2 without a stated gender: 40 % each, the rule holds; "other" has a share but no verdict.
    balance = gender_balance(["female"] * 4 + ["male"] * 4 + ["other", None])
    assert balance.total == 10
    assert balance.of("other").count == 2
    assert balance.of("other").share == Fraction(1, 5)
    assert balance.of("other").meets_minimum is None
    assert balance.undetermined == 2
    assert balance.holds is True
    # 3 women, 4 men, 3 not stated: 30 % women fails, though the unknown three might be women.
    balance = gender_balance(["female"] * 3 + ["male"] * 4 + ["", None, "other"])
    assert balance.holds is False
    assert balance.failing == (Gender.FEMALE,)
    assert balance.undetermined == 3


def test_all_not_stated_fails_both():
    balance = gender_balance([None, None, None])
    assert balance.holds is False
    assert balance.failing == (Gender.FEMALE, Gender.MALE)


def test_no_members_has_no_shares_and_no_verdict():
    balance = gender_balance([])
    assert balance.total == 0
    assert balance.holds is None
    assert balance.failing == ()
    assert [share.share for share in balance.shares] == [None, None, None]
    assert [share.meets_minimum for share in balance.shares] == [None, None, None]


def test_gender_shares_always_listed_in_order():
    balance = gender_balance(["male"])
    assert [share.gender for share in balance.shares] == [Gender.FEMALE, Gender.MALE, Gender.OTHER]
    assert balance.of("female").count == 0
    assert balance.holds is False


def test_unknown_gender_code_is_refused():
    with pytest.raises(CompositionError) as raised:
        gender_balance(["female", "woman"])
    assert raised.value.code == "unknown_gender"
    assert raised.value.params == {"gender": "woman"}


def test_gender_minimum_is_a_parameter():
    assert gender_balance(["female"] * 3 + ["male"] * 7, minimum=Fraction(3, 10)).holds is True
    with pytest.raises(CompositionError):
        gender_balance(["female"], minimum=Fraction(3, 2))


# --- Parties: hand-checked ----------------------------------------------------------------------------------------


def test_party_shares_beside_vote_shares():
    # 10 members: Ap 4, H 3, Sp 2, FrP 1. Votes: Ap 3 000, H 3 000, Sp 1 000, FrP 2 000, SV 1 000 (10 000).
    members = ["Ap"] * 4 + ["H"] * 3 + ["Sp"] * 2 + ["FrP"]
    votes = {"Ap": 3000, "H": 3000, "Sp": 1000, "FrP": 2000, "SV": 1000}
    balance = party_balance(members, votes)
    assert balance.status is PartyStatus.OK
    assert balance.members_total == 10
    assert balance.votes_total == 10_000
    assert [row.party for row in balance.rows] == ["Ap", "H", "FrP", "Sp", "SV"]
    ap = balance.of("Ap")
    assert (ap.members, ap.votes, ap.member_share, ap.vote_share) == (4, 3000, Fraction(2, 5), Fraction(3, 10))
    assert ap.difference_points == 10
    assert ap.flagged is False  # exactly 10 points is not more than 10
    assert ap.over_represented is True
    sv = balance.of("SV")
    assert (sv.members, sv.member_share, sv.difference_points, sv.flagged) == (0, 0, -10, False)
    assert sv.under_represented is True
    assert balance.of("Sp").difference_points == 10
    assert balance.of("FrP").difference_points == -10
    assert balance.flagged == ()
    # With a threshold of 9.5 points, all four ±10 rows are flagged; H (0 points) is not.
    balance = party_balance(members, votes, threshold_points=Decimal("9.5"))
    assert {row.party for row in balance.flagged} == {"Ap", "Sp", "FrP", "SV"}


def test_default_threshold_is_ten_points():
    assert DEFAULT_THRESHOLD_POINTS == 10
    # Ap 6 of 10 members (60 %) with 49.9 % of the votes: 10.1 points over, flagged.
    balance = party_balance(["Ap"] * 6 + ["H"] * 4, {"Ap": 499, "H": 501})
    assert balance.of("Ap").difference_points == Fraction(101, 10)
    assert balance.of("Ap").flagged is True
    assert balance.of("H").difference_points == Fraction(-101, 10)
    assert balance.of("H").flagged is True


def test_party_with_members_but_no_votes_appears_and_is_flagged():
    balance = party_balance(["Ap", "Ap", "Lokallista"], {"Ap": 100})
    row = balance.of("lokallista")
    assert (row.party, row.members, row.votes, row.vote_share) == ("Lokallista", 1, 0, 0)
    assert row.member_share == Fraction(1, 3)
    assert row.flagged is True


def test_names_matched_by_case_and_whitespace_only():
    balance = party_balance([" AP ", "ap", "Arbeiderpartiet", "Høyre", "HØYRE"], {"Ap": 50, "høyre": 30, " Ap": 20})
    assert balance.of("Ap").members == 2
    assert balance.of("Ap").votes == 70  # "Ap" and " Ap" are one party in the results, summed
    assert balance.of("Ap").party == "Ap"  # the results' spelling
    assert balance.of("Arbeiderpartiet").members == 1  # not guessed to be Ap
    assert balance.of("Arbeiderpartiet").votes == 0
    assert balance.of("Høyre").party == "høyre"
    assert balance.of("Høyre").members == 2
    assert party_key("  Kristelig   Folkeparti ") == "kristelig folkeparti"
    # Composed and decomposed ø are the same letter.
    assert party_key("Ho\u0308yre") == party_key("Höyre")


def test_members_without_a_party_have_a_row_of_their_own():
    balance = party_balance(["Ap", None, "  "], {"Ap": 10})
    row = balance.of(None)
    assert (row.key, row.party, row.members, row.votes) == ("", None, 2, 0)
    assert row.member_share == Fraction(2, 3)
    assert sum(r.member_share for r in balance.rows) == 1


def test_parties_with_neither_members_nor_votes_are_left_out():
    balance = party_balance(["Ap"], {"Ap": 10, "Pensjonistpartiet": 0})
    assert [row.party for row in balance.rows] == ["Ap"]


def test_no_members_and_no_votes():
    balance = party_balance([], {"Ap": 10})
    assert balance.status is PartyStatus.NO_MEMBERS
    (row,) = balance.rows
    assert (row.member_share, row.vote_share, row.difference, row.flagged) == (None, 1, None, False)
    balance = party_balance(["Ap"], {})
    assert balance.status is PartyStatus.NO_VOTES
    (row,) = balance.rows
    assert (row.member_share, row.vote_share, row.difference, row.flagged) == (1, None, None, False)
    balance = party_balance([], {})
    assert balance.status is PartyStatus.NO_MEMBERS_NOR_VOTES
    assert balance.rows == ()


@pytest.mark.parametrize(
    ("votes", "code"),
    [
        ({"Ap": -1}, "negative_votes"),
        ({"Ap": 1.5}, "votes_not_whole"),
        ({"Ap": True}, "votes_not_whole"),
        ({" ": 3}, "votes_without_party"),
    ],
)
def test_bad_votes_are_refused(votes, code):
    with pytest.raises(CompositionError) as raised:
        party_balance(["Ap"], votes)
    assert raised.value.code == code


def test_threshold_must_be_a_number_of_at_least_zero():
    with pytest.raises(CompositionError) as raised:
        party_balance(["Ap"], {"Ap": 1}, threshold_points=-1)
    assert raised.value.code == "negative_threshold"
    with pytest.raises(CompositionError) as raised:
        party_balance(["Ap"], {"Ap": 1}, threshold_points="ten")
    assert raised.value.code == "not_a_number"
    assert party_balance(["Ap"], {"Ap": 1}, threshold_points=10.5).threshold_points == Fraction(21, 2)
    assert party_balance(["Ap"], {"Ap": 1}, threshold_points="7.5").threshold_points == Fraction(15, 2)


def test_composition_check_combines_both():
    members = [Member("female", "Ap"), Member("male", "H"), Member("female", "H"), Member(None, None)]
    result = composition_check(members, {"Ap": 600, "H": 400}, threshold_points=5)
    assert result.gender.total == 4
    assert result.gender.holds is False  # 1 man of 4 is 25 %
    assert result.gender.failing == (Gender.MALE,)
    assert result.parties.of("H").member_share == Fraction(1, 2)
    assert result.parties.of("H").flagged is True  # 50 % against 40 %
    assert result.parties.of("Ap").flagged is True  # 25 % against 60 %


def test_percent_rounds_half_up_exactly():
    assert percent(Fraction(4, 9)) == Decimal("44.4")
    assert percent(Fraction(5, 9)) == Decimal("55.6")
    assert percent(Fraction(1, 8)) == Decimal("12.5")
    assert percent(Fraction(1, 8), places=0) == Decimal("13")
    assert percent(Fraction(-1, 8), places=0) == Decimal("-13")
    assert percent(Fraction(2, 3), places=2) == Decimal("66.67")
    assert percent(Fraction(1)) == Decimal("100.0")
    assert percent(Fraction(0)) == Decimal("0.0")


def test_the_module_is_pure():
    tree = ast.parse(Path(composition.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "unicodedata", "collections", "dataclasses", "decimal", "enum", "fractions"}


# --- Properties ---------------------------------------------------------------------------------------------------

PARTIES = ["Ap", "H", "Sp", "FrP", "SV", "KrF", "V", "MDG", "R", "Lokal liste"]
genders = st.lists(st.sampled_from(["female", "male", "other", None, ""]), max_size=80)
party_names = st.one_of(st.none(), st.sampled_from(PARTIES))
vote_maps = st.dictionaries(st.sampled_from(PARTIES), st.integers(min_value=0, max_value=10**7), max_size=10)
thresholds = st.fractions(min_value=0, max_value=100, max_denominator=100)


@given(genders)
def test_gender_rule_is_forty_percent_of_all_members_exactly(values):
    balance = gender_balance(values)
    females = values.count("female")
    males = values.count("male")
    assert balance.total == len(values)
    assert sum(share.count for share in balance.shares) == len(values)
    if not values:
        assert balance.holds is None
    else:
        assert balance.holds == (5 * females >= 2 * len(values) and 5 * males >= 2 * len(values))
        assert sum(share.share for share in balance.shares) == 1


@given(st.lists(party_names, min_size=1, max_size=80), vote_maps, thresholds)
def test_member_shares_add_up_to_exactly_one(members, votes, threshold):
    balance = party_balance(members, votes, threshold_points=threshold)
    assert sum(row.member_share for row in balance.rows) == 1
    assert sum(row.members for row in balance.rows) == len(members)
    if balance.votes_total:
        assert sum(row.vote_share for row in balance.rows) == 1
    else:
        assert all(not row.flagged for row in balance.rows)
    assert sum(row.votes for row in balance.rows) == sum(votes.values())
    # Every party with members or votes has exactly one row.
    expected = {party_key(name) for name in members} | {party_key(name) for name, count in votes.items() if count}
    assert sorted(row.key for row in balance.rows) == sorted(expected)


@given(st.lists(party_names, max_size=80), vote_maps, thresholds)
def test_flag_is_the_absolute_difference_above_the_threshold(members, votes, threshold):
    balance = party_balance(members, votes, threshold_points=threshold)
    for row in balance.rows:
        if row.difference is None:
            assert row.flagged is False
        else:
            assert row.flagged == (abs(row.difference_points) > threshold)


@given(
    st.dictionaries(st.sampled_from(PARTIES), st.integers(min_value=0, max_value=30), min_size=1, max_size=10),
    st.data(),
    thresholds,
)
def test_flag_is_symmetric_over_and_under(counts, data, threshold):
    """Swap the members and the votes (same totals): every difference changes sign, and every flag stays."""
    total = sum(counts.values())
    other = data.draw(st.lists(st.sampled_from(sorted(counts)), min_size=total, max_size=total))
    other_counts = {party: other.count(party) for party in counts}
    members = [party for party, count in counts.items() for _ in range(count)]
    swapped_members = [party for party, count in other_counts.items() for _ in range(count)]
    one = party_balance(members, other_counts, threshold_points=threshold)
    two = party_balance(swapped_members, counts, threshold_points=threshold)
    if not total:
        return
    for row in one.rows:
        mirror = two.of(row.party)
        assert mirror.difference == -row.difference
        assert mirror.flagged == row.flagged


@given(st.lists(party_names, max_size=40), vote_maps, thresholds)
def test_case_and_spaces_do_not_change_the_result(members, votes, threshold):
    def shout(name):
        return None if name is None else f"  {name.upper()} "

    plain = party_balance(members, votes, threshold_points=threshold)
    loud = party_balance([shout(name) for name in members], votes, threshold_points=threshold)
    assert [(r.key, r.members, r.votes, r.flagged) for r in plain.rows] == [
        (r.key, r.members, r.votes, r.flagged) for r in loud.rows
    ]
