"""Where WeasyPrint is in rendering a PDF, for a page that shows a document being made.

WeasyPrint logs its steps on the ``weasyprint.progress`` logger: parsing the HTML and the CSS, applying it, building
the boxes, laying out each page ("Step 5 - Creating layout - Page 12"), then writing the PDF. :func:`pdf_progress`
listens to those messages for the renders of the current thread only (another thread may be rendering at the same
time) and passes each step on as a :class:`PdfStep`. Laying out the pages and writing the file are most of the time
(455 badges: about half and a third).
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

PROGRESS_LOGGER = "weasyprint.progress"

#: The steps a caller sees, in order.
PREPARING, LAYOUT, WRITING = "preparing", "layout", "writing"

_STEP_RE = re.compile(r"^Step (\d+)\b")
_PAGE_RE = re.compile(r"Creating layout - Page (\d+)")


@dataclass(frozen=True)
class PdfStep:
    """``stage`` is PREPARING (steps 1 to 4), LAYOUT (``page`` is the page being laid out) or WRITING (6, 7)."""

    stage: str
    page: int | None = None


def parse_step(message: str) -> PdfStep | None:
    """The step a WeasyPrint progress message names, or None for a message of another kind."""
    match = _STEP_RE.match(message)
    if match is None:
        return None
    number = int(match.group(1))
    if number <= 4:
        return PdfStep(PREPARING)
    if number == 5:
        page = _PAGE_RE.search(message)
        return PdfStep(LAYOUT, int(page.group(1)) if page else None)
    return PdfStep(WRITING)


class _Listener(logging.Handler):
    def __init__(self, callback: Callable[[PdfStep], None]):
        super().__init__(level=logging.INFO)
        self.callback = callback
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        try:
            step = parse_step(record.getMessage())
            if step is not None:
                self.callback(step)
        except Exception:  # progress is a nicety: never let it break the render
            self.handleError(record)


#: Guards the logger's level and propagation, which the listeners of several threads share.
_lock = threading.Lock()
_saved: dict[str, object] = {}


@contextlib.contextmanager
def pdf_progress(callback: Callable[[PdfStep], None]) -> Iterator[None]:
    """Call ``callback`` with each step of the PDFs this thread renders inside the block.

    The progress logger is at WARNING in the settings (it only ever logs INFO); while someone listens it is at INFO
    and does not propagate, so the steps reach the listeners and not the console.
    """
    logger = logging.getLogger(PROGRESS_LOGGER)
    listener = _Listener(callback)
    with _lock:
        if not any(isinstance(handler, _Listener) for handler in logger.handlers):
            _saved.update(level=logger.level, propagate=logger.propagate)
            logger.setLevel(logging.INFO)
            logger.propagate = False
        logger.addHandler(listener)
    try:
        yield
    finally:
        with _lock:
            logger.removeHandler(listener)
            if not any(isinstance(handler, _Listener) for handler in logger.handlers) and _saved:
                logger.setLevel(_saved.pop("level"))
                logger.propagate = bool(_saved.pop("propagate"))
