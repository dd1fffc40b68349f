"""The survey's results page in Debian's Chromium at 1280 px: axe finds nothing (the secretariat's view, with a
comparison and free texts), the charts are drawn (no style blocked by the Content-Security-Policy), the figures open
as a table."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from surveys.models import Question
from tests.accessibility import assert_no_axe_violations
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory, SecretariatUserFactory
from tests.helpers import assert_no_horizontal_scroll, sign_in_on_the_form
from tests.surveys.factories import ChoiceFactory, QuestionFactory, SurveyFactory, answered

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]


def _survey_with_answers():
    earlier = SurveyFactory(
        congress=CongressFactory(
            name="Landstinget 2022",
            year=2022,
            first_day=datetime.date(2022, 2, 1),
            last_day=datetime.date(2022, 2, 2),
            registration_deadline=datetime.date(2022, 1, 15),
        ),
        closes_on=datetime.date(2022, 3, 1),
        min_answers_for_free_text=3,  # its four sets are shown beside this survey's
    )
    old_scale = QuestionFactory(survey=earlier, kind=Question.Kind.SCALE_1_5, text="Hvor fornøyd var du?")
    old_one = QuestionFactory(survey=earlier, kind=Question.Kind.SINGLE_CHOICE, text="Kommer du igjen?")
    old_yes = ChoiceFactory(question=old_one, text="Ja")
    for value in (2, 3, 3, 4):
        answered(earlier, answers={old_scale: value, old_one: [old_yes]})

    survey = SurveyFactory(congress=CongressFactory(name="Landstinget 2024"), min_answers_for_free_text=5)
    scale = QuestionFactory(survey=survey, kind=Question.Kind.SCALE_1_5, text="Hvor fornøyd var du?")
    one = QuestionFactory(survey=survey, kind=Question.Kind.SINGLE_CHOICE, text="Kommer du igjen?")
    yes, no = (ChoiceFactory(question=one, text=text) for text in ("Ja", "<i>Nei</i>"))
    text = QuestionFactory(survey=survey, kind=Question.Kind.FREE_TEXT, text="Noe mer?")
    county = CountyFactory(name="Vestland")
    for index, value in enumerate((5, 4, 4, 3, 2, 5)):
        participant = ParticipantFactory(congress=survey.congress, county=county)
        answered(
            survey,
            participant=participant,
            answers={scale: value, one: [yes if index % 2 else no], text: f"Kommentar {index}\nmed to linjer"},
        )
    ParticipantFactory(congress=survey.congress, county=county, role="deputy", deputy_rank=1)
    return survey


def test_the_results_page_passes_axe_at_1280_px(live_server, page):
    _survey_with_answers()
    SecretariatUserFactory(email="sekretariat@ks.no")
    url = live_server.url + reverse("surveys_staff:results")
    sign_in_on_the_form(
        page, f"{live_server.url}{reverse('account_login')}?next={url}", "sekretariat@ks.no", lands_on=url
    )
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.reload()

    charts = page.locator("svg.survey-chart")
    expect(charts).to_have_count(2)
    # The bars are drawn in their colours: the presentation attributes are not blocked as style attributes would be.
    bar_colours = page.eval_on_selector_all(
        "svg.survey-chart path[fill='#1f4e79']", "paths => paths.map(p => getComputedStyle(p).fill)"
    )
    assert bar_colours and set(bar_colours) == {"rgb(31, 78, 121)"}
    box = charts.first.bounding_box()
    assert 500 <= box["width"] <= 700
    expect(page.locator(".free-texts li")).to_have_count(6)
    expect(
        page.get_by_text("Landstinget 2022 (4 answered)").or_(page.get_by_text("Landstinget 2022 (4 svarte)"))
    ).to_have_count(2)  # the legend of both charts
    page.locator("#question-2 summary").click()
    expect(page.locator("#question-2 table")).to_be_visible()
    expect(page.locator("#question-2 table")).to_contain_text("<i>Nei</i>")
    assert blocked == []
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)
