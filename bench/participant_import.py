"""Time of the participant import in the admin: the preview (dry run) and the confirm step, per row.

Runs against PostgreSQL (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/ks_landsting_bench_import) in a
throw-away test database, through Django's test client (the views, the resource, its queries; no HTTP server). The
file has new participants spread over every municipality of the demo; it is imported twice as the secretariat (new
rows, then the same file again: every row unchanged) and once as a regional office (its own counties' rows).

    .venv/bin/python bench/participant_import.py [--rows 5000] [--quick]

Prints, per step: the wall time, milliseconds per row and the number of SQL queries. ``--quick``: 50 rows.
Exits with status 1 when an import does not end with every row imported.
"""

import argparse
import csv
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/ks_landsting_bench_import")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ks_landsting.settings")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench._shared import deleted_text, parse_args  # noqa: E402

HEADER = ["landsting", "fornavn", "etternavn", "epost", "mobil", "kjønn", "parti", "fylke", "organisasjon", "rolle"]
HEADER += ["vararang", "valgt_av", "valgt_dato"]


def build(rows: int):
    from django.contrib.auth.models import Group

    from agenda.models import Congress
    from bench._shared import demo_participants_delete
    from core.groups import REGIONAL_OFFICE_GROUP
    from core.models import User
    from delegates.models import Organisation, RegionalOffice

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    congress = Congress.objects.get(name="Landstinget 2024")
    cleared = demo_participants_delete(congress)
    rng = random.Random(7)
    municipalities = list(Organisation.objects.filter(kind__in=Organisation.MUNICIPAL_KINDS).select_related("county"))
    lines = []
    for n in range(rows):
        organisation = rng.choice(municipalities)
        deputy = n % 2 == 1
        lines.append(
            [
                congress.year,
                rng.choice(["Kari", "Ola", "Ingrid", "Lars", "Åse", "Bjørn"]),
                f"Bench{n}",
                f"bench{n}@example.no",
                f"+47 9{n:07d}",
                rng.choice(["kvinne", "mann"]),
                rng.choice(["Ap", "H", "Sp", "FrP", "SV", "KrF", "V"]),
                organisation.county.number,
                organisation.number,
                "vara" if deputy else "delegat",
                n if deputy else "",
                "fylkesmøte",
                "2023-11-20",
            ]
        )
    secretariat = User.objects.get(email="sekretariat@ks-landsting.test")
    regional, _created = User.objects.get_or_create(email="bench-viken@ks.no", defaults={"is_staff": True})
    regional.groups.add(Group.objects.get(name=REGIONAL_OFFICE_GROUP))
    office = RegionalOffice.objects.get(name="KS Viken (demo)")
    office.staff.add(regional)
    viken = set(office.counties.values_list("number", flat=True))
    return secretariat, regional, lines, [line for line in lines if line[7] in viken], cleared


def csv_upload(lines) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(lines)
    return SimpleUploadedFile("deltakere.csv", buffer.getvalue().encode("cp1252"), content_type="text/csv")


def timed(label: str, rows: int, request) -> object:
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        response = request()
        elapsed = time.perf_counter() - start
    per_row = elapsed * 1000 / max(rows, 1)
    print(f"{label:46} {rows:6d} rows {elapsed:7.2f} s {per_row:6.2f} ms/row {queries:6d} queries")
    return response


def import_as(client: Client, label: str, lines) -> bool:
    response = timed(
        f"{label}: preview (dry run)",
        len(lines),
        lambda: client.post(
            reverse("admin:delegates_participant_import"),
            {"import_file": csv_upload(lines), "format": "0", "resource": "0"},
        ),
    )
    confirm = response.context and response.context.get("confirm_form")
    if response.status_code != 200 or not confirm:
        result = response.context.get("result") if response.context else None
        print(f"  the preview did not offer the confirm step: status {response.status_code}", file=sys.stderr)
        if result is not None:
            for row in result.invalid_rows[:5]:
                print(f"  row {row.number}: {row.error_dict}", file=sys.stderr)
        return False
    done = timed(
        f"{label}: confirm",
        len(lines),
        lambda: client.post(reverse("admin:delegates_participant_process_import"), confirm.initial),
    )
    return done.status_code == 302 and done.url == reverse("admin:delegates_participant_changelist")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parse_args(parser, quick={"rows": 50})

    from delegates.models import Participant

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    ok = True
    try:
        secretariat, regional, lines, viken_lines, cleared = build(args.rows)
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        print(f"rows: {args.rows} (KS Viken's counties: {len(viken_lines)})")
        print(f"deleted from the demo first: {deleted_text(cleared)}")
        client = Client()
        client.force_login(secretariat)
        ok &= import_as(client, "secretariat, new rows", lines)
        ok &= Participant.objects.filter(email__startswith="bench").count() == args.rows
        ok &= import_as(client, "secretariat, same file again", lines)
        regional_client = Client()
        regional_client.force_login(regional)
        ok &= import_as(regional_client, "regional office, own counties again", viken_lines)
        ok &= Participant.objects.filter(email__startswith="bench").count() == args.rows
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    if not ok:
        print("FAILED: an import did not finish with every row imported", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
