"""Staff revoke one personal link: the staff page behind "Revoke this link…" on a participant's page.

Revoking every link of several participants at once is the participants' admin action "Revoke all personal links".
"""

from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.staff import staff_context, staff_page
from delegates.models import Participant, PersonalLink
from delegates.selectors import scope_to_user
from delegates.services.links import personal_link_revoke


@staff_page(permission="delegates.change_participant")
def personal_link_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes the link (the participant's other links keep working) and logs it."""
    link = (
        PersonalLink.objects.with_problem(at=timezone.now())
        .select_related("participant__congress")
        .filter(pk=pk, participant__in=scope_to_user(Participant.objects.all(), request.user))
        .first()
    )
    if link is None:  # another region's link, as the admin answers for its own pages
        messages.warning(
            request,
            _("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?")
            % {"name": PersonalLink._meta.verbose_name, "key": pk},
        )
        return redirect("admin:index")
    participant = link.participant
    if request.method == "POST":
        try:
            revoked = personal_link_revoke(link=link, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if revoked:
                LogEntry.objects.log_actions(
                    user_id=request.user.pk,
                    queryset=[participant],
                    action_flag=CHANGE,
                    change_message=_("Revoked the personal link issued %(date)s.")
                    % {"date": date_format(timezone.localtime(link.created_at), "SHORT_DATETIME_FORMAT")},
                    single_object=True,
                )
                messages.success(request, _("The link is revoked. The participant's other links still work."))
            else:
                messages.info(request, _("The link was already revoked."))
        return redirect("admin:delegates_participant_change", participant.pk)
    context = staff_context(
        request,
        title=_("Revoke a personal link of %(name)s") % {"name": participant},
        opts=Participant._meta,
        original=participant,
        participant=participant,
        link=link,
        other_open_links=PersonalLink.objects.valid().filter(participant=participant).exclude(pk=link.pk).count(),
    )
    return TemplateResponse(request, "admin/delegates/participant/revoke_link.html", context)
