"""Issue 13, item 5: no export carries a formula, and none loses a character.

A participant can type a formula into their own fields from the portal. Every CSV export prefixes such a text with an
apostrophe; every XLSX export writes it as a string cell, unchanged; the participant import reads both back to the
same data ("no changes")."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from delegates.models import Participant, SeatAllocation
from delegates.resources import COLUMNS
from delegates.services.allocation import seat_allocation_compute, seat_allocation_override
from tests.delegates.test_allocation import make_county
from tests.delegates.test_participant_import import CSV_FORMAT, XLSX_FORMAT, _export, import_file, preview, world
from tests.factories import DelegateKeyFactory, SecretariatUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

__all__ = ["world"]  # the fixture, imported for these tests

PLANTED = {
    "first_name": "=Kari",
    "last_name": "@SUM(1+1)*cmd|' /C calc'!A0",
    "mobile": "+cmd|' /C calc'!A0",
    "party": "-",
    "position": "'=quoted already",
}


@pytest.fixture
def planted(world):
    """A participant whose own fields hold formulas (as typed in the portal), and one with ordinary values."""
    formula = Participant.objects.create(
        congress=world["congress"],
        email="kari@tromso.kommune.no",
        county=world["troms"],
        organisation=world["tromso"],
        role="delegate",
        **PLANTED,
    )
    plain = Participant.objects.create(
        congress=world["congress"],
        first_name="Ola",
        last_name="Nordmann",
        email="ola@tromso.kommune.no",
        mobile="+47 912 34 567",
        county=world["troms"],
        organisation=world["tromso"],
        role="deputy",
        deputy_rank=1,
        elected_by="county_meeting",
    )
    return formula, plain


def _csv_rows(response) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return {row["epost"]: row for row in rows}


def test_csv_export_escapes_formulas_with_an_apostrophe_and_keeps_every_character(secretariat_client, planted):
    rows = _csv_rows(_export(secretariat_client, CSV_FORMAT))

    kari = rows["kari@tromso.kommune.no"]
    assert kari["fornavn"] == "'=Kari"  # the library used to remove the "=": "Kari"
    assert kari["etternavn"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert kari["mobil"] == "'+cmd|' /C calc'!A0"  # written verbatim before
    assert kari["parti"] == "'-"
    assert kari["stilling"] == "''=quoted already"
    assert rows["ola@tromso.kommune.no"]["mobil"] == "'+47 912 34 567"
    assert rows["ola@tromso.kommune.no"]["fornavn"] == "Ola"


def test_xlsx_export_writes_texts_as_strings_unchanged(secretariat_client, planted):
    response = _export(secretariat_client, XLSX_FORMAT)

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    kari = next(row for row in sheet.iter_rows(min_row=2) if row[header.index("epost")].value.startswith("kari"))
    for field, value in PLANTED.items():
        cell = kari[header.index(COLUMNS[field][0])]
        assert (cell.value, cell.data_type) == (value, "s")  # before: "Kari", the "=" removed


@pytest.mark.parametrize(("file_format", "name"), [(CSV_FORMAT, "eksport.csv"), (XLSX_FORMAT, "eksport.xlsx")])
def test_importing_an_export_changes_nothing(secretariat_client, planted, file_format, name):
    exported = _export(secretariat_client, file_format).content
    history = sum(participant.history.count() for participant in planted)

    response = import_file(secretariat_client, SimpleUploadedFile(name, exported), file_format=file_format)

    assert response.context["result"].totals["skip"] == 2
    assert response.context["result"].totals["update"] == 0
    formula, plain = (Participant.objects.get(pk=participant.pk) for participant in planted)
    assert {field: getattr(formula, field) for field in PLANTED} == PLANTED
    assert plain.mobile == "+47 912 34 567"
    assert sum(participant.history.count() for participant in planted) == history


def test_a_leading_equals_sign_is_imported_as_written(secretariat_client, world):
    header = ["landsting", "fornavn", "etternavn", "epost", "fylke", "rolle"]
    upload = SimpleUploadedFile("d.csv", "\n".join([",".join(header), "2024,=Kari,'=Berg,k@x.no,55,delegate"]).encode())

    response = import_file(secretariat_client, upload)

    assert response.context["result"].totals["new"] == 1
    kari = Participant.objects.get(email="k@x.no")
    assert (kari.first_name, kari.last_name) == ("=Kari", "=Berg")


def test_the_preview_of_an_export_offers_no_changes(secretariat_client, planted):
    exported = _export(secretariat_client, CSV_FORMAT).content

    response = preview(secretariat_client, SimpleUploadedFile("eksport.csv", exported))

    assert response.context["result"].totals["skip"] == 2


def test_the_seat_allocation_csv_escapes_an_override_reason(secretariat_client):
    make_county("03", "Oslo", 53_000, single=True)
    make_county("11", "Rogaland", 14_000, 10_000)
    key = DelegateKeyFactory(member_seats=7)
    seat_allocation_compute(key=key, user=None)
    allocation = SeatAllocation.objects.get(key=key, county__number="11")
    seat_allocation_override(allocation=allocation, seats=3, reason='=HYPERLINK("x")', user=SecretariatUserFactory())

    response = secretariat_client.get(reverse("delegates_staff:seat_allocation_csv", args=[key.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    rogaland = next(row for row in rows if row[0] == "11")
    assert rogaland[9] == '\'=HYPERLINK("x")'
