"""Staff of one regional office never see or change another office's records, by any admin route."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from core.groups import REGIONAL_OFFICE_GROUP
from delegates.models import County, CountyHoldBack, Organisation, Participant, SeatAllocation, Substitution
from delegates.selectors import counties_visible_to
from delegates.services.participants import participant_withdraw
from tests.factories import (
    CongressFactory,
    CountyFactory,
    DelegateKeyFactory,
    OrganisationFactory,
    ParticipantFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    StaffUserFactory,
    regional_staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two offices with a county each, and one record of every scoped kind in both counties."""
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
    user = regional_staff_user(records["own"]["office"], email="viken@ks.no")
    return {"user": user, "congress": congress, **records}


# The participant form carries the (read-only) registration and link inlines' management forms.
INLINES = {
    f"{prefix}-{field}": "0" for prefix in ("registration", "links") for field in ("TOTAL_FORMS", "INITIAL_FORMS")
}

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


def test_delete_action_with_guessed_ids_deletes_only_own_participants(client, world):
    congress, own_county, other_county = world["congress"], world["own"][County], world["other"][County]
    own = ParticipantFactory(congress=congress, county=own_county, role="guest", elected_by="")
    other = ParticipantFactory(congress=congress, county=other_county, role="guest", elected_by="")
    client.force_login(world["user"])

    client.post(
        admin_url(Participant, "changelist"),
        {"action": "delete_selected", "_selected_action": [own.pk, other.pk], "post": "yes"},
    )

    assert not Participant.objects.filter(pk=own.pk).exists()  # the action works for the office's own rows
    assert Participant.objects.filter(pk=other.pk).exists()


def test_delete_view_of_another_offices_participant_deletes_nothing(client, world):
    other = ParticipantFactory(congress=world["congress"], county=world["other"][County], role="guest", elected_by="")
    client.force_login(world["user"])
    response = client.post(admin_url(Participant, "delete", other.pk), {"post": "yes"})
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert Participant.objects.filter(pk=other.pk).exists()


def test_participant_form_offers_only_own_counties_and_organisations(client, world):
    client.force_login(world["user"])
    response = client.get(admin_url(Participant, "add"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields["county"].queryset) == [world["own"][County]]
    assert list(form.fields["organisation"].queryset) == [world["own"][Organisation]]
    assert "acting_for" not in form.fields  # seats change hands only through the withdrawal page


def test_posting_another_offices_county_is_refused(client, world):
    client.force_login(world["user"])
    before = Participant.objects.count()
    response = client.post(
        admin_url(Participant, "add"),
        {
            **INLINES,
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
            **INLINES,
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


def test_posting_a_complete_change_to_another_offices_participant_changes_nothing(client, world):
    client.force_login(world["user"])
    other = world["other"][Participant]
    response = client.post(
        admin_url(Participant, "change", other.pk),
        {
            **INLINES,
            "congress": world["congress"].pk,
            "first_name": "Hacket",
            "last_name": other.last_name,
            "email": other.email,
            "role": other.role,
            "county": world["own"][County].pk,
            "organisation": world["own"][Organisation].pk,
            "elected_by": other.elected_by,
            "gender": other.gender,
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    other.refresh_from_db()
    assert other.first_name != "Hacket"
    assert other.county == world["other"][County]


def test_history_of_a_participant_moved_away_cannot_be_read_or_reverted(client, world, settings):
    participant = ParticipantFactory(
        congress=world["congress"], county=world["own"][County], role="guest", elected_by="", first_name="Flyttet"
    )
    participant.county = world["other"][County]
    participant.save()
    old_version = participant.history.earliest()
    client.force_login(world["user"])

    url = reverse("admin:delegates_participant_simple_history", args=[participant.pk, old_version.history_id])
    assert client.get(url).status_code == 302
    client.post(url, {"first_name": "Tilbake", "county": world["own"][County].pk})
    participant.refresh_from_db()
    assert participant.county == world["other"][County]
    assert participant.first_name == "Flyttet"


def test_regional_staff_cannot_open_the_allocation_table_or_the_offices(client, world):
    key = world["own"][SeatAllocation].key
    client.force_login(world["user"])
    assert client.get(reverse("delegates_staff:seat_allocation", args=[key.pk])).status_code == 403
    assert client.get(reverse("delegates_staff:seat_allocation_csv", args=[key.pk])).status_code == 403
    assert client.get(reverse("admin:delegates_regionaloffice_changelist")).status_code == 403


def test_withdrawal_page_of_another_offices_participant_is_not_found(client, world):
    other = ParticipantFactory(congress=world["congress"], county=world["other"][County], role="delegate")
    client.force_login(world["user"])
    response = client.post(reverse("delegates_staff:participant_withdraw", args=[other.pk]), {"reason": "x"})
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    other.refresh_from_db()
    assert other.status == Participant.Status.ACTIVE


def test_regional_staff_must_give_a_county(client, world):
    client.force_login(world["user"])
    before = Participant.objects.count()
    response = client.post(
        admin_url(Participant, "add"),
        {**INLINES, "congress": world["congress"].pk, "first_name": "Uten", "last_name": "Fylke", "role": "guest"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["county"]
    assert Participant.objects.count() == before


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


def test_secretariat_holds_a_county_back_with_a_reason(client, world):
    secretariat = SecretariatUserFactory()
    client.force_login(secretariat)
    county = CountyFactory(number="56", name="Finnmark")
    url = admin_url(CountyHoldBack, "add")

    response = client.post(url, {"congress": world["congress"].pk, "county": county.pk, "reason": "  "})
    assert response.status_code == 200
    assert not CountyHoldBack.objects.filter(county=county).exists()

    response = client.post(url, {"congress": world["congress"].pk, "county": county.pk, "reason": "Omvalg"})
    assert response.status_code == 302
    hold_back = CountyHoldBack.objects.get(county=county)
    assert hold_back.created_by == secretariat
    assert hold_back.reason == "Omvalg"
