"""A security review of issue 16's pages, as an attacker and as the regional office of another county: rows of
another meeting under one's own meeting's id, the municipality's form without its CSRF token or behind a revoked
link, the decision PDF's name and headers, the admin's history pages, and what the transfer's refusal tells about
another county's people."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from county_meetings.meeting_elections import meeting_transfer_to_landsting
from county_meetings.models import MemberReport
from county_meetings.reports import report_link_issue, report_save
from delegates.models import Organisation
from tests.county_meetings.test_reports import PDF, complete
from tests.county_meetings.test_transfer import elected_meeting, transfer_url
from tests.factories import (
    CountyFactory,
    ParticipantFactory,
    RegionalOfficeFactory,
    published_county_meeting,
    regional_staff_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def office():
    return RegionalOfficeFactory(name="KS Viken")


@pytest.fixture
def meeting(office):
    return published_county_meeting(office=office, municipalities=2, seats_each=2)


@pytest.fixture
def officer(office):
    return regional_staff_user(office)


@pytest.fixture
def other_meeting():
    return published_county_meeting(office=RegionalOfficeFactory(name="KS Agder"), municipalities=2, seats_each=2)


def municipality(meeting, number: int = 1) -> Organisation:
    return Organisation.objects.filter(county=meeting.county, kind=Organisation.Kind.MUNICIPALITY).order_by("number")[
        number - 1
    ]


def report_of(meeting, number: int = 1) -> MemberReport:
    return MemberReport.objects.get_or_create(meeting=meeting, organisation=municipality(meeting, number))[0]


def portal_url(token: str) -> str:
    return reverse("county_meetings_portal:report", args=[token])


def a_draft(**fields) -> dict:
    return {
        "deputy_count": "1",
        "action": "draft",
        "representative_1_first_name": "Mallory",
        "representative_1_last_name": "Angrep",
    } | fields


# --- Another meeting's rows under one's own meeting ---------------------------------------------------------------


def test_a_member_of_another_county_cannot_be_entered_under_ones_own_meeting(client, meeting, officer, other_meeting):
    theirs = municipality(other_meeting)
    client.force_login(officer)

    response = client.post(reverse("county_meetings_staff:report_enter", args=[meeting.pk, theirs.pk]))

    assert response.status_code == 404
    assert not MemberReport.objects.filter(organisation=theirs).exists()


def test_another_offices_report_is_not_edited_under_ones_own_meeting(client, meeting, officer, other_meeting):
    theirs = report_of(other_meeting)
    client.force_login(officer)

    for name in ("report", "report_edit", "report_document"):
        assert client.get(reverse(f"county_meetings_staff:{name}", args=[theirs.pk])).status_code == 404, name
    response = client.post(reverse("county_meetings_staff:report_edit", args=[theirs.pk]), a_draft())

    assert response.status_code == 404
    assert not theirs.people.exists()


# --- The municipality's form ----------------------------------------------------------------------------------------


def test_the_municipalitys_form_refuses_a_post_without_its_csrf_token(meeting):
    report = report_of(meeting)
    _link, token = report_link_issue(report=report, user=None)
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(portal_url(token), a_draft())

    assert response.status_code == 403
    assert not report.people.exists()


def test_the_form_carries_a_csrf_token_and_a_post_with_it_saves(meeting):
    report = report_of(meeting)
    _link, token = report_link_issue(report=report, user=None)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(portal_url(token))
    csrf = page.context["csrf_token"]

    response = browser.post(portal_url(token), a_draft(csrfmiddlewaretoken=str(csrf)))

    assert response.status_code == 302
    assert report.people.get().first_name == "Mallory"


def test_a_revoked_link_saves_nothing_and_shows_nothing_of_the_report(client, meeting):
    report = report_of(meeting)
    report_save(report=report, data=complete(), submit=False, user=None)
    link, token = report_link_issue(report=report, user=None)
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    before = list(report.people.values_list("first_name", flat=True))

    response = client.post(portal_url(token), a_draft())

    text = response.content.decode()
    assert response.status_code == 410 and "This link has been revoked" in text
    assert report.organisation.name not in text and before[0] not in text
    assert list(report.people.values_list("first_name", flat=True)) == before
    assert response["Cache-Control"] == "no-store" and "noindex" in response["X-Robots-Tag"]


def test_one_municipalitys_link_never_reaches_another_municipalitys_report(client, meeting):
    ours = report_of(meeting, 1)
    theirs = report_of(meeting, 2)
    _link, token = report_link_issue(report=ours, user=None)

    # Whatever ids the post carries, the link decides the report.
    client.post(portal_url(token), a_draft(report=str(theirs.pk), organisation=str(theirs.organisation_id), pk="2"))

    assert ours.people.get().first_name == "Mallory"
    assert not theirs.people.exists()


def test_an_uploaded_decision_is_kept_under_a_random_pdf_name_and_sent_as_a_pdf_attachment(
    client, meeting, officer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = report_of(meeting)
    _link, token = report_link_issue(report=report, user=None)

    client.post(
        portal_url(token),
        a_draft(decision_document=SimpleUploadedFile("vedtak.html", PDF + b"<script>alert(1)</script>", "text/html")),
    )

    report.refresh_from_db()
    stored = report.decision_document.name
    assert stored.endswith(".pdf") and "vedtak" not in stored and ".html" not in stored
    client.force_login(officer)
    response = client.get(reverse("county_meetings_staff:report_document", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    b"".join(response.streaming_content)
    response.close()


def test_a_file_that_is_not_a_pdf_is_refused_and_not_kept(client, meeting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = report_of(meeting)
    _link, token = report_link_issue(report=report, user=None)

    response = client.post(
        portal_url(token),
        a_draft(decision_document=SimpleUploadedFile("vedtak.pdf", b"<html><script>1</script>", "application/pdf")),
    )

    assert response.status_code == 200 and "The file is not a PDF" in response.content.decode()
    report.refresh_from_db()
    assert not report.decision_document
    assert not any(tmp_path.rglob("*.*"))


# --- The admin ------------------------------------------------------------------------------------------------------


def test_another_office_sees_no_history_of_the_meeting_nor_of_its_reports(client, meeting, other_meeting):
    report = report_of(meeting)
    report_save(report=report, data=complete(), submit=True, user=None)
    client.force_login(regional_staff_user(other_meeting.county.regional_office))

    for url in (
        reverse("admin:county_meetings_countymeeting_history", args=[meeting.pk]),
        reverse("admin:county_meetings_memberreport_history", args=[report.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert report.organisation.name not in response.content.decode()
    record = report.history.earliest("history_date")
    response = client.get(
        reverse("admin:county_meetings_memberreport_simple_history", args=[report.pk, record.history_id])
    )
    assert response.status_code in (302, 403, 404)
    assert report.organisation.name not in response.content.decode()


# --- The transfer ---------------------------------------------------------------------------------------------------


def test_the_transfers_refusal_does_not_name_another_countys_participant(client):
    world, official = elected_meeting()
    elsewhere = CountyFactory(regional_office=RegionalOfficeFactory(name="KS Agder"))
    stranger = ParticipantFactory(
        congress=world.landsting,
        county=elsewhere,
        first_name="Ukjent",
        last_name="Fremmedsen",
        role="delegate",
        email=world.people[1].email,
    )
    client.force_login(regional_staff_user(world.office))

    plan = meeting_transfer_to_landsting(meeting=world.meeting, user=official, dry_run=True)
    page = client.get(transfer_url(world.meeting)).content.decode()

    assert plan.problems, "the address in use must still stop the transfer"
    assert any(world.people[1].email in problem for problem in plan.problems)
    assert not any(stranger.last_name in problem for problem in plan.problems)
    assert stranger.last_name not in page


def test_the_transfers_refusal_names_a_participant_of_the_meetings_own_county():
    world, official = elected_meeting()
    neighbour = ParticipantFactory(
        congress=world.landsting,
        county=world.county,
        first_name="Kjent",
        last_name="Nabosen",
        role="guest",
        elected_by="",
        email=world.people[1].email,
    )

    plan = meeting_transfer_to_landsting(meeting=world.meeting, user=official, dry_run=True)

    assert any(neighbour.full_name in problem for problem in plan.problems)
