"""``manage.py import_population FILE``: load municipalities, counties and populations; all or nothing.

FILE is our CSV (``kommunenummer,kommunenavn,navn_i_kilden,fylkesnummer,fylkesnavn,folketall,…``) or SSB's CSV
export of table 07459; the format is detected. Every problem is written to stderr as ``line N: <message>`` (or
just the message when it concerns the whole file), nothing is written to the database and the command fails
with status 1. On success one paragraph on stdout tells what changed.
"""

import argparse
from datetime import date
from pathlib import Path
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from delegates.management.input_files import unreadable
from delegates.population import (
    FileFormat,
    ParsedFile,
    PopulationImportError,
    PopulationImportResult,
    RowError,
    describe,
    parse_population_file,
)
from delegates.services.population import population_import

NOT_IN_FILE_EXAMPLES = 5


def _reference_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            gettext("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": text}
        ) from None


def _year(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(gettext("“%(value)s” is not a four-digit year.") % {"value": text})
    return int(text)


class Command(BaseCommand):
    help = (
        "Load municipalities, counties and their population from FILE: our CSV (kommunenummer, "
        "kommunenavn, fylkesnummer, fylkesnavn, folketall, …) or SSB's CSV export of table 07459. All or "
        "nothing: every bad row is reported and then nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="Our population CSV or SSB's CSV export of table 07459.")
        parser.add_argument(
            "--reference-date",
            type=_reference_date,
            metavar="YYYY-MM-DD",
            help="Date the figures of our CSV refer to (default: 1 January of the year in the file name).",
        )
        parser.add_argument(
            "--year",
            type=_year,
            metavar="YYYY",
            help="SSB file: the year to import (default: the latest year with figures). "
            "Our CSV: figures per 1 January of YYYY.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(unreadable(path, error)) from None

        parsed = parse_population_file(
            data, file_name=path.name, reference_date=options["reference_date"], year=options["year"]
        )
        if not parsed.ok:
            self._fail(parsed.errors, path)
        try:
            result = population_import(rows=parsed.rows, skipped_rows=len(parsed.skipped))
        except PopulationImportError as error:
            self._fail(error.errors, path)
        self.stdout.write(self._summary(path, parsed, result))

    def _fail(self, errors: list[RowError], path: Path) -> NoReturn:
        for error in errors:
            message = describe(error, gettext)
            if error.line:
                message = gettext("line %(line)d: %(message)s") % {"line": error.line, "message": message}
            self.stderr.write(message)
        raise CommandError(
            ngettext(
                "Nothing was imported: %(count)d error in %(file)s.",
                "Nothing was imported: %(count)d errors in %(file)s.",
                len(errors),
            )
            % {"count": len(errors), "file": path}
        )

    def _summary(self, path: Path, parsed: ParsedFile, result: PopulationImportResult) -> str:
        source = gettext("our CSV") if parsed.file_format is FileFormat.OUR_CSV else gettext("SSB table 07459")
        sentences = [
            ngettext(
                "Imported %(rows)d municipality from %(file)s (%(source)s), population per %(dates)s, "
                "%(population)s in total.",
                "Imported %(rows)d municipalities from %(file)s (%(source)s), population per %(dates)s, "
                "%(population)s in total.",
                len(parsed.rows),
            )
            % {
                "rows": len(parsed.rows),
                "file": path.name,
                "source": source,
                "dates": ", ".join(d.isoformat() for d in result.reference_dates),
                "population": number_format(result.population, force_grouping=True),
            },
            gettext("Municipalities: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "created": result.municipalities_created,
                "updated": result.municipalities_updated,
                "unchanged": result.municipalities_unchanged,
            },
            gettext("Counties: %(created)d created, %(renamed)d renamed.")
            % {"created": result.counties_created, "renamed": result.counties_renamed},
            gettext("County municipalities: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "created": result.county_municipalities_created,
                "updated": result.county_municipalities_updated,
                "unchanged": result.county_municipalities_unchanged,
            },
        ]
        if result.single_delegations:
            sentences.append(
                gettext("%(names)s: municipality and county municipality in one organisation (one delegation).")
                % {"names": ", ".join(result.single_delegations)}
            )
        if parsed.skipped:
            reasons = [s.reason for s in parsed.skipped]
            sentences.append(
                ngettext(
                    "Skipped %(count)d row (totals for the country or a county: %(totals)d; regions "
                    "without a figure, such as dissolved municipalities: %(no_figure)d; regions that are not "
                    "municipalities: %(other)d).",
                    "Skipped %(count)d rows (totals for the country or a county: %(totals)d; regions "
                    "without a figure, such as dissolved municipalities: %(no_figure)d; regions that are not "
                    "municipalities: %(other)d).",
                    len(reasons),
                )
                % {
                    "count": len(reasons),
                    "totals": reasons.count("total"),
                    "no_figure": reasons.count("no_figure"),
                    "other": reasons.count("not_municipal"),
                }
            )
        if len(parsed.years) > 1:
            sentences.append(
                gettext("The file also has the years %(years)s; choose one with --year.")
                % {"years": ", ".join(str(y) for y in parsed.years if y != parsed.reference_date.year)}
            )
        if result.not_in_file:
            examples = ", ".join(result.not_in_file[:NOT_IN_FILE_EXAMPLES])
            if len(result.not_in_file) > NOT_IN_FILE_EXAMPLES:
                examples += ", …"
            sentences.append(
                ngettext(
                    "%(count)d registered municipality is not in the file and was left as it was: %(examples)s.",
                    "%(count)d registered municipalities are not in the file and were left as they were: %(examples)s.",
                    len(result.not_in_file),
                )
                % {"count": len(result.not_in_file), "examples": examples}
            )
        return " ".join(sentences)
