"""The representatives of a county meeting per member: the county municipality's fixed number, the municipalities'
share by population with a minimum, ties, overrides, and who may see a meeting."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from agenda.models import Congress
from county_meetings.models import CountyMeeting, MeetingSeat
from county_meetings.selectors import meetings_visible_to
from county_meetings.services import county_meeting_create, meeting_seat_override, meeting_seats_compute
from delegates.models import Organisation
from delegates.services.allocation import TieNotSettled
from tests.factories import (
    CongressFactory,
    CountyFactory,
    OrganisationFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    regional_staff_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

#: Finnmark's municipalities, population 1 January 2024 (../shared/data/kommuner_2024_folketall.csv).
FINNMARK_2024 = {
    "5601": ("Alta", 21708),
    "5603": ("Hammerfest", 11338),
    "5605": ("Sør-Varanger", 10063),
    "5607": ("Vadsø", 5807),
    "5610": ("Karasjok", 2565),
    "5612": ("Kautokeino", 2848),
    "5614": ("Loppa", 864),
    "5616": ("Hasvik", 979),
    "5618": ("Måsøy", 1113),
    "5620": ("Nordkapp", 2951),
    "5622": ("Porsanger", 3889),
    "5624": ("Lebesby", 1215),
    "5626": ("Gamvik", 1070),
    "5628": ("Tana", 2807),
    "5630": ("Berlevåg", 892),
    "5632": ("Båtsfjord", 2113),
    "5634": ("Vardø", 1972),
    "5636": ("Nesseby", 859),
}


def _meeting(county, **fields) -> CountyMeeting:
    congress = CongressFactory(
        name=f"Fylkesmøtet i {county.name}",
        year=2023,
        kind=Congress.Kind.COUNTY_MEETING,
        first_day=datetime.date(2023, 11, 20),
        last_day=datetime.date(2023, 11, 21),
        registration_deadline=datetime.date(2023, 11, 1),
    )
    return CountyMeeting.objects.create(congress=congress, county=county, election_year=2023, **fields)


@pytest.fixture
def finnmark():
    county = CountyFactory(number="56", name="Finnmark")
    OrganisationFactory(
        kind=Organisation.Kind.COUNTY_MUNICIPALITY,
        number="56",
        name="Finnmark fylkeskommune",
        county=county,
        population=75053,
    )
    for number, (name, population) in FINNMARK_2024.items():
        OrganisationFactory(number=number, name=name, county=county, population=population)
    return county


def _seats(meeting) -> dict[str, int]:
    return {row.organisation.name: row.seats for row in meeting.member_seats.select_related("organisation")}


def test_finnmark_2024_by_hand(finnmark):
    """40 representatives: 4 for the county municipality, 36 for the 18 municipalities, each at least 1; the 18 left
    go by Sainte-Laguë from divisor 3. The 18 largest quotients population / (2s + 1), s ≥ 1, worked out by hand:
    Alta 7236.0, 4341.6, 3101.1, 2412.0, 1973.5, 1669.8, 1447.2, 1276.9 (8 more: 9 in all); Hammerfest 3779.3,
    2267.6, 1619.7, 1259.8 (5); Sør-Varanger 3354.3, 2012.6, 1437.6 (4); Vadsø 1935.7, 1161.4 (3); Porsanger 1296.3
    (2). The next, Alta's 10th at 21708 / 19 = 1142.5, is the 19th: no seat."""
    meeting = _meeting(finnmark, seats=40, county_municipality_seats=4)

    meeting_seats_compute(meeting=meeting, user=None)

    seats = _seats(meeting)
    assert seats["Finnmark fylkeskommune"] == 4
    assert (seats["Alta"], seats["Hammerfest"], seats["Sør-Varanger"], seats["Vadsø"], seats["Porsanger"]) == (
        9,
        5,
        4,
        3,
        2,
    )
    assert {name for name, count in seats.items() if count == 1} == {
        name for name, _population in FINNMARK_2024.values()
    } - {"Alta", "Hammerfest", "Sør-Varanger", "Vadsø", "Porsanger"}
    assert sum(seats.values()) == 40
    alta = MeetingSeat.objects.get(meeting=meeting, organisation__name="Alta")
    assert alta.explanation["kind"] == "divisor" and alta.explanation["minimum_seats"] == 1


def test_too_few_representatives_is_refused_in_words(finnmark):
    meeting = _meeting(finnmark, seats=20, county_municipality_seats=4)
    with pytest.raises(ValidationError, match="too few: the county municipality has 4 and each of the 18"):
        meeting_seats_compute(meeting=meeting, user=None)
    assert not MeetingSeat.objects.exists()


def test_a_tie_is_reported_and_settled_by_the_recorded_lot():
    county = CountyFactory(number="99", name="Tvillingfylket")
    for number in ("9901", "9902"):
        OrganisationFactory(number=number, county=county, population=5000)
    meeting = _meeting(county, seats=4, county_municipality_seats=1)  # no county municipality: 4 to share
    meeting.seats = 3
    meeting.save()
    with pytest.raises(TieNotSettled):
        meeting_seats_compute(meeting=meeting, user=None)
    with pytest.raises(ValidationError, match="Record how the drawing of lots"):
        meeting_seats_compute(meeting=meeting, user=None, lot_winners=["9902"])
    meeting_seats_compute(meeting=meeting, user=None, lot_winners=["9902"], lot_record="Trukket av fylkesstyret")
    meeting.refresh_from_db()
    assert [row.seats for row in meeting.member_seats.order_by("organisation__number")] == [1, 2]
    assert "Trukket av fylkesstyret" in meeting.tie_resolution


def test_an_override_needs_a_reason_and_survives_a_new_computation(finnmark):
    meeting = _meeting(finnmark, seats=40, county_municipality_seats=4)
    meeting_seats_compute(meeting=meeting, user=None)
    vardo = MeetingSeat.objects.get(meeting=meeting, organisation__name="Vardø")
    user = SecretariatUserFactory()
    with pytest.raises(ValidationError):
        meeting_seat_override(row=vardo, seats=2, reason=" ", user=user)
    meeting_seat_override(row=vardo, seats=2, reason="Vedtak i fylkesstyret", user=user)
    meeting_seats_compute(meeting=meeting, user=None)
    vardo.refresh_from_db()
    assert (vardo.seats, vardo.computed_seats) == (2, 1)


def test_a_regional_office_sees_only_its_own_counties_meetings(client, finnmark):
    own_office, other_office = RegionalOfficeFactory(), RegionalOfficeFactory()
    finnmark.regional_office = own_office
    finnmark.save()
    other_county = CountyFactory(number="11", name="Rogaland", regional_office=other_office)
    OrganisationFactory(number="1103", county=other_county, population=150_000)
    own = _meeting(finnmark, seats=40, county_municipality_seats=4)
    theirs = _meeting(other_county, seats=10)
    user = regional_staff_user(own_office)

    assert list(meetings_visible_to(user)) == [own]
    client.force_login(user)
    listing = client.get(reverse("admin:county_meetings_countymeeting_changelist")).content.decode()
    assert "Fylkesmøtet i Finnmark" in listing and "Fylkesmøtet i Rogaland" not in listing
    guessed = client.get(reverse("admin:county_meetings_countymeeting_change", args=[theirs.pk]))
    assert guessed.status_code == 302  # "does not exist" back to the list, nothing of the other meeting shown
    assert "Rogaland" not in client.get(guessed["Location"]).content.decode().split('id="changelist"')[-1]


class TestSeatsAddUp(HypothesisTestCase):
    @settings(max_examples=25, deadline=None)
    @given(
        populations=st.lists(st.integers(min_value=100, max_value=200_000), min_size=1, max_size=12),
        extra=st.integers(min_value=0, max_value=40),
        minimum=st.integers(min_value=1, max_value=3),
    )
    def test_the_seats_add_up_and_every_municipality_has_its_minimum(self, populations, extra, minimum):
        county = CountyFactory(number="77", name="Prøvefylket")
        OrganisationFactory(
            kind=Organisation.Kind.COUNTY_MUNICIPALITY, number="77", county=county, population=sum(populations)
        )
        for index, population in enumerate(populations):
            OrganisationFactory(number=f"77{index:02d}", county=county, population=population)
        seats = 2 + minimum * len(populations) + extra
        meeting = _meeting(county, seats=seats, county_municipality_seats=2, min_seats=minimum)
        try:
            meeting_seats_compute(meeting=meeting, user=None)
        except TieNotSettled as tie:
            assert len(tie.tie.candidates) > tie.tie.seats  # reported, never settled silently
            return
        rows = list(meeting.member_seats.select_related("organisation"))
        assert sum(row.seats for row in rows) == seats
        assert all(row.seats >= minimum for row in rows if row.organisation.kind == Organisation.Kind.MUNICIPALITY)


def test_another_offices_county_meeting_is_in_no_congress_picker_nor_the_public_pages(client, finnmark):
    own_office, other_office = RegionalOfficeFactory(), RegionalOfficeFactory()
    finnmark.regional_office = own_office
    finnmark.save()
    other_county = CountyFactory(number="11", name="Rogaland", regional_office=other_office)
    landsting = CongressFactory(name="Landstinget 2024", first_day=datetime.date(2024, 2, 13))
    own = _meeting(finnmark, seats=40, county_municipality_seats=4)
    theirs = _meeting(other_county, seats=10)
    user = regional_staff_user(own_office)
    client.force_login(user)

    page = client.get(reverse("delegates_staff:checkin"), {"congress": theirs.pk}).content.decode()
    assert own.congress.name in page and landsting.name in page
    assert theirs.congress.name not in page  # not in the picker, and asking for it by id shows another
    congresses = client.get(reverse("admin:agenda_congress_changelist"))
    assert congresses.status_code == 200
    assert own.congress.name in congresses.content.decode()
    assert theirs.congress.name not in congresses.content.decode()
    # The public home page shows the Landsting, never a county meeting that starts later.
    CongressFactory(
        name="Fylkesmøtet i Finnmark 2027",
        kind=Congress.Kind.COUNTY_MEETING,
        first_day=datetime.date(2027, 11, 20),
        last_day=datetime.date(2027, 11, 20),
        registration_deadline=datetime.date(2027, 11, 1),
    )
    home = client.get(reverse("home")).content.decode()
    assert landsting.name in home and "Fylkesmøtet i Finnmark 2027" not in home


def test_a_regional_office_creates_its_own_countys_meeting_with_its_congress(finnmark):
    own_office, other_office = RegionalOfficeFactory(), RegionalOfficeFactory()
    finnmark.regional_office = own_office
    finnmark.save()
    other_county = CountyFactory(number="11", name="Rogaland", regional_office=other_office)
    user = regional_staff_user(own_office)
    days = {
        "first_day": datetime.date(2027, 11, 18),
        "last_day": datetime.date(2027, 11, 19),
        "registration_deadline": datetime.date(2027, 11, 1),
    }

    meeting = county_meeting_create(county=finnmark, election_year=2027, city="Alta", seats=40, user=user, **days)

    assert meeting.congress.kind == Congress.Kind.COUNTY_MEETING
    assert meeting.congress.name == "County meeting of Finnmark 2027"
    with pytest.raises(ValidationError, match="already has a county meeting"):
        county_meeting_create(county=finnmark, election_year=2027, city="Alta", seats=40, user=user, **days)
    with pytest.raises(ValidationError, match="another regional office"):
        county_meeting_create(county=other_county, election_year=2027, city="Stavanger", seats=30, user=user, **days)
    wrong_days = {**days, "registration_deadline": datetime.date(2027, 12, 1)}
    with pytest.raises(ValidationError, match="on or before the first day"):
        county_meeting_create(county=finnmark, election_year=2031, city="Alta", seats=40, user=user, **wrong_days)
    assert Congress.objects.filter(kind=Congress.Kind.COUNTY_MEETING).count() == 1  # nothing half-written


def test_the_admin_attaches_a_meeting_only_to_a_free_county_meeting_congress(client, finnmark):
    taken = _meeting(finnmark, seats=40, county_municipality_seats=4)
    free = CongressFactory(
        name="Fylkesmøtet i Finnmark 2027",
        kind=Congress.Kind.COUNTY_MEETING,
        first_day=datetime.date(2027, 11, 20),
        last_day=datetime.date(2027, 11, 20),
        registration_deadline=datetime.date(2027, 11, 1),
    )
    landsting = CongressFactory(name="Landstinget 2028")
    client.force_login(SecretariatUserFactory())
    form = client.get(reverse("admin:county_meetings_countymeeting_add")).context["adminform"].form
    assert list(form.fields["congress"].queryset) == [free]
    assert taken.congress not in form.fields["congress"].queryset and landsting not in form.fields["congress"].queryset
    change = client.get(reverse("admin:county_meetings_countymeeting_change", args=[taken.pk]))
    assert "congress" not in change.context["adminform"].form.fields  # read-only once made
