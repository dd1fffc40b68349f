"""The county meetings' staff pages in the browser, as a regional office with a meeting of real size (Finnmark's 18
municipalities, a computed table with an override, reports and election results): at 1280 and 1024 px every page
passes the admin layout check (tests/core/admin_layout_check.js), the import's error state included."""

import datetime

import pytest

from county_meetings.models import ElectionResult, MemberReport, ReportedPerson
from county_meetings.services import meeting_seat_override, meeting_seats_compute
from delegates.models import Organisation
from tests.core.test_admin_layout_browser import CHECK, LOADED
from tests.county_meetings.test_seats import FINNMARK_2024
from tests.factories import (
    PASSWORD,
    CountyFactory,
    CountyMeetingFactory,
    OrganisationFactory,
    RegionalOfficeFactory,
    regional_staff_user,
)
from tests.helpers import sign_in_on_the_form

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]


def test_the_county_meeting_pages_look_finished_at_both_widths(live_server, browser, tmp_path):
    office = RegionalOfficeFactory(name="KS Nord")
    county = CountyFactory(number="56", name="Finnmark", regional_office=office)
    OrganisationFactory(
        kind=Organisation.Kind.COUNTY_MUNICIPALITY,
        number="56",
        name="Finnmark fylkeskommune",
        county=county,
        population=75053,
    )
    orgs = [
        OrganisationFactory(number=n, name=name, county=county, population=p) for n, (name, p) in FINNMARK_2024.items()
    ]
    user = regional_staff_user(office, email="nord@example.no")
    meeting = CountyMeetingFactory(county=county, seats=40, congress__name="Fylkesmøtet i Finnmark 2023")
    CountyMeetingFactory(county=CountyFactory(number="55", name="Troms", regional_office=office), seats=30)
    meeting_seats_compute(meeting=meeting, user=user)
    meeting_seat_override(
        row=meeting.member_seats.get(organisation__number="5601"),
        seats=5,
        reason="Vedtatt av fylkesstyret 12. september",
        user=user,
    )
    parties = ["Ap", "H", "Sp", "FrP", "SV", "R"]
    for index, org in enumerate(orgs[:12]):
        report = MemberReport.objects.create(
            meeting=meeting,
            organisation=org,
            status=MemberReport.Status.SUBMITTED,
            submitted_at=datetime.datetime(2023, 10, 1, tzinfo=datetime.UTC),
        )
        for rank in (1, 2):
            ReportedPerson.objects.create(
                report=report,
                role="representative",
                rank=rank,
                first_name="Kari",
                last_name=f"N{index}",
                gender="female" if (index + rank) % 3 == 0 else "male",
                party=parties[(index + rank) % len(parties)],
            )
    for index, org in enumerate(orgs[:-2]):
        for pi, party in enumerate(parties):
            ElectionResult.objects.create(
                meeting=meeting, organisation=org, party=party, votes=100 + (index * 37 + pi * 53) % 400
            )
    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_on_the_form(page, f"{live_server.url}/admin/", user.email, PASSWORD)
    alta = meeting.member_seats.get(organisation__number="5601")
    paths = {
        "index": "/admin/",
        "meetings": "/admin/county_meetings/",
        "create": "/admin/county_meetings/ny/",
        "home": f"/admin/county_meetings/{meeting.pk}/",
        "seats": f"/admin/county_meetings/{meeting.pk}/mandater/",
        "override": f"/admin/county_meetings/{meeting.pk}/mandater/{alta.pk}/overstyr/",
        "results": f"/admin/county_meetings/{meeting.pk}/valgresultat/",
        "composition": f"/admin/county_meetings/{meeting.pk}/sammensetning/",
        "admin_change": f"/admin/county_meetings/countymeeting/{meeting.pk}/change/",
    }
    problems = {}
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in paths.items():
            page.goto(live_server.url + path)
            page.wait_for_function(LOADED)
            found = page.evaluate(CHECK)
            if found:
                problems[f"{width} {name}"] = found
    # the error state of the import
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + paths["results"])
    bad = tmp_path / "bad.csv"
    bad.write_text("kommunenummer;parti;stemmer\n5601;Ap;12\n1101;H;3\n5602;;4\n", encoding="utf-8")
    page.set_input_files("input[type=file]", str(bad))
    page.locator("form[enctype] input[type=submit]").click()
    assert page.locator("#file-errors li").count() == 3
    if found := page.evaluate(CHECK):
        problems["1280 results with errors"] = found
    context.close()
    assert not problems, problems
