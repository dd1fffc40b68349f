"""A regional office prints badges and lists for its own counties (issue 14, item 8): the document is limited to the
counties its staff see, says so in its title, and only they and the secretariat see and download it."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from delegates.models import GeneratedDocument
from delegates.services.documents import document_order, document_render
from tests.factories import (
    CongressFactory,
    CountyFactory,
    ParticipantFactory,
    RegionalOfficeFactory,
    regional_staff_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VIKEN = [("31", "Østfold", "Åse Ødegård"), ("32", "Akershus", "Bjørn Bækken"), ("33", "Buskerud", "Ola Sæther")]


def flat_pdf(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def pdf_title(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).metadata.title or ""


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world():
    congress = CongressFactory(year=2026, name="Landstinget 2026")
    viken = RegionalOfficeFactory(name="KS Viken")
    north = RegionalOfficeFactory(name="KS Nord")
    for number, county_name, person in VIKEN:
        first, last = person.split(" ")
        county = CountyFactory(number=number, name=county_name, regional_office=viken)
        ParticipantFactory(congress=congress, county=county, first_name=first, last_name=last)
    nordland = CountyFactory(number="18", name="Nordland", regional_office=north)
    ParticipantFactory(congress=congress, county=nordland, first_name="Kari", last_name="Nordmann")
    ParticipantFactory(congress=congress, county=None, first_name="Per", last_name="Uten Fylke")
    return {
        "congress": congress,
        "viken": regional_staff_user(viken, email="viken@ks.no"),
        "north": regional_staff_user(north, email="nord@ks.no"),
    }


def order(client, user, congress, kind, capture):
    client.force_login(user)
    with capture(execute=True):
        response = client.post(reverse("delegates_staff:documents"), {"congress": congress.pk, "kind": kind})
    assert response.status_code == 302
    document = GeneratedDocument.objects.filter(kind=kind, created_by=user).latest("created_at")
    assert document.status == GeneratedDocument.Status.DONE, document.error
    return document


def download(client, document) -> bytes:
    response = client.get(reverse("delegates_staff:document_download", args=[document.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_regional_office_prints_badges_for_its_own_counties_only(client, world, django_capture_on_commit_callbacks):
    congress, viken = world["congress"], world["viken"]
    document = order(client, viken, congress, "badges_a4", django_capture_on_commit_callbacks)
    assert sorted(document.counties.values_list("name", flat=True)) == ["Akershus", "Buskerud", "Østfold"]

    pdf = download(client, document)
    text = flat_pdf(pdf)
    for _number, _county, person in VIKEN:
        assert person in text
    assert "Kari Nordmann" not in text and "Nordland" not in text
    assert "Per Uten Fylke" not in text  # a county-limited document has no participants without a county
    assert pdf_title(pdf) == "Badges – Landstinget 2026 – Østfold, Akershus, Buskerud"

    page = client.get(reverse("delegates_staff:documents"), {"congress": congress.pk}).content.decode()
    assert f'id="document-{document.pk}"' in page
    assert "Østfold, Akershus, Buskerud" in page
    assert reverse("delegates_staff:document_download", args=[document.pk]) in page


@pytest.mark.parametrize("kind", ["participant_list", "name_cards", "badges_labels"])
def test_the_other_participant_documents_are_limited_too(client, world, kind, django_capture_on_commit_callbacks):
    document = order(client, world["viken"], world["congress"], kind, django_capture_on_commit_callbacks)
    pdf = download(client, document)
    text = flat_pdf(pdf)
    assert "Åse Ødegård" in text and "Kari Nordmann" not in text and "Per Uten Fylke" not in text
    if kind == "participant_list":
        assert "Participants – Landstinget 2026 – Østfold, Akershus, Buskerud" in text  # the heading
    elif kind == "name_cards":
        assert pdf_title(pdf).endswith(" – Østfold, Akershus, Buskerud")


def test_another_region_neither_sees_nor_downloads_it(client, world, django_capture_on_commit_callbacks):
    congress = world["congress"]
    document = order(client, world["viken"], congress, "participant_list", django_capture_on_commit_callbacks)

    client.force_login(world["north"])
    page = client.get(reverse("delegates_staff:documents"), {"congress": congress.pk}).content.decode()
    assert f'id="document-{document.pk}"' not in page and "Østfold" not in page
    assert client.get(reverse("delegates_staff:document_download", args=[document.pk])).status_code == 404
    assert client.get(reverse("delegates_staff:document_status", args=[document.pk])).status_code == 404

    # and the north's own list has only its county
    own = order(client, world["north"], congress, "participant_list", django_capture_on_commit_callbacks)
    text = flat_pdf(download(client, own))
    assert "Kari Nordmann" in text and "Åse Ødegård" not in text


def test_a_regional_office_never_sees_a_whole_congress_list(client, world, secretariat):
    congress = world["congress"]
    whole = document_order(congress=congress, kind="badges_a4", user=secretariat)
    document_render(document_id=whole.pk)
    programme = GeneratedDocument.objects.create(congress=congress, kind="programme", created_by=secretariat)

    client.force_login(world["viken"])
    page = client.get(reverse("delegates_staff:documents"), {"congress": congress.pk}).content.decode()
    assert f'id="document-{whole.pk}"' not in page
    assert f'id="document-{programme.pk}"' in page  # no participants in it: everyone may read it
    assert client.get(reverse("delegates_staff:document_download", args=[whole.pk])).status_code == 404


def test_the_secretariats_document_covers_everyone_and_it_sees_every_scope(
    client, world, secretariat, django_capture_on_commit_callbacks
):
    congress = world["congress"]
    regional = order(client, world["viken"], congress, "badges_a4", django_capture_on_commit_callbacks)
    whole = order(client, secretariat, congress, "badges_a4", django_capture_on_commit_callbacks)
    assert not whole.counties.exists()
    text = flat_pdf(download(client, whole))
    for person in ("Åse Ødegård", "Bjørn Bækken", "Ola Sæther", "Kari Nordmann", "Per Uten Fylke"):
        assert person in text

    page = client.get(reverse("delegates_staff:documents"), {"congress": congress.pk}).content.decode()
    assert f'id="document-{regional.pk}"' in page and f'id="document-{whole.pk}"' in page
    assert "Østfold, Akershus, Buskerud" in page and "Whole congress" in page
    assert flat_pdf(download(client, regional))  # the secretariat downloads the region's too


def test_a_regional_user_without_counties_gets_no_whole_congress_document(world):
    from django.core.exceptions import PermissionDenied

    lonely = regional_staff_user(RegionalOfficeFactory(name="KS Tom"))
    with pytest.raises(PermissionDenied):
        document_order(congress=world["congress"], kind="badges_a4", user=lonely)
    assert not GeneratedDocument.objects.exists()


def test_the_list_page_makes_the_same_number_of_queries_for_more_documents(client, world, secretariat):
    congress = world["congress"]
    viken = world["viken"]

    def queries() -> int:
        client.force_login(viken)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("delegates_staff:documents"), {"congress": congress.pk}).status_code == 200
        return len(captured)

    document_order(congress=congress, kind="badges_a4", user=viken)
    one = queries()
    for kind in ("participant_list", "name_cards", "badges_labels"):
        document_order(congress=congress, kind=kind, user=viken)
    document_order(congress=congress, kind="badges_a4", user=secretariat)
    assert queries() == one
