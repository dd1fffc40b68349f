import datetime
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory

from agenda.models import Event
from surveys.models import Choice, Question, Survey
from tests.factories import CongressFactory

OSLO = ZoneInfo("Europe/Oslo")


class SurveyFactory(DjangoModelFactory):
    """A survey of a congress held 13 and 14 February 2024: it opens at midnight into the 15th, closes on 1 March."""

    class Meta:
        model = Survey

    congress = factory.SubFactory(CongressFactory)
    title = "Evaluering av Landstinget"
    title_en = "Evaluation of the Landsting"
    closes_on = datetime.date(2024, 3, 1)


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(lambda n: n)
    kind = Question.Kind.SCALE_1_5
    text = factory.Sequence(lambda n: f"Spørsmål {n}: hvor fornøyd var du?")
    text_en = factory.Sequence(lambda n: f"Question {n}: how satisfied were you?")


class ChoiceFactory(DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory, kind=Question.Kind.SINGLE_CHOICE)
    position = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Valg {n}")


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    congress = factory.SubFactory(CongressFactory)
    title = "Kommunalpolitisk toppmøte"
    kind = Event.Kind.POLICY_SUMMIT
    starts_at = datetime.datetime(2024, 2, 12, 10, 0, tzinfo=OSLO)
    ends_at = datetime.datetime(2024, 2, 12, 16, 0, tzinfo=OSLO)
    invited_roles = ["delegate"]
    registration_required = True


#: A moment while the survey of ``SurveyFactory`` is open.
OPEN = datetime.datetime(2024, 2, 20, 12, 0, tzinfo=OSLO)


def answered(survey, *, county=None, participant=None, answers=None):
    """One set of answers as a submission leaves it (``{question: scale value, [choices] or text}``), written
    directly, and a ``Respondent`` for ``participant`` when given (the results read both)."""
    from surveys.models import Answer, AnswerSet, Respondent

    if participant is not None:
        Respondent.objects.create(survey=survey, participant=participant)
        county = county or participant.county
    answer_set = AnswerSet.objects.create(survey=survey, county=county)
    for question, value in (answers or {}).items():
        if isinstance(value, int):
            Answer.objects.create(answer_set=answer_set, question=question, scale=value)
        elif isinstance(value, list):
            Answer.objects.create(answer_set=answer_set, question=question, choices=[choice.pk for choice in value])
        else:
            Answer.objects.create(answer_set=answer_set, question=question, text=value)
    return answer_set
