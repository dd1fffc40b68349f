"""Issue 14, item 7: agenda documents are served in production.

They were linked through ``MEDIA_URL``, which only ``DEBUG`` serves: in production every link was a 404, and had it
been served, any visitor who guessed a name would have had the file. Now staff download them through a staff page with
the printed documents' permission (``agenda.staff_views``), delegates through their personal link
(``delegates.portal.views.agenda_document``), and no page links to ``MEDIA_URL``.
"""

import datetime
import os
import subprocess
import sys
import textwrap
import zoneinfo
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from agenda.models import AgendaDocument, AgendaItem, Event
from delegates.services.links import personal_link_issue
from tests.factories import CongressFactory, ParticipantFactory, StaffUserFactory

PROJECT = Path(__file__).resolve().parents[2]
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
PDF = b"%PDF-1.4\n% Forretningsorden for Landstinget\n%%EOF\n"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = False  # as in production: MEDIA_URL is not served


@pytest.fixture
def congress():
    return CongressFactory(name="Landstinget 2024")


@pytest.fixture
def document(congress):
    session = Event.objects.create(
        congress=congress,
        title="Landstinget: leders tale",
        kind=Event.Kind.LANDSTING_SESSION,
        starts_at=datetime.datetime(2024, 2, 13, 15, 30, tzinfo=OSLO),
        ends_at=datetime.datetime(2024, 2, 13, 17, 30, tzinfo=OSLO),
        invited_roles=["delegate"],
    )
    item = AgendaItem.objects.create(congress=congress, session=session, number=1, title="Konstituering")
    document = AgendaDocument(item=item, title="Forslag til forretningsorden")
    document.file.save("forretningsorden.pdf", ContentFile(PDF), save=True)
    return document


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- Staff ----------------------------------------------------------------------------------------------------------


def test_staff_with_the_printed_documents_permission_get_the_file_as_an_attachment(client, document, regional_user):
    """The regional office may download the printed documents (the agenda PDF), so it may open the agenda's files."""
    client.force_login(regional_user)
    response = client.get(reverse("agenda_staff:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert _body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Forslag til forretningsorden.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_anonymous_visitors_and_staff_without_the_permission_are_refused(client, document):
    url = reverse("agenda_staff:document_download", args=[document.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("admin:login"))
    client.force_login(StaffUserFactory())
    assert client.get(url).status_code == 403
    assert client.get(document.file.url).status_code == 404  # the old link: MEDIA_URL is not served


def test_a_document_that_is_not_a_document_format_is_served_as_bytes(client, document, secretariat):
    evil = AgendaDocument(item=document.item, title="Vedlegg")
    evil.file.save("vedlegg.html", ContentFile(b"<script>alert(1)</script>"), save=True)
    client.force_login(secretariat)
    response = client.get(reverse("agenda_staff:document_download", args=[evil.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="Vedlegg.html"' in response["Content-Disposition"]


def test_a_missing_file_is_not_found(client, document, secretariat):
    document.file.storage.delete(document.file.name)
    client.force_login(secretariat)
    assert client.get(reverse("agenda_staff:document_download", args=[document.pk])).status_code == 404


def test_the_agenda_items_admin_page_links_the_download_view_not_media_url(client, document, secretariat):
    client.force_login(secretariat)
    page = client.get(reverse("admin:agenda_agendaitem_change", args=[document.item.pk])).content.decode()
    assert reverse("agenda_staff:document_download", args=[document.pk]) in page
    assert document.file.url not in page and "/media/" not in page


# --- Delegates, through the personal link --------------------------------------------------------------------------


def test_a_delegate_opens_the_document_from_the_personal_programme(client, congress, document):
    _link, token = personal_link_issue(participant=ParticipantFactory(congress=congress))
    programme = client.get(reverse("portal:programme", args=[token])).content.decode()
    url = reverse("portal:agenda_document", args=[token, document.pk])
    assert f'href="{url}"' in programme and "Forslag til forretningsorden" in programme
    assert "/media/" not in programme

    response = client.get(url)
    assert response.status_code == 200 and _body(response) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "same-origin"


def test_a_delegate_of_another_congress_or_a_bad_link_gets_no_file(client, document):
    _link, token = personal_link_issue(
        participant=ParticipantFactory(congress=CongressFactory(name="Landstinget 2027"))
    )
    assert client.get(reverse("portal:agenda_document", args=[token, document.pk])).status_code == 404
    bad = client.get(reverse("portal:agenda_document", args=["not-a-link", document.pk]))
    assert bad.status_code == 404 and not bad.streaming


def test_the_public_programme_names_the_documents_without_handing_them_out(client, document):
    body = client.get(reverse("agenda:programme")).content.decode()
    assert "Forslag til forretningsorden" in body
    assert "/media/" not in body and "forretningsorden.pdf" not in body
    assert "Participants open the documents from their personal page." in body or "personlige side" in body


# --- Under the production settings ----------------------------------------------------------------------------------

PRODUCTION_SCRIPT = textwrap.dedent(
    """
    from django.conf import settings

    # The one difference from production: no collectstatic here, so pages (the 404 and 403 pages) take their static
    # files' names from the plain storage instead of the manifest.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}

    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from agenda.models import AgendaDocument, AgendaItem, Congress
    from core.groups import SECRETARIAT_GROUP
    from core.models import User
    from delegates.models import Participant
    from delegates.services.links import personal_link_issue
    import datetime

    call_command("migrate", verbosity=0)
    congress = Congress.objects.create(
        name="Landstinget 2024", year=2024, city="Trondheim", venue="Spektrum",
        first_day=datetime.date(2024, 2, 13), last_day=datetime.date(2024, 2, 14),
        registration_deadline=datetime.date(2024, 1, 15),
    )
    item = AgendaItem.objects.create(congress=congress, number=1, title="Konstituering")
    document = AgendaDocument(item=item, title="Forretningsorden")
    document.file.save("forretningsorden.pdf", ContentFile(b"%PDF-1.4 production"), save=True)
    from django.contrib.auth.models import Group
    staff = User.objects.create_user(email="sekretariat@example.no", password="x", is_staff=True)
    staff.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    outsider = User.objects.create_user(email="ansatt@example.no", password="x", is_staff=True)
    from tests.factories import CountyFactory
    participant = Participant.objects.create(
        congress=congress, first_name="Kari", last_name="Nordmann", email="kari@example.no", role="delegate",
        county=CountyFactory(), elected_by="county_meeting",
    )
    _link, token = personal_link_issue(participant=participant)

    def fetch(client, url):
        response = client.get(url, secure=True, HTTP_HOST="landsting.ks.no")
        body = b"".join(response.streaming_content) if response.streaming else b""
        return response.status_code, body, response.get("Location", "")

    staff_url = reverse("agenda_staff:document_download", args=[document.pk])
    portal_url = reverse("portal:agenda_document", args=[token, document.pk])
    print("media", fetch(Client(), document.file.url)[0])
    print("anonymous", *fetch(Client(), staff_url)[::2])
    signed_in = Client()
    signed_in.force_login(outsider)
    print("outsider", fetch(signed_in, staff_url)[0])
    signed_in.force_login(staff)
    status, body, _ = fetch(signed_in, staff_url)
    print("staff", status, body == b"%PDF-1.4 production")
    status, body, _ = fetch(Client(), portal_url)
    print("delegate", status, body == b"%PDF-1.4 production")
    """
)


def test_under_the_production_settings_only_those_allowed_get_the_file(tmp_path):
    # A database and media of its own, as production has; two-factor sign-in is tested elsewhere.
    inherited = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    environment = {key: value for key, value in os.environ.items() if key not in inherited | {"REDIS_URL"}}
    environment.update(
        DJANGO_SETTINGS_MODULE="ks_landsting.settings.production",
        SECRET_KEY="a-long-random-production-secret-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="landsting.ks.no",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        KS_REQUIRE_STAFF_MFA="false",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", PRODUCTION_SCRIPT],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    assert lines["media"] == "404"  # DEBUG is off: MEDIA_URL serves nothing, the old links were dead
    assert lines["anonymous"].startswith("302 /admin/login/")
    assert lines["outsider"] == "403"
    assert lines["staff"] == "200 True"
    assert lines["delegate"] == "200 True"
