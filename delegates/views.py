"""The delegation overview: seats against delegates and deputies per county, with warnings."""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from agenda.staff import congress_choice
from core.staff import staff_context, staff_page
from delegates.models import Participant
from delegates.overview import delegation_overview as overview_of


@staff_page(permission="delegates.view_participant")
def delegation_overview(request: HttpRequest) -> HttpResponse:
    congresses, congress = congress_choice(request)
    overview = overview_of(congress=congress, user=request.user) if congress is not None else None
    context = staff_context(
        request,
        title=_("Delegation overview"),
        subtitle=str(congress) if congress else None,
        opts=Participant._meta,
        congresses=congresses,
        congress=congress,
        overview=overview,
    )
    return TemplateResponse(request, "admin/delegates/overview.html", context)
