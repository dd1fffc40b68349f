"""``manage.py apportion``: share seats among the units of a CSV file (``name,population``) by population.

Prints CSV ``name,population,seats`` in input order. Bad input of any kind is one line on stderr and exit
status 2.
"""

import csv
import io
import re
import sys
from pathlib import Path
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from core.spreadsheets import CsvWriter
from delegates.apportionment import Apportionment, ApportionmentError, Method, apportion, parse_method
from delegates.apportionment_messages import describe_apportionment_error, describe_tie
from delegates.management.input_files import unreadable

EXIT_BAD_INPUT = 2
HEADER = ["name", "population"]
_INTEGER = re.compile(r"[+-]?[0-9]+")


class BadInput(Exception):
    """Anything wrong with the arguments or the file; its text is the (translated) one-line message."""


class Command(BaseCommand):
    help = (
        "Share SEATS among the units in FILE (CSV with header name,population) by population; "
        "prints CSV name,population,seats in input order."
    )
    requires_system_checks = []

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django's parser prints the usage and then the error; we promise a single line.
        parser.error = self._parser_error
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="CSV file with the header name,population (UTF-8).")
        parser.add_argument("--seats", type=int, required=True, metavar="N", help="Number of seats to share.")
        parser.add_argument(
            "--method",
            required=True,
            metavar="M",
            help=f"Apportionment method: {', '.join(m.value for m in Method)}.",
        )
        parser.add_argument(
            "--min-seats",
            type=int,
            default=0,
            metavar="K",
            help="Seats every unit gets at least (default 0).",
        )
        parser.add_argument(
            "--lot",
            action="append",
            default=[],
            metavar="NAME",
            help="A unit that won the drawing of lots for a tied seat (repeat for several seats).",
        )

    def handle(self, *args, **options):
        try:
            result = self._apportion(options)
        except BadInput as error:
            self._fail(str(error))
        out = io.StringIO()
        writer = CsvWriter(out, lineterminator="\n")  # a unit's name from the file could be a formula
        writer.writerow(["name", "population", "seats"])
        for unit in result.units:
            writer.writerow([unit.name, unit.population, unit.seats])
        self.stdout.write(out.getvalue(), ending="")

    def _apportion(self, options) -> Apportionment:
        try:
            method = parse_method(options["method"])
        except ApportionmentError as error:
            raise BadInput(describe_apportionment_error(error)) from None
        units, lines = _read_units(Path(options["file"]))
        try:
            result = apportion(units, seats=options["seats"], method=method, min_seats=options["min_seats"])
        except ApportionmentError as error:
            message = describe_apportionment_error(error)
            position = error.params.get("position")
            if position is not None:
                message = gettext("line %(line)d: %(message)s") % {
                    "line": lines[position - 1],
                    "message": message,
                }
            raise BadInput(message) from None

        lots = [name.strip() for name in options["lot"]]
        if result.tie is not None and not lots:
            raise BadInput(
                describe_tie(result.tie)
                + " "
                + gettext("Settle it by drawing lots and pass the winners with --lot NAME.")
            )
        if lots:
            try:
                result = result.resolve_tie(lots)
            except ApportionmentError as error:
                raise BadInput(describe_apportionment_error(error)) from None
        return result

    def _fail(self, message: str) -> NoReturn:
        message = " ".join(message.split())  # one line, whatever the names in the file contain
        if self._called_from_command_line:
            sys.stderr.write(f"apportion: {message}\n")
            sys.exit(EXIT_BAD_INPUT)
        raise CommandError(message, returncode=EXIT_BAD_INPUT)

    def _parser_error(self, message: str) -> NoReturn:
        self._fail(message)


def _read_units(path: Path) -> tuple[list[tuple[str, int | None]], list[int]]:
    """The ``(name, population)`` pairs in the file and the line of each; ``BadInput`` if unreadable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(gettext("%(file)s: not UTF-8 text.") % {"file": path}) from None
    except OSError as error:
        raise BadInput(unreadable(path, error)) from None

    units: list[tuple[str, int | None]] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or [cell.strip() for cell in header] != HEADER:
            raise BadInput(
                gettext("line 1: the header must be exactly “%(expected)s”, not “%(found)s”.")
                % {"expected": ",".join(HEADER), "found": ",".join(header or [])}
            )
        for row in reader:
            line = reader.line_num
            cells = [cell.strip() for cell in row]
            if len(cells) <= 1 and not any(cells):
                continue  # a blank line
            if len(cells) != len(HEADER):
                raise BadInput(
                    gettext("line %(line)d: expected 2 fields (name,population), found %(count)d.")
                    % {"line": line, "count": len(cells)}
                )
            name, population = cells
            units.append((name, _parse_population(population, line)))
            lines.append(line)
    except csv.Error as error:
        raise BadInput(
            gettext("line %(line)d: not valid CSV (%(reason)s).") % {"line": reader.line_num, "reason": error}
        ) from None
    return units, lines


def _parse_population(text: str, line: int) -> int | None:
    if not text:
        return None  # reported by apportion() as a missing population, with the unit's name
    if not _INTEGER.fullmatch(text):
        raise BadInput(
            gettext("line %(line)d: the population “%(population)s” is not a whole number.")
            % {"line": line, "population": text}
        )
    return int(text)
