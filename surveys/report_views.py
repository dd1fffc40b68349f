"""The survey's PDF report for staff (issue 17, item 5): the results page's figures, charts and free texts on paper.

The same permission and scope as the results page (``surveys.results``): the secretariat sees the whole survey or one
county (``?county=<pk>``), a regional office its own counties or one of them, and a scope below the survey's minimum
of answers shows only the response rate. Printed in the request's language, served inline and never cached through
``core.downloads.pdf_inline``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.downloads import pdf_inline
from core.staff import staff_page
from surveys import results
from surveys.results_views import chosen_county

#: The results page's permission, so that the page and its PDF never differ.
PERMISSION = results.RESULTS_PERMISSION


@staff_page(permission=PERMISSION)
@require_GET
def results_pdf(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The survey's report as an inline PDF, within the user's scope (see the module's docstring)."""
    survey = get_object_or_404(results.surveys_visible_to(request.user), pk=survey_id)
    county = chosen_county(request, request.user)
    from surveys import printing  # WeasyPrint and matplotlib are loaded only where the report is printed

    pdf, _pages = printing.render_report(survey, user=request.user, county=county)
    scope = county.name if county is not None else survey.congress.name
    return pdf_inline(pdf, title=f"{_('survey-report')}-{scope}")
