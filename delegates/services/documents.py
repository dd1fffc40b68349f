"""Printed documents: ordered by staff, rendered by a worker."""

import logging
from collections.abc import Callable

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Congress
from core.pdf_progress import pdf_progress
from core.services import job_queue
from delegates.document_progress import RenderProgress
from delegates.models import GeneratedDocument
from delegates.selectors import counties_visible_to, user_sees_all_counties

logger = logging.getLogger(__name__)

#: Documents that list participants: for the whole congress when ordered by a user who sees every county, for the
#: counties a regional office sees when ordered by its staff (``GeneratedDocument.counties``).
PARTICIPANT_DOCUMENT_KINDS = frozenset({"badges_a4", "badges_labels", "participant_list", "name_cards"})


def document_order(*, congress: Congress, kind: str, user: AbstractBaseUser | None) -> GeneratedDocument:
    """A new printed document, QUEUED; the worker renders it once the transaction commits.

    The rendering is a ``core.Job`` stored with the document, so a broker that is away when it is ordered delays it
    but cannot lose it. Documents with participants cover the whole congress when ordered by a user who sees every
    county, and only the counties the user sees otherwise (a regional office prints for its own counties).
    """
    from delegates.tasks import render_document  # the task module imports this one

    if kind not in GeneratedDocument.Kind.values:
        raise ValidationError(_("Unknown document."))
    counties = []
    if kind in PARTICIPANT_DOCUMENT_KINDS and user is not None and not user_sees_all_counties(user):
        counties = list(counties_visible_to(user))
        if not counties:  # no counties: nothing to print, and never the whole congress (no counties means that)
            raise PermissionDenied(_("You are not responsible for any county, so there are no participants to print."))
    document = GeneratedDocument.objects.create(
        congress=congress, kind=kind, status=GeneratedDocument.Status.QUEUED, created_by=user
    )
    if counties:
        document.counties.set(counties)
    job_queue(task=render_document, args=[document.pk])
    return document


def _document_builder(kind: str):
    """The function that renders ``kind``: ``(congress, progress=..., [counties=...]) -> (pdf bytes, pages)``."""
    from delegates import printing

    builders = {
        "badges_a4": printing.build_badges_a4,
        "badges_labels": printing.build_badges_labels,
        "participant_list": printing.build_participant_list,
        "name_cards": printing.build_name_cards,
    }
    if kind in builders:
        return builders[kind]
    if kind in ("programme", "agenda"):
        from agenda import printing as agenda_printing  # WeasyPrint is loaded only where documents are rendered

        render = agenda_printing.render_programme if kind == "programme" else agenda_printing.render_agenda

        def build(congress, *, progress=None):
            return render(congress)

        return build
    raise RuntimeError(_("Unknown document: %(kind)s") % {"kind": kind})


def document_render(
    *, document_id: int, progress: Callable[[int], None] | None = None, resume: bool = False
) -> GeneratedDocument | None:
    """Render a QUEUED document: RENDERING with progress, then DONE with the file, or FAILED with the error.

    A duplicated task finds the document no longer QUEUED and does nothing. ``resume`` also takes a document left
    RENDERING by a worker that died: the job runner passes it, because its claim on the ``core.Job`` already makes
    sure no other worker renders the document. ``progress`` (optional) is called with the builder's percentages too;
    the row's ``progress`` is updated with ``.update()`` as WeasyPrint lays out the pages, and the step ("page 20 of
    57") goes to the cache, so a polling page shows both (``delegates.document_progress``).
    """
    Status = GeneratedDocument.Status
    startable = [Status.QUEUED, Status.RENDERING] if resume else [Status.QUEUED]
    started = GeneratedDocument.objects.filter(pk=document_id, status__in=startable).update(
        status=Status.RENDERING, progress=0, error=""
    )
    if not started:
        return None
    document = GeneratedDocument.objects.select_related("congress").get(pk=document_id)
    tracker = RenderProgress(document_id)
    tracker(0)  # reading the data

    def report(percent: int) -> None:
        tracker(percent)
        if progress is not None:
            progress(percent)

    report.expect = tracker.expect  # a builder that knows how many pages it makes says so (page n of m)

    try:
        build = _document_builder(document.kind)
        counties = list(document.counties.all())  # none: the whole congress
        limited = {"counties": counties} if counties else {}
        with pdf_progress(tracker.step):
            pdf, pages = build(document.congress, progress=report, **limited)
        tracker.finish(95)
        if progress is not None:
            progress(95)
        name = f"{document.kind.replace('_', '-')}-{document.congress.year}-{document.pk}.pdf"
        document.file.save(name, ContentFile(pdf), save=False)
        document.pages = pages
        document.status = Status.DONE
        document.progress = 100
        document.finished_at = timezone.now()
        document.save(update_fields=["file", "pages", "status", "progress", "finished_at"])
        if progress is not None:
            progress(100)
    except Exception as error:
        logger.exception("Rendering document %s (%s) failed", document_id, document.kind)
        tracker.finish(tracker.percent)
        GeneratedDocument.objects.filter(pk=document_id).update(
            status=Status.FAILED, error=str(error) or type(error).__name__, finished_at=timezone.now()
        )
        document.refresh_from_db()
    return document
