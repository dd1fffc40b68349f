"""Issue 13, items 6 and 8: the participant import leaves no personal data on disk however it ends, takes what people
save (Windows-1252, semicolons), says what is wrong with a file it cannot read, has a size limit, and tells a regional
office no more than "not in your counties"."""

import io
import re
import tempfile
import uuid
from pathlib import Path

import openpyxl
import pytest
from cryptography.fernet import Fernet
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import import_export_formats
from core.import_export_formats import EncryptedCacheStorage
from core.spreadsheets import UnreadableFile
from delegates.models import Participant
from delegates.resources import ParticipantResource
from tests.delegates.test_participant_import import (
    CSV_FORMAT,
    HEADER,
    XLSX_FORMAT,
    csv_file,
    good_rows,
    import_file,
    invalid_rows,
    north_client,
    preview,
    world,
)

pytestmark = pytest.mark.django_db

__all__ = ["north_client", "world"]  # fixtures, imported for these tests

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def private_tmp(tmp_path, monkeypatch, settings):
    """The system's temporary folder (where django-import-export used to keep uploads) is an empty folder of the
    test's own; the upload is small enough to stay in memory, as Django's upload handlers keep it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


@pytest.fixture
def kept(monkeypatch):
    """The names of every upload the import kept for its confirm step."""
    names: list[str] = []
    save = EncryptedCacheStorage.save

    def spy(self, data):
        save(self, data)
        names.append(self.name)

    monkeypatch.setattr(EncryptedCacheStorage, "save", spy)
    return names


def still_kept(names: list[str]) -> list[str]:
    return [name for name in names if cache.get(EncryptedCacheStorage.PREFIX + name.partition(".")[0]) is not None]


def on_disk(folder: Path, marker: str) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and marker.encode() in path.read_bytes()]


def marked_rows(marker: str):
    rows = good_rows()
    rows[0][2] = marker  # the last name
    rows[0][4] = "+47 912 34 567"
    return rows


@pytest.mark.usefixtures("english")
def test_an_abandoned_preview_leaves_nothing_readable_behind(secretariat_client, world, private_tmp, kept):
    marker = f"Etternavn{uuid.uuid4().hex}"

    response = preview(secretariat_client, csv_file(marked_rows(marker)))

    assert response.context["confirm_form"] is not None
    assert on_disk(private_tmp, marker) == []  # django-import-export's TempFolderStorage wrote it to the temp folder
    [name] = kept
    upload_id, _dot, key = name.partition(".")
    stored = cache.get(EncryptedCacheStorage.PREFIX + upload_id)
    assert marker.encode() not in stored and b"912 34 567" not in stored
    assert key not in str(stored)  # the key is only in the confirm form the user's browser holds
    with pytest.raises(UnreadableFile):
        EncryptedCacheStorage(name=f"{upload_id}.{Fernet.generate_key().decode()}", read_mode="rb").read()
    assert import_export_formats.UPLOAD_LIFETIME <= 60 * 60  # and it expires within the hour


@pytest.mark.usefixtures("english")
def test_a_confirmed_import_works_and_removes_the_upload(secretariat_client, world, private_tmp, kept):
    marker = f"Etternavn{uuid.uuid4().hex}"

    import_file(secretariat_client, csv_file(marked_rows(marker)))

    imported = Participant.objects.get(last_name=marker)
    user = secretariat_client.session["_auth_user_id"]
    assert [str(entry.history_user_id) for entry in imported.history.all()] == [user]  # written with its history
    logged = LogEntry.objects.filter(object_id=str(imported.pk), action_flag=ADDITION)
    assert [str(entry.user_id) for entry in logged] == [user]
    assert len(kept) == 1 and still_kept(kept) == []
    assert on_disk(private_tmp, marker) == []


@pytest.mark.usefixtures("english")
def test_a_file_with_errors_keeps_nothing(secretariat_client, world, private_tmp, kept):
    marker = f"Etternavn{uuid.uuid4().hex}"
    rows = marked_rows(marker)
    rows[1][7] = "99"  # an unknown county

    response = preview(secretariat_client, csv_file(rows))

    assert invalid_rows(response) == {2: {"county": ["Unknown county number 99."]}}
    assert len(kept) == 1 and still_kept(kept) == []
    assert on_disk(private_tmp, marker) == []


@pytest.mark.usefixtures("english")
def test_a_file_in_the_wrong_format_keeps_nothing(secretariat_client, world, private_tmp, kept):
    marker = f"Etternavn{uuid.uuid4().hex}"

    response = preview(secretariat_client, csv_file(marked_rows(marker)), file_format=XLSX_FORMAT)

    assert response.context["form"].errors["import_file"] == [
        "The file is not an Excel workbook (.xlsx): choose the format csv for a CSV file, or save the file as .xlsx "
        "and try again."
    ]
    assert still_kept(kept) == []
    assert on_disk(private_tmp, marker) == []


@pytest.mark.usefixtures("english")
def test_an_error_in_the_middle_of_the_preview_keeps_nothing(secretariat_client, world, private_tmp, kept, monkeypatch):
    marker = f"Etternavn{uuid.uuid4().hex}"

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ParticipantResource, "import_data", fail)

    with pytest.raises(RuntimeError):
        preview(secretariat_client, csv_file(marked_rows(marker)))

    assert len(kept) == 1 and still_kept(kept) == []
    assert on_disk(private_tmp, marker) == []


@pytest.mark.usefixtures("english")
def test_a_confirm_step_that_fails_keeps_nothing(secretariat_client, world, private_tmp, kept, monkeypatch):
    marker = f"Etternavn{uuid.uuid4().hex}"
    response = preview(secretariat_client, csv_file(marked_rows(marker)))
    monkeypatch.setattr(ParticipantResource, "import_data", lambda *args, **kwargs: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        secretariat_client.post(
            reverse("admin:delegates_participant_process_import"), response.context["confirm_form"].initial
        )

    assert still_kept(kept) == []
    assert on_disk(private_tmp, marker) == []
    assert not Participant.objects.filter(last_name=marker).exists()


@pytest.mark.usefixtures("english")
def test_a_confirm_step_after_the_upload_expired_says_so(secretariat_client, world, kept):
    response = preview(secretariat_client, csv_file(good_rows()))
    cache.clear()

    done = secretariat_client.post(
        reverse("admin:delegates_participant_process_import"), response.context["confirm_form"].initial, follow=True
    )

    assert "The uploaded file is no longer available" in done.content.decode()
    assert Participant.objects.count() == 0


# --- What the import reads -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_windows_1252_with_semicolons_is_imported(secretariat_client, world):
    rows = good_rows()
    rows[0][1], rows[0][2] = "Åse", "Ørnes-Bæk"
    text = "\r\n".join(";".join(row) for row in [HEADER, *rows])
    upload = SimpleUploadedFile("deltakere.csv", text.encode("cp1252"), content_type="text/csv")

    import_file(secretariat_client, upload)

    assert Participant.objects.count() == 3
    assert Participant.objects.get(email="kari@tromso.kommune.no").last_name == "Ørnes-Bæk"


@pytest.mark.parametrize(
    ("content", "file_format", "message"),
    [
        (b"", CSV_FORMAT, "Filen er tom."),
        (b"PK\x03\x04 a workbook", CSV_FORMAT, "Filen er en regnearkfil, ikke CSV: velg formatet xlsx"),
        ("fornavn\nKari\x00".encode("utf-16-le"), CSV_FORMAT, "Filen er ikke tekst i UTF-8 eller Windows-1252"),
        (
            b"landsting,fornavn\n2024,Kari,Nordmann\n",
            CSV_FORMAT,
            "Linje 2 har 3 celler, men overskriftsraden har bare 2",
        ),
        (b"landsting,fornavn\n2024,Kari\n", XLSX_FORMAT, "Filen er ikke en Excel-arbeidsbok (.xlsx)"),
    ],
)
def test_a_file_that_cannot_be_read_is_explained_in_bokmal(secretariat_client, world, content, file_format, message):
    response = preview(secretariat_client, SimpleUploadedFile("fil.csv", content), file_format=file_format)

    errors = response.context["form"].errors["import_file"]
    assert len(errors) == 1 and errors[0].startswith(message), errors
    assert "encountered while trying to read file" not in response.content.decode()


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(secretariat_client, world, monkeypatch):
    monkeypatch.setattr(import_export_formats, "MAX_IMPORT_BYTES", 1000)
    upload = SimpleUploadedFile("stor.csv", b"landsting,fornavn\n" + b"2024,Kari\n" * 200)

    response = preview(secretariat_client, upload)

    [error] = response.context["form"].errors["import_file"]
    assert error.startswith("Filen er 2,0") and "men importen tar filer på høyst 1000" in error, error


def test_an_import_file_within_the_limit_stays_in_memory(settings):
    # Django writes a larger upload to the temporary folder, where a killed worker would leave it.
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= import_export_formats.MAX_IMPORT_BYTES


def test_a_file_with_too_many_rows_is_refused(secretariat_client, world, monkeypatch):
    monkeypatch.setattr(import_export_formats, "MAX_IMPORT_ROWS", 2)

    response = preview(secretariat_client, csv_file(good_rows()))

    assert response.context["form"].errors["import_file"] == [
        "Filen har 3 rader, men én import tar høyst 2. Del den opp i mindre filer."
    ]


@pytest.mark.usefixtures("english")
def test_an_xlsx_file_with_blank_rows_and_columns_imports(secretariat_client, world):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([*HEADER, None])
    for row in good_rows():
        sheet.append([*row, None])
    sheet.append([None] * (len(HEADER) + 1))
    buffer = io.BytesIO()
    workbook.save(buffer)

    import_file(secretariat_client, SimpleUploadedFile("d.xlsx", buffer.getvalue()), file_format=XLSX_FORMAT)

    assert Participant.objects.count() == 3


# --- Item 8: another region's participant ----------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_another_regions_address_is_not_confirmed_to_a_regional_office(north_client, world):
    Participant.objects.create(
        congress=world["congress"],
        first_name="Siri",
        last_name="Hemmelig",
        email="siri@bergen.kommune.no",
        mobile="+47 400 00 000",
        party="Sp",
        county=world["vestland"],
        organisation=world["bergen"],
        role="delegate",
    )
    # A row for the office's own county, with an address that another region's participant has.
    row = ["2024", "Noen", "Annen", "siri@bergen.kommune.no", "", "", "", "55", "5501", "delegate", "", "", ""]

    response = preview(north_client, csv_file([row]))

    assert invalid_rows(response) == {1: {"__all__": ["This participant is not in your counties."]}}
    page = response.content.decode().replace("siri@bergen.kommune.no", "")  # the address is the user's own input
    for secret in ("Hemmelig", "Siri", "Vestland", "Bergen", "400 00 000", "registered"):
        assert secret not in page
    assert Participant.objects.get(email="siri@bergen.kommune.no").last_name == "Hemmelig"


# --- Item 6: the web server's timeout -------------------------------------------------------------------------------


def test_gunicorn_has_the_same_deliberate_timeout_in_the_image_and_in_compose():
    dockerfile = (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()

    in_image = re.findall(r'"--timeout",\s*"(\d+)"', dockerfile)
    in_compose = re.findall(r"gunicorn [^\n]*--timeout (\d+)", compose)
    assert in_image and in_image == in_compose
    assert 60 <= int(in_image[0]) <= 300


# --- The rules the database holds, checked without a query per row ------------------------------------------------


def deputy(email: str, rank: str, county: str = "55", organisation: str = "5501") -> list[str]:
    return [
        "2024",
        "Vara",
        email.split("@")[0],
        email,
        "",
        "",
        "",
        county,
        organisation,
        "deputy",
        rank,
        "county_meeting",
        "",
    ]


@pytest.mark.usefixtures("english")
def test_two_deputies_with_one_rank_are_refused_in_the_preview(secretariat_client, world):
    response = preview(secretariat_client, csv_file([deputy("a@x.no", "1"), deputy("b@x.no", "1")]))

    assert invalid_rows(response) == {2: {"deputy_rank": ["Another deputy of this delegation has this rank."]}}


@pytest.mark.usefixtures("english")
def test_a_rank_held_by_an_existing_deputy_is_refused(secretariat_client, world):
    import_file(secretariat_client, csv_file([deputy("a@x.no", "1")]))

    response = preview(secretariat_client, csv_file([deputy("b@x.no", "1")]))

    assert invalid_rows(response) == {1: {"deputy_rank": ["Another deputy of this delegation has this rank."]}}
    assert preview(secretariat_client, csv_file([deputy("b@x.no", "1", "46", "4601")])).context["confirm_form"]


@pytest.mark.usefixtures("english")
def test_a_rank_freed_earlier_in_the_file_can_be_taken(secretariat_client, world):
    import_file(secretariat_client, csv_file([deputy("a@x.no", "1")]))

    import_file(secretariat_client, csv_file([deputy("a@x.no", "2"), deputy("b@x.no", "1")]))

    ranks = dict(Participant.objects.values_list("email", "deputy_rank"))
    assert ranks == {"a@x.no": 2, "b@x.no": 1}
