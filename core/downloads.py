"""A stored file sent to the one who may have it, after the view's permission check: never a public media URL.

``MEDIA_URL`` is served only with ``DEBUG`` (and would serve every file to anyone who guesses its name), so every
uploaded or generated file goes through a view that checks who asks, and answers with :func:`file_download`: as an
attachment, under a content type taken from a short list of document formats by the file's extension (anything
else is ``application/octet-stream``, so an uploaded HTML or SVG file is never rendered by the browser on the site's
origin), with ``nosniff``, kept out of shared caches, and with the policy for PDFs that loads nothing
(``KS_CONTENT_SECURITY_POLICY_PDF``, as ``core.middleware`` gives a PDF).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.text import slugify

from core.middleware import policy_header

#: The document formats served under their own type; every other file is served as bytes.
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
}
BYTES = "application/octet-stream"

_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def content_type_for(name: str) -> str:
    """The type a file is served as, by its extension (case-insensitive): one of :data:`CONTENT_TYPES`, or bytes."""
    return CONTENT_TYPES.get(PurePosixPath(name).suffix.lower(), BYTES)


def download_name(title: str, stored_name: str) -> str:
    """A file name for the browser: the title (without path or control characters) and the stored file's extension."""
    extension = PurePosixPath(stored_name).suffix.lower()
    base = _UNSAFE_IN_NAME.sub(" ", title).strip(" .")[:150].strip() or PurePosixPath(stored_name).stem
    return f"{base}{extension}"


def file_download(file: FieldFile, *, filename: str | None = None) -> FileResponse:
    """The stored ``file`` as an attachment named ``filename`` (by default its stored name); 404 if it is missing."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    name = filename or PurePosixPath(file.name).name
    response = FileResponse(handle, content_type=content_type_for(file.name), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = policy_header(settings.KS_CONTENT_SECURITY_POLICY_PDF)
    return response


def pdf_inline(pdf: bytes, *, title: str) -> HttpResponse:
    """A PDF made for this request (a protocol, the minutes) shown in the browser, named after ``title``: never
    stored in any cache, ``nosniff``, with the PDF policy that loads nothing."""
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(title)[:80] or "document"
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = policy_header(settings.KS_CONTENT_SECURITY_POLICY_PDF)
    return response
