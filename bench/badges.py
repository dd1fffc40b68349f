"""Bench: badges for 1,000 participants as one PDF (issue 5; target under 10 s).

    .venv/bin/python bench/badges.py [--participants 1000] [--preset a4|avery_l7418] [--repeat 3] [--out badges.pdf]
                                     [--quick]

No database: made-up people (Norwegian names with æ, ø, å, some very long; every role; 20-character badge codes
like the real ones) go straight into ``delegates.printing.render_badges``, the same function the worker uses.
Prints, per run, the seconds for building the badges (QR codes, size classes), the HTML, the layout and the PDF
(wall clock and process CPU time), the pages, and at the end the process's peak RSS. ``--quick``: 40 badges, one run.
"""

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._shared import parse_args

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ks_landsting.settings")

import django

django.setup()

import weasyprint  # noqa: E402

from agenda.roles import Role  # noqa: E402
from delegates import printing  # noqa: E402
from delegates.models import new_badge_code  # noqa: E402

FIRST = ["Åse", "Bjørn", "Kari", "Ola", "Sølvi", "Håkon", "Ingrid", "Lars", "Anne-Marthe", "Per Kristian", "Tor Øyvind"]
LAST = ["Ødegård", "Bækken", "Nordmann", "Sæther", "Lie", "Ås", "Haugen", "Dæhlie", "Aasmundsen-Kvernmoen", "Berg"]
ORGANISATIONS = ["Bærum kommune", "Trøndelag fylkeskommune", "Nord-Fron kommune", "Sør-Varanger kommune", "Ås kommune"]
COUNTIES = ["Akershus", "Trøndelag", "Innlandet", "Finnmark", "Vestland", "Møre og Romsdal"]
ROLES = list(Role)


def people(count: int) -> list[dict]:
    rng = random.Random(5)
    result = []
    for number in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if number % 50 == 0:  # now and then a very long name
            last = f"{last} {rng.choice(LAST)}-{rng.choice(LAST)} {rng.choice(LAST)}"
        role = ROLES[number % 5] if number % 7 else rng.choice(ROLES)
        result.append(
            {
                "name": f"{first} {last}",
                "organisation": rng.choice(ORGANISATIONS),
                "county": rng.choice(COUNTIES),
                "role": role.value,
                "role_label": str(role.label),
                "code": new_badge_code(),
            }
        )
    return result


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--preset", default="a4", help="a4 or a key of delegates.printing.LABEL_PRESETS")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", help="write the last PDF here")
    args = parse_args(parser, quick={"participants": 40, "repeat": 1})
    preset = printing.A4_SHEET if args.preset == "a4" else printing.LABEL_PRESETS[args.preset]
    data = people(args.participants)

    print(
        f"badges: {args.participants}; preset: {preset.key} ({preset.per_sheet} a sheet); "
        f"Python {sys.version.split()[0]}, WeasyPrint {weasyprint.__version__}; load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'run':>3}  {'badges s':>8}  {'HTML+PDF s':>10}  {'total s':>8}  {'CPU s':>6}  {'pages':>5}  {'KiB':>6}")
    totals = []
    pdf = b""
    for run in range(1, args.repeat + 1):
        start, start_cpu = time.perf_counter(), cpu()
        badges = [printing.Badge(**person) for person in data]
        built = time.perf_counter()
        pdf, pages = printing.render_badges(badges, preset=preset, language="nb")
        end, end_cpu = time.perf_counter(), cpu()
        totals.append(end - start)
        print(
            f"{run:>3}  {built - start:>8.2f}  {end - built:>10.2f}  {end - start:>8.2f}  {end_cpu - start_cpu:>6.2f}"
            f"  {pages:>5}  {len(pdf) / 1024:>6.0f}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    best, median = min(totals), sorted(totals)[len(totals) // 2]
    print(
        f"best {best:.2f} s, median {median:.2f} s; peak RSS {peak:.0f} MiB; "
        f"target < 10 s: {'not judged with --quick' if args.quick else 'met' if median < 10 else 'NOT met'}"
    )
    if args.out:
        Path(args.out).write_bytes(pdf)


if __name__ == "__main__":
    main()
