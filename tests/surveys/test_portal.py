"""The evaluation survey behind the personal link (issue 17 item 2): the form, a draft kept between visits, the
submission, and a page for every state in which there is nothing to answer."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from delegates.models import Participant, PersonalLink
from delegates.services.links import personal_link_issue
from surveys.models import Answer, AnswerSet, Draft, Question, Respondent
from surveys.services import question_field, survey_draft
from tests.factories import CongressFactory, ParticipantFactory
from tests.helpers import nb, queries_of_page
from tests.surveys.factories import ChoiceFactory, EventFactory, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


@pytest.fixture
def survey():
    """Open since yesterday, until ten days from now."""
    return SurveyFactory(
        congress=CongressFactory(),
        opens_at=timezone.now() - datetime.timedelta(days=1),
        closes_on=_today() + datetime.timedelta(days=10),
        intro="Takk for at du var med.",
    )


@pytest.fixture
def me(survey):
    return ParticipantFactory(congress=survey.congress)


@pytest.fixture
def questions(survey):
    """A required scale, an optional one-choice question, a several-choices one and a free text."""
    scale = QuestionFactory(survey=survey, kind=Question.Kind.SCALE_1_5, required=True, text="Hvor nyttig var uka?")
    one = QuestionFactory(survey=survey, kind=Question.Kind.SINGLE_CHOICE, text="Hvordan reiste du?")
    ChoiceFactory(question=one, text="Fly", text_en="Plane")
    ChoiceFactory(question=one, text="Tog", text_en="Train")
    several = QuestionFactory(survey=survey, kind=Question.Kind.MULTIPLE_CHOICE, text="Hva var best?")
    ChoiceFactory.create_batch(3, question=several)
    text = QuestionFactory(survey=survey, kind=Question.Kind.FREE_TEXT, text="Hva kan bli bedre?")
    return scale, one, several, text


def _url(token, name="form"):
    return reverse(f"surveys_portal:{name}", args=[token])


def _choices(question):
    return list(question.choices.values_list("pk", flat=True))


def _body(response):
    return html.unescape(response.content.decode())


def _field_error(body, question):
    """The message shown by the question (its error list), or None."""
    found = re.search(rf'<ul class="errorlist" id="id_{question_field(question)}_error">(.*?)</ul>', body, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else None


def _checked(body, question, value):
    """Whether the radio button or checkbox of ``value`` is ticked on the page."""
    name = question_field(question)
    tag = re.search(rf'<input type="(?:radio|checkbox)" name="{name}" value="{value}"[^>]*>', body)
    assert tag, f"no input {name}={value}"
    return " checked" in tag.group(0)


def _answers(questions, *, scale=None, one=None, several=(), text=""):
    q_scale, q_one, q_several, q_text = questions
    data = {question_field(q_text): text, question_field(q_several): [str(pk) for pk in several]}
    if scale is not None:
        data[question_field(q_scale)] = str(scale)
    if one is not None:
        data[question_field(q_one)] = str(one)
    return data


# --- The form ------------------------------------------------------------------------------------------------------


def test_the_form_shows_every_question_in_the_participants_language(client, survey, me, token, questions):
    body = _body(client.get(_url(token)))

    assert "Evaluering av Landstinget" in body
    assert "Takk for at du var med." in body
    for question in questions:
        assert question.text in body
    assert "Fly" in body and "Tog" in body
    assert nb("Very poor") in body and nb("Very good") in body
    assert body.count(f"({nb('required')})") == 1  # the scale; the others say "optional"
    assert '<textarea name="question_' in body
    assert nb("Save and continue later") in body and nb("Submit answers") in body


def _body_en(client, me, token):
    Participant.objects.filter(pk=me.pk).update(language="en")
    body = _body(client.get(_url(token)))
    Participant.objects.filter(pk=me.pk).update(language="nb")
    return body


def test_in_english_the_questions_choices_and_title_are_english(client, survey, me, token, questions):
    body = _body_en(client, me, token)

    assert "Evaluation of the Landsting" in body
    assert "Plane" in body and "Train" in body and "Fly" not in body
    assert questions[0].text_en in body and questions[0].text not in body
    assert "Very poor" in body and "(required)" in body
    assert "At most 5,000 characters." in body


def test_a_draft_is_saved_and_shown_again_on_the_next_visit(client, survey, me, token, questions):
    _scale, one, several, _text = questions
    data = _answers(questions, one=_choices(one)[1], several=_choices(several)[:2], text="Mer tid til debatt")

    response = client.post(_url(token), {**data, "action": "draft"})

    assert response.status_code == 302
    assert response["Location"].startswith(_url(token) + "?lagret=1")
    assert not Respondent.objects.exists()
    # A new visit with the same link, from another browser: every answer is filled in again.
    client.cookies.clear()
    body = _body(client.get(response["Location"]))
    saved = (
        "Your answers are saved. Come back with the same link to finish, and press “Submit answers” when you are done."
    )
    assert nb(saved) in body
    assert _checked(body, one, _choices(one)[1]) and not _checked(body, one, _choices(one)[0])
    assert _checked(body, several, _choices(several)[0]) and _checked(body, several, _choices(several)[1])
    assert not _checked(body, several, _choices(several)[2])
    assert ">Mer tid til debatt</textarea>" in body


def test_a_malformed_draft_is_refused_by_the_question_and_keeps_the_answers(client, survey, me, token, questions):
    scale, one, _several, _text = questions
    data = _answers(questions, one=_choices(one)[0], text="Gode debatter")
    data[question_field(scale)] = "9"

    response = client.post(_url(token), {**data, "action": "draft"})

    assert response.status_code == 400
    body = _body(response)
    assert _field_error(body, scale) == f"{nb('Error:')} {nb('Choose a value from 1 to 5.')}"
    assert _checked(body, one, _choices(one)[0]) and ">Gode debatter</textarea>" in body
    assert not Draft.objects.exists()


def test_submitting_records_the_answers_once_and_shows_the_thanks(client, survey, me, token, questions):
    scale, _one, _several, _text = questions
    Draft.objects.create(survey=survey, participant=me, answers={question_field(scale): 2})

    response = client.post(_url(token), {**_answers(questions, scale=4, text="Bra"), "action": "submit"})

    assert response.status_code == 302 and response["Location"] == _url(token, "thanks")
    assert Respondent.objects.filter(survey=survey, participant=me).exists()
    assert sorted(Answer.objects.values_list("scale", flat=True), key=str) == [4, None]
    assert not Draft.objects.exists()
    thanks = _body(client.get(_url(token, "thanks")))
    assert nb("Thank you for your answers") in thanks
    # Answered: the form's address says so, and another submission is refused without writing anything.
    again = _body(client.get(_url(token)))
    assert nb("Thank you for your answers") in again and 'name="action"' not in again
    refused = client.post(_url(token), {**_answers(questions, scale=1), "action": "submit"})
    assert refused.status_code == 403
    assert Respondent.objects.count() == 1 and AnswerSet.objects.count() == 1


def test_the_thanks_page_before_answering_leads_to_the_form(client, survey, me, token, questions):
    response = client.get(_url(token, "thanks"))
    assert response.status_code == 302 and response["Location"] == _url(token)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_a_submission_missing_a_required_answer_keeps_every_other_answer(
    client, survey, me, token, questions, language
):
    Participant.objects.filter(pk=me.pk).update(language=language)
    scale, one, several, _text = questions
    data = _answers(questions, one=_choices(one)[1], several=[_choices(several)[2]], text="Æøå – gode møter")

    response = client.post(_url(token), {**data, "action": "submit"})

    assert response.status_code == 400
    body = _body(response)
    message = "This question must be answered." if language == "en" else nb("This question must be answered.")
    error = "Error:" if language == "en" else nb("Error:")
    assert _field_error(body, scale) == f"{error} {message}"
    # The summary at the top links to the question's first button.
    assert re.search(rf'<a href="#id_{question_field(scale)}_0">[^<]*{re.escape(message)}</a>', body)
    # A question that ends in "?" is followed by the message, not by "?:".
    assert scale.text_in(language).endswith("?")
    assert f"{escape(scale.text_in(language))} {message}</a>" in body
    assert _field_error(body, one) is None
    assert _checked(body, one, _choices(one)[1]) and _checked(body, several, _choices(several)[2])
    assert ">Æøå – gode møter</textarea>" in body
    assert not Respondent.objects.exists() and not AnswerSet.objects.exists()


def test_the_background_save_answers_json(client, survey, me, token, questions):
    scale, one, _several, _text = questions

    saved = client.post(_url(token, "draft"), {question_field(one): str(_choices(one)[0])})
    refused = client.post(_url(token, "draft"), {question_field(scale): "7"})

    assert saved.status_code == 200 and saved.json() == {"saved": True}
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == [question_field(scale)]
    assert Draft.objects.get().answers == {question_field(one): _choices(one)[0]}
    assert client.get(_url(token, "draft")).status_code == 405


# --- States in which there is nothing to answer ----------------------------------------------------------------------


def test_before_the_survey_opens_the_page_says_when(client, survey, me, token, questions):
    survey.opens_at = datetime.datetime.combine(
        _today() + datetime.timedelta(days=2), datetime.time(0, 0), tzinfo=timezone.get_current_timezone()
    )
    survey.save()

    response = client.get(_url(token))

    body = _body(response)
    assert response.status_code == 200 and 'name="action"' not in body
    assert str((_today() + datetime.timedelta(days=2)).year) in body
    assert re.search(rf"\b{(_today() + datetime.timedelta(days=2)).day}\.? ", body)
    assert client.post(_url(token), {"action": "draft"}).status_code == 403
    assert client.post(_url(token, "draft"), {}).status_code == 409
    assert not Draft.objects.exists()


def test_after_the_closing_date_the_page_says_it_closed(client, survey, me, token, questions):
    survey.closes_on = _today() - datetime.timedelta(days=1)
    survey.opens_at = timezone.now() - datetime.timedelta(days=20)
    survey.save()

    body = _body(client.get(_url(token)))

    assert 'name="action"' not in body
    closed = _today() - datetime.timedelta(days=1)
    assert str(closed.year) in body and re.search(rf"\b{closed.day}\.? ", body)
    response = client.post(_url(token), {**_answers(questions, scale=3), "action": "submit"})
    assert response.status_code == 403 and not Respondent.objects.exists()


def test_without_a_survey_the_page_says_so_and_the_menu_has_no_item(client, me, token):
    from surveys.models import Survey

    Survey.objects.all().delete()

    body = _body(client.get(_url(token)))

    assert 'name="action"' not in body
    assert nb("There is no evaluation of %(congress)s.") % {"congress": me.congress.name} in body
    home = _body(client.get(reverse("portal:home", args=[token])))
    assert _url(token) not in home


def test_a_withdrawn_participant_has_nothing_to_answer(client, survey, me, token, questions):
    Participant.objects.filter(pk=me.pk).update(status=Participant.Status.WITHDRAWN)

    body = _body(client.get(_url(token)))

    assert 'name="action"' not in body
    assert (
        nb(
            "The evaluation is for those who took part. Your participation has been withdrawn, so there is nothing "
            "for you to answer."
        )
        in body
    )
    assert client.post(_url(token), {**_answers(questions, scale=3), "action": "submit"}).status_code == 403
    assert not Respondent.objects.exists()


def test_a_participant_asked_no_question_is_told_so(client, survey, me, token):
    event = EventFactory(congress=survey.congress, invited_roles=["observer"], registration_required=False)
    QuestionFactory(survey=survey, event=event, required=True)

    response = client.get(_url(token))

    body = _body(response)
    assert response.status_code == 200 and 'name="action"' not in body
    assert nb("There are no questions for you in this evaluation. Thank you all the same.") in body


def test_an_event_question_is_asked_only_of_those_invited_and_names_the_event(client, survey, me, token):
    general = QuestionFactory(survey=survey, text="Generelt spørsmål")
    summit = EventFactory(
        congress=survey.congress,
        title="Toppmøte barn og unge",
        invited_roles=["delegate"],
        registration_required=False,
    )
    about_summit = QuestionFactory(survey=survey, event=summit, text="Hvordan var toppmøtet?")
    observer = ParticipantFactory(congress=survey.congress, role="observer")
    _link, observer_token = personal_link_issue(participant=observer)

    mine = _body(client.get(_url(token)))
    theirs = _body(client.get(_url(observer_token)))

    assert about_summit.text in mine and "Toppmøte barn og unge" in mine
    assert general.text in theirs and about_summit.text not in theirs
    # Not asked, not taken: an answer to it is refused, nothing is saved.
    response = client.post(_url(observer_token), {question_field(about_summit): "5", "action": "draft"})
    assert response.status_code == 302  # the form carries only the observer's own questions
    assert Draft.objects.get(participant=observer).answers == {}


def test_another_congresss_participant_sees_their_own_congress_and_cannot_answer_this_survey(
    client, survey, me, questions
):
    scale, *_rest = questions
    other = ParticipantFactory(congress=CongressFactory())
    _link, other_token = personal_link_issue(participant=other)

    response = client.get(_url(other_token))
    posted = client.post(_url(other_token), {question_field(scale): "5", "action": "submit"})

    assert response.status_code == 200 and scale.text not in _body(response)
    assert posted.status_code == 403
    assert not Respondent.objects.exists() and not AnswerSet.objects.exists() and not Draft.objects.exists()


# --- The portal's menu and home page --------------------------------------------------------------------------------


def test_the_menu_and_the_home_page_lead_to_the_open_survey(client, survey, me, token, questions):
    home = _body(client.get(reverse("portal:home", args=[token])))

    assert home.count(f'href="{_url(token)}"') == 2  # the menu's item and the notice's button
    assert nb("Evaluation") in home and nb("Answer the evaluation") in home
    assert survey.congress.name in home

    client.post(_url(token), {**_answers(questions, scale=5), "action": "submit"})
    home = _body(client.get(reverse("portal:home", args=[token])))
    assert nb("Answer the evaluation") not in home
    assert nb("Thank you for answering the evaluation of %(congress)s.") % {"congress": survey.congress.name} in home


def test_before_the_survey_opens_neither_menu_nor_home_page_mention_it(client, survey, me, token, questions):
    survey.opens_at = timezone.now() + datetime.timedelta(days=1)
    survey.save()

    home = _body(client.get(reverse("portal:home", args=[token])))

    assert _url(token) not in home


def test_the_form_takes_a_bounded_number_of_queries(client, survey, me, token, questions):
    def more_questions():
        for _n in range(10):
            question = QuestionFactory(survey=survey, kind=Question.Kind.MULTIPLE_CHOICE)
            ChoiceFactory.create_batch(4, question=question)
            event = EventFactory(congress=survey.congress, invited_roles=["delegate"], registration_required=False)
            QuestionFactory(survey=survey, event=event)

    client.post(_url(token), {**_answers(questions, scale=3), "action": "draft"})
    more_questions()
    with_events = queries_of_page(client, _url(token))
    more_questions()

    assert queries_of_page(client, _url(token)) == with_events <= 10


def test_the_shared_ballot_page_still_renders_while_the_survey_is_open(client, survey):
    """The hall's ballot page is rendered once for all voters from a stand-in of the participant (``elections.portal.
    ballot_page``): the menu's survey item must not need the real one."""
    from elections.portal.ballot_page import forget_kept_pages
    from elections.services import poll_create_decision, poll_open
    from tests.elections.factories import present_delegates

    forget_kept_pages()
    voter = present_delegates(survey.congress, 1)[0]
    _link, voter_token = personal_link_issue(participant=voter)
    poll = poll_open(poll=poll_create_decision(congress=survey.congress, title="Kontingent 2029"), user=None)
    try:
        response = client.get(reverse("elections_portal:ballot", args=[voter_token, poll.pk]))
    finally:
        forget_kept_pages()

    assert response.status_code == 200
    assert "Kontingent 2029" in _body(response)


def test_the_answers_of_a_refused_submission_are_kept_as_the_draft(client, survey, me, token, questions):
    """Without JavaScript nothing else would keep them: a participant who leaves the refused page finds them again."""
    _scale, one, _several, _text = questions

    refused = client.post(_url(token), {**_answers(questions, one=_choices(one)[1], text="Bra"), "action": "submit"})

    assert refused.status_code == 400
    assert survey_draft(survey, me) == {question_field(one): _choices(one)[1], question_field(_text): "Bra"}


def test_answering_does_not_record_when_the_link_was_opened(client, survey, me, token, questions):
    """Staff see when a link was last opened; on the survey's pages that moment would say when its holder answered."""
    client.get(_url(token))
    client.post(_url(token), {**_answers(questions, scale=4), "action": "submit"})
    client.get(_url(token, "thanks"))

    assert Respondent.objects.filter(participant=me).exists()
    assert list(PersonalLink.objects.filter(participant=me).values_list("first_opened_at", "last_opened_at")) == [
        (None, None)
    ]
