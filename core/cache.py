"""A Redis cache that a Redis outage cannot turn into server errors (issue 13).

The cache holds only short-lived counters and markers: allauth's rate limits (failed sign-ins, password resets) and
its used TOTP codes, and the portal's lost-link limits. With Django's ``RedisCache`` a stopped Redis made staff
sign-in and the lost-link form answer 500. ``ResilientRedisCache`` asks Redis with short socket timeouts (the
``OPTIONS`` in settings) and, when Redis cannot be reached, logs a warning and serves the call from a process-local
memory cache instead; for a few seconds after a failure it does not ask Redis at all, so a request never waits for
more than one timeout.

What this means for the rate limits while Redis is down: they keep counting, in each web process's memory. A limit
of ten failed sign-ins a minute becomes ten per process — looser by the number of processes, never switched off. We
chose this over the two alternatives: refusing every request whose counter cannot be read ("fail closed") would lock
every member of staff and every delegate out while Redis is down, which is the outage this issue is about, and
letting every request through ("fail open") would switch the brute-force protection off for as long as Redis is
away. Counts made during the outage are not carried over to Redis afterwards; a limit window is minutes long. The
same holds for allauth's record of used TOTP codes (a code could be replayed in another process within its 30 s).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: What "Redis cannot be reached" looks like: refused, reset, timed out, still loading its data.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

#: The operations that go to Redis; everything else in ``BaseCache`` is built on these.
_OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class ResilientRedisCache(RedisCache):
    #: Seconds after a failure during which Redis is not asked again (the fallback answers at once).
    retry_after = 5.0
    #: At most one warning in the log per this many seconds while Redis stays away.
    log_every = 60.0

    def __init__(self, server, params):
        super().__init__(server, params)
        fallback_params = {key: params[key] for key in ("TIMEOUT", "KEY_PREFIX", "VERSION") if key in params}
        self.fallback = LocMemCache(f"resilient-redis-fallback-{uuid.uuid4().hex}", fallback_params)
        self._down_until = 0.0
        self._logged_at = 0.0
        self._lock = threading.Lock()

    @property
    def is_down(self) -> bool:
        """True while Redis failed within the last ``retry_after`` seconds."""
        return time.monotonic() < self._down_until

    def _mark_down(self, operation: str, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + self.retry_after
            should_log = now - self._logged_at >= self.log_every
            if should_log:
                self._logged_at = now
        if should_log:
            logger.warning(
                "The cache (Redis) cannot be reached (%s during %s); using this process's memory for %.0f s",
                type(error).__name__,
                operation,
                self.retry_after,
            )


def _resilient(name: str):
    redis_method = getattr(RedisCache, name)

    def method(self: ResilientRedisCache, *args, **kwargs):
        if self.is_down:
            return getattr(self.fallback, name)(*args, **kwargs)
        try:
            return redis_method(self, *args, **kwargs)
        except UNREACHABLE as error:
            self._mark_down(name, error)
            return getattr(self.fallback, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = redis_method.__doc__
    return method


for _name in _OPERATIONS:
    setattr(ResilientRedisCache, _name, _resilient(_name))
