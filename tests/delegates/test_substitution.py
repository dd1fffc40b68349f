import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from delegates.models import Participant, PersonalLink, Substitution
from delegates.services.participants import participant_withdraw
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory, SecretariatUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def delegation():
    congress = CongressFactory()
    county = CountyFactory(number="46", name="Vestland")
    common = {"congress": congress, "county": county, "elected_by": Participant.ElectedBy.COUNTY_MEETING}
    delegates = [ParticipantFactory(role=Participant.Role.DELEGATE, **common) for _ in range(2)]
    deputies = [ParticipantFactory(role=Participant.Role.DEPUTY, deputy_rank=rank, **common) for rank in (1, 2, 3)]
    return delegates, deputies


def test_the_next_deputy_takes_the_seat_and_the_record_says_who_replaced_whom(delegation):
    (delegate, _other), (first, _second, _third) = delegation
    user = SecretariatUserFactory()

    substitution = participant_withdraw(participant=delegate, user=user, reason="Sykdom")

    delegate.refresh_from_db()
    first.refresh_from_db()
    assert delegate.status == Participant.Status.WITHDRAWN
    assert not delegate.has_voting_right
    assert first.acting_for == delegate
    assert first.has_voting_right
    assert substitution.withdrawn == delegate
    assert substitution.replacement == first
    assert substitution.created_by == user
    assert not substitution.replacement_chosen


def test_withdrawing_invites_the_deputy_who_takes_the_seat_whoever_withdraws(
    delegation, django_capture_on_commit_callbacks
):
    """The rule lives in the withdrawal itself: a caller that only withdraws (not the admin, not the portal) still
    gets the deputy a personal link and the letter, once."""
    (delegate, other), (first, second, _third) = delegation
    for person in (delegate, other, first, second):
        Participant.objects.filter(pk=person.pk).update(email=f"p{person.pk}@example.no")

    with django_capture_on_commit_callbacks(execute=True):
        participant_withdraw(participant=delegate, user=None, reason="Sykdom")

    assert [m.to for m in mail.outbox] == [[f"p{first.pk}@example.no"]]
    assert PersonalLink.objects.filter(participant=first, mailed_at__isnull=False).count() == 1
    assert not PersonalLink.objects.filter(participant__in=[delegate, other, second]).exists()


def test_withdrawing_without_a_seat_to_fill_invites_nobody(delegation, django_capture_on_commit_callbacks):
    (_delegate, _other), (_first, _second, third) = delegation

    with django_capture_on_commit_callbacks(execute=True):
        participant_withdraw(participant=third, user=None)

    assert mail.outbox == []
    assert not PersonalLink.objects.exists()


def test_staff_may_pick_another_deputy_but_must_say_why(delegation):
    (delegate, _other), (_first, _second, third) = delegation

    with pytest.raises(ValidationError) as error:
        participant_withdraw(participant=delegate, user=None, replacement=third)
    assert "reason" in error.value.message_dict
    delegate.refresh_from_db()
    assert delegate.status == Participant.Status.ACTIVE
    assert not Substitution.objects.exists()

    substitution = participant_withdraw(
        participant=delegate, user=None, replacement=third, reason="Nr. 1 og 2 kan ikke møte"
    )
    third.refresh_from_db()
    assert third.acting_for == delegate
    assert substitution.replacement_chosen


def test_a_deputy_from_another_delegation_is_refused(delegation):
    (delegate, _other), _deputies = delegation
    stranger = ParticipantFactory(
        congress=delegate.congress,
        role=Participant.Role.DEPUTY,
        deputy_rank=1,
        elected_by=Participant.ElectedBy.COUNTY_COUNCIL,
        county=delegate.county,
    )
    with pytest.raises(ValidationError) as error:
        participant_withdraw(participant=delegate, user=None, replacement=stranger, reason="x")
    assert "replacement" in error.value.message_dict


def test_when_the_deputies_are_used_up_the_seat_stays_empty_and_is_recorded(delegation):
    (first_delegate, second_delegate), deputies = delegation
    participant_withdraw(participant=first_delegate, user=None)
    participant_withdraw(participant=second_delegate, user=None)
    acting = Participant.objects.filter(acting_for__isnull=False).order_by("deputy_rank")
    assert [p.deputy_rank for p in acting] == [1, 2]

    # The acting deputy for the first delegate withdraws too: the last deputy takes that seat.
    first_acting = acting[0]
    substitution = participant_withdraw(participant=first_acting, user=None)
    assert substitution.replacement == deputies[2]
    deputies[2].refresh_from_db()
    assert deputies[2].acting_for == first_delegate

    # And now nobody is left.
    substitution = participant_withdraw(participant=deputies[2], user=None)
    assert substitution.replacement is None
    assert Participant.objects.filter(acting_for=first_delegate).count() == 0
    voting = [p for p in Participant.objects.all() if p.has_voting_right]
    assert len(voting) == 1


def test_withdrawing_twice_is_refused(delegation):
    (delegate, _other), _deputies = delegation
    participant_withdraw(participant=delegate, user=None)
    with pytest.raises(ValidationError):
        participant_withdraw(participant=delegate, user=None)
    assert Substitution.objects.count() == 1


def test_a_person_appears_once_per_congress(delegation):
    (delegate, _other), _deputies = delegation
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipantFactory(congress=delegate.congress, email=delegate.email, role=Participant.Role.GUEST)
    ParticipantFactory(congress=CongressFactory(), email=delegate.email, role=Participant.Role.GUEST)


# --- Through the admin ----------------------------------------------------------------------------------------


def withdraw_url(participant):
    return reverse("delegates_staff:participant_withdraw", args=[participant.pk])


def test_admin_withdraw_page_names_the_next_deputy_and_records_the_substitution(client, delegation):
    (delegate, _other), (first, _second, _third) = delegation
    client.force_login(SecretariatUserFactory())

    page = client.get(withdraw_url(delegate))
    assert page.status_code == 200
    assert first.full_name in page.content.decode()

    response = client.post(withdraw_url(delegate), {"replacement": "", "reason": "Forfall"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.acting_for == delegate


def test_admin_withdraw_with_another_deputy_and_no_reason_shows_the_error(client, delegation):
    (delegate, _other), (_first, second, _third) = delegation
    client.force_login(SecretariatUserFactory())

    response = client.post(withdraw_url(delegate), {"replacement": second.pk, "reason": ""})

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    delegate.refresh_from_db()
    assert delegate.status == Participant.Status.ACTIVE


def test_a_samfunnsbedriftene_delegate_without_county_is_replaced_by_its_deputy():
    congress = CongressFactory()
    common = {"congress": congress, "county": None, "elected_by": Participant.ElectedBy.SAMFUNNSBEDRIFTENE}
    delegate = ParticipantFactory(role=Participant.Role.SAMFUNNSBEDRIFTENE_DELEGATE, **common)
    deputy = ParticipantFactory(role=Participant.Role.DEPUTY, deputy_rank=1, **common)

    substitution = participant_withdraw(participant=delegate, user=None)

    assert substitution.replacement == deputy


# --- Said before it happens: who is mailed (issue 14) -----------------------------------------------------------


def _mail_notice(page) -> str:
    html = page.content.decode()
    start = html.index('id="withdraw-mail"')
    return " ".join(html[start : html.index("</ul>", start)].split())


def test_the_withdraw_page_warns_that_the_next_deputy_is_mailed_before_it_happens(client, delegation):
    (delegate, _other), (first, _second, _third) = delegation
    delegate.congress.registration_deadline = datetime.date.today() + datetime.timedelta(days=10)
    delegate.congress.first_day = delegate.congress.last_day = datetime.date.today() + datetime.timedelta(days=20)
    delegate.congress.save()
    client.force_login(SecretariatUserFactory())

    notice = _mail_notice(client.get(withdraw_url(delegate), HTTP_ACCEPT_LANGUAGE="en"))

    assert f"{first.full_name} is sent an e-mail at once, to {first.email}" in notice
    assert "that deputy is mailed instead" in notice
    assert not mail.outbox


def test_the_withdraw_page_says_when_the_deputy_cannot_be_mailed(client, delegation):
    (delegate, _other), (first, _second, _third) = delegation
    Participant.objects.filter(pk=first.pk).update(email="")
    client.force_login(SecretariatUserFactory())

    notice = _mail_notice(client.get(withdraw_url(delegate), HTTP_ACCEPT_LANGUAGE="en"))

    assert "No mail is sent" in notice
    assert "e-mail at once" not in notice


def test_the_withdraw_page_says_nobody_is_mailed_when_no_seat_is_filled(client, delegation):
    _delegates, (_first, _second, third) = delegation
    client.force_login(SecretariatUserFactory())

    notice = _mail_notice(client.get(withdraw_url(third), HTTP_ACCEPT_LANGUAGE="en"))

    assert "Nobody is sent mail" in notice
