"""The county meetings' staff pages: the list of meetings, creating one, a meeting's home, the admin's links, and
who sees which (another regional office's meeting is not found on any page or export)."""

import datetime
from dataclasses import dataclass

import pytest
from django.urls import reverse

from county_meetings.models import CountyMeeting, MeetingSeat, MemberReport
from delegates.models import County, Organisation, RegionalOffice
from tests.factories import (
    CountyFactory,
    CountyMeetingFactory,
    OrganisationFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    regional_staff_user,
)
from tests.helpers import queries_of_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@dataclass
class Region:
    office: RegionalOffice
    county: County
    user: object
    members: list[Organisation]
    meeting: CountyMeeting


def make_region(county_number: str, county_name: str, *, municipalities: int = 4, seats: int = 12) -> Region:
    """A regional office with one county: its county municipality, ``municipalities`` municipalities (populations
    10 000, 20 000, …) and a county meeting of 2023 with ``seats`` representatives."""
    office = RegionalOfficeFactory(name=f"KS {county_name}")
    county = CountyFactory(number=county_number, name=county_name, regional_office=office)
    members = [
        OrganisationFactory(
            kind=Organisation.Kind.COUNTY_MUNICIPALITY,
            number=county_number,
            name=f"{county_name} fylkeskommune",
            county=county,
            population=10_000 * (municipalities * (municipalities + 1) // 2),
        )
    ]
    for index in range(1, municipalities + 1):
        members.append(
            OrganisationFactory(
                number=f"{county_number}{index:02d}",
                name=f"{county_name} kommune {index}",
                county=county,
                population=10_000 * index,
            )
        )
    meeting = CountyMeetingFactory(
        county=county, seats=seats, congress__name=f"Fylkesmøtet i {county_name} 2023", election_year=2023
    )
    return Region(office=office, county=county, user=regional_staff_user(office), members=members, meeting=meeting)


@pytest.fixture
def ours():
    return make_region("56", "Finnmark")


@pytest.fixture
def theirs():
    return make_region("11", "Rogaland")


#: Every page and export of one meeting (the override page needs a member's row: see the test).
MEETING_PAGES = ["meeting", "seats", "seats_csv", "results", "composition"]


def test_the_list_shows_a_regional_office_only_its_own_meetings(client, ours, theirs):
    client.force_login(ours.user)
    page = client.get(reverse("county_meetings_staff:meetings")).content.decode()
    assert "Fylkesmøtet i Finnmark 2023" in page
    assert "Rogaland" not in page

    client.force_login(SecretariatUserFactory())
    page = client.get(reverse("county_meetings_staff:meetings")).content.decode()
    assert "Fylkesmøtet i Finnmark 2023" in page and "Fylkesmøtet i Rogaland 2023" in page


def test_the_list_shows_the_tables_state_and_the_reports_submitted(client, ours):
    MemberReport.objects.create(
        meeting=ours.meeting,
        organisation=ours.members[1],
        status=MemberReport.Status.SUBMITTED,
        submitted_at=datetime.datetime(2023, 10, 1, tzinfo=datetime.UTC),
    )
    MemberReport.objects.create(meeting=ours.meeting, organisation=ours.members[2])  # a draft does not count
    client.force_login(ours.user)
    url = reverse("county_meetings_staff:meetings")
    page = client.get(url).content.decode()
    assert "1 of 5" in page
    assert "Not computed" in page
    assert "No representatives reported yet" in page

    ours.meeting.computed_at = ours.meeting.seats_published_at = datetime.datetime(2023, 9, 1, tzinfo=datetime.UTC)
    ours.meeting.save()
    assert "Published" in client.get(url).content.decode()


def test_the_list_takes_the_same_number_of_queries_for_one_meeting_and_for_five(client):
    client.force_login(SecretariatUserFactory())
    url = reverse("county_meetings_staff:meetings")
    make_region("30", "Viken")
    one = queries_of_page(client, url)
    for number, name in [("31", "Østfold"), ("32", "Akershus"), ("33", "Buskerud"), ("34", "Innlandet")]:
        region = make_region(number, name)
        MemberReport.objects.create(
            meeting=region.meeting,
            organisation=region.members[1],
            status=MemberReport.Status.SUBMITTED,
            submitted_at=datetime.datetime(2023, 10, 1, tzinfo=datetime.UTC),
        )
    assert queries_of_page(client, url) == one


def _create_form(county: County, **changes) -> dict:
    data = {
        "county": county.pk,
        "election_year": 2027,
        "first_day": "2027-11-15",
        "last_day": "2027-11-16",
        "registration_deadline": "2027-11-01",
        "city": "Alta",
        "venue": "Scandic Alta",
        "seats": 30,
        "min_seats": 1,
        "county_municipality_seats": 2,
        "method": "sainte-lague",
    }
    return {**data, **changes}


def test_a_regional_office_creates_a_meeting_for_its_own_county(client, ours):
    client.force_login(ours.user)
    response = client.post(reverse("county_meetings_staff:meeting_create"), _create_form(ours.county))
    meeting = CountyMeeting.objects.get(county=ours.county, election_year=2027)
    assert response.status_code == 302
    assert response["Location"] == reverse("county_meetings_staff:meeting", args=[meeting.pk])
    assert meeting.seats == 30 and meeting.county_municipality_seats == 2
    assert meeting.congress.kind == "county_meeting" and meeting.congress.city == "Alta"
    home = client.get(response["Location"]).content.decode()
    assert "has been created" in home


def test_the_create_page_offers_only_the_users_own_counties_and_refuses_another(client, ours, theirs):
    client.force_login(ours.user)
    url = reverse("county_meetings_staff:meeting_create")
    form = client.get(url).context["form"]
    assert list(form.fields["county"].queryset) == [ours.county]

    response = client.post(url, _create_form(theirs.county))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not CountyMeeting.objects.filter(county=theirs.county, election_year=2027).exists()


def test_a_second_meeting_for_the_same_election_is_refused_in_words(client, ours):
    client.force_login(ours.user)
    response = client.post(
        reverse("county_meetings_staff:meeting_create"), _create_form(ours.county, election_year=2023)
    )
    assert response.status_code == 200
    assert "This county already has a county meeting for this election." in response.content.decode()
    assert CountyMeeting.objects.filter(county=ours.county).count() == 1


def test_bad_dates_are_refused_in_words_and_nothing_is_created(client, ours):
    client.force_login(ours.user)
    response = client.post(
        reverse("county_meetings_staff:meeting_create"), _create_form(ours.county, last_day="2027-11-01")
    )
    assert response.status_code == 200
    assert "Please correct the errors below." in response.content.decode()
    assert not CountyMeeting.objects.filter(election_year=2027).exists()


def test_the_meetings_home_shows_its_settings_and_links_to_every_step(client, ours):
    client.force_login(ours.user)
    pk = ours.meeting.pk
    page = client.get(reverse("county_meetings_staff:meeting", args=[pk])).content.decode()
    assert "Sainte-Laguë" in page
    assert "0 of 5 members have submitted their report." in page
    for name in ["seats", "reports", "results", "composition", "elections", "transfer"]:
        assert f'href="{reverse(f"county_meetings_staff:{name}", args=[pk])}"' in page


@pytest.mark.parametrize("name", MEETING_PAGES)
def test_every_page_of_a_meeting_renders_for_its_office_and_the_secretariat(client, ours, name):
    url = reverse(f"county_meetings_staff:{name}", args=[ours.meeting.pk])
    for user in (ours.user, SecretariatUserFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", MEETING_PAGES)
def test_another_office_gets_404_for_a_guessed_meeting_id(client, ours, theirs, name):
    client.force_login(theirs.user)
    url = reverse(f"county_meetings_staff:{name}", args=[ours.meeting.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"compute": "1", "publish": "1"}).status_code == 404
    assert not MeetingSeat.objects.exists()


def test_the_admin_index_and_the_meetings_admin_page_link_to_the_pages(client, ours):
    client.force_login(ours.user)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("county_meetings_staff:meetings") in index
    change = client.get(reverse("admin:county_meetings_countymeeting_change", args=[ours.meeting.pk])).content
    assert reverse("county_meetings_staff:meeting", args=[ours.meeting.pk]) in change.decode()
    assert reverse("county_meetings_staff:seats", args=[ours.meeting.pk]) in change.decode()


def test_a_published_tables_figures_cannot_be_changed_in_the_admin(client, ours):
    ours.meeting.computed_at = ours.meeting.seats_published_at = datetime.datetime(2023, 9, 1, tzinfo=datetime.UTC)
    ours.meeting.save()
    client.force_login(SecretariatUserFactory())
    form = (
        client.get(reverse("admin:county_meetings_countymeeting_change", args=[ours.meeting.pk]))
        .context["adminform"]
        .form
    )
    assert "seats" not in form.fields and "method" not in form.fields
    assert "party_deviation_points" in form.fields
