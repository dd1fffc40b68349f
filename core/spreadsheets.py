"""Spreadsheet files (CSV and XLSX) that people open in Excel or LibreOffice: the one rule against formula injection,
and reading the CSV files they save.

Pure logic, no Django (openpyxl is imported where a workbook is written).

**Formulas.** A spreadsheet program runs a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (some also with
a tab or a carriage return) as a formula: a participant could type ``=HYPERLINK(…)`` or ``+cmd|' /C calc'!A0`` as
their mobile number and have it run on a staff member's computer. Every export of the project writes its cells
through this module:

- CSV: such a text gets an apostrophe in front (OWASP's advice), which spreadsheet programs read as "this is
  text", and so does such a text after a comma, semicolon, tab or line break inside a cell, where a program that
  splits the line at another separator than ours would start a new cell. Nothing is removed: ``+47 912 34 567`` is
  written ``'+47 912 34 567``. A text that already has apostrophes before such a character there gets one more,
  so that :func:`csv_unescape` gives back exactly what :func:`csv_escape` was given, for every text (an import of
  our own export changes nothing).
- XLSX: every text is written as a cell of string type, never as a formula, and unchanged (no apostrophe).
"""

import csv
import datetime
import decimal
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITERS = (";", ",", "\t")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | decimal.Decimal | datetime.date | datetime.datetime | None


# Where a spreadsheet program may start a cell: the start of the text, and after any character some program splits a
# line at (a comma-separated file opened where the list separator is ";", for instance Excel on Norwegian settings).
_CELL_STARTS = "".join(CSV_DELIMITERS) + "\r\n"
_FORMULA_AT_A_CELL_START = re.compile(f"(^|[{re.escape(_CELL_STARTS)}])('*)(?=[{re.escape(''.join(FORMULA_STARTS))}])")
_ESCAPED_FORMULA_AT_A_CELL_START = re.compile(
    f"(^|[{re.escape(_CELL_STARTS)}])'('*)(?=[{re.escape(''.join(FORMULA_STARTS))}])"
)


def csv_escape(text: str) -> str:
    """The text as a CSV cell that no spreadsheet program runs as a formula, however it splits the line."""
    return _FORMULA_AT_A_CELL_START.sub(lambda match: f"{match[1]}'{match[2]}", text)


def csv_unescape(text: str) -> str:
    """The inverse of :func:`csv_escape`: ``'=SUM(A1)`` → ``=SUM(A1)``; an apostrophe before anything else stays."""
    return _ESCAPED_FORMULA_AT_A_CELL_START.sub(lambda match: f"{match[1]}{match[2]}", text)


def csv_cell(value: Cell | object) -> str | int | float | decimal.Decimal:
    """One value as a CSV cell: numbers as they are, dates as ISO dates, every text escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return csv_escape(str(value))
    if isinstance(value, int | float | decimal.Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return csv_escape(str(value))


class CsvWriter:
    """``csv.writer`` with every cell through :func:`csv_cell`; takes the same arguments."""

    def __init__(self, file, **kwargs):
        self._writer = csv.writer(file, **kwargs)

    def writerow(self, row: Iterable[object]):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(headers: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """A CSV file's text (comma separated, quoted where needed), every cell through :func:`csv_cell`."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def csv_bytes(headers: Sequence[object], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte order mark, so that spreadsheet programs read æ, ø and å right."""
    return ("\ufeff" + csv_text(headers, rows)).encode("utf-8")


def xlsx_bytes(title: str, headers: Sequence[object], rows: Iterable[Sequence[object]]) -> bytes:
    """An XLSX workbook with one sheet: a bold, frozen header row; texts as string cells, never formulas."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (title or "Sheet")[:31]
    widths = [len(str(header)) for header in headers]
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column, value=ILLEGAL_CHARACTERS_RE.sub("", str(header)))
        cell.data_type = "s"
        cell.font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            if isinstance(value, datetime.datetime):
                value = value.replace(tzinfo=None)
            elif value is not None and not isinstance(value, int | float | decimal.Decimal | datetime.date):
                value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the participant typed
            elif isinstance(value, datetime.datetime):
                cell.number_format = "DD.MM.YYYY HH:MM"
            elif isinstance(value, datetime.date):
                cell.number_format = "DD.MM.YYYY"
            length = 16 if isinstance(value, datetime.date) else len(str(value if value is not None else ""))
            if column <= len(widths):
                widths[column - 1] = max(widths[column - 1], min(length, 60))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width + 2
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading CSV ------------------------------------------------------------------------------------------------


class UnreadableFile(ValueError):
    """A file that cannot be read as a table. ``code`` names the reason, ``params`` its details; the caller turns
    them into a sentence in the user's language."""

    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


def decode_text(data: bytes) -> str | None:
    """The file's text: UTF-8 (with or without BOM), UTF-16 with BOM, or else Windows-1252; None if none fit."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return None


def guess_delimiter(header_line: str) -> str:
    """Semicolon (a Norwegian spreadsheet's CSV), comma or tab: whichever the header line has most of."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in CSV_DELIMITERS}
    best = max(CSV_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a CSV file, with cells unescaped (:func:`csv_unescape`).

    Accepts UTF-8, UTF-16 and Windows-1252, and commas, semicolons or tabs. Blank lines are skipped; a row with
    fewer cells than the header is filled with empty cells. Raises :class:`UnreadableFile` with one of the codes
    ``empty``, ``workbook``, ``not_text``, ``not_csv`` (params ``line``, ``reason``) and ``too_many_cells``
    (params ``line``, ``found``, ``expected``).
    """
    if not data.strip():
        raise UnreadableFile("empty")
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise UnreadableFile("workbook")
    text = decode_text(data)
    if text is None or "\x00" in text:
        raise UnreadableFile("not_text")
    text = text.lstrip("\ufeff")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=guess_delimiter(first_line), strict=True)
    headers: list[str] | None = None
    rows: list[list[str]] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if headers is None:
                headers = [cell.strip() for cell in cells]
                continue
            if len(cells) > len(headers):
                if any(cell.strip() for cell in cells[len(headers) :]):
                    raise UnreadableFile(
                        "too_many_cells", line=reader.line_num, found=len(cells), expected=len(headers)
                    )
                cells = cells[: len(headers)]
            cells = cells + [""] * (len(headers) - len(cells))
            rows.append([csv_unescape(cell) for cell in cells])
    except csv.Error as error:
        raise UnreadableFile("not_csv", line=reader.line_num, reason=str(error)) from None
    if headers is None:
        raise UnreadableFile("empty")
    return headers, rows
