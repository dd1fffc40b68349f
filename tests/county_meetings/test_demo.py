"""The county meetings' demo (issue 16, part 7): KS Viken's three 2023 county meetings with their published tables,
reports with a few missing, elections held and the result transferred into Landstinget 2024; Rogaland's new meeting
just set up; and the path from a municipality's link to a delegate in the Landsting, as the README tells it."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from agenda.models import Congress
from county_meetings import demo
from county_meetings.meeting_elections import meeting_landsting_seats
from county_meetings.models import CountyMeeting, MemberReport, TransferredDelegate
from county_meetings.reports import report_link_issue, report_reminder_plan
from delegates.demo import DEMO_REGIONAL_LOGIN, DEMO_SECRETARIAT_LOGIN
from delegates.models import Participant
from elections.models import Election, Poll

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]


def landsting_2024() -> Congress:
    return Congress.objects.get(name__startswith="Landstinget 2024")


def viken_meetings() -> list[CountyMeeting]:
    return list(CountyMeeting.objects.filter(election_year=2023).select_related("county", "congress"))


def test_viken_holds_its_three_2023_county_meetings_with_a_few_reports_missing():
    meetings = viken_meetings()
    assert sorted(m.county.number for m in meetings) == ["31", "32", "33"]
    for meeting in meetings:
        assert meeting.seats_published_at is not None
        assert sum(row.final_seats for row in meeting.member_seats.all()) == meeting.seats
        reports = MemberReport.objects.filter(meeting=meeting)
        assert reports.count() == meeting.member_seats.count()
        missing = reports.exclude(status=MemberReport.Status.SUBMITTED)
        assert missing.count() == demo.NOT_REPORTED_PER_MEETING
        assert meeting.election_results.exists()
        assert meeting.results_source == demo.INVENTED_RESULTS_NOTE  # labelled as invented where staff read them
        assert meeting.report_deadline < meeting.congress.first_day
        # Every submitted report's people are the meeting's participants.
        reported = sum(report.people.count() for report in reports.filter(status=MemberReport.Status.SUBMITTED))
        assert Participant.objects.filter(congress=meeting.congress, reported_as__isnull=False).count() == reported


def test_the_elections_are_published_and_their_result_is_the_landstings_delegation_of_the_county():
    landsting = landsting_2024()
    for meeting in viken_meetings():
        assert Poll.objects.filter(election__congress=meeting.congress, state=Poll.State.PUBLISHED).count() == 5
        seats = meeting_landsting_seats(meeting)
        assert seats.landsting == landsting
        delegation = Participant.objects.filter(
            congress=landsting, county=meeting.county, elected_by=Participant.ElectedBy.COUNTY_MEETING
        )
        assert delegation.filter(role=Participant.Role.DELEGATE).count() == seats.municipal_seats
        # Everyone in the county's part elected by the county meeting came from the transfer, once.
        transferred = TransferredDelegate.objects.filter(meeting=meeting)
        assert set(transferred.values_list("participant", flat=True)) == set(delegation.values_list("pk", flat=True))
        assert {p.elected_on for p in delegation} == {meeting.congress.last_day}
        board = Election.objects.get(congress=meeting.congress, office=Election.Office.COUNTY_BOARD_MEMBER)
        assert board.seats == demo.BOARD_SEATS - 2


def test_rogaland_has_a_meeting_just_set_up_that_viken_does_not_see(client):
    new = CountyMeeting.objects.get(county__number=demo.NEW_MEETING[0])
    assert (new.election_year, new.computed_at, new.reports.count()) == (demo.NEW_MEETING[1], None, 0)
    client.login(username=DEMO_REGIONAL_LOGIN[0], password=DEMO_REGIONAL_LOGIN[1])
    listing = client.get(reverse("county_meetings_staff:meetings")).content.decode()
    for meeting in viken_meetings():
        assert meeting.congress.name in listing
    assert new.congress.name not in listing
    assert client.get(reverse("county_meetings_staff:meeting", args=[new.pk])).status_code == 404


def test_from_a_municipalitys_link_to_the_report_the_regional_office_sees(client):
    """The README's path, for a municipality that has not reported: its link opens the form with its number of
    representatives, and the regional office finds it among those not reported."""
    meeting = viken_meetings()[0]
    missing = MemberReport.objects.filter(meeting=meeting).exclude(status=MemberReport.Status.SUBMITTED).first()
    _link, token = report_link_issue(report=missing, user=None)
    form = client.get(reverse("county_meetings_portal:report", args=[token]))
    assert form.status_code == 200
    assert missing.organisation.name in form.content.decode()
    client.login(username=DEMO_REGIONAL_LOGIN[0], password=DEMO_REGIONAL_LOGIN[1])
    overview = client.get(reverse("county_meetings_staff:reports", args=[meeting.pk])).content.decode()
    assert missing.organisation.name in overview
    # The links went out by mail, so those who have not reported can be reminded.
    to_remind, refused = report_reminder_plan(meeting)
    assert refused == []
    assert {report.pk for report in to_remind} == set(
        MemberReport.objects.filter(meeting=meeting)
        .exclude(status=MemberReport.Status.SUBMITTED)
        .values_list("pk", flat=True)
    )


def test_seeding_again_rebuilds_the_meetings_without_duplicates():
    before = (CountyMeeting.objects.count(), TransferredDelegate.objects.count(), MemberReport.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    after = (CountyMeeting.objects.count(), TransferredDelegate.objects.count(), MemberReport.objects.count())
    assert after == before
    assert DEMO_SECRETARIAT_LOGIN  # the secretariat's login is the README's too
