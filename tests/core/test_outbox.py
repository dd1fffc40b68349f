"""The mail outbox over real SMTP: an aiosmtpd server on 127.0.0.1 receives what the outbox sends."""

import datetime
import email
import email.policy
import os
import smtplib
import socket
import time
import uuid
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from celery import current_app
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from core import services, tasks
from core.models import OutboxAttachment, OutboxMail
from tests.factories import StaffUserFactory, UserFactory

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + bytes(range(256))


class RecordingHandler:
    """Records accepted messages; replies queued in ``data_replies``/``rcpt_replies`` simulate server errors."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.data_replies: list[str] = []
        self.rcpt_replies: dict[str, str] = {}
        self.peers: list = []  # the client's (address, port) of each accepted message: one per connection

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_replies:
            return self.data_replies.pop(0)
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        self.peers.append(session.peer)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(port: int) -> tuple[Controller, RecordingHandler]:
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    return controller, handler


@pytest.fixture
def english_admin(settings):
    """Admin pages answer in the site's default language (bokmål); these tests read the English texts."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def smtp(settings):
    controller, handler = _start_server(_free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    yield handler
    controller.stop()


def queue(**overrides) -> OutboxMail:
    values = {
        "to": "kari.nordmann@example.no",
        "subject": "Invitasjon til Landstinget 2024",
        "body_text": "Hei Kari,\n\nDu er invitert.",
        "purpose": "invitation",
    }
    values.update(overrides)
    return services.outbox_queue(**values)


def make_row(**fields) -> OutboxMail:
    """A row written directly, without queueing a task."""
    values = {"to": "ola@example.no", "subject": "Hei", "body_text": "Tekst", "purpose": "invitation"}
    values.update(fields)
    return OutboxMail.objects.create(**values)


pytestmark = pytest.mark.django_db


# --- Delivery over SMTP ---------------------------------------------------------------------------------------


def test_queued_mail_with_pdf_arrives_over_smtp_after_commit(smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        mail = queue(
            body_html="<p>Hei Kari,</p><p>Du er <strong>invitert</strong>.</p>",
            attachments=[("invitasjon.pdf", PDF, "application/pdf")],
            reply_to="ks.viken@example.no",
            related_participant_id=42,
        )
        assert smtp.messages == []  # nothing before the commit

    assert len(callbacks) == 1
    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.SENT
    assert mail.sent_at is not None
    assert mail.attempts == 1
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "kari.nordmann@example.no"
    assert message["Reply-To"] == "ks.viken@example.no"
    assert message["Subject"] == "Invitasjon til Landstinget 2024"
    assert "landstinget@ks.no" in message["From"]
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == "Hei Kari,\n\nDu er invitert."
    assert "<strong>invitert</strong>" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "invitasjon.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def test_nothing_is_sent_when_the_transaction_rolls_back(smtp, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue(attachments=[("a.pdf", PDF, "application/pdf")])
        raise RuntimeError("the registration failed")

    assert callbacks == []
    assert not OutboxMail.objects.exists()
    assert not OutboxAttachment.objects.exists()
    assert smtp.messages == []


def test_a_batch_is_sent_by_one_task_over_one_connection(smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        with services.outbox_batch():
            mails = [queue(to=f"deltaker{n}@example.no", subject=f"Invitasjon {n}") for n in range(3)]
        single = queue(subject="Alene")

    assert len(callbacks) == 2  # one task for the batch, one for the mail queued after it
    assert [m["Subject"] for m in smtp.messages] == ["Invitasjon 0", "Invitasjon 1", "Invitasjon 2", "Alene"]
    assert len(set(smtp.peers[:3])) == 1  # the batch shared one SMTP connection
    assert smtp.peers[3] != smtp.peers[0]
    for mail in [*mails, single]:
        mail.refresh_from_db()
        assert mail.status == OutboxMail.Status.SENT


def test_a_batch_is_not_queued_when_the_transaction_rolls_back(smtp, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
        services.outbox_batch(),
    ):
        queue()
        raise RuntimeError("the batch failed")

    assert callbacks == []
    assert not OutboxMail.objects.exists()


def test_a_failure_in_a_batch_leaves_the_others_sent(smtp):
    smtp.data_replies.append("451 Try again later")
    first, second, third = (make_row(subject=f"Mail {n}") for n in range(3))

    tasks.send_outbox_mails([first.pk, second.pk, third.pk])

    statuses = [OutboxMail.objects.get(pk=mail.pk).status for mail in (first, second, third)]
    assert statuses == [OutboxMail.Status.RETRY, OutboxMail.Status.SENT, OutboxMail.Status.SENT]
    assert [m["Subject"] for m in smtp.messages] == ["Mail 1", "Mail 2"]


def test_a_batch_stops_when_the_server_cannot_be_reached(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nobody listens there
    first, second, third = (make_row(subject=f"Mail {n}") for n in range(3))

    tasks.send_outbox_mails([first.pk, second.pk, third.pk])

    statuses = [OutboxMail.objects.get(pk=mail.pk).status for mail in (first, second, third)]
    # The first records the failure and waits to retry; the others wait for beat instead of failing one by one.
    assert statuses == [OutboxMail.Status.RETRY, OutboxMail.Status.QUEUED, OutboxMail.Status.QUEUED]


def test_sending_twice_delivers_once(smtp):
    mail = make_row()

    first = services.outbox_send(mail_id=mail.pk)
    second = services.outbox_send(mail_id=mail.pk)

    assert first.status == second.status == OutboxMail.Status.SENT
    assert first.attempted and not second.attempted
    assert len(smtp.messages) == 1
    assert OutboxMail.objects.get(pk=mail.pk).attempts == 1


def test_running_the_task_twice_delivers_once(smtp):
    mail = make_row()

    assert tasks.send_outbox_mail.apply(args=[mail.pk]).get() == OutboxMail.Status.SENT
    assert tasks.send_outbox_mail.apply(args=[mail.pk]).get() == OutboxMail.Status.SENT

    assert len(smtp.messages) == 1


def test_a_mail_left_in_sending_is_not_sent_again(smtp):
    """A worker killed after the SMTP conversation leaves SENDING behind; a retried task must not send again."""
    mail = make_row(status=OutboxMail.Status.SENDING, attempts=1, sending_started_at=timezone.now())

    result = services.outbox_send(mail_id=mail.pk)
    tasks.send_outbox_mail.apply(args=[mail.pk])

    assert result.status == OutboxMail.Status.SENDING
    assert smtp.messages == []
    assert OutboxMail.objects.get(pk=mail.pk).attempts == 1
    assert services.outbox_retry_due() == 0


def test_sent_and_failed_mails_are_left_alone(smtp):
    sent = make_row(status=OutboxMail.Status.SENT)
    failed = make_row(status=OutboxMail.Status.FAILED)

    services.outbox_send(mail_id=sent.pk)
    services.outbox_send(mail_id=failed.pk)

    assert smtp.messages == []


# --- Failures -------------------------------------------------------------------------------------------------


def test_temporary_failure_is_retried_with_back_off(smtp):
    smtp.data_replies.append("451 Try again later")
    mail = make_row()

    before = timezone.now()
    result = services.outbox_send(mail_id=mail.pk)

    assert result.status == OutboxMail.Status.RETRY
    assert result.attempts == 1
    assert "451" in result.last_error
    assert result.next_attempt_at >= before + datetime.timedelta(seconds=59)
    assert smtp.messages == []
    # Not due yet: neither the sweeper nor a duplicate task sends it.
    assert services.outbox_retry_due() == 0
    assert services.outbox_send(mail_id=mail.pk).attempted is False

    OutboxMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    assert services.outbox_retry_due() == 1

    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.SENT
    assert mail.attempts == 2
    assert mail.last_error == ""
    assert len(smtp.messages) == 1


def test_back_off_doubles(smtp):
    smtp.data_replies.extend(["421 Busy", "421 Busy"])
    mail = make_row()

    first = services.outbox_send(mail_id=mail.pk)
    OutboxMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())
    start = timezone.now()
    second = services.outbox_send(mail_id=mail.pk)

    assert first.status == second.status == OutboxMail.Status.RETRY
    delay = second.next_attempt_at - start
    assert datetime.timedelta(seconds=115) <= delay <= datetime.timedelta(seconds=125)


def test_permanent_failure_fails_with_the_smtp_code(smtp):
    smtp.rcpt_replies["nobody@example.no"] = "550 No such user"
    mail = make_row(to="nobody@example.no")

    result = services.outbox_send(mail_id=mail.pk)

    assert result.status == OutboxMail.Status.FAILED
    assert "550" in result.last_error
    assert "No such user" in result.last_error
    assert result.next_attempt_at is None
    assert smtp.messages == []
    assert services.outbox_retry_due() == 0


def test_permanent_failure_at_data(smtp):
    smtp.data_replies.append("554 Message rejected")
    mail = make_row()

    assert services.outbox_send(mail_id=mail.pk).status == OutboxMail.Status.FAILED
    assert "554 Message rejected" in OutboxMail.objects.get(pk=mail.pk).last_error


def test_temporary_recipient_refusal_is_retried(smtp):
    smtp.rcpt_replies["busy@example.no"] = "450 Mailbox busy"
    mail = make_row(to="busy@example.no")

    result = services.outbox_send(mail_id=mail.pk)

    assert result.status == OutboxMail.Status.RETRY
    assert "450" in result.last_error


def test_connection_refused_is_temporary(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()  # nobody listens
    mail = make_row()

    result = services.outbox_send(mail_id=mail.pk)

    assert result.status == OutboxMail.Status.RETRY
    assert "ConnectionRefused" in result.last_error


def test_max_attempts_then_failed(smtp, settings):
    settings.KS_OUTBOX_MAX_ATTEMPTS = 3
    smtp.data_replies.extend(["451 Try again later"] * 3)
    mail = make_row()

    statuses = []
    for _ in range(3):
        OutboxMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
        statuses.append(services.outbox_send(mail_id=mail.pk).status)

    assert statuses == [OutboxMail.Status.RETRY, OutboxMail.Status.RETRY, OutboxMail.Status.FAILED]
    mail.refresh_from_db()
    assert mail.attempts == 3
    assert "451" in mail.last_error
    assert smtp.messages == []


def test_the_task_reschedules_itself_on_a_real_worker(smtp, monkeypatch):
    """With a real broker the task schedules its own retry for when the back-off has passed."""
    smtp.data_replies.append("451 Try again later")
    mail = make_row()
    scheduled = []
    monkeypatch.setattr(tasks.send_outbox_mail, "apply_async", lambda **kwargs: scheduled.append(kwargs))
    current_app.conf.task_always_eager = False  # the autouse fixture restores it

    tasks.send_outbox_mail(mail.pk)  # as a worker would call it (not eager)

    [call] = scheduled
    assert call["args"] == [mail.pk]
    assert 55 <= call["countdown"] <= 60


def test_the_task_does_not_reschedule_in_eager_mode(smtp, monkeypatch):
    smtp.data_replies.append("451 Try again later")
    mail = make_row()
    scheduled = []
    monkeypatch.setattr(tasks.send_outbox_mail, "apply_async", lambda **kwargs: scheduled.append(kwargs))

    tasks.send_outbox_mail.apply(args=[mail.pk])

    assert scheduled == []
    assert OutboxMail.objects.get(pk=mail.pk).status == OutboxMail.Status.RETRY


# --- Queueing, resending, purging -----------------------------------------------------------------------------


def test_dedupe_key_returns_the_same_row(smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = queue(dedupe_key="reminder:42")
        second = queue(dedupe_key="reminder:42", subject="Another subject")

    assert second.pk == first.pk
    assert OutboxMail.objects.count() == 1
    assert len(callbacks) == 1
    assert len(smtp.messages) == 1


def test_many_mails_queued_at_once_arrive_in_order_once_each(smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        earlier = queue(dedupe_key="invitation:1:run")
        with services.outbox_batch():
            mails = services.outbox_queue_many(
                [
                    services.NewMail(
                        to=f"deltaker{n}@example.no",
                        subject=f"Invitasjon {n}",
                        body_text="Hei",
                        purpose="invitation",
                        attachments=[(f"brev{n}.pdf", PDF, "application/pdf")],
                        dedupe_key=f"invitation:{n}:run",
                        contains_secret=True,
                    )
                    for n in range(1, 4)
                ]
            )

    assert mails[0].pk == earlier.pk  # its key was queued before: that row, not a second mail
    assert [m["Subject"] for m in smtp.messages] == ["Invitasjon til Landstinget 2024", "Invitasjon 2", "Invitasjon 3"]
    assert [a.get_filename() for m in smtp.messages[1:] for a in m.iter_attachments()] == ["brev2.pdf", "brev3.pdf"]
    for mail in mails[1:]:
        mail.refresh_from_db()
        assert mail.status == OutboxMail.Status.SENT
        assert mail.body_text == "" and mail.body_purged_at is not None  # it held a personal link
    assert not OutboxAttachment.objects.filter(mail__in=mails[1:]).exists()


def test_a_key_twice_in_one_call_queues_one_mail(smtp, django_capture_on_commit_callbacks):
    twice = services.NewMail(
        to="kari@example.no", subject="Påminnelse", body_text="Hei", purpose="reminder", dedupe_key="r:1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        first, second = services.outbox_queue_many([twice, twice])

    assert first.pk == second.pk
    assert len(smtp.messages) == 1


def test_resend_makes_a_new_row_with_the_attachments(smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        original = queue(dedupe_key="invitation:7", attachments=[("brev.pdf", PDF, "application/pdf")])
    with django_capture_on_commit_callbacks(execute=True):
        copy = services.outbox_resend(mail=original)

    copy.refresh_from_db()
    assert copy.pk != original.pk
    assert copy.dedupe_key is None
    assert copy.status == OutboxMail.Status.SENT
    assert len(smtp.messages) == 2
    assert [a.get_content() for a in smtp.messages[1].iter_attachments()] == [PDF]


def test_resend_refuses_a_purged_mail():
    mail = make_row(status=OutboxMail.Status.SENT, body_text="", body_purged_at=timezone.now())

    with translation.override("en"), pytest.raises(ValueError, match="deleted"):
        services.outbox_resend(mail=mail)


def test_resend_refuses_a_mail_that_contained_a_personal_link(django_capture_on_commit_callbacks):
    """The service itself, not only the admin: a personal link is renewed by inviting again, never copied."""
    mail = make_row(status=OutboxMail.Status.FAILED, body_text="Lenke: https://example.no/p/abc", contains_secret=True)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(services.OutboxResendRefused) as refused:
        services.outbox_resend(mail=mail)

    assert refused.value.code == "contains_secret"
    with translation.override("en"):
        assert "personal link" in str(refused.value)
    assert OutboxMail.objects.count() == 1
    assert callbacks == []


@pytest.mark.parametrize(
    ("status", "started_minutes_ago"),
    [(OutboxMail.Status.QUEUED, None), (OutboxMail.Status.RETRY, None), (OutboxMail.Status.SENDING, 1)],
    ids=["queued", "retry", "sending"],
)
def test_resend_refuses_a_mail_still_on_its_way(status, started_minutes_ago):
    started = timezone.now() - datetime.timedelta(minutes=started_minutes_ago) if started_minutes_ago else None
    mail = make_row(status=status, sending_started_at=started)

    with pytest.raises(services.OutboxResendRefused) as refused:
        services.outbox_resend(mail=mail)

    assert refused.value.code == "wrong_state"
    with translation.override("en"):
        assert "can be sent again" in str(refused.value)
    assert OutboxMail.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "started_minutes_ago"),
    [(OutboxMail.Status.SENT, None), (OutboxMail.Status.FAILED, None), (OutboxMail.Status.SENDING, 11)],
    ids=["sent", "failed", "sending-outcome-unknown"],
)
def test_resend_copies_sent_failed_and_stale_mails(status, started_minutes_ago, django_capture_on_commit_callbacks):
    started = timezone.now() - datetime.timedelta(minutes=started_minutes_ago) if started_minutes_ago else None
    mail = make_row(status=status, sending_started_at=started)

    with django_capture_on_commit_callbacks() as callbacks:
        copy = services.outbox_resend(mail=mail)

    assert copy.pk != mail.pk
    assert (copy.status, copy.body_text) == (OutboxMail.Status.QUEUED, "Tekst")
    assert len(callbacks) == 1


def test_resend_judges_the_mail_as_it_is_now_not_a_stale_copy():
    """A mail purged since the admin loaded it is refused, not sent again with an empty body."""
    mail = make_row(status=OutboxMail.Status.SENT)
    OutboxMail.objects.filter(pk=mail.pk).update(body_text="", body_purged_at=timezone.now())

    with pytest.raises(services.OutboxResendRefused) as refused:
        services.outbox_resend(mail=mail)

    assert refused.value.code == "body_deleted"
    assert OutboxMail.objects.count() == 1


def test_purge_blanks_old_bodies_and_keeps_newer_ones(settings):
    settings.KS_OUTBOX_BODY_RETENTION_DAYS = 30
    long_ago = timezone.now() - datetime.timedelta(days=31)
    old_sent = make_row(status=OutboxMail.Status.SENT, body_html="<p>x</p>", created_at=long_ago)
    OutboxAttachment.objects.create(mail=old_sent, filename="a.pdf", content_type="application/pdf", content=PDF)
    old_failed = make_row(status=OutboxMail.Status.FAILED, created_at=long_ago)
    old_retrying = make_row(status=OutboxMail.Status.RETRY, created_at=long_ago)
    recent = make_row(status=OutboxMail.Status.SENT, created_at=timezone.now() - datetime.timedelta(days=29))
    OutboxAttachment.objects.create(mail=recent, filename="b.pdf", content_type="application/pdf", content=PDF)

    assert tasks.purge_outbox_bodies.apply().get() == 2
    assert services.outbox_purge_bodies() == 0  # already purged

    for mail in (old_sent, old_failed):
        mail.refresh_from_db()
        assert (mail.body_text, mail.body_html) == ("", "")
        assert mail.body_purged_at is not None
        assert mail.subject == "Hei"  # the record stays
    assert not old_sent.attachments.exists()
    for mail in (old_retrying, recent):
        mail.refresh_from_db()
        assert mail.body_text == "Tekst"
        assert mail.body_purged_at is None
    assert recent.attachments.count() == 1
    assert services.outbox_purge_bodies(older_than_days=0) == 1


# --- Admin ----------------------------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


CHANGELIST = "admin:core_outboxmail_changelist"


def test_admin_shows_a_failed_mail_error_with_a_fixed_query_count(superuser_client, django_assert_max_num_queries):
    OutboxMail.objects.bulk_create(
        OutboxMail(to=f"p{i}@example.no", subject=f"Invitasjon {i}", body_text="x", purpose="invitation")
        for i in range(199)
    )
    make_row(
        to="nobody@example.no",
        status=OutboxMail.Status.FAILED,
        attempts=1,
        last_error="Recipient refused: nobody@example.no: 550 No such user",
    )

    with django_assert_max_num_queries(8):
        response = superuser_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert "550 No such user" in response.text
    assert "nobody@example.no" in response.text


def test_admin_flags_a_stale_sending_mail(superuser_client, english_admin):
    make_row(
        subject="Stale",
        status=OutboxMail.Status.SENDING,
        attempts=1,
        sending_started_at=timezone.now() - datetime.timedelta(minutes=11),
    )
    make_row(subject="Fresh", status=OutboxMail.Status.SENDING, attempts=1, sending_started_at=timezone.now())

    response = superuser_client.get(reverse(CHANGELIST), {"outcome": "unknown"})

    assert response.status_code == 200
    assert "Sending – outcome unknown" in response.text
    assert "Stale" in response.text
    assert "Fresh" not in response.text


def test_admin_change_page_shows_the_body_read_only(superuser_client):
    mail = make_row(body_text="Personlig lenke: https://example.no/r/abc", status=OutboxMail.Status.SENT)
    OutboxAttachment.objects.create(mail=mail, filename="brev.pdf", content_type="application/pdf", content=PDF)

    response = superuser_client.get(reverse("admin:core_outboxmail_change", args=[mail.pk]))

    assert response.status_code == 200
    assert "Personlig lenke: https://example.no/r/abc" in response.text
    assert "brev.pdf" in response.text
    assert 'name="body_text"' not in response.text  # no form field
    assert superuser_client.get(reverse("admin:core_outboxmail_add")).status_code == 403


def test_admin_needs_the_view_permission(client):
    from django.contrib.auth.models import Permission

    staff = StaffUserFactory()
    client.force_login(staff)
    assert client.get(reverse(CHANGELIST)).status_code == 403

    staff.user_permissions.add(Permission.objects.get(codename="view_outboxmail", content_type__app_label="core"))
    client.force_login(staff)
    assert client.get(reverse(CHANGELIST)).status_code == 200


def test_admin_send_again_and_retry_now(smtp, superuser_client, django_capture_on_commit_callbacks, english_admin):
    failed = make_row(subject="Failed", status=OutboxMail.Status.FAILED, attempts=5, last_error="550 No such user")
    stale = make_row(
        subject="Stale",
        status=OutboxMail.Status.SENDING,
        attempts=1,
        sending_started_at=timezone.now() - datetime.timedelta(minutes=30),
    )
    queued = make_row(subject="Queued")
    purged = make_row(subject="Purged", status=OutboxMail.Status.SENT, body_text="", body_purged_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse(CHANGELIST),
            {"action": "send_again", "_selected_action": [failed.pk, stale.pk, queued.pk, purged.pk]},
            follow=True,
        )

    assert response.status_code == 200
    text = response.text
    assert "2 mails queued to be sent again." in text
    assert "2 mails skipped" in text
    assert sorted(m["Subject"] for m in smtp.messages) == ["Failed", "Stale"]
    assert OutboxMail.objects.count() == 6
    failed.refresh_from_db()
    assert failed.status == OutboxMail.Status.FAILED  # the old row is unchanged

    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        superuser_client.post(reverse(CHANGELIST), {"action": "retry_now", "_selected_action": [failed.pk, stale.pk]})

    failed.refresh_from_db()
    stale.refresh_from_db()
    assert failed.status == OutboxMail.Status.SENT
    assert failed.attempts == 6
    # The interrupted send is resolved at once: sent again, and flagged (the recipient may have it twice).
    assert stale.status == OutboxMail.Status.SENT
    assert stale.outcome_unknown_at is not None
    assert sorted(m["Subject"] for m in smtp.messages) == ["Failed", "Stale"]


def test_admin_send_again_skips_a_mail_with_a_personal_link(
    smtp, superuser_client, django_capture_on_commit_callbacks, english_admin
):
    secret = make_row(subject="Secret", status=OutboxMail.Status.FAILED, contains_secret=True)
    plain = make_row(subject="Plain", status=OutboxMail.Status.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse(CHANGELIST), {"action": "send_again", "_selected_action": [secret.pk, plain.pk]}, follow=True
        )

    assert "1 mail queued to be sent again." in response.text
    assert "1 mail skipped" in response.text
    assert [m["Subject"] for m in smtp.messages] == ["Plain"]
    assert not OutboxMail.objects.filter(subject="Secret").exclude(pk=secret.pk).exists()


# --- The real worker ------------------------------------------------------------------------------------------

WORKER_SMTP_PORT = 2526


def _worker_email_port() -> int | None:
    url = os.environ.get("EMAIL_URL", "")
    if not url.startswith("smtp://"):
        return None
    parts = urlsplit(url)
    return parts.port if parts.hostname == "127.0.0.1" else None


@pytest.mark.real_services
@pytest.mark.skipif(not os.environ.get("KS_EXPECT_CELERY_WORKER"), reason="needs a started Celery worker")
@pytest.mark.skipif(
    _worker_email_port() != WORKER_SMTP_PORT,
    reason=f"the worker must send to EMAIL_URL=smtp://127.0.0.1:{WORKER_SMTP_PORT}",
)
def test_mail_goes_through_the_celery_worker(transactional_db):
    """A committed mail is sent by the real Celery worker (a separate process) to our SMTP server.

    The worker reads its e-mail settings from the environment, so ``.ci/run`` must export
    ``EMAIL_URL=smtp://127.0.0.1:2526`` before it starts the worker; this test listens on that port.
    """
    controller, handler = _start_server(WORKER_SMTP_PORT)
    try:
        subject = f"Worker test {uuid.uuid4().hex}"
        with transaction.atomic():
            mail = queue(subject=subject, attachments=[("brev.pdf", PDF, "application/pdf")])

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            mail.refresh_from_db()
            if mail.status in (OutboxMail.Status.SENT, OutboxMail.Status.FAILED):
                break
            time.sleep(0.2)

        assert mail.status == OutboxMail.Status.SENT, mail.last_error
        [message] = [m for m in handler.messages if m["Subject"] == subject]
        assert [a.get_content() for a in message.iter_attachments()] == [PDF]
    finally:
        controller.stop()


def test_smtp_errors_are_classified():
    from core.services import _classify_error

    assert _classify_error(smtplib.SMTPServerDisconnected("gone"))[0] is True
    assert _classify_error(smtplib.SMTPConnectError(421, b"busy"))[0] is True
    assert _classify_error(TimeoutError("timed out"))[0] is True
    assert _classify_error(smtplib.SMTPResponseException(452, b"full"))[0] is True
    assert _classify_error(smtplib.SMTPSenderRefused(553, b"bad sender", "x@y"))[0] is False
    assert _classify_error(smtplib.SMTPRecipientsRefused({"a@b": (550, b"no"), "c@d": (450, b"busy")}))[0] is False
    assert _classify_error(ValueError("Invalid address"))[0] is False
