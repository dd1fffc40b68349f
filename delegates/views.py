from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from agenda.models import Congress
from delegates.models import Participant
from delegates.overview import delegation_overview


def _delegation_overview(request: HttpRequest) -> HttpResponse:
    """The delegation overview in the admin: only parses the chosen congress and checks the permission."""
    if not request.user.has_perm("delegates.view_participant"):
        raise PermissionDenied
    congresses = list(Congress.objects.order_by("-first_day"))
    congress = congresses[0] if congresses else None
    wanted = request.GET.get("congress", "")
    if wanted.isdigit():
        congress = next((c for c in congresses if c.pk == int(wanted)), congress)
    overview = delegation_overview(congress=congress, user=request.user) if congress is not None else None
    context = {
        **admin.site.each_context(request),
        "title": _("Delegation overview"),
        "subtitle": str(congress) if congress else None,
        "opts": Participant._meta,
        "congresses": congresses,
        "congress": congress,
        "overview": overview,
    }
    return TemplateResponse(request, "admin/delegates/overview.html", context)


delegation_overview_view = admin.site.admin_view(_delegation_overview)
