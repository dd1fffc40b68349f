"""The regional office's pages of the members' reports (issue 16, part 3): the overview of one meeting (who has
reported and who has not), sending the links and the reminders (each after a confirmation that lists who gets it),
one report with its decision PDF and its history, and the form to enter or correct a report on a member's behalf
(the municipality's own form class). Another office's meeting, report or file is not found (404)."""

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.downloads import download_name, file_download
from core.staff import any_permission, staff_context, staff_page
from county_meetings.models import CountyMeeting, MemberReport, ReportedPerson
from county_meetings.portal.forms import ReportForm, deputies_wanted
from county_meetings.reports import (
    BY_MUNICIPALITY,
    report_for_member,
    report_links_plan,
    report_links_send,
    report_reminder_plan,
    report_reminders_send,
    report_save,
    report_seats,
)
from county_meetings.selectors import (
    meeting_members,
    meetings_visible_to,
    report_counts,
    report_overview,
    reports_visible_to,
)

VIEW = any_permission("county_meetings.view_memberreport", "county_meetings.change_memberreport")
CHANGE = "county_meetings.change_memberreport"


def _meeting(request: HttpRequest, pk: int) -> CountyMeeting:
    return get_object_or_404(meetings_visible_to(request.user).select_related("county__regional_office"), pk=pk)


def _report(request: HttpRequest, pk: int) -> MemberReport:
    return get_object_or_404(reports_visible_to(request.user), pk=pk)


def _context(request: HttpRequest, *, title: str, meeting: CountyMeeting, **extra) -> dict:
    return staff_context(request, title=title, opts=MemberReport._meta, meeting=meeting, step="reports", **extra)


@staff_page(permission=VIEW)
def reports(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    rows = report_overview(meeting)
    return TemplateResponse(
        request,
        "admin/county_meetings/report_overview.html",
        _context(
            request,
            title=_("Reports of the members: %(meeting)s") % {"meeting": meeting.congress.name},
            meeting=meeting,
            rows=rows,
            counts=report_counts(rows),
            may_change=request.user.has_perm(CHANGE),
        ),
    )


@staff_page(permission=CHANGE)
def reports_send(request: HttpRequest, pk: int) -> HttpResponse:
    """GET lists who gets a link and who cannot; POST sends (a member mailed before gets nothing again)."""
    meeting = _meeting(request, pk)
    if request.method == "POST":
        try:
            result = report_links_send(meeting=meeting, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Links sent to %(count)d members.") % {"count": len(result.sent)})
            for member, reason in result.refused:
                messages.warning(request, _("No link to %(member)s: %(reason)s") % {"member": member, "reason": reason})
        return redirect("county_meetings_staff:reports", meeting.pk)
    plan = report_links_plan(meeting)
    return TemplateResponse(
        request,
        "admin/county_meetings/report_confirm.html",
        _context(
            request,
            title=_("Send the report links: %(meeting)s") % {"meeting": meeting.congress.name},
            meeting=meeting,
            recipients=plan.sent,
            refused=plan.refused,
            unpublished=meeting.seats_published_at is None,
            action="send",
        ),
    )


@staff_page(permission=CHANGE)
def reports_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """GET lists who gets a reminder (and who cannot); POST sends them, once per confirmation page."""
    meeting = _meeting(request, pk)
    if request.method == "POST":
        try:
            reminded, refused = report_reminders_send(
                meeting=meeting, user=request.user, request_id=request.POST.get("request_id", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Reminders sent to %(count)d members.") % {"count": len(reminded)})
            for member, reason in refused:
                messages.warning(
                    request, _("No reminder to %(member)s: %(reason)s") % {"member": member, "reason": reason}
                )
        return redirect("county_meetings_staff:reports", meeting.pk)
    to_remind, refused = report_reminder_plan(meeting)
    return TemplateResponse(
        request,
        "admin/county_meetings/report_confirm.html",
        _context(
            request,
            title=_("Remind the members that have not reported: %(meeting)s") % {"meeting": meeting.congress.name},
            meeting=meeting,
            recipients=[report.organisation for report in to_remind],
            refused=refused,
            unpublished=meeting.seats_published_at is None,
            request_id=secrets.token_urlsafe(16),
            action="remind",
        ),
    )


@staff_page(permission=CHANGE)
@require_POST
def report_enter(request: HttpRequest, pk: int, organisation_pk: int) -> HttpResponse:
    """Start entering the report of a member that has none yet (no link sent), then its form."""
    meeting = _meeting(request, pk)
    member = next((m for m in meeting_members(meeting.county) if m.pk == organisation_pk), None)
    if member is None:
        raise Http404
    try:
        report = report_for_member(meeting=meeting, organisation=member, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("county_meetings_staff:reports", meeting.pk)
    return redirect("county_meetings_staff:report_edit", report.pk)


def _history(report: MemberReport) -> list[dict]:
    """The report's history and its people's, newest first: when, who (a staff user or the municipality), what."""
    entries = []
    records = list(report.history.select_related("history_user").order_by("history_date"))
    previous = None
    for record in records:
        if previous is None:
            changes = [_("Created")]
        else:
            delta = record.diff_against(previous, excluded_fields=["updated_at"])
            changes = [str(MemberReport._meta.get_field(change.field).verbose_name) for change in delta.changes]
        previous = record
        if changes:
            entries.append(
                {
                    "at": record.history_date,
                    "who": record,
                    "what": _("Report: %(fields)s") % {"fields": ", ".join(changes)},
                }
            )
    kinds = {"+": _("added"), "~": _("changed"), "-": _("removed")}
    for record in (
        ReportedPerson.history.filter(report_id=report.pk).select_related("history_user").order_by("history_date")
    ):
        place = (
            _("Representative %(number)d") % {"number": record.rank}
            if record.role == ReportedPerson.Role.REPRESENTATIVE
            else _("Deputy %(number)d") % {"number": record.rank}
        )
        entries.append(
            {
                "at": record.history_date,
                "who": record,
                "what": f"{place} {kinds.get(record.history_type, '')}: {record.first_name} {record.last_name}".strip(),
            }
        )
    for entry in entries:
        record = entry["who"]
        if record.history_user is not None:
            entry["who"] = record.history_user.get_full_name() or record.history_user.email
        elif record.history_change_reason == BY_MUNICIPALITY:
            entry["who"] = _("The municipality, through its link")
        else:
            entry["who"] = _("The system")
    return sorted(entries, key=lambda entry: entry["at"], reverse=True)


@staff_page(permission=VIEW)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    meeting = report.meeting
    return TemplateResponse(
        request,
        "admin/county_meetings/report_detail.html",
        _context(
            request,
            title=_("Report of %(member)s") % {"member": report.organisation.name},
            meeting=meeting,
            report=report,
            seats=report_seats(report),
            people=list(report.people.select_related("participant").order_by("-role", "rank")),
            history=_history(report),
            links=list(report.links.order_by("-created_at")),
            may_change=request.user.has_perm(CHANGE),
        ),
    )


@staff_page(permission=CHANGE)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter or correct a report on the member's behalf: the municipality's form, saved with the staff user's name
    (``entered_by``, the history). Staff may correct after the deadline too."""
    report = _report(request, pk)
    seats = report_seats(report)
    if request.method == "POST":
        form = ReportForm(
            request.POST, request.FILES, seats=seats, deputies=deputies_wanted(report, request.POST), compact=True
        )
        action = request.POST.get("action", "draft")
        if action != "add_deputy" and form.is_valid():
            try:
                report_save(
                    report=report,
                    data=form.report_input(),
                    submit=action == "submit",
                    user=request.user,
                    document=form.cleaned_data.get("decision_document") or None,
                    remove_document=form.cleaned_data.get("remove_document", False),
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("The report is submitted on the member's behalf.")
                    if action == "submit"
                    else _("The draft is saved."),
                )
                return redirect("county_meetings_staff:report", report.pk)
    else:
        form = ReportForm(
            initial=ReportForm.initial_for(report), seats=seats, deputies=deputies_wanted(report), compact=True
        )
    return TemplateResponse(
        request,
        "admin/county_meetings/report_edit.html",
        _context(
            request,
            title=_("Enter the report of %(member)s") % {"member": report.organisation.name},
            meeting=report.meeting,
            report=report,
            form=form,
            seats=seats,
        ),
    )


@staff_page(permission=VIEW)
def report_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The council's decision, for the staff who may see the report: never from a public media URL."""
    report = _report(request, pk)
    title = _("Decision %(member)s") % {"member": report.organisation.name}
    return file_download(report.decision_document, filename=download_name(title, report.decision_document.name))
