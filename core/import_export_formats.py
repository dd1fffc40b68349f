"""django-import-export wired to the project's rules for spreadsheet files (``core.spreadsheets``).

- :class:`CSVFormat` and :class:`XLSXFormat` export through :mod:`core.spreadsheets` (formulas escaped, nothing
  removed) and read what people save: UTF-8, UTF-16 or Windows-1252, separated by commas, semicolons or tabs. A
  file that cannot be read raises :class:`~core.spreadsheets.UnreadableFile`; :func:`describe_unreadable` says
  what is wrong in the user's language.
- :class:`EncryptedCacheStorage` keeps an upload between the preview and the confirm step: encrypted, in the cache
  (never in the file system), for at most :data:`UPLOAD_LIFETIME` seconds. The key travels only in the confirm
  form's hidden file name, so what is left behind by a preview nobody confirmed is unreadable, and expires.
- :class:`LimitedImportForm` refuses files above :data:`MAX_IMPORT_BYTES` before anything is read.
- :class:`LabelledExportForm` names the export's columns in the user's language (the model field's name) with the
  column header in brackets, instead of the library's English field names.

Set ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` to False: the library's escaping removes a leading ``=`` (it changes
the data), and these formats escape without losing a character.
"""

import io
import logging
import uuid
import zlib

import tablib
from cryptography.fernet import Fernet, InvalidToken
from django import forms
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from import_export.formats import base_formats
from import_export.forms import ImportForm, SelectableFieldsExportForm
from import_export.tmp_storages import BaseStorage

from core.spreadsheets import XLSX_CONTENT_TYPE, UnreadableFile, csv_bytes, read_csv, xlsx_bytes

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 10_000
UPLOAD_LIFETIME = 60 * 60

logger = logging.getLogger(__name__)


def describe_unreadable(error: UnreadableFile) -> str:
    """What is wrong with a file, as a sentence in the active language."""
    params = error.params
    if error.code == "empty":
        return _("The file is empty.")
    if error.code == "workbook":
        return _(
            "The file is a spreadsheet workbook, not CSV: choose the format xlsx, or save the file as CSV "
            "(semicolon or comma separated) and try again."
        )
    if error.code == "not_text":
        return _("The file is not text in UTF-8 or Windows-1252; save it as CSV and try again.")
    if error.code == "not_csv":
        return _("The file is not valid CSV (line %(line)d: %(reason)s).") % params
    if error.code == "too_many_cells":
        return _("Line %(line)d has %(found)d cells, but the header has only %(expected)d.") % params
    if error.code == "not_xlsx":
        return _(
            "The file is not an Excel workbook (.xlsx): choose the format csv for a CSV file, or save the file as "
            ".xlsx and try again."
        )
    if error.code == "no_header":
        return _("The file has no header row: the first row must name the columns.")
    if error.code == "too_many_rows":
        return (
            _("The file has %(rows)d rows, but one import takes at most %(limit)d. Split it into smaller files.")
            % params
        )
    if error.code == "too_large":
        return _(
            "The file is %(size)s, but the import takes files of at most %(limit)s. Split it into smaller files."
        ) % {"size": filesizeformat(params["size"]), "limit": filesizeformat(params["limit"])}
    if error.code == "expired":
        return _("The uploaded file is no longer available (the preview is more than an hour old). Upload it again.")
    if error.code == "storage_unavailable":
        return _("The file cannot be kept for the confirm step right now (the cache is unavailable). Try again later.")
    return _("The file cannot be read.")


def _dataset(headers: list, rows: list) -> tablib.Dataset:
    if not headers or not any(str(header or "").strip() for header in headers):
        raise UnreadableFile("no_header")
    if len(rows) > MAX_IMPORT_ROWS:
        raise UnreadableFile("too_many_rows", rows=len(rows), limit=MAX_IMPORT_ROWS)
    dataset = tablib.Dataset(headers=headers)
    dataset.extend(rows)
    return dataset


class CSVFormat(base_formats.CSV):
    """CSV as :mod:`core.spreadsheets` writes and reads it. Handled as bytes, so that the encoding is detected here
    (the library would decode as UTF-8 only)."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        headers, rows = read_csv(in_stream)
        return _dataset(headers, rows)

    def export_data(self, dataset: tablib.Dataset, **kwargs) -> bytes:
        return csv_bytes(dataset.headers or [], dataset)


class XLSXFormat(base_formats.XLSX):
    CONTENT_TYPE = XLSX_CONTENT_TYPE

    def create_dataset(self, in_stream) -> tablib.Dataset:
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
            rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
        except Exception:  # openpyxl raises many kinds of errors for a file that is not a workbook
            raise UnreadableFile("not_xlsx") from None
        rows = [row for row in rows if any(value not in (None, "") for value in row)]
        if not rows:
            raise UnreadableFile("empty")
        headers, body = rows[0], rows[1:]
        width = len(headers)
        while width and headers[width - 1] in (None, ""):
            width -= 1
        headers = headers[:width]
        body = [(row + [None] * width)[:width] for row in body]
        return _dataset(headers, body)

    def export_data(self, dataset: tablib.Dataset, **kwargs) -> bytes:
        return xlsx_bytes(dataset.title or "", dataset.headers or [], dataset)


class LimitedImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                describe_unreadable(UnreadableFile("too_large", size=upload.size, limit=MAX_IMPORT_BYTES))
            )
        return upload


class LabelledExportForm(SelectableFieldsExportForm):
    """The export's column choices as "Kjønn (kjønn)": the model field's translated name and the column header."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        attribute = getattr(field, "attribute", None) or field_name
        try:
            title = str(capfirst(resource._meta.model._meta.get_field(attribute).verbose_name))
        except (FieldDoesNotExist, AttributeError):
            return super()._get_field_label(resource, field_name)
        column = getattr(field, "column_name", None)
        return f"{title} ({column})" if column and column.casefold() != title.casefold() else title


class EncryptedCacheStorage(BaseStorage):
    """An upload between the preview and the confirm step: compressed, encrypted with a key of its own, in the
    cache. ``name`` is ``<id>.<key>``; the cache holds only the ciphertext under the id."""

    PREFIX = "import-upload-"

    def save(self, data) -> None:
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        key = Fernet.generate_key()
        upload_id = uuid.uuid4().hex
        token = Fernet(key).encrypt(zlib.compress(data))
        try:
            cache.set(self.PREFIX + upload_id, token, UPLOAD_LIFETIME)
        except Exception as error:  # the cache server is down
            raise UnreadableFile("storage_unavailable") from error
        self.name = f"{upload_id}.{key.decode()}"

    def _parts(self) -> tuple[str, bytes]:
        upload_id, _dot, key = (self.name or "").partition(".")
        return upload_id, key.encode()

    def read(self):
        upload_id, key = self._parts()
        try:
            token = cache.get(self.PREFIX + upload_id)
        except Exception as error:
            raise UnreadableFile("storage_unavailable") from error
        if token is None:
            raise UnreadableFile("expired")
        try:
            data = zlib.decompress(Fernet(key).decrypt(token))
        except (InvalidToken, ValueError, zlib.error):
            raise UnreadableFile("expired") from None
        if "b" in (self.read_mode or ""):
            return data
        return data.decode(self.encoding or "utf-8-sig")

    def remove(self) -> None:
        upload_id, _key = self._parts()
        if upload_id:
            try:
                cache.delete(self.PREFIX + upload_id)
            except Exception:  # it expires on its own, and its key was never stored
                logger.warning("Could not remove an import upload from the cache", exc_info=True)
