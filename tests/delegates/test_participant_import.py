"""Import and export of participants through the admin (django-import-export): preview, all or nothing, re-import
updates, every bad row named with its reason, and regional scoping of both import and export."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from delegates.models import Participant
from delegates.resources import ParticipantResource
from tests.factories import (
    CongressFactory,
    CountyFactory,
    OrganisationFactory,
    RegionalOfficeFactory,
    regional_staff_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CSV_FORMAT, XLSX_FORMAT = "0", "1"
HEADER = [
    "landsting",
    "fornavn",
    "etternavn",
    "epost",
    "mobil",
    "kjønn",
    "parti",
    "fylke",
    "organisasjon",
    "rolle",
    "vararang",
    "valgt_av",
    "valgt_dato",
]


@pytest.fixture
def world():
    congress = CongressFactory(name="Landstinget 2024", year=2024)
    north = RegionalOfficeFactory(name="KS Nord")
    west = RegionalOfficeFactory(name="KS Vest")
    troms = CountyFactory(number="55", name="Troms", regional_office=north)
    vestland = CountyFactory(number="46", name="Vestland", regional_office=west)
    return {
        "congress": congress,
        "north": north,
        "west": west,
        "troms": troms,
        "vestland": vestland,
        "tromso": OrganisationFactory(number="5501", name="Tromsø", county=troms),
        "bergen": OrganisationFactory(number="4601", name="Bergen", county=vestland),
    }


def good_rows():
    return [
        [
            "2024",
            "Kari",
            "Nordmann",
            "kari@tromso.kommune.no",
            "41234567",
            "female",
            "Ap",
            "55",
            "5501",
            "delegate",
            "",
            "county_meeting",
            "2023-11-20",
        ],
        [
            "2024",
            "Ola",
            "Hansen",
            "ola@tromso.kommune.no",
            "41234568",
            "Mann",
            "H",
            "55",
            "5501",
            "Vararepresentant",
            "1",
            "Fylkesmøte (kommunene)",
            "20.11.2023",
        ],
        [
            "2024",
            "Siri",
            "Berg",
            "siri@bergen.kommune.no",
            "",
            "Female",
            "Sp",
            "46",
            "4601",
            "Delegate",
            "",
            "County meeting (municipalities)",
            "",
        ],
    ]


def csv_file(rows, header=HEADER, name="deltakere.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def xlsx_file(rows, header=HEADER):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        "deltakere.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def preview(client, upload, file_format=CSV_FORMAT):
    response = client.post(
        reverse("admin:delegates_participant_import"),
        {"import_file": upload, "format": file_format, "resource": "0"},
    )
    assert response.status_code == 200
    return response


def import_file(client, upload, file_format=CSV_FORMAT):
    """Both steps: preview (dry run), then confirm. Returns the preview response."""
    response = preview(client, upload, file_format)
    confirm = response.context.get("confirm_form")
    assert confirm is not None, _errors_of(response)
    done = client.post(reverse("admin:delegates_participant_process_import"), confirm.initial)
    assert done.status_code == 302
    assert done.url == reverse("admin:delegates_participant_changelist")
    return response


def _errors_of(response) -> list:
    result = response.context.get("result")
    if result is None:
        return [response.context["form"].errors]
    return [(row.number, row.error_dict) for row in result.invalid_rows] + [
        (line, [str(error.error) for error in errors]) for line, errors in result.row_errors()
    ]


def invalid_rows(response) -> dict[int, dict[str, list[str]]]:
    result = response.context["result"]
    return {
        row.number: {field: [str(message) for message in messages] for field, messages in row.error_dict.items()}
        for row in result.invalid_rows
    }


@pytest.fixture
def north_client(client, world):
    client.force_login(regional_staff_user(world["north"]))
    return client


def test_good_csv_imports_every_row(secretariat_client, world):
    import_file(secretariat_client, csv_file(good_rows()))

    assert Participant.objects.count() == 3
    ola = Participant.objects.get(email="ola@tromso.kommune.no")
    assert ola.congress == world["congress"]
    assert (ola.role, ola.deputy_rank, ola.gender) == ("deputy", 1, "male")
    assert ola.elected_by == "county_meeting"
    assert ola.elected_on.isoformat() == "2023-11-20"
    assert ola.county == world["troms"] and ola.organisation == world["tromso"]
    assert ola.history.count() == 1


def test_second_import_of_the_same_file_updates(secretariat_client, world):
    import_file(secretariat_client, csv_file(good_rows()))
    rows = good_rows()
    rows[0][4] = "99887766"
    rows[0][3] = "KARI@Tromso.kommune.no"  # the e-mail identifies the row whatever its case

    import_file(secretariat_client, csv_file(rows))

    assert Participant.objects.count() == 3
    assert Participant.objects.get(email="kari@tromso.kommune.no").mobile == "99887766"


def test_the_field_names_are_accepted_as_headers(secretariat_client, world):
    header = ["congress", "first_name", "last_name", "email", "mobile", "gender", "party", "county", "organisation"]
    header += ["role", "deputy_rank", "elected_by", "elected_on"]

    import_file(secretariat_client, csv_file(good_rows(), header=header))

    assert Participant.objects.count() == 3


def test_one_bad_row_blocks_the_whole_file_and_every_bad_row_is_named(secretariat_client, world):
    rows = good_rows()
    bad = [
        ["2024", "Per", "Ukjent", "per@x.no", "", "male", "", "99", "", "delegate", "", "", ""],
        ["2024", "Liv", "Feil", "liv@x.no", "", "male", "", "55", "9999", "delegate", "", "", ""],
        ["2024", "Nils", "Annet", "nils@x.no", "", "male", "", "55", "4601", "delegate", "", "", ""],
        ["2024", "Eva", "Rolle", "eva@x.no", "", "kvinne?", "", "55", "5501", "king", "", "by_lottery", ""],
        ["2024", "Tor", "Vara", "tor@x.no", "", "male", "", "55", "5501", "deputy", "", "", ""],
        ["2024", "Kari", "Kopi", "kari@tromso.kommune.no", "", "female", "", "55", "5501", "delegate", "", "", ""],
    ]
    response = preview(secretariat_client, csv_file(rows + bad))

    assert response.context.get("confirm_form") is None
    errors = invalid_rows(response)
    assert set(errors) == {1, 4, 5, 6, 7, 8, 9}
    assert errors[4] == {"county": ["Unknown county number 99."]}
    assert errors[5] == {"organisation": ["Unknown organisation number 9999."]}
    assert errors[6] == {"organisation": ["The organisation 4601 Bergen is in county 46, not in 55."]}
    assert set(errors[7]) == {"gender", "role", "elected_by"}
    assert "is not a valid choice" in errors[7]["role"][0]
    assert errors[8] == {"deputy_rank": ["A deputy needs a rank (1 for the first deputy)."]}
    assert "appears more than once in the file (rows 1, 9)" in errors[9]["email"][0]
    assert errors[1] == errors[9]
    page = response.content.decode()
    assert "Unknown organisation number 9999." in page
    assert '<th scope="row">5</th>' in page  # the row number, next to its reasons
    assert "is in county 46, not in 55" in page
    assert Participant.objects.count() == 0


def test_confirm_step_refuses_a_file_that_became_invalid(secretariat_client, world):
    response = preview(secretariat_client, csv_file(good_rows()))
    confirm = response.context["confirm_form"]
    world["bergen"].number = "4699"  # the third row's organisation number no longer exists
    world["bergen"].save()

    done = secretariat_client.post(reverse("admin:delegates_participant_process_import"), confirm.initial)

    assert done.status_code == 302 and done.url == reverse("admin:delegates_participant_import")
    assert Participant.objects.count() == 0


def test_xlsx_imports(secretariat_client, world):
    rows = good_rows()
    rows[0][0] = 2024  # spreadsheets give numbers
    rows[0][7] = 55
    rows[0][8] = 5501
    rows[1][10] = 1

    import_file(secretariat_client, xlsx_file(rows), file_format=XLSX_FORMAT)

    assert Participant.objects.count() == 3
    assert Participant.objects.get(email="kari@tromso.kommune.no").county == world["troms"]


def test_regional_staff_cannot_import_another_offices_county(north_client, world):
    changelist = north_client.get(reverse("admin:delegates_participant_changelist"))
    assert reverse("admin:delegates_participant_import") in changelist.content.decode()
    assert reverse("admin:delegates_participant_export") in changelist.content.decode()

    rows = good_rows()  # the third row is for Vestland (KS Vest)
    response = preview(north_client, csv_file(rows))

    assert response.context.get("confirm_form") is None
    assert invalid_rows(response) == {3: {"county": ["You may not manage participants in county 46 Vestland."]}}
    assert Participant.objects.count() == 0

    import_file(north_client, csv_file(rows[:2]))
    assert set(Participant.objects.values_list("county__number", flat=True)) == {"55"}


def test_regional_staff_cannot_take_over_another_regions_participant(north_client, world):
    Participant.objects.create(
        congress=world["congress"],
        first_name="Siri",
        last_name="Berg",
        email="siri@bergen.kommune.no",
        county=world["vestland"],
        role="delegate",
    )
    row = ["2024", "Siri", "Berg", "siri@bergen.kommune.no", "", "", "", "55", "", "delegate", "", "", ""]

    response = preview(north_client, csv_file([row]))

    assert response.context.get("confirm_form") is None
    assert invalid_rows(response)[1] == {"__all__": ["This participant is not in your counties."]}
    assert Participant.objects.get().county == world["vestland"]


def _make_participants(world, count):
    counties = [(world["troms"], world["tromso"]), (world["vestland"], world["bergen"])]
    Participant.objects.bulk_create(
        Participant(
            congress=world["congress"],
            first_name=f"Fornavn{i}",
            last_name=f"Etternavn{i}",
            email=f"p{i}@example.no",
            county=counties[i % 2][0],
            organisation=counties[i % 2][1],
            role="delegate",
        )
        for i in range(count)
    )


def _export(client, file_format=CSV_FORMAT):
    data = {"format": file_format, "resource": "0"}
    data.update({f"participantresource_{name}": "on" for name in ParticipantResource().get_export_order()})
    response = client.post(reverse("admin:delegates_participant_export"), data)
    assert response.status_code == 200, response.content[:2000]
    assert response["Content-Disposition"].startswith("attachment")
    return response


def test_regional_export_contains_only_their_counties(north_client, world):
    _make_participants(world, 10)

    response = _export(north_client)

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 5
    assert {row["fylke"] for row in rows} == {"55"}
    assert rows[0]["landsting"] == "2024" and rows[0]["organisasjon"] == "5501"


def test_export_round_trips_through_import(secretariat_client, world):
    import_file(secretariat_client, csv_file(good_rows()))
    exported = _export(secretariat_client).content

    import_file(secretariat_client, SimpleUploadedFile("eksport.csv", exported, content_type="text/csv"))

    assert Participant.objects.count() == 3


def test_export_query_count_is_bounded(secretariat_client, world, django_assert_max_num_queries):
    _make_participants(world, 2000)

    with django_assert_max_num_queries(15):
        response = _export(secretariat_client, file_format=XLSX_FORMAT)

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2001


def test_rows_without_e_mail_are_matched_on_county_and_name(secretariat_client, world):
    rows = good_rows()
    for row in rows:
        row[3] = ""
    import_file(secretariat_client, csv_file(rows))
    rows[1][4] = "90000000"

    import_file(secretariat_client, csv_file(rows))

    assert Participant.objects.count() == 3
    assert Participant.objects.get(first_name="Ola").mobile == "90000000"
