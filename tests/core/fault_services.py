"""Real services of their own for the fault tests: a Redis server on a free port (never the shared one), a Celery
worker and beat as subprocesses on the test database, and an SMTP server that records what it accepts."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(ROOT / ".venv/bin/celery")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_available() -> bool:
    return shutil.which("redis-server") is not None


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throw-away ``redis-server`` on a free port, without persistence; yields its URL and stops it afterwards."""
    import redis

    port = free_port()
    process = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            with contextlib.suppress(redis.exceptions.ConnectionError):
                if client.ping():
                    break
            time.sleep(0.05)
        else:
            raise RuntimeError("redis-server did not start")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tests_database_url() -> str:
    """The test database (what the subprocesses must read: the test's committed rows are there)."""
    params = connection.settings_dict
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return f"postgresql://{user}{password}@{host}:{port}/{params['NAME']}"


def service_environment(*, redis_url: str, queue: str, smtp_port: int, **extra: str) -> dict[str, str]:
    """The environment of a worker, beat or script subprocess: the test database, this Redis and queue, this SMTP."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))}
    env.update(
        DJANGO_SETTINGS_MODULE="ks_landsting.settings",
        DATABASE_URL=tests_database_url(),
        REDIS_URL=redis_url,
        CELERY_QUEUE=queue,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        DEBUG="false",
        **extra,
    )
    return env


class CeleryProcess:
    """``celery -A ks_landsting worker`` (or ``beat``) in a session of its own, so that it can be killed as a whole."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.args, self.env, self.log = args, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> CeleryProcess:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [CELERY, "-A", "ks_landsting", *self.args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        """``kill -9`` of the worker and its pool processes at once, as when its container is killed."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class RecordingSmtp:
    """An SMTP server on a free port that keeps every accepted message. ``delay`` seconds pass between taking the
    message and answering 250, so that a sender killed meanwhile does not know whether its mail arrived."""

    def __init__(self, *, delay: float = 0.0):
        self.delay = delay
        self.lock = threading.Lock()
        self.messages: list[email.message.EmailMessage] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port(), ready_timeout=10)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    @property
    def port(self) -> int:
        return self.controller.port

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def received(self) -> list[email.message.EmailMessage]:
        with self.lock:
            return list(self.messages)

    def __enter__(self) -> RecordingSmtp:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
