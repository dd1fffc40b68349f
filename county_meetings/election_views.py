"""A county meeting's elections and the transfer of its delegates into the Landsting (issue 16, parts 5 and 6).

- ``elections``: the meeting's elections with their state and outcome (the candidates are entered on the election's
  admin page and the votes run on the officials' desk, as at the Landsting), the button that creates the standard
  elections (asking the number of deputies and the board's size), and the gender balance of the elected county board.
- ``transfer``: a dry run of the transfer (who would become a participant of the Landsting, with role and rank, or
  every problem that stops it), the confirmation that transfers, and afterwards the people transferred with links to
  their Landsting participant pages.

Both are the meeting's regional office's and the secretariat's (``staff_views.meeting_of``: another office's meeting
is not found). The services check everything again.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from core.staff import staff_page
from county_meetings.meeting_elections import (
    BOARD_MAX,
    BOARD_MIN,
    MAX_DEPUTIES,
    STANDARD_OFFICES,
    Outcome,
    county_board_balance,
    election_outcome,
    meeting_elections,
    meeting_elections_create,
    meeting_landsting_seats,
    meeting_transfer_to_landsting,
    meeting_transfers,
)
from county_meetings.models import CountyMeeting
from county_meetings.staff_views import CHANGE_MEETING, VIEW_MEETING, meeting_context, meeting_of
from elections.models import Election, Poll

#: The transfer makes participants of the Landsting: the meeting's change permission and the participants' add.
TRANSFER_PERMISSIONS = (CHANGE_MEETING, "delegates.add_participant")


def _may_transfer(user) -> bool:
    return user.has_perms(TRANSFER_PERMISSIONS)


class ElectionsSetupForm(forms.Form):
    deputies = forms.IntegerField(
        label=gettext_lazy("Deputies to the Landsting"),
        min_value=1,
        max_value=MAX_DEPUTIES,
        help_text=gettext_lazy("Ranked by their votes. As many as the delegates unless the meeting decides otherwise."),
    )
    board_seats = forms.IntegerField(
        label=gettext_lazy("Members of the county board"),
        min_value=BOARD_MIN,
        max_value=BOARD_MAX,
        help_text=gettext_lazy("As the meeting decides: 7 to 15, the leader and the deputy leader included."),
    )


@dataclass(frozen=True)
class ElectionRow:
    election: Election
    outcome: Outcome
    standard: bool
    candidates: int
    poll: Poll | None  # the latest round


def _rows(elections: list[Election]) -> list[ElectionRow]:
    return [
        ElectionRow(
            election=election,
            outcome=election_outcome(election),
            standard=election.office in STANDARD_OFFICES,
            candidates=len(election.candidates_list),
            poll=election.polls_list[-1] if election.polls_list else None,
        )
        for election in elections
    ]


@staff_page(permission=VIEW_MEETING)
@require_http_methods(["GET", "POST"])
def elections(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_of(request, pk)
    can_change = request.user.has_perm(CHANGE_MEETING)
    seats = meeting_landsting_seats(meeting)
    all_elections = meeting_elections(meeting)
    deputy_election = next((e for e in all_elections if e.office == Election.Office.LANDSTING_DEPUTY), None)
    initial = {
        "deputies": deputy_election.seats if deputy_election is not None else seats.municipal_seats or None,
        "board_seats": meeting.county_board_seats,
    }
    form = ElectionsSetupForm(initial=initial) if can_change else None
    status = 200
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        form = ElectionsSetupForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                done = meeting_elections_create(
                    meeting=meeting,
                    user=request.user,
                    deputies=form.cleaned_data["deputies"],
                    board_seats=form.cleaned_data["board_seats"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _setup_message(done))
                return redirect("county_meetings_staff:elections", pk=meeting.pk)
        status = 400
    context = meeting_context(
        request,
        meeting,
        title=_("Elections"),
        step="elections",
        seats=seats,
        rows=_rows(all_elections),
        has_standard=any(e.office in STANDARD_OFFICES for e in all_elections),
        balance=county_board_balance(meeting, all_elections),
        form=form,
        can_change=can_change,
        can_edit_elections=request.user.has_perm("elections.change_election"),
        can_add_candidates=request.user.has_perm("elections.add_candidate"),
        can_see_desk=request.user.has_perm("elections.view_poll") or request.user.has_perm("elections.run_poll"),
    )
    return TemplateResponse(request, "admin/county_meetings/elections.html", context, status=status)


def _setup_message(done) -> str:
    parts = []
    if done.created:
        parts.append(
            ngettext("%(count)d election created.", "%(count)d elections created.", len(done.created))
            % {"count": len(done.created)}
        )
    if done.changed:
        parts.append(
            ngettext(
                "%(count)d election got its new number of seats.",
                "%(count)d elections got their new number of seats.",
                len(done.changed),
            )
            % {"count": len(done.changed)}
        )
    if not parts:
        parts.append(_("The standard elections were already there; nothing changed."))
    return " ".join(parts)


@staff_page(permission=VIEW_MEETING)
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    meeting: CountyMeeting = meeting_of(request, pk)
    may_transfer = _may_transfer(request.user)
    refusal: list[str] = []
    if request.method == "POST":
        if not may_transfer:
            raise PermissionDenied
        try:
            result = meeting_transfer_to_landsting(meeting=meeting, user=request.user)
        except ValidationError as error:
            refusal = error.messages
        else:
            messages.success(request, _transfer_message(result))
            return redirect("county_meetings_staff:transfer", pk=meeting.pk)
    plan = meeting_transfer_to_landsting(meeting=meeting, user=request.user, dry_run=True)
    context = meeting_context(
        request,
        meeting,
        title=_("Transfer to the Landsting"),
        step="transfer",
        plan=plan,
        refusal=refusal,
        transferred=meeting_transfers(meeting),
        may_transfer=may_transfer,
        can_see_participants=request.user.has_perm("delegates.view_participant")
        or request.user.has_perm("delegates.change_participant"),
        can_confirm=may_transfer and plan.ok and bool(plan.to_create or _leader_to_add(plan)),
    )
    return TemplateResponse(request, "admin/county_meetings/transfer.html", context, status=400 if refusal else 200)


def _leader_to_add(plan) -> bool:
    """The board's leader can still be added to (or corrected in) the landsstyre election."""
    note = plan.board_leader
    return note is not None and note.election is not None and not note.done


def _transfer_message(result) -> str:
    created = len(result.created)
    if created:
        text = ngettext(
            "%(count)d person is now a participant of %(landsting)s.",
            "%(count)d people are now participants of %(landsting)s.",
            created,
        ) % {"count": created, "landsting": result.landsting}
    else:
        text = _("Everybody was already transferred; nobody was created again.")
    if result.automatic_member is not None:
        text += " " + _("%(name)s is the county's member by virtue of office in the landsstyre election.") % {
            "name": result.automatic_member.name
        }
    return text
