"""Printed documents for the participants (issue 5, item 4): badges, label stock, participant list, name cards, and
ordering them through the staff page."""

import io
import math

import pytest
from django.urls import reverse
from pypdf import PdfReader

from delegates import printing
from delegates.models import GeneratedDocument, Participant, Registration
from delegates.services.documents import document_render
from tests.factories import (
    CongressFactory,
    CountyFactory,
    OrganisationFactory,
    ParticipantFactory,
    StaffUserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LONG_NAME = (
    "Anne-Marthe Kristine Aasmundsen-Kvernmoen",
    "Ødegårdsdatter Bjørnstjerne-Christophersen Vestre Slidre og Nordre Land",
)

NAMES = [
    ("Åse", "Ødegård"),
    ("Bjørn", "Bækken"),
    ("Kari", "Nordmann"),
    ("Ola", "Sæther"),
    ("Sølvi", "Lie"),
    ("Håkon", "Ås"),
    ("Ingrid", "Haugen"),
    ("Lars", "Dæhlie"),
    LONG_NAME,
]


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def congress():
    return CongressFactory(year=2024)


@pytest.fixture
def people(congress):
    county = CountyFactory(number="50", name="Trøndelag")
    other = CountyFactory(number="18", name="Nordland")
    organisation = OrganisationFactory(name="Bærum kommune", county=county)
    roles = ["delegate", "deputy", "board_member", "guest", "press", "staff", "observer", "delegate", "delegate"]
    people = [
        ParticipantFactory(
            congress=congress,
            first_name=first,
            last_name=last,
            county=county if number % 3 else other,
            organisation=organisation if number % 2 else None,
            role=role,
            deputy_rank=number if role == "deputy" else None,
            elected_by="county_meeting" if number % 2 else "county_council",
        )
        for number, ((first, last), role) in enumerate(
            zip(
                NAMES,
                roles,
                strict=True,
            )
        )
    ]
    return people


def test_badges_a4_eight_a_page_with_names_roles_and_counties(congress, people):
    pdf, pages = printing.build_badges_a4(congress)
    texts = pdf_text(pdf)
    assert pages == len(texts) == math.ceil(len(people) / 8) == 2
    everything = flat(" ".join(texts))
    for name in ["Åse Ødegård", "Bjørn Bækken", "Ola Sæther", "Sølvi Lie", "Håkon Ås", "Lars Dæhlie"]:
        assert name in everything
    assert "Trøndelag" in everything and "Nordland" in everything and "Bærum kommune" in everything
    assert "DELEGATE" in everything and "PRESS" in everything  # the role in words, in the colour band
    assert all(f"No. {person.number}" in everything for person in people)  # the participant number


def test_badge_colour_groups_and_name_sizes():
    groups = {printing.ROLE_GROUPS[role] for role in Participant.Role.values}
    assert groups == {"delegate", "deputy", "board", "guest", "press", "staff"}
    assert printing.name_size("Kari Nordmann") == "xl"
    assert printing.name_size("Anne-Marthe Kristine Aasmundsen") in ("l", "m")
    assert printing.name_size(" ".join(LONG_NAME)) == "xs"


def test_a_very_long_name_stays_on_one_badge(congress, people):
    eight = [printing.badge_for(p) for p in people[-1:] * 8]
    pdf, pages = printing.render_badges(eight)
    assert pages == 1
    assert "Aasmundsen-Kvernmoen" in flat(pdf_text(pdf)[0])


def test_badges_on_label_stock(congress, people):
    preset = printing.LABEL_PRESETS[printing.DEFAULT_LABEL_PRESET]
    _pdf, pages = printing.build_badges_labels(congress)
    assert pages == math.ceil(len(people) / preset.per_sheet)
    # the labels fit on the sheet
    for left, top in preset.positions():
        assert left + preset.label_width <= preset.page_width and top + preset.label_height <= preset.page_height


def test_badges_leave_out_withdrawn_and_cancelled(congress, people):
    people[0].status = Participant.Status.WITHDRAWN
    people[0].save()
    Registration.objects.create(participant=people[1], status=Registration.Status.CANCELLED)
    everything = flat(" ".join(pdf_text(printing.build_badges_a4(congress)[0])))
    assert "Åse Ødegård" not in everything and "Bjørn Bækken" not in everything
    assert "Kari Nordmann" in everything


def test_participant_list_has_every_active_participant_once(congress, people):
    people[0].status = Participant.Status.WITHDRAWN
    people[0].save()
    Registration.objects.create(participant=people[2], listed=True)
    Registration.objects.create(participant=people[3], listed=False)
    pdf, pages = printing.build_participant_list(congress)
    text = flat(" ".join(pdf_text(pdf)))
    assert pages >= 2  # a page per county
    assert "Åse Ødegård" not in text
    for person in people[1:-1]:
        assert text.count(person.full_name) == 1, person.full_name
    assert text.count("Aasmundsen-Kvernmoen") == 1
    assert "Trøndelag" in text and "Nordland" in text
    assert "Kari Nordmann Bærum" not in text  # Kari has no organisation
    assert "Ola Sæther *" in text  # registered but did not consent to the public list
    assert "Kari Nordmann *" not in text  # consented
    assert f"{people[2].number} Kari Nordmann" in text  # the participant number in the first column


def test_name_cards_one_page_each_name_twice(congress, people):
    pdf, pages = printing.build_name_cards(congress)
    texts = pdf_text(pdf)
    assert pages == len(texts) == len(people)
    for person, text in zip(printing.badge_participants(congress), texts, strict=True):
        assert flat(text).count(person.last_name.split()[0]) >= 2  # upright and upside down
        assert flat(text).count(f"No. {person.number}") == 2


# --- Ordering through the staff page -------------------------------------------------------------------------------


def test_order_through_the_page_renders_and_downloads(
    client, congress, people, secretariat, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    url = reverse("delegates_staff:documents")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"congress": congress.pk, "kind": "badges_a4"})
    assert response.status_code == 302
    document = GeneratedDocument.objects.get()
    assert document.status == GeneratedDocument.Status.DONE, document.error
    assert document.progress == 100 and document.pages == 2 and document.finished_at
    assert document.file.name.endswith(f"badges-a4-2024-{document.pk}.pdf")
    assert document.created_by == secretariat

    page = client.get(url, {"congress": congress.pk})
    assert page.status_code == 200
    download_url = reverse("delegates_staff:document_download", args=[document.pk])
    assert download_url in page.content.decode()

    status = client.get(reverse("delegates_staff:document_status", args=[document.pk])).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["download_url"] == download_url

    download = client.get(download_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    pdf = b"".join(download.streaming_content)
    assert "Åse Ødegård" in flat(pdf_text(pdf)[0])

    client.logout()
    assert client.get(download_url).status_code == 302  # to the login page, not the file


def test_a_failing_render_is_failed_with_the_error_shown(client, congress, people, secretariat, monkeypatch):
    def broken(congress, **kwargs):
        raise RuntimeError("The printer ran out of ink")

    monkeypatch.setattr(printing, "build_name_cards", broken)
    document = GeneratedDocument.objects.create(congress=congress, kind="name_cards", created_by=secretariat)
    document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.FAILED
    assert document.error == "The printer ran out of ink" and not document.file
    client.force_login(secretariat)
    assert "The printer ran out of ink" in client.get(reverse("delegates_staff:documents")).content.decode()
    status = client.get(reverse("delegates_staff:document_status", args=[document.pk])).json()
    assert status["status"] == "failed" and status["done"] and status["download_url"] == ""
    assert client.get(reverse("delegates_staff:document_download", args=[document.pk])).status_code == 404


def test_a_duplicated_task_renders_once(congress, people, secretariat):
    document = GeneratedDocument.objects.create(congress=congress, kind="participant_list", created_by=secretariat)
    document_render(document_id=document.pk)
    document.refresh_from_db()
    first = document.file.name
    assert document.status == GeneratedDocument.Status.DONE
    assert document_render(document_id=document.pk) is None
    document.refresh_from_db()
    assert document.file.name == first


def test_regional_staff_cannot_download_a_whole_congress_document(client, congress, people, regional_user, secretariat):
    """They order their own counties' (tests/delegates/test_printing_regional.py), never read the whole congress."""
    client.force_login(regional_user)
    url = reverse("delegates_staff:documents")
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "documents-regional-notice" in content
    assert 'value="badges_a4"' in content and 'value="programme"' in content

    document = GeneratedDocument.objects.create(congress=congress, kind="badges_a4", created_by=secretariat)
    document_render(document_id=document.pk)
    assert client.get(reverse("delegates_staff:document_download", args=[document.pk])).status_code == 404


def test_staff_without_the_permission_see_nothing(client, congress):
    user = StaffUserFactory()
    client.force_login(user)
    assert client.get(reverse("delegates_staff:documents")).status_code == 403


def test_programme_is_rendered_by_agenda_printing(congress, secretariat, monkeypatch):
    from agenda import printing as agenda_printing

    calls = []

    def render_programme(congress, **kwargs):
        calls.append(congress)
        return printing.render_name_cards([printing.NameCard("Åse Ødegård", "", "", "xl")])

    monkeypatch.setattr(agenda_printing, "render_programme", render_programme)
    document = GeneratedDocument.objects.create(congress=congress, kind="programme", created_by=secretariat)
    document_render(document_id=document.pk)
    document.refresh_from_db()
    assert calls == [congress]
    assert document.status == GeneratedDocument.Status.DONE and document.pages == 1
    assert document.file.name.endswith(f"programme-2024-{document.pk}.pdf")
