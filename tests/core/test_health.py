"""The health check (issue 13, item 3): ``/helse/`` tells a load balancer whether the web can serve and says what is
degraded — the database, Redis, the worker's heartbeat, the age of the oldest waiting job — while staying cheap."""

import datetime
import socket

import pytest
from celery import current_app
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import views
from core.models import Heartbeat, Job
from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.django_db]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _fresh_checks(monkeypatch):
    monkeypatch.setattr(views, "_cached", {"at": float("-inf"), "checks": None})


@pytest.fixture
def client(client):
    """Signed in as staff: the detailed check is theirs (the load balancer's is the plain ``/helse/``)."""
    client.force_login(StaffUserFactory())
    return client


def test_the_detailed_check_is_for_staff_only():
    anonymous = Client()
    assert anonymous.get(reverse("health_detail")).status_code == 403
    assert anonymous.get(reverse("health")).status_code == 200


@pytest.fixture
def with_worker():
    """As in production: tasks go to a worker (tests/conftest.py puts the eager setting back afterwards)."""
    current_app.conf.task_always_eager = False


def test_all_well_in_the_embedded_default(client, settings):
    settings.REDIS_URL = ""  # as without REDIS_URL; CI's PostgreSQL half sets it
    for url in (reverse("health"), reverse("health_detail")):
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok" and body["database"] == "ok" and body["degraded"] == []
        assert body["worker"]["status"] == "not used"  # tasks run in the web process
        assert body["jobs"] == {"waiting": 0, "oldest_waiting_seconds": None}
        assert body["mail"] == {"waiting": 0, "oldest_waiting_seconds": None}
        assert response["Cache-Control"] == "no-store"


def test_redis_down_is_reported_and_the_web_still_serves(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    started = timezone.now()
    response = client.get(reverse("health_detail"))
    assert (timezone.now() - started).total_seconds() < 2
    assert response.status_code == 200  # a load balancer must not take the web out: that brings no Redis back
    body = response.json()
    assert body["status"] == "degraded" and body["redis"] == "down" and "redis" in body["degraded"]


@pytest.mark.usefixtures("with_worker")
def test_the_worker_heartbeat(client, settings):
    settings.KS_WORKER_HEARTBEAT_LATE_AFTER = 120
    url = reverse("health_detail")
    body = client.get(url).json()
    assert body["worker"] == {"status": "unknown", "last_seen_seconds": None} and "worker" in body["degraded"]

    Heartbeat.objects.create(name="worker", at=timezone.now() - datetime.timedelta(seconds=20))
    body = client.get(url).json()
    assert body["worker"]["status"] == "ok" and 19 <= body["worker"]["last_seen_seconds"] <= 25
    assert body["status"] == "ok"

    Heartbeat.objects.filter(name="worker").update(at=timezone.now() - datetime.timedelta(minutes=10))
    body = client.get(url).json()
    assert body["worker"]["status"] == "late" and body["status"] == "degraded" and body["degraded"] == ["worker"]


def test_the_beat_task_writes_the_heartbeat():
    from core.tasks import worker_heartbeat

    worker_heartbeat()
    assert (timezone.now() - Heartbeat.objects.get(name="worker").at).total_seconds() < 5


def test_the_oldest_waiting_job(client):
    Job.objects.create(task="core.tasks.ping", created_at=timezone.now() - datetime.timedelta(minutes=10))
    Job.objects.create(task="core.tasks.ping")
    Job.objects.create(task="core.tasks.ping", state=Job.State.DONE, created_at=timezone.now() - datetime.timedelta(1))
    body = client.get(reverse("health_detail")).json()
    assert body["jobs"]["waiting"] == 2 and 595 <= body["jobs"]["oldest_waiting_seconds"] <= 610
    assert body["status"] == "degraded" and body["degraded"] == ["jobs"]


def test_database_down_answers_503(client, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.Database.OperationalError("the database is gone")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["status"] == "down" and response.json()["database"] == "down"


def test_the_plain_check_stays_cheap(client, django_assert_num_queries):
    # The voting bench and load balancers ask /helse/ many times a second: one query, the rest reused for a while.
    client.get(reverse("health"))
    for _ in range(5):
        with django_assert_num_queries(1):
            assert client.get(reverse("health")).status_code == 200
