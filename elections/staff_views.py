"""The officials' desk (issue 7): create, open, close, settle ties, sign off and publish votes; enter the counts of
paper ballots; a projector page for the hall; the protocol.

The views parse the request and call one service each (``staff_page`` checks the permission: ``elections.view_poll``
or ``elections.run_poll`` to look, ``elections.run_poll`` to act); a service's ValidationError becomes an error
message in the user's language and nothing is written. Every action is a POST with CSRF followed by a redirect, so
the desk works without JavaScript; the script only refreshes the counts while a vote is open. Closing and publishing
are confirmed on a page of their own.

Who reaches which congress: every page, action, live view and download is about a congress whose elections the user
manages (``selectors.election_congresses_managed_by``: the secretariat and the election officials every congress they
see, a regional office only its own counties' county meetings). A vote, an election or a congress of another is not
found (404), whatever its id, and the desk's picker lists only the congresses the user manages.

Secrecy: these pages read the number of votes cast and the frozen result, never a ballot, a receipt or the link
between a voter and a vote.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
from typing import TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agenda.models import Congress
from core import decisions
from core.downloads import pdf_inline
from core.staff import View, staff_context, staff_page
from elections import services
from elections.models import Election, PaperCount, Poll
from elections.results import result_view
from elections.selectors import (
    desk_elections,
    desk_poll,
    desk_poll_status,
    desk_polls,
    election_congresses_managed_by,
    elections_managed_by,
    hall_vote,
    managed_congress,
    poll_candidates,
    poll_lot_drawings,
    poll_sign_offs,
    polls_managed_by,
    projector_poll,
    votes_received,
)
from elections.staff_forms import DecisionPollForm, ElectionPollForm, PaperCountForm, TieForm

VIEW_PERMISSION = "elections.view_poll"
RUN_PERMISSION = "elections.run_poll"
POLL_SECONDS = 2
Done = TypeVar("Done")


# --- Permissions and helpers ----------------------------------------------------------------------------------------


def may_look(user) -> bool:
    return user.has_perm(VIEW_PERMISSION) or user.has_perm(RUN_PERMISSION)


def may_run(user) -> bool:
    return user.has_perm(RUN_PERMISSION)


def _congress_choice(request: HttpRequest) -> tuple[list[Congress], Congress | None]:
    """The desk's picker: the congresses whose elections the user manages, newest first, and the one the form or the
    query string asks for (else the newest; None when there is none). A congress asked for that the user does not
    manage, or that does not exist, is not found (404): the picker never falls back to another congress than the
    one an action names."""
    congresses = list(election_congresses_managed_by(request.user).order_by("-first_day", "-pk"))
    wanted = request.POST.get("congress", "") or request.GET.get("congress", "")
    if not wanted:
        return congresses, congresses[0] if congresses else None
    chosen = next((congress for congress in congresses if str(congress.pk) == wanted), None)
    if chosen is None:
        raise Http404(_("There is no such congress."))
    return congresses, chosen


def _managed_poll(request: HttpRequest, poll_id: int) -> Poll:
    """The poll to act on, of a congress the user manages; otherwise 404."""
    return get_object_or_404(polls_managed_by(request.user), pk=poll_id)


def _desk_url(congress_id: int | None) -> str:
    url = reverse("elections_staff:desk")
    return f"{url}?{urlencode({'congress': congress_id})}" if congress_id else url


def _poll_url(poll: Poll) -> str:
    return reverse("elections_staff:poll", args=[poll.pk])


def _back(request: HttpRequest, poll: Poll) -> HttpResponseRedirect:
    """Back to where the action was started: the poll's page or the desk."""
    if request.POST.get("back") == "poll":
        return HttpResponseRedirect(_poll_url(poll))
    return HttpResponseRedirect(_desk_url(poll.congress_id) + f"#poll-{poll.pk}")


def _error(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(str(message) for message in error.messages))


def _perform(request: HttpRequest, action: Callable[[], Done], success: Callable[[Done], str]) -> None:
    """Call the service: the official sees ``success`` of what it returns, or its refusal."""
    try:
        done = action()
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, success(done))


def _title(poll: Poll) -> dict:
    return {"title": poll.title}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    return response


@dataclass(frozen=True)
class PollActions:
    open: bool = False
    close: bool = False
    paper: bool = False
    tie: bool = False
    sign_off: bool = False
    publish: bool = False
    runoff: bool = False

    @property
    def any(self) -> bool:
        return any((self.open, self.close, self.paper, self.tie, self.sign_off, self.publish, self.runoff))


def _actions(poll: Poll, *, needed: int, can_run: bool) -> PollActions:
    """What the state of the poll allows (the services check again)."""
    if not can_run:
        return PollActions()
    result = poll.result or {}
    closed = poll.state == Poll.State.CLOSED
    tie = closed and bool(result.get("tie"))
    return PollActions(
        open=poll.state == Poll.State.DRAFT and poll.mode == Poll.Mode.ELECTRONIC,
        close=poll.state == Poll.State.OPEN,
        paper=poll.mode == Poll.Mode.PAPER and poll.state in (Poll.State.DRAFT, Poll.State.CLOSED),
        tie=tie,
        sign_off=closed and not tie and not poll.signed_by_user,
        publish=closed and not tie and poll.sign_off_count >= needed,
        runoff=poll.kind == Poll.Kind.SINGLE_MAJORITY
        and poll.state in (Poll.State.CLOSED, Poll.State.PUBLISHED)
        and bool(result.get("runoff"))
        and not result.get("tie")
        and not poll.has_runoff,
    )


@dataclass(frozen=True)
class Progress:
    """How far a poll has come, for the officials and the hall: votes received of eligible voters."""

    received: int | None
    eligible: int | None
    text: str


def _progress(poll: Poll | None, *, received: int | None = None) -> Progress:
    if poll is None or poll.state == Poll.State.DRAFT:
        return Progress(None, None, "")
    if poll.state == Poll.State.OPEN:
        received = votes_received(poll) if received is None else received
        eligible = poll.eligible_count
    else:
        received = (poll.result or {}).get("voted", 0)
        eligible = (poll.result or {}).get("eligible")
    if eligible is None:  # paper ballots: nobody's right to vote was recorded here
        text = ngettext("%(received)d ballot", "%(received)d ballots", received) % {"received": received}
    else:
        text = ngettext(
            "%(received)d of %(eligible)d vote received",
            "%(received)d of %(eligible)d votes received",
            eligible,
        ) % {"received": received, "eligible": eligible}
    return Progress(received, eligible, text)


def _status_data(poll: Poll, progress: Progress) -> dict:
    """What a poll's live display needs: its state and the numbers. Never a ballot, receipt or voter."""
    return {
        "poll": poll.pk,
        "key": f"{poll.pk}:{poll.state}",
        "title": poll.title,
        "state": poll.state,
        "state_label": str(poll.get_state_display()),
        "open": poll.state == Poll.State.OPEN,
        "received": progress.received,
        "eligible": progress.eligible,
        "progress": progress.text,
    }


# --- The desk -----------------------------------------------------------------------------------------------------


def _render_desk(
    request: HttpRequest,
    congresses: list[Congress],
    congress: Congress | None,
    *,
    decision_form: DecisionPollForm | None = None,
) -> HttpResponse:
    can_run = may_run(request.user)
    polls, elections = [], []
    if congress is not None:
        needed = services.required_sign_offs()
        polls = desk_polls(congress, user=request.user)
        for poll in polls:
            poll.actions = _actions(poll, needed=needed, can_run=can_run)
            poll.progress = _progress(poll, received=poll.received)
        elections = desk_elections(congress)
        for election in elections:
            election.vote = election.first_rounds[0] if election.first_rounds else None
            election.shows_automatic = election.office == Election.Office.LANDSSTYRE_MEMBER or bool(
                election.automatic_list
            )
        if can_run and decision_form is None:
            decision_form = DecisionPollForm(subjects=_open_subjects(congress, polls))
    context = staff_context(
        request,
        title=_("Elections and votes: the officials' desk"),
        subtitle=str(congress) if congress else None,
        opts=Poll._meta,
        congresses=congresses,
        congress=congress,
        elections=elections,
        polls=polls,
        can_run=can_run,
        decision_form=decision_form,
        election_modes=Poll.Mode.choices,
        sign_offs_needed=services.required_sign_offs(),
        printing_available=_printing_available(),
    )
    return TemplateResponse(request, "admin/elections/desk.html", context)


def _open_subjects(congress: Congress, polls: list[Poll] | None = None) -> list[decisions.Subject]:
    """What a new yes/no vote can decide on: the registered subjects that have no vote yet."""
    if polls is None:
        taken = set(
            Poll.objects.filter(congress=congress).exclude(subject_key="").values_list("subject_key", flat=True)
        )
    else:
        taken = {poll.subject_key for poll in polls if poll.subject_key}
    return [subject for subject in decisions.subjects(congress) if subject.key not in taken]


@staff_page(permission=may_look)
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    congresses, congress = _congress_choice(request)
    return _render_desk(request, congresses, congress)


@staff_page(permission=RUN_PERMISSION)
@require_POST
def decision_create(request: HttpRequest) -> HttpResponse:
    congresses, congress = _congress_choice(request)
    if congress is None:
        raise Http404(_("There is no congress."))
    form = DecisionPollForm(request.POST, subjects=_open_subjects(congress))
    if form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.poll_create_decision(
                congress=congress,
                title=data["title"],
                majority=data["majority"],
                subject_key=data["subject_key"],
                subject_label=data["subject_label"],
                mode=data["mode"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The vote “%(title)s” is created; open it when the hall is ready.") % _title(poll)
            )
            return HttpResponseRedirect(_desk_url(congress.pk) + f"#poll-{poll.pk}")
    messages.error(request, _("The vote was not created; see the form below."))
    return _render_desk(request, congresses, congress, decision_form=form)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


@staff_page(permission=RUN_PERMISSION)
@require_POST
def decision_open(request: HttpRequest) -> HttpResponse:
    """Create the yes/no vote on one registered subject (an amendment, a statement) and open it at once: the chair's
    console's "Open vote" (``services.poll_open_decision``); then back to ``next``."""
    _congresses, congress = _congress_choice(request)
    if congress is None:
        raise Http404(_("There is no congress."))
    back = _safe_next(request, _desk_url(congress.pk))
    try:
        poll = services.poll_open_decision(
            congress=congress, subject_key=request.POST.get("subject", ""), user=request.user
        )
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "“%(title)s” is open: %(eligible)d delegate may vote.",
                "“%(title)s” is open: %(eligible)d delegates may vote.",
                poll.eligible_count,
            )
            % {"title": poll.title, "eligible": poll.eligible_count},
        )
    return HttpResponseRedirect(back)


@staff_page(permission=RUN_PERMISSION)
@require_POST
def election_poll_create(request: HttpRequest, election_id: int) -> HttpResponse:
    election = get_object_or_404(elections_managed_by(request.user), pk=election_id)
    form = ElectionPollForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose electronic or paper ballots."))
    else:
        try:
            poll = services.poll_create_for_election(election=election, mode=form.cleaned_data["mode"])
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(
                request, _("The vote “%(title)s” is created; open it when the hall is ready.") % _title(poll)
            )
            return HttpResponseRedirect(_desk_url(election.congress_id) + f"#poll-{poll.pk}")
    return HttpResponseRedirect(_desk_url(election.congress_id) + f"#election-{election.pk}")


# --- One poll -------------------------------------------------------------------------------------------------------


def _get_poll(request: HttpRequest, poll_id: int) -> Poll:
    poll = desk_poll(poll_id, user=request.user)
    if poll is None:
        raise Http404(_("There is no such vote."))
    return poll


def _tie_form(poll: Poll, candidates: list, data=None) -> TieForm | None:
    tie = (poll.result or {}).get("tie") if poll.state == Poll.State.CLOSED else None
    if not tie:
        return None
    tied = [candidate for candidate in candidates if candidate.pk in set(tie["candidates"])]
    return TieForm(data, tied=tied, places=tie["places"], runoff=bool(tie.get("runoff")))


def _paper_form(poll: Poll, candidates: list, data=None) -> PaperCountForm:
    previous = {}
    paper = PaperCount.objects.filter(poll=poll).first()
    if paper is not None:
        previous = {
            "counts": paper.counts,
            "blank": paper.blank,
            "rejected": paper.rejected,
            "valid": (poll.result or {}).get("valid"),
        }
    return PaperCountForm(data, poll=poll, candidates=candidates, previous=previous)


def _render_poll(
    request: HttpRequest,
    poll: Poll,
    *,
    tie_form: TieForm | None = None,
    paper_form: PaperCountForm | None = None,
) -> HttpResponse:
    can_run = may_run(request.user)
    needed = services.required_sign_offs()
    actions = _actions(poll, needed=needed, can_run=can_run)
    candidates = poll_candidates(poll) if poll.is_election else []
    names = {candidate.pk: candidate.full_name for candidate in candidates}
    lots = [
        {
            "drawing": drawing,
            "tied": [names.get(pk, str(pk)) for pk in (drawing.tied or {}).get("candidates", [])],
            "winners": [names.get(pk, str(pk)) for pk in drawing.winners],
        }
        for drawing in poll_lot_drawings(poll)
    ]
    if actions.tie and tie_form is None:
        tie_form = _tie_form(poll, candidates)
    if actions.paper and paper_form is None:
        paper_form = _paper_form(poll, candidates)
    progress = _progress(poll, received=poll.received)
    context = staff_context(
        request,
        title=poll.title,
        subtitle=str(poll.congress),
        opts=Poll._meta,
        poll=poll,
        congress=poll.congress,
        candidates=candidates,
        view=result_view(poll, candidates=candidates) if poll.result else None,
        progress=progress,
        sign_offs=poll_sign_offs(poll),
        sign_offs_needed=needed,
        lots=lots,
        actions=actions,
        can_run=can_run,
        tie_form=tie_form if actions.tie else None,
        paper_form=paper_form if actions.paper else None,
        status_url=reverse("elections_staff:poll_status", args=[poll.pk]),
        poll_ms=POLL_SECONDS * 1000,
        status=_status_data(poll, progress),
    )
    return TemplateResponse(request, "admin/elections/poll.html", context)


@staff_page(permission=may_look)
@require_GET
def poll_page(request: HttpRequest, poll_id: int) -> HttpResponse:
    return _render_poll(request, _get_poll(request, poll_id))


@staff_page(permission=may_look)
@require_GET
def poll_status(request: HttpRequest, poll_id: int) -> HttpResponse:
    poll = desk_poll_status(poll_id, user=request.user)
    if poll is None:
        raise Http404(_("There is no such vote."))
    return _no_store(JsonResponse(_status_data(poll, _progress(poll, received=poll.received))))


@staff_page(permission=RUN_PERMISSION)
@require_POST
def poll_open(request: HttpRequest, poll_id: int) -> HttpResponse:
    poll = _managed_poll(request, poll_id)

    def success(opened: Poll) -> str:
        return ngettext(
            "“%(title)s” is open: %(eligible)d delegate may vote.",
            "“%(title)s” is open: %(eligible)d delegates may vote.",
            opened.eligible_count,
        ) % {"title": opened.title, "eligible": opened.eligible_count}

    _perform(request, partial(services.poll_open, poll=poll, user=request.user), success)
    return _back(request, poll)


def _confirm(request: HttpRequest, poll: Poll, *, step: str) -> HttpResponse:
    """The page that asks the official to confirm closing or publishing; its button makes the POST."""
    candidates = poll_candidates(poll) if poll.is_election else []
    context = staff_context(
        request,
        title=_("Close the vote?") if step == "close" else _("Publish the result?"),
        subtitle=poll.title,
        opts=Poll._meta,
        poll=poll,
        congress=poll.congress,
        step=step,
        progress=_progress(poll, received=poll.received),
        view=result_view(poll, candidates=candidates) if step == "publish" and poll.result else None,
        action_url=reverse(f"elections_staff:poll_{step}", args=[poll.pk]),
        back=request.GET.get("back") if request.GET.get("back") == "poll" else "desk",
        cancel_url=_poll_url(poll) if request.GET.get("back") == "poll" else _desk_url(poll.congress_id),
    )
    return TemplateResponse(request, "admin/elections/confirm.html", context)


def _confirmed_first(*, step: str, state: str, refusal: str):
    """For a step the official confirms on a page of its own (closing, publishing): until the POST says yes, that
    page, or ``refusal`` when the poll is not in ``state``; then the view, with the poll."""

    def decorate(view: Callable[[HttpRequest, Poll], HttpResponse]) -> View:
        @wraps(view)
        def confirmed(request: HttpRequest, poll_id: int) -> HttpResponse:
            poll = _get_poll(request, poll_id)
            if request.method == "POST" and request.POST.get("confirmed") == "yes":
                return view(request, poll)
            if poll.state != state:
                messages.error(request, refusal)
                return HttpResponseRedirect(_poll_url(poll))
            return _confirm(request, poll, step=step)

        return confirmed

    return decorate


@staff_page(permission=RUN_PERMISSION)
@require_http_methods(["GET", "POST"])
@_confirmed_first(step="close", state=Poll.State.OPEN, refusal=gettext_lazy("Only an open poll can be closed."))
def poll_close(request: HttpRequest, poll: Poll) -> HttpResponse:
    def success(closed: Poll) -> str:
        return _("“%(title)s” is closed and its count frozen: %(progress)s. Check the result and sign it off.") % {
            "title": closed.title,
            "progress": _progress(closed).text,
        }

    _perform(request, partial(services.poll_close, poll=poll, user=request.user), success)
    return HttpResponseRedirect(_poll_url(poll))


@staff_page(permission=RUN_PERMISSION)
@require_http_methods(["GET", "POST"])
@_confirmed_first(step="publish", state=Poll.State.CLOSED, refusal=gettext_lazy("Only a closed poll can be published."))
def poll_publish(request: HttpRequest, poll: Poll) -> HttpResponse:
    _perform(
        request,
        partial(services.poll_publish, poll=poll, user=request.user),
        lambda published: _("The result of “%(title)s” is published.") % _title(published),
    )
    return _back(request, poll)


@staff_page(permission=RUN_PERMISSION)
@require_POST
def poll_sign_off(request: HttpRequest, poll_id: int) -> HttpResponse:
    poll = _managed_poll(request, poll_id)

    def success(_sign_off) -> str:
        needed = services.required_sign_offs()
        return ngettext(
            "You have signed off the result of “%(title)s” (%(count)d of %(needed)d sign-off needed).",
            "You have signed off the result of “%(title)s” (%(count)d of %(needed)d sign-offs needed).",
            needed,
        ) % {"title": poll.title, "count": poll.sign_offs.count(), "needed": needed}

    _perform(request, partial(services.poll_sign_off, poll=poll, user=request.user), success)
    return _back(request, poll)


@staff_page(permission=RUN_PERMISSION)
@require_POST
def poll_runoff(request: HttpRequest, poll_id: int) -> HttpResponse:
    poll = _managed_poll(request, poll_id)
    try:
        runoff = services.poll_create_runoff(poll=poll)
    except ValidationError as error:
        _error(request, error)
        return _back(request, poll)
    messages.success(request, _("The run-off “%(title)s” is created; open it when the hall is ready.") % _title(runoff))
    return HttpResponseRedirect(_desk_url(runoff.congress_id) + f"#poll-{runoff.pk}")


def _poll_form_sent(
    request: HttpRequest,
    poll: Poll,
    form: Form,
    *,
    form_name: str,
    submit: Callable[[dict], object],
    success: str,
    failure: str,
) -> HttpResponse:
    """A form sent from the poll's page (``form_name``: which one): a valid one goes to the service (``submit`` of
    its data) and back to the page; otherwise the page again, with the form and what is wrong."""
    if form.is_valid():
        try:
            submit(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success)
            return HttpResponseRedirect(_poll_url(poll))
    messages.error(request, failure)
    return _render_poll(request, poll, **{form_name: form})


@staff_page(permission=RUN_PERMISSION)
@require_POST
def poll_tie(request: HttpRequest, poll_id: int) -> HttpResponse:
    poll = _get_poll(request, poll_id)
    candidates = poll_candidates(poll) if poll.is_election else []
    form = _tie_form(poll, candidates, request.POST)
    if form is None:
        messages.error(request, _("There is no tie to settle."))
        return HttpResponseRedirect(_poll_url(poll))

    def submit(data: dict) -> None:
        services.poll_settle_tie(
            poll=poll,
            winners=data["winners"],
            drawn_by=data["drawn_by"],
            witnesses=data["witnesses"],
            user=request.user,
        )

    return _poll_form_sent(
        request,
        poll,
        form,
        form_name="tie_form",
        submit=submit,
        success=_("The drawing of lots is recorded and the result counted with it."),
        failure=_("The drawing of lots was not recorded; see the form below."),
    )


@staff_page(permission=RUN_PERMISSION)
@require_POST
def poll_paper(request: HttpRequest, poll_id: int) -> HttpResponse:
    poll = _get_poll(request, poll_id)
    candidates = poll_candidates(poll) if poll.is_election else []
    form = _paper_form(poll, candidates, request.POST)
    if poll.mode != Poll.Mode.PAPER or poll.state not in (Poll.State.DRAFT, Poll.State.CLOSED):
        messages.error(request, _("Counts can be entered for a paper ballot that is not published."))
        return HttpResponseRedirect(_poll_url(poll))
    return _poll_form_sent(
        request,
        poll,
        form,
        form_name="paper_form",
        submit=lambda _data: services.paper_count_enter(poll=poll, user=request.user, **form.service_arguments),
        success=_("The counts of “%(title)s” are entered and the result counted; check it and sign it off.")
        % _title(poll),
        failure=_("The counts were not saved; see the form below."),
    )


# --- The hall's projector -------------------------------------------------------------------------------------------


def _managed_congress(request: HttpRequest, congress_id: int) -> Congress:
    congress = managed_congress(request.user, congress_id)
    if congress is None:
        raise Http404(_("There is no such congress."))
    return congress


@staff_page(permission=may_look)
@require_GET
def projector(request: HttpRequest, congress_id: int) -> HttpResponse:
    congress = _managed_congress(request, congress_id)
    poll = projector_poll(congress)
    view = None
    if poll is not None and poll.state == Poll.State.PUBLISHED:
        view = result_view(poll, candidates=poll_candidates(poll) if poll.is_election else [])
    progress = _progress(poll)
    context = {
        "congress": congress,
        "poll": poll,
        "view": view,
        "progress": progress,
        "key": f"{poll.pk}:{poll.state}" if poll else "",
        "state_url": reverse("elections_staff:projector_state", args=[congress.pk]),
        "poll_ms": POLL_SECONDS * 1000,
    }
    return _no_store(TemplateResponse(request, "admin/elections/projector.html", context))


@staff_page(permission=may_look)
@require_GET
def projector_state(request: HttpRequest, congress_id: int) -> HttpResponse:
    congress = _managed_congress(request, congress_id)
    vote = hall_vote(congress.pk)  # projector_poll's choice with the votes received, in one query
    data = {"congress": congress.pk, "key": "", "poll": None}
    if vote is not None:
        status = _status_data(vote.poll, _progress(vote.poll, received=vote.received))
        data = {"congress": congress.pk, "key": status["key"], "poll": status}
    return _no_store(JsonResponse(data))


# --- The protocol ---------------------------------------------------------------------------------------------------


def _printing_available() -> bool:
    from importlib.util import find_spec

    return find_spec("elections.printing") is not None


@staff_page(permission=may_look)
@require_GET
def protocol(request: HttpRequest) -> HttpResponse:
    _congresses, congress = _congress_choice(request)
    if congress is None:
        raise Http404(_("There is no congress."))
    from elections import printing  # WeasyPrint is loaded only where the protocol is printed

    pdf, _pages = printing.render_protocol(congress)
    return pdf_inline(pdf, title=f"{_('protocol')}-{congress}")
