"""Issue 16, "How it is checked": a municipality's link on a 390 px phone reports two representatives and two
deputies, with one mistake corrected along the way; the regional office, signed in, sees the report on its overview.
Axe finds no WCAG 2.1 AA violations on the form, its error state and the receipt, and nothing scrolls sideways."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from county_meetings.models import MemberReport
from county_meetings.reports import report_links_send
from delegates.models import Organisation, Participant
from tests.accessibility import assert_no_axe_violations
from tests.county_meetings.test_reports import PDF
from tests.factories import RegionalOfficeFactory, published_county_meeting, regional_staff_user
from tests.helpers import assert_no_horizontal_scroll, nb, sign_in_on_the_form

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]

#: Where to keep screenshots of the pages, to look at them (unset: none are taken).
SHOTS = os.environ.get("KS_SCREENSHOTS_DIR", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def fill_person(page, role: str, index: int, first: str, last: str, email: str, mobile: str, gender: str, party: str):
    prefix = f"#id_{role}_{index}_"
    page.locator(f"{prefix}first_name").fill(first)
    page.locator(f"{prefix}last_name").fill(last)
    page.locator(f"{prefix}email").fill(email)
    page.locator(f"{prefix}mobile").fill(mobile)
    page.locator(f"{prefix}gender").select_option(gender)
    page.locator(f"{prefix}party").fill(party)


def test_a_municipality_reports_on_a_phone_and_the_regional_office_sees_it(
    live_server, phone_page, browser, settings, tmp_path
):
    settings.KS_PUBLIC_BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path
    office = RegionalOfficeFactory(name="KS Viken", email="viken@ks.no")
    meeting = published_county_meeting(office=office, municipalities=2, seats_each=2)
    officer = regional_staff_user(office, email="rita@ks.no", first_name="Rita", last_name="Regional")
    member = Organisation.objects.filter(county=meeting.county, kind=Organisation.Kind.MUNICIPALITY).order_by("number")[
        0
    ]
    report_links_send(meeting=meeting, user=officer)
    letter = next(m for m in mail.outbox if m.to == [member.official_email])
    link = re.search(r"https?://\S+/fylkesmote/[A-Za-z0-9_-]{43}/", letter.body).group(0)
    assert link.startswith(live_server.url)
    decision = tmp_path / "vedtak.pdf"
    decision.write_bytes(PDF)
    page = phone_page

    # The form says the meeting, the member, the seats and the deadline.
    page.goto(link)
    expect(page.locator("h1")).to_contain_text(member.name)
    expect(page.locator("main")).to_contain_text(meeting.congress.name)
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
    shot(page, "portal-form-390")

    # Two representatives, a deputy, another deputy's row; one e-mail address mistyped.
    fill_person(page, "representative", 1, "Kari", "Nordmann", "kari@kommune.no", "912 34 567", "female", "Ap")
    fill_person(page, "representative", 2, "Ola", "Nordmann", "ola@kommune", "913 34 567", "male", "H")
    fill_person(page, "deputy", 1, "Per", "Hansen", "per@kommune.no", "914 34 567", "male", "Sp")
    page.locator("button[value=add_deputy]").click()
    expect(page.locator("#id_deputy_2_first_name")).to_be_visible()
    expect(page.locator("#id_deputy_1_first_name")).to_have_value("Per")
    fill_person(page, "deputy", 2, "Åse", "Berg", "ase@kommune.no", "915 34 567", "female", "SV")
    page.locator("#id_decision_date").fill((timezone.localdate() - datetime.timedelta(days=5)).isoformat())
    page.locator("#id_decision_document").set_input_files(str(decision))
    page.locator("button[value=submit]").click()

    # The mistake: in the summary at the top (focused) and next to the field; nothing reported yet.
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(nb("Enter a valid e-mail address, such as name@kommune.no."))
    expect(page.locator("#id_representative_2_email_error")).to_be_visible()
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
    shot(page, "portal-errors-390")
    assert MemberReport.objects.get(organisation=member).status == MemberReport.Status.DRAFT

    # Corrected (the file is chosen again, as the form says), submitted: the receipt.
    summary.locator("a").first.click()
    expect(page.locator("#id_representative_2_email")).to_be_focused()
    page.locator("#id_representative_2_email").fill("ola@kommune.no")
    page.locator("#id_decision_document").set_input_files(str(decision))
    page.locator("button[value=submit]").click()
    expect(page.locator("h2").first).to_contain_text(nb("The report is received"))
    for name in ("Kari Nordmann", "Ola Nordmann", "Per Hansen", "Åse Berg"):
        expect(page.locator("main")).to_contain_text(name)
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
    shot(page, "portal-receipt-390")

    report = MemberReport.objects.get(organisation=member)
    assert report.status == MemberReport.Status.SUBMITTED and report.decision_document
    people = Participant.objects.filter(congress=meeting.congress, organisation=member)
    assert sorted((p.role, p.deputy_rank, p.first_name) for p in people) == [
        ("delegate", None, "Kari"),
        ("delegate", None, "Ola"),
        ("deputy", 1, "Per"),
        ("deputy", 2, "Åse"),
    ]

    # The regional office sees it.
    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    staff_page = context.new_page()
    overview = f"{live_server.url}{reverse('county_meetings_staff:reports', args=[meeting.pk])}"
    sign_in_on_the_form(staff_page, overview, "rita@ks.no")
    row = staff_page.locator("#report-rows tr", has_text=member.name)
    expect(row).to_contain_text(nb("Submitted"))
    assert_no_axe_violations(staff_page, context="#content-main")
    shot(staff_page, "staff-overview-1280")
    staff_page.set_viewport_size({"width": 1024, "height": 900})
    shot(staff_page, "staff-overview-1024")
    row.get_by_role("link").first.click()
    expect(staff_page.locator("#content-main")).to_contain_text("Åse Berg")
    shot(staff_page, "staff-report-1024")
    staff_page.set_viewport_size({"width": 1280, "height": 900})
    shot(staff_page, "staff-report-1280")
    staff_page.goto(f"{live_server.url}{reverse('county_meetings_staff:report_edit', args=[report.pk])}")
    expect(staff_page.locator("#id_deputy_2_first_name")).to_have_value("Åse")
    shot(staff_page, "staff-edit-1280")
    staff_page.set_viewport_size({"width": 1024, "height": 900})
    assert_no_horizontal_scroll(staff_page)
    shot(staff_page, "staff-edit-1024")
    staff_page.set_viewport_size({"width": 1280, "height": 900})
    staff_page.goto(f"{live_server.url}{reverse('county_meetings_staff:reports_remind', args=[meeting.pk])}")
    shot(staff_page, "staff-remind-1280")
    context.close()
