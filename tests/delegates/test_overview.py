import io
from collections import Counter

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agenda.models import Congress
from core.groups import REGIONAL_OFFICE_GROUP, staff_groups_ensure
from delegates import demo
from delegates.keys import split_county_seats
from delegates.models import CountyHoldBack, Organisation, Participant, SeatAllocation
from delegates.overview import delegation_overview
from tests.factories import (
    CountyFactory,
    DelegateKeyFactory,
    OrganisationFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    StaffUserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_in_test")]

DELEGATE, DEPUTY = Participant.Role.DELEGATE, Participant.Role.DEPUTY
COUNCIL, MEETING = Participant.ElectedBy.COUNTY_COUNCIL, Participant.ElectedBy.COUNTY_MEETING
F, M, OTHER = Participant.Gender.FEMALE, Participant.Gender.MALE, Participant.Gender.OTHER

_numbers = iter(range(1, 1_000_000))


def make_county(number: str, name: str, *, office=None, single: bool = False):
    county = CountyFactory(number=number, name=name, regional_office=office)
    if single:
        OrganisationFactory(county=county, kind=Organisation.Kind.MUNICIPALITY_AND_COUNTY, number=f"{number}01")
    else:
        OrganisationFactory(county=county, kind=Organisation.Kind.COUNTY_MUNICIPALITY, number=number)
        OrganisationFactory(county=county, number=f"{number}01")
    return county


def allocate(key, county, seats: int) -> SeatAllocation:
    return SeatAllocation.objects.create(key=key, county=county, population=10_000, computed_seats=seats)


def person(congress, county, role=DELEGATE, elected_by=MEETING, *, gender=F, party="Ap", rank=None, **fields):
    n = next(_numbers)
    if role == DEPUTY and rank is None:
        rank = n
    return Participant.objects.create(
        congress=congress,
        county=county,
        role=role,
        elected_by=elected_by,
        gender=gender,
        party=party,
        deputy_rank=rank,
        first_name=fields.pop("first_name", "Kari"),
        last_name=fields.pop("last_name", f"Nordmann{n}"),
        email=fields.pop("email", f"p{n}@example.no"),
        **fields,
    )


def delegation(congress, county, elected_by, genders: str, deputies: int, parties: str = ""):
    """Delegates with the given genders ("FMF…") and parties (comma separated), and ``deputies`` deputies."""
    party_list = parties.split(",") if parties else ["Ap"] * len(genders)
    for gender, party in zip(genders, party_list, strict=True):
        person(congress, county, DELEGATE, elected_by, gender={"F": F, "M": M, "O": OTHER}[gender], party=party)
    for _ in range(deputies):
        person(congress, county, DEPUTY, elected_by)


@pytest.fixture
def key():
    # Fixed split: two seats to the county municipality.
    return DelegateKeyFactory(split_rule="fixed", county_municipality_seats=2, samfunnsbedriftene_seats=3)


def county_of(overview, number):
    return next(c for c in overview.counties if c.county.number == number)


def test_figures_per_delegation_with_split_gender_and_parties(key, secretariat):
    county = make_county("11", "Rogaland")
    allocate(key, county, 6)
    delegation(key.congress, county, COUNCIL, "FM", 2, "H,Ap")
    delegation(key.congress, county, MEETING, "FFMM", 4, "H,H,Ap,SV")

    overview = delegation_overview(congress=key.congress, user=secretariat)

    row = county_of(overview, "11")
    assert row.seats == 6
    council, meeting = row.delegations
    assert (council.seats, council.delegates, council.deputies) == (2, 2, 2)
    assert (meeting.seats, meeting.delegates, meeting.deputies) == (4, 4, 4)
    assert (meeting.gender.female, meeting.gender.male) == (2, 2)
    assert meeting.gender.female_percent == 50
    assert [(p.party, p.count) for p in meeting.parties] == [("H", 2), ("Ap", 1), ("SV", 1)]
    assert row.all_warnings == []
    assert overview.total.seats == 6 + 3  # with Samfunnsbedriftene's seats
    assert overview.total.delegates == 6
    assert [(p.party, p.count) for p in overview.total.parties] == [("H", 3), ("Ap", 2), ("SV", 1)]


def test_too_few_and_too_many_delegates_are_warned(key, secretariat):
    county = make_county("11", "Rogaland")
    allocate(key, county, 5)  # 2 + 3
    delegation(key.congress, county, COUNCIL, "FMF", 3)
    delegation(key.congress, county, MEETING, "FM", 2)

    row = county_of(delegation_overview(congress=key.congress, user=secretariat), "11")

    council, meeting = row.delegations
    assert council.excess == 1 and meeting.missing == 1
    assert any("1 delegate too many" in w for w in row.all_warnings)
    assert any("1 delegate missing" in w for w in row.all_warnings)


def test_a_deputy_acting_for_a_withdrawn_delegate_fills_the_seat(key, secretariat):
    county = make_county("11", "Rogaland")
    allocate(key, county, 4)  # 2 + 2
    delegation(key.congress, county, COUNCIL, "FM", 2)
    gone = person(key.congress, county, DELEGATE, MEETING, gender=F, status=Participant.Status.WITHDRAWN)
    person(key.congress, county, DELEGATE, MEETING, gender=M)
    person(key.congress, county, DEPUTY, MEETING, gender=F, acting_for=gone)
    person(key.congress, county, DEPUTY, MEETING)
    person(key.congress, county, DEPUTY, MEETING)

    meeting = county_of(delegation_overview(congress=key.congress, user=secretariat), "11").delegations[1]

    assert (meeting.delegates, meeting.deputies, meeting.difference) == (2, 2, 0)
    assert meeting.warnings == []


def test_a_withdrawn_delegate_without_replacement_leaves_a_seat_empty(key, secretariat):
    county = make_county("11", "Rogaland")
    allocate(key, county, 4)
    delegation(key.congress, county, COUNCIL, "FM", 2)
    person(key.congress, county, DELEGATE, MEETING, gender=F, status=Participant.Status.WITHDRAWN)
    person(key.congress, county, DELEGATE, MEETING, gender=M)
    person(key.congress, county, DEPUTY, MEETING)

    meeting = county_of(delegation_overview(congress=key.congress, user=secretariat), "11").delegations[1]

    assert meeting.missing == 1


def test_missing_and_too_few_deputies_are_warned(key, secretariat):
    county = make_county("11", "Rogaland")
    allocate(key, county, 6)
    delegation(key.congress, county, COUNCIL, "FM", 0)
    delegation(key.congress, county, MEETING, "FMFM", 3)

    row = county_of(delegation_overview(congress=key.congress, user=secretariat), "11")

    assert row.delegations[0].warnings == ["County council: no deputies."]
    assert row.delegations[1].warnings == ["Municipalities (county meeting): fewer deputies (3) than delegates (4)."]


def test_a_gender_under_40_percent_is_flagged_counting_only_women_and_men(key, secretariat):
    county = make_county("11", "Rogaland")
    allocate(key, county, 2 + 5)
    delegation(key.congress, county, COUNCIL, "FM", 2)
    delegation(key.congress, county, MEETING, "FMMMO", 5)  # 1 of 4 counted is a woman: 25 %

    row = county_of(delegation_overview(congress=key.congress, user=secretariat), "11")

    meeting = row.delegations[1]
    assert (meeting.gender.female, meeting.gender.male, meeting.gender.other) == (1, 3, 1)
    assert meeting.gender.female_percent == 25
    assert meeting.gender.under_represented == F
    assert any("women are only 25.0 %" in w for w in meeting.warnings)
    assert row.delegations[0].gender.under_represented is None


def test_two_of_five_women_is_exactly_40_percent_and_not_flagged(key, secretariat):
    county = make_county("11", "Rogaland")
    allocate(key, county, 2 + 5)
    delegation(key.congress, county, MEETING, "FFMMM", 5)

    meeting = county_of(delegation_overview(congress=key.congress, user=secretariat), "11").delegations[1]

    assert meeting.gender.under_represented is None


def test_the_same_person_entered_twice_is_asked_about(key, secretariat):
    rogaland = make_county("11", "Rogaland")
    agder = make_county("42", "Agder")
    bergen = OrganisationFactory(county=rogaland)
    person(key.congress, rogaland, email="ola@example.no", first_name="Ola", last_name="Nordmann", organisation=bergen)
    person(
        key.congress,
        rogaland,
        DEPUTY,
        email="ola2@example.no",
        first_name="ola",
        last_name="NORDMANN ",
        organisation=bergen,
    )
    # The same common name in two organisations is not asked about.
    person(key.congress, agder, email="ola3@example.no", first_name="Ola", last_name="Nordmann")
    person(key.congress, agder, email="kari@example.no", first_name="Kari", last_name="A", mobile="900 11 222")
    person(key.congress, rogaland, DEPUTY, email="per@example.no", first_name="Per", last_name="B", mobile="90011222")

    overview = delegation_overview(congress=key.congress, user=secretariat)

    assert sorted(d.what for d in overview.possible_duplicates) == ["90011222", "Ola Nordmann"]
    assert any("Ola Nordmann" in w for w in county_of(overview, "11").all_warnings)
    assert any("ola NORDMANN" in w for w in county_of(overview, "11").all_warnings)
    assert not any("Nordmann" in w for w in county_of(overview, "42").all_warnings)
    assert any("Kari A" in w for w in county_of(overview, "42").all_warnings)


def test_a_held_back_county_is_warned_and_a_county_without_allocation_too(key, secretariat):
    county = make_county("31", "Østfold")
    allocate(key, county, 3)
    CountyHoldBack.objects.create(congress=key.congress, county=county, reason="Fylkestingsvalget tas om.")
    make_county("32", "Akershus")

    overview = delegation_overview(congress=key.congress, user=secretariat)

    assert county_of(overview, "31").held_back == "Fylkestingsvalget tas om."
    assert any("Fylkestingsvalget tas om." in w for w in county_of(overview, "31").all_warnings)
    assert any("No seats have been allocated" in w for w in county_of(overview, "32").all_warnings)


def test_oslo_is_one_delegation(key, secretariat):
    oslo = make_county("03", "Oslo", single=True)
    allocate(key, oslo, 4)
    delegation(key.congress, oslo, COUNCIL, "FM", 2)
    delegation(key.congress, oslo, MEETING, "FM", 2)

    row = county_of(delegation_overview(congress=key.congress, user=secretariat), "03")

    assert len(row.delegations) == 1
    assert (row.delegations[0].seats, row.delegations[0].delegates, row.delegations[0].deputies) == (4, 4, 4)
    assert row.all_warnings == []


def test_samfunnsbedriftene_seats_against_its_delegates_for_the_secretariat(key, secretariat):
    sb = OrganisationFactory(kind=Organisation.Kind.SAMFUNNSBEDRIFTENE, county=None, number="")
    for gender in (F, M):
        person(
            key.congress,
            None,
            Participant.Role.SAMFUNNSBEDRIFTENE_DELEGATE,
            Participant.ElectedBy.SAMFUNNSBEDRIFTENE,
            gender=gender,
            organisation=sb,
        )

    overview = delegation_overview(congress=key.congress, user=secretariat)

    assert (overview.samfunnsbedriftene.seats, overview.samfunnsbedriftene.delegates) == (3, 2)
    assert overview.samfunnsbedriftene.warnings == ["Samfunnsbedriftene: 1 delegate missing (2 entered for 3 seats)."]


def test_regional_staff_see_only_their_counties_and_not_samfunnsbedriftene(key):
    office = RegionalOfficeFactory()
    user = StaffUserFactory()
    office.staff.add(user)
    mine = make_county("31", "Østfold", office=office)
    other = make_county("46", "Vestland", office=RegionalOfficeFactory())
    allocate(key, mine, 3)
    allocate(key, other, 5)
    person(key.congress, mine, email="mine@example.no", first_name="Mine", mobile="98765432")
    person(key.congress, other, email="secret@example.no", first_name="Secret", mobile="987 65 432")

    overview = delegation_overview(congress=key.congress, user=user)

    assert [c.county.number for c in overview.counties] == ["31"]
    assert overview.samfunnsbedriftene is None
    assert overview.total.seats == 3
    (duplicate,) = overview.possible_duplicates
    assert duplicate.hidden == 1
    assert all("Secret" not in name for name in duplicate.names)


# --- The admin page ----------------------------------------------------------------------------------------


def overview_url(congress=None):
    url = reverse("delegates_staff:delegation_overview")
    return f"{url}?congress={congress.pk}" if congress else url


def test_page_shows_counties_and_warnings_in_words(client, key, secretariat):
    county = make_county("11", "Rogaland")
    allocate(key, county, 5)
    delegation(key.congress, county, COUNCIL, "FM", 0)
    client.force_login(secretariat)

    response = client.get(overview_url(key.congress), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="county-11"' in html
    assert "<caption" in html and 'scope="col"' in html
    assert "County council: no deputies." in html
    assert "Municipalities (county meeting): 3 delegates missing" in html
    assert 'id="samfunnsbedriftene"' in html


def test_page_needs_the_view_participant_permission(client, key):
    client.force_login(StaffUserFactory())

    assert client.get(overview_url(key.congress)).status_code == 403


def test_page_is_for_staff_only(client, key):
    response = client.get(overview_url(key.congress))

    assert response.status_code == 302


def test_regional_staff_page_shows_only_their_counties(client, key):
    staff_groups_ensure()
    office = RegionalOfficeFactory()
    user = StaffUserFactory()
    user.groups.add(Group.objects.get(name=REGIONAL_OFFICE_GROUP))
    office.staff.add(user)
    allocate(key, make_county("31", "Østfold", office=office), 3)
    allocate(key, make_county("46", "Vestland", office=RegionalOfficeFactory()), 5)
    client.force_login(user)

    html = client.get(overview_url(key.congress)).content.decode()

    assert 'id="county-31"' in html
    assert 'id="county-46"' not in html and "Vestland" not in html
    assert 'id="samfunnsbedriftene"' not in html


def test_participant_changelist_links_to_the_overview_and_keeps_import_and_export(client, secretariat, monkeypatch):
    from django.contrib import admin

    participant_admin = admin.site._registry[Participant]
    # ImportExportMixin replaces change_list_template; ParticipantAdmin needs
    # import_export_change_list_template = "admin/delegates/participant/change_list.html" to use this one.
    monkeypatch.setattr(participant_admin, "change_list_template", "admin/delegates/participant/change_list.html")
    client.force_login(secretariat)

    html = client.get(reverse("admin:delegates_participant_changelist")).content.decode()

    assert reverse("delegates_staff:delegation_overview") in html
    if hasattr(participant_admin, "has_import_permission"):
        assert reverse("admin:delegates_participant_import") in html


def _bulk_participants(congress, counties, count):
    people = []
    for i in range(count):
        county = counties[i % len(counties)]
        deputy = i % 2 == 1
        people.append(
            Participant(
                congress=congress,
                county=county,
                role=DEPUTY if deputy else DELEGATE,
                deputy_rank=i if deputy else None,
                elected_by=MEETING if i % 3 else COUNCIL,
                gender=F if i % 4 < 2 else M,
                party=["Ap", "H", "Sp", "FrP"][i % 4],
                first_name="Kari",
                last_name=f"Nordmann{i}",
                email=f"bulk{i}@example.no",
            )
        )
    Participant.objects.bulk_create(people)


def _page_queries(client, congress) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(overview_url(congress))
    assert response.status_code == 200
    return len(queries)


def test_page_uses_a_fixed_number_of_queries(client, key, secretariat, django_assert_max_num_queries):
    counties = [make_county(f"{10 + i}", f"Fylke {i}") for i in range(15)]
    for county in counties:
        allocate(key, county, 15)
    counties[0].hold_backs.create(congress=key.congress, reason="Omvalg")
    client.force_login(secretariat)
    _bulk_participants(key.congress, counties, 200)
    with_200 = _page_queries(client, key.congress)

    Participant.objects.filter(congress=key.congress).delete()
    _bulk_participants(key.congress, counties, 2000)
    with django_assert_max_num_queries(15):
        response = client.get(overview_url(key.congress))
    assert response.status_code == 200
    assert _page_queries(client, key.congress) == with_200


# --- Demo data -------------------------------------------------------------------------------------------------


def _delegates_per_delegation(congress):
    counts = Counter()
    for county_number, elected_by, role in Participant.objects.filter(congress=congress).values_list(
        "county__number", "elected_by", "role"
    ):
        counts[(county_number, elected_by, role)] += 1
    return counts


def test_seed_demo_fills_every_county_to_its_allocation_except_the_deliberate_warnings(seeded_demo):
    congress = Congress.objects.get(name=demo.DEMO_CONGRESS["name"], year=demo.DEMO_CONGRESS["year"])
    first = _delegates_per_delegation(congress)
    emails = set(Participant.objects.filter(congress=congress).values_list("email", flat=True))

    call_command("seed_demo", stdout=io.StringIO())

    assert _delegates_per_delegation(congress) == first  # idempotent: replaced, not duplicated
    assert set(Participant.objects.filter(congress=congress).values_list("email", flat=True)) == emails
    key = congress.delegate_key
    assert first[(None, "samfunnsbedriftene", "samfunnsbedriftene_delegate")] == key.samfunnsbedriftene_seats
    for allocation in key.allocations.select_related("county"):
        number = allocation.county.number
        single = Organisation.objects.filter(
            county=allocation.county, kind=Organisation.Kind.MUNICIPALITY_AND_COUNTY
        ).exists()
        county_seats, municipal_seats = split_county_seats(
            seats=allocation.final_seats,
            rule=key.split_rule,
            fixed=key.county_municipality_seats,
            share_percent=key.county_municipality_share,
            single_delegation=single,
        )
        if single:
            assert first[(number, COUNCIL, DELEGATE)] == municipal_seats, number
            continue
        short = 1 if number == demo.DEMO_WARNING_ONE_DELEGATE_SHORT else 0
        assert first[(number, COUNCIL, DELEGATE)] == county_seats, number
        assert first[(number, MEETING, DELEGATE)] == municipal_seats - short, number
        assert first[(number, MEETING, DEPUTY)] > 0, number

    overview = delegation_overview(congress=congress, user=SecretariatUserFactory())
    warned = {c.county.number for c in overview.counties if c.all_warnings}
    assert warned == {
        demo.DEMO_WARNING_ONE_DELEGATE_SHORT,
        demo.DEMO_WARNING_GENDER,
        demo.DEMO_WARNING_DEPUTY_MISSING,
        demo.DEMO_WARNING_DUPLICATE_PERSON,
        "50",
    }
    assert len(overview.possible_duplicates) == 1
    assert overview.samfunnsbedriftene.warnings == []
    assert all(p.email.lower().endswith("@demo.ks-landsting.test") for p in Participant.objects.all())
