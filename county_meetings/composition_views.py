"""A county meeting's composition: the gender shares of the representatives reported (each at least 40 %), and each
party's share of them beside its share of the votes in the county's municipal elections, flagged beyond the
meeting's threshold in points. Computed by the pure ``composition`` module from the submitted reports and the
imported election results; provisional until every member has reported."""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.staff import staff_page
from county_meetings.composition import percent
from county_meetings.selectors import meeting_composition
from county_meetings.staff_views import VIEW_MEETING, meeting_context, meeting_of
from delegates.models import Participant


def _percent(share) -> str | None:
    return None if share is None else percent(share)


@staff_page(permission=VIEW_MEETING)
def composition(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_of(request, pk)
    result = meeting_composition(meeting)
    labels = dict(Participant.Gender.choices)
    genders = [
        {"share": share, "label": labels[str(share.gender)], "percent": _percent(share.share)}
        for share in result.check.gender.shares
    ]
    parties = [
        {
            "row": row,
            "member_percent": _percent(row.member_share),
            "vote_percent": _percent(row.vote_share),
            "difference": None if row.difference is None else percent(row.difference),
        }
        for row in result.check.parties.rows
    ]
    context = meeting_context(
        request,
        meeting,
        title=_("Composition"),
        step="composition",
        result=result,
        genders=genders,
        parties=parties,
        minimum_percent=percent(result.check.gender.minimum, 0),
    )
    return TemplateResponse(request, "admin/county_meetings/composition.html", context)
