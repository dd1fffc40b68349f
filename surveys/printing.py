"""The survey's PDF report (issue 17, item 5): the results page on paper.

:func:`render_report` prints, in ``language`` (default: the active language) and Europe/Oslo time, what
``surveys.results.survey_results`` gives the user within the same scope (the whole survey or one county for the
secretariat, a regional office's own counties or one of them; nothing but the response rate below the minimum):

1. a title block: the survey, its congress and the congress's days, when the survey was open, the scope, how many sets
   of answers it holds, the response rate overall and as tables per county and per role;
2. each question once, in the survey's order: its number and text, the event it was asked about, its chart, n and the
   mean, the earlier congress's figures, and the free texts (only above the survey's minimum, as on the page).

The charts are ``surveys.charts``' SVG drawings, embedded as ``data:`` URIs in ``<img>`` elements: WeasyPrint draws
them as vectors (the text in them stays text), ``core.pdf``'s URL fetcher accepts ``data:`` URLs and nothing
external, and each chart is a document of its own, so the ids matplotlib gives its clip paths cannot collide between
charts (inline ``<svg>`` would also have WeasyPrint parse every ``style`` attribute of the drawing as CSS and warn
about each one). The chart's text alternative is the image's ``alt``.

One HTML document rendered alone with :func:`core.pdf.render_pdf`.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.pdf import OSLO, pdf_language, render_template_pdf
from delegates.models import County
from surveys import charts  # matplotlib itself is imported by the charts' functions only
from surveys.models import Survey
from surveys.results import QuestionResult, RateRow, SurveyResults, survey_results

__all__ = ["REPORT_TEMPLATE", "render_report", "report_context", "svg_data_uri"]

REPORT_TEMPLATE = "surveys/pdf/report.html"


def svg_data_uri(svg: str) -> str:
    """An SVG drawing as a ``data:image/svg+xml;base64,...`` URI for ``<img src>``."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def percent(rate: float | None) -> str:
    """A share from 0 to 1 as a whole percentage, as the charts write it; a dash when nobody was asked."""
    return "–" if rate is None else charts.percent_text(rate)


def mean_text(mean: float | None) -> str:
    """A mean with one decimal in the active language ("3,8" in bokmål), as the charts write it; a dash when nobody
    answered."""
    return "–" if mean is None else charts.mean_text(mean)


@dataclass(frozen=True)
class PrintedRate:
    label: str
    answered: int
    asked: int
    rate: str


@dataclass(frozen=True)
class PrintedText:
    text: str
    times: str  # "(given 3 times)" when several wrote the very same text, else ""


@dataclass(frozen=True)
class PrintedQuestion:
    result: QuestionResult
    chart: str | None  # the chart as a data: URI; None for a free-text question or when nobody answered
    chart_description: str
    mean: str | None  # scales only
    earlier_summary: str  # the earlier congress's figures in a sentence, or ""
    texts: list[PrintedText] | None  # the free texts (None: hidden below the minimum), each different text once


def _rate(row: RateRow) -> PrintedRate:
    return PrintedRate(label=row.label, answered=row.answered, asked=row.asked, rate=percent(row.rate))


def _earlier_summary(result: QuestionResult) -> str:
    earlier = result.earlier
    if earlier is None:
        return ""
    values = {"congress": result.earlier_congress_name or "", "n": earlier.n}
    if result.question.kind == result.question.Kind.SCALE_1_5 and earlier.mean is not None:
        return _("Compared with %(congress)s: mean %(mean)s, n = %(n)s (the lighter bars in the chart).") % {
            **values,
            "mean": mean_text(earlier.mean),
        }
    if result.bars:
        return _("Compared with %(congress)s: n = %(n)s (the lighter bars in the chart).") % values
    return _("Compared with %(congress)s: n = %(n)s.") % values


def _question(result: QuestionResult) -> PrintedQuestion:
    drawn = bool(result.bars) and (result.n > 0 or (result.earlier is not None and result.earlier.n > 0))
    is_scale = result.question.kind == result.question.Kind.SCALE_1_5
    return PrintedQuestion(
        result=result,
        chart=svg_data_uri(charts.question_chart_svg(result)) if drawn else None,
        chart_description=charts.question_chart_description(result) if drawn else "",
        mean=mean_text(result.mean) if is_scale else None,
        earlier_summary=_earlier_summary(result),
        texts=None if (counted := result.texts_counted) is None else _texts(counted),
    )


def _texts(counted: list[tuple[str, int]]) -> list[PrintedText]:
    """The free texts in their (alphabetical) order, the very same text printed once with how many wrote it."""
    printed = []
    for text, count in counted:
        times = ngettext("(given %(count)s time)", "(given %(count)s times)", count) % {"count": count}
        printed.append(PrintedText(text=text, times=times if count > 1 else ""))
    return printed


def _open_period(survey: Survey) -> tuple[datetime.date, datetime.date]:
    return timezone.localtime(survey.opens_at, OSLO).date(), survey.closes_on


def report_context(results: SurveyResults, *, language: str) -> dict:
    """What the report prints, in the active language (see the module's docstring)."""
    survey = results.survey
    opens_on, closes_on = _open_period(survey)
    return {
        "results": results,
        "survey": survey,
        "survey_title": survey.title_in(language),
        "congress": survey.congress,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "rate": _rate(results.rate),
        "rates_by_county": [_rate(row) for row in results.rates_by_county],
        "rates_by_role": [_rate(row) for row in results.rates_by_role],
        "questions": [_question(result) for result in results.questions],
    }


def render_report(
    survey: Survey, *, user, county: County | None = None, language: str | None = None
) -> tuple[bytes, int]:
    """The report of ``survey`` as ``user`` may see it (``county``: one county of the user's) as PDF bytes and the
    number of pages. PermissionDenied as ``survey_results`` raises it."""
    language = pdf_language(language)
    with translation.override(language):
        results = survey_results(survey, user=user, county=county)
        context = report_context(results, language=language)
    return render_template_pdf(REPORT_TEMPLATE, context, language)
