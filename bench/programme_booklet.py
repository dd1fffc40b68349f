"""Time to render the programme booklet and the agenda (saksliste) of the demo congress as PDFs (issue 5, item 4).

Builds the demo data in a throw-away SQLite file database in a temporary directory (``migrate`` and ``seed_demo``),
then renders ``agenda.printing.render_programme`` and ``render_agenda`` for Landstinget 2024: once to warm up (fonts,
CSS parsing, templates), then ``--runs`` times each. Prints the median, fastest and slowest wall-clock seconds, the
median CPU seconds of the process (steadier on a shared machine), the pages, the size and the SQL queries per
rendering. Target (issue 5): the booklet under 3 s.

The agenda is printed as it stands after the meeting: items of the demo agenda that have no documents get two
document titles, and items without a decision get a two-paragraph decision text, so the agenda shows everything it
can show. If the demo data has no agenda items at all, a plausible agenda of nine items is created first.

    .venv/bin/python bench/programme_booklet.py [--runs 5] [--keep-pdfs DIR] [--quick]

``--quick``: one timed run of each.
"""

import argparse
import datetime
import io
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._shared import measure, parse_args  # noqa: E402

TMP = Path(tempfile.mkdtemp(prefix="ks-booklet-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"  # an absolute path: sqlite:////tmp/...
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ks_landsting.settings")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

CONGRESS = ("Landstinget 2024", 2024)
FALLBACK_AGENDA = [  # (number, title, English title, kind, session index (0: Tuesday, 1: Wednesday), hh, mm, minutes)
    (1, "Konstituering", "Constitution of the meeting", "constitution", 0, 15, 30, 15),
    (2, "Leders tale", "The leader's speech", "leader_speech", 0, 15, 45, 30),
    (3, "Generell politisk debatt", "General political debate", "general_debate", 0, 16, 15, 75),
    (4, "Kommunesektorens politiske prioriteringer 2024–2027", "Priorities", "political_document", 1, 9, 15, 150),
    (5, "Uttalelser", "Statements", "statements", 1, 11, 45, 45),
    (6, "Valg", "Elections", "elections", 1, 13, 15, 60),
    (7, "Kontingent", "Membership fee", "membership_fee", 1, 14, 15, 15),
    (8, "Vedtekter", "Statutes", "statutes", 1, 14, 30, 15),
    (9, "Eventuelt", "Other matters", "other", 1, 14, 45, 15),
]


def build():
    from zoneinfo import ZoneInfo

    from agenda.models import AgendaDocument, AgendaItem, Congress, Event

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    congress = Congress.objects.get(name=CONGRESS[0], year=CONGRESS[1])
    seeded_items = congress.agenda_items.count()
    if not seeded_items:
        oslo = ZoneInfo("Europe/Oslo")
        sessions = list(
            Event.objects.filter(congress=congress, kind=Event.Kind.LANDSTING_SESSION).order_by("starts_at")
        )
        for number, title, title_en, kind, session_index, hour, minute, minutes in FALLBACK_AGENDA:
            session = sessions[min(session_index, len(sessions) - 1)] if sessions else None
            day = session.starts_at.astimezone(oslo).date() if session else congress.first_day
            AgendaItem.objects.create(
                congress=congress,
                session=session,
                number=number,
                title=title,
                title_en=title_en,
                kind=kind,
                rapporteur="Leder",
                planned_start=datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=oslo),
                planned_minutes=minutes,
            )
    for item in congress.agenda_items.all():
        if not item.documents.exists():
            AgendaDocument.objects.create(item=item, title=f"Saksframlegg: {item.title}", file="agenda/2024/a.pdf")
            AgendaDocument.objects.create(item=item, title="Innstilling fra hovedstyret", file="agenda/2024/b.pdf")
        if not item.decision:
            item.decision = (
                f"Landstinget vedtar hovedstyrets innstilling i sak {item.number}, «{item.title}», med de endringer "
                "som framgår av protokollen.\n\nVedtaket ble fattet med 231 mot 23 stemmer."
            )
            item.save(update_fields=["decision"])
    return congress, seeded_items, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--language", choices=["nb", "en"], default="nb")
    parser.add_argument("--keep-pdfs", type=Path, help="write the last rendering of each document into this directory")
    args = parse_args(parser, quick={"runs": 1})

    import weasyprint

    from agenda.models import AgendaDocument, AgendaItem, Event
    from agenda.printing import render_agenda, render_programme

    try:
        congress, seeded_items, build_seconds = build()
        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, WeasyPrint {weasyprint.__version__}; "
            f"load average {' '.join(f'{load:.1f}' for load in os.getloadavg())}"
        )
        print(
            f"data: {congress.name}: {Event.objects.filter(congress=congress).count()} events, "
            f"{AgendaItem.objects.filter(congress=congress).count()} agenda items "
            f"({seeded_items} from seed_demo), "
            f"{AgendaDocument.objects.filter(item__congress=congress).count()} documents; "
            f"built in {build_seconds:.1f} s (SQLite, {TMP})"
        )
        print(f"language: {args.language}; warm-up 1, runs {args.runs}")
        print(f"{'':24}{'median s':>10}{'min s':>8}{'max s':>8}{'CPU s':>8}{'pages':>7}{'KiB':>7}{'queries':>9}")
        results = {}
        for name, function in [("programme booklet", render_programme), ("agenda (saksliste)", render_agenda)]:
            result = measure(lambda function=function: function(congress, language=args.language), args.runs)
            results[name] = result
            print(
                f"{name:24}{statistics.median(result['walls']):10.3f}{min(result['walls']):8.3f}"
                f"{max(result['walls']):8.3f}{statistics.median(result['cpus']):8.3f}{result['pages']:7d}"
                f"{result['bytes'] / 1024:7.0f}{result['queries']:9d}"
            )
            if args.keep_pdfs:
                args.keep_pdfs.mkdir(parents=True, exist_ok=True)
                filename = function.__name__.removeprefix("render_") + f"_{args.language}.pdf"
                (args.keep_pdfs / filename).write_bytes(result["pdf"])
        booklet = statistics.median(results["programme booklet"]["walls"])
        verdict = "met" if booklet < 3 else "NOT met"
        print(f"target: programme booklet under 3 s: {verdict} (median {booklet:.3f} s)")
    finally:
        connection.close()
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
