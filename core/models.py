import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A staff login. People sign in with their e-mail address; there is no username."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


# --- Mail outbox ----------------------------------------------------------------------------------------------


def outbox_sending_timeout() -> datetime.timedelta:
    """How long a row may stay in SENDING before the send counts as interrupted (``KS_OUTBOX_SENDING_TIMEOUT``).

    One SMTP conversation lasts seconds (each step times out after ``core.services.OUTBOX_SMTP_TIMEOUT``); a row
    older than this was abandoned by a worker that died during or after the conversation, and whether the mail left
    is unknown. ``core.services.outbox_resolve_interrupted`` then sends it again (beat, every minute).
    """
    return datetime.timedelta(seconds=settings.KS_OUTBOX_SENDING_TIMEOUT)


class OutboxMail(models.Model):
    """One outgoing e-mail. Rows move queued → sending → sent, or → retry (temporary SMTP error) → … → failed.

    Written by ``core.services.outbox_queue`` and sent by ``core.services.outbox_send`` under a row lock, so a task
    that runs twice sends once. ``body_text``/``body_html`` and the attachments are personal data and are blanked
    after ``KS_OUTBOX_BODY_RETENTION_DAYS`` (``body_purged_at``).

    A send interrupted by a dying worker (left in SENDING past :func:`outbox_sending_timeout`) is resolved by
    ``core.services.outbox_resolve_interrupted``: ``outcome_unknown_at`` is set (the recipient may get the mail
    twice) and the row goes back to retry, or, when it carries a personal link, becomes REPLACED by a new mail with
    a fresh link (``replaced_by``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        RETRY = "retry", _("waiting to retry")
        FAILED = "failed", _("failed")
        REPLACED = "replaced", _("interrupted – sent again with a new link")

    to = models.EmailField(_("to"))
    reply_to = models.EmailField(_("reply to"), blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    purpose = models.CharField(_("purpose"), max_length=40)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, null=True, blank=True, unique=True)
    # A plain id: core must not import delegates.
    related_participant_id = models.PositiveBigIntegerField(_("participant id"), null=True, blank=True, db_index=True)
    contains_secret = models.BooleanField(
        _("contains a personal link"),
        default=False,
        help_text=_("Never shown to staff; the text and attachments are deleted once the mail is sent."),
    )

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sending_started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    body_purged_at = models.DateTimeField(_("body deleted"), null=True, blank=True)
    outcome_unknown_at = models.DateTimeField(
        _("sending interrupted"),
        null=True,
        blank=True,
        help_text=_(
            "The worker stopped while sending this mail, so whether it left is unknown. It was sent again: the "
            "recipient may have received it twice."
        ),
    )
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("sent again as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
        help_text=_("The new mail, with a new personal link, that was sent instead of this interrupted one."),
    )

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="core_outbox_status_next_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "sending", "sent", "retry", "failed", "replaced"]),
                name="core_outboxmail_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"

    @property
    def is_outcome_unknown(self) -> bool:
        """Stuck in SENDING for a while: the worker died during or after talking to the mail server (until the next
        sweep of ``core.services.outbox_resolve_interrupted`` sends it again)."""
        return (
            self.status == self.Status.SENDING
            and self.sending_started_at is not None
            and self.sending_started_at < timezone.now() - outbox_sending_timeout()
        )


class OutboxAttachment(models.Model):
    mail = models.ForeignKey(OutboxMail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(_("content"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


# --- Background jobs ------------------------------------------------------------------------------------------


class Job(models.Model):
    """One piece of background work: a registered Celery task and its arguments, stored before the broker sees it.

    ``core.services.job_queue`` writes the row in the caller's transaction and hands ``core.tasks.run_job`` to the
    broker after the commit, without waiting for a broker that is away; a failed hand-off leaves the row QUEUED.
    The worker claims the row (QUEUED → RUNNING in one conditional UPDATE), so a job handed over twice runs once,
    and records DONE or FAILED. Beat hands over again whatever is still QUEUED after a while (the broker was away, or
    lost its messages in a restart): see ``core.services.jobs_resend_stale``.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued, waiting for the background process")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    handed_at = models.DateTimeField(
        _("handed to the broker"),
        null=True,
        blank=True,
        help_text=_("Last time the job was handed to the message broker; empty while the broker could not be reached."),
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"], name="core_job_state_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "running", "done", "failed"]), name="core_job_state_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk} ({self.state})"


class Heartbeat(models.Model):
    """The last time a background process proved it was alive (``core.tasks.worker_heartbeat``, sent by beat)."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name}: {self.at:%Y-%m-%d %H:%M:%S}"
