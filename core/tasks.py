import collections

from celery import current_app, shared_task
from django.conf import settings
from django.utils import timezone

from core import services
from core.models import OutboxMail


@shared_task(ignore_result=False)
def ping() -> str:
    """Round trip through the broker and a worker, for the real-services tests: the one task whose result is stored
    (``CELERY_TASK_IGNORE_RESULT``), because they read it."""
    return "pong"


#: The broker takes priority 0 first; every other task has ``CELERY_TASK_DEFAULT_PRIORITY`` (5). Mail is small and
#: waits for nothing, so it leaves while letters are still being rendered.
MAIL_PRIORITY = 0


@shared_task(bind=True, priority=MAIL_PRIORITY)
def send_outbox_mail(self, mail_id: int) -> str:
    """One attempt at sending an outbox mail; a duplicate or re-delivered task does nothing.

    After a temporary failure the task schedules itself again for when the back-off has passed, if that is sooner
    than half the broker's visibility timeout (a task held back longer is handed out again by the broker, once per
    timeout); later retries are left to the beat task ``retry_due_outbox_mail``, as in eager mode (the embedded
    default), where a countdown would run at once.
    """
    mail = services.outbox_send(mail_id=mail_id)
    _retry_later(self, mail)
    return mail.status


@shared_task(bind=True, priority=MAIL_PRIORITY)
def send_outbox_mails(self, mail_ids: list[int]) -> dict[str, int]:
    """``send_outbox_mail`` for a batch of mails (``core.services.outbox_batch``), over one SMTP connection."""
    mails = services.outbox_send_many(mail_ids=mail_ids)
    for mail in mails:
        _retry_later(self, mail)
    return dict(collections.Counter(mail.status for mail in mails))


def _retry_later(task, mail: OutboxMail) -> None:
    eager = task.request.is_eager or current_app.conf.task_always_eager
    if mail.status == OutboxMail.Status.RETRY and mail.attempted and mail.next_attempt_at and not eager:
        countdown = max((mail.next_attempt_at - timezone.now()).total_seconds(), 0)
        if countdown < settings.KS_CELERY_VISIBILITY_TIMEOUT / 2:
            send_outbox_mail.apply_async(args=[mail.pk], countdown=countdown)


@shared_task(priority=MAIL_PRIORITY)  # cheap, and mail waits for nothing: not behind a backlog of letters
def retry_due_outbox_mail() -> int:
    """Beat, every minute: re-queues RETRY mail whose back-off has passed and QUEUED mail whose task never arrived,
    and sends again the mail whose send was interrupted by a dying worker."""
    return services.outbox_retry_due() + services.outbox_resolve_interrupted()


@shared_task
def purge_outbox_bodies() -> int:
    """Beat, daily: delete the bodies and attachments of old sent/failed mail (personal data)."""
    return services.outbox_purge_bodies()


# --- Background jobs (core.services.job_queue) ----------------------------------------------------------------


@shared_task
def run_job(job_id: int) -> str | None:
    """Run one stored job if no other delivery has claimed it; a duplicate delivery does nothing."""
    job = services.job_run(job_id=job_id)
    return job.state if job is not None else None


@shared_task
def resend_stale_jobs() -> int:
    """Beat, every 30 s: hand over again the jobs that never reached a worker (the broker was away or lost them)."""
    return services.jobs_resend_stale()


@shared_task
def worker_heartbeat() -> None:
    """Beat, every 30 s: proves that beat, the broker and a worker work (the health check reads it)."""
    services.heartbeat_beat()


@shared_task
def purge_jobs() -> int:
    """Beat, daily: delete finished jobs after ``KS_JOB_RETENTION_DAYS``."""
    return services.jobs_purge()
