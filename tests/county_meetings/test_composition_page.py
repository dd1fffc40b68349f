"""A county meeting's composition page on a small example checked by hand: the gender shares of the representatives
submitted (deputies and drafts not counted), each party's share beside its share of the votes with the flags, and the
check provisional while members have not reported."""

import datetime

import pytest
from django.urls import reverse

from county_meetings.models import ElectionResult, MemberReport, ReportedPerson
from tests.county_meetings.test_pages import make_region
from tests.factories import SecretariatUserFactory
from tests.helpers import queries_of_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SUBMITTED_AT = datetime.datetime(2023, 10, 1, tzinfo=datetime.UTC)


def _report(meeting, organisation, people, *, status=MemberReport.Status.SUBMITTED):
    report = MemberReport.objects.create(
        meeting=meeting,
        organisation=organisation,
        status=status,
        submitted_at=SUBMITTED_AT if status == MemberReport.Status.SUBMITTED else None,
    )
    ranks = {ReportedPerson.Role.REPRESENTATIVE: 0, ReportedPerson.Role.DEPUTY: 0}
    for role, gender, party in people:
        ranks[role] += 1
        ReportedPerson.objects.create(
            report=report,
            role=role,
            rank=ranks[role],
            first_name="Navn",
            last_name="Etternavn",
            gender=gender,
            party=party,
        )
    return report


REP, DEP = ReportedPerson.Role.REPRESENTATIVE, ReportedPerson.Role.DEPUTY


@pytest.fixture
def ours():
    """Five members; two have submitted: four representatives (1 woman, 3 men; Ap 2, H 1, Sp 1). A deputy and a
    draft's representative are not counted. Votes: Ap 400, H 400, Sp 200 (40 %, 40 %, 20 %)."""
    region = make_region("56", "Finnmark", municipalities=4)
    region.meeting.party_deviation_points = 5
    region.meeting.save()
    _county_municipality, first, second, third, _fourth = region.members
    _report(region.meeting, first, [(REP, "female", "Ap"), (REP, "male", "H"), (DEP, "female", "Ap")])
    _report(region.meeting, second, [(REP, "male", "ap"), (REP, "male", "Sp"), (DEP, "female", "Sp")])
    _report(region.meeting, third, [(REP, "female", "Ap")], status=MemberReport.Status.DRAFT)
    for organisation, party, votes in [(first, "Ap", 250), (first, "H", 300), (second, "Ap", 150), (second, "H", 100)]:
        ElectionResult.objects.create(meeting=region.meeting, organisation=organisation, party=party, votes=votes)
    ElectionResult.objects.create(meeting=region.meeting, organisation=third, party="Sp", votes=200)
    return region


@pytest.fixture
def theirs():
    return make_region("11", "Rogaland")


def _page(client, meeting) -> str:
    return client.get(reverse("county_meetings_staff:composition", args=[meeting.pk])).content.decode()


def _row(page: str, table_id: str, header: str) -> str:
    table = page.split(f'id="{table_id}"')[1].split("</table>")[0]
    return table.split(f">{header}</th>")[1].split("</tr>")[0]


def test_the_gender_shares_of_the_submitted_representatives_are_checked(client, ours):
    client.force_login(ours.user)
    page = _page(client, ours.meeting)
    assert "The check counts 4 representatives from the submitted reports; deputies are not counted." in page
    female = _row(page, "gender-table", "Female")
    assert '<td class="num">1</td>' in female and "25.0 %" in female and "Below 40 %" in female
    male = _row(page, "gender-table", "Male")
    assert '<td class="num">3</td>' in male and "75.0 %" in male and "OK" in male
    assert "The rule does not hold." in page


def test_each_partys_share_is_beside_its_share_of_the_votes_and_flagged_beyond_the_threshold(client, ours):
    client.force_login(ours.user)
    page = _page(client, ours.meeting)
    ap = _row(page, "party-table", "Ap")  # 2 of 4 members (the spelling "ap" is the same party), 400 of 1 000 votes
    assert "50.0 %" in ap and "40.0 %" in ap and "+10.0" in ap and "Over-represented" in ap
    h = _row(page, "party-table", "H")  # 1 of 4, 400 of 1 000
    assert "25.0 %" in h and "40.0 %" in h and "-15.0" in h and "Under-represented" in h
    sp = _row(page, "party-table", "Sp")  # 1 of 4, 200 of 1 000: 5 points, not more than 5
    assert "25.0 %" in sp and "20.0 %" in sp and "+5.0" in sp and "represented" not in sp
    assert "difference of more than 5.0 points is flagged" in page


def test_the_check_is_provisional_until_every_member_has_reported(client, ours):
    client.force_login(ours.user)
    page = _page(client, ours.meeting)
    assert "Provisional: 3 of 5 members have not reported yet." in page
    assert "no election results for: Finnmark kommune 4" in page

    for organisation in (ours.members[0], ours.members[4]):
        _report(ours.meeting, organisation, [(REP, "female", "H")])
    MemberReport.objects.filter(organisation=ours.members[3]).update(
        status=MemberReport.Status.SUBMITTED, submitted_at=SUBMITTED_AT
    )
    page = _page(client, ours.meeting)
    assert "Provisional" not in page
    assert "The rule holds." in page  # 4 women and 3 men of 7


def test_the_meetings_list_shows_the_flags(client, ours):
    client.force_login(ours.user)
    page = client.get(reverse("county_meetings_staff:meetings")).content.decode()
    assert "3 flags – provisional" in page  # women below 40 %, Ap and H


def test_the_page_takes_the_same_number_of_queries_with_more_reports(client, ours):
    client.force_login(SecretariatUserFactory())
    url = reverse("county_meetings_staff:composition", args=[ours.meeting.pk])
    before = queries_of_page(client, url)
    _report(ours.meeting, ours.members[4], [(REP, "female", "SV"), (REP, "male", "FrP")])
    assert queries_of_page(client, url) == before


def test_another_office_cannot_see_the_composition(client, ours, theirs):
    client.force_login(theirs.user)
    response = client.get(reverse("county_meetings_staff:composition", args=[ours.meeting.pk]))
    assert response.status_code == 404
    assert "Ap" not in response.content.decode()
