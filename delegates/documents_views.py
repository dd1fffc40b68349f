"""Staff page for the printed documents (issue 5): order a PDF, watch it render, download it.

The views parse the request and call ``delegates.services.documents.document_order`` (``staff_page`` has checked
the permission); the worker renders (``delegates.tasks.render_document``). Files are served here, after the permission
check, never as public media URLs.

Documents with participants (badges, the participant list, name cards) cover the whole congress when the secretariat
orders them, and only the regional office's own counties when its staff do (``GeneratedDocument.counties``). Regional
staff see and download only the documents within their counties (``delegates.selectors.documents_visible_to``); others
are not found, so nothing is said of other counties.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from agenda.staff import congress_choice
from core.downloads import file_download
from core.selectors import background_work_delayed
from core.staff import staff_context, staff_page
from delegates.document_progress import document_step, document_step_label
from delegates.models import GeneratedDocument, Participant
from delegates.selectors import counties_visible_to, documents_visible_to, user_sees_all_counties
from delegates.services.documents import PARTICIPANT_DOCUMENT_KINDS, document_order

#: Said when the broker or the worker is away: the order is stored and waits, it is not lost.
_DELAYED_ORDER = gettext_lazy(
    "%(document)s is stored, but the background process that prints documents cannot be reached right now. It will "
    "be printed as soon as the background process is back; there is no need to order it again."
)
VIEW_PERMISSION = "delegates.view_participant"
ORDER_PERMISSION = "delegates.change_participant"
Status = GeneratedDocument.Status


def may_order(user, kind: str) -> bool:
    """Any document; one with participants is limited to the user's counties by ``document_order``."""
    return user.has_perm(ORDER_PERMISSION)


def may_download(user, document: GeneratedDocument) -> bool:
    if not user.has_perm(VIEW_PERMISSION):
        return False
    if document.kind not in PARTICIPANT_DOCUMENT_KINDS or user_sees_all_counties(user):
        return True
    return documents_visible_to(user, GeneratedDocument.objects.filter(pk=document.pk)).exists()


def _visible_documents(request: HttpRequest):
    return documents_visible_to(request.user, GeneratedDocument.objects.all())


def _status_label(document: GeneratedDocument) -> str:
    """What is true of the document now: waiting, being made (with the step), ready, or failed."""
    if document.status == Status.QUEUED:
        # Until a worker has started it: not "being printed", which would not be true with the worker away.
        return _("Queued – waiting for the background process")
    if document.status == Status.RENDERING:
        return document_step_label(document_step(document.pk), document.progress)
    if document.status == Status.DONE:
        return _("Ready")
    return _("Failed")


def _order_message(request: HttpRequest, document: GeneratedDocument) -> None:
    """Say what happened to the order, true for as long as the message is on screen: eager tasks may have finished
    it already; otherwise the row below, which follows the document, says how far it has come."""
    document.refresh_from_db()
    if document.status == Status.DONE:
        messages.success(request, _("%(document)s is ready: download it from the list below.") % {"document": document})
    elif document.status == Status.FAILED:
        messages.error(
            request, _("%(document)s could not be made: %(error)s") % {"document": document, "error": document.error}
        )
    elif background_work_delayed():
        messages.warning(request, _DELAYED_ORDER % {"document": document})
    else:
        messages.success(
            request,
            _("%(document)s is ordered. The list below shows how far it has come, and the link when it is ready.")
            % {"document": document},
        )


def _announcement(document: GeneratedDocument) -> str:
    """Said in the page's status line when a document the page was following is finished."""
    if document.status == Status.DONE:
        return _("%(document)s is ready.") % {"document": document}
    if document.status == Status.FAILED:
        return _("%(document)s could not be made.") % {"document": document}
    return ""


def _status(request: HttpRequest, document: GeneratedDocument) -> dict:
    """``document`` comes from ``_visible_documents``: the user may download it once it is ready."""
    downloadable = document.status == Status.DONE and bool(document.file) and request.user.has_perm(VIEW_PERMISSION)
    return {
        "id": document.pk,
        "status": document.status,
        "status_label": _status_label(document),
        "ready": document.status == Status.DONE,
        "announcement": _announcement(document),
        "progress": document.progress,
        "pages": document.pages,
        "error": document.error,
        "done": document.status in (Status.DONE, Status.FAILED),
        "download_url": reverse("delegates_staff:document_download", args=[document.pk]) if downloadable else "",
        "finished_at": formats.date_format(timezone.localtime(document.finished_at), "SHORT_DATETIME_FORMAT")
        if document.finished_at
        else "",
    }


@staff_page(permission=VIEW_PERMISSION)
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest) -> HttpResponse:
    congresses, congress = congress_choice(request)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if congress is None or kind not in GeneratedDocument.Kind.values:
            raise Http404(_("Unknown document."))
        if not may_order(request.user, kind):
            raise PermissionDenied
        document = document_order(congress=congress, kind=kind, user=request.user)
        _order_message(request, document)
        return redirect(f"{reverse('delegates_staff:documents')}?congress={congress.pk}")

    document_rows = []
    if congress is not None:
        recent = (
            _visible_documents(request)
            .filter(congress=congress)
            .select_related("created_by")
            .prefetch_related("counties")
            .order_by("-created_at")
        )
        document_rows = [(document, _status(request, document)) for document in recent[:100]]
    sees_all = user_sees_all_counties(request.user)
    kinds = [
        (value, label, may_order(request.user, value), value in PARTICIPANT_DOCUMENT_KINDS)
        for value, label in GeneratedDocument.Kind.choices
    ]
    pending = any(not status["done"] for _document, status in document_rows)
    context = staff_context(
        request,
        title=_("Printed documents"),
        subtitle=str(congress) if congress else None,
        opts=Participant._meta,
        congresses=congresses,
        congress=congress,
        documents=document_rows,
        kinds=kinds,
        can_order=request.user.has_perm(ORDER_PERMISSION),
        sees_all=sees_all,
        own_counties=", ".join(county.name for county in counties_visible_to(request.user)) if not sees_all else "",
        pending=pending,
        delayed=pending and background_work_delayed(),
    )
    return TemplateResponse(request, "admin/delegates/documents.html", context)


@staff_page(permission=VIEW_PERMISSION)
@require_GET
def document_status(request: HttpRequest, document_id: int) -> JsonResponse:
    document = get_object_or_404(_visible_documents(request), pk=document_id)
    return JsonResponse(_status(request, document))


@staff_page(permission=VIEW_PERMISSION)
@require_GET
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    document = get_object_or_404(_visible_documents(request), pk=document_id)  # another region's: not found
    if not may_download(request.user, document):
        raise PermissionDenied
    if document.status != Status.DONE or not document.file:
        raise Http404(_("The document is not ready."))
    return file_download(document.file)
