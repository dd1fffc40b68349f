"""The member's report behind its personal link (``/fylkesmote/<secret>/``): the municipality reports the
representatives its council elected, saves a draft, submits, and corrects until the report deadline.

The link is resolved by ``reports.report_link_resolve`` (only the SHA-256 of the secret is stored); a bad, expired or
revoked link gets its own page without any of the report's data. Every response has the portal's headers (no
Referer to other sites, no storing, no indexing). The page follows the browser's language (bokmål by default) and its
language switch, as the site's public pages do: a municipality is not a participant with a language of its own.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from county_meetings.models import MemberReport, ReportedPerson
from county_meetings.portal.forms import ReportForm, deputies_wanted
from county_meetings.reports import (
    ReportLinkProblem,
    report_link_resolve,
    report_municipality_may_change,
    report_save,
    report_seats,
)
from delegates.portal.access import LINK_PROBLEM_STATUS, portal_headers


def _context(report: MemberReport, token: str, **extra) -> dict:
    meeting = report.meeting
    return {
        "report": report,
        "meeting": meeting,
        "congress": meeting.congress,
        "organisation": report.organisation,
        "office": meeting.county.regional_office,
        "token": token,
        "seats": report_seats(report),
        "may_change": _may_change(report),
        **extra,
    }


def _may_change(report: MemberReport) -> bool:
    return report_municipality_may_change(report)


@require_http_methods(["GET", "POST"])
@portal_headers
def report(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = report_link_resolve(token=token)
    except ReportLinkProblem as problem:
        return TemplateResponse(
            request,
            "county_meetings/portal/link_problem.html",
            {"problem": problem.code},
            status=LINK_PROBLEM_STATUS.get(problem.code, 404),
        )
    member_report = link.report
    seats = report_seats(member_report)
    submitted = member_report.status == MemberReport.Status.SUBMITTED
    correcting = request.method == "POST" or request.GET.get("correct") == "1"
    if submitted and not (correcting and _may_change(member_report)):
        return TemplateResponse(
            request,
            "county_meetings/portal/receipt.html",
            _context(
                member_report,
                token,
                people=list(member_report.people.order_by("-role", "rank")),
                just_submitted=request.GET.get("saved") == "submitted",
            ),
        )

    refused = False
    if request.method == "POST":
        form = ReportForm(
            request.POST, request.FILES, seats=seats, deputies=deputies_wanted(member_report, request.POST)
        )
        action = request.POST.get("action", "draft")
        if not _may_change(member_report):
            refused = True
        elif action == "add_deputy":
            pass  # the same answers again, with one more deputy's row; nothing is saved
        elif form.is_valid():
            try:
                report_save(
                    report=member_report,
                    data=form.report_input(),
                    submit=action == "submit",
                    user=None,
                    document=form.cleaned_data.get("decision_document") or None,
                    remove_document=form.cleaned_data.get("remove_document", False),
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                saved = "submitted" if action == "submit" else "draft"
                return redirect(f"{reverse('county_meetings_portal:report', args=[token])}?saved={saved}")
    else:
        form = ReportForm(
            initial=ReportForm.initial_for(member_report),
            seats=seats,
            deputies=deputies_wanted(member_report),
        )
    return TemplateResponse(
        request,
        "county_meetings/portal/report.html",
        _context(
            member_report,
            token,
            form=form,
            refused=refused,
            draft_saved=request.method == "GET" and request.GET.get("saved") == "draft",
            deputy_role=ReportedPerson.Role.DEPUTY,
        ),
    )
