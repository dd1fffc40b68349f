"""Invitations and links under retries, overlaps and prying eyes."""

import datetime
import hashlib
import logging
import re

import pytest
from django.core import mail
from django.urls import reverse

from core.models import OutboxMail
from delegates.models import CountyHoldBack, Participant, PersonalLink
from delegates.services.invitations import invitations_send
from delegates.services.links import personal_link_issue, personal_link_resolve, personal_link_send_lost
from delegates.tasks import send_invitations
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory, SecretariatUserFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/p/([A-Za-z0-9_-]{43})/")


@pytest.fixture
def congress():
    return CongressFactory(
        registration_deadline=datetime.date(2030, 1, 15),
        first_day=datetime.date(2030, 2, 12),
        last_day=datetime.date(2030, 2, 13),
    )


def test_an_invitation_task_that_runs_twice_sends_once_and_the_link_keeps_working(congress, committed):
    delegate = ParticipantFactory(congress=congress)
    with committed():
        send_invitations([delegate.pk], None, "request-1")
    with committed():
        send_invitations([delegate.pk], None, "request-1")

    (message,) = mail.outbox
    token = LINK.search(message.body).group(1)
    assert personal_link_resolve(token=token).participant == delegate
    assert PersonalLink.objects.filter(participant=delegate).count() == 1


def test_links_are_stored_as_their_sha256_and_each_is_different(congress):
    participant = ParticipantFactory(congress=congress)
    first, first_token = personal_link_issue(participant=participant)
    second, second_token = personal_link_issue(participant=participant)
    assert first.token_hash == hashlib.sha256(first_token.encode()).hexdigest()
    assert first_token != second_token
    assert first.token_hash != second.token_hash


def test_a_mail_with_a_personal_link_keeps_no_copy_of_it_once_sent(congress, committed, client):
    delegate = ParticipantFactory(congress=congress)
    with committed():
        invitations_send(participants=[delegate], user=None)
    token = LINK.search(mail.outbox[0].body).group(1)

    row = OutboxMail.objects.get(related_participant_id=delegate.pk)
    assert row.status == OutboxMail.Status.SENT
    assert row.contains_secret
    assert token not in row.body_text
    assert not row.attachments.exists()
    client.force_login(SecretariatUserFactory())
    page = client.get(reverse("admin:core_outboxmail_change", args=[row.pk])).content.decode()
    assert token not in page


def test_lost_link_goes_only_to_those_who_may_be_invited(congress, committed):
    held_county = CountyFactory(number="31", name="Østfold")
    CountyHoldBack.objects.create(congress=congress, county=held_county, reason="Omvalg")
    held = ParticipantFactory(congress=congress, county=held_county, email="held@example.no")
    deputy = ParticipantFactory(congress=congress, role="deputy", deputy_rank=1, email="deputy@example.no")
    never_invited = ParticipantFactory(congress=congress, email="new@example.no")
    invited = ParticipantFactory(congress=congress, email="invited@example.no")
    for participant in (held, deputy, invited):
        link, _token = personal_link_issue(participant=participant)
        PersonalLink.objects.filter(pk=link.pk).update(mailed_at=link.created_at)

    with committed():
        sent = [personal_link_send_lost(email=p.email) for p in (held, deputy, never_invited, invited)]

    assert sent == [0, 0, 0, 1]
    assert [m.to for m in mail.outbox] == [["invited@example.no"]]


def test_personal_links_never_reach_the_log(congress, client):
    _link, token = personal_link_issue(participant=ParticipantFactory(congress=congress))
    records: list[logging.LogRecord] = []
    collector = logging.Handler()
    collector.emit = records.append
    logger = logging.getLogger("django.request")
    logger.addHandler(collector)
    try:
        response = client.post(reverse("portal:home", args=[token]), {"arrival": "not a date"})
    finally:
        logger.removeHandler(collector)

    assert response.status_code == 400
    assert records, "the bad request is logged"
    assert all(token not in record.getMessage() for record in records)
    assert any("/p/…" in record.getMessage() for record in records)


def test_health_lists_need_the_registration_permission(client, congress):
    from django.contrib.auth.models import Permission

    user = StaffUserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_participant"))
    client.force_login(user)
    assert client.get(reverse("delegates_staff:registration_status")).status_code == 200
    assert client.get(reverse("delegates_staff:registration_catering")).status_code == 403
    assert client.get(reverse("delegates_staff:registration_accessibility")).status_code == 403


def test_staff_withdrawal_invites_the_deputy_who_takes_the_seat(client, congress, committed):
    county = CountyFactory(number="46", name="Vestland")
    common = {"congress": congress, "county": county, "elected_by": Participant.ElectedBy.COUNTY_MEETING}
    delegate = ParticipantFactory(role="delegate", **common)
    deputy = ParticipantFactory(role="deputy", deputy_rank=1, **common)
    client.force_login(SecretariatUserFactory())

    with committed():
        response = client.post(reverse("delegates_staff:participant_withdraw", args=[delegate.pk]), {"reason": "Syk"})

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[deputy.email]]
