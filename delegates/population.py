"""Reading population files: our own CSV and Statistics Norway's (SSB) CSV export of table 07459.

Pure logic, no Django: :func:`parse_population_file` turns the bytes of a file into :class:`PopulationRow`
rows and :class:`RowError` errors. Errors carry a code and parameters; :func:`describe` turns them into an
English sentence, or into the active language when given Django's ``gettext`` (the msgids below are marked
with :func:`gettext_noop` so that ``makemessages`` finds them).

Formats:

1. Our CSV, header ``kommunenummer,kommunenavn,navn_i_kilden,fylkesnummer,fylkesnavn,folketall,…``; the
   columns kommunenummer, kommunenavn, fylkesnummer, fylkesnavn and folketall are required, the order is free,
   commas or semicolons separate the cells (a Norwegian spreadsheet saves with semicolons). The figures'
   reference date is not in the file: the caller gives it, or it is 1 January of a four-digit year in the
   file name.
2. SSB's "semicolon separated" download of table 07459: optional title and blank lines, then a header whose
   first column is ``region``, either long (a column ``år``/``year`` and one value column) or wide (one column
   per year, e.g. ``Personer 2024``). Regions look like ``0301 Oslo``; the country (``0 Hele landet``) and the
   counties (two-digit codes) are totals and skipped, as are regions without a figure (``..``, ``.``, ``...``,
   ``-``, ``:``) such as dissolved municipalities. A municipality's county is the first two digits of its
   number. Figures are per 1 January of the year.
"""

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import PurePath

from core.spreadsheets import decode_text


def gettext_noop(message: str) -> str:
    """Mark a msgid for ``makemessages`` without importing Django; :func:`describe` translates it."""
    return message


MESSAGES: dict[str, str] = {
    # The file as a whole (line 0, or the header's line).
    "empty_file": gettext_noop("The file is empty."),
    "not_text": gettext_noop("The file is not text in UTF-8 or Windows-1252; save it as CSV and try again."),
    "spreadsheet_not_csv": gettext_noop(
        "The file is a spreadsheet workbook, not CSV; save it as CSV (semicolon or comma separated) and try again."
    ),
    "unknown_format": gettext_noop(
        "Unknown file format: expected our population CSV (a header starting with “kommunenummer”) or SSB's "
        "CSV export of table 07459 (a header starting with “region”)."
    ),
    "not_csv": gettext_noop("The file is not valid CSV (%(reason)s)."),
    "missing_columns": gettext_noop("The header lacks the column(s) %(columns)s."),
    "duplicate_columns": gettext_noop("The header has the column(s) %(columns)s more than once."),
    "no_rows": gettext_noop("The file has no population figures for municipalities."),
    "reference_date_needed": gettext_noop(
        "The figures' reference date is unknown: give it with --reference-date YYYY-MM-DD (or --year YYYY "
        "for 1 January), or put the year in the file name, as in kommuner_2024_folketall.csv."
    ),
    "reference_date_year_conflict": gettext_noop(
        "--reference-date %(reference_date)s and --year %(year)d disagree; give only one of them."
    ),
    "reference_date_with_ssb": gettext_noop(
        "SSB's figures are per 1 January of their year, so --reference-date does not apply to an SSB file; "
        "choose the year with --year."
    ),
    "ssb_columns": gettext_noop(
        "The SSB file has column(s) the import does not understand: %(columns)s. Download table 07459 with "
        "one figure per region and year (sex and age summed)."
    ),
    "ssb_no_year": gettext_noop(
        "The SSB file has no year: expected a column “år” (or “year”) or columns such as “Personer 2024”."
    ),
    "ssb_duplicate_year": gettext_noop("The SSB file has more than one column for %(year)d."),
    "year_not_in_file": gettext_noop("The file has no figures for %(year)d; it has %(years)s."),
    # One row.
    "wrong_column_count": gettext_noop("Expected %(expected)d columns but found %(found)d."),
    "municipality_number_format": gettext_noop(
        "Municipality number “%(value)s” is not valid; it must have exactly four digits."
    ),
    "municipality_number_leading_zero": gettext_noop(
        "Municipality number “%(value)s” must have exactly four digits; did a spreadsheet drop the leading "
        "zero of “%(suggestion)s”?"
    ),
    "county_number_format": gettext_noop("County number “%(value)s” is not valid; it must have exactly two digits."),
    "county_number_leading_zero": gettext_noop(
        "County number “%(value)s” must have exactly two digits; did a spreadsheet drop the leading zero of "
        "“%(suggestion)s”?"
    ),
    "county_number_mismatch": gettext_noop(
        "Municipality number %(number)s does not start with its county number %(county)s."
    ),
    "population_missing": gettext_noop("The population is missing."),
    "population_not_whole": gettext_noop("The population “%(value)s” is not a whole number."),
    "population_negative": gettext_noop("The population %(value)s is negative."),
    "population_too_large": gettext_noop("The population %(value)s is too large."),
    "duplicate_municipality": gettext_noop("Municipality %(number)s is already on line %(first_line)d."),
    "missing_name": gettext_noop("Municipality %(number)s has no name."),
    "missing_county_name": gettext_noop("County %(number)s has no name."),
    "county_name_conflict": gettext_noop(
        "County %(number)s is called “%(name)s” here but “%(other)s” on line %(first_line)d."
    ),
    "region_format": gettext_noop(
        "Region “%(value)s” is not a region number followed by its name, such as “0301 Oslo”."
    ),
    "year_format": gettext_noop("Year “%(value)s” is not a four-digit year."),
    # Found by the import service (delegates.services.population.population_import).
    "missing_reference_date": gettext_noop("Municipality %(number)s has no reference date for its population."),
    "unknown_county": gettext_noop(
        "County %(county)s of municipality %(number)s is not registered and the file does not name it; "
        "import our CSV file (which names the counties) or create the county first."
    ),
    "number_taken": gettext_noop(
        "Number %(number)s already belongs to “%(name)s”, which is not a municipality (%(kind)s)."
    ),
    "sole_municipality_conflict": gettext_noop(
        "%(name)s is the only municipality in county %(county)s and so its county municipality too, but the "
        "county already has a separate county municipality “%(other)s”; merge the two by hand first."
    ),
}


@dataclass(frozen=True)
class PopulationRow:
    """One municipality's population figure, as read from a file."""

    line: int
    municipality_number: str
    name: str | None
    county_number: str
    county_name: str | None
    population: int
    reference_date: date | None


@dataclass(frozen=True)
class RowError:
    """A problem on one line of the file; line 0 means the file as a whole."""

    line: int
    message_code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SkippedRow:
    """A row left out on purpose (SSB totals, regions without a figure, Svalbard and the like)."""

    line: int
    region: str
    reason: str  # "total", "no_figure" or "not_municipal"


class FileFormat(StrEnum):
    OUR_CSV = "csv"
    SSB = "ssb"


@dataclass(frozen=True)
class ParsedFile:
    file_format: FileFormat | None
    rows: list[PopulationRow]
    errors: list[RowError]
    skipped: list[SkippedRow] = field(default_factory=list)
    reference_date: date | None = None
    years: tuple[int, ...] = ()  # SSB: every year the file has

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class PopulationImportResult:
    """What :func:`delegates.services.population.population_import` did."""

    counties_created: int = 0
    counties_renamed: int = 0
    municipalities_created: int = 0
    municipalities_updated: int = 0
    municipalities_unchanged: int = 0
    county_municipalities_created: int = 0
    county_municipalities_updated: int = 0
    county_municipalities_unchanged: int = 0
    skipped_rows: int = 0
    population: int = 0  # the sum of the imported rows
    reference_dates: tuple[date, ...] = ()
    single_delegations: tuple[str, ...] = ()  # names of municipalities that are also their county (Oslo)
    not_in_file: tuple[str, ...] = ()  # "number name" of registered municipalities the file did not mention


class PopulationImportError(Exception):
    """The import found problems; nothing was written."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__("; ".join(describe(error) for error in self.errors))


def describe(error: RowError, translate: Callable[[str], str] = gettext_noop) -> str:
    """The error as a sentence; pass Django's ``gettext`` as ``translate`` for the active language."""
    template = MESSAGES.get(error.message_code)
    if template is None:
        return f"{error.message_code} {error.params}"
    return translate(template) % error.params


def same_name(current: str, in_file: str) -> bool:
    """Whether the name in a file is the registered name: SSB writes every official form ("Tromsø - Romsa -
    Tromssa"), and a register that holds one of those forms is not renamed by it."""
    if current == in_file:
        return True
    forms = [form.strip() for form in in_file.split(" - ")]
    return len(forms) > 1 and current in forms


# --- Reading ------------------------------------------------------------------------------------------------

OUR_REQUIRED_COLUMNS = ("kommunenummer", "kommunenavn", "fylkesnummer", "fylkesnavn", "folketall")
SSB_NO_FIGURE = frozenset({"", ".", "..", "...", "-", ":"})
SSB_YEAR_COLUMNS = frozenset({"år", "year", "tid", "time"})
SSB_IGNORED_COLUMNS = frozenset({"statistikkvariabel", "contents", "statistic", "tabellinnhold"})
# Svalbard (21), Jan Mayen (22) and the continental shelf (23) have region numbers but are not municipalities.
SSB_NOT_MUNICIPAL_PREFIXES = frozenset({"21", "22", "23"})
MAX_POPULATION = 2_147_483_647  # the database column's limit

_HEADER_RE = re.compile(r'^\s*"?\s*(kommunenummer|region)\s*"?\s*([,;\t]|$)', re.IGNORECASE)
_FILE_NAME_YEAR_RE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
_HEADER_YEAR_RE = re.compile(r"(?<![0-9])((?:18|19|20)[0-9]{2})(?![0-9])")
_REGION_RE = re.compile(r"(?:[KF]-)?([0-9]+)(?:\s+(.*))?", re.IGNORECASE)
_PERIOD_RE = re.compile(r"\s*\(\s*(?:[0-9]{4})?\s*[-\u2013]\s*(?:[0-9]{4})?\s*\)\s*$")
_HEADER_SEARCH_LINES = 15


# The file's text: UTF-8 (with or without BOM), UTF-16 with BOM, or else Windows-1252; None if none fit. The same
# reading as the participant import's (core.spreadsheets).
decode = decode_text


def reference_date_from_file_name(file_name: str) -> date | None:
    """1 January of the one four-digit year in the file's name (``kommuner_2024_folketall.csv``: 2024-01-01)."""
    years = set(_FILE_NAME_YEAR_RE.findall(PurePath(file_name).name))
    if len(years) != 1:
        return None
    return date(int(years.pop()), 1, 1)


def parse_population_file(
    data: bytes, *, file_name: str = "", reference_date: date | None = None, year: int | None = None
) -> ParsedFile:
    """Detect the file's format and read it. Never raises for bad input: every problem is in ``errors``."""
    if not data.strip():
        return ParsedFile(None, [], [RowError(0, "empty_file")])
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        return ParsedFile(None, [], [RowError(0, "spreadsheet_not_csv")])
    text = decode(data)
    if text is None or "\x00" in text:
        return ParsedFile(None, [], [RowError(0, "not_text")])
    lines = text.lstrip("\ufeff").splitlines()

    header_index, match = None, None
    non_blank = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        match = _HEADER_RE.match(line)
        if match:
            header_index = index
            break
        non_blank += 1
        if non_blank >= _HEADER_SEARCH_LINES:
            break
    if header_index is None or match is None:
        return ParsedFile(None, [], [RowError(0, "unknown_format")])

    kind = match.group(1).lower()
    delimiter = match.group(2) or ("," if kind == "kommunenummer" else ";")
    records = _records(lines, header_index, delimiter)
    try:
        header_line, header = next(records)
        if kind == "kommunenummer":
            return _parse_our_csv(header_line, header, records, file_name, reference_date, year)
        return _parse_ssb(header_line, header, records, reference_date, year)
    except _CsvProblem as problem:
        return ParsedFile(None, [], [RowError(problem.line, "not_csv", {"reason": problem.reason})])


class _CsvProblem(Exception):
    def __init__(self, line: int, reason: str):
        self.line, self.reason = line, reason


def _records(lines: list[str], start: int, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, stripped cells) for every record from the header on; a blank line gives no cells."""
    reader = csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=delimiter)
    previous = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _CsvProblem(start + previous + 1, str(error)) from None
        yield start + previous + 1, [cell.strip() for cell in record]
        previous = reader.line_num


def _fit_columns(line: int, cells: list[str], expected: int, errors: list[RowError]) -> list[str] | None:
    """The cells if there are as many as in the header (empty trailing cells from a spreadsheet are dropped); else
    None, and the error in ``errors``."""
    if len(cells) == expected:
        return cells
    if len(cells) > expected and not any(cells[expected:]):
        return cells[:expected]
    errors.append(RowError(line, "wrong_column_count", {"expected": expected, "found": len(cells)}))
    return None


def _repeated(line: int, number: str, first_line_of: dict[str, int]) -> RowError | None:
    """The error of a municipality that is in the file twice; ``first_line_of`` keeps where each number came first."""
    if number in first_line_of:
        return RowError(line, "duplicate_municipality", {"number": number, "first_line": first_line_of[number]})
    if number:
        first_line_of[number] = line
    return None


def _take(
    rows: list[PopulationRow],
    errors: list[RowError],
    first_line_of: dict[str, int],
    row_errors: list[RowError],
    row: PopulationRow,
) -> None:
    """A row of the file: its figure, or what is wrong with it (a municipality the file already had, too)."""
    if repeated := _repeated(row.line, row.municipality_number, first_line_of):
        row_errors = [*row_errors, repeated]
    if row_errors:
        errors.extend(row_errors)
    else:
        rows.append(row)


def _errors_in_order(rows: list[PopulationRow], errors: list[RowError]) -> list[RowError]:
    if not rows and not errors:
        errors.append(RowError(0, "no_rows"))
    return sorted(errors, key=lambda error: error.line)


def _number_error(line: int, value: str, digits: int, kind: str) -> RowError | None:
    if re.fullmatch(rf"[0-9]{{{digits}}}", value):
        return None
    if re.fullmatch(rf"[0-9]{{{digits - 1}}}", value):
        return RowError(line, f"{kind}_number_leading_zero", {"value": value, "suggestion": "0" + value})
    return RowError(line, f"{kind}_number_format", {"value": value})


def _population(line: int, value: str) -> tuple[int | None, RowError | None]:
    compact = re.sub(r"\s", "", value)
    if not compact:
        return None, RowError(line, "population_missing")
    if not re.fullmatch(r"[-+]?[0-9]+", compact):
        return None, RowError(line, "population_not_whole", {"value": value})
    number = int(compact)
    if number < 0:
        return None, RowError(line, "population_negative", {"value": number})
    if number > MAX_POPULATION:
        return None, RowError(line, "population_too_large", {"value": number})
    return number, None


def _duplicated(names: Sequence[str]) -> list[str]:
    return sorted({name for name in names if names.count(name) > 1})


def _parse_our_csv(
    header_line: int,
    header: list[str],
    records: Iterator[tuple[int, list[str]]],
    file_name: str,
    reference_date: date | None,
    year: int | None,
) -> ParsedFile:
    columns = [cell.lower() for cell in header]
    missing = [name for name in OUR_REQUIRED_COLUMNS if name not in columns]
    if missing:
        return ParsedFile(
            FileFormat.OUR_CSV,
            [],
            [RowError(header_line, "missing_columns", {"columns": ", ".join(missing)})],
        )
    duplicated = _duplicated([name for name in columns if name])
    if duplicated:
        return ParsedFile(
            FileFormat.OUR_CSV,
            [],
            [RowError(header_line, "duplicate_columns", {"columns": ", ".join(duplicated)})],
        )
    errors: list[RowError] = []
    if reference_date is not None and year is not None and reference_date.year != year:
        errors.append(
            RowError(
                0,
                "reference_date_year_conflict",
                {"reference_date": reference_date.isoformat(), "year": year},
            )
        )
    elif reference_date is None:
        reference_date = date(year, 1, 1) if year is not None else reference_date_from_file_name(file_name)
        if reference_date is None:
            errors.append(RowError(0, "reference_date_needed"))

    at = {name: columns.index(name) for name in OUR_REQUIRED_COLUMNS}
    rows: list[PopulationRow] = []
    first_line_of: dict[str, int] = {}
    county_names: dict[str, tuple[str, int]] = {}
    for line, raw in records:
        if not any(raw):
            continue
        cells = _fit_columns(line, raw, len(columns), errors)
        if cells is None:
            continue
        number, name = cells[at["kommunenummer"]], cells[at["kommunenavn"]]
        county, county_name = cells[at["fylkesnummer"]], cells[at["fylkesnavn"]]
        row_errors = [
            error
            for error in (
                _number_error(line, number, 4, "municipality"),
                _number_error(line, county, 2, "county"),
            )
            if error
        ]
        if not row_errors and not number.startswith(county):
            row_errors.append(RowError(line, "county_number_mismatch", {"number": number, "county": county}))
        population, population_error = _population(line, cells[at["folketall"]])
        if population_error:
            row_errors.append(population_error)
        if not name:
            row_errors.append(RowError(line, "missing_name", {"number": number or "?"}))
        if not county_name:
            row_errors.append(RowError(line, "missing_county_name", {"number": county or "?"}))
        elif county in county_names and county_names[county][0] != county_name:
            other, first_line = county_names[county]
            row_errors.append(
                RowError(
                    line,
                    "county_name_conflict",
                    {"number": county, "name": county_name, "other": other, "first_line": first_line},
                )
            )
        else:
            county_names.setdefault(county, (county_name, line))
        row = PopulationRow(line, number, name, county, county_name, population, reference_date)
        _take(rows, errors, first_line_of, row_errors, row)
    return ParsedFile(FileFormat.OUR_CSV, rows, _errors_in_order(rows, errors), reference_date=reference_date)


@dataclass(frozen=True)
class _Observation:
    line: int
    region: str
    year: int
    value: str


def _parse_ssb(
    header_line: int,
    header: list[str],
    records: Iterator[tuple[int, list[str]]],
    reference_date: date | None,
    year: int | None,
) -> ParsedFile:
    def fail(line: int, code: str, params: dict | None = None) -> ParsedFile:
        return ParsedFile(FileFormat.SSB, [], [RowError(line, code, params or {})])

    columns = [cell.lower() for cell in header]
    year_columns = [i for i, name in enumerate(columns) if name in SSB_YEAR_COLUMNS]
    value_columns = [
        i for i, name in enumerate(columns) if i > 0 and name not in SSB_YEAR_COLUMNS | SSB_IGNORED_COLUMNS
    ]
    if len(year_columns) > 1:
        return fail(header_line, "duplicate_columns", {"columns": ", ".join(header[i] for i in year_columns)})
    if year_columns:
        if not value_columns:
            return fail(header_line, "missing_columns", {"columns": "“Personer”"})
        if len(value_columns) > 1:
            unknown = value_columns[:-1]
            return fail(header_line, "ssb_columns", {"columns": ", ".join(f"“{header[i]}”" for i in unknown)})
        year_of_column: dict[int, int] = {}
    else:
        year_of_column = {}
        unknown = []
        for i in value_columns:
            found = _HEADER_YEAR_RE.findall(header[i])
            if len(found) != 1:
                unknown.append(f"“{header[i]}”")
            elif int(found[0]) in year_of_column.values():
                return fail(header_line, "ssb_duplicate_year", {"year": int(found[0])})
            else:
                year_of_column[i] = int(found[0])
        if unknown:
            return fail(header_line, "ssb_columns", {"columns": ", ".join(unknown)})
        if not year_of_column:
            return fail(header_line, "ssb_no_year")

    errors: list[RowError] = []
    observations: list[_Observation] = []
    after_blank = False
    for line, raw in records:
        if not any(raw):
            after_blank = True
            continue
        if len(raw) == 1 and after_blank:
            continue  # a footnote below the table
        cells = _fit_columns(line, raw, len(columns), errors)
        if cells is None:
            continue
        if year_columns:
            year_text = cells[year_columns[0]]
            if not re.fullmatch(r"[0-9]{4}", year_text):
                errors.append(RowError(line, "year_format", {"value": year_text}))
                continue
            observations.append(_Observation(line, cells[0], int(year_text), cells[value_columns[0]]))
        else:
            observations.extend(_Observation(line, cells[0], y, cells[i]) for i, y in year_of_column.items())

    years = tuple(sorted({o.year for o in observations}))
    if reference_date is not None:
        errors.insert(0, RowError(0, "reference_date_with_ssb"))
    if year is None:
        with_figures = [
            o.year for o in observations if o.value not in SSB_NO_FIGURE and len(_region_code(o.region) or "") == 4
        ]
        year = max(with_figures or years or (0,))
    elif year not in years:
        errors.insert(0, RowError(0, "year_not_in_file", {"year": year, "years": ", ".join(map(str, years)) or "-"}))
    chosen_date = date(year, 1, 1) if year else None

    rows: list[PopulationRow] = []
    skipped: list[SkippedRow] = []
    first_line_of: dict[str, int] = {}
    for observation in observations:
        if observation.year != year:
            continue
        line, region = observation.line, observation.region
        match = _REGION_RE.fullmatch(region)
        code = match.group(1) if match else ""
        if len(code) in (1, 2):
            skipped.append(SkippedRow(line, region, "total"))
            continue
        if observation.value in SSB_NO_FIGURE:
            skipped.append(SkippedRow(line, region, "no_figure"))
            continue
        if len(code) != 4:
            errors.append(RowError(line, "region_format", {"value": region}))
            continue
        if code[:2] in SSB_NOT_MUNICIPAL_PREFIXES:
            skipped.append(SkippedRow(line, region, "not_municipal"))
            continue
        row_errors = []
        population, population_error = _population(line, observation.value)
        if population_error:
            row_errors.append(population_error)
        name = _PERIOD_RE.sub("", match.group(2) or "").strip() if match else ""
        if not name:
            row_errors.append(RowError(line, "missing_name", {"number": code}))
        _take(
            rows,
            errors,
            first_line_of,
            row_errors,
            PopulationRow(line, code, name, code[:2], None, population, chosen_date),
        )
    errors = _errors_in_order(rows, errors)
    return ParsedFile(FileFormat.SSB, rows, errors, skipped, reference_date=chosen_date, years=years)


def _region_code(region: str) -> str | None:
    match = _REGION_RE.fullmatch(region)
    return match.group(1) if match else None
