"""Reading the municipal election results of a county from a CSV file: municipality number, party, votes.

Pure logic, no Django (it reads the file with :func:`core.spreadsheets.read_csv` and matches parties with
:func:`county_meetings.composition.party_key`). :func:`parse_election_results` never raises for bad input: it returns
either the rows or the errors, each with the file's line number (1 is the first line, 0 the file as a whole), a
code and its parameters; :mod:`county_meetings.election_results_messages` turns them into sentences.

The file
--------
- UTF-8 (with or without BOM) or Windows-1252, comma, semicolon or tab separated (as :func:`read_csv` reads it).
- A header row naming the columns, in any order, case-insensitive, in bokmål or English: ``kommunenummer`` or
  ``municipality number``, ``parti`` or ``party``, ``stemmer`` or ``votes`` (underscores, hyphens and repeated
  spaces count as one space: ``Municipality_Number`` is accepted). Other columns, such as ``kommunenavn``, are
  ignored.
- One row per municipality and party. The municipality number has exactly four digits, leading zero kept ("0301");
  a number of three digits is refused with the suggestion of its leading zero (a spreadsheet drops it). It must be
  one of the county's municipalities, which the caller gives. The party is as the results spell it (matched with
  the members' parties by :func:`~county_meetings.composition.party_key`: case and spaces only). The votes are a
  whole number, at least 0, with spaces (also non-breaking ones) allowed between groups of three digits ("1 234",
  "12 345 678"). A municipality and a party (by party key) appear once only.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from core.spreadsheets import UnreadableFile, decode_text, guess_delimiter, read_csv
from county_meetings.composition import party_key

__all__ = [
    "COLUMNS",
    "MAX_VOTES",
    "ElectionResults",
    "ResultError",
    "ResultRow",
    "missing_municipalities",
    "parse_election_results",
    "votes_by_party",
]

# The columns, each with the header names that mean it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "municipality_number": ("kommunenummer", "municipality number"),
    "party": ("parti", "party"),
    "votes": ("stemmer", "votes"),
}
MAX_VOTES = 2_147_483_647  # the database column's limit

_MUNICIPALITY_NUMBER = re.compile(r"[0-9]{4}")
_VOTES = re.compile(r"[0-9]+|[0-9]{1,3}(?: [0-9]{3})+")


@dataclass(frozen=True)
class ResultRow:
    line: int
    municipality_number: str
    party: str  # trimmed, inner whitespace collapsed
    votes: int


@dataclass(frozen=True)
class ResultError:
    """A problem on one line of the file; line 0 means the file as a whole."""

    line: int
    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ElectionResults:
    rows: tuple[ResultRow, ...] = ()  # empty when there are errors
    errors: tuple[ResultError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def _header_name(cell: str) -> str:
    return " ".join(re.sub(r"[_\-]", " ", cell).split()).casefold()


def _record_lines(data: bytes) -> list[int]:
    """The line on which each non-blank record of the file starts, header included: the same reading as
    :func:`read_csv` (which gives the cells but not the lines), so call it only on a file that read_csv read."""
    text = (decode_text(data) or "").lstrip("\ufeff")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=guess_delimiter(first_line), strict=True)
    lines = []
    previous = 0
    for cells in reader:
        start, previous = previous + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            lines.append(start)
    return lines


def parse_election_results(data: bytes, *, known_municipalities: Collection[str]) -> ElectionResults:
    """The rows of an election results file, or every error found in it (then no rows).

    ``known_municipalities`` are the four-digit numbers of the county's municipalities; a row of any other
    municipality is an error (``unknown_municipality``).

    Error codes, with their params: from reading the file (:class:`core.spreadsheets.UnreadableFile`) ``empty``,
    ``workbook``, ``not_text``, ``not_csv`` (``reason``), ``too_many_cells`` (``found``, ``expected``); the header's
    ``missing_columns`` and ``duplicate_columns`` (``columns``: the canonical column keys of :data:`COLUMNS`) and
    ``no_rows``; each row's ``municipality_number_missing``, ``municipality_number_leading_zero`` (``value``,
    ``suggestion``), ``municipality_number_format`` (``value``), ``unknown_municipality`` (``number``),
    ``party_missing``, ``votes_missing``, ``votes_negative`` (``value``), ``votes_not_whole`` (``value``),
    ``votes_too_large`` (``value``) and ``duplicate_row`` (``number``, ``party``, ``first_line``).
    """
    try:
        headers, cells_of_rows = read_csv(data)
    except UnreadableFile as error:
        params = dict(error.params)
        line = params.pop("line", 0)
        return ElectionResults(errors=(ResultError(line, error.code, params),))

    lines = _record_lines(data)
    if len(lines) != len(cells_of_rows) + 1:  # pragma: no cover - the two readings are the same
        lines = list(range(1, len(cells_of_rows) + 2))
    header_line, row_lines = lines[0], lines[1:]

    names = [_header_name(cell) for cell in headers]
    positions: dict[str, int] = {}
    duplicated: list[str] = []
    for column, accepted in COLUMNS.items():
        found = [index for index, name in enumerate(names) if name in accepted]
        if len(found) > 1:
            duplicated.append(column)
        elif found:
            positions[column] = found[0]
    errors: list[ResultError] = []
    if missing := [column for column in COLUMNS if column not in positions and column not in duplicated]:
        errors.append(ResultError(header_line, "missing_columns", {"columns": missing}))
    if duplicated:
        errors.append(ResultError(header_line, "duplicate_columns", {"columns": duplicated}))
    if errors:
        return ElectionResults(errors=tuple(errors))

    known = frozenset(known_municipalities)
    rows: list[ResultRow] = []
    first_line_of: dict[tuple[str, str], int] = {}
    for line, cells in zip(row_lines, cells_of_rows, strict=True):
        row_errors: list[ResultError] = []
        number = cells[positions["municipality_number"]].strip()
        party = " ".join(unicodedata.normalize("NFC", cells[positions["party"]]).split())
        votes_text = cells[positions["votes"]]

        number_error = _number_error(line, number, known)
        if number_error:
            row_errors.append(number_error)
        if not party:
            row_errors.append(ResultError(line, "party_missing"))
        votes, votes_error = _votes(line, votes_text)
        if votes_error:
            row_errors.append(votes_error)
        if number and party:
            key = (number, party_key(party))
            if key in first_line_of:
                row_errors.append(
                    ResultError(
                        line, "duplicate_row", {"number": number, "party": party, "first_line": first_line_of[key]}
                    )
                )
            else:
                first_line_of[key] = line
        if row_errors:
            errors.extend(row_errors)
        else:
            rows.append(ResultRow(line=line, municipality_number=number, party=party, votes=votes))
    if not cells_of_rows:
        errors.append(ResultError(header_line, "no_rows"))
    if errors:
        return ElectionResults(errors=tuple(errors))
    return ElectionResults(rows=tuple(rows))


def _number_error(line: int, number: str, known: frozenset[str]) -> ResultError | None:
    if not number:
        return ResultError(line, "municipality_number_missing")
    if re.fullmatch(r"[0-9]{3}", number):
        return ResultError(line, "municipality_number_leading_zero", {"value": number, "suggestion": "0" + number})
    if not _MUNICIPALITY_NUMBER.fullmatch(number):
        return ResultError(line, "municipality_number_format", {"value": number})
    if number not in known:
        return ResultError(line, "unknown_municipality", {"number": number})
    return None


def _votes(line: int, value: str) -> tuple[int, ResultError | None]:
    text = " ".join(value.split())  # non-breaking and thin spaces, as spreadsheets write them, become spaces
    if not text:
        return 0, ResultError(line, "votes_missing")
    if re.fullmatch(r"-\s*[0-9][0-9 ]*", text):
        return 0, ResultError(line, "votes_negative", {"value": value.strip()})
    if not _VOTES.fullmatch(text):
        return 0, ResultError(line, "votes_not_whole", {"value": value.strip()})
    votes = int(text.replace(" ", ""))
    if votes > MAX_VOTES:
        return 0, ResultError(line, "votes_too_large", {"value": value.strip()})
    return votes, None


def votes_by_party(rows: Iterable[ResultRow], municipalities: Collection[str] | None = None) -> dict[str, int]:
    """``{party: votes}`` summed over the rows of ``municipalities`` (all rows when None), for
    :func:`county_meetings.composition.party_balance`. Spellings that are one party by
    :func:`~county_meetings.composition.party_key` are summed under the first spelling in the rows' order."""
    wanted = None if municipalities is None else frozenset(municipalities)
    names: dict[str, str] = {}
    totals: dict[str, int] = {}
    for row in rows:
        if wanted is not None and row.municipality_number not in wanted:
            continue
        key = party_key(row.party)
        name = names.setdefault(key, row.party)
        totals[name] = totals.get(name, 0) + row.votes
    return totals


def missing_municipalities(rows: Iterable[ResultRow], municipalities: Collection[str]) -> list[str]:
    """The municipalities (sorted numbers) of which the rows have no result: the votes of a county with such a
    municipality are incomplete, and the page should say so beside the composition check."""
    present = {row.municipality_number for row in rows}
    return sorted(set(municipalities) - present)
