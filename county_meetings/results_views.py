"""A county meeting's election results: the municipal council election's votes per municipality and party, imported
from a CSV file (``services.election_results_replace``: every error by line, nothing stored when any line is wrong,
the meeting's results replaced in one transaction) and shown per party, for the composition check.

The figures are Valgdirektoratet's, published at valgresultat.no, where each municipality's result can be
downloaded as CSV.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.staff import staff_page
from county_meetings.composition import percent
from county_meetings.forms import ElectionResultsUploadForm
from county_meetings.selectors import stored_election_results
from county_meetings.services import election_results_replace
from county_meetings.staff_views import CHANGE_MEETING, VIEW_MEETING, meeting_context, meeting_of

#: The public source of the figures, named on the page.
SOURCE_URL = "https://valgresultat.no/"


@staff_page(permission=VIEW_MEETING)
def results(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_of(request, pk)
    can_change = request.user.has_perm(CHANGE_MEETING)
    form = ElectionResultsUploadForm()
    file_errors: list[str] = []
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        form = ElectionResultsUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                count = election_results_replace(
                    meeting=meeting, data=form.cleaned_data["file"].read(), source=form.cleaned_data["source"]
                )
            except ValidationError as error:
                file_errors = error.messages
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d result has been stored; the earlier results of the meeting are replaced.",
                        "%(count)d results have been stored; the earlier results of the meeting are replaced.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("county_meetings_staff:results", pk=meeting.pk)
    stored = stored_election_results(meeting)
    context = meeting_context(
        request,
        meeting,
        title=_("Election results"),
        step="results",
        stored=stored,
        parties=[(party, percent(party.share)) for party in stored.parties],
        form=form,
        file_errors=file_errors,
        can_change=can_change,
        source_url=SOURCE_URL,
    )
    return TemplateResponse(request, "admin/county_meetings/results.html", context, status=400 if file_errors else 200)
