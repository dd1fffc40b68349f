"""The check-in desk in the admin look: badge scans (hand scanner or camera), name search, live counts.

The views only parse the request and call ``delegates.checkin``; ``staff_page`` checks the permission. Every form
is an ordinary POST followed by a redirect, so the desk works without JavaScript; the script on the page only
refreshes the counts and offers the camera where the browser can read QR codes.
"""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agenda.staff import congress_choice
from core.staff import staff_context, staff_page
from delegates.checkin import CheckinResult, checkin_by_id, checkin_scan, checkin_search, presence_counts
from delegates.models import Attendance, Participant

PERMISSION = "delegates.change_participant"
MODE_SESSION_KEY = "checkin_direction"
FEEDBACK_SESSION_KEY = "checkin_feedback"
POLL_SECONDS = 3


def _mode(request: HttpRequest) -> str:
    mode = request.session.get(MODE_SESSION_KEY, Attendance.Direction.IN)
    return mode if mode in Attendance.Direction.values else Attendance.Direction.IN


def _desk_url(request: HttpRequest, **params: str) -> str:
    query = {key: value for key, value in params.items() if value}
    if request.GET.get("congress", "").isdigit():
        query = {"congress": request.GET["congress"], **query}
    url = reverse("delegates_staff:checkin")
    return f"{url}?{urlencode(query)}" if query else url


def _success_feedback(result: CheckinResult) -> dict:
    participant, attendance = result.participant, result.attendance
    time = formats.time_format(timezone.localtime(attendance.at), "H:i")
    arrived = attendance.direction == Attendance.Direction.IN
    if result.recorded:
        outcome = (_("Arrived %(time)s") if arrived else _("Left %(time)s")) % {"time": time}
    else:
        outcome = (
            _("Already registered as arrived at %(time)s; recorded once.")
            if arrived
            else _("Already registered as left at %(time)s; recorded once.")
        ) % {"time": time}
    return {
        "ok": True,
        "direction": attendance.direction,
        "name": participant.full_name,
        "number": participant.number,
        "organisation": str(participant.organisation) if participant.organisation else "",
        "county": participant.county.name if participant.county else "",
        "role": participant.get_role_display(),
        "voting": participant.has_voting_right,
        "outcome": outcome,
    }


def _error_feedback(error: ValidationError) -> dict:
    return {"ok": False, "error": " ".join(str(message) for message in error.messages)}


@staff_page(permission=PERMISSION)
@require_http_methods(["GET", "POST"])
def checkin_desk(request: HttpRequest) -> HttpResponse:
    congresses, congress = congress_choice(request)
    query = request.GET.get("q", "").strip()[:100]

    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "mode":
            direction = request.POST.get("direction", "")
            if direction in Attendance.Direction.values:
                request.session[MODE_SESSION_KEY] = direction
        elif congress is not None and action in ("scan", "record"):
            try:
                if action == "scan":
                    result = checkin_scan(
                        congress=congress,
                        badge_code=request.POST.get("badge_code", ""),
                        direction=_mode(request),
                        user=request.user,
                    )
                else:
                    participant_id = request.POST.get("participant", "")
                    if not participant_id.isdigit():
                        raise ValidationError(_("Choose a participant from the search results."))
                    result = checkin_by_id(
                        congress=congress,
                        participant_id=int(participant_id),
                        direction=request.POST.get("direction", ""),
                        user=request.user,
                    )
            except ValidationError as error:
                request.session[FEEDBACK_SESSION_KEY] = _error_feedback(error)
            else:
                request.session[FEEDBACK_SESSION_KEY] = _success_feedback(result)
        return HttpResponseRedirect(_desk_url(request, q=query))

    mode = _mode(request)
    counts_url = reverse("delegates_staff:checkin_counts")
    if request.GET.get("congress", "").isdigit():
        counts_url += f"?{urlencode({'congress': request.GET['congress']})}"
    context = staff_context(
        request,
        title=_("Check-in desk"),
        subtitle=str(congress) if congress else None,
        opts=Participant._meta,
        congresses=congresses,
        congress=congress,
        mode=mode,
        arrival_mode=mode == Attendance.Direction.IN,
        feedback=request.session.pop(FEEDBACK_SESSION_KEY, None),
        counts=presence_counts(congress=congress) if congress else None,
        counts_url=counts_url,
        poll_ms=POLL_SECONDS * 1000,
        query=query,
        hits=checkin_search(congress=congress, query=query, user=request.user) if congress and query else None,
        desk_url=_desk_url(request, q=query),
        scan_url=_desk_url(request),
    )
    return TemplateResponse(request, "admin/delegates/checkin.html", context)


@staff_page(permission=PERMISSION)
@require_GET
def checkin_counts(request: HttpRequest) -> HttpResponse:
    _congresses, congress = congress_choice(request)
    if congress is None:
        return JsonResponse({"congress": None, "present": 0, "present_voting": 0, "total": 0, "by_role": []})
    counts = presence_counts(congress=congress)
    return JsonResponse({"congress": congress.pk, "at": timezone.now().isoformat(), **counts})
