"""Response time of the participant changelist and the delegation overview with many participants.

Runs against PostgreSQL (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/ks_landsting_bench) in a
throw-away test database, through Django's test client (no network, no server: this measures the view, its
queries and its templates). Prints one line per page and user: median and 95th percentile in milliseconds and the
number of SQL queries per request.

    .venv/bin/python bench/participant_pages.py [--participants 2000] [--repeat 30] [--quick]

The demo congress's own participants are deleted first, together with the rows that protect them (the demo's votes,
amendments, statements). ``--quick``: 100 participants, 3 requests a page.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/ks_landsting_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ks_landsting.settings")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench._shared import deleted_text, parse_args  # noqa: E402


def build(participants: int):
    from django.contrib.auth.models import Group

    from agenda.models import Congress
    from bench._shared import demo_participants_delete
    from core.groups import REGIONAL_OFFICE_GROUP
    from core.models import User
    from delegates.models import County, Organisation, Participant, RegionalOffice

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    congress = Congress.objects.get(name="Landstinget 2024")
    cleared = demo_participants_delete(congress)
    rng = random.Random(7)
    municipalities = list(Organisation.objects.filter(kind__in=Organisation.MUNICIPAL_KINDS).select_related("county"))
    rows = []
    for n in range(participants):
        organisation = rng.choice(municipalities)
        deputy = n % 2 == 1
        rows.append(
            Participant(
                congress=congress,
                first_name=rng.choice(["Kari", "Ola", "Ingrid", "Lars", "Åse", "Bjørn"]),
                last_name=f"Bench{n}",
                email=f"bench{n}@example.no",
                gender=rng.choice(["female", "male"]),
                party=rng.choice(["Ap", "H", "Sp", "FrP", "SV", "KrF", "V"]),
                role="deputy" if deputy else "delegate",
                deputy_rank=n if deputy else None,
                county=organisation.county,
                organisation=organisation,
                elected_by="county_meeting",
            )
        )
    Participant.objects.bulk_create(rows, batch_size=500)
    secretariat = User.objects.get(email="sekretariat@ks-landsting.test")
    regional, _created = User.objects.get_or_create(email="bench-viken@ks.no", defaults={"is_staff": True})
    regional.groups.add(Group.objects.get(name=REGIONAL_OFFICE_GROUP))
    office = RegionalOffice.objects.get(name="KS Viken (demo)")
    office.staff.add(regional)
    in_viken = Participant.objects.filter(county__in=County.objects.filter(regional_office=office)).count()
    return secretariat, regional, in_viken, cleared


def measure(client: Client, url: str, repeat: int) -> tuple[float, float, int]:
    client.get(url)  # warm up caches and connections
    timings = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))], queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parse_args(parser, quick={"participants": 100, "repeat": 3})

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        secretariat, regional, in_viken, cleared = build(args.participants)
        pages = {
            "participant changelist (100 per page)": reverse("admin:delegates_participant_changelist"),
            "delegation overview": reverse("delegates_staff:delegation_overview"),
        }
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; debug={settings.DEBUG}")
        print(f"participants: {args.participants} (KS Viken's counties: {in_viken}); repeat: {args.repeat}")
        print(f"deleted from the demo first: {deleted_text(cleared)}")
        for who, user in (("secretariat", secretariat), ("regional office", regional)):
            client = Client()
            client.force_login(user)
            for page, url in pages.items():
                median, p95, queries = measure(client, url, args.repeat)
                print(f"{page:40} {who:16} median {median:7.1f} ms  p95 {p95:7.1f} ms  {queries:3d} queries")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
