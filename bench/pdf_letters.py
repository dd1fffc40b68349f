"""Invitation letters as PDFs: one WeasyPrint document per letter vs. many letters rendered as one and split.

Renders N invitation letters (templates/delegates/pdf/invitation_letter.html, sample data, no database) twice,
each way in its own child process so that peak memory is measured separately:

- single: ``core.pdf.render_pdf`` once per letter;
- batch:  ``core.pdf.render_pdf_batch`` on chunks of ``--batch-size`` letters.

Prints, side by side, the milliseconds per letter (wall clock and CPU time of the process; PDF rendering only; the
HTML is rendered from the template beforehand and its cost printed separately), the total, the mean PDF size and the
peak RSS of the process (resource.getrusage). One letter is rendered before timing starts (fonts, CSS parsing).

    .venv/bin/python bench/pdf_letters.py [--letters 200] [--batch-size 100] [--quick]

``--quick``: 6 letters, batches of 3.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._shared import parse_args  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ks_landsting.settings")
os.environ.setdefault("DEBUG", "false")

OSLO = ZoneInfo("Europe/Oslo")
FIRST_NAMES = ["Åse", "Øystein", "Kari", "Bjørn", "Ingrid", "Håkon", "Sølvi", "Per", "Mette", "Ærling"]
LAST_NAMES = ["Ødegård", "Bækken", "Hansen", "Fjellheim", "Aasen", "Løvås", "Nilsen", "Strøm", "Berg", "Dæhli"]


def letter_contexts(count: int) -> list[dict]:
    from delegates.printing import qr_code_png_data_uri

    events = [
        ("Kommunalpolitisk toppmøte", (13, 8, 45), (13, 15, 0)),
        ("Landstinget, day 1: the leader's speech and general political debate", (13, 15, 30), (13, 17, 30)),
        ("Landstinget, day 2: political decisions and elections", (14, 9, 15), (14, 15, 0)),
    ]
    contexts = []
    for number in range(count):
        url = f"https://landsting.ks.no/registrering/{number:06d}-fZ8xkP0vY7mQw1sLrT4uHc9bNaEe6JdGiKoUlSg/"
        contexts.append(
            {
                "congress": {
                    "name": "Landstinget 2024",
                    "city": "Trondheim",
                    "venue": "Trondheim Spektrum",
                    "first_day": datetime.date(2024, 2, 12),
                    "last_day": datetime.date(2024, 2, 14),
                },
                "participant": {
                    "full_name": f"{FIRST_NAMES[number % 10]} {LAST_NAMES[number // 10 % 10]} {number}",
                    "role_label": "delegate",
                    "organisation_name": "Nordre Follo kommune",
                    "county_name": "Akershus",
                },
                "invited_events": [
                    {
                        "title": title,
                        "starts": datetime.datetime(2024, 2, start[0], start[1], start[2], tzinfo=OSLO),
                        "ends": datetime.datetime(2024, 2, end[0], end[1], end[2], tzinfo=OSLO),
                        "venue": "Trondheim Spektrum",
                    }
                    for title, start, end in events
                ],
                "registration_url": url,
                "qr_image": qr_code_png_data_uri(url),
                "registration_deadline": datetime.date(2024, 1, 10),
                "travel_information": (
                    "Book your travel through KS' travel agency on +47 22 00 00 00; quote «Landstinget 2024».\n\n"
                    "Hotel rooms are reserved from 12 to 14 February. Choose your nights when you register."
                ),
                "sender": "KS Viken",
                "letter_date": datetime.date(2023, 12, 12),
                "language": "nb" if number % 4 else "en",
            }
        )
    return contexts


def run_child(mode: str, letters: int, batch_size: int) -> dict:
    import django

    django.setup()
    from django.template.loader import render_to_string

    from core.pdf import render_pdf, render_pdf_batch

    started = time.perf_counter()
    contexts = letter_contexts(letters + 1)
    documents = [render_to_string("delegates/pdf/invitation_letter.html", context) for context in contexts]
    html_seconds = time.perf_counter() - started
    warm_up, documents = documents[0], documents[1:]
    render_pdf(warm_up)

    started, cpu_started = time.perf_counter(), time.process_time()
    if mode == "single":
        pdfs = [render_pdf(document) for document in documents]
    else:
        pdfs = []
        for chunk_start in range(0, len(documents), batch_size):
            pdfs += render_pdf_batch(documents[chunk_start : chunk_start + batch_size])
    pdf_seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    assert len(pdfs) == letters

    return {
        "mode": mode,
        "html_ms_per_letter": 1000 * html_seconds / (letters + 1),
        "pdf_ms_per_letter": 1000 * pdf_seconds / letters,
        "pdf_seconds": pdf_seconds,
        "cpu_ms_per_letter": 1000 * cpu_seconds / letters,
        "mean_pdf_kib": sum(map(len, pdfs)) / letters / 1024,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB on Linux
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--child", choices=["single", "batch"], help=argparse.SUPPRESS)
    args = parse_args(parser, quick={"letters": 6, "batch_size": 3})

    if args.child:
        print(json.dumps(run_child(args.child, args.letters, args.batch_size)))
        return

    import weasyprint

    print(
        f"letters: {args.letters}; batch size: {args.batch_size}; Python {platform.python_version()}, "
        f"WeasyPrint {weasyprint.__version__}"
    )
    results = []
    for mode in ("single", "batch"):
        output = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                mode,
                "--letters",
                str(args.letters),
                "--batch-size",
                str(args.batch_size),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))

    labels = {"single": "render_pdf, one by one", "batch": f"render_pdf_batch, {args.batch_size} a batch"}
    header = (
        f"{'PDF ms/letter':>14} {'CPU ms/letter':>14} {'total s':>8} {'HTML ms/letter':>15} {'KiB/letter':>11} "
        f"{'peak RSS MiB':>13}"
    )
    print(f"{'':32} {header}")
    for result in results:
        print(
            f"{labels[result['mode']]:32} {result['pdf_ms_per_letter']:14.1f} {result['cpu_ms_per_letter']:14.1f} "
            f"{result['pdf_seconds']:8.1f} "
            f"{result['html_ms_per_letter']:15.1f} {result['mean_pdf_kib']:11.1f} {result['peak_rss_mib']:13.0f}"
        )
    single, batch = results
    print(f"speed-up: {single['pdf_ms_per_letter'] / batch['pdf_ms_per_letter']:.1f}x")


if __name__ == "__main__":
    main()
