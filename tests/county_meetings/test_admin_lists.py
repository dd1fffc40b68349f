"""Another regional office's county meetings are not named in any admin list's congress filter (issue 16: regional
staff see nothing of other offices' meetings), while the office's own meeting and the Landsting are."""

import pytest
from django.urls import reverse

from tests.factories import (
    CongressFactory,
    CountyFactory,
    CountyMeetingFactory,
    ParticipantFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    regional_staff_user,
)

pytestmark = pytest.mark.django_db

LISTS = [
    "admin:delegates_participant_changelist",
    "admin:delegates_seatallocation_changelist",
    "admin:agenda_event_changelist",
    "admin:agenda_agendaitem_changelist",
    "admin:committees_committee_changelist",
    "admin:committees_amendment_changelist",
]


@pytest.fixture
def meetings():
    mine, theirs = RegionalOfficeFactory(), RegionalOfficeFactory()
    landsting = CongressFactory(name="Landstinget 2024")
    own = CountyMeetingFactory(county=CountyFactory(regional_office=mine), congress__name="Fylkesmøtet i Østfold")
    other = CountyMeetingFactory(county=CountyFactory(regional_office=theirs), congress__name="Fylkesmøtet i Rogaland")
    for congress, county in ((landsting, own.county), (own.congress, own.county), (other.congress, other.county)):
        ParticipantFactory(congress=congress, county=county)
    return regional_staff_user(mine), landsting, own, other


@pytest.mark.parametrize("name", LISTS)
def test_a_regional_office_finds_no_other_offices_meeting_in_a_lists_congress_filter(client, meetings, name):
    user, _landsting, _own, other = meetings
    client.force_login(user)

    response = client.get(reverse(name))

    if response.status_code == 403:  # a list the regional office may not see at all names nothing
        return
    page = response.content.decode()
    assert response.status_code == 200
    assert "Fylkesmøtet i Rogaland" not in page
    assert f"__id__exact={other.pk}" not in page


def test_the_participants_filter_names_the_offices_own_meeting_and_the_landsting(client, meetings):
    user, _landsting, _own, _other = meetings
    client.force_login(user)
    page = client.get(reverse("admin:delegates_participant_changelist")).content.decode()
    assert "Fylkesmøtet i Østfold" in page and "Landstinget 2024" in page
    assert "Fylkesmøtet i Rogaland" not in page


def test_the_secretariat_finds_every_meeting_in_the_filter(client, meetings):
    client.force_login(SecretariatUserFactory())
    page = client.get(reverse("admin:delegates_participant_changelist")).content.decode()
    assert "Fylkesmøtet i Østfold" in page and "Fylkesmøtet i Rogaland" in page
