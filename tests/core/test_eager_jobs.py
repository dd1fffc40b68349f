"""The embedded default's background process (core.eager_jobs): with eager Celery, a job runs in a thread of the web
process after the request, not inside it (issue 14, item 6), one at a time and through the worker's claim."""

import threading

import pytest
from celery import shared_task

from core import eager_jobs
from core.models import Job
from core.services import job_queue, jobs_queue

pytestmark = pytest.mark.django_db(transaction=True)

_release = threading.Event()
_ran: list[tuple[str, int]] = []


@shared_task(name="tests.core.test_eager_jobs.wait_then_note")
def wait_then_note(number: int) -> None:
    assert _release.wait(30)
    _ran.append((threading.current_thread().name, number))


@pytest.fixture(autouse=True)
def _reset():
    _release.clear()
    _ran.clear()
    yield
    _release.set()
    for thread in threading.enumerate():
        if thread.name.startswith("ks-job-"):
            thread.join(30)


def test_with_the_thread_on_the_caller_goes_on_before_the_job_has_run(settings):
    settings.KS_EAGER_JOBS_IN_THREAD = True
    assert eager_jobs.enabled()
    first, _second = jobs_queue(task=wait_then_note, calls=[[1], [2]])  # autocommit: handed over at once
    assert _ran == []  # the caller is not held up by the jobs
    assert Job.objects.get(pk=first.pk).handed_at is not None

    _release.set()
    for thread in threading.enumerate():
        if thread.name.startswith("ks-job-"):
            thread.join(30)
    assert [number for _name, number in _ran] == [1, 2]  # in order, one at a time
    assert all(name.startswith("ks-job-") for name, _number in _ran)
    assert set(Job.objects.values_list("state", "attempts")) == {(Job.State.DONE, 1)}


def test_with_the_thread_off_the_job_runs_in_the_callers_thread(settings):
    settings.KS_EAGER_JOBS_IN_THREAD = False
    assert not eager_jobs.enabled()
    _release.set()
    job = job_queue(task=wait_then_note, args=[3])
    assert _ran == [(threading.current_thread().name, 3)]
    assert Job.objects.get(pk=job.pk).state == Job.State.DONE
