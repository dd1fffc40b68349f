"""Staff page for the printed documents (issue 5): order a PDF, watch it render, download it.

The views parse the request, check the permission and call ``delegates.services.document_order``; the worker
renders (``delegates.tasks.render_document``). Files are served here, after the permission check, never as public
media URLs.

Documents with participants (badges, the participant list, name cards) cover the whole congress: only users who see
every county may order or download them; regional staff are told so on the page.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agenda.models import Congress
from delegates.models import GeneratedDocument, Participant
from delegates.selectors import user_sees_all_counties
from delegates.services import PARTICIPANT_DOCUMENT_KINDS, document_order

VIEW_PERMISSION = "delegates.view_participant"
ORDER_PERMISSION = "delegates.change_participant"
Status = GeneratedDocument.Status


def _check_view(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied


def may_order(user, kind: str) -> bool:
    if not user.has_perm(ORDER_PERMISSION):
        return False
    return kind not in PARTICIPANT_DOCUMENT_KINDS or user_sees_all_counties(user)


def may_download(user, document: GeneratedDocument) -> bool:
    if not user.has_perm(VIEW_PERMISSION):
        return False
    return document.kind not in PARTICIPANT_DOCUMENT_KINDS or user_sees_all_counties(user)


def _congress(request: HttpRequest) -> tuple[list[Congress], Congress | None]:
    congresses = list(Congress.objects.order_by("-first_day"))
    congress = congresses[0] if congresses else None
    wanted = request.POST.get("congress", "") or request.GET.get("congress", "")
    if wanted.isdigit():
        congress = next((c for c in congresses if c.pk == int(wanted)), congress)
    return congresses, congress


def _status(request: HttpRequest, document: GeneratedDocument) -> dict:
    downloadable = document.status == Status.DONE and bool(document.file) and may_download(request.user, document)
    return {
        "id": document.pk,
        "status": document.status,
        "status_label": str(document.get_status_display()),
        "progress": document.progress,
        "pages": document.pages,
        "error": document.error,
        "done": document.status in (Status.DONE, Status.FAILED),
        "download_url": reverse("delegates_document_download", args=[document.pk]) if downloadable else "",
        "finished_at": formats.date_format(timezone.localtime(document.finished_at), "SHORT_DATETIME_FORMAT")
        if document.finished_at
        else "",
    }


@require_http_methods(["GET", "POST"])
def _documents(request: HttpRequest) -> HttpResponse:
    _check_view(request)
    congresses, congress = _congress(request)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if congress is None or kind not in GeneratedDocument.Kind.values:
            raise Http404(_("Unknown document."))
        if not may_order(request.user, kind):
            raise PermissionDenied
        document = document_order(congress=congress, kind=kind, user=request.user)
        messages.success(
            request, _("%(document)s is being printed; this page shows when it is ready.") % {"document": document}
        )
        return redirect(f"{reverse('delegates_documents')}?congress={congress.pk}")

    documents = []
    if congress is not None:
        rows = GeneratedDocument.objects.filter(congress=congress).select_related("created_by").order_by("-created_at")
        documents = [(document, _status(request, document)) for document in rows[:100]]
    sees_all = user_sees_all_counties(request.user)
    kinds = [
        (value, label, may_order(request.user, value), value in PARTICIPANT_DOCUMENT_KINDS)
        for value, label in GeneratedDocument.Kind.choices
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("Printed documents"),
        "subtitle": str(congress) if congress else None,
        "opts": Participant._meta,
        "congresses": congresses,
        "congress": congress,
        "documents": documents,
        "kinds": kinds,
        "can_order": request.user.has_perm(ORDER_PERMISSION),
        "sees_all": sees_all,
        "pending": any(not status["done"] for _document, status in documents),
    }
    return TemplateResponse(request, "admin/delegates/documents.html", context)


@require_GET
def _document_status(request: HttpRequest, document_id: int) -> JsonResponse:
    _check_view(request)
    document = get_object_or_404(GeneratedDocument, pk=document_id)
    return JsonResponse(_status(request, document))


@require_GET
def _document_download(request: HttpRequest, document_id: int) -> FileResponse:
    _check_view(request)
    document = get_object_or_404(GeneratedDocument, pk=document_id)
    if not may_download(request.user, document):
        raise PermissionDenied
    if document.status != Status.DONE or not document.file:
        raise Http404(_("The document is not ready."))
    filename = document.file.name.rsplit("/", 1)[-1]
    response = FileResponse(
        document.file.open("rb"), content_type="application/pdf", as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


documents_view = admin.site.admin_view(_documents)
document_status_view = admin.site.admin_view(_document_status)
document_download_view = admin.site.admin_view(_document_download)
