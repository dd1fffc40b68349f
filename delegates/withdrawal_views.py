"""A participant withdraws: the staff page that records it and names the deputy who takes the seat."""

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
                invited = invitations_plan(participants=[substitution.replacement]).to_send
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
        holds_seat=participant.has_voting_right,
    )
    return TemplateResponse(request, "admin/delegates/participant/withdraw.html", context)
