"""A participant's answers to the evaluation survey: kept between visits, checked, and taken once (issue 17)."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from delegates.models import Attendance
from surveys.models import Answer, AnswerSet, Draft, Question, Respondent
from surveys.selectors import questions_for, response_rate, survey_open_for
from surveys.services import question_field, survey_draft, survey_draft_save, survey_drafts_purge, survey_submit
from tests.factories import CongressFactory, ParticipantFactory
from tests.surveys.factories import OPEN, OSLO, ChoiceFactory, EventFactory, QuestionFactory, SurveyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_in_test")]


@pytest.fixture
def survey():
    return SurveyFactory(congress=CongressFactory())


@pytest.fixture
def me(survey):
    return ParticipantFactory(congress=survey.congress)


@pytest.fixture
def questions(survey):
    """A required scale, an optional one-choice question, a several-choices one and a free text."""
    scale = QuestionFactory(survey=survey, kind=Question.Kind.SCALE_1_5, required=True)
    one = QuestionFactory(survey=survey, kind=Question.Kind.SINGLE_CHOICE)
    ChoiceFactory.create_batch(3, question=one)
    several = QuestionFactory(survey=survey, kind=Question.Kind.MULTIPLE_CHOICE)
    ChoiceFactory.create_batch(3, question=several)
    text = QuestionFactory(survey=survey, kind=Question.Kind.FREE_TEXT)
    return scale, one, several, text


def _choices(question):
    return list(question.choices.values_list("pk", flat=True))


def test_the_survey_opens_at_midnight_after_the_last_day_by_default(survey):
    assert survey.opens_at == datetime.datetime(2024, 2, 15, 0, 0, tzinfo=OSLO)


def test_a_draft_is_kept_and_resumed_and_replaced_by_the_next_save(survey, me, questions):
    _scale, one, _several, text = questions
    survey_draft_save(survey=survey, participant=me, answers={question_field(one): str(_choices(one)[1])}, now=OPEN)

    assert survey_draft(survey, me) == {question_field(one): _choices(one)[1]}  # the required scale may wait

    survey_draft_save(
        survey=survey,
        participant=me,
        answers={question_field(one): _choices(one)[1], question_field(text): "  Gode debatter  "},
        now=OPEN,
    )
    assert survey_draft(survey, me) == {question_field(one): _choices(one)[1], question_field(text): "Gode debatter"}
    assert Draft.objects.count() == 1
    assert not Respondent.objects.exists() and not AnswerSet.objects.exists()


def test_a_malformed_draft_is_refused_and_the_draft_kept_before_stays(survey, me, questions):
    scale, _one, *_rest = questions
    survey_draft_save(survey=survey, participant=me, answers={question_field(scale): 4}, now=OPEN)

    with pytest.raises(ValidationError) as refused:
        survey_draft_save(survey=survey, participant=me, answers={question_field(scale): 9}, now=OPEN)

    assert refused.value.message_dict == {question_field(scale): ["Choose a value from 1 to 5."]}
    assert survey_draft(survey, me) == {question_field(scale): 4}


def test_submitting_stores_the_answers_without_the_person_and_deletes_the_draft(survey, me, questions):
    scale, one, several, text = questions
    survey_draft_save(survey=survey, participant=me, answers={question_field(scale): 2}, now=OPEN)
    answers = {
        question_field(scale): "5",
        question_field(one): _choices(one)[0],
        question_field(several): [_choices(several)[2], _choices(several)[0]],
        question_field(text): "Komiteene var et politisk verksted.",
    }

    survey_submit(survey=survey, participant=me, answers=answers, now=OPEN)

    assert not Draft.objects.exists()
    assert list(Respondent.objects.values_list("participant", flat=True)) == [me.pk]
    stored = {answer.question_id: answer for answer in Answer.objects.all()}
    assert stored[scale.pk].scale == 5
    assert stored[one.pk].choices == [_choices(one)[0]]
    assert stored[several.pk].choices == sorted([_choices(several)[2], _choices(several)[0]])
    assert stored[text.pk].text == "Komiteene var et politisk verksted."
    assert AnswerSet.objects.count() == 1
    assert survey_open_for(me, now=OPEN) is None
    assert (response_rate(survey).answered, response_rate(survey).asked) == (1, 1)


def test_a_missing_required_answer_is_refused_by_its_question_and_nothing_is_stored(survey, me, questions):
    scale, one, *_rest = questions
    with pytest.raises(ValidationError) as refused:
        survey_submit(survey=survey, participant=me, answers={question_field(one): _choices(one)[0]}, now=OPEN)

    assert refused.value.message_dict == {question_field(scale): ["This question must be answered."]}
    assert not Respondent.objects.exists() and not AnswerSet.objects.exists() and not Answer.objects.exists()


@pytest.mark.parametrize(
    ("which", "value", "message"),
    [
        ("scale", 0, "Choose a value from 1 to 5."),
        ("scale", 6, "Choose a value from 1 to 5."),
        ("scale", "fem", "Choose a value from 1 to 5."),
        ("scale", True, "Choose a value from 1 to 5."),
        ("one", "another question's", "Choose among this question's choices."),
        ("several", "another question's", "Choose among this question's choices."),
        ("one", "two", "Choose one answer."),
        ("text", 42, "Write the answer as text."),
        ("text", "x" * 5001, "Write at most 5000 characters (this answer has 5001)."),
    ],
)
def test_a_malformed_answer_is_refused_with_its_message(survey, me, questions, which, value, message):
    scale, one, several, text = questions
    question = {"scale": scale, "one": one, "several": several, "text": text}[which]
    if value == "another question's":
        value = _choices(several if which == "one" else one)[0]
    elif value == "two":
        value = _choices(one)[:2]
    answers = {question_field(scale): 3, question_field(question): value}

    with pytest.raises(ValidationError) as refused:
        survey_submit(survey=survey, participant=me, answers=answers, now=OPEN)

    assert refused.value.message_dict == {question_field(question): [message]}
    assert not Respondent.objects.exists() and not AnswerSet.objects.exists()


def test_an_answer_to_a_question_of_another_survey_is_refused(survey, me, questions):
    scale = questions[0]
    elsewhere = QuestionFactory(survey=SurveyFactory(congress=CongressFactory()))
    with pytest.raises(ValidationError) as refused:
        survey_submit(
            survey=survey, participant=me, answers={question_field(scale): 3, question_field(elsewhere): 3}, now=OPEN
        )
    assert refused.value.message_dict == {NON_FIELD_ERRORS: ["An answer was given to a question you are not asked."]}


def test_a_second_submission_is_refused_and_changes_nothing(survey, me, questions):
    scale = questions[0]
    survey_submit(survey=survey, participant=me, answers={question_field(scale): 4}, now=OPEN)

    with pytest.raises(ValidationError) as refused:
        survey_submit(survey=survey, participant=me, answers={question_field(scale): 1}, now=OPEN)
    assert refused.value.messages == ["You have already answered this survey."]
    with pytest.raises(ValidationError):
        survey_draft_save(survey=survey, participant=me, answers={question_field(scale): 1}, now=OPEN)

    assert Respondent.objects.count() == AnswerSet.objects.count() == 1
    assert list(Answer.objects.values_list("scale", flat=True)) == [4]


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (datetime.datetime(2024, 2, 14, 23, 59, tzinfo=OSLO), "The survey is not open yet."),
        (datetime.datetime(2024, 3, 2, 0, 0, tzinfo=OSLO), "The survey has closed."),
    ],
)
def test_answers_are_refused_before_the_survey_opens_and_after_its_closing_date(survey, me, questions, moment, message):
    scale = questions[0]
    for service in (survey_draft_save, survey_submit):
        with pytest.raises(ValidationError) as refused:
            service(survey=survey, participant=me, answers={question_field(scale): 4}, now=moment)
        assert refused.value.messages == [message]
    assert survey_open_for(me, now=moment) is None
    assert not Respondent.objects.exists() and not Draft.objects.exists()


def test_the_closing_date_is_open_through_its_last_minute_in_oslo(survey, me, questions):
    last_minute = datetime.datetime(2024, 3, 1, 23, 59, tzinfo=OSLO)
    assert survey_open_for(me, now=last_minute) == survey
    survey_submit(survey=survey, participant=me, answers={question_field(questions[0]): 4}, now=last_minute)
    assert Respondent.objects.count() == 1


def test_a_participant_of_another_congress_or_withdrawn_cannot_answer(survey, questions):
    outsider = ParticipantFactory(congress=CongressFactory())
    withdrawn = ParticipantFactory(congress=survey.congress, status="withdrawn")
    for person in (outsider, withdrawn):
        with pytest.raises(ValidationError) as refused:
            survey_submit(survey=survey, participant=person, answers={question_field(questions[0]): 4}, now=OPEN)
        assert refused.value.messages == ["This survey is not for you."]
    assert survey_open_for(withdrawn, now=OPEN) is None
    assert not Respondent.objects.exists()


# --- Event questions -------------------------------------------------------------------------------------------------


def test_an_event_question_is_asked_only_of_those_invited_to_the_event_or_checked_in_at_it(survey):
    congress = survey.congress
    general = QuestionFactory(survey=survey)
    summit = EventFactory(congress=congress, invited_roles=["delegate"])
    about_summit = QuestionFactory(survey=survey, event=summit, required=True)
    open_day = EventFactory(
        congress=congress,
        title="Landstingsdag",
        registration_required=False,
        invited_roles=["delegate", "observer"],
        starts_at=datetime.datetime(2024, 2, 13, 9, 0, tzinfo=OSLO),
        ends_at=datetime.datetime(2024, 2, 13, 17, 0, tzinfo=OSLO),
    )
    about_day = QuestionFactory(survey=survey, event=open_day)
    delegate = ParticipantFactory(congress=congress, role="delegate")
    observer = ParticipantFactory(congress=congress, role="observer")
    guest = ParticipantFactory(congress=congress, role="guest")
    guest_in_hall = ParticipantFactory(congress=congress, role="guest")
    Attendance.objects.create(
        participant=guest_in_hall, direction="in", at=datetime.datetime(2024, 2, 12, 11, 0, tzinfo=OSLO)
    )
    guest_left = ParticipantFactory(congress=congress, role="guest")
    Attendance.objects.create(
        participant=guest_left, direction="in", at=datetime.datetime(2024, 2, 12, 8, 0, tzinfo=OSLO)
    )
    Attendance.objects.create(
        participant=guest_left, direction="out", at=datetime.datetime(2024, 2, 12, 9, 0, tzinfo=OSLO)
    )

    assert questions_for(survey, delegate) == [general, about_summit, about_day]
    assert questions_for(survey, observer) == [general, about_day]
    assert questions_for(survey, guest) == [general]
    assert questions_for(survey, guest_in_hall) == [general, about_summit]  # arrived while the summit ran
    assert questions_for(survey, guest_left) == [general]  # had left before it began
    # A check-in counts for the day it was made: the guest in the hall on the 12th was not checked in on the 13th.
    assert about_day not in questions_for(survey, guest_in_hall)
    Attendance.objects.create(
        participant=guest_in_hall, direction="in", at=datetime.datetime(2024, 2, 13, 8, 30, tzinfo=OSLO)
    )
    assert questions_for(survey, guest_in_hall) == [general, about_summit, about_day]  # in the hall before it began

    # The summit's required question binds only those it is asked of; the others cannot answer it.
    survey_submit(survey=survey, participant=guest, answers={question_field(general): 3}, now=OPEN)
    with pytest.raises(ValidationError) as refused:
        survey_submit(survey=survey, participant=delegate, answers={question_field(general): 3}, now=OPEN)
    assert refused.value.message_dict == {question_field(about_summit): ["This question must be answered."]}
    with pytest.raises(ValidationError) as refused:
        survey_submit(
            survey=survey,
            participant=observer,
            answers={question_field(general): 3, question_field(about_summit): 5},
            now=OPEN,
        )
    assert NON_FIELD_ERRORS in refused.value.message_dict


def test_a_deputy_holding_a_seat_is_asked_as_a_delegate(survey):
    summit = EventFactory(congress=survey.congress, invited_roles=["delegate"])
    about_summit = QuestionFactory(survey=survey, event=summit)
    delegate = ParticipantFactory(congress=survey.congress, role="delegate", status="withdrawn")
    deputy = ParticipantFactory(congress=survey.congress, role="deputy", deputy_rank=1, acting_for=delegate)
    free_deputy = ParticipantFactory(congress=survey.congress, role="deputy", deputy_rank=2)
    assert questions_for(survey, deputy) == [about_summit]
    assert questions_for(survey, free_deputy) == []


def test_the_response_rate_counts_the_active_participants_and_those_who_answered(survey, questions):
    people = ParticipantFactory.create_batch(4, congress=survey.congress)
    ParticipantFactory(congress=survey.congress, status="withdrawn")
    ParticipantFactory(congress=CongressFactory())
    for person in people[:3]:
        survey_submit(survey=survey, participant=person, answers={question_field(questions[0]): 4}, now=OPEN)
    people[0].status = "withdrawn"
    people[0].save()

    rate = response_rate(survey)
    assert (rate.answered, rate.asked, rate.rate) == (3, 4, 0.75)


def test_each_set_of_answers_keeps_the_county_of_the_one_who_answered_through_later_submissions(survey, questions):
    """The county is what a regional office's results are read by (DESIGN.md §12); the rewrite of every set on each
    submission must carry it over."""
    scale = questions[0]
    first, second = ParticipantFactory(congress=survey.congress), ParticipantFactory(congress=survey.congress)
    survey_submit(survey=survey, participant=first, answers={question_field(scale): 2}, now=OPEN)
    survey_submit(survey=survey, participant=second, answers={question_field(scale): 5}, now=OPEN)

    by_value = dict(Answer.objects.values_list("scale", "answer_set__county_id"))
    assert by_value == {2: first.county_id, 5: second.county_id}
    assert first.county_id != second.county_id


@pytest.mark.parametrize("value", ["²", "٣", "3.0", "", " "])
def test_a_value_that_is_no_plain_number_is_refused_with_the_message_not_an_error(survey, me, questions, value):
    """A crafted form value (a superscript two is a digit to Python, but no number to int()) gets the message."""
    scale = questions[0]
    with pytest.raises(ValidationError) as refused:
        survey_submit(survey=survey, participant=me, answers={question_field(scale): value}, now=OPEN)
    assert refused.value.message_dict[question_field(scale)] in (
        ["Choose a value from 1 to 5."],
        ["This question must be answered."],
    )


def test_the_drafts_of_a_closed_survey_are_deleted_and_an_open_ones_kept(survey, me, questions):
    _scale, one, _several, _text = questions
    survey_draft_save(survey=survey, participant=me, answers={question_field(one): _choices(one)[0]}, now=OPEN)

    assert survey_drafts_purge(now=OPEN) == 0
    assert survey_drafts_purge(now=datetime.datetime(2024, 3, 1, 23, 59, tzinfo=OSLO)) == 0  # the closing day
    assert survey_drafts_purge(now=datetime.datetime(2024, 3, 2, 0, 0, tzinfo=OSLO)) == 1
    assert not Draft.objects.exists()
