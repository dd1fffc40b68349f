"""How far a printed document being rendered has come: the percentage on its row, and the step in the cache.

The worker (``delegates.services.documents.document_render``) follows WeasyPrint's steps (``core.pdf_progress``):
reading the participants, preparing the pages, laying out page n of m (m is known for badges and name cards, where
the builder says how many pages there will be), writing the PDF file. The percentage is stored on the
``GeneratedDocument`` row, which the page polls; the step ("page 20 of 57") is written to the cache, shared by the
web and the worker processes on Redis and by the web process and its job thread in the embedded default. The step is
a nicety: without it (a cache that lost it) the page shows the percentage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _

from core.pdf_progress import LAYOUT, PREPARING, WRITING, PdfStep
from delegates.models import GeneratedDocument

#: Reading the participants or the programme, before WeasyPrint starts.
READING = "reading"
#: Seconds a step is kept in the cache: far longer than a render, short enough to clean up after a dead worker.
STEP_TIMEOUT = 60 * 60
#: The row and the cache are written at most this often (a name card is one page; 455 pages in a few seconds).
WRITE_EVERY = 0.25

# The percentage at each step: WeasyPrint's layout is about half of the time, writing the file a third.
_READ, _PREPARE, _LAYOUT_START, _LAYOUT_END, _WRITE = 10, 15, 20, 80, 85


@dataclass(frozen=True)
class DocumentStep:
    stage: str
    page: int | None = None
    pages: int | None = None


def _key(document_id: int) -> str:
    return f"delegates:document-step:{document_id}"


def document_step(document_id: int) -> DocumentStep | None:
    """The step a RENDERING document is at, if the cache has it."""
    value = cache.get(_key(document_id))
    if not isinstance(value, dict):
        return None
    return DocumentStep(stage=value.get("stage", ""), page=value.get("page"), pages=value.get("pages"))


def document_step_label(step: DocumentStep | None, progress: int) -> str:
    """What the page says while the document is being made: the step, or the percentage."""
    if step is not None:
        if step.stage == LAYOUT and step.page and step.pages:
            page = min(step.page, step.pages)
            return _("Being made: page %(page)d of %(pages)d") % {"page": page, "pages": step.pages}
        if step.stage == LAYOUT and step.page:
            return _("Being made: page %(page)d") % {"page": step.page}
        if step.stage == PREPARING:
            return _("Being made: preparing the pages")
        if step.stage == WRITING:
            return _("Being made: writing the PDF file")
        if step.stage == READING:
            return _("Being made: reading the data")
    return _("Being made: %(percent)d %%") % {"percent": progress}


class RenderProgress:
    """Given to a document builder as ``progress``: records the percentage and the step as the render goes on.

    Builders call it with a percentage (10 once the data is read) and may call :meth:`expect` with the number of
    pages; WeasyPrint's steps come in through :meth:`step` (``core.pdf_progress.pdf_progress``).
    """

    def __init__(self, document_id: int, *, clock=time.monotonic):
        self.document_id = document_id
        self.percent = 0
        self.pages: int | None = None
        self._clock = clock
        self._written_at = 0.0
        self._current = DocumentStep(READING)

    # What a builder calls.
    def __call__(self, percent: int) -> None:
        self._advance(percent, DocumentStep(READING, pages=self.pages), force=True)

    def expect(self, pages: int) -> None:
        self.pages = pages or None

    # What WeasyPrint's listener calls.
    def step(self, pdf_step: PdfStep) -> None:
        if pdf_step.stage == PREPARING:
            self._advance(_PREPARE, DocumentStep(PREPARING, pages=self.pages))
        elif pdf_step.stage == LAYOUT:
            page = pdf_step.page or 0
            # Of an unknown length: approach the end of the layout's share without reaching it.
            share = min(page, self.pages) / self.pages if self.pages else 1 - 0.95**page
            percent = _LAYOUT_START + int((_LAYOUT_END - _LAYOUT_START) * share)
            self._advance(percent, DocumentStep(LAYOUT, page=page, pages=self.pages))
        elif pdf_step.stage == WRITING:
            self._advance(_WRITE, DocumentStep(WRITING, pages=self.pages), force=self._current.stage != WRITING)

    def finish(self, percent: int) -> None:
        """The file is made (95: being stored; 100: done): the step is no longer needed."""
        self.percent = max(self.percent, percent)
        GeneratedDocument.objects.filter(pk=self.document_id).update(progress=self.percent)
        cache.delete(_key(self.document_id))

    def _advance(self, percent: int, step: DocumentStep, *, force: bool = False) -> None:
        percent = max(self.percent, percent)
        now = self._clock()
        changed_stage = step.stage != self._current.stage
        self._current = step
        if not (force or changed_stage) and now - self._written_at < WRITE_EVERY:
            return  # written with the next step
        self._written_at = now
        if percent != self.percent:
            self.percent = percent
            GeneratedDocument.objects.filter(pk=self.document_id).update(progress=percent)
        cache.set(_key(self.document_id), {"stage": step.stage, "page": step.page, "pages": step.pages}, STEP_TIMEOUT)
