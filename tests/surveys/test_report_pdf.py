"""The survey's PDF report (issue 17, item 5), read back with pypdf: each question once with its figures and chart,
the free texts only above the minimum, a regional office's counties only, æøå, the request's language; rendered in
under 5 s for a congress-sized survey; refused to those who may not see the results."""

import io
import re
import time
import uuid

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from core.pdf import render_pdf
from delegates.models import Participant
from surveys import charts
from surveys.models import Answer, AnswerSet, Question, Respondent
from surveys.printing import render_report, svg_data_uri
from surveys.results import Bar
from surveys.services import question_field, survey_submit
from tests.factories import (
    CountyFactory,
    ParticipantFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    StaffUserFactory,
    regional_staff_user,
)
from tests.helpers import nb, pdf_text
from tests.surveys.factories import OPEN, ChoiceFactory, EventFactory, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

SCALE_TEXT = "Hvor fornøyd var du med møteledelsen på Lillestrøm?"
ONE_TEXT = "Hvilken dag fikk du mest ut av?"
SEVERAL_TEXT = "Hva bør Landstinget gjøre mer av?"
FREE_TEXT = "Hva bør bli bedre til neste gang? Skriv gjerne åpent."
EVENT_TEXT = "Hvordan var Kommunalpolitisk toppmøte for deg?"

# What each participant answers: scale, one choice (index), several choices (indexes), free text, the event's scale.
IN_VESTLAND = [
    (5, 0, [0, 1], "Mer tid til gruppearbeid i Ålesund-salen", 4),
    (4, 0, [1], "Kaffen var for svak, ærlig talt", 5),
    (4, 1, [0, 2], "Få flere unge på talerstolen", 3),
    (3, 1, [], "Bedre skilting til møterommene", 4),
    (5, 0, [2], "Lengre pauser mellom øktene", 2),
    (2, 2, [0], "Vestlandsfylkene må få mer taletid", None),
]
IN_TRONDELAG = [
    (1, 1, [1], "TRONDELAG-SVAR: for lange innlegg", 5),
    (2, 1, [1, 2], "TRONDELAG-SVAR: dårlig lyd i salen", 4),
    (3, 2, [], "TRONDELAG-SVAR: maten var god", None),
    (4, 0, [0], "TRONDELAG-SVAR: bra debatter", 3),
]


@pytest.fixture
def office():
    return RegionalOfficeFactory(name="KS Vest")


@pytest.fixture
def counties(office):
    vestland = CountyFactory(number="46", name="Vestland", regional_office=office)
    trondelag = CountyFactory(number="50", name="Trøndelag", regional_office=RegionalOfficeFactory(name="KS Midt"))
    return vestland, trondelag


@pytest.fixture
def survey():
    return SurveyFactory(title="Evaluering av Landstinget 2024", title_en="Evaluation of the Landsting 2024")


@pytest.fixture
def questions(survey):
    event = EventFactory(
        congress=survey.congress,
        title="Kommunalpolitisk toppmøte",
        title_en="Local policy summit",
        registration_required=False,
    )
    scale = QuestionFactory(survey=survey, kind=Question.Kind.SCALE_1_5, text=SCALE_TEXT, text_en="How was the chair?")
    one = QuestionFactory(survey=survey, kind=Question.Kind.SINGLE_CHOICE, text=ONE_TEXT, text_en="Which day?")
    for text, text_en in (("Tirsdag", "Tuesday"), ("Onsdag", "Wednesday"), ("Begge dagene like godt", "Both")):
        ChoiceFactory(question=one, text=text, text_en=text_en)
    several = QuestionFactory(survey=survey, kind=Question.Kind.MULTIPLE_CHOICE, text=SEVERAL_TEXT, text_en="More?")
    for text, text_en in (("Politiske debatter", "Debates"), ("Gruppearbeid", "Group work"), ("Pauser", "Breaks")):
        ChoiceFactory(question=several, text=text, text_en=text_en)
    free = QuestionFactory(survey=survey, kind=Question.Kind.FREE_TEXT, text=FREE_TEXT, text_en="What could be better?")
    summit = QuestionFactory(
        survey=survey, kind=Question.Kind.SCALE_1_5, text=EVENT_TEXT, text_en="The summit?", event=event
    )
    return scale, one, several, free, summit


def answer(survey, questions, county, given, *, role=Participant.Role.DELEGATE):
    """A participant of ``county`` who answers ``given`` through the portal's service."""
    scale, one, several, free, summit = questions
    participant = ParticipantFactory(congress=survey.congress, county=county, role=role)
    value, one_index, several_indexes, text, summit_value = given
    one_choices = list(one.choices.values_list("pk", flat=True))
    several_choices = list(several.choices.values_list("pk", flat=True))
    answers = {
        question_field(scale): value,
        question_field(one): one_choices[one_index],
        question_field(several): [several_choices[i] for i in several_indexes],
        question_field(free): text,
    }
    if summit_value is not None:
        answers[question_field(summit)] = summit_value
    survey_submit(survey=survey, participant=participant, answers=answers, now=OPEN)


@pytest.fixture
def answered(survey, questions, counties):
    """Six answers from Vestland (one of them an observer's), four from Trøndelag; two in each county who did not."""
    vestland, trondelag = counties
    for number, given in enumerate(IN_VESTLAND):
        role = Participant.Role.OBSERVER if number == 5 else Participant.Role.DELEGATE
        answer(survey, questions, vestland, given, role=role)
    for given in IN_TRONDELAG:
        answer(survey, questions, trondelag, given)
    ParticipantFactory.create_batch(2, congress=survey.congress, county=vestland)
    ParticipantFactory.create_batch(2, congress=survey.congress, county=trondelag)
    return questions


def report(survey, user, *, county=None, language="nb") -> str:
    pdf, _pages = render_report(survey, user=user, county=county, language=language)
    return pdf_text(pdf)


def between(text: str, start: str, end: str | None = None) -> str:
    """The text after ``start`` and before ``end`` (or to the end): one question's part of the report."""
    after = text.split(start, 1)[1]
    return after.split(end, 1)[0] if end else after


def page_of(pdf: bytes, text: str) -> str:
    """The text of the one page of the PDF that holds ``text``."""
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
    found = [page for page in pages if text in page]
    assert len(found) == 1, text
    return found[0]


def mean(values, language="nb") -> str:
    """The mean of ``values`` as the report writes it (one decimal, halves rounded up, in the language)."""
    with translation.override(language):
        return charts.mean_text(sum(values) / len(values))


def test_each_question_is_printed_once_with_its_number_event_n_and_mean(survey, answered):
    text = report(survey, SecretariatUserFactory())

    for question_text in (SCALE_TEXT, ONE_TEXT, SEVERAL_TEXT, FREE_TEXT, EVENT_TEXT):
        assert text.count(question_text) == 1, question_text
    assert f"1. {SCALE_TEXT}" in text and f"5. {EVENT_TEXT}" in text
    assert "Kommunalpolitisk toppmøte" in text
    everyone = IN_VESTLAND + IN_TRONDELAG
    scale_values = [given[0] for given in everyone]
    summit_values = [given[4] for given in everyone if given[4] is not None]
    assert (mean(scale_values), mean(summit_values)) == ("3,3", "3,8")  # 33 / 10 and 30 / 8, halves rounded up
    scale_part, summit_part = between(text, SCALE_TEXT, ONE_TEXT), between(text, EVENT_TEXT)
    assert f"n = {len(scale_values)}" in scale_part and mean(scale_values) in scale_part
    assert f"n = {len(summit_values)}" in summit_part and mean(summit_values) in summit_part


def test_the_charts_are_vectors_with_the_counts_as_text(survey, answered):
    pdf, _pages = render_report(survey, user=SecretariatUserFactory(), language="nb")
    reader = PdfReader(io.BytesIO(pdf))
    text = pdf_text(pdf)

    for page in reader.pages:  # no bitmap: every chart is drawn as paths and text
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        for name in xobjects:
            assert xobjects[name].get_object().get("/Subtype") != "/Image", name
    everyone = IN_VESTLAND + IN_TRONDELAG
    one_counts = [sum(1 for given in everyone if given[1] == index) for index in range(3)]
    assert one_counts == [4, 4, 2]
    for label in ("Tirsdag", "Onsdag", "Begge dagene like godt", "Politiske debatter", "Gruppearbeid", "Pauser"):
        assert text.count(label) >= 1, label
    # Each chart is a drawing of its own (a form XObject), whose text pypdf reads after the page's: the bars' texts of
    # a chart come together, in the chart's order, on the page of its question.
    scale_values = [given[0] for given in everyone]
    scale_bars = [Bar(label=str(v), count=scale_values.count(v), share=scale_values.count(v) / 10) for v in range(1, 6)]
    assert [bar.count for bar in scale_bars] == [1, 2, 2, 3, 2]
    one_bars = [Bar(label="", count=count, share=count / 10) for count in one_counts]
    several_counts = [sum(1 for given in everyone if index in given[2]) for index in range(3)]
    several_n = sum(1 for given in everyone if given[2])
    several_bars = [Bar(label="", count=count, share=count / several_n) for count in several_counts]
    assert (several_counts, several_n) == ([4, 4, 3], 8)
    with translation.override("nb"):
        expected = {
            SCALE_TEXT: " ".join(charts.bar_text(bar) for bar in scale_bars)
            + f" {nb('Mean %(mean)s') % {'mean': '3,3'}}",
            ONE_TEXT: " ".join(charts.bar_text(bar) for bar in one_bars),
            SEVERAL_TEXT: " ".join(charts.bar_text(bar) for bar in several_bars),
        }
    for question_text, bars in expected.items():
        assert bars in page_of(pdf, question_text), question_text


def test_a_chart_as_a_data_uri_is_drawn_by_the_pdf_renderer_which_refuses_external_images():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" viewBox="0 0 200 40">'
        '<rect width="120" height="20" fill="#006b73"/><text x="2" y="35">Søyle æøå 17</text></svg>'
    )
    html = (
        f'<html><body><img src="{svg_data_uri(svg)}" alt="NOT DRAWN">'
        '<img src="https://example.com/chart.svg" alt="REFUSED"></body></html>'
    )

    text = pdf_text(render_pdf(html))

    assert "Søyle æøå 17" in text and "NOT DRAWN" not in text  # drawn, its text kept as text
    assert "REFUSED" in text  # WeasyPrint prints an image's alt text when it was not loaded


def test_the_free_texts_with_aeoeaa_come_through_sorted(survey, answered):
    text = report(survey, SecretariatUserFactory())

    texts = [given[3] for given in IN_VESTLAND + IN_TRONDELAG]
    for free_text in texts:
        assert text.count(free_text) == 1, free_text
    positions = [text.index(free_text) for free_text in sorted(texts, key=lambda t: (t.casefold(), t))]
    assert positions == sorted(positions)
    assert "Ålesund-salen" in text and "ærlig" in text


def test_the_very_same_free_text_is_printed_once_with_how_many_wrote_it(survey, questions, counties):
    vestland, _trondelag = counties
    same = "Godt arrangert, tusen takk!"
    for given in [*IN_VESTLAND[:3], *([(4, 0, [], same, None)] * 3)]:
        answer(survey, questions, vestland, given)

    text = report(survey, SecretariatUserFactory(), language="en")

    assert text.count(same) == 1
    assert f"{same} (given 3 times)" in text
    assert f"{IN_VESTLAND[0][3]} (given" not in text


def test_a_regional_office_sees_only_its_own_counties_answers(survey, answered, office):
    text = report(survey, regional_staff_user(office))

    assert "TRONDELAG-SVAR" not in text
    assert "Trøndelag" not in text  # nor the other county's response rate
    assert "Vestland" in text
    for given in IN_VESTLAND:
        assert given[3] in text
    scale_values = [given[0] for given in IN_VESTLAND]
    scale_part = between(text, SCALE_TEXT, ONE_TEXT)
    assert f"n = {len(scale_values)}" in scale_part and mean(scale_values) in scale_part


def test_below_the_minimum_a_county_shows_only_its_response_rate(survey, answered, counties):
    _vestland, trondelag = counties
    text = report(survey, SecretariatUserFactory(), county=trondelag)

    assert "TRONDELAG-SVAR" not in text
    for question_text in (SCALE_TEXT, ONE_TEXT, FREE_TEXT):
        assert question_text not in text
    assert nb("%(answered)s of %(asked)s answered") % {"answered": 4, "asked": 6} in text
    assert re.search(r"Trøndelag 4 6 67 ?%", text)


def test_below_the_minimum_the_whole_survey_prints_its_response_rate_alone(survey, questions, counties):
    vestland, _trondelag = counties
    for given in IN_VESTLAND[:4]:
        answer(survey, questions, vestland, given)

    text = report(survey, SecretariatUserFactory())

    # Below the minimum the whole survey, too, prints the response rate alone.
    assert SCALE_TEXT not in text and FREE_TEXT not in text
    for given in IN_VESTLAND[:4]:
        assert given[3] not in text
    assert nb("%(answered)s of %(asked)s answered") % {"answered": 4, "asked": 4} in text


def test_the_free_texts_are_printed_at_the_minimum(survey, questions, counties):
    vestland, _trondelag = counties
    for given in IN_VESTLAND[:5]:
        answer(survey, questions, vestland, given)

    text = report(survey, SecretariatUserFactory(), county=vestland)

    for given in IN_VESTLAND[:5]:
        assert given[3] in text


def test_the_response_rate_is_printed_overall_per_county_and_per_role(survey, answered):
    text = report(survey, SecretariatUserFactory(), language="en")

    assert re.search(r"71 ?% \(10 of 14 answered\)", text)
    assert re.search(r"Vestland 6 8 75 ?%", text)
    assert re.search(r"Trøndelag 4 6 67 ?%", text)
    assert re.search(r"Observer 1 1 100 ?%", text)
    assert re.search(r"Delegate 9 13 69 ?%", text)


def test_the_report_is_in_english_on_request(survey, answered):
    text = report(survey, SecretariatUserFactory(), language="en")

    assert "SURVEY REPORT" in text and "Evaluation of the Landsting 2024" in text
    assert "How was the chair?" in text and SCALE_TEXT not in text
    assert "Tuesday" in text and "Local policy summit" in text
    assert "3.3" in text


# --- The page ----------------------------------------------------------------------------------------------------


def url(survey, **params):
    base = reverse("surveys_staff:results_pdf", args=[survey.pk])
    return base + ("?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else "")


def test_the_secretariat_gets_the_report_inline_and_never_cached(client, survey, answered):
    client.force_login(SecretariatUserFactory())

    response = client.get(url(survey))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert nb("Survey report").upper() in text and SCALE_TEXT in text  # bokmål by default


def test_the_report_follows_the_requests_language(client, client_prefers_english, survey, answered):
    client.force_login(SecretariatUserFactory())

    text = pdf_text(client.get(url(survey)).content)

    assert "SURVEY REPORT" in text and "How was the chair?" in text


def test_a_regional_office_gets_its_own_county_and_not_another(client, survey, answered, counties, office):
    vestland, trondelag = counties
    client.force_login(regional_staff_user(office))

    response = client.get(url(survey, county=vestland.pk))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert IN_VESTLAND[0][3] in text and "TRONDELAG-SVAR" not in text

    assert client.get(url(survey, county=trondelag.pk)).status_code == 404
    assert client.get(url(survey, county="x")).status_code == 404


def test_anonymous_visitors_and_staff_without_the_permission_are_refused(client, survey, answered):
    response = client.get(url(survey))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    client.force_login(StaffUserFactory())
    assert client.get(url(survey)).status_code == 403


def test_an_unknown_survey_is_not_found(client, survey):
    client.force_login(SecretariatUserFactory())

    assert client.get(reverse("surveys_staff:results_pdf", args=[survey.pk + 1000])).status_code == 404


# --- Time ---------------------------------------------------------------------------------------------------------

QUESTIONS = 10
ANSWER_SETS = 150


def congress_sized_survey():
    """A survey of 10 questions (4 scales, 3 one-choice, 1 several-choices, 2 free texts) with 150 sets of answers
    from 15 counties, written straight into the tables (the portal's service rewrites every set per submission)."""
    survey = SurveyFactory()
    counties = [CountyFactory(number=f"{60 + i}", name=f"Fylke {i} Øst") for i in range(15)]
    kinds = [Question.Kind.SCALE_1_5] * 4 + [Question.Kind.SINGLE_CHOICE] * 3 + [Question.Kind.MULTIPLE_CHOICE]
    kinds += [Question.Kind.FREE_TEXT] * 2
    questions = []
    for number, kind in enumerate(kinds):
        question = QuestionFactory(survey=survey, kind=kind, text=f"Spørsmål nummer {number + 1} om året som gikk?")
        if question.has_choices:
            for choice in range(4):
                ChoiceFactory(question=question, text=f"Svaralternativ {choice + 1} for spørsmål {number + 1}")
        questions.append(question)
    choices = {question.pk: list(question.choices.values_list("pk", flat=True)) for question in questions}
    sets = AnswerSet.objects.bulk_create(
        AnswerSet(id=uuid.uuid4(), survey=survey, county=counties[i % len(counties)]) for i in range(ANSWER_SETS)
    )
    rows = []
    for i, answer_set in enumerate(sets):
        for question in questions:
            if question.kind == Question.Kind.SCALE_1_5:
                rows.append(Answer(answer_set=answer_set, question=question, scale=1 + (i * 7 + question.pk) % 5))
            elif question.kind == Question.Kind.FREE_TEXT:
                if i % 2:
                    rows.append(
                        Answer(
                            answer_set=answer_set,
                            question=question,
                            text=f"Tilbakemelding {i}: bra møte, men for lite tid til å snakke med andre fra regionen",
                        )
                    )
            else:
                picked = (
                    choices[question.pk][i % 4 :: 3]
                    if question.kind == Question.Kind.MULTIPLE_CHOICE
                    else [choices[question.pk][(i + question.pk) % 4]]
                )
                rows.append(Answer(answer_set=answer_set, question=question, choices=picked))
    Answer.objects.bulk_create(rows)
    for i in range(ANSWER_SETS + 50):
        participant = ParticipantFactory(congress=survey.congress, county=counties[i % len(counties)])
        if i < ANSWER_SETS:
            Respondent.objects.create(survey=survey, participant=participant)
    return survey


def test_a_congress_sized_report_renders_in_under_5_seconds():
    survey = congress_sized_survey()
    user = SecretariatUserFactory()
    render_pdf("<p>…</p>")  # WeasyPrint and its fonts are loaded once per process, as in a running web server
    from surveys import charts  # noqa: F401 - and matplotlib

    start = time.process_time()
    wall = time.perf_counter()
    pdf, pages = render_report(survey, user=user, language="nb")
    elapsed, wall = time.process_time() - start, time.perf_counter() - wall

    # CPU time, as for the minutes: rendering is single-threaded, and the test machine's wall clock counts the other
    # test workers too.
    assert elapsed < 5, f"the report took {elapsed:.1f} s of CPU time ({wall:.1f} s wall clock)"
    text = pdf_text(pdf)
    for number in range(1, QUESTIONS + 1):
        assert text.count(f"Spørsmål nummer {number} om året som gikk?") == 1
    assert f"n = {ANSWER_SETS}" in text
    assert pages >= 3
