"""The protocol of the votes (issue 7): every election and decision with its figures, read back from the PDF.

The polls are built through the services, as the officials would run them; the text is read back with pypdf.
"""

import io
import re

import pytest
from django.utils import translation
from pypdf import PdfReader

from elections.models import AutomaticMember, Poll
from elections.printing import render_poll_protocol, render_protocol
from elections.services import (
    ballot_cast,
    paper_count_enter,
    poll_close,
    poll_create_decision,
    poll_create_for_election,
    poll_create_runoff,
    poll_open,
    poll_publish,
    poll_settle_tie,
    poll_sign_off,
)
from tests.elections.factories import CandidateFactory, ElectionFactory, present_delegates
from tests.factories import CongressFactory, StaffUserFactory
from tests.helpers import page_count, pdf_text

pytestmark = pytest.mark.django_db


def page_texts(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def _vote(poll, voters, choices):
    """Each voter casts one ballot (candidates for an election, an answer for a decision); returns the receipts."""
    receipts = []
    for voter, choice in zip(voters, choices, strict=True):
        if poll.kind == Poll.Kind.YES_NO:
            receipts.append(ballot_cast(poll_id=poll.pk, participant_id=voter.pk, answer=choice))
        else:
            receipts.append(ballot_cast(poll_id=poll.pk, participant_id=voter.pk, choices=[c.pk for c in choice]))
    return receipts


def _publish(poll, *officials):
    for official in officials:
        poll_sign_off(poll=poll, user=official)
    return poll_publish(poll=poll, user=officials[0])


def _candidates(election, *people):
    """Candidates from (first name, last name, gender, party) tuples, in ballot order."""
    return [
        CandidateFactory(election=election, first_name=first, last_name=last, gender=gender, party=party)
        for first, last, gender, party in people
    ]


# --- The congress of the tests -------------------------------------------------------------------------------


@pytest.fixture
def officials():
    return (
        StaffUserFactory(first_name="Dina", last_name="Dirigent", email="dina@ks.no"),
        StaffUserFactory(first_name="Tore", last_name="Teller", email="tore@ks.no"),
    )


@pytest.fixture
def congress():
    return CongressFactory(name="Landstinget 2024", city="Trondheim", venue="Trondheim Spektrum")


@pytest.fixture
def voters(congress):
    return present_delegates(congress, 7)


@pytest.fixture
def receipts():
    return []


@pytest.fixture
def leader(congress, voters, officials, receipts):
    """Election of the leader: nobody has an absolute majority in round 1 (3 of 6), Anne Ås wins the run-off."""
    election = ElectionFactory(congress=congress, office="leader", title="Valg av leder")
    anne, bjorn, cecilie = _candidates(
        election,
        ("Anne", "Ås", "female", "Ap"),
        ("Bjørn", "Berg", "male", "H"),
        ("Cecilie", "Dahl", "female", "Sp"),
    )
    first = poll_open(poll=poll_create_for_election(election=election), user=officials[0])
    receipts += _vote(first, voters, [[anne], [anne], [anne], [bjorn], [bjorn], [cecilie], []])
    first = _publish(poll_close(poll=first, user=officials[0]), *officials)
    runoff = poll_open(poll=poll_create_runoff(poll=first), user=officials[0])
    receipts += _vote(runoff, voters, [[anne], [anne], [anne], [anne], [bjorn], [bjorn], []])
    runoff = _publish(poll_close(poll=runoff, user=officials[1]), *officials)
    return first, runoff


@pytest.fixture
def committee(congress, voters, officials, receipts):
    """Two seats of the election committee: Kari Kvam first, Lars Lie and Mona Moe tied, Mona Moe drawn."""
    election = ElectionFactory(
        congress=congress, office="election_committee", title="Valg av valgkomité", method="multi_seat", seats=2
    )
    kari, lars, mona = _candidates(
        election,
        ("Kari", "Kvam", "female", "Ap"),
        ("Lars", "Lie", "male", "H"),
        ("Mona", "Moe", "female", "Sp"),
    )
    poll = poll_open(poll=poll_create_for_election(election=election), user=officials[0])
    receipts += _vote(poll, voters, [[kari, lars], [kari, mona], [kari], [lars], [mona], [], []])
    poll = poll_close(poll=poll, user=officials[0])
    poll = poll_settle_tie(
        poll=poll,
        winners=[mona.pk],
        drawn_by="Dirigent Dina Dirigent",
        witnesses="Tellerne Tor Tangen og Siv Sand",
        user=officials[1],
    )
    return _publish(poll, *officials)


@pytest.fixture
def landsstyre(congress, voters, officials, receipts):
    """Two members of the landsstyre: two men elected; with the three members by virtue of office (one woman)
    the board has 1 woman of 5, so the gender balance is not met."""
    election = ElectionFactory(
        congress=congress, office="landsstyre_member", title="Valg av landsstyre", method="multi_seat", seats=2
    )
    ola, per, randi = _candidates(
        election,
        ("Ola", "Olsen", "male", "Ap"),
        ("Per", "Pettersen", "male", "H"),
        ("Randi", "Rud", "female", "Sp"),
    )
    for name, reason, gender in [
        ("Arne Aune", "hovedstyre", "male"),
        ("Geir Grande", "county_board_leader", "male"),
        ("Siri Samfunn", "samfunnsbedriftene", "female"),
    ]:
        AutomaticMember.objects.create(election=election, name=name, reason=reason, gender=gender, party="KrF")
    poll = poll_open(poll=poll_create_for_election(election=election), user=officials[0])
    receipts += _vote(poll, voters, [[ola, per]] * 4 + [[randi], [randi], []])
    return _publish(poll_close(poll=poll, user=officials[0]), *officials)


@pytest.fixture
def statutes(congress, voters, officials, receipts):
    """A change of the statutes by two-thirds majority: 4 yes, 2 no, 1 abstains; adopted with exactly 4 of 6."""
    poll = poll_create_decision(
        congress=congress,
        title="Endring av vedtektene",
        majority="two_thirds",
        subject_label="Vedtektene § 5, kontingenten",
    )
    poll = poll_open(poll=poll, user=officials[0])
    receipts += _vote(poll, voters, ["yes", "yes", "yes", "yes", "no", "no", "abstain"])
    return _publish(poll_close(poll=poll, user=officials[0]), *officials)


@pytest.fixture
def paper(congress, officials):
    """The hovedstyre on paper ballots: 10 ballots naming candidates, 1 blank, 2 rejected; closed, not signed off."""
    election = ElectionFactory(
        congress=congress, office="hovedstyre_member", title="Valg av hovedstyre", method="multi_seat", seats=2
    )
    ulla, vidar, wenche = _candidates(
        election,
        ("Ulla", "Uv", "female", "Ap"),
        ("Vidar", "Vik", "male", "H"),
        ("Wenche", "Wang", "female", "Sp"),
    )
    poll = poll_create_for_election(election=election, mode=Poll.Mode.PAPER)
    return paper_count_enter(
        poll=poll,
        counts={ulla.pk: 9, vidar.pk: 7, wenche.pk: 2},
        blank=1,
        valid_ballots=10,
        rejected=2,
        user=officials[1],
    )


@pytest.fixture
def everything(congress, voters, leader, committee, landsstyre, statutes, paper, officials):
    """Every kind of poll, plus one still open and one not opened."""
    still_open = poll_open(poll=poll_create_decision(congress=congress, title="Uttalelse om skolen"), user=officials[0])
    draft = poll_create_decision(congress=congress, title="Uttalelse om eldreomsorgen")
    return [*leader, committee, landsstyre, statutes, paper, still_open, draft]


# --- The whole protocol ----------------------------------------------------------------------------------------------


def test_the_cover_lists_every_poll_in_order_and_only_voted_polls_get_a_section(congress, everything):
    pdf, pages = render_protocol(congress, language="en")

    texts = page_texts(pdf)
    cover = texts[0]
    assert "Protocol: Landstinget 2024" in cover
    assert "13 February 2024 – 14 February 2024, Trondheim (Trondheim Spektrum)" in cover
    assert "8 votes · 6 voted on · 5 published" in cover
    rows = [
        "1 Valg av leder Election, one seat 1 Published Nobody has an absolute majority: run- off between Anne Ås and"
        " Bjørn Berg.",
        "2 Valg av leder, omvalg Election, one seat 2 Published Elected: Anne Ås.",
        "3 Valg av valgkomité Election, several seats 1 Published Elected: Kari Kvam and Mona Moe.",
        "4 Valg av landsstyre Election, several seats 1 Published Elected: Ola Olsen and Per Pettersen.",
        "5 Endring av vedtektene Yes / no / abstain 1 Published Adopted.",
        "6 Valg av hovedstyre Election, several seats 1 Closed, being checked Elected: Ulla Uv and Vidar Vik.",
        "7 Uttalelse om skolen Yes / no / abstain 1 Open Not voted yet: the vote is open.",
        "8 Uttalelse om eldreomsorgen Yes / no / abstain 1 Not opened Not voted yet.",
    ]
    at = [cover.find(row) for row in rows]
    assert -1 not in at, [row for row, found in zip(rows, at, strict=True) if found == -1]
    assert at == sorted(at)
    # one section per voted poll, each starting on a page of its own, in order; the others are on the cover only
    text = pdf_text(pdf)
    kickers = re.findall(r"VOTE (\d+): (ELECTION|DECISION)", text)
    assert [number for number, _kind in kickers] == ["1", "2", "3", "4", "5", "6"]
    assert [kind for _number, kind in kickers] == ["ELECTION"] * 4 + ["DECISION", "ELECTION"]
    assert all(any(page.startswith(f"VOTE {number}:") for page in texts[1:]) for number, _kind in kickers)
    assert text.count("Uttalelse om skolen") == text.count("Uttalelse om eldreomsorgen") == 1
    # the page count, and "Page X of Y" on every page
    assert pages == page_count(pdf) >= 7
    assert [f"Page {number} of {pages}" in page for number, page in enumerate(texts, start=1)] == [True] * pages


def test_a_single_majority_election_with_its_run_off(congress, leader):
    _first, runoff = leader
    text = pdf_text(render_protocol(congress, language="en")[0])

    round_1 = text[text.index("VOTE 1: ELECTION") : text.index("VOTE 2: ELECTION")]
    assert "Office Leader Seats 1 Round 1 Ballots Electronic" in round_1
    assert "Opened" in round_1 and "· Dina Dirigent" in round_1 and "Published" in round_1
    assert "Eligible voters 7 (when the vote opened) Votes received 7" in round_1
    assert (
        "Anne Ås Ap 3 50.0 To the run-off Bjørn Berg H 2 33.3 To the run-off Cecilie Dahl Sp 1 16.7"
        " Blank ballots 1 Ballots counted 7"
    ) in round_1
    assert "Percentages of the 6 votes for candidates (blank ballots not counted)." in round_1
    assert "Nobody has an absolute majority: run-off between Anne Ås and Bjørn Berg." in round_1
    assert "Gender balance" not in round_1  # one seat: the balance of a body does not apply

    round_2 = text[text.index("VOTE 2: ELECTION") :]
    assert "Valg av leder, omvalg" in round_2
    assert "Round 2, run-off of “Valg av leder”" in round_2
    assert "Closed, count frozen" in round_2 and "· Tore Teller" in round_2
    assert "Anne Ås Ap 4 66.7 Elected Bjørn Berg H 2 33.3 Blank ballots 1 Ballots counted 7" in round_2
    assert "Cecilie Dahl" not in round_2
    assert "Elected: Anne Ås." in round_2
    assert "Signed off Dina Dirigent," in round_2 and "Tore Teller," in round_2
    assert "Signatures · Place and date: Chair of the meeting Signatory of the protocol Signatory of the protocol" in (
        round_2
    )

    # the protocol of one poll prints the same section
    pdf, pages = render_poll_protocol(runoff, language="en")
    single = pdf_text(pdf)
    assert "Protocol: Valg av leder, omvalg" in single
    assert "VOTE 2: ELECTION" in single
    assert "Anne Ås Ap 4 66.7 Elected Bjørn Berg H 2 33.3" in single
    assert "Valg av leder Election, one seat 1 Published" not in single  # no cover
    assert pages == page_count(pdf) == 1 and "Page 1 of 1" in single


def test_a_multi_seat_election_with_a_tie_settled_by_lots(committee):
    text = pdf_text(render_poll_protocol(committee, language="en")[0])

    assert "Seats 2 (a ballot may name up to 2 candidates)" in text
    assert "Kari Kvam Ap 3 60.0 Elected Lars Lie H 2 40.0 Mona Moe Sp 2 40.0 Elected Blank ballots 2" in text
    assert "Percentages of the 5 ballots that name candidates" in text
    assert "Elected: Kari Kvam and Mona Moe." in text
    assert "A tie was settled by drawing lots (drawn by Dirigent Dina Dirigent): Mona Moe." in text
    assert (
        "Drawing of lots Tied: Lars Lie and Mona Moe, with 2 votes each. 1 seat was decided by lot."
        " Drawn: Mona Moe Drawn by: Dirigent Dina Dirigent · Witnesses: Tellerne Tor Tangen og Siv Sand Recorded"
    ) in text
    assert "· Tore Teller" in text  # who recorded the drawing


def test_a_tie_not_yet_settled_is_shown_as_undecided(congress, voters, officials):
    election = ElectionFactory(
        congress=congress, office="election_committee", title="Vara til valgkomiteen", method="multi_seat", seats=1
    )
    first, second = _candidates(election, ("Nils", "Nes", "male", "V"), ("Oda", "Ory", "female", "SV"))
    poll = poll_open(poll=poll_create_for_election(election=election), user=officials[0])
    _vote(poll, voters[:2], [[first], [second]])
    poll = poll_close(poll=poll, user=officials[0])

    text = pdf_text(render_poll_protocol(poll, language="en")[0])

    assert "Not decided yet: a tie must be settled by drawing lots." in text
    assert "Nils Nes and Oda Ory are tied; drawing lots decides 1 seat." in text
    assert "Not published yet" in text and "Not signed off yet." in text
    assert "Drawing of lots" not in text


def test_a_landsstyre_election_counts_the_members_by_virtue_of_office_and_warns_of_the_gender_balance(landsstyre):
    text = pdf_text(render_poll_protocol(landsstyre, language="en")[0])

    assert "Office Member of the national board (landsstyret)" in text
    assert "Ola Olsen Ap 4 66.7 Elected Per Pettersen H 4 66.7 Elected Randi Rud Sp 2 33.3 Blank ballots 1" in text
    assert "Elected: Ola Olsen and Per Pettersen." in text
    assert (
        "Gender balance Warning: Gender balance NOT met: women 1, men 4, members 5; "
        "each gender needs at least 2 (40 %)."
    ) in text
    assert "The 3 members by virtue of office are counted in." in text
    assert "Members by virtue of office" in text
    for member in (
        "Arne Aune, KrF (Member of the executive board)",
        "Geir Grande, KrF (Leader of a county board)",
        "Siri Samfunn, KrF (Samfunnsbedriftene's member)",
    ):
        assert member in text


def test_a_yes_no_decision_with_two_thirds_majority(statutes):
    text = pdf_text(render_poll_protocol(statutes, language="en")[0])

    assert "VOTE 1: DECISION" in text
    assert "Decides on Vedtektene § 5, kontingenten Majority needed Two-thirds majority" in text
    assert "Answer Votes % Yes 4 66.7 No 2 33.3 Abstentions 1 Ballots counted 7" in text
    assert (
        "Percentages of the 6 yes and no votes (abstentions not counted). Two-thirds majority needed: 4 of 6." in text
    )
    assert "Adopted." in text
    assert "Candidate" not in text and "Gender balance" not in text


def test_a_paper_ballot_with_rejected_ballots(paper):
    text = pdf_text(render_poll_protocol(paper, language="en")[0])

    assert "Ballots Paper ballots, counts entered" in text
    assert "Paper counts entered" in text and "· Tore Teller" in text
    assert "Opened" not in text  # a paper ballot is not opened electronically
    assert "Eligible voters not recorded for paper ballots Ballots received 13" in text
    assert (
        "Ulla Uv Ap 9 90.0 Elected Vidar Vik H 7 70.0 Elected Wenche Wang Sp 2 20.0"
        " Blank ballots 1 Rejected paper ballots 2 Ballots counted 11"
    ) in text
    assert "Percentages of the 10 ballots that name candidates" in text
    assert "Not published yet: the officials are checking the result." in text
    assert "Not signed off yet." in text


def test_no_ballot_receipt_or_voter_name_is_ever_printed(congress, everything, voters, receipts):
    assert len(receipts) == 5 * 7  # five electronic polls, seven voters
    pdf, _pages = render_protocol(congress, language="en")
    text = pdf_text(pdf)
    raw = pdf_text(pdf).replace(" ", "")

    for receipt in receipts:
        assert receipt not in raw
    for voter in voters:
        assert voter.last_name not in text
        assert voter.email not in text
    assert "Hansen" not in text  # every voter of the tests is a Hansen
    assert "receipt" not in text.replace("receipts or the names", "")  # only the note that there are none


def test_a_poll_not_voted_yet_prints_only_that(congress):
    poll = poll_create_decision(congress=congress, title="Uttalelse om samferdsel")

    pdf, pages = render_poll_protocol(poll, language="en")

    text = pdf_text(pdf)
    assert "Protocol: Uttalelse om samferdsel" in text
    assert "Vote 1 · Yes / no / abstain · Not opened" in text
    assert "Not voted yet." in text
    assert "Result" not in text and pages == 1


def test_the_protocol_renders_in_norwegian_and_in_the_active_language(congress, statutes, paper):
    nb, _pages = render_protocol(congress, language="nb")
    assert "Side 1 av" in pdf_text(nb)
    assert "Vedtektene § 5, kontingenten" in pdf_text(nb)
    with translation.override("en"):
        active, _pages = render_poll_protocol(paper)
    assert "Page 1 of" in pdf_text(active)
    with pytest.raises(ValueError, match="Unknown language"):
        render_protocol(congress, language="de")


def test_an_empty_congress_has_a_protocol_too(congress):
    pdf, pages = render_protocol(congress, language="en")
    assert "No votes have been set up for this congress." in pdf_text(pdf)
    assert pages == 1


# --- Queries ------------------------------------------------------------------------------------------------------

#: The polls (with congress, election, the run-off's first round, the officials and the paper count), candidates,
#: members by virtue of office, drawings of lots and sign-offs.
PROTOCOL_QUERIES = 5


def _many_polls(congress, count: int, *, multi_seat: bool) -> None:
    """``count`` polls of every kind and state (with multi-seat elections when ``multi_seat``), with sign-offs."""
    official = StaffUserFactory()
    voters = present_delegates(congress, 2)
    for number in range(count):
        kind = number % 4
        if kind == 0:
            poll = poll_open(poll=poll_create_decision(congress=congress, title=f"Sak {number}"), user=official)
            _vote(poll, voters, ["yes", "no"])
            _publish(poll_close(poll=poll, user=official), official)
        elif kind == 2 or (kind == 1 and not multi_seat):
            election = ElectionFactory(congress=congress, title=f"Valg {number}")
            _candidates(election, ("Liv", f"Lund{number}", "female", "Ap"), ("Odd", f"Ek{number}", "male", "H"))
            poll = poll_open(poll=poll_create_for_election(election=election), user=official)
            first, second = poll.candidates.order_by("position")
            _vote(poll, voters, [[first], [first]])
            poll_sign_off(poll=poll_close(poll=poll, user=official), user=official)
        elif kind == 1:
            election = ElectionFactory(
                congress=congress, title=f"Valg {number}", office="landsstyre_member", method="multi_seat", seats=2
            )
            _candidates(election, ("Liv", f"Lund{number}", "female", "Ap"), ("Odd", f"Ek{number}", "male", "H"))
            AutomaticMember.objects.create(election=election, name=f"Medlem {number}", reason="hovedstyre")
            poll = poll_open(poll=poll_create_for_election(election=election), user=official)
            first, second = poll.candidates.order_by("position")
            _vote(poll, voters, [[first, second], [first]])
            poll_close(poll=poll, user=official)
        else:
            poll_create_decision(congress=congress, title=f"Sak {number}")


@pytest.mark.parametrize("count", [2, 12])
def test_the_protocol_reads_with_a_fixed_number_of_queries(congress, count, django_assert_max_num_queries):
    _many_polls(congress, count, multi_seat=False)

    with django_assert_max_num_queries(PROTOCOL_QUERIES):
        pdf, _pages = render_protocol(congress, language="en")

    assert len(re.findall(r"VOTE \d+:", pdf_text(pdf))) == sum(1 for n in range(count) if n % 4 != 3)


@pytest.mark.parametrize("count", [2, 12])
def test_the_protocol_of_multi_seat_elections_reads_with_a_fixed_number_of_queries(
    congress, count, django_assert_max_num_queries
):
    _many_polls(congress, count, multi_seat=True)

    with django_assert_max_num_queries(PROTOCOL_QUERIES):
        render_protocol(congress, language="en")


def test_the_protocol_of_one_poll_reads_with_a_fixed_number_of_queries(
    congress, committee, django_assert_max_num_queries
):
    poll = Poll.objects.get(pk=committee.pk)
    with django_assert_max_num_queries(PROTOCOL_QUERIES + 2):  # and its number in the congress' order, the balance
        render_poll_protocol(poll, language="en")
