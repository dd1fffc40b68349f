import pytest
from django.urls import reverse

from delegates.models import Participant
from tests.factories import (
    CongressFactory,
    CountyFactory,
    OrganisationFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    regional_staff_user,
)

pytestmark = pytest.mark.django_db


def add_participants(congress, organisations, count: int) -> None:
    Participant.objects.bulk_create(
        Participant(
            congress=congress,
            first_name="Kari",
            last_name=f"Nordmann {n}",
            email=f"p{n}@example.no",
            role="deputy" if n % 2 else "delegate",
            deputy_rank=n if n % 2 else None,
            county=organisations[n % len(organisations)].county,
            organisation=organisations[n % len(organisations)],
            elected_by="county_meeting",
        )
        for n in range(count)
    )


@pytest.fixture
def setup():
    congress = CongressFactory()
    office = RegionalOfficeFactory()
    counties = [CountyFactory(number=f"{n}", name=f"Fylke {n}") for n in (31, 32, 50)]
    for county in counties[:2]:
        county.regional_office = office
        county.save()
    organisations = [OrganisationFactory(county=county) for county in counties for _ in range(3)]
    return congress, organisations, regional_staff_user(office)


@pytest.mark.parametrize("who", ["secretariat", "regional"])
def test_participant_changelist_uses_a_fixed_number_of_queries(client, setup, who, django_assert_max_num_queries):
    congress, organisations, regional = setup
    client.force_login(SecretariatUserFactory() if who == "secretariat" else regional)
    url = reverse("admin:delegates_participant_changelist")

    add_participants(congress, organisations, 200)
    with django_assert_max_num_queries(14) as small:
        assert client.get(url).status_code == 200
    Participant.objects.all().delete()
    add_participants(congress, organisations, 2000)
    with django_assert_max_num_queries(14) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    expected = 2000 if who == "secretariat" else Participant.objects.filter(county__number__in=["31", "32"]).count()
    assert response.context["cl"].result_count == expected
