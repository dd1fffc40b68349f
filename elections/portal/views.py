"""The delegates' voting pages behind the personal link: the open votes, the ballot, the receipt, the results.

Views parse, check and call one service (``services.ballot_cast``); the rules live in ``elections.services`` and
results are only displayed from ``elections.results.result_view``. Every page goes through the registration portal's
``personal_link_required`` (the same headers on every response: no Referer, no caching, no indexing), which is why a
missing poll gets a rendered 404 page rather than a raised ``Http404``.

Casting a ballot is the hot path of the whole congress (the hall votes at once). The ballot page's script sends the
form to ``ballot_cast_api``, which answers in JSON and leaves the link, the poll, the voter list and both writes to
one service call (one SQL statement on PostgreSQL); the receipt then replaces the ballot on the page. Without the
script, or on any refusal, the form is posted to ``ballot`` and the page the server renders says the rest. Either
way: no session, no messages, no redirect, and the link is not touched (no time of voting is kept with the voter's
link); the receipt is in the response and nowhere else (not in the session, a message, the URL or a log).
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from delegates.models import PersonalLink
from delegates.portal.access import LINK_PROBLEM_STATUS, personal_link_required, portal_context, portal_headers
from delegates.services.links import LinkProblem, personal_link_digest
from elections import selectors, services
from elections.models import Ballot, Candidate, Poll
from elections.portal.ballot_page import ballot_page_response
from elections.portal.forms import (
    ANSWER_LABELS,
    BallotForm,
    ReceiptLookupForm,
    ballot_form_from_post,
    receipt_display,
    receipt_normalise,
)
from elections.results import result_view

# Why a voter cannot use a ballot, and the status of the page that says so.
REFUSAL_STATUS = {"not_found": 404, "not_open": 403, "not_eligible": 403, "voted": 409}


def _refusal_of(error: ValidationError) -> str:
    """The word for a refusal of ``services.ballot_cast`` ("" for a ballot that is simply not valid)."""
    return error.refusal if isinstance(error, services.BallotRefused) else ""


def _not_found(request: HttpRequest, link: PersonalLink, token: str, *, reason: str, poll=None) -> HttpResponse:
    context = portal_context(link, token, reason=reason, poll=poll)
    return TemplateResponse(request, "elections/portal/not_found.html", context, status=404)


def _refusal(poll: Poll) -> str:
    """Why the participant cannot vote in the poll ("" when they can). ``poll`` comes from ``voter_poll``."""
    if not poll.takes_ballots:
        return "not_open"
    if not poll.is_eligible:
        return "not_eligible"
    if poll.has_voted:
        return "voted"
    return ""


def _refused(request: HttpRequest, link: PersonalLink, token: str, *, poll: Poll, refusal: str, status: int):
    context = portal_context(link, token, poll=poll, refusal=refusal, messages=())
    return TemplateResponse(request, "elections/portal/refused.html", context, status=status)


def _choice_rule(poll: Poll) -> str:
    """What a ballot may hold, in one sentence."""
    if poll.kind == Poll.Kind.YES_NO:
        return _("Answer yes, no or abstain.")
    if poll.max_choices == 1:
        return _("Choose one candidate, or a blank ballot.")
    return _("Choose up to %(limit)d candidates.") % {"limit": poll.max_choices}


# --- The open votes ------------------------------------------------------------------------------------------


# How often the list of open votes asks whether it has changed (the page's script; not while the phone sleeps).
OPEN_VOTES_CHECK_SECONDS = 5


def _open_votes_key(polls: list[Poll]) -> str:
    """What the list of open votes shows, in a word: which votes, and in which the delegate has voted."""
    return ",".join(f"{poll.pk}:{int(poll.has_voted)}" for poll in polls)


@require_GET
@personal_link_required
def ballots(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    polls = selectors.polls_for_voter(link.participant)
    for poll in polls:
        poll.choice_rule = _choice_rule(poll)
    context = portal_context(
        link, token, polls=polls, live_key=_open_votes_key(polls), live_ms=OPEN_VOTES_CHECK_SECONDS * 1000
    )
    return TemplateResponse(request, "elections/portal/ballots.html", context)


@require_GET
@personal_link_required(touch=False)
def ballots_state(request: HttpRequest, link: PersonalLink, token: str) -> JsonResponse:
    """The list's key, for its script: the page reloads when a vote opens or closes while the delegate waits. The
    link is not touched: a phone left on the page is not a visit every few seconds."""
    return JsonResponse({"key": _open_votes_key(selectors.polls_for_voter(link.participant))})


# --- The ballot ----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, token: str, poll_id: int) -> HttpResponse:
    """GET shows the ballot; POST casts it. Neither records the visit on the link: opening the ballot is nearly the
    moment of voting, and no time of voting is kept with the voter's link."""
    if request.method == "POST":
        return _ballot_cast(request, token, poll_id)
    return _ballot_show(request, token, poll_id)


def _ballot_page(request, link, token, *, poll: Poll, form: BallotForm, status: int = 200) -> HttpResponse:
    context = portal_context(link, token, poll=poll, form=form, messages=())
    return TemplateResponse(request, "elections/portal/ballot.html", context, status=status)


@portal_headers
def _ballot_show(request: HttpRequest, token: str, poll_id: int) -> HttpResponse:
    """The whole hall opens the ballot within a minute: one query reads the link, the voter and the poll
    (``selectors.ballot_page``, the link's rule from delegates), one more an election's candidates. Anything but a
    ballot to fill in (a link that does not open, no such poll, a vote not open or already cast) is answered by
    :func:`_ballot_show_in_full`, as every portal page answers it."""
    try:
        digest = personal_link_digest(token)
    except LinkProblem:
        return _ballot_show_in_full(request, token, poll_id)
    page = selectors.ballot_page(digest=digest, poll_id=poll_id)
    if page is None or page.poll is None or _refusal(page.poll):
        return _ballot_show_in_full(request, token, poll_id)
    poll = page.poll
    candidates = selectors.poll_candidates(poll) if poll.is_election else []
    form = BallotForm(poll=poll, candidates=candidates)
    with translation.override(page.link.participant.language):  # as every page behind the link (personal_link_required)
        response = ballot_page_response(request, page.link, token, poll=poll, form=form)
    response.headers["Content-Language"] = page.link.participant.language
    return response


@personal_link_required(touch=False)
def _ballot_show_in_full(request: HttpRequest, link: PersonalLink, token: str, poll_id: int) -> HttpResponse:
    poll = selectors.voter_poll(link.participant, poll_id)
    if poll is None:
        return _not_found(request, link, token, reason="poll")
    refusal = _refusal(poll)
    if refusal == "voted":
        return _refused(request, link, token, poll=poll, refusal=refusal, status=200)
    if refusal:
        return _refused(request, link, token, poll=poll, refusal=refusal, status=REFUSAL_STATUS[refusal])
    candidates = selectors.poll_candidates(poll) if poll.is_election else []
    return _ballot_page(request, link, token, poll=poll, form=BallotForm(poll=poll, candidates=candidates))


@personal_link_required(touch=False)
def _ballot_cast(request: HttpRequest, link: PersonalLink, token: str, poll_id: int) -> HttpResponse:
    """The hot path when the hall votes: one plain read of the poll, then the service, which checks that the poll
    is open, that the voter is in the snapshot and has not voted, all inside its transaction."""
    participant = link.participant
    poll = Poll.objects.filter(pk=poll_id, congress_id=participant.congress_id).first()
    if poll is None:
        return _not_found(request, link, token, reason="poll")
    form = BallotForm(request.POST, poll=poll)  # no candidates: the service checks them, once
    if form.is_valid():
        try:
            receipt = services.ballot_cast(poll_id=poll.pk, participant_id=participant.pk, **form.ballot())
        except ValidationError as error:
            refusal = _refusal_of(error)
            if refusal == "not_found":
                return _not_found(request, link, token, reason="poll")
            if refusal:
                return _refused(request, link, token, poll=poll, refusal=refusal, status=REFUSAL_STATUS[refusal])
            form.add_error(None, error.messages)
        else:
            context = portal_context(link, token, poll=poll, receipt=receipt_display(receipt), messages=())
            return TemplateResponse(request, "elections/portal/receipt.html", context)
    if not poll.takes_ballots:
        return _refused(request, link, token, poll=poll, refusal="not_open", status=403)
    if poll.is_election:
        form.set_candidates(selectors.poll_candidates(poll))
    return _ballot_page(request, link, token, poll=poll, form=form, status=400)


# --- Casting from the ballot page's script --------------------------------------------------------------------

LINK_PROBLEM_MESSAGES = {
    "revoked": gettext_lazy("This link has been revoked"),
    "expired": gettext_lazy("This link has expired"),
    "unknown": gettext_lazy("This link does not work"),
}


@require_POST
@portal_headers
def ballot_cast_api(request: HttpRequest, token: str, poll_id: int) -> JsonResponse:
    """Cast the ballot sent by the ballot page's script (the same form, the same CSRF check) and answer in JSON:
    ``{"status": "cast", "receipt": "7KQF-M3XH9P"}``, or a refusal with its message in the voter's language.

    This is the hot path when the whole hall votes: no template, no session, no query for the link or the poll
    before the service, which does it all in one statement. The form is read with the poll's kind and names per
    ballot as the page sent them; the service checks the ballot against the poll itself. The page falls back to
    posting the form (``ballot``) on any answer but "cast", and that page says in full what is wrong.
    """
    form = ballot_form_from_post(request.POST)
    if form is None:
        messages = [_("The ballot could not be read. Reload the page and vote again.")]
        return JsonResponse({"status": "invalid", "messages": messages}, status=400)
    if not form.is_valid():
        messages = [message for field_messages in form.errors.values() for message in field_messages]
        return JsonResponse({"status": "invalid", "messages": messages}, status=400)
    try:
        receipt = services.ballot_cast_by_link(token=token, poll_id=poll_id, **form.ballot())
    except LinkProblem as problem:
        message = LINK_PROBLEM_MESSAGES.get(problem.code, LINK_PROBLEM_MESSAGES["unknown"])
        status = LINK_PROBLEM_STATUS.get(problem.code, 404)
        return JsonResponse({"status": f"link_{problem.code}", "messages": [str(message)]}, status=status)
    except ValidationError as error:
        word = _refusal_of(error) or "invalid"
        return JsonResponse({"status": word, "messages": error.messages}, status=REFUSAL_STATUS.get(word, 400))
    return JsonResponse({"status": "cast", "receipt": receipt_display(receipt)})


# --- Results -------------------------------------------------------------------------------------------------


@require_GET
@personal_link_required
def results(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    polls = list(selectors.published_polls_with_candidates(link.participant.congress))
    for poll in polls:
        view = result_view(poll, candidates=list(poll.candidates.all()))
        poll.outcome = view.outcome if view else ""
    return TemplateResponse(request, "elections/portal/results.html", portal_context(link, token, polls=polls))


def _ballot_says(ballot: Ballot, poll: Poll, candidates: list[Candidate]) -> str:
    """What a published ballot says, in words: the names in the ballot's order of candidates, or the answer."""
    if poll.kind == Poll.Kind.YES_NO:
        return str(ANSWER_LABELS.get(ballot.answer, ballot.answer))
    chosen = set(ballot.choices)
    if not chosen:
        return _("Blank")
    return ", ".join(candidate.full_name for candidate in candidates if candidate.pk in chosen)


@require_http_methods(["GET", "POST"])
@personal_link_required
def result(request: HttpRequest, link: PersonalLink, token: str, poll_id: int) -> HttpResponse:
    """The published result. The receipt lookup is a POST: the receipt must never be in a URL with the token, or a
    browser history or a proxy log would link the voter to their ballot."""
    congress = link.participant.congress
    poll = selectors.published_polls(congress).filter(pk=poll_id).select_related("election").first()
    if poll is None:
        exists = Poll.objects.filter(pk=poll_id, congress=congress).exists()
        return _not_found(request, link, token, reason="not_published" if exists else "result")
    candidates: list[Candidate] = selectors.poll_candidates(poll) if poll.is_election else []
    view = result_view(poll, candidates=candidates)
    published = [
        {
            "receipt": ballot.receipt,
            "display": receipt_display(ballot.receipt),
            "says": _ballot_says(ballot, poll, candidates),
        }
        for ballot in selectors.published_ballots(poll)
    ]

    lookup_form, lookup = ReceiptLookupForm(), None
    if request.method == "POST":
        lookup_form = ReceiptLookupForm(request.POST)
        if lookup_form.is_valid():
            wanted = receipt_normalise(lookup_form.cleaned_data["kvittering"])
            found = next((row for row in published if wanted and row["receipt"] == wanted), None)
            lookup = {
                "entered": receipt_display(wanted) if wanted else lookup_form.cleaned_data["kvittering"],
                "found": found,
            }
    context = portal_context(
        link,
        token,
        poll=poll,
        view=view,
        ballots=published,
        electronic=poll.mode == Poll.Mode.ELECTRONIC,
        lookup_form=lookup_form,
        lookup=lookup,
    )
    return TemplateResponse(request, "elections/portal/result.html", context)
