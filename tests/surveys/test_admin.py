"""The secretariat builds a survey in the admin; the answers and who gave them have no admin pages (issue 17)."""

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveys.models import AnswerSet, Draft, Question, Respondent, Survey
from tests.factories import CongressFactory, ParticipantFactory, regional_staff_user
from tests.surveys.factories import OSLO, EventFactory, QuestionFactory, SurveyFactory, answered

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


def _congress(name, first_day):
    return CongressFactory(
        name=name,
        first_day=first_day,
        last_day=first_day + datetime.timedelta(days=1),
        registration_deadline=first_day - datetime.timedelta(days=30),
    )


def _question_form(question, **changes):
    data = {
        "position": question.position,
        "kind": question.kind,
        "text": question.text,
        "text_en": question.text_en,
        "event": "",
        "compare_with": "",
        "choices-TOTAL_FORMS": "0",
        "choices-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_the_secretariat_names_the_earlier_congress_question_a_question_is_compared_with(
    secretariat_client, english_site
):
    earlier = QuestionFactory(
        survey=SurveyFactory(congress=_congress("Landstinget 2020", datetime.date(2020, 2, 11))),
        text="Hvor fornøyd var du?",
    )
    question = QuestionFactory(survey=SurveyFactory(congress=CongressFactory(name="Landstinget 2024")))
    later = QuestionFactory(survey=SurveyFactory(congress=_congress("Landstinget 2028", datetime.date(2028, 2, 8))))
    url = reverse("admin:surveys_question_change", args=[question.pk])

    page = secretariat_client.get(url).content.decode()
    assert "Landstinget 2020: Hvor fornøyd var du?" in page  # named with its congress
    refused = secretariat_client.post(url, _question_form(question, compare_with=later.pk))
    assert refused.status_code == 200
    assert "Compare with a question of an earlier congress&#x27;s survey." in refused.content.decode()
    saved = secretariat_client.post(url, _question_form(question, compare_with=earlier.pk))
    assert saved.status_code == 302
    question.refresh_from_db()
    assert question.compare_with == earlier


def test_the_list_of_surveys_says_how_many_answered_and_leads_to_the_results(secretariat_client, english_site):
    survey = SurveyFactory(congress=CongressFactory())
    for participant in ParticipantFactory.create_batch(2, congress=survey.congress):
        answered(survey, participant=participant)
    answered(survey)  # imported from an earlier tool: a set of answers without a respondent
    page = secretariat_client.get(reverse("admin:surveys_survey_changelist")).content.decode()
    assert '<td class="field-answered">3</td>' in page
    assert f"{reverse('surveys_staff:results')}?congress={survey.congress_id}" in page


def test_the_minimum_of_answers_shown_cannot_be_set_below_three(english_in_test):
    survey = SurveyFactory(congress=CongressFactory(), min_answers_for_free_text=2)
    with pytest.raises(ValidationError) as refused:
        survey.full_clean()
    assert refused.value.message_dict == {
        "min_answers_for_free_text": ["Ensure this value is greater than or equal to 3."]
    }
