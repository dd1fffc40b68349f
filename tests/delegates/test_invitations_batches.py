"""Sending overlaps rendering (issue 13, item 10): invitations go to the workers in small batches, and each batch's
mails are handed over as one task as soon as the batch is stored."""

import datetime

import pytest
from django.core import mail

from core import tasks
from delegates.services import invitations
from delegates.services.invitations import invitations_send
from tests.factories import CongressFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def delegates(county):
    congress = CongressFactory(
        registration_deadline=datetime.date(2030, 1, 15),
        first_day=datetime.date(2030, 2, 12),
        last_day=datetime.date(2030, 2, 13),
    )
    return ParticipantFactory.create_batch(5, congress=congress, county=county)


def test_each_stored_batch_hands_its_mails_over_at_once_as_one_task(delegates, committed, monkeypatch):
    handed = []
    monkeypatch.setattr(tasks.send_outbox_mails, "delay", lambda mail_ids: handed.append(list(mail_ids)))

    with committed() as callbacks:
        invitations_send(participants=delegates, user=None, batch_size=2)

    # Three batches, three commits: each batch's mails are handed over when it is stored, not after the last one.
    assert len(callbacks) == 3
    assert [len(ids) for ids in handed] == [2, 2, 1]
    assert mail.outbox == []  # sending is the workers' job (stubbed here)


def test_a_batch_of_invitations_arrives(delegates, committed):
    with committed():
        invitations_send(participants=delegates, user=None)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in delegates)


def test_a_worker_is_free_again_for_mail_within_seconds():
    """A letter costs about 80 to 100 ms of CPU: a batch of 20 keeps a worker process busy for about two seconds, after
    which the mail (priority 0) goes first. Batches of 100 held every mail back until all letters were rendered."""
    assert invitations.INVITATION_BATCH_SIZE <= 20


def test_a_rerun_hands_over_the_mails_a_dead_run_stored_but_never_handed_over(
    delegates, committed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the worker died before the commit's hand-over ran
        invitations_send(participants=delegates, user=None, request_id="one-click", batch_size=2)
    assert mail.outbox == []

    with committed():
        invitations_send(participants=delegates, user=None, request_id="one-click", batch_size=2)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in delegates)
