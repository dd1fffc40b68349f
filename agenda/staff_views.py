"""The agenda's staff pages: an agenda document, downloaded through the permission check.

Agenda documents are uploaded in the agenda item's admin page. Their files are never linked through ``MEDIA_URL``
(which only ``DEBUG`` serves, and which would give them to anyone with the address): the admin links here, and
delegates open them from the portal (``delegates.portal.views.agenda_document``).
"""

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from agenda.models import AgendaDocument
from core.downloads import download_name, file_download
from core.staff import any_permission, staff_page

#: Who may download an agenda document: whoever may download the printed documents (the agenda PDF lists them;
#: ``delegates.documents_views``), and whoever may see the agenda items in the admin, where they are uploaded.
DOWNLOAD_PERMISSION = any_permission("delegates.view_participant", "agenda.view_agendaitem", "agenda.change_agendaitem")


@staff_page(permission=DOWNLOAD_PERMISSION)
@require_GET
def agenda_document_download(request: HttpRequest, document_id: int) -> FileResponse:
    document = get_object_or_404(AgendaDocument, pk=document_id)
    return file_download(document.file, filename=download_name(document.title, document.file.name))
