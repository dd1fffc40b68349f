"""PDF rendering with WeasyPrint: one document, or many documents rendered as one and split.

Only local resources are ever loaded: ``data:`` URLs and files inside the project's static directories
(``STATICFILES_DIRS`` and ``STATIC_ROOT``). Everything else (http, https, ftp, other files) is refused by
:func:`safe_url_fetcher`; WeasyPrint logs a warning and leaves the resource out. No network access, ever.

Rendering a one-page letter on its own costs about 200 ms, most of it in writing the PDF (font subsetting).
:func:`render_pdf_batch` lays out many documents as one, writes the PDF once and splits it with pypdf, which costs a
fraction of that per document (see ``bench/pdf_letters.py``).

Templates meant for :func:`render_pdf_batch` follow three rules, because in a batch all documents share one
``<head>`` and one page sequence:

- everything that styles the document sits in ``<head>`` (``<style>``, ``<link rel="stylesheet">``); the ``<head>``
  must be the same for every document (the ``<title>`` may differ: it becomes each PDF's title metadata);
- no ``@page :first`` / ``:left`` / ``:right`` rules and no ``counter(page)`` / ``counter(pages)``: they would count
  the pages of the whole batch; attributes on ``<body>`` are dropped (``lang`` on ``<html>`` is kept per document);
- no ``id="pdf-doc-..."`` attributes of their own.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
import mimetypes
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request
from zoneinfo import ZoneInfo

import qrcode
import qrcode.constants
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject
from weasyprint import CSS, HTML
from weasyprint import css as weasyprint_css
from weasyprint import urls as weasyprint_urls

__all__ = [
    "BASE_URL",
    "qr_code_data_uri",
    "qr_code_svg",
    "render_pdf",
    "render_pdf_batch",
    "safe_url_fetcher",
]

#: Relative URLs in the HTML resolve against this, so ``/static/css/x.css`` becomes ``file:///static/css/x.css``,
#: which :func:`safe_url_fetcher` maps to the static directories.
BASE_URL = "file:///"

#: The class of each document's wrapper in a batch; each starts on a new page.
BATCH_SECTION_CLASS = "pdf-document"
logger = logging.getLogger(__name__)

_BATCH_CSS = f"section.{BATCH_SECTION_CLASS} {{ break-before: page; display: block; }}"


# --- URL fetcher ----------------------------------------------------------------------------------------------


def _static_dirs() -> list[Path]:
    dirs = []
    for entry in [*getattr(settings, "STATICFILES_DIRS", []), getattr(settings, "STATIC_ROOT", None)]:
        if isinstance(entry, tuple | list):  # ("prefix", path) form of STATICFILES_DIRS
            entry = entry[1]
        if entry:
            dirs.append(Path(entry).resolve())
    return dirs


def _static_file(url_path: str) -> Path | None:
    """The file a ``file:`` URL path points to, if it is inside a static directory.

    Accepts a real path inside a static directory (``/work/main/static/css/x.css``) and a path under STATIC_URL
    (``/static/css/x.css``, as resolved against :data:`BASE_URL`), looked up in every static directory.
    """
    dirs = _static_dirs()
    path = Path(unquote(url_path))
    candidates = [path]
    static_url = urlsplit(getattr(settings, "STATIC_URL", None) or "/static/").path
    static_prefix = "/" + static_url.strip("/") + "/"
    if url_path.startswith(static_prefix):
        relative = unquote(url_path[len(static_prefix) :])
        candidates += [directory / relative for directory in dirs]
    for candidate in candidates:
        resolved = candidate.resolve()  # follows "..", symlinks: the real location must be inside
        if resolved.is_file() and any(resolved.is_relative_to(directory) for directory in dirs):
            return resolved
    return None


def _fetch(url: str) -> tuple[str, bytes, str]:
    """(final url, body, content type) for an allowed URL; ValueError for every other URL."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        response = DataHandler().data_open(Request(url))  # noqa: S310 - data: only, decoded in memory
        return url, response.read(), response.headers.get_content_type()
    if scheme == "file":
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"Refused to fetch {url!r}: file URL on another host")
        path = _static_file(parts.path)
        if path is None:
            raise ValueError(f"Refused to fetch {url!r}: not a file in the static directories")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return path.as_uri(), path.read_bytes(), content_type
    raise ValueError(f"Refused to fetch {url!r}: only data: URLs and static files are allowed")


_URLFetcher = getattr(weasyprint_urls, "URLFetcher", None)  # WeasyPrint >= 68; older ones take a function


def safe_url_fetcher(url: str, *args, **kwargs):
    """WeasyPrint URL fetcher that allows only ``data:`` URLs and files in the static directories.

    ``/static/...`` (relative to :data:`BASE_URL`) and ``file://`` paths inside ``STATICFILES_DIRS`` or
    ``STATIC_ROOT`` are read from disk; anything else (http, https, other files such as ``file:///etc/passwd``)
    raises ValueError, so WeasyPrint skips the resource with a warning. Returns what the installed WeasyPrint
    expects from a fetcher (a ``URLFetcherResponse``, or a dict for WeasyPrint < 68).
    """
    final_url, body, content_type = _fetch(url)
    if _URLFetcher is not None:
        return weasyprint_urls.URLFetcherResponse(final_url, body, {"Content-Type": content_type})
    return {"string": body, "mime_type": content_type, "redirected_url": final_url}


if _URLFetcher is not None:

    class SafeURLFetcher(_URLFetcher):
        """The :func:`safe_url_fetcher` as the fetcher object WeasyPrint >= 68 wants."""

        def __init__(self):
            super().__init__(fail_on_errors=False, allow_redirects=False, allowed_protocols=("data", "file"))

        def fetch(self, url, headers=None):
            return safe_url_fetcher(url)

    def _url_fetcher():
        return SafeURLFetcher()

else:  # pragma: no cover - older WeasyPrint

    def _url_fetcher():
        return safe_url_fetcher


# --- Rendering ------------------------------------------------------------------------------------------------


# --- The user-agent stylesheet ------------------------------------------------------------------------------------

#: WeasyPrint's own rules for pseudo-elements with no element in the selector. A universal pseudo-element rule gives
#: every element of the document a pseudo-element style to compute: six of them on every element, about 330 a
#: letter, 10 % of an invitation letter's cost (issue 13). ``::marker`` is scoped to the one element our documents
#: give ``display: list-item`` (``li``); the footnote and note rules are left out: no template of ours uses
#: ``float: footnote`` or notes (a footnote would get no number).
_UA_UNIVERSAL_PSEUDO_RULES = {
    "::marker {": "li::marker {",
    "::footnote-call {": None,
    "::footnote-marker {": None,
    "::note-call {": None,
    "::note-marker {": None,
    "::note-callback {": None,
}


def lean_user_agent_css(stock: str) -> str | None:
    """WeasyPrint's user-agent stylesheet ``stock`` with :data:`_UA_UNIVERSAL_PSEUDO_RULES` applied, or ``None`` if
    any of those rules is not found exactly once at the start of a line (another WeasyPrint: then keep its own)."""
    lines = stock.splitlines()
    for start, replacement in _UA_UNIVERSAL_PSEUDO_RULES.items():
        matches = [index for index, line in enumerate(lines) if line.startswith(start)]
        if len(matches) != 1:
            return None
        index = matches[0]
        lines[index] = "" if replacement is None else replacement + lines[index][len(start) :]
    return "\n".join(lines) + "\n"


@functools.cache
def _lean_user_agent_stylesheet() -> CSS | None:
    stock_path = Path(weasyprint_css.__file__).with_name("html5_ua.css")
    lean = lean_user_agent_css(stock_path.read_text(encoding="utf-8"))
    if lean is None:
        logger.warning("core.pdf: WeasyPrint's user-agent stylesheet changed; rendering with it unchanged")
        return None
    return CSS(string=lean, base_url=stock_path.as_uri())


class _PrintHTML(HTML):
    """WeasyPrint's HTML with :func:`lean_user_agent_css` as its user-agent stylesheet."""

    def _ua_stylesheets(self, forms=False):
        stock = super()._ua_stylesheets(forms=forms)
        lean = _lean_user_agent_stylesheet()
        if lean is None or not stock:
            return stock
        return [lean, *stock[1:]]


def _html(html: str) -> HTML:
    return _PrintHTML(string=html, base_url=BASE_URL, url_fetcher=_url_fetcher())


def render_pdf(html: str) -> bytes:
    """Render one HTML document (a full page with its ``<head>``) to PDF bytes."""
    return _html(html).write_pdf()


_HEAD_RE = re.compile(r"<head\b[^>]*>(.*?)</head\s*>", re.IGNORECASE | re.DOTALL)
_BODY_RE = re.compile(r"<body\b[^>]*>(.*)</body\s*>", re.IGNORECASE | re.DOTALL)
_TITLE_RE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_LANG_RE = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z0-9-]+)", re.IGNORECASE)


def _split_document(html: str) -> tuple[str, str, str | None, str | None]:
    """(head without title, body content, title, lang) of a full HTML document."""
    head_match = _HEAD_RE.search(html)
    body_match = _BODY_RE.search(html)
    if body_match is None:
        raise ValueError("render_pdf_batch needs full HTML documents with a <body> element")
    head = head_match.group(1) if head_match else ""
    title_match = _TITLE_RE.search(head)
    title = re.sub(r"\s+", " ", title_match.group(1)).strip() if title_match else None
    lang_match = _LANG_RE.search(html)
    return _TITLE_RE.sub("", head), body_match.group(1), title, (lang_match.group(1) if lang_match else None)


# A name drawn with the ``Do`` operator in a content stream: ``/i0123abcd Do``.
_DO_RE = re.compile(rb"/([^\s/\[\]<>(){}%]+)\s+Do\b")


def _page_with_own_images(page: PageObject) -> PageObject:
    """``page`` with only the images it draws in its resources.

    WeasyPrint gives every page of a document one shared resource dictionary, so a page copied out of a batch would
    carry every image of the batch (every letter's QR code: 20 letters a batch made each letter 11 KiB larger). Only
    images are left out: when the page has other XObjects (form XObjects, which may draw images through the shared
    dictionary), the page is returned as it is.
    """
    resources = page.get("/Resources")
    if resources is None:
        return page
    resources = resources.get_object()
    xobjects = resources.get("/XObject")
    if xobjects is None:
        return page
    xobjects = xobjects.get_object()
    if any(xobjects[name].get_object().get("/Subtype") != "/Image" for name in xobjects):
        return page
    contents = page.get_contents()
    used = {match.decode("latin-1") for match in _DO_RE.findall(contents.get_data())} if contents is not None else set()
    own = DictionaryObject(resources)  # a copy for this page: the original is shared with the other pages
    own[NameObject("/XObject")] = DictionaryObject(
        {NameObject(name): value for name, value in xobjects.items() if name[1:] in used}
    )
    page[NameObject("/Resources")] = own
    return page


def _render_group(head: str, parts: list[tuple[str, str | None, str | None]]) -> list[bytes]:
    """Lay out documents sharing ``head`` as one, write once, split into one PDF per document."""
    sections = []
    for number, (body, _title, lang) in enumerate(parts):
        lang_attr = f' lang="{escape(lang)}"' if lang else ""
        sections.append(f'<section class="{BATCH_SECTION_CLASS}" id="pdf-doc-{number}"{lang_attr}>{body}</section>')
    combined = (
        f"<!DOCTYPE html><html><head>{head}<style>{_BATCH_CSS}</style></head><body>{''.join(sections)}</body></html>"
    )
    document = _html(combined).render()

    first_pages: dict[int, int] = {}
    for page_number, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("pdf-doc-"):
                first_pages.setdefault(int(anchor.removeprefix("pdf-doc-")), page_number)
    missing = [number for number in range(len(parts)) if number not in first_pages]
    if missing:
        raise RuntimeError(f"render_pdf_batch: documents {missing} produced no page")
    starts = [first_pages[number] for number in range(len(parts))]
    ends = [*starts[1:], len(document.pages)]

    reader = PdfReader(io.BytesIO(document.write_pdf()))
    results = []
    for (_body, title, _lang), start, end in zip(parts, starts, ends, strict=True):
        writer = PdfWriter()
        for page_index in range(start, end):
            writer.add_page(_page_with_own_images(reader.pages[page_index]))
        metadata = {"/Producer": str(reader.metadata.get("/Producer", "WeasyPrint"))} if reader.metadata else {}
        if title:
            metadata["/Title"] = title
        if metadata:
            writer.add_metadata(metadata)
        output = io.BytesIO()
        writer.write(output)
        results.append(output.getvalue())
    return results


def render_pdf_batch(documents: Sequence[str]) -> list[bytes]:
    """Render many HTML documents to one PDF each, much faster than :func:`render_pdf` one by one.

    ``documents`` are full HTML documents, normally ``render_to_string`` of the same template with different
    contexts. Documents with the same ``<head>`` (ignoring ``<title>``) are laid out together: their bodies become
    ``<section class="pdf-document" id="pdf-doc-N">`` elements of one HTML document, each starting on a new page
    (``break-before: page``); WeasyPrint renders it once, the pages where each section starts are read from
    ``page.anchors``, the PDF is written once (fonts subset once) and split into one PDF per document with pypdf.
    Documents whose ``<head>`` differs are rendered in separate groups, so mixing templates is correct, just
    slower. See the module docstring for what a template must avoid.

    Returns the PDFs in the order of ``documents``; an empty sequence gives an empty list. Render large numbers in
    chunks (for example 100 letters) to bound memory.
    """
    groups: dict[str, list[int]] = {}
    split = []
    for index, html in enumerate(documents):
        head, body, title, lang = _split_document(html)
        split.append((body, title, lang))
        groups.setdefault(head, []).append(index)

    results: list[bytes | None] = [None] * len(split)
    for head, indices in groups.items():
        for index, pdf in zip(indices, _render_group(head, [split[i] for i in indices]), strict=True):
            results[index] = pdf
    return results  # type: ignore[return-value]


# --- QR codes -------------------------------------------------------------------------------------------------


def _qr_svg_bytes(data: str) -> bytes:
    """The QR code as a compact SVG: one path, one stroked line per horizontal run of dark modules.

    qrcode's own SVG path factory draws every module as a closed square (about 2,800 path points for a link) and
    gives the path an id (``qr-path``), which is duplicated when letters are batched; WeasyPrint spends about
    25 ms a letter drawing it. One 1-unit-wide line per run is the same picture with a quarter of the points
    (about 5 ms).
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the quiet zone (border)
    size = len(matrix)
    commands = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                commands.append(f"M{start} {y}.5h{x - start}")
            else:
                x += 1
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 {size} {size}" '
        f'width="{size}mm" height="{size}mm" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{"".join(commands)}" stroke="#000" stroke-width="1" fill="none"/></svg>'
    )
    return svg.encode("ascii")


def qr_code_svg(data: str) -> SafeString:
    """The QR code of ``data`` (error correction M, 4-module quiet zone) as inline SVG markup, safe in a template.

    The same data always gives the same SVG. Size it with CSS (``.qr svg { width: 30mm; height: 30mm }``).
    """
    return mark_safe(_qr_svg_bytes(data).decode("ascii"))  # noqa: S308 - generated here: numbers only, no text


def qr_code_data_uri(data: str) -> str:
    """The same QR code as a ``data:image/svg+xml;base64,...`` URI for ``<img src>``."""
    return "data:image/svg+xml;base64," + base64.b64encode(_qr_svg_bytes(data)).decode("ascii")


# --- Documents rendered from a template in a given language (agenda, committees, elections) ---------------------

OSLO = ZoneInfo("Europe/Oslo")


def pdf_language(language: str | None) -> str:
    """``language`` checked, or the active language (falling back to the site's default)."""
    codes = [code for code, _name in settings.LANGUAGES]
    if language is not None:
        if language not in codes:
            raise ValueError(f"Unknown language {language!r}; expected one of {', '.join(codes)}")
        return language
    active = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    for candidate in (active, active.split("-")[0], settings.LANGUAGE_CODE):
        if candidate in codes:
            return candidate
    return codes[0]


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal, every character but letters, digits and spaces escaped."""
    return '"' + "".join(c if (c.isascii() and c.isalnum()) or c == " " else f"\\{ord(c):06x}" for c in text) + '"'


def page_counter_css() -> SafeString:
    """CSS ``content`` for "Page X of Y" in the active language (the translation may order the parts freely)."""
    template = gettext("Page %(page)s of %(pages)s")
    parts = []
    for piece in re.split(r"(%\(pages?\)s)", template):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return mark_safe(" ".join(parts) or "counter(page)")  # noqa: S308 - escaped above, no user text


def render_template_pdf(template: str, context: dict, language: str) -> tuple[bytes, int]:
    """Render ``template`` in ``language`` and Oslo time to PDF: (bytes, pages). The context gets ``language``,
    ``page_counter_css`` and ``printed`` (now)."""
    with translation.override(language), timezone.override(OSLO):
        html = render_to_string(
            template,
            {
                **context,
                "language": language,
                "page_counter_css": page_counter_css(),
                "printed": timezone.localtime(timezone.now(), OSLO),
            },
        )
    pdf = render_pdf(html)
    return pdf, len(PdfReader(io.BytesIO(pdf)).pages)
