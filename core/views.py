"""The health check for load balancers and staff: ``/helse/`` (cheap) and ``/helse/detaljer/`` (fresh, staff only).

Both answer JSON. The status code is for a load balancer: 200 while this web process can serve (its database
answers), 503 when it cannot. What is degraded while the web still serves — Redis, the worker, work waiting too
long — is said in the body (``"status": "degraded"`` and the list ``"degraded"``), not in the code: taking the web
out of service would not bring Redis or the worker back.

``/helse/`` is asked very often (load balancers, the voting bench uses it as its trivial view), so it runs one
``SELECT 1`` and reuses the other checks from this process's memory for ``CHECKS_MAX_AGE`` seconds. The detail
endpoint runs every check on each request.
"""

from __future__ import annotations

import threading
import time

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from core.models import Heartbeat, Job, OutboxMail

#: Seconds ``/helse/`` reuses the Redis, worker and queue checks.
CHECKS_MAX_AGE = 5.0
#: Seconds to wait for Redis before calling it down.
REDIS_TIMEOUT = 0.5
#: A job or mail waiting longer than this is reported as degraded.
WAITING_TOO_LONG = 300

_cached: dict = {"at": float("-inf"), "checks": None}
_cache_lock = threading.Lock()


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return "down"
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not used"
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT, retry=None
    )
    try:
        client.ping()
    except (redis.exceptions.RedisError, OSError):
        return "down"
    finally:
        client.close()
    return "ok"


def _age(moment, now) -> int | None:
    return None if moment is None else max(int((now - moment).total_seconds()), 0)


def _worker(now) -> dict:
    if current_app.conf.task_always_eager:
        return {"status": "not used", "last_seen_seconds": None}  # tasks run in the web process itself
    beat = Heartbeat.objects.filter(name="worker").values_list("at", flat=True).first()
    age = _age(beat, now)
    late = age is not None and age > settings.KS_WORKER_HEARTBEAT_LATE_AFTER
    status = "unknown" if age is None else ("late" if late else "ok")
    return {"status": status, "last_seen_seconds": age}


def _waiting(queryset, now, field: str = "created_at") -> dict:
    summary = queryset.aggregate(oldest=Min(field), waiting=Count("pk"))
    return {"waiting": summary["waiting"], "oldest_waiting_seconds": _age(summary["oldest"], now)}


def _checks() -> dict:
    now = timezone.now()
    checks: dict = {"redis": _redis()}
    try:
        checks["worker"] = _worker(now)
        checks["jobs"] = _waiting(Job.objects.filter(state=Job.State.QUEUED), now)
        checks["mail"] = _waiting(OutboxMail.objects.filter(status=OutboxMail.Status.QUEUED), now)
    except Exception:
        checks.update(worker={"status": "unknown"}, jobs={}, mail={})
    return checks


def _cached_checks() -> dict:
    stale = _cached["checks"] is None or time.monotonic() - _cached["at"] > CHECKS_MAX_AGE
    # One request per process refreshes; the others meanwhile use the previous answer (if there is one).
    if stale and _cache_lock.acquire(blocking=_cached["checks"] is None):
        try:
            _cached["checks"], _cached["at"] = _checks(), time.monotonic()
        finally:
            _cache_lock.release()
    return _cached["checks"]


def _response(database: str, checks: dict) -> JsonResponse:
    degraded = []
    if checks.get("redis") == "down":
        degraded.append("redis")
    if checks.get("worker", {}).get("status") in ("late", "unknown"):
        degraded.append("worker")
    for name in ("jobs", "mail"):
        if (checks.get(name, {}).get("oldest_waiting_seconds") or 0) > WAITING_TOO_LONG:
            degraded.append(name)
    if database != "ok":
        status, code = "down", 503
    else:
        status, code = ("degraded" if degraded else "ok"), 200
    body = {"status": status, "database": database, **checks, "degraded": degraded}
    response = JsonResponse(body, status=code)
    response["Cache-Control"] = "no-store"
    return response


def health(request: HttpRequest) -> JsonResponse:
    database = _database()
    if database != "ok":
        return _response(database, {})
    return _response(database, _cached_checks())


def health_detail(request: HttpRequest) -> JsonResponse:
    """Every check, fresh: for staff only, since each call costs a Redis connection and queries (``/helse/`` is the
    public, cheap one)."""
    if not (request.user.is_authenticated and request.user.is_staff):
        raise PermissionDenied
    database = _database()
    return _response(database, _checks() if database == "ok" else {"redis": _redis()})
