"""The embedded default's background process: jobs run in a thread of the web process, after the response.

Without ``REDIS_URL`` Celery runs tasks eagerly, in-process. Handing a job to the broker would then run it inside
the request that queued it: ordering 455 badges held the click for 8.5 s with nothing on screen, and the page that
followed could not show the document being made. With ``KS_EAGER_JOBS_IN_THREAD`` (on by default in the embedded
default, off in the tests, which expect the work done when the request returns) :func:`hand_off` gives the jobs to a
thread instead, and the request answers at once; the pages then show the job queued, running with its progress, and
finished, as they do with a real worker.

One job runs at a time (like a single worker), through the same claim as a worker's (``core.services.job_run``), so
a job is never run twice. The thread is not a daemon: a process that exits (``runserver`` reloading, a management
command) finishes the job it has started instead of leaving it RUNNING with no beat to take it over.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from core.models import Job

logger = logging.getLogger(__name__)

#: One job at a time, as one worker process would.
_one_at_a_time = threading.Lock()


def enabled() -> bool:
    """True when jobs run in a thread of this process (Celery eager, ``KS_EAGER_JOBS_IN_THREAD``)."""
    from celery import current_app

    return bool(current_app.conf.task_always_eager and getattr(settings, "KS_EAGER_JOBS_IN_THREAD", False))


def hand_off(*, job_ids: Sequence[int]) -> int:
    """Start a thread that runs the jobs one after the other; returns how many it took (all of them)."""
    job_ids = list(job_ids)
    if not job_ids:
        return 0
    Job.objects.filter(pk__in=job_ids, state=Job.State.QUEUED).update(handed_at=timezone.now())
    thread = threading.Thread(target=_run, args=(job_ids,), name=f"ks-job-{job_ids[0]}", daemon=False)
    thread.start()
    return len(job_ids)


def _run(job_ids: list[int]) -> None:
    from core.services import job_run  # core.services imports this module

    try:
        with _one_at_a_time:
            for job_id in job_ids:
                close_old_connections()
                try:
                    job_run(job_id=job_id)
                except Exception:  # job_run records a failing task itself; this is the database going away
                    logger.exception("Background job %s could not be run in the web process", job_id)
    finally:
        connections.close_all()
