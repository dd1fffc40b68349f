"""The members' reports on the pages: the municipality's form behind its link (a bad link, a draft, errors next to
the fields, submitting, the receipt), and the regional office's pages (the overview with its fixed number of queries,
sending and reminding after a confirmation, entering a report on a member's behalf, the report with its history and
its decision PDF), scoped to the office's own counties."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from county_meetings.models import MeetingSeat, MemberReport
from county_meetings.reports import report_link_issue, report_links_send, report_save
from delegates.models import Organisation, Participant
from tests.county_meetings.test_reports import PDF, complete
from tests.factories import (
    OrganisationFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    published_county_meeting,
    regional_staff_user,
)
from tests.helpers import queries_of_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def office():
    return RegionalOfficeFactory(name="KS Viken", email="viken@ks.no")


@pytest.fixture
def meeting(office):
    return published_county_meeting(office=office, municipalities=2, seats_each=2)


@pytest.fixture
def officer(office):
    return regional_staff_user(office)


@pytest.fixture
def other_officer():
    return regional_staff_user(RegionalOfficeFactory(name="KS Agder"))


def member_report(meeting, number: int = 1) -> MemberReport:
    member = Organisation.objects.filter(county=meeting.county, kind=Organisation.Kind.MUNICIPALITY).order_by("number")[
        number - 1
    ]
    return MemberReport.objects.get_or_create(meeting=meeting, organisation=member)[0]


@pytest.fixture
def report_token(meeting):
    report = member_report(meeting)
    _link, token = report_link_issue(report=report, user=None)
    return report, token


def form_data(*, deputies: int = 1, action: str = "draft", **fields) -> dict:
    data = {"deputy_count": str(deputies), "action": action}
    return data | fields


def filled(**overrides) -> dict:
    data = form_data(action="submit", decision_date=(timezone.localdate() - datetime.timedelta(days=2)).isoformat())
    for index, (first, email, gender) in enumerate(
        [("Kari", "kari@kommune.no", "female"), ("Ola", "ola@kommune.no", "male")], start=1
    ):
        data |= {
            f"representative_{index}_first_name": first,
            f"representative_{index}_last_name": "Nordmann",
            f"representative_{index}_email": email,
            f"representative_{index}_mobile": f"9123456{index}",
            f"representative_{index}_gender": gender,
            f"representative_{index}_party": "Sp",
        }
    return data | overrides


# --- The municipality's form ------------------------------------------------------------------------------


def test_a_bad_link_gets_its_own_page_without_data(client, report_token):
    report, token = report_token
    broken = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = client.get(reverse("county_meetings_portal:report", args=[broken]))

    assert response.status_code == 404
    text = response.content.decode()
    assert "This link does not work" in text and report.organisation.name not in text
    assert response["Cache-Control"] == "no-store" and "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "same-origin"


def test_an_expired_link_says_so(client, report_token):
    report, token = report_token
    report.links.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    response = client.get(reverse("county_meetings_portal:report", args=[token]))

    assert response.status_code == 410 and "This link has expired" in response.content.decode()


def test_the_form_says_the_meeting_the_member_the_seats_and_the_deadline(client, meeting, report_token):
    report, token = report_token

    response = client.get(reverse("county_meetings_portal:report", args=[token]))

    text = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert meeting.congress.name in text and report.organisation.name in text
    assert "2 representatives" in text
    assert meeting.report_deadline.strftime("%Y") in text
    assert text.count('name="representative_') == 12 and text.count('name="deputy_1_') == 6


def test_a_draft_is_kept_and_shown_again(client, report_token):
    report, token = report_token
    url = reverse("county_meetings_portal:report", args=[token])

    response = client.post(url, form_data(representative_1_first_name="Kari", deputy_1_last_name="Hansen"))

    assert response.status_code == 302 and response["Location"].endswith("?saved=draft")
    page = client.get(response["Location"]).content.decode()
    assert "The draft is saved" in page and 'value="Kari"' in page and 'value="Hansen"' in page
    assert report.people.count() == 2


def test_a_mistake_is_shown_next_to_its_field_and_in_the_summary_and_nothing_is_saved(client, report_token):
    report, token = report_token
    url = reverse("county_meetings_portal:report", args=[token])

    response = client.post(url, filled(representative_2_email="ola@"))

    assert response.status_code == 200
    text = response.content.decode()
    assert "The report was not saved. Please correct the following:" in text
    assert 'href="#id_representative_2_email">Representative 2, e-mail: Enter a valid e-mail address' in text
    assert 'id="id_representative_2_email_error"' in text
    assert not report.people.exists()
    report.refresh_from_db()
    assert report.status == MemberReport.Status.DRAFT


def test_adding_a_deputy_shows_another_row_and_keeps_the_answers(client, report_token):
    _report, token = report_token

    response = client.post(
        reverse("county_meetings_portal:report", args=[token]),
        form_data(deputies=1, action="add_deputy", deputy_1_first_name="Per"),
    )

    text = response.content.decode()
    assert 'name="deputy_2_first_name"' in text and 'value="Per"' in text
    assert 'name="deputy_count" value="2"' in text


def test_submitting_shows_the_receipt_and_a_way_to_correct(client, meeting, report_token, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report, token = report_token
    url = reverse("county_meetings_portal:report", args=[token])
    data = filled(decision_document=SimpleUploadedFile("vedtak.pdf", PDF, content_type="application/pdf"))

    response = client.post(url, data)

    assert response.status_code == 302
    receipt = client.get(response["Location"]).content.decode()
    assert "The report is received" in receipt and "Kari Nordmann" in receipt and "Ola Nordmann" in receipt
    assert "?correct=1" in receipt
    assert Participant.objects.filter(congress=meeting.congress, organisation=report.organisation).count() == 2
    report.refresh_from_db()
    assert report.decision_document.read() == PDF

    correcting = client.get(url + "?correct=1").content.decode()
    assert "You are correcting a submitted report" in correcting and 'value="Kari"' in correcting


def test_after_the_deadline_the_municipality_can_no_longer_correct(client, meeting, report_token):
    report, token = report_token
    report_save(report=report, data=complete(), submit=True, user=None)
    meeting.report_deadline = timezone.localdate() - datetime.timedelta(days=1)
    meeting.save()
    url = reverse("county_meetings_portal:report", args=[token])

    assert "?correct=1" not in client.get(url).content.decode()
    client.post(url, filled(representative_1_first_name="Changed"))
    assert not report.people.filter(first_name="Changed").exists()


# --- The regional office's pages --------------------------------------------------------------------------


def test_the_overview_shows_each_members_state_and_the_counts(client, meeting, officer):
    report_save(report=member_report(meeting, 1), data=complete(), submit=True, user=None)
    report_save(report=member_report(meeting, 2), data=complete(deputies=[]), submit=False, user=None)
    client.force_login(officer)

    response = client.get(reverse("county_meetings_staff:reports", args=[meeting.pk]))

    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts["all"], counts["reported"], counts["draft"], counts["not_sent"]) == (3, 1, 1, 1)
    text = response.content.decode()
    assert "Submitted" in text and "Draft" in text and "Link not sent" in text


def test_sending_links_asks_first_and_then_sends(client, meeting, officer, django_capture_on_commit_callbacks):
    client.force_login(officer)
    url = reverse("county_meetings_staff:reports_send", args=[meeting.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200 and "3 members get their link" in confirm.content.decode()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        client.post(url)  # a double click
    assert len(mail.outbox) == 3
    overview = client.get(reverse("county_meetings_staff:reports", args=[meeting.pk]))
    assert overview.context["counts"]["link_sent"] == 3


def test_reminding_lists_who_gets_it_and_counts(client, meeting, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report_links_send(meeting=meeting, user=officer)
    report_save(report=member_report(meeting, 1), data=complete(), submit=True, user=None)
    mail.outbox.clear()
    client.force_login(officer)
    url = reverse("county_meetings_staff:reports_remind", args=[meeting.pk])

    confirm = client.get(url)
    text = confirm.content.decode()
    assert "2 members get a reminder with a new link" in text
    assert member_report(meeting, 1).organisation.name not in text
    request_id = re.search(r'name="request_id" value="([^"]+)"', text).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"request_id": request_id})
        client.post(url, {"request_id": request_id})  # a double click
    assert len(mail.outbox) == 2
    assert member_report(meeting, 2).reminders_sent == 1


def test_staff_enter_a_report_on_a_members_behalf_and_the_history_shows_it(client, meeting, officer):
    client.force_login(officer)
    member = member_report(meeting, 1).organisation
    MemberReport.objects.filter(organisation=member).delete()

    response = client.post(reverse("county_meetings_staff:report_enter", args=[meeting.pk, member.pk]))
    report = MemberReport.objects.get(meeting=meeting, organisation=member)
    assert response["Location"] == reverse("county_meetings_staff:report_edit", args=[report.pk])
    edit = client.get(response["Location"])
    assert edit.status_code == 200 and 'name="representative_2_party"' in edit.content.decode()

    saved = client.post(response["Location"], filled())
    assert saved.status_code == 302
    report.refresh_from_db()
    assert report.status == MemberReport.Status.SUBMITTED and report.entered_by == officer

    detail = client.get(reverse("county_meetings_staff:report", args=[report.pk]))
    text = detail.content.decode()
    assert "Kari Nordmann" in text and "Representative 1 added: Kari Nordmann" in text
    assert officer.get_full_name() in text
    overview = client.get(reverse("county_meetings_staff:reports", args=[meeting.pk]))
    assert overview.context["counts"]["entered_by_staff"] == 1


def test_the_history_names_the_municipality(client, meeting, officer, report_token):
    report, _token = report_token
    report_save(report=report, data=complete(), submit=True, user=None)
    client.force_login(officer)

    text = client.get(reverse("county_meetings_staff:report", args=[report.pk])).content.decode()

    assert "The municipality, through its link" in text


def test_staff_download_the_decision(client, meeting, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = member_report(meeting)
    report_save(
        report=report,
        data=complete(),
        submit=True,
        user=None,
        document=SimpleUploadedFile("vedtak.pdf", PDF, content_type="application/pdf"),
    )
    client.force_login(officer)

    response = client.get(reverse("county_meetings_staff:report_document", args=[report.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff" and "attachment" in response["Content-Disposition"]


# --- Scoping ----------------------------------------------------------------------------------------------


def test_another_office_finds_nothing_of_the_meetings_reports(client, meeting, other_officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = member_report(meeting)
    report_save(
        report=report,
        data=complete(),
        submit=True,
        user=None,
        document=SimpleUploadedFile("vedtak.pdf", PDF, content_type="application/pdf"),
    )
    client.force_login(other_officer)

    for name, args in [
        ("reports", [meeting.pk]),
        ("reports_send", [meeting.pk]),
        ("reports_remind", [meeting.pk]),
        ("report", [report.pk]),
        ("report_edit", [report.pk]),
        ("report_document", [report.pk]),
    ]:
        url = reverse(f"county_meetings_staff:{name}", args=args)
        assert client.get(url).status_code == 404, url
        assert client.post(url, filled()).status_code == 404, url
    member = report.organisation
    assert client.post(reverse("county_meetings_staff:report_enter", args=[meeting.pk, member.pk])).status_code == 404
    assert mail.outbox == []
    report.refresh_from_db()
    assert report.entered_by is None and report.people.filter(first_name="Kari1").exists()

    # The admin's list and change page of the reports.
    listing = client.get(reverse("admin:county_meetings_memberreport_changelist"))
    assert listing.status_code == 200 and member.name not in listing.content.decode()
    change = client.get(reverse("admin:county_meetings_memberreport_change", args=[report.pk]))
    assert change.status_code == 302


def test_the_own_office_sees_the_report_in_the_admin(client, meeting, officer):
    report = member_report(meeting)
    client.force_login(officer)

    listing = client.get(reverse("admin:county_meetings_memberreport_changelist") + "?status__exact=draft")

    assert listing.status_code == 200 and report.organisation.name in listing.content.decode()
    assert client.get(reverse("admin:county_meetings_memberreport_change", args=[report.pk])).status_code == 200


def test_staff_without_the_reports_permission_are_refused(client, meeting):
    from tests.factories import StaffUserFactory

    client.force_login(StaffUserFactory())

    assert client.get(reverse("county_meetings_staff:reports", args=[meeting.pk])).status_code == 403


# --- Queries ----------------------------------------------------------------------------------------------


def _grow(meeting, count: int) -> None:
    members = OrganisationFactory.create_batch(count, county=meeting.county, official_email="post@kommune.no")
    MeetingSeat.objects.bulk_create(MeetingSeat(meeting=meeting, organisation=m, computed_seats=1) for m in members)
    reports = MemberReport.objects.bulk_create(MemberReport(meeting=meeting, organisation=m) for m in members[::2])
    for report in reports[::3]:
        report_link_issue(report=report, user=None)


def test_the_overview_takes_the_same_number_of_queries_for_10_and_357_members(meeting, officer, client):
    client.force_login(SecretariatUserFactory())
    url = reverse("county_meetings_staff:reports", args=[meeting.pk])
    _grow(meeting, 10 - 3)
    small = queries_of_page(client, url)

    _grow(meeting, 357 - 10)
    assert len(client.get(url).context["rows"]) == 357
    large = queries_of_page(client, url)

    assert small == large
