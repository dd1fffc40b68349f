"""The secretariat builds a survey in the admin; the answers and who gave them have no admin pages (issue 17)."""

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveys.models import AnswerSet, Draft, Question, Respondent, Survey
from tests.factories import CongressFactory, regional_staff_user
from tests.surveys.factories import OSLO, EventFactory, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def test_the_answers_the_respondents_and_the_drafts_are_not_in_the_admin():
    for model in (Respondent, AnswerSet, Draft):
        assert not admin.site.is_registered(model)


def test_the_secretariat_creates_a_survey_that_opens_after_the_last_day_by_default(secretariat_client, english_site):
    congress = CongressFactory()
    response = secretariat_client.post(
        reverse("admin:surveys_survey_add"),
        {
            "congress": congress.pk,
            "title": "Evaluering av Landstinget 2024",
            "title_en": "",
            "intro": "",
            "intro_en": "",
            "opens_at_0": "",
            "opens_at_1": "",
            "closes_on": "2024-03-01",
            "min_answers_for_free_text": "5",
            "reminder_days_before": "3",
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "0",
            "questions-0-position": "1",
            "questions-0-kind": "scale_1_5",
            "questions-0-text": "Hvor fornøyd var du med komitémøtene?",
            "questions-0-text_en": "",
            "questions-0-required": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    survey = Survey.objects.get(congress=congress)
    assert survey.opens_at == datetime.datetime(2024, 2, 15, 0, 0, tzinfo=OSLO)
    assert list(survey.questions.values_list("kind", "required")) == [("scale_1_5", True)]


def test_the_question_page_offers_the_events_of_the_surveys_own_congress(secretariat_client):
    survey = SurveyFactory(congress=CongressFactory())
    own = EventFactory(congress=survey.congress, title="Toppmøte barn og unge")
    EventFactory(congress=CongressFactory(), title="Et annet landstings toppmøte")
    page = secretariat_client.get(reverse("admin:surveys_survey_change", args=[survey.pk])).content.decode()
    assert own.title in page and "Et annet landstings toppmøte" not in page


def test_a_question_of_another_congress_event_is_refused(english_in_test):
    survey = SurveyFactory(congress=CongressFactory())
    question = QuestionFactory.build(survey=survey, event=EventFactory(congress=CongressFactory()))
    with pytest.raises(ValidationError, match="survey's congress"):
        question.full_clean()


def test_a_regional_office_has_no_survey_admin(client):
    client.force_login(regional_staff_user())
    assert client.get(reverse("admin:surveys_survey_changelist")).status_code == 403
    assert client.get(reverse("admin:surveys_question_changelist")).status_code == 403
    assert Question.objects.count() == 0
