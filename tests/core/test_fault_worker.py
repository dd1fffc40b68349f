"""A worker killed mid-batch loses no mail (issue 13, item 4), on real services of the test's own.

A Redis server on a free port, a Celery worker and beat as subprocesses on the test database, and an SMTP server that
takes a moment to answer (so that a worker killed meanwhile does not know whether its mail arrived). 300 invitations
are queued, the worker and its pool are killed with SIGKILL while letters are still being rendered and mails sent,
and a new worker is started. The timeouts are short for the test (settings read from the environment): the broker
hands an unacknowledged task out again after 10 s, a mail left "sending" for 5 s counts as interrupted, beat sweeps
the outbox every 2 s. PostgreSQL only: the worker reads the test database by name.
"""

import collections
import datetime
import logging
import re
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from core.models import OutboxMail
from delegates.models import Participant
from delegates.services.links import LinkProblem, personal_link_resolve
from tests.core.fault_services import (
    ROOT,
    CeleryProcess,
    RecordingSmtp,
    redis_server,
    redis_server_available,
    service_environment,
)
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory, RegionalOfficeFactory

pytestmark = [
    pytest.mark.real_services,
    pytest.mark.skipif(not redis_server_available(), reason="needs redis-server to start a Redis of the test's own"),
]

INVITATIONS = 300
LINK = re.compile(r"/p/([A-Za-z0-9_-]{43})/")
UNFINISHED = (OutboxMail.Status.QUEUED, OutboxMail.Status.SENDING, OutboxMail.Status.RETRY)

QUEUE_INVITATIONS = """
import django
django.setup()
from django.db import transaction
from delegates.models import Participant
from delegates.services.invitations import invitations_queue
with transaction.atomic():
    plan = invitations_queue(participants=Participant.objects.filter(congress_id={congress_id}), user=None)
print(len(plan.to_send), len(plan.refused))
"""


def wait_for(condition, *, timeout: float, step: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


@pytest.fixture
def postgresql_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the worker subprocess reads the test database by its name")


def test_a_worker_killed_mid_batch_loses_no_invitation(postgresql_only, tmp_path, record_property, caplog):
    caplog.set_level(logging.WARNING, logger="mail.log")  # aiosmtpd's chatter for every connection
    county = CountyFactory(number="50", name="Trøndelag")
    county.regional_office = RegionalOfficeFactory(name="KS Trøndelag", email="trondelag@ks.no")
    county.save()
    # Before the registration deadline: invitations are refused after it (delegates.selectors.invitations_plan).
    congress = CongressFactory(
        registration_deadline=datetime.date(2030, 1, 15),
        first_day=datetime.date(2030, 2, 12),
        last_day=datetime.date(2030, 2, 13),
    )
    participants = ParticipantFactory.create_batch(INVITATIONS, congress=congress, county=county)
    addresses = {p.email.lower(): p.pk for p in participants}
    queue = f"fault-worker-{uuid.uuid4().hex[:8]}"
    worker_args = ["worker", "--concurrency", "2", "-Q", queue, "--hostname", f"{queue}@%h", "--loglevel", "WARNING"]

    with redis_server() as redis_url, RecordingSmtp(delay=0.05) as smtp:
        env = service_environment(
            redis_url=redis_url,
            queue=queue,
            smtp_port=smtp.port,
            KS_CELERY_VISIBILITY_TIMEOUT="10",
            KS_OUTBOX_SENDING_TIMEOUT="5",
            KS_OUTBOX_SWEEP_SECONDS="2",
            KS_JOB_RUNNING_TIMEOUT="8",
        )
        worker = CeleryProcess(worker_args, env, tmp_path / "worker.log").start()
        beat = CeleryProcess(
            ["beat", "--schedule", str(tmp_path / "beat-schedule"), "--loglevel", "WARNING"], env, tmp_path / "beat.log"
        ).start()
        try:
            queued = subprocess.run(
                [sys.executable, "-c", QUEUE_INVITATIONS.format(congress_id=congress.pk)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert queued.returncode == 0, queued.stderr
            assert queued.stdout.split() == [str(INVITATIONS), "0"]
            started = time.monotonic()

            # Kill the worker and its pool once a fifth has arrived: letters are being rendered and mails sent. (Or,
            # should the mail wait behind the letters, once a third of the letters are stored.)
            def mid_batch() -> bool:
                stored = OutboxMail.objects.filter(purpose="invitation").count()
                return smtp.count() >= INVITATIONS // 5 or stored >= INVITATIONS // 3

            assert wait_for(mid_batch, timeout=90), worker.log_tail()
            worker.kill()
            killed_at, killed_after = smtp.count(), time.monotonic() - started
            at_kill = collections.Counter(
                OutboxMail.objects.filter(purpose="invitation").values_list("status", flat=True)
            )
            worker = CeleryProcess(worker_args, env, tmp_path / "worker.log").start()

            def finished() -> bool:
                rows = OutboxMail.objects.filter(purpose="invitation")
                done = set(rows.filter(status=OutboxMail.Status.SENT).values_list("related_participant_id", flat=True))
                return len(done) == INVITATIONS and not rows.filter(status__in=UNFINISHED).exists()

            if not wait_for(finished, timeout=90, step=0.5):
                rows = OutboxMail.objects.filter(purpose="invitation")
                states = collections.Counter(rows.values_list("status", flat=True))
                pytest.fail(
                    f"not finished 90 s after the restart: {smtp.count()} received, outbox {dict(states)}, "
                    f"{rows.values('related_participant_id').distinct().count()} of {INVITATIONS} invited\n"
                    + worker.log_tail()
                )
            done_after = time.monotonic() - started
            time.sleep(1)  # anything late (a duplicate) still arrives
        finally:
            worker.stop()
            beat.stop()

        received = smtp.received()

    rows = OutboxMail.objects.filter(purpose="invitation")
    by_status = collections.Counter(rows.values_list("status", flat=True))
    per_recipient = collections.Counter(message["To"].lower() for message in received)
    working: set[int] = set()
    for message in received:
        token = LINK.search(message.get_body(("plain",)).get_content()).group(1)
        try:
            link = personal_link_resolve(token=token, touch=False)
        except LinkProblem as problem:
            pytest.fail(f"a mailed link does not open ({problem.code}): {message['To']}")
        assert link.participant_id == addresses[message["To"].lower()]
        working.add(link.participant_id)
    lost = len(set(addresses.values()) - working)
    never_finished = sum(by_status[status] for status in UNFINISHED)
    twice = {address for address, count in per_recipient.items() if count > 1}
    flagged = set(
        Participant.objects.filter(
            pk__in=rows.filter(outcome_unknown_at__isnull=False).values("related_participant_id")
        ).values_list("email", flat=True)
    )
    summary = (
        f"{INVITATIONS} invitations; worker killed after {killed_after:.0f} s and {killed_at} mails (outbox then: "
        f"{dict(at_kill)}); all sent after {done_after:.0f} s; "
        f"received {len(received)}; lost {lost}; never finished {never_finished}; "
        f"recipients with two mails {len(twice)}; flagged as interrupted {len(flagged)}; outbox {dict(by_status)}"
    )
    print(summary)
    record_property("fault_worker_counts", summary)

    assert killed_at < INVITATIONS  # the kill came mid-batch
    assert lost == 0
    assert never_finished == 0
    assert set(per_recipient) == set(addresses)
    # Only a recipient whose send was interrupted (and flagged for staff) may have two mails.
    assert twice <= {address.lower() for address in flagged}
    assert Participant.objects.filter(congress=congress).count() == INVITATIONS


def test_on_the_broker_a_mail_goes_ahead_of_work_queued_before_it(monkeypatch):
    """Letters are rendered batch after batch; the mail of a batch rendered must not wait behind the batches still to
    be rendered (issue 13, item 10: the first of 1,000 mails left after 43 s)."""
    from core import tasks
    from ks_landsting.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)  # the embedded default runs tasks in-process
    queue = f"fault-priority-{uuid.uuid4().hex[:8]}"
    with redis_server() as redis_url, app.connection_for_write(redis_url) as connection:
        for _ in range(3):
            tasks.ping.apply_async(connection=connection, queue=queue)  # any other work: the default priority
        tasks.send_outbox_mail.apply_async(args=[1], connection=connection, queue=queue)
        tasks.send_outbox_mails.apply_async(args=[[2, 3]], connection=connection, queue=queue)
        channel = connection.default_channel
        taken = []
        while (message := channel.basic_get(queue, no_ack=True)) is not None:
            taken.append(message.headers["task"])

    assert taken == ["core.tasks.send_outbox_mail", "core.tasks.send_outbox_mails", *["core.tasks.ping"] * 3]
