import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from delegates.models import Organisation, SeatAllocation
from delegates.selectors import allocation_table
from delegates.services.allocation import TieNotSettled, seat_allocation_compute, seat_allocation_override
from tests.factories import (
    CountyFactory,
    DelegateKeyFactory,
    OrganisationFactory,
    SecretariatUserFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db


def make_county(number: str, name: str, *populations: int, single: bool = False):
    county = CountyFactory(number=number, name=name)
    if single:
        OrganisationFactory(
            county=county,
            kind=Organisation.Kind.MUNICIPALITY_AND_COUNTY,
            number=f"{number}01",
            name=name,
            population=populations[0],
        )
        return county
    OrganisationFactory(
        county=county,
        kind=Organisation.Kind.COUNTY_MUNICIPALITY,
        number=number,
        name=f"{name} fylkeskommune",
        population=sum(populations),
    )
    for index, population in enumerate(populations, start=1):
        OrganisationFactory(county=county, number=f"{number}{index:02d}", name=f"{name} {index}", population=population)
    return county


@pytest.fixture
def three_counties():
    return [
        make_county("03", "Oslo", 53_000, single=True),
        make_county("11", "Rogaland", 14_000, 10_000),
        make_county("15", "Møre og Romsdal", 23_000),
    ]


def test_compute_stores_one_row_per_county_with_population_of_its_municipalities(three_counties):
    key = DelegateKeyFactory(member_seats=7, method="sainte-lague")
    user = SecretariatUserFactory()

    seat_allocation_compute(key=key, user=user)

    rows = {a.county.number: a for a in SeatAllocation.objects.filter(key=key)}
    # Sainte-Laguë, 7 seats, 53 000 / 24 000 / 23 000: the seven largest quotients are
    # 53000 (O), 24000 (R), 23000 (M), 17667 (O ÷ 3), 10600 (O ÷ 5), 8000 (R ÷ 3), 7667 (M ÷ 3).
    assert {number: a.computed_seats for number, a in rows.items()} == {"03": 3, "11": 2, "15": 2}
    assert rows["11"].population == 24_000
    key.refresh_from_db()
    assert key.computed_by == user
    assert key.computed_at is not None
    assert rows["03"].explanation["kind"] == "divisor"


def test_minimum_per_county_is_respected(three_counties):
    key = DelegateKeyFactory(member_seats=7, method="dhondt", min_seats_per_county=2)
    seat_allocation_compute(key=key, user=None)
    seats = {a.county.number: a.final_seats for a in key.allocations.all()}
    assert min(seats.values()) >= 2
    assert sum(seats.values()) == 7


def test_override_requires_a_reason_and_records_who_and_when(three_counties):
    key = DelegateKeyFactory(member_seats=7)
    seat_allocation_compute(key=key, user=None)
    allocation = key.allocations.get(county__number="15")
    user = SecretariatUserFactory()

    with pytest.raises(ValidationError) as error:
        seat_allocation_override(allocation=allocation, seats=3, reason="   ", user=user)
    assert "reason" in str(error.value).lower() or "begrunnelse" in str(error.value).lower()
    allocation.refresh_from_db()
    assert allocation.override_seats is None

    seat_allocation_override(allocation=allocation, seats=3, reason="Vedtak i hovedstyret 1.12.", user=user)
    allocation.refresh_from_db()
    assert allocation.final_seats == 3
    assert allocation.overridden_by == user
    assert allocation.overridden_at is not None
    assert allocation.override_reason == "Vedtak i hovedstyret 1.12."


def test_recompute_keeps_overrides_and_the_table_flags_an_unbalanced_total(three_counties):
    key = DelegateKeyFactory(member_seats=7)
    seat_allocation_compute(key=key, user=None)
    allocation = key.allocations.get(county__number="15")
    seat_allocation_override(allocation=allocation, seats=3, reason="Omvalg", user=SecretariatUserFactory())

    seat_allocation_compute(key=key, user=None)

    allocation.refresh_from_db()
    assert allocation.override_seats == 3
    table = allocation_table(key=key)
    assert table.final_seats == 8
    assert not table.balanced
    assert table.total_seats == 8 + key.samfunnsbedriftene_seats


def test_a_tie_for_the_last_seat_is_not_settled_silently():
    make_county("11", "Rogaland", 10_000)
    make_county("15", "Møre og Romsdal", 10_000)
    key = DelegateKeyFactory(member_seats=3)

    with pytest.raises(TieNotSettled) as tie:
        seat_allocation_compute(key=key, user=None)
    assert set(tie.value.tie.candidates) == {"11", "15"}
    assert not key.allocations.exists()

    with pytest.raises(ValidationError):
        seat_allocation_compute(key=key, user=None, lot_winners=["15"], lot_record="")
    assert not key.allocations.exists()

    user = SecretariatUserFactory()
    seat_allocation_compute(key=key, user=user, lot_winners=["15"], lot_record="Loddtrekning ved sekretariatet")
    seats = {a.county.number: (a.computed_seats, a.seats_by_lot) for a in key.allocations.all()}
    assert seats == {"11": (1, 0), "15": (2, 1)}
    key.refresh_from_db()
    assert "Loddtrekning ved sekretariatet" in key.tie_resolution
    assert "Møre og Romsdal" in key.tie_resolution


def test_split_between_county_municipality_and_municipalities(three_counties):
    key = DelegateKeyFactory(member_seats=7, split_rule="fixed", county_municipality_seats=1)
    seat_allocation_compute(key=key, user=None)
    rows = {row.allocation.county.number: row for row in allocation_table(key=key).rows}
    assert rows["03"].single_delegation
    assert (rows["03"].county_municipality_seats, rows["03"].municipality_seats) == (0, 3)
    assert (rows["11"].county_municipality_seats, rows["11"].municipality_seats) == (1, 1)


def test_compute_without_population_data_gives_a_clear_error():
    key = DelegateKeyFactory()
    with pytest.raises(ValidationError, match=r"(?i)count|fylke"):
        seat_allocation_compute(key=key, user=None)


# --- The admin ------------------------------------------------------------------------------------------------


def test_admin_allocation_table_shows_every_county(secretariat_client, three_counties, django_assert_max_num_queries):
    key = DelegateKeyFactory(member_seats=7)
    seat_allocation_compute(key=key, user=None)
    url = reverse("delegates_staff:seat_allocation", args=[key.pk])

    with django_assert_max_num_queries(12):
        response = secretariat_client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    for county in three_counties:
        assert county.name in html
    assert "53\u00a0000" in html  # population with the Norwegian thousands separator


def test_admin_allocation_table_query_count_does_not_grow_with_counties(
    secretariat_client, django_assert_max_num_queries
):
    for number in range(10, 40):
        make_county(f"{number:02d}", f"Fylke {number}", 10_000 + number * 7)
    key = DelegateKeyFactory(member_seats=100)
    seat_allocation_compute(key=key, user=None)
    with django_assert_max_num_queries(12):
        response = secretariat_client.get(reverse("delegates_staff:seat_allocation", args=[key.pk]))
    assert response.status_code == 200


def test_admin_compute_button_and_tie_form(secretariat_client):
    make_county("11", "Rogaland", 10_000)
    make_county("15", "Møre og Romsdal", 10_000)
    key = DelegateKeyFactory(member_seats=3)
    url = reverse("delegates_staff:seat_allocation", args=[key.pk])

    response = secretariat_client.post(url)
    assert response.status_code == 200
    assert 'name="winners"' in response.content.decode()
    assert not key.allocations.exists()

    response = secretariat_client.post(url, {"settle_tie": "1", "winners": ["11", "15"], "record": "x"})
    assert response.status_code == 200
    assert not key.allocations.exists()

    response = secretariat_client.post(url, {"settle_tie": "1", "winners": ["11"], "record": "Trukket av leder"})
    assert response.status_code == 302
    assert key.allocations.get(county__number="11").computed_seats == 2


def test_admin_override_form_requires_reason(secretariat_client, three_counties):
    key = DelegateKeyFactory(member_seats=7)
    seat_allocation_compute(key=key, user=None)
    allocation = key.allocations.get(county__number="15")
    url = reverse("admin:delegates_seatallocation_change", args=[allocation.pk])

    response = secretariat_client.post(url, {"override_seats": "3", "override_reason": ""})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    allocation.refresh_from_db()
    assert allocation.override_seats is None

    response = secretariat_client.post(url, {"override_seats": "3", "override_reason": "Fylkesmøtets ønske"})
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.override_seats == 3
    assert allocation.overridden_by is not None


def test_admin_csv_export(secretariat_client, three_counties, django_assert_max_num_queries):
    key = DelegateKeyFactory(member_seats=7)
    seat_allocation_compute(key=key, user=None)
    with django_assert_max_num_queries(10):
        response = secretariat_client.get(reverse("delegates_staff:seat_allocation_csv", args=[key.pk]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 3 + 2
    by_number = {row[0]: row for row in rows[1:4]}
    assert by_number["15"][1] == "Møre og Romsdal"
    assert by_number["03"][10] == "3"
    assert rows[-1][-1] == str(7 + key.samfunnsbedriftene_seats)


def test_staff_without_permission_cannot_open_the_allocation(client, three_counties):
    key = DelegateKeyFactory(member_seats=7)
    client.force_login(StaffUserFactory())
    response = client.get(reverse("delegates_staff:seat_allocation", args=[key.pk]))
    assert response.status_code == 403
    response = client.post(reverse("delegates_staff:seat_allocation", args=[key.pk]))
    assert response.status_code == 403
    assert not key.allocations.exists()


def test_municipalities_without_a_figure_for_the_latest_date_are_not_counted(three_counties):
    dissolved = OrganisationFactory(county=three_counties[1], number="1199", name="Nedlagt kommune", population=99_000)
    dissolved.population_date = dissolved.population_date.replace(year=2020)
    dissolved.save()
    key = DelegateKeyFactory(member_seats=7)

    seat_allocation_compute(key=key, user=None)

    rogaland = key.allocations.get(county__number="11")
    assert rogaland.population == 24_000
    assert rogaland.population_date.year == 2024
