"""The survey's results page and the CSV of the anonymous answers (surveys/results_views.py): who may see what, the
minimum, the links, and a number of queries that does not grow with the answers."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.groups import REGIONAL_OFFICE_GROUP, SECRETARIAT_GROUP, staff_groups_ensure
from surveys.models import Question
from surveys.results import RESULTS_PERMISSION
from tests.factories import (
    CongressFactory,
    CountyFactory,
    ParticipantFactory,
    RegionalOfficeFactory,
    StaffUserFactory,
    regional_staff_user,
)
from tests.surveys.factories import ChoiceFactory, QuestionFactory, SurveyFactory, answered

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "client_prefers_english")]

URL = reverse("surveys_staff:results")


def _congress(name, year):
    return CongressFactory(
        name=name,
        year=year,
        first_day=datetime.date(year, 2, 1),
        last_day=datetime.date(year, 2, 2),
        registration_deadline=datetime.date(year, 1, 15),
    )


@pytest.fixture
def offices():
    return RegionalOfficeFactory(name="KS Vest"), RegionalOfficeFactory(name="KS Øst")


@pytest.fixture
def counties(offices):
    west, east = offices
    return (
        CountyFactory(number="46", name="Vestland", regional_office=west),
        CountyFactory(number="32", name="Akershus", regional_office=east),
    )


@pytest.fixture
def survey():
    return SurveyFactory(congress=CongressFactory(name="Landstinget 2024"), min_answers_for_free_text=3)


@pytest.fixture
def questions(survey):
    scale = QuestionFactory(survey=survey, kind=Question.Kind.SCALE_1_5, text="Hvor fornøyd var du?", text_en="")
    several = QuestionFactory(survey=survey, kind=Question.Kind.MULTIPLE_CHOICE, text="Hva var best?", text_en="")
    choices = [ChoiceFactory(question=several, text=text, text_en="") for text in ("Debattene", "<b>Maten</b>")]
    text = QuestionFactory(survey=survey, kind=Question.Kind.FREE_TEXT, text="Noe mer?", text_en="")
    return scale, several, choices, text


def _answer(survey, county, questions, n, *, scale=4, words="Fint"):
    scale_q, several, choices, text = questions
    for _ in range(n):
        participant = ParticipantFactory(congress=survey.congress, county=county)
        answered(survey, participant=participant, answers={scale_q: scale, several: choices, text: words})


@pytest.fixture
def answers(survey, counties, questions):
    """Vestland: 3 answer sets (the minimum); Akershus: 2 (below it)."""
    _answer(survey, counties[0], questions, 3, scale=5, words='=HYPERLINK("http://x")')
    _answer(survey, counties[1], questions, 2, scale=2, words="<script>alert(1)</script>")


def test_the_secretariat_sees_the_whole_survey(client, secretariat, survey, answers):
    client.force_login(secretariat)

    response = client.get(URL)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    page = response.content.decode()
    assert "Response rate: All counties" in page
    assert "1. Hvor fornøyd var du?" in page and "Mean 3.8" in page
    assert page.count('class="survey-chart"') == 2  # the scale and the choices; the free text has none
    assert 'role="img"' in page and "On the scale from 1 to 5, 5 answered" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "&lt;b&gt;Maten&lt;/b&gt;" in page and "<b>Maten" not in page
    # Free texts: sorted, and each text once with how many wrote it.
    assert page.count("=HYPERLINK(&quot;http://x&quot;)") == 1 and "(3 times)" in page
    assert reverse("surveys_staff:results_pdf", args=[survey.pk]) in page
    assert reverse("surveys_staff:answers_csv", args=[survey.pk]) in page


def test_a_county_below_the_minimum_shows_the_rate_and_says_why(client, secretariat, survey, counties, answers):
    client.force_login(secretariat)

    response = client.get(URL, {"county": counties[1].pk})

    page = response.content.decode()
    assert "Response rate: Akershus" in page
    assert 'id="results-below-minimum"' in page and "2 have answered in this selection" in page
    assert "survey-chart" not in page and "Hvor fornøyd" not in page
    pdf = reverse("surveys_staff:results_pdf", args=[survey.pk])
    assert f"{pdf}?county={counties[1].pk}" in page


def test_a_regional_office_sees_its_counties_and_not_anothers(client, survey, counties, offices, answers):
    east = regional_staff_user(offices[1])
    client.force_login(east)

    page = client.get(URL).content.decode()
    assert "Your counties (KS Øst)" in page
    assert "Vestland" not in page
    assert 'id="results-below-minimum"' in page  # Akershus's 2 answers are below the minimum of 3

    assert client.get(URL, {"county": counties[0].pk}).status_code == 404
    csv_url = reverse("surveys_staff:answers_csv", args=[survey.pk])
    assert client.get(csv_url, {"county": counties[0].pk}).status_code == 404


def test_the_congress_picker_offers_congresses_with_a_survey(client, secretariat, survey, answers):
    without = _congress("Landstinget 2028", 2028)
    client.force_login(secretariat)

    page = client.get(URL).content.decode()

    assert "Landstinget 2028" not in page
    assert client.get(URL, {"congress": without.pk}).status_code == 404


def test_no_survey_yet(client, secretariat):
    client.force_login(secretariat)
    assert "No congress has a survey yet." in client.get(URL).content.decode()


def test_the_permission_is_the_secretariats_and_the_regional_offices(client, survey):
    staff_groups_ensure()
    from django.contrib.auth.models import Group

    codename = RESULTS_PERMISSION.split(".")[1]
    for group in (SECRETARIAT_GROUP, REGIONAL_OFFICE_GROUP):
        assert Group.objects.get(name=group).permissions.filter(codename=codename).exists()
    client.force_login(StaffUserFactory())
    assert client.get(URL).status_code == 403
    assert client.get(reverse("surveys_staff:answers_csv", args=[survey.pk])).status_code == 403


# --- The CSV ---------------------------------------------------------------------------------------------------------


def _rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="survey-answers-landstinget-2024')
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=_delimiter(response)))


def _delimiter(response):
    first = response.content.decode("utf-8-sig").splitlines()[0]
    return ";" if first.count(";") > first.count(",") else ","


def test_the_csv_has_the_answers_of_the_scope_with_formulas_defused(client, secretariat, survey, counties, answers):
    client.force_login(secretariat)

    rows = _rows(client.get(reverse("surveys_staff:answers_csv", args=[survey.pk])))

    assert rows[0] == ["Answer set", "1. Hvor fornøyd var du?", "2. Hva var best?", "3. Noe mer?"]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4", "5"]
    assert sorted(row[1] for row in rows[1:]) == ["2", "2", "5", "5", "5"]
    assert {row[2] for row in rows[1:]} == {"Debattene; <b>Maten</b>"}
    assert sorted(row[3] for row in rows[1:]).count('\'=HYPERLINK("http://x")') == 3


def test_the_csv_of_a_county_follows_the_minimum(client, secretariat, survey, counties, answers):
    client.force_login(secretariat)
    url = reverse("surveys_staff:answers_csv", args=[survey.pk])

    assert len(_rows(client.get(url, {"county": counties[1].pk}))) == 1  # the header alone: 2 answered, below 3
    # Vestland's 3 would give Akershus's 2 from the whole survey's 5, so they are held back too.
    assert len(_rows(client.get(url, {"county": counties[0].pk}))) == 1
    survey.min_answers_for_free_text = 2
    survey.save()
    assert len(_rows(client.get(url, {"county": counties[0].pk}))) == 1 + 3
    assert len(_rows(client.get(url, {"county": counties[1].pk}))) == 1 + 2


def test_a_regional_office_below_the_minimum_gets_no_rows(client, survey, offices, answers):
    client.force_login(regional_staff_user(offices[1]))

    rows = _rows(client.get(reverse("surveys_staff:answers_csv", args=[survey.pk])))

    assert rows == [["Answer set", "1. Hvor fornøyd var du?", "2. Hva var best?", "3. Noe mer?"]]


# --- Queries -------------------------------------------------------------------------------------------------------


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["secretariat", "regional"])
def test_the_page_and_the_csv_take_as_many_queries_for_many_answers_as_for_few(
    client, secretariat, survey, counties, offices, questions, answers, who
):
    user = secretariat if who == "secretariat" else regional_staff_user(offices[1])
    client.force_login(user)
    earlier = SurveyFactory(
        congress=_congress("Landstinget 2022", 2022),
        closes_on=datetime.date(2022, 3, 1),
    )
    old = QuestionFactory(survey=earlier, kind=Question.Kind.SCALE_1_5, text="Hvor fornøyd var du?", text_en="")
    answered(earlier, answers={old: 3})
    csv_url = reverse("surveys_staff:answers_csv", args=[survey.pk])
    _answer(survey, counties[1], questions, 1)  # Akershus at the minimum: the regional office sees its answers
    few = (_queries(client, URL), _queries(client, csv_url))

    _answer(survey, counties[0], questions, 10)
    _answer(survey, counties[1], questions, 10)
    answered(earlier, answers={old: 5})
    many = (_queries(client, URL), _queries(client, csv_url))

    assert many == few
    assert few[0] <= 20 and few[1] <= 15


def test_the_admin_links_to_the_results(client, secretariat, survey, offices):
    client.force_login(secretariat)
    change = client.get(reverse("admin:surveys_survey_change", args=[survey.pk])).content.decode()
    assert f"{URL}?congress={survey.congress_id}" in change

    client.force_login(regional_staff_user(offices[0]))
    assert URL in client.get(reverse("admin:index")).content.decode()
