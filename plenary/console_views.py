"""The chair's console (dirigentbord, issue 15 item 4): the item before the hall, the speaker with the clock, the queue,
the list open or closed, adding speakers, and the voting list of the item.

Every action is a POST form that calls one service and redirects back with a message (PRG), so the console works
without JavaScript. What an action depends on comes from the form's hidden fields (who the console showed speaking,
which request, which item), so two consoles acting at once get a refusal that says what happened instead of a double
step. With JavaScript (static/js/admin/plenary-console.js) the page follows the hall's state document every 500 ms
and keeps those hidden fields in step with what it shows.
"""

import dataclasses
import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agenda.models import AgendaItem, Congress
from agenda.staff import congress_choice
from committees import selectors as committees_selectors
from core.staff import staff_context, staff_page
from delegates.models import Participant
from delegates.selectors import participant_by_number
from elections import selectors as elections_selectors
from elections.models import Poll
from plenary import selectors, services
from plenary.http import state_response
from plenary.models import SpeakerRequest

PERMISSION = "plenary.run_speakerslist"
#: How often the console asks for the hall's state (ms): a second console sees an action within 1 s.
INTERVAL_MS = 500
SEARCH_LIMIT = 15
Kind = SpeakerRequest.Kind


# --- Helpers ----------------------------------------------------------------------------------------------------------


def console_url(congress_id: int | None, **query) -> str:
    url = reverse("plenary_staff:console")
    query = {key: value for key, value in {"congress": congress_id, **query}.items() if value not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def _int(data, name: str) -> int | None:
    value = (data.get(name) or "").strip()
    return int(value) if value.isdigit() else None


def minutes(seconds: float | None) -> str:
    """245 → "4:05"; overtime (negative) as "+0:12"; None: no limit."""
    if seconds is None:
        return _("No limit")
    whole = int(abs(seconds)) if seconds < 0 else int(-(-seconds // 1))
    text = f"{whole // 60}:{whole % 60:02d}"
    return f"+{text}" if seconds < 0 else text


def _spoken(speaking: dict, now_ms: int) -> float:
    until = speaking["paused_since"] if speaking["paused_since"] is not None else now_ms
    return max(0.0, (until - speaking["started_at"]) / 1000 - speaking["paused_seconds"])


@dataclasses.dataclass(frozen=True)
class ClockView:
    """The clock as the page shows it before the script takes over (and without the script)."""

    text: str
    state: str  # "running", "amber" (the last 30 s), "overtime", "unlimited"
    paused: bool


def clock_of(speaking: dict | None, now_ms: int) -> ClockView | None:
    if speaking is None:
        return None
    spoken = _spoken(speaking, now_ms)
    paused = speaking["paused_since"] is not None
    if speaking["allowed_seconds"] is None:
        return ClockView(minutes(spoken), "unlimited", paused)
    left = speaking["allowed_seconds"] - spoken
    state = "overtime" if left < 0 else "amber" if left <= 30 else "running"
    return ClockView(minutes(left), state, paused)


def open_poll(congress: Congress) -> Poll | None:
    """The vote open in the hall now, if any."""
    poll = elections_selectors.projector_poll(congress)
    return poll if poll is not None and poll.state == Poll.State.OPEN else None


def _vote_entry(poll: Poll | None) -> dict | None:
    if poll is None:
        return None
    return {"id": poll.pk, "title": poll.title, "url": reverse("elections_staff:poll", args=[poll.pk])}


# --- The voting list --------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Subject:
    key: str
    label: str  # the button's words: "Open vote", "Open vote on the committee's version"
    poll: Poll | None


@dataclasses.dataclass(frozen=True)
class VotingRow:
    proposal: object
    title: str
    detail: str
    recommendation: str
    outcome: str
    subjects: list[Subject]


def _subjects(prefix: str, proposal, polls: dict[str, Poll], *, votable: bool) -> list[Subject]:
    key = f"{prefix}:{proposal.pk}"
    subjects = [Subject(key, _("Open vote"), polls.get(key))]
    if proposal.amended_text:
        subjects.append(
            Subject(f"{key}:amended", _("Open vote on the committee's version"), polls.get(f"{key}:amended"))
        )
    if not votable:
        return [subject for subject in subjects if subject.poll is not None]
    return subjects


def voting_list(item: AgendaItem, polls: list[Poll]) -> list[VotingRow] | None:
    """The proposals the hall votes on under ``item``: the political document's amendments in document order, or the
    statements; None for an item of another kind."""
    by_key = {poll.subject_key: poll for poll in polls if poll.subject_key}
    if item.kind == AgendaItem.Kind.POLITICAL_DOCUMENT:
        document = committees_selectors.document_of(item.congress)
        if document is None:
            return []
        rows = []
        for amendment in committees_selectors.amendments_in_order(document):
            merged = amendment.recommendation == amendment.Recommendation.MERGED
            detail = amendment.lines_label
            if amendment.chapter_id:
                detail = f"{amendment.chapter} · {detail}"
            recommendation = amendment.get_recommendation_display()
            if merged and amendment.merged_into_id:
                recommendation = _("Taken into amendment %(number)d") % {"number": amendment.merged_into.number}
            rows.append(
                VotingRow(
                    proposal=amendment,
                    title=str(amendment),
                    detail=f"{detail} · {amendment.get_kind_display()} · {amendment.proposer_label}",
                    recommendation=recommendation,
                    outcome=amendment.get_outcome_display(),
                    subjects=_subjects(
                        "committees.amendment", amendment, by_key, votable=not merged and not amendment.outcome
                    ),
                )
            )
        return rows
    if item.kind == AgendaItem.Kind.STATEMENTS:
        return [
            VotingRow(
                proposal=statement,
                title=str(statement),
                detail=statement.proposer_label,
                recommendation=statement.get_recommendation_display(),
                outcome=statement.get_outcome_display(),
                subjects=_subjects("committees.statement", statement, by_key, votable=not statement.outcome),
            )
            for statement in committees_selectors.statements_in_order(item.congress)
        ]
    return None


# --- The page ---------------------------------------------------------------------------------------------------------


def meta(entry: dict) -> list[str]:
    """What the console shows under a speaker's name: organisation (or county), county, party."""
    parts = [entry["affiliation"]]
    if entry["county"] and entry["county"] != entry["affiliation"]:
        parts.append(entry["county"])
    parts.append(entry["party"])
    return [part for part in parts if part]


def _for_page(entry: dict | None) -> dict | None:
    if entry is None:
        return None
    return {**entry, "time": minutes(entry.get("allowed_seconds")), "meta": meta(entry)}


@staff_page(permission=PERMISSION)
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    congresses, congress = congress_choice(request)
    context = {"congresses": congresses, "congress": congress}
    if congress is not None:
        document = selectors.console_document(congress)
        document["speaking"] = _for_page(document["speaking"])
        item_id = (document["item"] or {}).get("id")
        item = AgendaItem.objects.select_related("congress").filter(pk=item_id).first() if item_id else None
        query = request.GET.get("q", "").strip()[:100]
        kind = request.GET.get("kind", "")
        polls = elections_selectors.desk_polls(congress, user=request.user)
        vote = next((poll for poll in polls if poll.state == Poll.State.OPEN), None)
        context.update(
            document=document,
            item=item,
            items=list(congress.agenda_items.order_by("number")),
            waiting=[_for_page(entry) for entry in document["waiting"]],
            clock=clock_of(document["speaking"], document["server_time"]),
            speaking_time=minutes(document["speaking"]["allowed_seconds"]) if document["speaking"] else "",
            closed_at=time_format(
                timezone.localtime(datetime.datetime.fromtimestamp(document["closed_at"] / 1000, tz=datetime.UTC)),
                "H:i",
            )
            if document["closed_at"]
            else "",
            kinds=Kind.choices,
            kind=kind if kind in Kind.values else Kind.SPEECH,
            query=query,
            hits=selectors.possible_speakers(congress=congress, query=query, limit=SEARCH_LIMIT) if query else None,
            search_limit=SEARCH_LIMIT,
            vote=vote,
            voting_list=voting_list(item, polls) if item else None,
            may_open_votes=request.user.has_perm("elections.run_poll"),
            desk_url=f"{reverse('elections_staff:desk')}?{urlencode({'congress': congress.pk})}",
            action_url=reverse("plenary_staff:console_action", args=[congress.pk]),
            state_url=reverse("plenary_staff:console_state", args=[congress.pk]),
            interval_ms=INTERVAL_MS,
            time_zone=settings.TIME_ZONE,
        )
    return TemplateResponse(
        request,
        "admin/plenary/console.html",
        staff_context(
            request,
            title=_("The chair's console"),
            subtitle=str(congress) if congress else None,
            opts=SpeakerRequest._meta,
            **context,
        ),
    )


@staff_page(permission=PERMISSION)
@require_GET
def console_state(request: HttpRequest, congress_id: int) -> HttpResponse:
    """The hall's state for the console's script: 304 while nothing has changed (the hall's version and the open
    vote)."""
    congress = get_object_or_404(Congress, pk=congress_id)
    poll = open_poll(congress)
    tag = f"{selectors.hall_version(congress.pk)}-{poll.pk if poll else 0}"

    def document() -> dict:
        return {**selectors.console_document(congress), "vote": _vote_entry(poll)}

    return state_response(request, tag=tag, document=document)


# --- The actions ------------------------------------------------------------------------------------------------------


def _item(congress: Congress, item_id: int | None) -> AgendaItem:
    item = AgendaItem.objects.select_related("congress").filter(pk=item_id, congress=congress).first()
    if item is None:
        raise ValidationError(_("Choose the item before the hall first."))
    return item


def _request_id(data) -> int:
    request_id = _int(data, "request")
    if request_id is None:
        raise ValidationError(_("This request for the floor no longer exists."))
    return request_id


def _next(request: HttpRequest, congress: Congress, *, give: bool) -> str:
    """The next on the list, or (``give``) the request of the row the chair chose."""
    data = request.POST
    speaker = services.speech_next(
        congress=congress,
        expected_speaking_id=_int(data, "speaking"),
        user=request.user,
        request_id=_request_id(data) if give else None,
    )
    if speaker is None:
        return _("The list is empty: nobody has the floor.")
    return _("%(name)s has the floor (%(kind)s).") % {"name": speaker.name, "kind": speaker.get_kind_display().lower()}


def _add(request: HttpRequest, congress: Congress) -> str | HttpResponseRedirect:
    data = request.POST
    item = _item(congress, _int(data, "item"))
    kind = data.get("kind", "")
    participant = None
    name, affiliation = data.get("name", "").strip()[:200], data.get("affiliation", "").strip()[:200]
    if (participant_id := _int(data, "participant")) is not None:
        participant = Participant.objects.filter(pk=participant_id, congress=congress).first()
        if participant is None:
            raise ValidationError(_("Choose a participant from the search results."))
    elif not name:
        query = data.get("q", "").strip()[:100]
        number = query.lstrip("#").strip()
        if number.isdigit():
            participant = participant_by_number(congress=congress, number=int(number))
            if participant is None:
                raise ValidationError(_("Nobody has the participant number %(number)s.") % {"number": number})
        elif query:
            # A name: choose among those found.
            return HttpResponseRedirect(console_url(congress.pk, q=query, kind=kind) + "#console-add")
        else:
            raise ValidationError(_("Type a participant number or a name, or give the name of someone else."))
    added = services.speaker_request_add(
        item=item,
        kind=kind,
        participant=participant,
        speaker_name=name,
        speaker_affiliation=affiliation,
        user=request.user,
    )
    return _("%(name)s is on the list (%(kind)s).") % {"name": added.name, "kind": added.get_kind_display().lower()}


def _perform(request: HttpRequest, congress: Congress, action: str) -> str | HttpResponseRedirect:
    data, user = request.POST, request.user
    if action == "item":
        hall = services.hall_item_set(congress=congress, item_id=_int(data, "item"), user=user)
        if hall.current_item is None:
            return _("No item is before the hall.")
        return _("Before the hall: %(item)s.") % {"item": hall.current_item}
    if action in ("next", "give"):
        return _next(request, congress, give=action == "give")
    if action == "add":
        return _add(request, congress)
    if action in ("close", "reopen"):
        item = _item(congress, _int(data, "item"))
        if action == "close":
            services.speakers_list_close(item=item, user=user)
            return _("The list of speakers is closed (strek).")
        services.speakers_list_reopen(item=item, user=user)
        return _("The list of speakers is open again.")
    by_request = {
        "stop": (services.speech_end, _("The speech of %(name)s has ended.")),
        "pause": (services.speech_pause, _("The clock of %(name)s is paused.")),
        "resume": (services.speech_resume, _("The clock of %(name)s runs again.")),
        "withdraw": (services.speaker_request_withdraw, _("%(name)s is taken off the list.")),
        "restore": (services.speaker_request_restore, _("%(name)s is back on the list.")),
    }
    if action in by_request:
        service, message = by_request[action]
        speaker = service(congress=congress, request_id=_request_id(data), user=user)
        return message % {"name": speaker.name}
    if action in ("up", "down"):
        speaker = services.speaker_request_move(
            congress=congress, request_id=_request_id(data), up=action == "up", user=user
        )
        return _("%(name)s is moved.") % {"name": speaker.name}
    raise ValidationError(_("Unknown action."))


@staff_page(permission=PERMISSION)
@require_POST
def console_action(request: HttpRequest, congress_id: int) -> HttpResponse:
    congress = Congress.objects.filter(pk=congress_id).first()
    if congress is None:
        raise Http404(_("There is no congress."))
    try:
        done = _perform(request, congress, request.POST.get("action", ""))
    except ValidationError as error:
        messages.error(request, " ".join(str(message) for message in error.messages))
    else:
        if isinstance(done, HttpResponseRedirect):
            return done
        messages.success(request, done)
    anchor = "#console-add" if request.POST.get("action") == "add" else ""
    return HttpResponseRedirect(console_url(congress.pk) + anchor)
