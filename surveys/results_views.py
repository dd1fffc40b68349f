"""The survey's results for staff (issue 17): the results page and the anonymous answers as CSV.

Both need ``results.RESULTS_PERMISSION`` (the secretariat and the regional offices); what each user sees within — the
whole survey or a county for the secretariat, a regional office's own counties or one of them, nothing but the
response rate below the survey's minimum — is decided by ``surveys.results``. The charts are drawn by
``surveys.charts`` (matplotlib, as inline SVG: the same chart as in the PDF report).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agenda.models import Congress
from agenda.selectors import congresses_visible_to
from core.spreadsheets import csv_bytes
from core.staff import staff_context, staff_page
from delegates.models import County
from delegates.selectors import user_sees_all_counties
from surveys import charts
from surveys.models import Survey
from surveys.results import (
    RESULTS_PERMISSION,
    Bar,
    QuestionResult,
    RateRow,
    answers_table,
    results_counties,
    survey_results,
    surveys_visible_to,
)


@dataclass(frozen=True)
class ShownBar:
    label: str
    count: int
    percent: str
    earlier_count: int | None
    earlier_percent: str | None
    earlier_offered: bool


@dataclass(frozen=True)
class ShownQuestion:
    result: QuestionResult
    svg: SafeString
    description: str
    bars: list[ShownBar]
    mean: str | None
    earlier_mean: str | None
    #: The free texts, each once with how many gave it (in the sorted order ``results`` gives them).
    texts: list[tuple[str, int]] | None


@dataclass(frozen=True)
class ShownRate:
    label: str
    answered: int
    asked: int
    percent: str


def _rate(row: RateRow) -> ShownRate:
    percent = "–" if row.rate is None else charts.percent_text(row.rate)
    return ShownRate(label=row.label, answered=row.answered, asked=row.asked, percent=percent)


def _shown_bars(result: QuestionResult) -> list[ShownBar]:
    earlier: list[Bar | None] = list(result.earlier.bars) if result.earlier else [None] * len(result.bars)
    return [
        ShownBar(
            label=bar.label,
            count=bar.count,
            percent=charts.percent_text(bar.share),
            earlier_count=old.count if old and old.offered else None,
            earlier_percent=charts.percent_text(old.share) if old and old.offered else None,
            earlier_offered=bool(old and old.offered),
        )
        for bar, old in zip(result.bars, earlier, strict=True)
    ]


def _shown(result: QuestionResult) -> ShownQuestion:
    earlier = result.earlier
    return ShownQuestion(
        result=result,
        # The chart's text is escaped by the XML serializer that writes it (surveys.charts).
        svg=mark_safe(charts.question_chart_svg(result)),  # noqa: S308
        description=charts.question_chart_description(result),
        bars=_shown_bars(result),
        mean=charts.mean_text(result.mean) if result.mean is not None else None,
        earlier_mean=charts.mean_text(earlier.mean) if earlier is not None and earlier.mean is not None else None,
        texts=result.texts_counted,
    )


def _url(name: str, *args, **params) -> str:
    query = {key: value for key, value in params.items() if value not in (None, "")}
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def chosen_county(request: HttpRequest, user) -> County | None:
    """The ``county`` the query string asks for: one of the user's counties, else 404; None for all of them. The
    results page, its CSV and its PDF report (``report_views``) read it alike."""
    wanted = request.GET.get("county", "")
    if not wanted:
        return None
    if not wanted.isdigit():
        raise Http404(_("Unknown county."))
    county = next((c for c in results_counties(user) if c.pk == int(wanted)), None)
    if county is None:
        raise Http404(_("You cannot see this county's results."))
    return county


def _survey_congresses(user) -> list[Congress]:
    """The congresses with a survey the user may see, newest first."""
    with_survey = Exists(Survey.objects.filter(congress=OuterRef("pk")))
    return list(congresses_visible_to(user).filter(with_survey).order_by("-first_day", "-pk"))


@staff_page(permission=RESULTS_PERMISSION)
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """The results of the chosen congress's survey (the congress picker: those with a survey the user may see)."""
    congresses = _survey_congresses(request.user)
    congress = congresses[0] if congresses else None
    wanted = request.GET.get("congress", "")
    if wanted.isdigit():
        congress = next((c for c in congresses if c.pk == int(wanted)), None)
        if congress is None:
            raise Http404(_("This congress has no survey you can see."))
    county = chosen_county(request, request.user)
    survey = None
    found = None
    questions: list[ShownQuestion] = []
    if congress is not None:
        survey = surveys_visible_to(request.user).get(congress=congress)
        found = survey_results(survey, user=request.user, county=county)
        questions = [_shown(result) for result in found.questions]
    compared_with = sorted(
        {q.result.earlier_congress_name for q in questions if q.result.earlier_congress_name}, key=str
    )
    context = staff_context(
        request,
        title=_("Survey results"),
        subtitle=str(congress) if congress else None,
        opts=Survey._meta,
        congresses=congresses,
        congress=congress,
        survey=survey,
        results=found,
        county=county,
        counties=found.counties if found else [],
        all_counties_label=_("All counties") if user_sees_all_counties(request.user) else _("All your counties"),
        questions=questions,
        rate=_rate(found.rate) if found else None,
        rates_by_county=[_rate(row) for row in found.rates_by_county] if found else [],
        rates_by_role=[_rate(row) for row in found.rates_by_role] if found else [],
        compared_with=compared_with,
        current_url=reverse("surveys_staff:results"),
        pdf_url=_url("surveys_staff:results_pdf", survey.pk, county=county.pk if county else None) if survey else "",
        csv_url=_url("surveys_staff:answers_csv", survey.pk, county=county.pk if county else None) if survey else "",
    )
    return TemplateResponse(request, "surveys/results.html", context)


@staff_page(permission=RESULTS_PERMISSION)
@require_GET
def answers_csv(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The anonymous answers within the user's scope, one row per answer set (``results.answers_table``)."""
    survey = get_object_or_404(surveys_visible_to(request.user), pk=survey_id)
    county = chosen_county(request, request.user)
    table = answers_table(survey, user=request.user, county=county)
    scope = county.name if county else ""
    filename = slugify(f"{_('survey-answers')} {survey.congress.name} {scope}")[:80] or "answers"
    response = HttpResponse(csv_bytes(table.headers, table.rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
