"""CPU time of the ballot page (GET) and of one ballot POST inside Django (no network, no gunicorn): where the
voting hot path spends its time.

Builds a throw-away SQLite database in a temporary directory (``migrate``), a congress with ``--voters`` checked-in
delegates and their personal links, opens a yes/no vote, then through Django's test client (the whole middleware
stack) GETs the ballot page once per voter (the link, the poll, the page) and POSTs one ballot per voter (the
personal-link check, the service and the receipt page), and prints the process CPU milliseconds per GET and per POST.
``--profile`` prints the top of a cProfile listing of the GETs and of the POSTs as well.

    .venv/bin/python bench/ballot_cpu.py [--voters 200] [--profile] [--quick]

``--quick``: 20 voters.
"""

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._shared import parse_args  # noqa: E402

TMP = Path(tempfile.mkdtemp(prefix="ks-ballot-cpu-"))
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ks_landsting.settings")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402


def build(voters: int):
    import datetime

    from agenda.models import Congress
    from delegates.models import Attendance, County, Organisation, Participant
    from delegates.services.links import personal_link_issue
    from elections.services import poll_create_decision, poll_open

    today = datetime.date.today()
    congress = Congress.objects.create(
        name="Benkmerking",
        year=today.year,
        city="Oslo",
        first_day=today + datetime.timedelta(days=30),
        last_day=today + datetime.timedelta(days=31),
        registration_deadline=today + datetime.timedelta(days=10),
    )
    county = County.objects.create(number="03", name="Oslo")
    organisation = Organisation.objects.create(kind="municipality", number="0301", name="Oslo", county=county)
    people = Participant.objects.bulk_create(
        Participant(
            congress=congress,
            first_name="Velger",
            last_name=str(number),
            email=f"velger{number}@example.no",
            role="delegate",
            county=county,
            organisation=organisation,
            elected_by="county_meeting",
        )
        for number in range(voters)
    )
    Attendance.objects.bulk_create(Attendance(participant=person, direction="in") for person in people)
    tokens = [personal_link_issue(participant=person)[1] for person in people]
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent"), user=None)
    return poll, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    options = parse_args(parser, quick={"voters": 20})
    try:
        call_command("migrate", verbosity=0)
        poll, tokens = build(options.voters + 1)
        client = Client(HTTP_HOST="127.0.0.1")
        client.get(f"/p/{tokens[0]}/stemmegivning/{poll.pk}/")  # warm-up: templates, URL resolver
        profiler = cProfile.Profile() if options.profile else None
        started = time.process_time()
        if profiler:
            profiler.enable()
        for token in tokens[1:]:
            response = client.get(f"/p/{token}/stemmegivning/{poll.pk}/")
            assert response.status_code == 200, response.status_code
        if profiler:
            profiler.disable()
        cpu = time.process_time() - started
        print(f"ballot pages: {options.voters}; CPU per ballot page GET: {cpu / options.voters * 1000:.2f} ms", end="")
        print(" (with cProfile)" if profiler else "")
        if profiler:
            listing = io.StringIO()
            pstats.Stats(profiler, stream=listing).sort_stats("cumulative").print_stats(30)
            print(listing.getvalue())
            profiler = cProfile.Profile()
        started = time.process_time()
        if profiler:
            profiler.enable()
        for token in tokens[1:]:
            response = client.post(f"/p/{token}/stemmegivning/{poll.pk}/", {"answer": "yes"})
            assert response.status_code == 200, response.status_code
        if profiler:
            profiler.disable()
        cpu = time.process_time() - started
        print(f"ballots: {options.voters}; CPU per ballot POST: {cpu / options.voters * 1000:.2f} ms", end="")
        print(" (with cProfile)" if profiler else "")
        if profiler:
            listing = io.StringIO()
            pstats.Stats(profiler, stream=listing).sort_stats("cumulative").print_stats(30)
            print(listing.getvalue())
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
