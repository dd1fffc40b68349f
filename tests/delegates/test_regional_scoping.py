"""Staff of one regional office never see or change another office's records, by any admin route."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from delegates.models import County, CountyHoldBack, Organisation, Participant, SeatAllocation, Substitution
from delegates.selectors import REGIONAL_OFFICE_GROUP, counties_visible_to
from delegates.services import participant_withdraw, staff_groups_ensure
from tests.factories import (
    CongressFactory,
    CountyFactory,
    DelegateKeyFactory,
    OrganisationFactory,
    ParticipantFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two offices with a county each, and one record of every scoped kind in both counties."""
    staff_groups_ensure()
    congress = CongressFactory()
    key = DelegateKeyFactory(congress=congress)
    records = {}
    for label, number in (("own", "31"), ("other", "50")):
        office = RegionalOfficeFactory(name=f"KS {label}")
        county = CountyFactory(number=number, name=f"Fylke {label}")
        county.regional_office = office
        county.save()
        organisation = OrganisationFactory(county=county, number=f"{number}01", name=f"Kommune {label}")
        delegate = ParticipantFactory(congress=congress, county=county, organisation=organisation)
        ParticipantFactory(congress=congress, county=county, organisation=organisation, role="deputy", deputy_rank=1)
        substitution = participant_withdraw(participant=delegate, user=None, reason="Forfall")
        allocation = SeatAllocation.objects.create(key=key, county=county, population=1000, computed_seats=3)
        hold_back = CountyHoldBack.objects.create(congress=congress, county=county, reason="Omvalg")
        records[label] = {
            "office": office,
            County: county,
            Organisation: organisation,
            Participant: delegate,
            Substitution: substitution,
            SeatAllocation: allocation,
            CountyHoldBack: hold_back,
        }
    user = StaffUserFactory(email="viken@ks.no")
    user.groups.add(Group.objects.get(name=REGIONAL_OFFICE_GROUP))
    records["own"]["office"].staff.add(user)
    return {"user": user, "congress": congress, **records}


SCOPED_MODELS = [County, Organisation, Participant, Substitution, SeatAllocation, CountyHoldBack]


def admin_url(model, action, *args):
    return reverse(f"admin:delegates_{model._meta.model_name}_{action}", args=args)


def test_the_selector_gives_the_office_its_counties_only(world):
    assert list(counties_visible_to(world["user"])) == [world["own"][County]]
    assert counties_visible_to(SecretariatUserFactory()).count() == 2
    outsider = StaffUserFactory()
    assert not counties_visible_to(outsider).exists()


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
def test_changelist_lists_only_own_counties(client, world, model):
    client.force_login(world["user"])
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert world["own"][model].pk in shown
    assert world["other"][model].pk not in shown


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
def test_guessed_ids_of_another_office_are_not_found(client, world, model):
    client.force_login(world["user"])
    other = world["other"][model]
    for action in ("change", "delete", "history"):
        response = client.get(admin_url(model, action, other.pk))
        # Django's admin answers an id outside the queryset as "does not exist": back to the admin index.
        assert response.status_code in (302, 403, 404), action
        if response.status_code == 302:
            assert response.url == reverse("admin:index"), action
    model.objects.get(pk=other.pk)  # still there


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
def test_delete_action_with_guessed_ids_touches_nothing_of_another_office(client, world, model):
    client.force_login(world["user"])
    other = world["other"][model]
    client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
    )
    assert model.objects.filter(pk=other.pk).exists()


def test_participant_form_offers_only_own_counties_and_organisations(client, world):
    client.force_login(world["user"])
    response = client.get(admin_url(Participant, "add"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields["county"].queryset) == [world["own"][County]]
    assert list(form.fields["organisation"].queryset) == [world["own"][Organisation]]
    acting_choices = set(form.fields["acting_for"].queryset.values_list("county__number", flat=True))
    assert acting_choices == {"31"}


def test_posting_another_offices_county_is_refused(client, world):
    client.force_login(world["user"])
    before = Participant.objects.count()
    response = client.post(
        admin_url(Participant, "add"),
        {
            "congress": world["congress"].pk,
            "first_name": "Per",
            "last_name": "Gjest",
            "role": "guest",
            "county": world["other"][County].pk,
            "organisation": world["other"][Organisation].pk,
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Participant.objects.count() == before


def test_changing_own_participant_works_and_is_kept_in_history(client, world):
    client.force_login(world["user"])
    delegate = world["own"][Participant]
    response = client.post(
        admin_url(Participant, "change", delegate.pk),
        {
            "congress": world["congress"].pk,
            "first_name": delegate.first_name,
            "last_name": "Endret",
            "email": delegate.email,
            "role": delegate.role,
            "county": delegate.county_id,
            "organisation": delegate.organisation_id,
            "elected_by": delegate.elected_by,
            "status": delegate.status,
            "gender": delegate.gender,
            "party": delegate.party,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    delegate.refresh_from_db()
    assert delegate.last_name == "Endret"
    latest = delegate.history.latest()
    assert latest.history_user == world["user"]
    assert latest.last_name == "Endret"


def test_posting_a_change_to_another_offices_participant_changes_nothing(client, world):
    client.force_login(world["user"])
    other = world["other"][Participant]
    client.post(admin_url(Participant, "change", other.pk), {"first_name": "Hacket", "last_name": "Hacket"})
    other.refresh_from_db()
    assert other.first_name != "Hacket"


def test_secretariat_sees_both_offices(client, world):
    client.force_login(SecretariatUserFactory())
    response = client.get(admin_url(Participant, "changelist"))
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert {world["own"][Participant].pk, world["other"][Participant].pk} <= shown


def test_staff_without_an_office_sees_no_county(client, world):
    user = StaffUserFactory()
    user.groups.add(Group.objects.get(name=REGIONAL_OFFICE_GROUP))
    client.force_login(user)
    response = client.get(admin_url(Participant, "changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 0
