"""The public pages of the congress: the front page and the programme of the week, in bokmål and English."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from agenda.models import Congress
from agenda.selectors import congress_current, programme


def home(request: HttpRequest) -> HttpResponse:
    """The front page: the current congress (place, dates, registration deadline) and the ways in."""
    return render(request, "agenda/home.html", {"congress": congress_current()})


@require_http_methods(["GET"])
def programme_view(request: HttpRequest) -> HttpResponse:
    requested = request.GET.get("congress")
    if requested:
        if not requested.isdigit():
            raise Http404
        congress = Congress.objects.filter(pk=int(requested)).first()
        if congress is None:
            raise Http404
    else:
        congress = congress_current()
    language = translation.get_language() or "nb"
    context = {
        "congress": congress,
        "days": programme(congress=congress, language=language) if congress else [],
        "others": list(Congress.objects.exclude(pk=congress.pk if congress else None).only("name", "first_day")),
    }
    return TemplateResponse(request, "agenda/programme.html", context)
