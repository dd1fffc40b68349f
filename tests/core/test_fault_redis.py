"""Redis down (issue 13, item 3): nothing handed to the queue is lost, nothing waits for Redis, nobody gets a 500.

The probe found, with Redis stopped: ordering a PDF and "Send invitations" each hung 19 s and then reported success;
once Redis was back the document stayed queued for ever and the invitations were never created; staff sign-in and
the lost-link form answered 500 (the rate limiter's cache is Redis). These tests stop Redis — a port with nothing on
it, a Redis server of their own that is paused, or stopped and started again under a real worker — never the shared
one.
"""

import datetime
import json
import os
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection
from django.urls import reverse
from kombu.exceptions import OperationalError

from core.cache import ResilientRedisCache
from core.models import Job, OutboxMail
from delegates.models import GeneratedDocument, PersonalLink
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory, SecretariatUserFactory

PROJECT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    """A port with nothing listening on it (Redis "stopped")."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings_with_redis(monkeypatch, url: str) -> dict:
    """The settings module as production builds it with ``REDIS_URL`` set (the test settings run without it)."""
    monkeypatch.setenv("REDIS_URL", url)
    return runpy.run_path(str(PROJECT / "ks_landsting" / "settings" / "__init__.py"), run_name="settings_probe")


class RedisServer:
    """A Redis server of the test's own, on a free port, without persistence: a restart empties it."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # in case a test paused it
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server(tmp_path):
    if not REDIS_SERVER:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


# --- Handing work to the broker -------------------------------------------------------------------------------


def celery_app_for(monkeypatch, url: str) -> Celery:
    """A Celery app configured as production configures it, with its broker at ``url``."""
    import core.tasks  # noqa: F401  (registers the tasks with every app)

    built = settings_with_redis(monkeypatch, url)
    app = Celery("broker_down_probe", set_as_current=False)
    app.config_from_object(types.SimpleNamespace(**built), namespace="CELERY")
    app.conf.task_always_eager = False
    return app


def assert_hand_off_fails_fast(app: Celery) -> None:
    task = app.tasks["core.tasks.run_job"]
    for call in (lambda: task.delay(1), lambda: task.apply_async(args=[1], retry=False)):
        started = time.monotonic()
        with pytest.raises(OperationalError):
            call()
        assert time.monotonic() - started < 2


def test_handing_a_task_to_a_stopped_broker_fails_within_two_seconds(monkeypatch):
    """Celery's defaults retried for 19 s (result-backend reconnects, publish retries) before failing."""
    app = celery_app_for(monkeypatch, f"redis://127.0.0.1:{free_port()}/0")
    try:
        assert_hand_off_fails_fast(app)
    finally:
        app.close()


def test_handing_a_task_to_a_hung_broker_fails_within_two_seconds(monkeypatch, redis_server):
    """A Redis that accepts connections but answers nothing (paused) must not hold the request either."""
    app = celery_app_for(monkeypatch, redis_server.url)
    redis_server.process.send_signal(signal.SIGSTOP)
    try:
        assert_hand_off_fails_fast(app)
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
        app.close()


# --- The cache (rate limits) ----------------------------------------------------------------------------------


def resilient_cache(url: str, **options) -> ResilientRedisCache:
    params = {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, **options}}
    return ResilientRedisCache(url, params)


def test_the_cache_keeps_counting_in_memory_while_redis_is_down(caplog):
    cache = resilient_cache(f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    assert cache.get("missing") is None
    assert cache.add("hits", 0, 60) is True
    assert cache.incr("hits") == 1 and cache.incr("hits") == 2
    cache.set("other", "value", 60)
    assert cache.get_many(["hits", "other"]) == {"hits": 2, "other": "value"}
    with pytest.raises(ValueError):
        cache.incr("never-added")  # the same contract as Redis: the portal's limiter relies on it
    assert time.monotonic() - started < 2
    assert cache.is_down
    # One warning for the outage, not one per call.
    assert len([r for r in caplog.records if "cannot be reached" in r.getMessage()]) == 1


def test_a_hung_redis_costs_one_short_timeout_then_nothing(redis_server):
    cache = resilient_cache(redis_server.url)
    cache.set("key", "in redis", 60)
    assert cache.get("key") == "in redis"
    redis_server.process.send_signal(signal.SIGSTOP)  # accepts connections, answers nothing
    try:
        started = time.monotonic()
        assert cache.get("key") is None  # from memory: Redis did not answer within the timeout
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(20):
            cache.get("key")
        rest = time.monotonic() - started
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
    assert first < 1.5 and rest < 0.2
    cache._down_until = 0  # the retry delay has passed
    assert cache.get("key") == "in redis"


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_staff_sign_in_and_the_lost_link_form_work_with_redis_down(
    client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Both answered 500 with Redis stopped: allauth's and the portal's rate limits are kept in the cache."""
    built = settings_with_redis(monkeypatch, f"redis://127.0.0.1:{free_port()}/0")
    settings.CACHES = built["CACHES"]
    user = SecretariatUserFactory(email="sekretariat@ks.no")
    user.set_password("et-langt-passord-1")
    user.save()

    started = time.monotonic()
    login = reverse("account_login")
    wrong = client.post(login, {"login": "sekretariat@ks.no", "password": "feil-passord-123"})
    assert wrong.status_code == 200  # the form again, with its error; not a 500
    right = client.post(login, {"login": "sekretariat@ks.no", "password": "et-langt-passord-1"})
    assert right.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()

    with django_capture_on_commit_callbacks(execute=True):
        lost = client.post(reverse("portal:lost_link"), {"email": "nobody@example.no"})
    assert lost.status_code == 200
    assert time.monotonic() - started < 5  # four requests, none waiting for Redis

    # The limits still count while Redis is away (in this process's memory), they are not switched off.
    for _ in range(12):
        client.post(login, {"login": "sekretariat@ks.no", "password": "feil-passord-123"})
    limited = client.post(login, {"login": "sekretariat@ks.no", "password": "et-langt-passord-1"})
    assert limited.status_code != 302  # refused, even with the right password: too many failed attempts


# --- The real thing: a worker, Redis stopped and started ------------------------------------------------------

CLIENT = r"""
import json, os, sys, time
import django
django.setup()
from django.test import Client
from django.urls import reverse
from core.models import User
from delegates.services import invitations

command, congress_id, user_id = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if command == "order":
    # Several jobs per click, as with a large congress (batches of two letters).
    invitations.INVITATION_BATCH_SIZE = 2
    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    for kind in sys.argv[4].split(","):
        started = time.monotonic()
        response = client.post(reverse("delegates_staff:documents"), {"congress": congress_id, "kind": kind})
        print(json.dumps({"what": "document", "status": response.status_code, "seconds": time.monotonic() - started}))
    ids = [int(i) for i in sys.argv[5].split(",")]
    started = time.monotonic()
    response = client.post(
        reverse("admin:delegates_participant_changelist"),
        {"action": "send_invitations", "_selected_action": ids, "confirm": "yes"},
    )
    print(json.dumps({"what": "invitations", "status": response.status_code, "seconds": time.monotonic() - started}))
elif command == "beat":
    # What beat does every 30 s, as if KS_JOB_RESEND_AFTER had passed, until every job has finished.
    import datetime
    from django.utils import timezone
    from core.models import Job
    from core.services import jobs_resend_stale
    deadline = time.monotonic() + float(sys.argv[4])
    rounds = 0
    while time.monotonic() < deadline and Job.objects.exclude(state__in=["done", "failed"]).exists():
        # A job handed over twice is claimed once; a running one is taken over only if its worker is gone.
        rounds += 1
        jobs_resend_stale(now=timezone.now() + datetime.timedelta(seconds=600))
        time.sleep(2)
    print(json.dumps({"what": "beat", "rounds": rounds}))
"""


class Worker:
    """A Celery worker of the test's own, restarted when it exits, as docker compose's ``restart`` does.

    It can exit on a broker outage: kombu raises ``AttributeError`` when a task finishes (and is acknowledged, with
    ``CELERY_TASK_ACKS_LATE``) after the connection to Redis was lost. The restarts are counted and reported.
    """

    def __init__(self, env: dict, queue: str, log: Path):
        self.env, self.queue, self.log = env, queue, log
        self.process: subprocess.Popen | None = None
        self.restarts = 0

    def start(self) -> None:
        command = [sys.executable, "-m", "celery", "-A", "ks_landsting", "worker", "-c", "2", "-Q", self.queue]
        options = [f"--hostname={self.queue}-{self.restarts}@%h", "--loglevel=INFO", "--without-gossip"]
        with self.log.open("a") as log:
            log.write("\n--- worker (re)started ---\n")
            log.flush()
            self.process = subprocess.Popen(
                [*command, *options, "--without-mingle"],
                cwd=PROJECT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.log.read_text().rsplit("--- worker (re)started ---", 1)[-1].count(" ready.") == 0:
            assert self.process.poll() is None and time.monotonic() < deadline, self.log.read_text()[-5000:]
            time.sleep(0.2)

    def keep_running(self) -> None:
        if self.process.poll() is not None:
            self.restarts += 1
            self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.mark.real_services
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not REDIS_SERVER, reason="redis-server is not installed")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs the test database by name (PostgreSQL)")
def test_redis_stopped_and_started_while_documents_and_invitations_are_queued(tmp_path, redis_server):
    # Before the registration deadline: invitations are refused after it (delegates.selectors.invitations_plan).
    congress = CongressFactory(
        year=2024,
        registration_deadline=datetime.date(2030, 1, 15),
        first_day=datetime.date(2030, 2, 12),
        last_day=datetime.date(2030, 2, 13),
    )
    county = CountyFactory(number="46", name="Vestland")
    people = [ParticipantFactory(congress=congress, county=county) for _ in range(10)]
    staff = SecretariatUserFactory()
    queue = f"h13c1-fault-{os.getpid()}-{redis_server.port}"
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"MEDIA_ROOT", "EMAIL_URL", "KS_EXPECT_CELERY_WORKER"}},
        "DJANGO_SETTINGS_MODULE": "ks_landsting.settings.test",
        "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_server.url,
        "CELERY_QUEUE": queue,
        "EMAIL_URL": "",
        "KS_VAR_DIR": str(tmp_path),
        # A job whose worker exited mid-task runs again after this (production: 10 minutes).
        "KS_JOB_RUNNING_TIMEOUT": "20",
    }
    worker = Worker(env, queue, tmp_path / "worker.log")

    def client(*args: str) -> list[dict]:
        done = subprocess.run(
            [sys.executable, "-c", CLIENT, *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]

    try:
        worker.start()
        worker.wait_until_ready()
        started = time.monotonic()
        ids = [str(p.pk) for p in people]
        # Redis up: two documents and five invitations handed over; Redis stops while they are being done.
        up = client("order", str(congress.pk), str(staff.pk), "participant_list,programme", ",".join(ids[:5]))
        redis_server.stop()
        # Redis down: two more documents and five more invitations; every page answers at once.
        down = client("order", str(congress.pk), str(staff.pk), "participant_list,name_cards", ",".join(ids[5:]))
        redis_server.start()  # empty: whatever was waiting in it is gone
        beat = subprocess.Popen(
            [sys.executable, "-c", CLIENT, "beat", str(congress.pk), str(staff.pk), "45"],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        while beat.poll() is None:
            worker.keep_running()
            time.sleep(0.5)
        out, err = beat.communicate()
        assert beat.returncode == 0, err[-3000:]
        rounds = json.loads(out.strip().splitlines()[-1])["rounds"]
        elapsed = time.monotonic() - started
    finally:
        worker.stop()

    documents = list(GeneratedDocument.objects.values_list("status", flat=True))
    jobs = list(Job.objects.values_list("state", "attempts"))
    invitation_mails = OutboxMail.objects.filter(related_participant_id__in=[p.pk for p in people])
    per_person = {p.pk: invitation_mails.filter(related_participant_id=p.pk).count() for p in people}
    links = {p.pk: PersonalLink.objects.filter(participant=p).count() for p in people}
    counts = {
        "seconds": round(elapsed, 1),
        "documents ordered": len(documents),
        "documents done": documents.count(GeneratedDocument.Status.DONE),
        "jobs": len(jobs),
        "jobs done": sum(state == Job.State.DONE for state, _attempts in jobs),
        "jobs claimed more than once": sum(attempts > 1 for _state, attempts in jobs),
        "invitations created": sum(per_person.values()),
        "participants with two invitations": sum(n > 1 for n in per_person.values()),
        "mails sent so far": invitation_mails.filter(status=OutboxMail.Status.SENT).count(),
        "pages with Redis up (s)": [round(entry["seconds"], 2) for entry in up],
        "pages with Redis down (s)": [round(entry["seconds"], 2) for entry in down],
        "beat rounds": rounds,
        "worker restarts": worker.restarts,
    }
    print("fault test counts:", json.dumps(counts))
    assert all(entry["status"] in (200, 302) for entry in up + down), up + down
    assert max(counts["pages with Redis down (s)"]) < 2, counts
    assert counts["documents ordered"] == 4 and counts["documents done"] == 4, counts
    assert counts["jobs"] == counts["jobs done"], counts
    assert counts["invitations created"] == 10 and counts["participants with two invitations"] == 0, counts
    assert all(n == 1 for n in links.values()), links
