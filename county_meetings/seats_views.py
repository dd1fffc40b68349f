"""A county meeting's table of representatives per member: compute it (with the drawing of lots for a tie, as the
Landsting's allocation), each member's explanation, an override with a reason, publish it, and its CSV export.

Staff with the view permission on the members' rows (the regional office of the county and the secretariat) read
the table; changing it needs the change permission. A published table is not computed again (the service refuses);
an override after publication needs a reason and is kept in the row's history.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.forms import add_service_errors
from core.spreadsheets import CsvWriter
from core.staff import any_permission, staff_page
from county_meetings.forms import MeetingSeatOverrideForm, MeetingSeatsTieForm
from county_meetings.models import CountyMeeting, MeetingSeat
from county_meetings.selectors import meeting_seat_table
from county_meetings.services import meeting_seat_override, meeting_seats_compute, meeting_seats_publish
from county_meetings.staff_views import meeting_context, meeting_of
from delegates.services.allocation import TieNotSettled

VIEW_SEATS = any_permission("county_meetings.view_meetingseat", "county_meetings.change_meetingseat")
CHANGE_SEATS = "county_meetings.change_meetingseat"


def _tie_session_key(meeting: CountyMeeting) -> str:
    return f"county-meeting-tie-{meeting.pk}"


@staff_page(permission=VIEW_SEATS)
def seats(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_of(request, pk)
    can_change = request.user.has_perm(CHANGE_SEATS)
    tie_form = None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if "publish" in request.POST:
            try:
                meeting_seats_publish(meeting=meeting, user=request.user)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The table has been published."))
            return redirect("county_meetings_staff:seats", pk=meeting.pk)
        tie_form, done = _compute(request, meeting)
        if done:
            return redirect("county_meetings_staff:seats", pk=meeting.pk)
    context = meeting_context(
        request,
        meeting,
        title=_("Representatives per member"),
        step="seats",
        table=meeting_seat_table(meeting),
        tie_form=tie_form,
        can_change=can_change,
    )
    return TemplateResponse(request, "admin/county_meetings/seats.html", context)


def _compute(request: HttpRequest, meeting: CountyMeeting) -> tuple[MeetingSeatsTieForm | None, bool]:
    winners: list[str] = []
    record = ""
    if "settle_tie" in request.POST:
        pending = request.session.get(_tie_session_key(meeting))
        if pending:
            form = MeetingSeatsTieForm(request.POST, candidates=pending["candidates"], seats=pending["seats"])
            if not form.is_valid():
                return form, False
            winners, record = form.cleaned_data["winners"], form.cleaned_data["record"]
    try:
        meeting_seats_compute(meeting=meeting, user=request.user, lot_winners=winners, lot_record=record)
    except TieNotSettled as tie:
        request.session[_tie_session_key(meeting)] = {"candidates": tie.names, "seats": tie.tie.seats}
        messages.warning(request, str(tie))
        return MeetingSeatsTieForm(candidates=tie.names, seats=tie.tie.seats), False
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return None, False
    request.session.pop(_tie_session_key(meeting), None)
    messages.success(request, _("The table has been computed."))
    return None, True


@staff_page(permission=CHANGE_SEATS)
def seat_override(request: HttpRequest, pk: int, seat_pk: int) -> HttpResponse:
    meeting = meeting_of(request, pk)
    row = get_object_or_404(MeetingSeat.objects.select_related("organisation"), meeting=meeting, pk=seat_pk)
    initial = {"override_seats": row.override_seats, "override_reason": row.override_reason}
    form = MeetingSeatOverrideForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_seat_override(
                row=row,
                seats=form.cleaned_data["override_seats"],
                reason=form.cleaned_data["override_reason"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The number of representatives of %(member)s has been saved.") % {"member": row.organisation}
            )
            return redirect("county_meetings_staff:seats", pk=meeting.pk)
    context = meeting_context(
        request,
        meeting,
        title=_("Override: %(member)s") % {"member": row.organisation.name},
        row=row,
        form=form,
        step="seats",
        history=row.history.select_related("history_user").order_by("-history_date")[:20],
    )
    return TemplateResponse(request, "admin/county_meetings/seat_override.html", context)


@staff_page(permission=VIEW_SEATS)
def seats_csv(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_of(request, pk)
    table = meeting_seat_table(meeting)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"representatives-{slugify(meeting.county.name)}-{meeting.election_year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # lets spreadsheet programs recognise UTF-8 (æ, ø, å)
    writer = CsvWriter(response)  # formulas escaped: an override reason is free text
    writer.writerow(
        [
            _("number"),
            _("member"),
            _("population"),
            _("computed representatives"),
            _("of which by lot"),
            _("override"),
            _("reason for the override"),
            _("representatives"),
            _("explanation"),
        ]
    )
    for row in table.rows:
        seat = row.seat
        writer.writerow(
            [
                seat.organisation.number,
                seat.organisation.name,
                "" if row.fixed or seat.population is None else seat.population,
                seat.computed_seats,
                seat.seats_by_lot,
                "" if seat.override_seats is None else seat.override_seats,
                seat.override_reason if seat.override_seats is not None else "",
                seat.final_seats,
                row.explanation,
            ]
        )
    writer.writerow(["", _("Total"), table.population, table.computed_seats, "", "", "", table.final_seats, ""])
    return response
