"""The delegate's phone in the hall, behind the personal link: the item before the hall, who speaks with the time
left, the participant's own places on the list of speakers, and one tap to ask for the floor (a speech, a reply while
a speech is in turn, the answer to the replies to their own speech, a point of order) or to withdraw a request.

The page works without JavaScript: every button is a POST form to the page itself, which calls one service and
redirects back with a message (a refusal in the service's words, in the participant's language). With JavaScript,
``static/js/plenary-phone.js`` follows ``floor_state`` (the participant's ``phone_document``, conditional on its
version) through ``hall-feed.js`` and updates the page in place: places, "you are next", the speaker and the clock,
and which buttons are offered. The rules live in ``plenary.services`` and ``plenary.selectors``.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agenda.models import AgendaItem
from delegates.models import PersonalLink
from delegates.portal.access import personal_link_required, portal_context, portal_headers
from plenary import queue, selectors, services
from plenary.http import state_response
from plenary.models import SpeakerRequest
from plenary.portal import floor_state as floor_state_path

Kind = SpeakerRequest.Kind

#: What a phone may ask for, in the order the page offers it.
ASKABLE = (Kind.SPEECH, Kind.REPLY, Kind.ANSWER, Kind.POINT_OF_ORDER)

#: How often the phone asks whether the hall has changed (hall-feed.js).
PHONE_INTERVAL_MS = 2000


def _asked_message(kind: str) -> str:
    return {
        Kind.SPEECH: _("You have asked for the floor for a speech."),
        Kind.REPLY: _("You have asked for a reply."),
        Kind.ANSWER: _("You have asked to answer the replies."),
        Kind.POINT_OF_ORDER: _("You have asked for the floor on a point of order."),
    }[kind]


def _moment(ms: int | None) -> datetime.datetime | None:
    return None if ms is None else datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.UTC)


def _seconds_left(current: dict | None) -> float | None:
    """The time left of the speech in ``current`` (an entry of the document) now, as the page shows it without
    JavaScript: ``None`` without a limit."""
    if not current or current["started_at"] is None:
        return None
    clock = queue.Clock(
        started=_moment(current["started_at"]),
        paused_seconds=current["paused_seconds"],
        paused_since=_moment(current["paused_since"]),
    )
    return clock.left(current["allowed_seconds"], timezone.now())


def clock_text(seconds: float | None) -> str:
    """The clock as ``HallFeed.format`` writes it: "4:05" for 245 s, "+0:12" in overtime."""
    if seconds is None:
        return ""
    overtime = seconds < 0
    whole = int(abs(seconds)) if overtime else int(-(-seconds // 1))
    text = f"{whole // 60}:{whole % 60:02d}"
    return f"+{text}" if overtime else text


def _post(request: HttpRequest, link: PersonalLink) -> None:
    """Ask or withdraw as the form says, and leave a message for the page."""
    participant = link.participant
    try:
        if withdraw := request.POST.get("withdraw"):
            if not withdraw.isdigit():
                raise ValidationError(_("This request for the floor no longer exists."))
            withdrawn = services.speaker_request_withdraw(
                request_id=int(withdraw), congress=participant.congress, participant=participant
            )
            messages.success(
                request,
                _("You have withdrawn your request for the floor (%(kind)s).")
                % {"kind": withdrawn.get_kind_display().lower()},
            )
            return
        kind = request.POST.get("kind", "")
        item_id = request.POST.get("item", "")
        if kind not in ASKABLE:
            raise ValidationError(_("Unknown kind of request."))
        # The item the page showed: if the chair has moved on meanwhile, the service refuses instead of putting the
        # request on another item's list.
        item = (
            AgendaItem.objects.select_related("congress")
            .filter(pk=int(item_id) if item_id.isdigit() else 0, congress_id=participant.congress_id)
            .first()
        )
        if item is None:
            raise ValidationError(_("Requests for the floor are not open on this item now."))
        # The hall's version the page showed (the tag's first part): the same tap sent twice asks once.
        seen = request.POST.get("seen", "").split("-")[0]
        services.speaker_request_add(
            item=item, kind=kind, participant=participant, seen_version=int(seen) if seen.isdigit() else None
        )
        messages.success(request, _asked_message(kind))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))


def floor_notes(document: dict) -> list[str]:
    """Why the buttons not offered are not, each reason once: the speech's, the reply's and the point of order's
    (the answer's only concerns the speaker of the speech in turn, so it is not explained to everyone else), but not
    "already on the list", which the own requests show. Someone who may not ask at all gets the same words for every
    kind: one note. As plenary-phone.js."""
    already = _("Already on the list for this.")  # the own requests say so, with their places
    notes: list[str] = []
    for kind in ("speech", "reply", "point_of_order"):
        may = document["may"][kind]
        if not may["allowed"] and may["why"] and may["why"] != already and may["why"] not in notes:
            notes.append(may["why"])
    return notes


def blocked(document: dict) -> bool:
    """Nothing may be asked for now: the reason is then the page's main message."""
    return not any(may["allowed"] for may in document["may"].values())


def headline(document: dict) -> tuple[str, str]:
    """The participant's own state in one line, the most pressing first: (state, words). As plenary-phone.js."""
    if document["speaking_own"]:
        return "speaking", _("You have the floor")
    places = [own["position"] for own in document["own"] if own["position"] is not None]
    if not places:
        return "none", _("You are not on the list of speakers.")
    if min(places) == 1:
        return "next", _("You are next")
    return "waiting", _("You are number %(number)s on the list") % {"number": min(places)}


def clock_state(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 0:
        return "over"
    return "ending" if seconds <= 30 else ""


@require_http_methods(["GET", "POST"])
@personal_link_required
def floor(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    if request.method == "POST":
        _post(request, link)
        return redirect("plenary_portal:floor", token=token)
    document = selectors.phone_document(link.participant)
    left = _seconds_left(document["current"])
    state, words = headline(document)
    context = portal_context(
        link,
        token,
        doc=document,
        headline_state=state,
        headline=words,
        notes=floor_notes(document),
        blocked=blocked(document),
        clock=clock_text(left),
        clock_state=clock_state(left),
        paused=bool(document["current"] and document["current"]["paused_since"]),
        state_url=reverse("plenary_portal:floor_state", args=[token]),
        interval=PHONE_INTERVAL_MS,
    )
    return TemplateResponse(request, "plenary/portal/floor.html", context)


@require_GET
@portal_headers
def floor_state(request: HttpRequest, token: str) -> HttpResponse:
    """The phone's state document, for the page's script every two seconds (``plenary.portal.floor_state``, the hot
    path): one query and a 304 when nothing has changed; when something has, the same query and the hall's part kept
    per version in this process. A link that does not open is answered by :func:`_floor_state_in_full`."""
    facts = floor_state_path.facts_by_link(token)
    if facts is None:
        return _floor_state_in_full(request, token)
    with translation.override(facts.language):  # as every page behind the link (personal_link_required)

        def document() -> dict:
            return selectors.phone_document_of(facts, floor_state_path.snapshot_for(facts))

        return state_response(request, tag=facts.tag, document=document)


@personal_link_required(touch=False)
def _floor_state_in_full(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    """The state document by the portal's common path; the link is not touched: a phone left on the page is not a
    visit every two seconds."""
    participant = link.participant
    return state_response(
        request, tag=selectors.phone_version(participant), document=lambda: selectors.phone_document(participant)
    )
