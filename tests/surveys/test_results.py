"""The survey's results for staff (surveys/results.py): figures against hand-counted answers, the scopes, the minimum
number of answer sets, the comparison with the earlier congress, and the anonymous answers for the CSV."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from agenda.models import Congress
from surveys.models import Question, Survey
from surveys.results import answers_table, survey_results, surveys_visible_to
from tests.factories import (
    CongressFactory,
    CountyFactory,
    ParticipantFactory,
    RegionalOfficeFactory,
    StaffUserFactory,
    regional_staff_user,
)
from tests.surveys.factories import ChoiceFactory, QuestionFactory, SurveyFactory, answered

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_in_test")]


@pytest.fixture
def offices():
    return RegionalOfficeFactory(name="KS Vest"), RegionalOfficeFactory(name="KS Øst")


@pytest.fixture
def counties(offices):
    west, east = offices
    return (
        CountyFactory(number="46", name="Vestland", regional_office=west),
        CountyFactory(number="32", name="Akershus", regional_office=east),
        CountyFactory(number="03", name="Oslo", regional_office=east),
    )


@pytest.fixture
def survey():
    return SurveyFactory(congress=CongressFactory(name="Landstinget 2024"), min_answers_for_free_text=5)


@pytest.fixture
def questions(survey):
    scale = QuestionFactory(survey=survey, kind=Question.Kind.SCALE_1_5, text_en="", text="Hvor fornøyd var du?")
    one = QuestionFactory(survey=survey, kind=Question.Kind.SINGLE_CHOICE, text_en="", text="Kommer du igjen?")
    yes, no, unsure = (ChoiceFactory(question=one, text=text) for text in ("Ja", "Nei", "Vet ikke"))
    several = QuestionFactory(survey=survey, kind=Question.Kind.MULTIPLE_CHOICE, text_en="", text="Hva var best?")
    debates, food, hotel = (ChoiceFactory(question=several, text=text) for text in ("Debattene", "Maten", "Hotellet"))
    text = QuestionFactory(survey=survey, kind=Question.Kind.FREE_TEXT, text_en="", text="Noe mer?")
    return {
        "scale": scale,
        "one": one,
        "several": several,
        "text": text,
        "yes": yes,
        "no": no,
        "unsure": unsure,
        "debates": debates,
        "food": food,
        "hotel": hotel,
    }


@pytest.fixture
def people(survey, counties):
    """Vestland: 3 delegates and a deputy; Akershus: 2 delegates; Oslo: 1 delegate."""
    vestland, akershus, oslo = counties
    congress = survey.congress
    return {
        "vestland": [ParticipantFactory(congress=congress, county=vestland) for _ in range(3)]
        + [ParticipantFactory(congress=congress, county=vestland, role="deputy", deputy_rank=1)],
        "akershus": [ParticipantFactory(congress=congress, county=akershus) for _ in range(2)],
        "oslo": [ParticipantFactory(congress=congress, county=oslo)],
    }


@pytest.fixture
def five_answers(survey, questions, people):
    """Five answer sets, counted by hand below: three from Vestland (one of them the deputy's), two from Akershus."""
    q = questions
    vestland, akershus = people["vestland"], people["akershus"]
    answered(
        survey,
        participant=vestland[0],
        answers={q["scale"]: 5, q["one"]: [q["yes"]], q["several"]: [q["debates"], q["food"]], q["text"]: "Bra"},
    )
    answered(survey, participant=vestland[1], answers={q["scale"]: 4, q["one"]: [q["yes"]], q["text"]: "alt vel"})
    answered(survey, participant=vestland[3], answers={q["scale"]: 4, q["several"]: [q["debates"]]})
    answered(
        survey,
        participant=akershus[0],
        answers={q["scale"]: 2, q["one"]: [q["no"]], q["several"]: [q["debates"], q["hotel"]], q["text"]: "Kaldt"},
    )
    answered(survey, participant=akershus[1], answers={q["one"]: [q["yes"]]})


def _question(results, question):
    return next(result for result in results.questions if result.question.pk == question.pk)


def _counts(result):
    return [(bar.label, bar.count) for bar in result.bars]


def test_the_figures_are_those_counted_by_hand(survey, questions, five_answers, secretariat):
    results = survey_results(survey, user=secretariat)

    assert results.shown and results.whole_survey and results.answer_sets == 5
    assert results.scope_label == "All counties"
    scale = _question(results, questions["scale"])
    assert scale.number == 1 and scale.text == "Hvor fornøyd var du?"
    assert scale.n == 4
    assert _counts(scale) == [("1", 0), ("2", 1), ("3", 0), ("4", 2), ("5", 1)]
    assert scale.bars[3].share == pytest.approx(0.5)
    assert scale.mean == pytest.approx((5 + 4 + 4 + 2) / 4)
    one = _question(results, questions["one"])
    assert (one.n, _counts(one)) == (4, [("Ja", 3), ("Nei", 1), ("Vet ikke", 0)])
    assert one.bars[0].share == pytest.approx(0.75) and one.mean is None and one.texts is None
    several = _question(results, questions["several"])
    assert (several.n, _counts(several)) == (3, [("Debattene", 3), ("Maten", 1), ("Hotellet", 1)])
    assert several.bars[0].share == pytest.approx(1.0)
    text = _question(results, questions["text"])
    assert text.n == 3 and text.bars == []
    assert text.texts == ["alt vel", "Bra", "Kaldt"]  # alphabetical, whatever the order of answering


def test_the_response_rates_overall_by_county_and_by_role(survey, five_answers, secretariat):
    results = survey_results(survey, user=secretariat)

    assert (results.rate.answered, results.rate.asked) == (5, 7)
    assert results.rate.rate == pytest.approx(5 / 7)
    by_county = {row.label: (row.answered, row.asked) for row in results.rates_by_county}
    assert by_county == {"Vestland": (3, 4), "Akershus": (2, 2), "Oslo": (0, 1)}
    by_role = {row.label: (row.answered, row.asked) for row in results.rates_by_role}
    assert by_role == {"Delegate": (4, 6), "Deputy": (1, 1)}


def test_one_who_answered_and_then_withdrew_still_counts(survey, five_answers, people, secretariat):
    people["vestland"][0].status = "withdrawn"
    people["vestland"][0].save()
    people["oslo"][0].status = "withdrawn"  # did not answer: no longer asked
    people["oslo"][0].save()

    results = survey_results(survey, user=secretariat)

    assert (results.rate.answered, results.rate.asked) == (5, 6)


def test_free_texts_are_shown_from_the_minimum_on(survey, questions, five_answers, secretariat):
    survey.min_answers_for_free_text = 6
    survey.save()
    below = survey_results(survey, user=secretariat)
    # Below the minimum, the whole survey too shows the response rate alone: with so few, the rates by county and
    # role next to the figures would point at the people.
    assert (below.shown, below.questions, below.free_texts_shown) == (False, [], False)
    assert below.rate.answered == 5

    survey.min_answers_for_free_text = 5
    survey.save()
    at = survey_results(survey, user=secretariat)
    assert _question(at, questions["text"]).texts == ["alt vel", "Bra", "Kaldt"]


def test_a_county_below_the_minimum_shows_only_its_response_rate(survey, counties, questions, people, secretariat):
    vestland = counties[0]
    for participant in people["vestland"]:
        answered(survey, participant=participant, answers={questions["scale"]: 3})
    four = survey_results(survey, user=secretariat, county=vestland)
    assert (four.answer_sets, four.shown, four.questions) == (4, False, [])
    assert (four.rate.answered, four.rate.asked) == (4, 4)
    assert four.scope_label == "Vestland"

    answered(survey, county=vestland, answers={questions["scale"]: 5})
    five = survey_results(survey, user=secretariat, county=vestland)
    assert five.shown and _question(five, questions["scale"]).n == 5


def test_a_county_scope_counts_only_that_countys_answers(survey, counties, questions, five_answers, secretariat):
    survey.min_answers_for_free_text = 2
    survey.save()

    akershus = survey_results(survey, user=secretariat, county=counties[1])

    assert akershus.answer_sets == 2
    assert _counts(_question(akershus, questions["one"])) == [("Ja", 1), ("Nei", 1), ("Vet ikke", 0)]
    assert _question(akershus, questions["text"]).texts == ["Kaldt"]
    assert [row.label for row in akershus.rates_by_county] == ["Akershus"]


def test_a_regional_office_sees_only_its_own_counties(survey, counties, offices, questions, five_answers):
    survey.min_answers_for_free_text = 2
    survey.save()
    east = regional_staff_user(offices[1])

    results = survey_results(survey, user=east)

    assert not results.whole_survey
    assert results.scope_label == "Your counties (KS Øst)"
    assert results.answer_sets == 2  # Akershus's two; Oslo has none
    assert {row.label for row in results.rates_by_county} == {"Akershus", "Oslo"}
    assert (results.rate.answered, results.rate.asked) == (2, 3)
    assert _question(results, questions["scale"]).n == 1
    assert [county.name for county in results.counties] == ["Oslo", "Akershus"]
    with pytest.raises(PermissionDenied):
        survey_results(survey, user=east, county=counties[0])


def test_a_regional_office_below_the_minimum_sees_the_rate_alone(survey, offices, five_answers):
    east = regional_staff_user(offices[1])

    results = survey_results(survey, user=east)

    assert (results.answer_sets, results.shown, results.questions) == (2, False, [])
    assert answers_table(survey, user=east).rows == []


def test_who_may_see_which_survey(survey):
    assert list(surveys_visible_to(StaffUserFactory(is_staff=False))) == []
    assert list(surveys_visible_to(regional_staff_user())) == [survey]
    with pytest.raises(PermissionDenied):
        survey_results(survey, user=StaffUserFactory(is_staff=False))


# --- The comparison ------------------------------------------------------------------------------------------------


@pytest.fixture
def earlier(survey):
    """The survey of the Landsting two years before, with the same scale question and the one-choice question
    ("Ja" and "Nei", no "Vet ikke"; "Kanskje" instead)."""
    congress = CongressFactory(
        name="Landstinget 2022",
        year=2022,
        first_day=datetime.date(2022, 2, 15),
        last_day=datetime.date(2022, 2, 16),
        registration_deadline=datetime.date(2022, 1, 15),
    )
    old = SurveyFactory(congress=congress, closes_on=datetime.date(2022, 3, 1))
    scale = QuestionFactory(survey=old, kind=Question.Kind.SCALE_1_5, text_en="", text="Hvor  fornøyd var du?")
    one = QuestionFactory(survey=old, kind=Question.Kind.SINGLE_CHOICE, text_en="", text="Kommer du igjen?")
    yes, maybe, no = (ChoiceFactory(question=one, text=text) for text in ("ja", "Kanskje", "Nei"))
    answered(old, answers={scale: 1, one: [yes]})
    answered(old, answers={scale: 2, one: [no]})
    answered(old, answers={scale: 2, one: [maybe]})
    answered(old, answers={one: [no]})
    answered(old)  # a fifth, who left every question open: the earlier survey, too, is shown from its minimum on
    return {"survey": old, "scale": scale, "one": one}


def test_the_latest_earlier_survey_is_compared_by_text_and_kind(survey, questions, five_answers, earlier, secretariat):
    older = CongressFactory(
        name="Landstinget 2020",
        year=2020,
        first_day=datetime.date(2020, 2, 15),
        last_day=datetime.date(2020, 2, 16),
        registration_deadline=datetime.date(2020, 1, 15),
    )
    oldest = SurveyFactory(congress=older, closes_on=datetime.date(2020, 3, 1))
    QuestionFactory(survey=oldest, kind=Question.Kind.MULTIPLE_CHOICE, text_en="", text="Hva var best?")

    results = survey_results(survey, user=secretariat)

    scale = _question(results, questions["scale"])
    assert scale.earlier_congress_name == "Landstinget 2022"
    assert scale.earlier.n == 3
    assert _counts(scale.earlier) == [("1", 1), ("2", 2), ("3", 0), ("4", 0), ("5", 0)]
    assert scale.earlier.mean == pytest.approx(5 / 3)
    one = _question(results, questions["one"])
    # Matched by the choice's text, in this survey's order; "Vet ikke" was not asked then, "Kanskje" is not now.
    assert [(bar.label, bar.count, bar.offered) for bar in one.earlier.bars] == [
        ("Ja", 1, True),
        ("Nei", 2, True),
        ("Vet ikke", 0, False),
    ]
    assert one.earlier.bars[1].share == pytest.approx(0.5)
    # Only the latest earlier survey is read: 2020's question with the same text is not.
    assert _question(results, questions["several"]).earlier is None


def test_compare_with_wins_and_a_county_meeting_is_not_compared(survey, questions, five_answers, earlier, secretariat):
    questions["several"].compare_with = earlier["scale"]  # another kind: ignored
    questions["several"].save()
    questions["scale"].compare_with = None
    questions["scale"].text = "Helt ny tekst"
    questions["scale"].save()
    questions["one"].compare_with = earlier["one"]
    questions["one"].text = "Kommer du tilbake?"
    questions["one"].save()
    meeting = CongressFactory(
        name="Fylkesmøtet 2023",
        kind=Congress.Kind.COUNTY_MEETING,
        first_day=datetime.date(2023, 11, 20),
        last_day=datetime.date(2023, 11, 21),
        registration_deadline=datetime.date(2023, 11, 1),
    )
    QuestionFactory(
        survey=SurveyFactory(congress=meeting, closes_on=datetime.date(2023, 12, 1)),
        kind=Question.Kind.SCALE_1_5,
        text="Helt ny tekst",
    )

    results = survey_results(survey, user=secretariat)

    assert _question(results, questions["one"]).earlier.n == 4
    assert _question(results, questions["scale"]).earlier is None
    assert _question(results, questions["several"]).earlier is None


# --- The anonymous answers ---------------------------------------------------------------------------------------


def test_the_answers_table_has_a_row_per_answer_set_in_the_order_of_their_keys(
    survey, questions, five_answers, secretariat
):
    table = answers_table(survey, user=secretariat)

    assert table.headers == [
        "Answer set",
        "1. Hvor fornøyd var du?",
        "2. Kommer du igjen?",
        "3. Hva var best?",
        "4. Noe mer?",
    ]
    assert [row[0] for row in table.rows] == [1, 2, 3, 4, 5]
    expected = sorted(
        [
            [5, "Ja", "Debattene; Maten", "Bra"],
            [4, "Ja", "", "alt vel"],
            [4, "", "Debattene", ""],
            [2, "Nei", "Debattene; Hotellet", "Kaldt"],
            ["", "Ja", "", ""],
        ],
        key=str,
    )
    assert sorted((row[1:] for row in table.rows), key=str) == expected
    keys = sorted(str(pk) for pk in survey.answer_sets.values_list("pk", flat=True))
    by_key = {str(a.pk): a for a in survey.answer_sets.all()}
    first = by_key[keys[0]].answers.filter(question=questions["scale"]).first()
    assert table.rows[0][1] == (first.scale if first else "")


def test_the_answers_table_has_no_rows_below_the_minimum(survey, questions, five_answers, secretariat):
    survey.min_answers_for_free_text = 6
    survey.save()
    assert answers_table(survey, user=secretariat).rows == []

    survey.min_answers_for_free_text = 5
    survey.save()
    table = answers_table(survey, user=secretariat)
    assert len(table.rows) == 5
    assert sorted(row[4] for row in table.rows) == ["", "", "Bra", "Kaldt", "alt vel"]


def test_the_answers_table_of_a_county(survey, counties, questions, five_answers, secretariat):
    survey.min_answers_for_free_text = 2
    survey.save()
    assert len(answers_table(survey, user=secretariat, county=counties[0]).rows) == 3
    assert len(answers_table(survey, user=secretariat, county=counties[1]).rows) == 2

    survey.min_answers_for_free_text = 3
    survey.save()
    assert answers_table(survey, user=secretariat, county=counties[1]).rows == []  # 2 < 3
    # and Vestland's 3 would give Akershus's 2 from the whole survey's 5: held back too
    assert answers_table(survey, user=secretariat, county=counties[0]).rows == []


def test_a_county_whose_results_would_give_a_held_back_countys_by_subtraction_is_held_back_too(
    survey, counties, offices, questions, secretariat
):
    """The whole survey minus the counties shown is what is held back: below the minimum that would show a small
    county's answers, so the smallest county shown is held back with it."""
    vestland, akershus, oslo = counties
    for value in (5, 4, 4, 3, 5, 4):
        answered(survey, county=vestland, answers={questions["scale"]: value, questions["text"]: "Vestland"})
    for value in (1, 2):
        answered(survey, county=akershus, answers={questions["scale"]: value, questions["text"]: "Akershus"})

    held = survey_results(survey, user=secretariat, county=vestland)
    assert (held.answer_sets, held.shown, held.held_back, held.questions) == (6, False, True, [])
    assert answers_table(survey, user=secretariat, county=vestland).rows == []
    assert not survey_results(survey, user=secretariat, county=akershus).shown
    assert survey_results(survey, user=secretariat).shown  # the whole survey is shown all the same

    for value in (3, 3, 3, 4, 4, 4, 5):
        answered(survey, county=oslo, answers={questions["scale"]: value})
    shown = {county.name: survey_results(survey, user=secretariat, county=county).shown for county in counties}
    assert shown == {"Vestland": False, "Akershus": False, "Oslo": True}  # Vestland, the smaller, stays held back

    east = regional_staff_user(offices[1])  # Akershus and Oslo: Oslo's figures would give Akershus's two
    assert survey_results(survey, user=east).shown
    oslo_for_east = survey_results(survey, user=east, county=oslo)
    assert (oslo_for_east.shown, oslo_for_east.held_back) == (False, True)


def test_while_the_survey_takes_answers_only_the_response_rate_is_shown(survey, questions, five_answers, secretariat):
    """Each change of the figures while answers come in would be one person's answers."""
    survey.min_answers_for_free_text = 3
    survey.closes_on = timezone.localdate() + datetime.timedelta(days=3)
    survey.save()

    results = survey_results(survey, user=secretariat)

    assert (results.still_open, results.shown, results.questions) == (True, False, [])
    assert results.rate.answered == 5
    assert answers_table(survey, user=secretariat).rows == []

    survey.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    survey.save()
    assert survey_results(survey, user=secretariat).shown


def test_the_answers_table_leaves_out_a_choice_deleted_after_it_was_chosen(
    survey, questions, five_answers, secretariat
):
    questions["food"].delete()  # chosen with "Debattene" in Vestland's first set

    table = answers_table(survey, user=secretariat)

    assert sorted(row[3] for row in table.rows) == ["", "", "Debattene", "Debattene", "Debattene; Hotellet"]


def test_the_comparison_follows_the_scope_and_its_minimum(survey, counties, offices, questions, five_answers, earlier):
    """A regional office compares its own counties with the same counties of the earlier survey, never with the
    whole: the earlier survey's sets here have no county, so there is nothing to compare with."""
    survey.min_answers_for_free_text = 3
    survey.save()
    west = regional_staff_user(offices[0])

    results = survey_results(survey, user=west)

    assert results.shown and _question(results, questions["scale"]).n == 3
    assert all(question.earlier is None for question in results.questions)

    vestland = counties[0]
    Survey.objects.filter(pk=earlier["survey"].pk).update(min_answers_for_free_text=3)
    for value in (4, 5, 5):
        answered(earlier["survey"], county=vestland, answers={earlier["scale"]: value})
    compared = _question(survey_results(survey, user=west), questions["scale"]).earlier
    assert (compared.n, compared.mean) == (3, 14 / 3)  # Vestland's three of 2022, not the whole survey's
