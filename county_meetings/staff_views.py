"""The county meetings' staff pages: the meetings the user may see, creating one, and one meeting's home with its
settings and its steps (seats → links and reports → composition → elections → transfer).

Who sees which meeting is ``selectors.meetings_visible_to`` (the one scoping rule): another regional office's
meeting is not found (404), on every page of a meeting and its exports.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from committees.models import PoliticalDocument
from core.forms import add_service_errors
from core.staff import any_permission, staff_context, staff_page
from county_meetings.forms import CountyMeetingCreateForm
from county_meetings.models import CountyMeeting
from county_meetings.selectors import meeting_composition, meetings_overview, meetings_visible_to
from county_meetings.services import county_meeting_create

#: Seeing a meeting's pages: the admin's view permission on county meetings (view or change).
VIEW_MEETING = any_permission("county_meetings.view_countymeeting", "county_meetings.change_countymeeting")
#: Creating and running a meeting: the regional offices and the secretariat.
CHANGE_MEETING = "county_meetings.change_countymeeting"


def meeting_of(request: HttpRequest, pk: int) -> CountyMeeting:
    """The meeting ``pk`` if the user may see it, else 404: a guessed id of another office's meeting is not found."""
    return get_object_or_404(
        meetings_visible_to(request.user).select_related("computed_by", "seats_published_by"), pk=pk
    )


def meeting_context(
    request: HttpRequest, meeting: CountyMeeting, *, title: str, subtitle: str | None = "", **context
) -> dict:
    """The context of a page about one meeting: its breadcrumbs and its steps' navigation; the subtitle is the
    meeting's name unless given."""
    return staff_context(
        request,
        title=title,
        subtitle=str(meeting) if subtitle == "" else subtitle,
        opts=CountyMeeting._meta,
        meeting=meeting,
        can_change_meeting=request.user.has_perm(CHANGE_MEETING),
        **context,
    )


@staff_page(permission=VIEW_MEETING)
def meetings(request: HttpRequest) -> HttpResponse:
    context = staff_context(
        request,
        title=_("County meetings"),
        opts=CountyMeeting._meta,
        summaries=meetings_overview(request.user),
        can_create=request.user.has_perm(CHANGE_MEETING),
    )
    return TemplateResponse(request, "admin/county_meetings/meetings.html", context)


@staff_page(permission=CHANGE_MEETING)
def meeting_create(request: HttpRequest) -> HttpResponse:
    form = CountyMeetingCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = county_meeting_create(
                county=data["county"],
                election_year=data["election_year"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                registration_deadline=data["registration_deadline"],
                city=data["city"],
                venue=data["venue"],
                seats=data["seats"],
                min_seats=data["min_seats"],
                county_municipality_seats=data["county_municipality_seats"],
                method=data["method"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The county meeting “%(meeting)s” has been created.") % {"meeting": meeting})
            return redirect("county_meetings_staff:meeting", pk=meeting.pk)
    context = staff_context(request, title=_("Create a county meeting"), opts=CountyMeeting._meta, form=form)
    return TemplateResponse(request, "admin/county_meetings/meeting_create.html", context)


@staff_page(permission=VIEW_MEETING)
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_of(request, pk)
    composition = meeting_composition(meeting)
    context = meeting_context(
        request,
        meeting,
        title=str(meeting),
        subtitle=None,
        step="home",
        composition=composition,
        seat_rows=meeting.member_seats.count(),
        political_document=PoliticalDocument.objects.filter(congress_id=meeting.congress_id).first(),
    )
    return TemplateResponse(request, "admin/county_meetings/meeting.html", context)
