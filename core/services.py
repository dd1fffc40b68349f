"""Cross-cutting writes: the mail outbox, and background jobs (``job_queue`` and the rest, at the end).

Every outgoing e-mail is an ``OutboxMail`` row, written in the caller's transaction; the send task is queued with
``transaction.on_commit`` so nothing is sent for a rolled-back transaction. Sending follows pretix: under a row lock
a QUEUED (or due RETRY) row moves to SENDING and that is committed *before* the SMTP conversation, so a duplicated
or re-delivered task finds SENDING/SENT and does nothing — a task that runs twice sends once. A row left in SENDING
(worker killed mid-send) is resolved by beat once it is older than ``KS_OUTBOX_SENDING_TIMEOUT``
(:func:`outbox_resolve_interrupted`): it is sent again — with a fresh personal link, through the renewer the owning app
registered for its purpose (:func:`outbox_renewer_register`), when it carried one — and flagged ``outcome_unknown_at``
for staff, because the recipient may get it twice.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import logging
import smtplib
import threading
from collections.abc import Callable, Iterator, Sequence

from celery import Task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Heartbeat, Job, OutboxAttachment, OutboxMail, outbox_sending_timeout

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


def _queue_send_many_task(mail_ids: list[int]) -> None:
    from core.tasks import send_outbox_mails

    send_outbox_mails.delay(mail_ids)


_batch = threading.local()


@contextlib.contextmanager
def outbox_batch() -> Iterator[None]:
    """Mail queued inside the block is sent by one task over one SMTP connection, queued when the block ends (after
    the surrounding transaction commits, as always). For many mails written at once, e.g. a batch of invitations:
    one task and one connection instead of one each. Blocks do not nest (an inner block joins the outer one)."""
    if getattr(_batch, "mail_ids", None) is not None:
        yield
        return
    _batch.mail_ids = mail_ids = []
    try:
        yield
    finally:
        _batch.mail_ids = None
    if mail_ids:
        transaction.on_commit(lambda: _queue_send_many_task(mail_ids), robust=True)


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
    new = NewMail(
        to=to,
        subject=subject,
        body_text=body_text,
        purpose=purpose,
        body_html=body_html,
        attachments=attachments,
        dedupe_key=dedupe_key,
        reply_to=reply_to,
        related_participant_id=related_participant_id,
        contains_secret=contains_secret,
    )
    try:
        with transaction.atomic():
            mail = new.row()
            mail.save()
            OutboxAttachment.objects.bulk_create(new.attachment_rows(mail))
    except IntegrityError:
        # Another transaction queued the same key at the same moment; theirs wins.
        if dedupe_key is None:
            raise
        return OutboxMail.objects.get(dedupe_key=dedupe_key)
    _schedule_send(mail.pk)
    return mail


def _schedule_send(mail_id: int) -> None:
    if (batch := getattr(_batch, "mail_ids", None)) is not None:
        batch.append(mail_id)  # sent with the others of the batch (outbox_batch)
        return
    # robust: the rows are committed by then; a broker hiccup must not turn the caller's request into an error
    # (beat re-queues a mail still QUEUED after a while; the admin's "Retry now" too).
    transaction.on_commit(lambda: _queue_send_task(mail_id), robust=True)


@dataclasses.dataclass(frozen=True)
class NewMail:
    """One mail for :func:`outbox_queue_many`: the arguments of :func:`outbox_queue`."""

    to: str
    subject: str
    body_text: str
    purpose: str
    body_html: str = ""
    attachments: Sequence[tuple[str, bytes, str]] = ()
    dedupe_key: str | None = None
    reply_to: str = ""
    related_participant_id: int | None = None
    contains_secret: bool = False

    def as_kwargs(self) -> dict:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    def row(self) -> OutboxMail:
        """The outbox row, not saved yet."""
        return OutboxMail(
            to=self.to,
            reply_to=self.reply_to,
            subject=self.subject,
            body_text=self.body_text,
            body_html=self.body_html,
            purpose=self.purpose,
            dedupe_key=self.dedupe_key,
            related_participant_id=self.related_participant_id,
            contains_secret=self.contains_secret,
        )

    def attachment_rows(self, mail: OutboxMail) -> list[OutboxAttachment]:
        return [
            OutboxAttachment(mail=mail, filename=filename, content=content, content_type=content_type)
            for filename, content, content_type in self.attachments
        ]


def outbox_queue_many(mails: Sequence[NewMail]) -> list[OutboxMail]:
    """:func:`outbox_queue` for many mails, in order: one query for their dedupe keys, one insert for the mails and
    one for their attachments, instead of four or five queries a mail (a batch of invitations, issue 13)."""
    keys = [mail.dedupe_key for mail in mails if mail.dedupe_key is not None]
    existing = {row.dedupe_key: row for row in OutboxMail.objects.filter(dedupe_key__in=keys)} if keys else {}
    new = [mail for mail in mails if mail.dedupe_key not in existing]
    try:
        with transaction.atomic():
            rows = OutboxMail.objects.bulk_create(mail.row() for mail in new)
            OutboxAttachment.objects.bulk_create(
                attachment for row, mail in zip(rows, new, strict=True) for attachment in mail.attachment_rows(row)
            )
    except IntegrityError:
        # A key twice in ``mails``, or queued by another transaction at the same moment: one by one, the first wins.
        return [outbox_queue(**mail.as_kwargs()) for mail in mails]
    created = iter(rows)
    queued = [existing[mail.dedupe_key] if mail.dedupe_key in existing else next(created) for mail in mails]
    for row in rows:
        _schedule_send(row.pk)
    return queued


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


def outbox_send(*, mail_id: int, connection=None) -> OutboxMail:
    """Make one attempt at sending a mail; safe to call any number of times for the same id.

    Only a QUEUED row, or a RETRY row whose ``next_attempt_at`` has passed, is sent; anything else is returned
    untouched. The returned instance carries ``attempted`` (``True`` when this call talked to the mail server).
    ``connection``: a mail connection to reuse (:func:`outbox_send_many`); by default one of its own.
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
        _build_message(mail, connection or get_connection(timeout=OUTBOX_SMTP_TIMEOUT)).send(fail_silently=False)
    except Exception as exc:
        error = exc

    with transaction.atomic():
        mail = OutboxMail.objects.select_for_update().get(pk=mail_id)
        finished = timezone.now()
        if mail.status != OutboxMail.Status.SENDING or mail.sending_started_at != now:
            # This send stalled past the timeout and the row was resolved meanwhile (sent again, replaced by a mail
            # with a fresh link, or failed): that outcome stands; the recipient is already flagged.
            logger.warning(
                "Outbox mail %s: a stalled send finished (%s) after the row was resolved as %s",
                mail_id,
                "delivered" if error is None else "failed",
                mail.status,
            )
            mail.attempted = True
            return mail
        forgotten: list[str] = []
        if error is None:
            mail.status = OutboxMail.Status.SENT
            mail.sent_at = finished
            mail.last_error = ""
            if mail.contains_secret:
                forgotten = _forget_body(mail, finished)
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
        mail.save(update_fields=["status", "sent_at", "last_error", "next_attempt_at", *forgotten])
    mail.attempted = True
    return mail


def outbox_send_many(*, mail_ids: Sequence[int]) -> list[OutboxMail]:
    """:func:`outbox_send` for each mail, in order, over one SMTP connection (a new one after a mail that failed,
    since the failure may have broken it). When the server cannot be reached after a failure, the rest are left
    QUEUED for beat (:func:`outbox_retry_due`) rather than waiting for the server's timeout once per mail here."""
    connection, _reachable = _open_connection()
    mails = []
    try:
        for index, mail_id in enumerate(mail_ids):
            mail = outbox_send(mail_id=mail_id, connection=connection)
            mails.append(mail)
            if mail.attempted and mail.status != OutboxMail.Status.SENT:
                with contextlib.suppress(Exception):
                    connection.close()
                connection, reachable = _open_connection()
                if not reachable:
                    left = len(mail_ids) - index - 1
                    logger.warning("Outbox: the mail server cannot be reached; %s mail(s) left queued for beat", left)
                    break
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return mails


def _open_connection():
    """A mail connection, opened now so that the sends share it (Django closes a connection it had to open itself),
    and whether that worked."""
    connection = get_connection(timeout=OUTBOX_SMTP_TIMEOUT)
    try:
        connection.open()
    except Exception:
        return connection, False
    return connection, True


def _forget_body(mail: OutboxMail, when) -> list[str]:
    """Blank ``mail``'s body (on the instance: save the returned fields with the rest) and delete its attachments."""
    mail.body_text, mail.body_html, mail.body_purged_at = "", "", when
    OutboxAttachment.objects.filter(mail=mail).delete()
    return ["body_text", "body_html", "body_purged_at"]


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
        .filter(body_purged_at__isnull=True)  # nothing left to send
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    for mail_id in due_ids:
        _queue_send_task(mail_id)
    return len(due_ids)


# --- Interrupted sends ---------------------------------------------------------------------------------------

#: ``renew(mail) -> OutboxMail | None``: queue a new mail, with a fresh personal link, in place of ``mail`` (a mail
#: of the purpose it was registered for that ``contains_secret``), in the caller's transaction; ``None`` when the
#: recipient should no longer get it (e.g. withdrawn). Registered by the app that writes such mail, in its
#: ``AppConfig.ready``; core cannot import it.
OutboxRenewer = Callable[[OutboxMail], "OutboxMail | None"]
_renewers: dict[str, OutboxRenewer] = {}


def outbox_renewer_register(*, purposes: Sequence[str], renew: OutboxRenewer) -> None:
    """Register how a mail of one of ``purposes`` carrying a personal link is renewed after an interrupted send."""
    for purpose in purposes:
        _renewers[purpose] = renew


def outbox_renewer(purpose: str) -> OutboxRenewer | None:
    return _renewers.get(purpose)


INTERRUPTED_TEXT = "Sending was interrupted (the worker stopped); whether the mail left is unknown."


def outbox_resolve_interrupted(*, mail_ids: Sequence[int] | None = None) -> int:
    """Send again every mail left in SENDING longer than ``KS_OUTBOX_SENDING_TIMEOUT``: its worker died during or
    after the SMTP conversation (beat, every minute; staff's "retry now"). Returns how many were resolved.

    Each row is flagged ``outcome_unknown_at`` (the recipient may get it twice). A mail that carries a personal link
    and whose purpose has a renewer becomes REPLACED by the renewer's new mail with a fresh link (its own body is
    deleted; the old link is not revoked, the recipient may hold it); one the renewer declines is FAILED. Any other
    mail goes back to RETRY and is sent as it is. ``mail_ids`` limits the sweep to those rows.
    """
    stale = OutboxMail.objects.filter(
        status=OutboxMail.Status.SENDING, sending_started_at__lt=timezone.now() - outbox_sending_timeout()
    )
    if mail_ids is not None:
        stale = stale.filter(pk__in=list(mail_ids))
    resolved = 0
    for mail_id in stale.order_by("sending_started_at", "pk").values_list("pk", flat=True):
        try:
            resolved += _resolve_interrupted(mail_id)
        except Exception:
            # One renewal that fails (a bug, a participant deleted meanwhile) must not stop the others; the row stays
            # in SENDING, flagged in the admin, and the next sweep tries again.
            logger.exception("Outbox mail %s: could not resolve the interrupted send", mail_id)
    return resolved


@transaction.atomic
def _resolve_interrupted(mail_id: int) -> int:
    now = timezone.now()
    mail = OutboxMail.objects.select_for_update(skip_locked=True).filter(pk=mail_id).first()
    if mail is None or not mail.is_outcome_unknown:
        return 0  # locked by a sender finishing right now, or resolved by another sweep meanwhile
    mail.outcome_unknown_at = now
    renew = outbox_renewer(mail.purpose) if mail.contains_secret else None
    if renew is not None:
        replacement = renew(mail)
        if replacement is None:
            mail.status = OutboxMail.Status.FAILED
            mail.last_error = f"{INTERRUPTED_TEXT} Not sent again: the recipient should no longer get it."
        else:
            mail.status = OutboxMail.Status.REPLACED
            mail.replaced_by = replacement
            mail.last_error = f"{INTERRUPTED_TEXT} Sent again with a new personal link as mail {replacement.pk}."
        forgotten = _forget_body(mail, now)
        mail.save(update_fields=["status", "outcome_unknown_at", "replaced_by", "last_error", *forgotten])
        logger.warning("Outbox mail %s: interrupted send, %s", mail_id, mail.last_error)
        return 1
    if mail.attempts >= settings.KS_OUTBOX_MAX_ATTEMPTS:
        mail.status = OutboxMail.Status.FAILED
        mail.last_error = f"{INTERRUPTED_TEXT} Given up after {mail.attempts} attempt(s)."
    else:
        mail.status = OutboxMail.Status.RETRY
        mail.next_attempt_at = now
        mail.last_error = f"{INTERRUPTED_TEXT} Sent again: the recipient may get it twice."
        transaction.on_commit(lambda: _queue_send_task(mail_id), robust=True)
    mail.save(update_fields=["status", "outcome_unknown_at", "next_attempt_at", "last_error"])
    logger.warning("Outbox mail %s: interrupted send, %s", mail_id, mail.last_error)
    return 1


@transaction.atomic
def outbox_requeue(*, mail_ids: Sequence[int]) -> int:
    """Staff's "retry now": RETRY/FAILED (and still QUEUED) rows go back to QUEUED and are queued, and interrupted
    sends (SENDING past the timeout) are resolved now (:func:`outbox_resolve_interrupted`); returns how many.

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
    return len(mails) + outbox_resolve_interrupted(mail_ids=mail_ids)


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


# --- Background jobs ------------------------------------------------------------------------------------------
#
# Every piece of fire-and-forget work is a ``Job`` row before the broker hears of it (as every mail is an outbox row):
# a broker that is away, or that loses its messages in a restart, delays the work but cannot lose it. See the
# ``Job`` model and docs/DESIGN.md ("Background jobs").

#: A job whose hand-off failed (the broker was away) is handed over by beat once it is this old; the margin keeps beat
#: from handing over a job whose own hand-off is still under way.
JOB_HAND_OFF_GRACE = datetime.timedelta(seconds=10)


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (OperationalError, RedisConnectionError, RedisTimeoutError, OSError)


def job_queue(*, task: Task, args: Sequence = ()) -> Job:
    """Store a job running the Celery ``task`` with ``args`` (JSON); it is handed to the broker after the commit."""
    return jobs_queue(task=task, calls=[args])[0]


def jobs_queue(*, task: Task, calls: Sequence[Sequence]) -> list[Job]:
    """Store one job per argument list in ``calls``; all are handed to the broker after the surrounding commit.

    The hand-off never makes the caller wait for a broker that is away (``jobs_hand_off``): the rows stay QUEUED and
    beat hands them over once it is back (``jobs_resend_stale``).
    """
    now = timezone.now()
    jobs = Job.objects.bulk_create([Job(task=task.name, args=list(args), created_at=now) for args in calls])
    job_ids = [job.pk for job in jobs]
    if job_ids:
        transaction.on_commit(lambda: jobs_hand_off(job_ids=job_ids), robust=True)
    return jobs


def jobs_hand_off(*, job_ids: Sequence[int]) -> int:
    """Give the jobs to the broker (``core.tasks.run_job``); returns how many it took.

    Publishing is not retried and the connection times out quickly (``CELERY_BROKER_*`` settings), and the first
    failure stops the rest, which would fail the same way: a request that queues work answers at once even with the
    broker down. The jobs not handed over stay QUEUED without ``handed_at``, for beat.
    """
    from celery import current_app

    from core import eager_jobs
    from core.tasks import run_job  # core.tasks imports this module

    if eager_jobs.enabled():  # the embedded default: a thread of this process runs them, after the response
        return eager_jobs.hand_off(job_ids=job_ids)
    names = dict(Job.objects.filter(pk__in=list(job_ids)).values_list("pk", "task"))
    handed: list[int] = []
    for job_id in job_ids:
        # The job travels with its task's own queue and priority, if the task has them.
        task = current_app.tasks.get(names.get(job_id, ""))
        routing = {key: value for key in ("queue", "priority") if (value := getattr(task, key, None)) is not None}
        try:
            run_job.apply_async(args=[job_id], retry=False, **routing)
        except _broker_errors() as error:
            logger.warning(
                "%d background job(s) stay queued: the message broker cannot be reached (%s)",
                len(job_ids) - len(handed),
                error,
            )
            break
        handed.append(job_id)
    if handed:
        Job.objects.filter(pk__in=handed, state=Job.State.QUEUED).update(handed_at=timezone.now())
    return len(handed)


def job_running_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.KS_JOB_RUNNING_TIMEOUT)


def job_run(*, job_id: int) -> Job | None:
    """Claim the job and run its task in this process; returns the finished job, or None if it was not claimable.

    The claim is one conditional UPDATE (QUEUED → RUNNING), so of two deliveries of the same job only one runs it.
    A job RUNNING for longer than ``KS_JOB_RUNNING_TIMEOUT`` lost its worker and may be claimed again. A task that
    raises leaves the job FAILED with the error (and the error in the log); it is not retried automatically.
    """
    from celery import current_app

    started = timezone.now()
    claimable = Q(state=Job.State.QUEUED) | Q(state=Job.State.RUNNING, started_at__lt=started - job_running_timeout())
    claimed = Job.objects.filter(claimable, pk=job_id).update(
        state=Job.State.RUNNING, started_at=started, finished_at=None, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    job = Job.objects.get(pk=job_id)
    try:
        current_app.tasks[job.task](*job.args)
    except Exception as error:
        logger.exception("Background job %s (%s) failed", job.pk, job.task)
        job.state, job.last_error = Job.State.FAILED, f"{type(error).__name__}: {error}"[:2000]
    else:
        job.state, job.last_error = Job.State.DONE, ""
    job.finished_at = timezone.now()
    # Only this run's claim is finished: a run that took over a timed-out job has its own started_at.
    Job.objects.filter(pk=job_id, state=Job.State.RUNNING, started_at=started).update(
        state=job.state, last_error=job.last_error, finished_at=job.finished_at
    )
    return job


def jobs_resend_stale(*, now: datetime.datetime | None = None) -> int:
    """Beat: hand to the broker again every job that never reached a worker; returns how many were handed over.

    That is a QUEUED job whose hand-off failed (no ``handed_at``, older than a few seconds), one handed over more
    than ``KS_JOB_RESEND_AFTER`` seconds ago and still not started (the broker lost it, e.g. Redis restarted without
    its data), and a RUNNING one whose worker died (``KS_JOB_RUNNING_TIMEOUT``). A job that is merely waiting its
    turn in the broker is handed over twice at worst; the claim in :func:`job_run` runs it once.
    """
    now = now or timezone.now()
    resend_after = datetime.timedelta(seconds=settings.KS_JOB_RESEND_AFTER)
    stale = (
        Q(state=Job.State.QUEUED, handed_at__isnull=True, created_at__lte=now - JOB_HAND_OFF_GRACE)
        | Q(state=Job.State.QUEUED, handed_at__lte=now - resend_after)
        | Q(state=Job.State.RUNNING, started_at__lt=now - job_running_timeout())
    )
    job_ids = list(Job.objects.filter(stale).order_by("created_at", "pk").values_list("pk", flat=True))
    return jobs_hand_off(job_ids=job_ids) if job_ids else 0


def jobs_purge(*, older_than_days: int | None = None) -> int:
    """Delete finished jobs (their arguments may name people) older than ``KS_JOB_RETENTION_DAYS``; returns how many."""
    days = settings.KS_JOB_RETENTION_DAYS if older_than_days is None else older_than_days
    deleted, _by_model = Job.objects.filter(
        state__in=[Job.State.DONE, Job.State.FAILED], created_at__lt=timezone.now() - datetime.timedelta(days=days)
    ).delete()
    return deleted


def heartbeat_beat(*, name: str = "worker") -> None:
    """Record that a worker ran a task sent by beat just now (read by the health check)."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})
