"""The hall screen (storskjerm) and the lower third for the live stream.

Served two ways: as staff pages under ``admin/plenary/`` for a signed-in desk, and without sign-in behind the hall's
screen key under ``sal/<key>/`` (a projector's or a streaming program's browser; ``plenary/hall_urls.py``). Both
render the same page, which draws itself from the state document (``static/js/plenary-screen.js`` on
``static/js/hall-feed.js``, every 500 ms): ``plenary.selectors.screen_document``, answered through
``plenary.http.state_response`` with the screen's tag (the hall's version, with the vote's state and count while the
screen shows a vote), so an unchanged screen costs two queries and a 304.

The key pages speak the site's language (bokmål): a hall screen's browser says nothing about its audience. They are
never stored, indexed or named in a Referer (the key is in the address)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agenda.models import Congress
from agenda.staff import congress_choice
from core.staff import any_permission, staff_context, staff_page
from plenary import selectors
from plenary.http import state_response
from plenary.models import SpeakerRequest
from plenary.screen_services import hall_screen_key_renew

#: The desk that runs the hall, and staff who may look at the lists of speakers.
SCREEN_PERMISSION = any_permission("plenary.run_speakerslist", "plenary.view_speakerslist")
#: Who may give the screens a new key (and so stop the links given out).
RUN_PERMISSION = "plenary.run_speakerslist"
#: How often the screens ask for the state document (ms): a change reaches them within a second.
SCREEN_INTERVAL_MS = 500

SCREEN_TEMPLATE = "plenary/screen.html"
LOWER_THIRD_TEMPLATE = "plenary/screen_lower_third.html"


def _private(response: HttpResponse) -> HttpResponse:
    """Never stored, never indexed, never named in a Referer."""
    patch_cache_control(response, no_store=True, no_cache=True, private=True)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(request: HttpRequest, template: str, *, congress: Congress, state_url: str) -> HttpResponse:
    context = {"congress": congress, "state_url": state_url, "interval": SCREEN_INTERVAL_MS}
    response = TemplateResponse(request, template, context)
    response.render()
    return _private(response)


def _state(request: HttpRequest, hall: selectors.ScreenHall) -> HttpResponse:
    state = selectors.screen_state(hall)
    return _private(state_response(request, tag=state.tag, document=lambda: selectors.screen_document(state)))


# --- For the signed-in desk ----------------------------------------------------------------------------------------


@staff_page(permission=SCREEN_PERMISSION)
@require_GET
def screen(request: HttpRequest, congress_id: int) -> HttpResponse:
    congress = get_object_or_404(Congress, pk=congress_id)
    url = reverse("plenary_staff:screen_state", args=[congress.pk])
    return _page(request, SCREEN_TEMPLATE, congress=congress, state_url=url)


@staff_page(permission=SCREEN_PERMISSION)
@require_GET
def lower_third(request: HttpRequest, congress_id: int) -> HttpResponse:
    congress = get_object_or_404(Congress, pk=congress_id)
    url = reverse("plenary_staff:screen_state", args=[congress.pk])
    return _page(request, LOWER_THIRD_TEMPLATE, congress=congress, state_url=url)


@staff_page(permission=SCREEN_PERMISSION)
@require_GET
def screen_state(request: HttpRequest, congress_id: int) -> HttpResponse:
    congress = get_object_or_404(Congress, pk=congress_id)
    return _state(request, selectors.screen_hall_of(congress))


@staff_page(permission=SCREEN_PERMISSION)
@require_http_methods(["GET", "POST"])
def screen_links(request: HttpRequest) -> HttpResponse:
    """The links of the hall screen and of the lower third for the chosen congress, to open on the projector's and the
    streaming computer's browser; and a new key, which stops the links given out before (POST, the desk only)."""
    congresses, congress = congress_choice(request)
    here = reverse("plenary_staff:screen_links")
    if request.method == "POST":
        if not request.user.has_perm(RUN_PERMISSION):
            raise PermissionDenied
        if congress is not None:
            had_links = selectors.screen_links(congress) is not None
            hall_screen_key_renew(congress=congress, user=request.user)
            messages.success(
                request,
                _("The screens have a new key: open the new links below. The old links no longer open.")
                if had_links
                else _("The links of the hall screen and the lower third are ready."),
            )
        query = f"?{urlencode({'congress': congress.pk})}" if congress else ""
        return HttpResponseRedirect(here + query)
    links = selectors.screen_links(congress) if congress else None
    context = staff_context(
        request,
        title=_("Hall screen and lower third"),
        subtitle=str(congress) if congress else None,
        opts=SpeakerRequest._meta,
        congresses=congresses,
        congress=congress,
        current_url=here,
        screen_url=request.build_absolute_uri(links[0]) if links else "",
        lower_third_url=request.build_absolute_uri(links[1]) if links else "",
        staff_screen_url=reverse("plenary_staff:screen", args=[congress.pk]) if congress else "",
        may_renew=request.user.has_perm(RUN_PERMISSION),
    )
    response = TemplateResponse(request, "plenary/screen_links.html", context)
    # The keys are in the page, not in its address: not stored; a Referer to the site itself (the form's POST needs
    # an Origin that the CSRF check knows), the links open with rel=noreferrer.
    patch_cache_control(response, no_store=True, private=True)
    response["Referrer-Policy"] = "same-origin"
    return response


# --- Behind the hall's screen key (no sign-in) ---------------------------------------------------------------------


def _not_found() -> HttpResponse:
    return _private(HttpResponseNotFound("Not Found", content_type="text/plain; charset=utf-8"))


def _by_key(view):
    """Resolve the key (one query; a wrong one is a plain 404) and answer in the site's language."""

    def wrapper(request: HttpRequest, key: str) -> HttpResponse:
        hall = selectors.screen_hall_by_key(key)
        if hall is None:
            return _not_found()
        with translation.override(settings.LANGUAGE_CODE):
            request.LANGUAGE_CODE = translation.get_language()
            return view(request, key, hall)

    wrapper.__name__ = wrapper.__qualname__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return require_GET(wrapper)


@_by_key
def hall_screen(request: HttpRequest, key: str, hall: selectors.ScreenHall) -> HttpResponse:
    url = reverse("plenary_hall:screen_state", args=[key])
    return _page(request, SCREEN_TEMPLATE, congress=hall.congress, state_url=url)


@_by_key
def hall_lower_third(request: HttpRequest, key: str, hall: selectors.ScreenHall) -> HttpResponse:
    url = reverse("plenary_hall:screen_state", args=[key])
    return _page(request, LOWER_THIRD_TEMPLATE, congress=hall.congress, state_url=url)


@_by_key
def hall_screen_state(request: HttpRequest, key: str, hall: selectors.ScreenHall) -> HttpResponse:
    return _state(request, hall)
