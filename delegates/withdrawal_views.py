"""A participant withdraws: the staff page that records it and names the deputy who takes the seat."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.forms import add_service_errors
from core.staff import staff_context, staff_page
from delegates.forms import WithdrawForm
from delegates.models import Participant
from delegates.selectors import delegation_free_deputies, invitations_plan, scope_to_user
from delegates.services.participants import participant_withdraw


def _deputy_not_mailed(*, deputy: Participant, seat_of: Participant) -> str | None:
    """Why ``deputy``, once in ``seat_of``'s seat, would get no invitation mail; None when they would get one.

    The withdrawal invites the deputy who takes the seat (``participant_withdraw``), by the rule of
    ``invitations_plan``; the page asks the same rule of the deputy as if the seat were already taken.
    """
    acting = copy.copy(deputy)
    acting.acting_for_id = seat_of.acting_for_id or seat_of.pk
    refused = invitations_plan(participants=[acting], seat_taken=True).refused
    return refused[0][1] if refused else None


@staff_page(permission=("delegates.change_participant", "delegates.add_substitution"))
def participant_withdraw_page(request: HttpRequest, pk: int) -> HttpResponse:
    participant = scope_to_user(Participant.objects.all(), request.user, county_path="county").filter(pk=pk).first()
    if participant is None:  # another region's participant, as the admin answers for its own pages
        messages.warning(
            request,
            _("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?")
            % {"name": Participant._meta.verbose_name, "key": pk},
        )
        return redirect("admin:index")
    deputies = delegation_free_deputies(participant=participant)
    form = WithdrawForm(request.POST or None, deputies=deputies)
    if request.method == "POST" and form.is_valid():
        try:
            substitution = participant_withdraw(
                participant=participant,
                user=request.user,
                reason=form.cleaned_data["reason"],
                replacement=form.cleaned_data["replacement"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if substitution.replacement:
                invited = invitations_plan(participants=[substitution.replacement], seat_taken=True).to_send
                messages.success(
                    request,
                    _("%(withdrawn)s has withdrawn; %(deputy)s takes the seat.")
                    % {"withdrawn": participant, "deputy": substitution.replacement},
                )
                if invited:
                    messages.info(
                        request,
                        _("%(deputy)s is sent an invitation with a personal link.")
                        % {"deputy": substitution.replacement},
                    )
            elif substitution.held_seat:
                messages.warning(
                    request,
                    _("%(withdrawn)s has withdrawn. No deputy is left in the delegation: the seat is empty.")
                    % {"withdrawn": participant},
                )
            else:
                messages.success(request, _("%(withdrawn)s has withdrawn.") % {"withdrawn": participant})
            return redirect("admin:delegates_participant_change", participant.pk)
    context = staff_context(
        request,
        title=_("Withdraw %(name)s") % {"name": participant},
        opts=Participant._meta,
        original=participant,
        participant=participant,
        form=form,
        next_deputy=deputies[0] if deputies else None,
        # Said before it happens: whether recording the withdrawal mails the deputy (issue 14).
        next_deputy_not_mailed=(
            _deputy_not_mailed(deputy=deputies[0], seat_of=participant)
            if deputies and participant.has_voting_right
            else None
        ),
        holds_seat=participant.has_voting_right,
    )
    return TemplateResponse(request, "admin/delegates/participant/withdraw.html", context)
