import datetime

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

# A row that has been in SENDING this long was most likely abandoned by a killed worker after (or during) the SMTP
# conversation: whether the mail went out is unknown, so it is never sent again automatically.
OUTBOX_SENDING_STALE_AFTER = datetime.timedelta(minutes=10)


class OutboxMail(models.Model):
    """One outgoing e-mail. Rows move queued → sending → sent, or → retry (temporary SMTP error) → … → failed.

    Written by ``core.services.outbox_queue`` and sent by ``core.services.outbox_send`` under a row lock, so a task
    that runs twice sends once. ``body_text``/``body_html`` and the attachments are personal data and are blanked
    after ``KS_OUTBOX_BODY_RETENTION_DAYS`` (``body_purged_at``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        RETRY = "retry", _("waiting to retry")
        FAILED = "failed", _("failed")

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

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="core_outbox_status_next_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "sending", "sent", "retry", "failed"]),
                name="core_outboxmail_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"

    @property
    def is_outcome_unknown(self) -> bool:
        """Stuck in SENDING for a while: the worker died during or after talking to the mail server."""
        return (
            self.status == self.Status.SENDING
            and self.sending_started_at is not None
            and self.sending_started_at < timezone.now() - OUTBOX_SENDING_STALE_AFTER
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
