"""Cross-cutting reads: is background work being picked up?"""

import datetime

from celery import current_app
from django.conf import settings
from django.utils import timezone

from core.models import Heartbeat, Job


def background_work_delayed() -> bool:
    """True when queued work is not reaching a worker, so a page can say that it waits rather than that it runs.

    That is: a job could not be handed to the broker (it is away), or the worker's heartbeat (sent by beat every
    30 s) is missing or older than ``KS_WORKER_HEARTBEAT_LATE_AFTER``. Never true when tasks run in-process (eager).
    Two small queries.
    """
    if current_app.conf.task_always_eager:
        return False
    if Job.objects.filter(state=Job.State.QUEUED, handed_at__isnull=True).exists():
        return True
    beat = Heartbeat.objects.filter(name="worker").values_list("at", flat=True).first()
    late_after = datetime.timedelta(seconds=settings.KS_WORKER_HEARTBEAT_LATE_AFTER)
    return beat is None or beat < timezone.now() - late_after
