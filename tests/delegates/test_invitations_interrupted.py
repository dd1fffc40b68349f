"""An invitation (or another mail with a personal link) whose send was interrupted by a dying worker is sent again
with a fresh link and, for an invitation, a fresh letter (issue 13, item 4)."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from core.models import OutboxMail
from core.services import outbox_resolve_interrupted
from delegates.models import MailText, Participant, PersonalLink
from delegates.services.invitations import invitations_send
from delegates.services.links import personal_link_mail, personal_link_resolve
from tests.factories import CongressFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/p/([A-Za-z0-9_-]{43})/")


@pytest.fixture
def delegate(county):
    congress = CongressFactory(
        registration_deadline=datetime.date(2030, 1, 15),
        first_day=datetime.date(2030, 2, 12),
        last_day=datetime.date(2030, 2, 13),
    )
    return ParticipantFactory(congress=congress, county=county, first_name="Åse", email="ase@example.no")


def interrupt(row: OutboxMail) -> None:
    """As a worker that died in the SMTP conversation leaves the row."""
    OutboxMail.objects.filter(pk=row.pk).update(
        status=OutboxMail.Status.SENDING, attempts=1, sending_started_at=timezone.now() - datetime.timedelta(hours=1)
    )


def test_an_interrupted_invitation_is_sent_again_with_a_fresh_link_and_letter(delegate, committed):
    invitations_send(participants=[delegate], user=None)  # queued, not sent: the commit never came
    old = OutboxMail.objects.get(purpose="invitation")
    old_token = LINK.search(old.body_text).group(1)
    interrupt(old)

    with committed():
        assert outbox_resolve_interrupted() == 1

    old.refresh_from_db()
    assert old.status == OutboxMail.Status.REPLACED
    assert old.outcome_unknown_at is not None
    assert old.body_text == ""
    new = old.replaced_by
    assert new.status == OutboxMail.Status.SENT
    assert new.related_participant_id == delegate.pk
    (message,) = mail.outbox
    assert message.to == ["ase@example.no"]
    token = LINK.search(message.body).group(1)
    assert token != old_token
    assert personal_link_resolve(token=token).participant == delegate
    # The first link keeps working: the interrupted mail may have arrived.
    assert personal_link_resolve(token=old_token).participant == delegate
    (_name, content, mimetype) = message.attachments[0]
    assert mimetype == "application/pdf"
    assert token in PdfReader(io.BytesIO(content)).pages[0].extract_text().replace("\n", "")
    assert PersonalLink.objects.filter(participant=delegate, mailed_at__isnull=False).count() == 2


@pytest.mark.parametrize("kind", [MailText.Kind.REMINDER, MailText.Kind.LOST_LINK])
def test_an_interrupted_link_mail_is_sent_again_with_a_fresh_link(delegate, committed, kind):
    personal_link_mail(participant=delegate, kind=kind, dedupe_key=f"{kind}:test")
    old = OutboxMail.objects.get(dedupe_key=f"{kind}:test")
    interrupt(old)

    with committed():
        outbox_resolve_interrupted()

    old.refresh_from_db()
    assert old.status == OutboxMail.Status.REPLACED
    assert old.replaced_by.purpose == kind
    (message,) = mail.outbox
    assert personal_link_resolve(token=LINK.search(message.body).group(1)).participant == delegate


def test_a_withdrawn_participant_gets_no_new_link(delegate, committed):
    invitations_send(participants=[delegate], user=None)
    old = OutboxMail.objects.get(purpose="invitation")
    interrupt(old)
    Participant.objects.filter(pk=delegate.pk).update(status=Participant.Status.WITHDRAWN)

    with committed():
        outbox_resolve_interrupted()

    old.refresh_from_db()
    assert old.status == OutboxMail.Status.FAILED
    assert old.outcome_unknown_at is not None
    assert mail.outbox == []
    assert PersonalLink.objects.filter(participant=delegate).count() == 1


def test_renewing_twice_queues_one_mail(delegate, committed):
    from delegates.services.invitations import link_mail_renew

    invitations_send(participants=[delegate], user=None)
    old = OutboxMail.objects.get(purpose="invitation")

    first = link_mail_renew(old)
    second = link_mail_renew(old)

    assert first == second
    assert OutboxMail.objects.filter(purpose="invitation").count() == 2
