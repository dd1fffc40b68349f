"""A send interrupted by a dying worker (left in "sending") is resolved automatically (issue 13, item 4), and the
Celery settings that bring an unacknowledged task back within minutes and let mail go ahead of rendering."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from core import services, tasks
from core.models import OutboxMail
from ks_landsting.celery import app as celery_app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:core_outboxmail_changelist"


def sending_row(*, started_ago: datetime.timedelta, **fields) -> OutboxMail:
    """A row a worker left in SENDING ``started_ago`` (it died during or after the SMTP conversation)."""
    values = {
        "to": "ola@example.no",
        "subject": "Saksliste",
        "body_text": "Tekst",
        "purpose": "agenda",
        "status": OutboxMail.Status.SENDING,
        "attempts": 1,
        "sending_started_at": timezone.now() - started_ago,
    }
    values.update(fields)
    return OutboxMail.objects.create(**values)


@pytest.fixture
def renewers(monkeypatch):
    """The registry of renewers, emptied for one test (the delegates app's are registered at start-up)."""
    registry: dict = {}
    monkeypatch.setattr(services, "_renewers", registry)
    return registry


def test_beat_sends_an_interrupted_mail_again_and_flags_it(django_capture_on_commit_callbacks):
    stale = sending_row(started_ago=datetime.timedelta(minutes=6))

    with django_capture_on_commit_callbacks(execute=True):
        resolved = tasks.retry_due_outbox_mail()

    assert resolved == 1
    stale.refresh_from_db()
    assert stale.status == OutboxMail.Status.SENT
    assert stale.outcome_unknown_at is not None  # the recipient may have it twice
    assert stale.attempts == 2
    assert [message.subject for message in django_mail.outbox] == ["Saksliste"]


def test_a_send_still_within_the_timeout_is_left_alone(django_capture_on_commit_callbacks):
    sending = sending_row(started_ago=datetime.timedelta(seconds=30))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.outbox_resolve_interrupted() == 0

    sending.refresh_from_db()
    assert sending.status == OutboxMail.Status.SENDING
    assert sending.outcome_unknown_at is None
    assert django_mail.outbox == []


def test_the_timeout_is_a_setting(settings, django_capture_on_commit_callbacks):
    settings.KS_OUTBOX_SENDING_TIMEOUT = 5
    stale = sending_row(started_ago=datetime.timedelta(seconds=10))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.outbox_resolve_interrupted() == 1

    stale.refresh_from_db()
    assert stale.status == OutboxMail.Status.SENT


def test_an_interrupted_mail_at_its_last_attempt_fails(settings, django_capture_on_commit_callbacks):
    settings.KS_OUTBOX_MAX_ATTEMPTS = 2
    stale = sending_row(started_ago=datetime.timedelta(minutes=6), attempts=2)

    with django_capture_on_commit_callbacks(execute=True):
        services.outbox_resolve_interrupted()

    stale.refresh_from_db()
    assert stale.status == OutboxMail.Status.FAILED
    assert stale.outcome_unknown_at is not None
    assert "interrupted" in stale.last_error
    assert django_mail.outbox == []


def test_a_mail_with_a_personal_link_is_replaced_through_its_renewer(renewers, django_capture_on_commit_callbacks):
    stale = sending_row(
        started_ago=datetime.timedelta(minutes=6), purpose="invitation", contains_secret=True, body_text="lenke"
    )
    calls = []

    def renew(mail: OutboxMail) -> OutboxMail:
        calls.append(mail.pk)
        return services.outbox_queue(
            to=mail.to, subject="Ny lenke", body_text="ny lenke", purpose=mail.purpose, contains_secret=True
        )

    services.outbox_renewer_register(purposes=["invitation"], renew=renew)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.outbox_resolve_interrupted() == 1
        assert services.outbox_resolve_interrupted() == 0  # a second sweep finds nothing left to do

    stale.refresh_from_db()
    assert calls == [stale.pk]
    assert stale.status == OutboxMail.Status.REPLACED
    assert stale.outcome_unknown_at is not None
    assert stale.body_text == "" and stale.body_purged_at is not None  # its link is not kept
    assert stale.replaced_by.status == OutboxMail.Status.SENT
    assert [message.subject for message in django_mail.outbox] == ["Ny lenke"]


def test_a_renewer_that_declines_fails_the_mail(renewers, django_capture_on_commit_callbacks):
    stale = sending_row(started_ago=datetime.timedelta(minutes=6), purpose="invitation", contains_secret=True)
    services.outbox_renewer_register(purposes=["invitation"], renew=lambda mail: None)

    with django_capture_on_commit_callbacks(execute=True):
        services.outbox_resolve_interrupted()

    stale.refresh_from_db()
    assert stale.status == OutboxMail.Status.FAILED
    assert stale.body_purged_at is not None
    assert django_mail.outbox == []


def test_a_renewer_that_breaks_leaves_the_row_for_the_next_sweep(renewers, django_capture_on_commit_callbacks):
    stale = sending_row(started_ago=datetime.timedelta(minutes=6), purpose="invitation", contains_secret=True)
    other = sending_row(started_ago=datetime.timedelta(minutes=6))

    def renew(mail):
        raise RuntimeError("boom")

    services.outbox_renewer_register(purposes=["invitation"], renew=renew)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.outbox_resolve_interrupted() == 1

    stale.refresh_from_db()
    other.refresh_from_db()
    assert stale.status == OutboxMail.Status.SENDING and stale.outcome_unknown_at is None
    assert other.status == OutboxMail.Status.SENT


def test_a_mail_with_a_link_but_no_renewer_is_sent_again_as_it_is(renewers, django_capture_on_commit_callbacks):
    stale = sending_row(started_ago=datetime.timedelta(minutes=6), purpose="other", contains_secret=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.outbox_resolve_interrupted()

    stale.refresh_from_db()
    assert stale.status == OutboxMail.Status.SENT
    assert stale.body_purged_at is not None  # sent: a mail with a link forgets its body as usual


def test_the_delegates_app_registers_its_link_mails():
    for purpose in ("invitation", "reminder", "lost_link", "confirmation"):
        assert services.outbox_renewer(purpose) is not None


def test_admin_flags_the_recipients_who_may_have_two_mails(client, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    flagged = sending_row(
        started_ago=datetime.timedelta(minutes=6),
        to="kari@example.no",
        status=OutboxMail.Status.SENT,
        outcome_unknown_at=timezone.now(),
    )
    sending_row(started_ago=datetime.timedelta(minutes=6), to="ola@example.no", status=OutboxMail.Status.SENT)

    response = client.get(reverse(CHANGELIST), {"interrupted": "yes"})

    assert response.status_code == 200
    text = response.text
    assert "kari@example.no" in text and "ola@example.no" not in text
    assert "May have arrived twice" in text
    change = client.get(reverse("admin:core_outboxmail_change", args=[flagged.pk]))
    assert "Sending interrupted" in change.text


# --- Celery: an unacknowledged task returns within minutes; mail goes first -----------------------------------


def test_an_unacknowledged_task_returns_within_minutes():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True  # a pool process killed mid-task: its task is requeued at once
    timeout = conf.broker_transport_options["visibility_timeout"]
    assert 60 <= timeout <= 600  # Redis's default is an hour
    # The broker looks for abandoned tasks often enough that the timeout is what counts.
    options = conf.broker_transport_options
    assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] <= timeout / 10
    # The outbox's own retries never wait in a worker longer than the broker would keep them hidden.
    assert django_settings.KS_OUTBOX_SENDING_TIMEOUT <= 600


def test_a_long_back_off_is_left_to_beat(settings, monkeypatch):
    """A countdown longer than the visibility timeout would be handed out again and again while it waits."""
    settings.KS_CELERY_VISIBILITY_TIMEOUT = 100
    mail = sending_row(started_ago=datetime.timedelta(0), status=OutboxMail.Status.QUEUED, attempts=0)
    scheduled = []
    monkeypatch.setattr(tasks.send_outbox_mail, "apply_async", lambda **kwargs: scheduled.append(kwargs))
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)  # as a worker calls it
    back_off = datetime.timedelta(seconds=40)

    def fails_temporarily(*, mail_id):
        row = OutboxMail.objects.get(pk=mail_id)
        row.status, row.next_attempt_at, row.attempted = OutboxMail.Status.RETRY, timezone.now() + back_off, True
        return row

    monkeypatch.setattr(services, "outbox_send", fails_temporarily)
    tasks.send_outbox_mail(mail.pk)
    back_off = datetime.timedelta(seconds=240)
    tasks.send_outbox_mail(mail.pk)

    assert [round(call["countdown"]) for call in scheduled] == [40]  # 240 s: beat's sweep sends it


def test_mail_is_taken_before_other_work():
    """On the Redis broker priority 0 is taken first: the mail task has it, every other task the default (see
    tests/core/test_fault_worker.py for the order on a real broker)."""
    assert tasks.send_outbox_mail.priority == 0
    assert celery_app.conf.task_default_priority >= 3  # a step of the broker's priorities after 0
    assert tasks.ping.priority == celery_app.conf.task_default_priority


class _SendThatStalls:
    """A mail connection whose send runs ``meanwhile`` (beat resolving the row) before it delivers or fails."""

    def __init__(self, meanwhile, *, fails: bool = False):
        self.meanwhile, self.fails = meanwhile, fails

    def send_messages(self, messages):
        self.meanwhile()
        if self.fails:
            import smtplib

            raise smtplib.SMTPServerDisconnected("the server went away")
        return len(messages)


@pytest.mark.parametrize("fails", [False, True])
def test_a_stalled_send_that_finishes_late_does_not_undo_beat_resolving_it(fails):
    mail = OutboxMail.objects.create(to="ola@example.no", subject="Innkalling", body_text="Lenke", purpose="agenda")

    def beat_replaces_it():
        OutboxMail.objects.filter(pk=mail.pk).update(
            status=OutboxMail.Status.REPLACED,
            outcome_unknown_at=timezone.now(),
            body_text="",
            body_purged_at=timezone.now(),
        )

    services.outbox_send(mail_id=mail.pk, connection=_SendThatStalls(beat_replaces_it, fails=fails))

    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.REPLACED
    assert services.outbox_retry_due() == 0


def test_a_mail_whose_body_is_gone_is_not_queued_again_by_beat():
    OutboxMail.objects.create(
        to="ola@example.no",
        subject="Innkalling",
        purpose="agenda",
        status=OutboxMail.Status.RETRY,
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=1),
        body_purged_at=timezone.now(),
    )

    assert services.outbox_retry_due() == 0
