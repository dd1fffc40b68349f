"""Access to the pages behind a personal link, for every portal (registration, committees, voting).

``personal_link_required`` resolves the secret in the URL and hands the view the link, or answers a bad link with its
own page (404 or 410) without any participant data; the page behind a link is in the participant's language
(``Participant.language``, the language of their mails and letters too), whatever the browser asks for.
``portal_headers`` keeps the URL, which is the secret, from leaking: never sent to other sites as a Referer, never
stored by a shared cache, never indexed. ``portal_context`` is what every portal page needs to render.
"""

from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation

from delegates.models import Participant, PersonalLink
from delegates.selectors import registration_is_open
from delegates.services.links import LinkProblem, personal_link_resolve

LINK_PROBLEM_STATUS = {"malformed": 404, "unknown": 404, "revoked": 410, "expired": 410}


# "same-origin", not "no-referrer": under "no-referrer" browsers send ``Origin: null`` with every form POST, and
# Django's CSRF check then refuses all of them (the registration form, cancelling, the language switch). With
# "same-origin" no other site ever sees the URL, so the token still never leaves our origin.
REFERRER_POLICY = "same-origin"


def portal_headers(view):
    """The token is in the URL: never send it to other sites as a Referer, never store the page, never index it."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = REFERRER_POLICY
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def personal_link_required(view=None, *, touch: bool = True):
    """Resolve ``token``; a bad link gets its own page (404 or 410) without any participant data.

    The view runs, and its page is rendered, in the participant's language. ``@personal_link_required(touch=False)``
    does not record the visit (see ``personal_link_resolve``).
    """
    if view is None:
        return lambda view: personal_link_required(view, touch=touch)

    @portal_headers
    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        try:
            link = personal_link_resolve(token=token, touch=touch)
        except LinkProblem as problem:
            return TemplateResponse(
                request,
                "delegates/portal/link_problem.html",
                {"problem": problem.code},
                status=LINK_PROBLEM_STATUS.get(problem.code, 404),
            )
        language = link.participant.language
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, link, token, *args, **kwargs)
            if callable(getattr(response, "render", None)) and not response.is_rendered:
                response.render()  # a TemplateResponse: rendered here, in the participant's language
        response.headers["Content-Language"] = language
        return response

    return wrapper


def portal_context(link: PersonalLink, token: str, **extra) -> dict:
    """What every page behind the personal link needs (the registration, committees and voting portals)."""
    participant = link.participant
    return {
        "participant": participant,
        "congress": participant.congress,
        "token": token,
        "is_open": registration_is_open(participant),
        "withdrawn": participant.status == Participant.Status.WITHDRAWN,
        # The header's language switch changes the participant's language (mails and letters follow), not only
        # the browser's.
        "language_switch_action": reverse("portal:language", args=[token]),
        **extra,
    }
