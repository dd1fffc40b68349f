"""A county meeting's table of representatives per member, as staff use it: compute (and settle a tie by drawing
lots), the explanation, an override with a reason, publish (then no computing again), the CSV export, and another
regional office kept out."""

import csv
import io

import pytest
from django.urls import reverse

from county_meetings.models import CountyMeeting, MeetingSeat
from county_meetings.services import meeting_seats_compute
from delegates.models import Organisation
from tests.county_meetings.test_pages import make_region
from tests.factories import CountyFactory, CountyMeetingFactory, OrganisationFactory, SecretariatUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def ours():
    # The county municipality has 1 of 12; 11 shared by 10 000, 20 000, 30 000, 40 000 with a minimum of 1.
    return make_region("56", "Finnmark", seats=12)


@pytest.fixture
def theirs():
    return make_region("11", "Rogaland")


def _url(name, meeting, *args):
    return reverse(f"county_meetings_staff:{name}", args=[meeting.pk, *args])


def _seats(meeting) -> dict[str, int]:
    return {row.organisation.number: row.final_seats for row in meeting.member_seats.select_related("organisation")}


def test_computing_shows_every_members_representatives_with_the_explanation(client, ours):
    client.force_login(ours.user)
    response = client.post(_url("seats", ours.meeting), {"compute": "1"})
    assert response.status_code == 302
    # Sainte-Laguë, 11 seats over 10/20/30/40 thousand, 1 each first: 1+2+3+4 = 10 … plus one more.
    seats = _seats(ours.meeting)
    assert sum(seats.values()) == 12
    assert seats["56"] == 1
    page = client.get(response["Location"]).content.decode()
    assert "The table has been computed." in page
    assert "The county municipality&#x27;s fixed number: 1 representative." in page
    assert "Last seat won with quotient" in page
    assert 'id="member-5604"' in page


def test_a_tie_is_settled_by_the_recorded_drawing_of_lots(client):
    county = CountyFactory(number="50", name="Trøndelag")
    for number in ("5001", "5002", "5003"):
        OrganisationFactory(number=number, name=f"Kommune {number}", county=county, population=5000)
    meeting = CountyMeetingFactory(county=county, seats=4, county_municipality_seats=1)  # no county municipality
    client.force_login(SecretariatUserFactory())

    response = client.post(_url("seats", meeting), {"compute": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Settle the tie by drawing lots" in page
    assert not MeetingSeat.objects.filter(meeting=meeting).exists()

    wrong = client.post(
        _url("seats", meeting), {"settle_tie": "1", "winners": ["5001", "5002"], "record": "Drawn by the chair."}
    )
    assert "Choose exactly 1 municipality: the tie is for 1 representative." in wrong.content.decode()

    done = client.post(
        _url("seats", meeting), {"settle_tie": "1", "winners": ["5002"], "record": "Drawn by the chair."}
    )
    assert done.status_code == 302
    assert _seats(meeting) == {"5001": 1, "5002": 2, "5003": 1}
    meeting.refresh_from_db()
    assert "Drawn by the chair." in meeting.tie_resolution
    assert "Drawn by the chair." in client.get(done["Location"]).content.decode()


def test_after_publication_the_table_is_not_computed_again(client, ours):
    client.force_login(ours.user)
    client.post(_url("seats", ours.meeting), {"compute": "1"})
    published = client.post(_url("seats", ours.meeting), {"publish": "1"}, follow=True).content.decode()
    assert "The table has been published." in published
    ours.meeting.refresh_from_db()
    assert ours.meeting.seats_published_at is not None and ours.meeting.seats_published_by == ours.user
    assert "Compute the table again" not in published

    computed_at = ours.meeting.computed_at
    again = client.post(_url("seats", ours.meeting), {"compute": "1"}, follow=True).content.decode()
    assert "The table has been published and is not computed again." in again
    ours.meeting.refresh_from_db()
    assert ours.meeting.computed_at == computed_at

    twice = client.post(_url("seats", ours.meeting), {"publish": "1"}, follow=True).content.decode()
    assert "The table has already been published." in twice


def test_publishing_is_refused_before_computing_and_when_overrides_do_not_add_up(client, ours):
    client.force_login(ours.user)
    page = client.post(_url("seats", ours.meeting), {"publish": "1"}, follow=True).content.decode()
    assert "Compute the table before publishing it." in page

    meeting_seats_compute(meeting=ours.meeting, user=ours.user)
    row = ours.meeting.member_seats.get(organisation__number="5601")
    client.post(_url("seat_override", ours.meeting, row.pk), {"override_seats": 3, "override_reason": "Agreed."})
    page = client.post(_url("seats", ours.meeting), {"publish": "1"}, follow=True).content.decode()
    assert "The members have 14 representatives after overrides, but the meeting has 12" in page
    assert CountyMeeting.objects.get(pk=ours.meeting.pk).seats_published_at is None


def test_an_override_needs_a_reason(client, ours):
    meeting_seats_compute(meeting=ours.meeting, user=ours.user)
    row = ours.meeting.member_seats.get(organisation__number="5601")
    client.force_login(ours.user)
    url = _url("seat_override", ours.meeting, row.pk)

    response = client.post(url, {"override_seats": 2, "override_reason": "  "})
    assert response.status_code == 200
    assert "Give a reason for overriding the computed number." in response.content.decode()
    row.refresh_from_db()
    assert row.override_seats is None

    response = client.post(url, {"override_seats": 2, "override_reason": "The council asked for two."})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.override_seats, row.override_reason, row.overridden_by) == (2, "The council asked for two.", ours.user)
    page = client.get(_url("seats", ours.meeting)).content.decode()
    assert "The council asked for two." in page


def test_after_publication_an_override_is_allowed_with_a_reason_and_kept_in_the_history(client, ours):
    meeting_seats_compute(meeting=ours.meeting, user=ours.user)
    client.force_login(ours.user)
    client.post(_url("seats", ours.meeting), {"publish": "1"})
    row = ours.meeting.member_seats.get(organisation__number="5602")
    url = _url("seat_override", ours.meeting, row.pk)

    assert client.post(url, {"override_seats": 3, "override_reason": "Merger"}).status_code == 302
    refused = client.post(url, {"override_seats": "", "override_reason": ""})
    assert "give a reason for going back to the computed number" in refused.content.decode()
    row.refresh_from_db()
    assert row.override_seats == 3

    assert client.post(url, {"override_seats": "", "override_reason": "The merger was called off"}).status_code == 302
    row.refresh_from_db()
    assert row.override_seats is None
    history = client.get(url).content.decode()
    assert "Merger" in history and "The merger was called off" in history
    assert row.history.count() >= 3


def test_the_csv_export_has_every_member_and_escapes_formulas(client, ours):
    meeting_seats_compute(meeting=ours.meeting, user=ours.user)
    row = ours.meeting.member_seats.get(organisation__number="5603")
    client.force_login(ours.user)
    client.post(_url("seat_override", ours.meeting, row.pk), {"override_seats": 2, "override_reason": "=1+1"})
    response = client.get(_url("seats_csv", ours.meeting))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["number", "member"]
    by_number = {r[0]: r for r in rows[1:] if r[0]}
    assert set(by_number) == {"56", "5601", "5602", "5603", "5604"}
    assert by_number["5603"][5] == "2" and by_number["5603"][6] == "'=1+1"
    assert rows[-1][1] == "Total"


def test_a_regional_office_reads_its_published_table_and_the_secretariat_too(client, ours):
    meeting_seats_compute(meeting=ours.meeting, user=ours.user)
    client.force_login(ours.user)
    client.post(_url("seats", ours.meeting), {"publish": "1"})
    for user in (ours.user, SecretariatUserFactory()):
        client.force_login(user)
        page = client.get(_url("seats", ours.meeting)).content.decode()
        assert "The table is published" in page
        assert "Finnmark kommune 4" in page


def test_another_office_cannot_read_nor_change_the_table(client, ours, theirs):
    meeting_seats_compute(meeting=ours.meeting, user=ours.user)
    row = ours.meeting.member_seats.get(organisation__number="5601")
    client.force_login(theirs.user)
    for url in (
        _url("seats", ours.meeting),
        _url("seats_csv", ours.meeting),
        _url("seat_override", ours.meeting, row.pk),
    ):
        assert client.get(url).status_code == 404
    assert client.post(_url("seats", ours.meeting), {"publish": "1"}).status_code == 404
    override = {"override_seats": 5, "override_reason": "x"}
    assert client.post(_url("seat_override", ours.meeting, row.pk), override).status_code == 404
    # Their own meeting's id with our row's id: not found either.
    assert client.post(_url("seat_override", theirs.meeting, row.pk), override).status_code == 404
    row.refresh_from_db()
    assert row.override_seats is None
    assert CountyMeeting.objects.get(pk=ours.meeting.pk).seats_published_at is None


def test_the_table_takes_the_same_number_of_queries_for_few_and_many_members(client):
    from tests.helpers import queries_of_page

    small = make_region("56", "Finnmark", municipalities=4, seats=12)
    large = make_region("46", "Vestland", municipalities=40, seats=80)
    for index, member in enumerate(large.members[1:], start=1):
        member.population = 3_000 + index * index * 97  # no two quotients alike: no tie
        member.save()
    user = SecretariatUserFactory()
    for region in (small, large):
        meeting_seats_compute(meeting=region.meeting, user=user)
    client.force_login(user)
    assert queries_of_page(client, _url("seats", small.meeting)) == queries_of_page(
        client, _url("seats", large.meeting)
    )
    assert Organisation.objects.filter(county=large.county).count() == 41
