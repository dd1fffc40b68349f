"""The ballot page, rendered once and shared: the whole hall opens the same ballot within a minute.

A worker process renders the page of a poll once per language and per what differs between voters (whether
registration is still open, the regional office in the help box), keeps it with the voter's secret and the CSRF
token taken out, and answers every further voter with their own secret and a fresh CSRF token put in. Nothing else
of the voter can be in the kept page: it is rendered from a context that holds only those parts (``participant`` is
a stand-in with the county's regional office and nothing more), so a template that came to show a voter's name would
show nothing rather than someone else's. The copy lives in the process's memory only (never in the shared cache:
it would hold nothing secret, but it is no business of Redis), for as long as the poll's title, candidates and texts
stay the same (they are part of its key).

A request that carries a session (a signed-in staff user, whose page header differs) or a query string is rendered
as usual and not kept.
"""

import re
import threading
from collections import OrderedDict
from types import SimpleNamespace

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation

from delegates.models import Participant, PersonalLink
from delegates.selectors import registration_is_open
from elections.models import Poll
from elections.results import candidate_detail

TEMPLATE = "elections/portal/ballot.html"
#: Stands for the voter's secret in a kept page; the shape of a secret, so that it passes the URL patterns.
TOKEN_PLACEHOLDER = "ballot-page-token-stands-here-0000000000000"  # noqa: S105 - not a secret
_CSRF_PLACEHOLDER = "\x00csrf\x00"
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
KEPT_PAGES = 64

_kept: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()


def _context(link: PersonalLink, token: str, *, poll: Poll, form) -> tuple[dict, tuple]:
    """The page's context, from the voter only what pages may share, and the key of what it holds."""
    participant = link.participant
    office = participant.county.regional_office if participant.county_id else None
    office_shown = SimpleNamespace(name=office.name, email=office.email) if office is not None else None
    is_open = registration_is_open(participant)
    withdrawn = participant.status == Participant.Status.WITHDRAWN
    candidates = tuple(
        (candidate.pk, candidate.full_name, candidate_detail(candidate))
        for candidate in getattr(form, "candidates", ())
    )
    key = (
        translation.get_language(),
        poll.pk,
        poll.title,
        poll.subject_label,
        poll.kind,
        poll.max_choices,
        candidates,
        is_open,
        withdrawn,
        (office.name, office.email) if office is not None else None,
    )
    context = {
        "participant": SimpleNamespace(county=SimpleNamespace(regional_office=office_shown)),
        "token": token,
        "is_open": is_open,
        "withdrawn": withdrawn,
        "poll": poll,
        "form": form,
        "messages": (),
    }
    return context, key


def _personal(page: str, request: HttpRequest, token: str) -> str:
    return page.replace(TOKEN_PLACEHOLDER, token).replace(_CSRF_PLACEHOLDER, get_token(request))


def ballot_page_response(request: HttpRequest, link: PersonalLink, token: str, *, poll: Poll, form) -> HttpResponse:
    """The ballot page for this voter: the kept page with their secret and CSRF token, or rendered (and kept)."""
    context, key = _context(link, token, poll=poll, form=form)
    keep = not request.META.get("QUERY_STRING") and settings.SESSION_COOKIE_NAME not in request.COOKIES
    if keep:
        with _lock:
            page = _kept.get(key)
            if page is not None:
                _kept.move_to_end(key)
        if page is not None:
            return HttpResponse(_personal(page, request, token))
    html = render_to_string(TEMPLATE, context, request)
    if keep:
        page = _CSRF_INPUT.sub(rf"\g<1>{_CSRF_PLACEHOLDER}\g<2>", html.replace(token, TOKEN_PLACEHOLDER))
        with _lock:
            _kept[key] = page
            while len(_kept) > KEPT_PAGES:
                _kept.popitem(last=False)
    return HttpResponse(html)


def forget_kept_pages() -> None:
    """Drop every kept page (tests)."""
    with _lock:
        _kept.clear()
