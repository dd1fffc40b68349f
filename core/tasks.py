from celery import current_app, shared_task
from django.utils import timezone

from core import services
from core.models import OutboxMail


@shared_task
def ping() -> str:
    """Round trip through the broker and a worker; used by the health check and the real-services tests."""
    return "pong"


@shared_task(bind=True)
def send_outbox_mail(self, mail_id: int) -> str:
    """One attempt at sending an outbox mail; a duplicate or re-delivered task does nothing.

    After a temporary failure the task schedules itself again for when the back-off has passed. In eager mode
    (the embedded default) a countdown would run at once, so there the beat task ``retry_due_outbox_mail`` is left
    to pick the mail up.
    """
    mail = services.outbox_send(mail_id=mail_id)
    eager = self.request.is_eager or current_app.conf.task_always_eager
    if mail.status == OutboxMail.Status.RETRY and mail.attempted and mail.next_attempt_at and not eager:
        countdown = max((mail.next_attempt_at - timezone.now()).total_seconds(), 0)
        self.apply_async(args=[mail_id], countdown=countdown)
    return mail.status


@shared_task
def retry_due_outbox_mail() -> int:
    """Beat, every minute: a safety net that re-queues RETRY mail whose back-off has passed."""
    return services.outbox_retry_due()


@shared_task
def purge_outbox_bodies() -> int:
    """Beat, daily: delete the bodies and attachments of old sent/failed mail (personal data)."""
    return services.outbox_purge_bodies()
