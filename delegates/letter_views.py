"""The invitation letter with sample data, as the mail texts' editors check it before the invitations go out."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from agenda.models import Congress
from core.staff import any_permission, staff_page
from delegates.letters import sample_invitation_letter
from delegates.models import MailText


@staff_page(permission=any_permission("delegates.view_mailtext", "delegates.change_mailtext"))
def letter_preview(request: HttpRequest, congress_id: int, language: str) -> HttpResponse:
    if language not in MailText.Language.values:
        raise PermissionDenied
    congress = get_object_or_404(Congress, pk=congress_id)
    response = HttpResponse(
        sample_invitation_letter(congress=congress, language=language), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="invitation-preview-{language}.pdf"'
    return response
