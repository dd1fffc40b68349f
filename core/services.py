"""Cross-cutting writes: the mail outbox.

Every outgoing e-mail is an ``OutboxMail`` row, written in the caller's transaction; the send task is queued with
``transaction.on_commit`` so nothing is sent for a rolled-back transaction. Sending follows pretix: under a row lock
a QUEUED (or due RETRY) row moves to SENDING and that is committed *before* the SMTP conversation, so a duplicated
or re-delivered task finds SENDING/SENT and does nothing — a task that runs twice sends once. A row left in SENDING
(worker killed mid-send) is never sent again automatically; the admin flags it as "outcome unknown" for staff.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import OutboxAttachment, OutboxMail

logger = logging.getLogger(__name__)

OUTBOX_RETRY_BASE_DELAY = datetime.timedelta(seconds=60)
OUTBOX_RETRY_MAX_DELAY = datetime.timedelta(hours=1)
# Seconds to wait for the mail server before counting the attempt as a temporary failure.
OUTBOX_SMTP_TIMEOUT = 30

_SENDABLE = (OutboxMail.Status.QUEUED, OutboxMail.Status.RETRY)


def _queue_send_task(mail_id: int) -> None:
    # Imported here because core.tasks imports this module: a worker loads the tasks first, and a module-level
    # import back would find send_outbox_mail not yet defined.
    from core.tasks import send_outbox_mail

    send_outbox_mail.delay(mail_id)


def outbox_queue(
    *,
    to: str,
    subject: str,
    body_text: str,
    purpose: str,
    body_html: str = "",
    attachments: Sequence[tuple[str, bytes, str]] = (),
    dedupe_key: str | None = None,
    reply_to: str = "",
    related_participant_id: int | None = None,
    contains_secret: bool = False,
) -> OutboxMail:
    """Write a mail (and its attachments) to the outbox; it is sent after the surrounding transaction commits.

    ``attachments`` are ``(filename, content, content_type)``. If a mail with the same ``dedupe_key`` exists, that
    row is returned and nothing new is queued. A mail that ``contains_secret`` (a personal link) is never shown to
    staff, and its body and attachments are deleted as soon as it has been sent.
    """
    if dedupe_key is not None:
        existing = OutboxMail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            mail = OutboxMail.objects.create(
                to=to,
                reply_to=reply_to,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                purpose=purpose,
                dedupe_key=dedupe_key,
                related_participant_id=related_participant_id,
                contains_secret=contains_secret,
            )
            OutboxAttachment.objects.bulk_create(
                OutboxAttachment(mail=mail, filename=filename, content=content, content_type=content_type)
                for filename, content, content_type in attachments
            )
    except IntegrityError:
        # Another transaction queued the same key at the same moment; theirs wins.
        if dedupe_key is None:
            raise
        return OutboxMail.objects.get(dedupe_key=dedupe_key)
    mail_id = mail.pk
    # robust: the rows are committed by then; a broker hiccup must not turn the caller's request into an error
    # (the admin's "Retry now" re-queues a mail that never left).
    transaction.on_commit(lambda: _queue_send_task(mail_id), robust=True)
    return mail


def _build_message(mail: OutboxMail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to],
        reply_to=[mail.reply_to] if mail.reply_to else None,
        connection=connection,
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
    for attachment in mail.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    return message


def _classify_error(exc: BaseException) -> tuple[bool, str]:
    """Return (temporary?, text for ``last_error``) for an exception raised while sending."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = exc.recipients or {}
        codes = [code for code, _message in refused.values()]
        text = "; ".join(
            f"{address}: {code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
            for address, (code, message) in refused.items()
        )
        return bool(codes) and all(400 <= code < 500 for code in codes), f"Recipient refused: {text}"
    if isinstance(exc, smtplib.SMTPConnectError):
        return True, f"{exc.smtp_code} {_smtp_text(exc)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        # -1: the server closed the connection without a proper reply.
        return (code == -1 or 400 <= code < 500), f"{code} {_smtp_text(exc)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True, f"Server disconnected: {exc}"
    if isinstance(exc, smtplib.SMTPException):
        return False, f"{type(exc).__name__}: {exc}"
    if isinstance(exc, OSError):  # connection refused, reset, timed out, name resolution
        return True, f"{type(exc).__name__}: {exc}"
    # ValueError for a malformed address, or anything else we do not understand: retrying will not help.
    return False, f"{type(exc).__name__}: {exc}"


def _smtp_text(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    return error.decode(errors="replace") if isinstance(error, bytes) else str(error)


def _retry_delay(attempts: int) -> datetime.timedelta:
    return min(OUTBOX_RETRY_BASE_DELAY * 2 ** max(attempts - 1, 0), OUTBOX_RETRY_MAX_DELAY)


def outbox_send(*, mail_id: int) -> OutboxMail:
    """Make one attempt at sending a mail; safe to call any number of times for the same id.

    Only a QUEUED row, or a RETRY row whose ``next_attempt_at`` has passed, is sent; anything else is returned
    untouched. The returned instance carries ``attempted`` (``True`` when this call talked to the mail server).
    """
    now = timezone.now()
    with transaction.atomic():
        mail = OutboxMail.objects.select_for_update().get(pk=mail_id)
        due = mail.status == OutboxMail.Status.QUEUED or (
            mail.status == OutboxMail.Status.RETRY and (mail.next_attempt_at is None or mail.next_attempt_at <= now)
        )
        if not due or mail.body_purged_at is not None:
            mail.attempted = False
            return mail
        mail.status = OutboxMail.Status.SENDING
        mail.attempts += 1
        mail.sending_started_at = now
        mail.next_attempt_at = None
        mail.save(update_fields=["status", "attempts", "sending_started_at", "next_attempt_at"])
    # SENDING is committed (outside an outer atomic block): from here on no other task will send this row.

    error: BaseException | None = None
    try:
        connection = get_connection(timeout=OUTBOX_SMTP_TIMEOUT)
        _build_message(mail, connection).send(fail_silently=False)
    except Exception as exc:
        error = exc

    with transaction.atomic():
        mail = OutboxMail.objects.select_for_update().get(pk=mail_id)
        finished = timezone.now()
        if error is None:
            mail.status = OutboxMail.Status.SENT
            mail.sent_at = finished
            mail.last_error = ""
            if mail.contains_secret:
                _forget_body(mail, finished)
        else:
            temporary, text = _classify_error(error)
            mail.last_error = text[:2000]
            if temporary and mail.attempts < settings.KS_OUTBOX_MAX_ATTEMPTS:
                mail.status = OutboxMail.Status.RETRY
                mail.next_attempt_at = finished + _retry_delay(mail.attempts)
                logger.warning("Outbox mail %s: temporary failure, retrying: %s", mail_id, text)
            else:
                mail.status = OutboxMail.Status.FAILED
                logger.warning("Outbox mail %s failed after %s attempt(s): %s", mail_id, mail.attempts, text)
        mail.save(update_fields=["status", "sent_at", "last_error", "next_attempt_at"])
    mail.attempted = True
    return mail


def _forget_body(mail: OutboxMail, when) -> None:
    OutboxMail.objects.filter(pk=mail.pk).update(body_text="", body_html="", body_purged_at=when)
    OutboxAttachment.objects.filter(mail=mail).delete()


QUEUED_TOO_LONG = datetime.timedelta(minutes=5)


def outbox_retry_due() -> int:
    """Queue the send task again for every RETRY row whose back-off has passed, and for QUEUED rows whose task
    never arrived (the broker was away when they were queued); sending is idempotent. Returns how many."""
    now = timezone.now()
    due_ids = list(
        OutboxMail.objects.filter(
            Q(status=OutboxMail.Status.RETRY, next_attempt_at__lte=now)
            | Q(status=OutboxMail.Status.QUEUED, created_at__lte=now - QUEUED_TOO_LONG)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    for mail_id in due_ids:
        _queue_send_task(mail_id)
    return len(due_ids)


@transaction.atomic
def outbox_requeue(*, mail_ids: Sequence[int]) -> int:
    """Staff's "retry now": RETRY/FAILED (and still QUEUED) rows go back to QUEUED and are queued; returns how many.

    Rows whose body has been deleted cannot be sent and are left alone. ``attempts`` keeps counting.
    """
    mails = list(
        OutboxMail.objects.select_for_update()
        .filter(
            pk__in=list(mail_ids),
            status__in=[OutboxMail.Status.RETRY, OutboxMail.Status.FAILED, OutboxMail.Status.QUEUED],
            body_purged_at__isnull=True,
        )
        .order_by("pk")
    )
    for mail in mails:
        mail.status = OutboxMail.Status.QUEUED
        mail.next_attempt_at = None
        mail.save(update_fields=["status", "next_attempt_at"])
        mail_id = mail.pk
        transaction.on_commit(lambda mail_id=mail_id: _queue_send_task(mail_id), robust=True)
    return len(mails)


def outbox_purge_bodies(*, older_than_days: int | None = None) -> int:
    """Blank the bodies and delete the attachments of SENT/FAILED mail older than the retention period.

    Defaults to ``KS_OUTBOX_BODY_RETENTION_DAYS``; the age counts from when the mail was queued. Returns how many
    mails were purged.
    """
    days = settings.KS_OUTBOX_BODY_RETENTION_DAYS if older_than_days is None else older_than_days
    now = timezone.now()
    with transaction.atomic():
        mails = OutboxMail.objects.filter(
            status__in=[OutboxMail.Status.SENT, OutboxMail.Status.FAILED],
            created_at__lt=now - datetime.timedelta(days=days),
            body_purged_at__isnull=True,
        )
        mail_ids = list(mails.select_for_update().values_list("pk", flat=True))
        OutboxAttachment.objects.filter(mail_id__in=mail_ids).delete()
        return OutboxMail.objects.filter(pk__in=mail_ids).update(body_text="", body_html="", body_purged_at=now)


class OutboxResendRefused(ValueError):
    """Why :func:`outbox_resend` will not copy a mail: ``code`` is one of :data:`OUTBOX_RESEND_REFUSALS`, the
    message is translated."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(OUTBOX_RESEND_REFUSALS[code])


OUTBOX_RESEND_REFUSALS = {
    "contains_secret": _(
        "This mail contained a personal link; it cannot be sent again. Invite the participant again to send a new link."
    ),
    "body_deleted": _("The body of this mail has been deleted; it cannot be sent again."),
    "wrong_state": _(
        "Only a sent or failed mail, or one whose outcome is unknown after sending started, can be sent again."
    ),
}


def _resend_refusal(mail: OutboxMail) -> str | None:
    if mail.contains_secret:
        # A personal link is renewed by inviting again, never by copying an old mail (its body is gone anyway).
        return "contains_secret"
    if mail.body_purged_at is not None:
        return "body_deleted"
    if mail.status not in (OutboxMail.Status.SENT, OutboxMail.Status.FAILED) and not mail.is_outcome_unknown:
        # Queued, retrying or freshly sending: it is still on its way, a copy would send it twice.
        return "wrong_state"
    return None


@transaction.atomic
def outbox_resend(*, mail: OutboxMail) -> OutboxMail:
    """Staff's "send again": queue a new row copying ``mail`` (without its dedupe key). The old row is unchanged.

    Only a SENT or FAILED mail, or a SENDING one whose outcome is unknown (:attr:`OutboxMail.is_outcome_unknown`),
    whose body is kept and which held no personal link, is copied; otherwise :class:`OutboxResendRefused`. The row is
    read again under a lock, so a mail purged or sent in the meantime is judged as it is now.
    """
    mail = OutboxMail.objects.select_for_update().get(pk=mail.pk)
    if (refusal := _resend_refusal(mail)) is not None:
        raise OutboxResendRefused(refusal)
    return outbox_queue(
        to=mail.to,
        subject=mail.subject,
        body_text=mail.body_text,
        body_html=mail.body_html,
        purpose=mail.purpose,
        attachments=[(a.filename, bytes(a.content), a.content_type) for a in mail.attachments.all()],
        dedupe_key=None,
        reply_to=mail.reply_to,
        related_participant_id=mail.related_participant_id,
    )
