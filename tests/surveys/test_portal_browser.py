"""Issue 17, "How it is checked" (Playwright), in Debian's Chromium: a participant on a 390 px phone answers half the
evaluation, leaves, comes back with the same link, finds the answers, finishes, submits, and cannot answer again.
Every survey page passes axe-core (WCAG 2.1 AA) and nothing scrolls sideways: the form, the form with errors, the
thanks, the closed and the not-yet-open pages, and the portal's home page with the survey's notice."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from delegates.services.links import personal_link_issue
from surveys.models import Draft, Question, Respondent
from surveys.services import question_field
from tests.accessibility import assert_no_axe_violations
from tests.conftest import BROWSER_LOCALE
from tests.factories import CongressFactory, ParticipantFactory
from tests.helpers import assert_no_horizontal_scroll, nb
from tests.surveys.factories import ChoiceFactory, EventFactory, QuestionFactory, SurveyFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}


@pytest.fixture
def phones(browser):
    contexts = []

    def open_phone():
        context = browser.new_context(locale=BROWSER_LOCALE, **PHONE)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context, context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def assert_page_is_fine(page) -> None:
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)


def _option(page, question, index):
    """The radio button or checkbox ``index`` (from 0) of a question, by its label."""
    return page.locator(f"#id_{question_field(question)}_{index}")


def _tap(page, question, index):
    page.locator(f"label[for=id_{question_field(question)}_{index}]").click()


@pytest.fixture
def survey():
    congress = CongressFactory(name="Landstinget 2028")
    return SurveyFactory(
        congress=congress,
        title="Evaluering av Landstinget 2028",
        intro="Svarene dine kan ikke spores tilbake til deg.",
        opens_at=timezone.now() - datetime.timedelta(hours=2),
        closes_on=timezone.localdate() + datetime.timedelta(days=14),
    )


def test_answer_half_leave_come_back_finish_and_not_again(live_server, phones, survey):
    summit = EventFactory(
        congress=survey.congress,
        title="Kommunalpolitisk toppmøte",
        invited_roles=["delegate"],
        registration_required=False,
    )
    useful = QuestionFactory(survey=survey, kind=Question.Kind.SCALE_1_5, required=True, text="Hvor nyttig var uka?")
    travel = QuestionFactory(survey=survey, kind=Question.Kind.SINGLE_CHOICE, text="Hvordan reiste du?")
    for text in ("Fly", "Tog", "Bil"):
        ChoiceFactory(question=travel, text=text)
    best = QuestionFactory(survey=survey, kind=Question.Kind.MULTIPLE_CHOICE, text="Hva likte du best?")
    for text in ("Debattene", "Komitéarbeidet", "Maten"):
        ChoiceFactory(question=best, text=text)
    summit_rating = QuestionFactory(
        survey=survey, kind=Question.Kind.SCALE_1_5, required=True, event=summit, text="Hvordan var toppmøtet?"
    )
    QuestionFactory(survey=survey, kind=Question.Kind.FREE_TEXT, text="Hva kan bli bedre?")
    me = ParticipantFactory(congress=survey.congress, first_name="Åshild")
    url = live_server.url + reverse("surveys_portal:form", args=[personal_link_issue(participant=me)[1]])
    home = url.replace("evaluering/", "")

    # The home page says the evaluation is open, and leads to it.
    _context, page = phones()
    page.goto(home)
    notice = page.locator(".survey-notice")
    expect(notice).to_contain_text("Landstinget 2028")
    assert_page_is_fine(page)
    notice.get_by_role("link", name=nb("Answer the evaluation")).click()
    expect(page).to_have_url(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluering av Landstinget 2028")
    expect(page.locator(".survey-event")).to_contain_text("Kommunalpolitisk toppmøte")
    assert_page_is_fine(page)

    # Half: the scale, the journey and one thing liked; each saved in the background as it is given.
    _tap(page, useful, 3)
    _tap(page, travel, 1)
    _tap(page, best, 0)
    page.get_by_label("Hva kan bli bedre?").fill("Lengre pauser, takk – og mer tid til æøå.")
    status = page.locator("#survey-autosave")
    expect(status).to_have_attribute("data-state", "saved")
    expect(status).to_have_text(nb("Saved"))
    page.context.close()  # leaves without pressing a button

    # Back with the same link, in a fresh browser: every answer is there.
    _context, page = phones()
    page.goto(url)
    expect(_option(page, useful, 3)).to_be_checked()
    expect(_option(page, travel, 1)).to_be_checked()
    expect(_option(page, best, 0)).to_be_checked()
    expect(_option(page, best, 1)).not_to_be_checked()
    expect(page.get_by_label("Hva kan bli bedre?")).to_have_value("Lengre pauser, takk – og mer tid til æøå.")

    # Submitting without the summit's required rating: refused by that question, nothing else lost.
    page.get_by_role("button", name=nb("Submit answers")).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(page.locator(f"#id_{question_field(summit_rating)}_error")).to_contain_text(
        nb("This question must be answered.")
    )
    expect(_option(page, useful, 3)).to_be_checked()
    expect(_option(page, travel, 1)).to_be_checked()
    expect(page.get_by_label("Hva kan bli bedre?")).to_have_value("Lengre pauser, takk – og mer tid til æøå.")
    assert_page_is_fine(page)
    summary.get_by_role("link").click()
    expect(_option(page, summit_rating, 0)).to_be_focused()

    # Finish and submit.
    _tap(page, summit_rating, 4)
    _tap(page, best, 1)
    page.get_by_role("button", name=nb("Submit answers")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(nb("Thank you for your answers"))
    assert_page_is_fine(page)
    assert Respondent.objects.filter(participant=me).count() == 1 and not Draft.objects.exists()

    # Not again: the form's address thanks instead, and the home page too.
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(nb("Thank you for your answers"))
    expect(page.get_by_role("button", name=nb("Submit answers"))).to_have_count(0)
    page.goto(home)
    expect(page.locator(".survey-notice")).to_contain_text("Landstinget 2028")
    expect(page.get_by_role("link", name=nb("Answer the evaluation"))).to_have_count(0)


def test_the_closed_and_the_not_yet_open_pages(live_server, phones, survey):
    QuestionFactory(survey=survey, required=True)
    me = ParticipantFactory(congress=survey.congress)
    url = live_server.url + reverse("surveys_portal:form", args=[personal_link_issue(participant=me)[1]])
    _context, page = phones()

    survey.opens_at = timezone.now() + datetime.timedelta(days=3)
    survey.save()
    page.goto(url)
    opens = timezone.localtime(survey.opens_at)
    expect(page.locator(".survey-state")).to_contain_text(f"{opens:%H:%M}")
    expect(page.locator(".survey-state")).to_contain_text(str(opens.year))
    expect(page.get_by_role("button", name=nb("Submit answers"))).to_have_count(0)
    assert_page_is_fine(page)

    survey.opens_at = timezone.now() - datetime.timedelta(days=30)
    survey.closes_on = timezone.localdate() - datetime.timedelta(days=2)
    survey.save()
    page.goto(url)
    expect(page.locator(".survey-state")).to_contain_text(str(survey.closes_on.year))
    expect(page.get_by_role("button", name=nb("Submit answers"))).to_have_count(0)
    assert_page_is_fine(page)
