"""The hall's live transport (issue 15, item 6): phones and hall screens follow the chair's actions; which way is best?

Drops and creates the PostgreSQL database ``ks_landsting_bench_live`` (or ``$BENCH_LIVE_DB``), runs ``migrate`` and
makes the prototype's two tables (``bench/_live_views.py``: one hall row per congress whose ``version`` every chair
action bumps under the row's lock, as ``plenary_hall.version`` will, and the speakers' queue). The server runs the
project's production settings (``bench/_live_settings.py``: the same middleware, DEBUG off, CONN_MAX_AGE 60, the cache
on Redis; the prototype's URLs added beside the project's) and is asked through a pretended TLS proxy
(``X-Forwarded-Proto: https``). A ``redis-server`` of the bench's own is started (``--redis-port``, default a free
port) for the cache and the publish/subscribe; the shared one is never touched.

Candidates (``--transport``):

- ``poll`` (A), conditional polling: gunicorn with sync workers as in docker-compose.yml (``--workers``). Every
  client GETs ``/bench-live/1/state/`` on a fixed schedule (hall screens every ``--screen-interval`` s, phones every
  ``--phone-interval`` s, each with a random phase) with ``If-None-Match``: 304 from the version alone (one indexed
  query in ``django.views.decorators.http.condition``'s ETag function), else the ~1.5 KB document (two queries).
- ``sse`` (B), Server-Sent Events from an ASGI server: ``ks_landsting.asgi`` under gunicorn's own ASGI worker
  (``--asgi-server gunicorn``, default; nothing to install) or uvicorn (``--asgi-server uvicorn``, if installed),
  same number of workers. Every client holds ``/bench-live/1/events/`` open; each chair action publishes the new
  document on Redis after its commit, each server process holds one subscription and writes it to its clients.
- Django Channels with channels-redis (C) is not measured: it is B's push model with a WebSocket layer and a channel
  layer on top, more moving parts for the same one-way stream.

The chair (this process) acts once a second for ``--seconds`` s (a transaction: the hall row's version bumped, the
queue turned), and notes the time of each commit. Each client notes when it first holds each version (or a newer
one); the delay of an action for a client is that moment minus the commit. Per kind of client: p50, p95 and max of
the delays, and how many (client, action) pairs never arrived. CPU (from /proc) over the chair's actions: the server
processes, PostgreSQL (the postmaster's tree: every database of the shared server), the bench's Redis, the client
process (asyncio, one process, forked before Django) and the chair; "cores" is CPU seconds / wall seconds. Then, in
the same run and against the same server, ``/helse/`` is requested by ``--trivial-concurrency`` clients for
``--trivial-seconds`` s to put the CPU into context. Before the first run the state document is timed one request at
a time: 200 and 304, through ``condition`` and through ``ConditionalGetMiddleware``, and ``/helse/``; through the
server, then in this process with Django's test client (CPU per request).

    .venv/bin/python bench/live_transport.py [--transport poll|sse|both] [--phones 300] [--screens 3] [--seconds 120]
        [--screen-interval 0.5] [--phone-interval 2] [--workers 3] [--asgi-server gunicorn|uvicorn] [--redis-port N]

Exits with status 1 when a client missed an action for good (never reached its version before the end) or a
request failed. ``--quick``: 20 phones, 5 s, 2 workers, the trivial view for 1 s. SSE is skipped, with a message,
when ``redis-server`` is not on the PATH (or uvicorn is asked for and not installed).
"""

import argparse
import asyncio
import collections
import contextlib
import http.client
import json
import multiprocessing
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._shared import database_drop, database_recreate, free_port, parse_args  # noqa: E402
from bench.voting import (  # noqa: E402
    CLK_TCK,
    Connection,
    _machine_busy,
    _processes,
    _stat,
    _ticks,
    _tree_ticks,
    _trivial,
    gunicorn_stop,
    gunicorn_wait,
    percentile,
    postmaster_pid,
)

DB_NAME = os.environ.get("BENCH_LIVE_DB", "ks_landsting_bench_live")  # a name of one's own on a shared server
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
HOST = "127.0.0.1"
CONGRESS = 1
STATE_PATH = f"/bench-live/{CONGRESS}/state/"
EVENTS_PATH = f"/bench-live/{CONGRESS}/events/"


# --- Clients (the client process; no Django here) ------------------------------------------------------------------


def _request(path: str, port: int, *, etag: str | None = None, accept: str = "application/json") -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "User-Agent: ks-landsting-bench",
        f"Accept: {accept}",
        "Accept-Language: nb",
        "X-Forwarded-Proto: https",
    ]
    if etag:
        lines.append(f"If-None-Match: {etag}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


async def _poller(interval: float, port: int, start_at: float, until: float, out: dict) -> None:
    connection = Connection(port)
    etag, last, records = None, 0, []
    next_at = start_at + random.uniform(0, interval)
    while next_at < until:
        await _sleep_until(next_at)
        try:
            status, headers, body = await connection.request(_request(STATE_PATH, port, etag=etag))
        except Exception as error:  # the screen keeps its last state, marks it stale and tries again
            out["errors"][type(error).__name__] += 1
            connection.close()
            next_at = max(next_at + interval, time.monotonic())
            continue
        now = time.monotonic()
        out["statuses"][status] += 1
        if status == 200:
            version = json.loads(body)["version"]
            etag = headers["etag"][0]
            out["bytes"] += len(body)
            if version > last:
                records.append((now, version))
                last = version
        next_at = max(next_at + interval, now)
    connection.close()
    out["records"].append(records)


async def _listener(port: int, until: float, out: dict) -> None:
    records, last = [], 0
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except OSError as error:
        out["errors"][type(error).__name__] += 1
        out["records"].append(records)
        return
    try:
        writer.write(_request(EVENTS_PATH, port, accept="text/event-stream"))
        head = await reader.readuntil(b"\r\n\r\n")
        out["statuses"][int(head.split(b" ", 2)[1])] += 1
        chunked = b"chunked" in head.lower()
        buffer = b""
        while (remaining := until - time.monotonic()) > 0:
            try:
                if chunked:
                    size = int((await asyncio.wait_for(reader.readuntil(b"\r\n"), remaining)).split(b";")[0], 16)
                    if size == 0:
                        break
                    buffer += (await reader.readexactly(size + 2))[:-2]
                else:
                    data = await asyncio.wait_for(reader.read(65536), remaining)
                    if not data:
                        break
                    buffer += data
            except TimeoutError:
                break
            now = time.monotonic()
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                out["bytes"] += len(event) + 2
                for line in event.split(b"\n"):
                    if line.startswith(b"id: ") and (version := int(line[4:])) > last:
                        records.append((now, version))
                        last = version
    except Exception as error:
        out["errors"][type(error).__name__] += 1
    finally:
        writer.close()
        out["records"].append(records)


def _kind_out() -> dict:
    return {"records": [], "statuses": collections.Counter(), "errors": collections.Counter(), "bytes": 0}


async def _follow(transport: str, port: int, phones: int, screens: int, intervals: dict, start_at, until) -> dict:
    outs = {"screen": _kind_out(), "phone": _kind_out()}
    tasks = []
    for kind, count in (("screen", screens), ("phone", phones)):
        for _n in range(count):
            if transport == "poll":
                tasks.append(_poller(intervals[kind], port, start_at, until, outs[kind]))
            else:
                tasks.append(_listener(port, until, outs[kind]))
    await asyncio.gather(*tasks)
    return outs


def client_main(pipe) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
    while (message := pipe.recv()) is not None:
        phase, kwargs = message
        cpu = time.process_time()
        result = asyncio.run(_follow(**kwargs) if phase == "follow" else _trivial(**kwargs))
        pipe.send((result, time.process_time() - cpu))


class Client:
    """One client process, forked before Django is loaded."""

    def __init__(self):
        self.pipe, child = multiprocessing.get_context("fork").Pipe()
        self.process = multiprocessing.get_context("fork").Process(target=client_main, args=(child,), daemon=True)
        self.process.start()

    def send(self, phase: str, **kwargs) -> None:
        self.pipe.send((phase, kwargs))

    def receive(self):
        return self.pipe.recv()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.pipe.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


# --- Servers and CPU ------------------------------------------------------------------------------------------------


def server_environment(*, database_url: str, redis_url: str, settings: str, name: str) -> None:
    """The environment the bench's server (and its own Django) runs in: production's settings module ``settings``,
    the bench's database and Redis, DEBUG off, a fresh secret and static root."""
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,  # the cache, as docker compose has it
            "DJANGO_SETTINGS_MODULE": settings,
            "SECRET_KEY": f"bench-{name}-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": f"{HOST},localhost,testserver",
            "STATIC_ROOT": tempfile.mkdtemp(prefix=f"ks-bench-{name}-static-"),
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("CONN_MAX_AGE", None)


def server_teardown(client, server, redis_server, *, database: str, keep_db: bool, log_path: Path) -> None:
    """Stop what a bench run started (the clients, gunicorn, the bench's Redis), drop its database unless kept, and
    remove its static root and server log."""
    client.stop()
    if server is not None:
        gunicorn_stop(server)
    if redis_server is not None:
        redis_server.terminate()
        redis_server.wait(timeout=10)
    if not keep_db:
        database_drop(database)
    shutil.rmtree(os.environ["STATIC_ROOT"], ignore_errors=True)
    with contextlib.suppress(OSError):
        log_path.unlink()


def redis_start(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    for _n in range(50):
        with contextlib.suppress(redis.RedisError):
            if redis.Redis(host=HOST, port=port).ping():
                return server
        time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"redis-server on port {port} did not answer")


def server_start(transport: str, args, port: int, log_path: Path) -> tuple[subprocess.Popen, str]:
    if transport == "poll":
        command = ["gunicorn", "ks_landsting.wsgi", "--worker-class", "sync"]
        label = f"gunicorn {args.workers} sync workers (WSGI), as docker-compose.yml"
    elif args.asgi_server == "gunicorn":
        command = ["gunicorn", "ks_landsting.asgi:application", "--worker-class", "asgi"]
        label = f"gunicorn {args.workers} ASGI workers (gunicorn's own asyncio worker)"
    else:
        command = ["uvicorn", "ks_landsting.asgi:application", "--no-access-log"]
        label = f"uvicorn, {args.workers} workers"
    command = [str(ROOT / ".venv/bin" / command[0]), *command[1:]]
    command += ["--workers", str(args.workers), "--log-level", "warning"]
    command += ["--host", HOST, "--port", str(port)] if command[0].endswith("uvicorn") else ["--bind", f"{HOST}:{port}"]
    env = os.environ.copy()
    if transport == "sse":
        # Under ASGI every request's sync code runs in a thread of its own (asgiref's ThreadSensitiveContext), so a
        # connection kept for CONN_MAX_AGE is never reused and they pile up until PostgreSQL refuses more: Django
        # must run with CONN_MAX_AGE 0 there, a new connection per request.
        env["CONN_MAX_AGE"] = "0"
        label += ", CONN_MAX_AGE 0"
    log = open(log_path, "wb")  # noqa: SIM115
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return server, label


class Backends(threading.Thread):
    """CPU ticks of the PostgreSQL backends connected to the bench's database (the shared server runs other people's
    work too), from /proc every 0.2 s: a backend that lives less than that, or its last 0.2 s, is not counted."""

    def __init__(self):
        super().__init__(daemon=True)
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.started = False
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def run(self) -> None:
        import psycopg

        from bench._shared import PG_ADMIN_URL

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            while not self.stopping.is_set():
                pids = [
                    row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [DB_NAME])
                ]
                with self.lock:
                    for pid in pids:
                        if (fields := _stat(pid)) is not None:
                            ticks = _ticks(fields)
                            # Seen at the first look: count from now; born later: its whole life.
                            self.first.setdefault(pid, ticks if not self.started else 0)
                            self.last[pid] = ticks
                    self.started = True
                self.stopping.wait(0.2)

    def seconds(self) -> float:
        with self.lock:
            return sum(self.last[pid] - self.first[pid] for pid in self.last) / CLK_TCK


class Meter:
    """CPU seconds of the server, PostgreSQL, the bench's Redis and the whole machine between two samples."""

    def __init__(self, server_pid: int, redis_pid: int | None, backends: Backends):
        self.pids = {"server": server_pid, "postgres_all": postmaster_pid(), "redis": redis_pid}
        self.backends = backends

    def sample(self) -> dict:
        processes = _processes()
        sample = {name: _tree_ticks(pid, processes) / CLK_TCK if pid else 0.0 for name, pid in self.pids.items()}
        sample["postgres"] = self.backends.seconds()
        sample["machine"] = _machine_busy()[0] / CLK_TCK
        sample["wall"] = time.monotonic()
        sample["chair"] = time.process_time()
        return sample

    @staticmethod
    def delta(before: dict, after: dict) -> dict:
        return {name: after[name] - before[name] for name in before}


# --- One run --------------------------------------------------------------------------------------------------------


def chair_run(transport: str, args, start_at: float) -> dict[int, float]:
    """The chair acts once a second; returns the commit time of every version."""
    from bench import _live_views

    commits = {}
    for step in range(args.seconds):
        time.sleep(max(0.0, start_at + step - time.monotonic()))
        version = _live_views.chair_act(CONGRESS, step)
        commits[version] = time.monotonic()
        if transport == "sse":
            _live_views.publish(_live_views.state_document(CONGRESS))
    return commits


def delays(records: list[list[tuple[float, int]]], commits: dict[int, float]) -> tuple[list[float], int]:
    """Per client and action: when the client first held that version or a newer one, minus the commit."""
    found, missed = [], 0
    for client in records:
        for version, committed in commits.items():
            arrived = next((moment for moment, held in client if held >= version), None)
            if arrived is None:
                missed += 1
            else:
                found.append(arrived - committed)
    return found, missed


def follow_run(transport: str, args, client: Client, port: int, meter: Meter) -> dict:
    lead = 3.0 if transport == "sse" else 1.0  # the streams are opened before the first action
    start_at = time.monotonic() + lead
    first_action = start_at + 1.0
    until = first_action + args.seconds + max(args.phone_interval, 1.0) + 2.0
    intervals = {"screen": args.screen_interval, "phone": args.phone_interval}
    client.send(
        "follow",
        transport=transport,
        port=port,
        phones=args.phones,
        screens=args.screens,
        intervals=intervals,
        start_at=start_at,
        until=until,
    )
    time.sleep(max(0.0, first_action - time.monotonic() - 0.05))
    before = meter.sample()
    commits = chair_run(transport, args, first_action)
    time.sleep(max(0.0, first_action + args.seconds - time.monotonic()))
    cpu = Meter.delta(before, meter.sample())
    outs, client_cpu = client.receive()
    result = {"transport": transport, "cpu": cpu, "client_cpu": client_cpu, "kinds": {}, "actions": len(commits)}
    for kind, out in outs.items():
        found, missed = delays(out["records"], commits)
        result["kinds"][kind] = {**out, "delays": found, "missed": missed, "clients": len(out["records"])}
    return result


def trivial_run(args, client: Client, port: int, meter: Meter) -> dict:
    before = meter.sample()
    start_at = time.monotonic() + 0.3
    client.send(
        "trivial",
        path="/helse/",
        concurrency=args.trivial_concurrency,
        seconds=args.trivial_seconds,
        port=port,
        scheme="https",
        start_at=start_at,
    )
    result, client_cpu = client.receive()
    cpu = Meter.delta(before, meter.sample())
    requests = sum(result["statuses"].values())
    return {**result, "cpu": cpu, "client_cpu": client_cpu, "wall": result["last_done"] - start_at, "n": requests}


SINGLE_KINDS = (
    ("state document, 200 (condition decorator)", STATE_PATH, False),
    ("state document, 304 (condition decorator)", STATE_PATH, True),
    ("state document, 200 (ConditionalGetMiddleware)", STATE_PATH.replace("state", "state-mw"), False),
    ("state document, 304 (ConditionalGetMiddleware)", STATE_PATH.replace("state", "state-mw"), True),
    ("/helse/ (trivial view)", "/helse/", False),
    ("/bench-live/ok/ (returns 'ok', no query)", "/bench-live/ok/", False),
)


def in_process(count: int) -> None:
    """The same requests through Django's handler in this process (test client: every middleware, the view, the
    queries; no HTTP server, no socket): CPU per request, finer than the server's /proc ticks above. The kinds take
    turns, request by request, so that other work on the machine weighs on each alike."""
    from django.test import Client

    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_ACCEPT="application/json")
    extras, used, statuses = [], [0.0] * len(SINGLE_KINDS), [collections.Counter() for _kind in SINGLE_KINDS]
    for _label, path, conditional in SINGLE_KINDS:
        for _n in range(20):  # warm up
            etag = client.get(path).headers.get("ETag")
        extras.append({"HTTP_IF_NONE_MATCH": etag} if conditional else {})
    for _n in range(count):
        for number, (_label, path, _conditional) in enumerate(SINGLE_KINDS):
            cpu = time.process_time()
            status = client.get(path, **extras[number]).status_code
            used[number] += time.process_time() - cpu
            statuses[number][status] += 1
    print(f"\nin this process, Django's test client, {count} requests each, taking turns (CPU ms per request; the")
    print("database's own CPU not included):")
    for number, (label, _path, _conditional) in enumerate(SINGLE_KINDS):
        shown = " ".join(f"{key}:{value}" for key, value in sorted(statuses[number].items()))
        print(f"  {label:50s} {1000 * used[number] / count:6.2f} ms; {shown}")


def single_requests(port: int, count: int, meter: Meter) -> None:
    """One request at a time: the state document's 200 and 304, through ``condition`` and the middleware."""

    def get(path: str, etag: str | None = None):
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        headers = {"X-Forwarded-Proto": "https", "Accept": "application/json"}
        if etag:
            headers["If-None-Match"] = etag
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, dict(response.getheaders()), body

    print("\none request at a time (keep-alive off, as gunicorn's sync workers do), server CPU per request:")
    for label, path, conditional in SINGLE_KINDS:
        for _n in range(10):  # every worker has answered it once
            status, headers, body = get(path)
        etag = headers.get("ETag") if conditional else None
        times = []
        statuses = collections.Counter()
        before = meter.sample()
        for _n in range(count):
            started = time.perf_counter()
            status, response_headers, body = get(path, etag)
            times.append(time.perf_counter() - started)
            statuses[status] += 1
        cpu = Meter.delta(before, meter.sample())
        print(
            f"  {label:50s} p50 {1000 * statistics.median(times):6.2f} ms  p95 {1000 * percentile(times, 0.95):6.2f}"
            f" ms; server {1000 * cpu['server'] / count:5.2f} ms CPU, postgres {1000 * cpu['postgres'] / count:5.2f}"
            f" (whole server {1000 * cpu['postgres_all'] / count:5.2f});"
            f" {len(body)} bytes; {' '.join(f'{key}:{value}' for key, value in sorted(statuses.items()))}"
        )
        if conditional:
            shown = {key: response_headers.get(key) for key in ("ETag", "Cache-Control", "Content-Length")}
            print(f"      304's headers: {shown}")


# --- Report ---------------------------------------------------------------------------------------------------------


def ms(values: list[float], fraction: float) -> str:
    return f"{1000 * percentile(values, fraction):7.0f}" if values else "      -"


def report(result: dict, trivial: dict | None, label: str, args) -> dict:
    cpu = result["cpu"]
    wall = cpu["wall"]
    print(f"\n{label}: {result['actions']} chair actions, one a second")
    print("  kind     clients  delay p50 ms  p95 ms  max ms  missed  statuses             errors  KiB/s received")
    verdicts = {}
    for kind, data in result["kinds"].items():
        found = data["delays"]
        statuses = " ".join(f"{key}:{value}" for key, value in sorted(data["statuses"].items()))
        errors = sum(data["errors"].values())
        worst = ms([max(found)] if found else [], 1)
        print(
            f"  {kind:7s} {data['clients']:8d}       {ms(found, 0.5)} {ms(found, 0.95)} {worst}"
            f"  {data['missed']:6d}  {statuses:20s} {errors:6d}  {data['bytes'] / 1024 / wall:8.1f}"
        )
        if data["errors"]:
            print(f"           errors: {dict(data['errors'])}")
        verdicts[kind] = percentile(found, 0.95) if found else float("inf")
    following = cpu["server"] + cpu["postgres"] + cpu["redis"]
    ours = cpu["server"] + cpu["postgres_all"] + cpu["redis"] + result["client_cpu"] + cpu["chair"]
    other = max(0.0, cpu["machine"] - ours)
    print(
        f"  CPU s over {wall:.1f} s: server {cpu['server']:.2f}, postgres {cpu['postgres']:.2f} (the whole shared"
        f" server: {cpu['postgres_all']:.2f}), redis"
        f" {cpu['redis']:.2f} = {following / wall:.3f} cores following; client {result['client_cpu']:.2f}"
        f" ({result['client_cpu'] / wall:.3f} cores, whole run incl. connecting); chair {cpu['chair']:.2f};"
        f" other work on the machine {other:.2f} (machine {cpu['machine']:.2f} = {cpu['machine'] / wall:.2f} cores)"
    )
    if trivial:
        n = trivial["n"]
        rate = n / trivial["wall"] if trivial["wall"] > 0 else float("nan")
        tcpu = trivial["cpu"]
        per_client = 1000 * trivial["client_cpu"] / max(n, 1)
        print(
            f"  trivial /helse/, same server, {args.trivial_concurrency} clients: {n} in {trivial['wall']:.2f} s ="
            f" {rate:.0f} requests/s; latency p50 {1000 * percentile(trivial['latencies'], 0.5):.1f} ms;"
            f" statuses {dict(trivial['statuses'])}; CPU per request: server {1000 * tcpu['server'] / max(n, 1):.2f}"
            f" ms, postgres {1000 * tcpu['postgres'] / max(n, 1):.2f} ms, client {per_client:.2f} ms"
        )
        if following > 0 and n:
            equivalent = following / (tcpu["server"] + tcpu["postgres"] + tcpu["redis"]) * n / wall
            print(f"  the following load costs as much CPU as {equivalent:.0f} trivial requests/s")
    met = verdicts.get("screen", 0) < 1.0 and verdicts.get("phone", 0) < 3.0 and following / wall < 0.5
    return {
        "met": met,
        "screen_p95": verdicts.get("screen"),
        "phone_p95": verdicts.get("phone"),
        "cores": following / wall,
        "healthy": all(
            data["missed"] == 0 and not data["errors"] and data["clients"] for data in result["kinds"].values()
        ),
    }


def main() -> None:
    class Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
        pass

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=Formatter)
    parser.add_argument("--transport", choices=["poll", "sse", "both"], default="both")
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--screens", type=int, default=3, help="hall screens (and consoles) following")
    parser.add_argument("--seconds", type=int, default=120, help="chair actions, one a second")
    parser.add_argument("--screen-interval", type=float, default=0.5, help="polling: seconds between a screen's GETs")
    parser.add_argument("--phone-interval", type=float, default=2.0, help="polling: seconds between a phone's GETs")
    parser.add_argument("--workers", type=int, default=3, help="server worker processes (docker-compose.yml: 3)")
    parser.add_argument("--asgi-server", choices=["gunicorn", "uvicorn"], default="gunicorn")
    parser.add_argument("--redis-port", type=int, default=0, help="port of the bench's own redis-server (0: free)")
    parser.add_argument("--trivial-seconds", type=float, default=5.0)
    parser.add_argument("--trivial-concurrency", type=int, default=50)
    parser.add_argument("--single", type=int, default=200, help="requests per kind in the one-at-a-time timing")
    parser.add_argument("--keep-db", action="store_true")
    quick = {"phones": 20, "seconds": 5, "workers": 2, "trivial_seconds": 1.0, "single": 20}
    args = parse_args(parser, quick=quick)

    transports = ["poll", "sse"] if args.transport == "both" else [args.transport]
    skipped = {}
    if "sse" in transports and shutil.which("redis-server") is None:
        skipped["sse"] = "redis-server is not on the PATH"
    if "sse" in transports and args.asgi_server == "uvicorn" and not (ROOT / ".venv/bin/uvicorn").exists():
        skipped["sse"] = "uvicorn is not installed (.venv/bin/pip install uvicorn, or --asgi-server gunicorn)"
    transports = [transport for transport in transports if transport not in skipped]

    client = Client()  # before Django, a database connection or a server exist
    redis_port = args.redis_port or free_port(HOST)
    redis_server = redis_start(redis_port) if shutil.which("redis-server") else None
    redis_url = f"redis://{HOST}:{redis_port}/0" if redis_server else ""
    server_environment(database_url=DATABASE_URL, redis_url=redis_url, settings="bench._live_settings", name="live")
    os.environ["BENCH_LIVE_PUBSUB_URL"] = redis_url
    load_before = os.getloadavg()
    log_path = Path(tempfile.gettempdir()) / f"ks-bench-live-server-{os.getpid()}.log"
    server = None
    healthy = True
    database_recreate(DB_NAME)
    try:
        import django

        django.setup()
        import gunicorn
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        from bench import _live_views

        call_command("migrate", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        _live_views.tables_create()
        document = json.dumps(_live_views.state_document(CONGRESS), ensure_ascii=False).encode()
        pg_version = connection.cursor().connection.info.server_version
        print(
            f"database {DB_NAME}; state document {len(document)} bytes; Python {sys.version.split()[0]}, Django"
            f" {django.get_version()}, gunicorn {gunicorn.__version__}, PostgreSQL {pg_version // 10000};"
            f" nproc {os.cpu_count()}; load average before {' '.join(f'{value:.2f}' for value in load_before)}"
        )
        print(
            f"settings {settings.SETTINGS_MODULE} (production's; CONN_MAX_AGE"
            f" {settings.DATABASES['default']['CONN_MAX_AGE']}, cache {settings.CACHES['default']['BACKEND']});"
            f" {args.phones} phones, {args.screens} hall screens, {args.seconds} actions; bench Redis"
            f" {redis_url or 'none'}"
        )
        for transport, reason in skipped.items():
            print(f"SKIPPED {transport}: {reason}")
        verdicts = {}
        backends = Backends()
        backends.start()
        for number, transport in enumerate(transports):
            port = free_port(HOST)
            server, label = server_start(transport, args, port, log_path)
            ready = gunicorn_wait(server, port, args.workers)
            meter = Meter(server.pid, redis_server.pid if redis_server else None, backends)
            if transport == "poll":
                label += f"; screens every {args.screen_interval} s, phones every {args.phone_interval} s"
            print(f"\n=== {transport}: {label}; ready after {ready:.1f} s")
            if number == 0:
                single_requests(port, args.single, meter)
                in_process(args.single * 5)
            connection.close()
            result = follow_run(transport, args, client, port, meter)
            trivial = trivial_run(args, client, port, meter)
            verdicts[transport] = report(result, trivial, f"{transport} ({label})", args)
            gunicorn_stop(server)
            server = None
            lines = collections.Counter(line for line in log_path.read_text(errors="replace").splitlines() if line)
            for line, count in lines.most_common(5):
                print(f"  server log {count:5d}x {line[:160]}")
        print(f"\nload average after {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
        for transport, verdict in verdicts.items():
            judged = "not judged with --quick" if args.quick else ("met" if verdict["met"] else "NOT met")
            print(
                f"target {transport}: screens p95 < 1 s, phones p95 < 3 s, following < 0.5 core: {judged}"
                f" (screens {verdict['screen_p95']:.2f} s, phones {verdict['phone_p95']:.2f} s,"
                f" {verdict['cores']:.3f} cores); every action reached every client, no errors: {verdict['healthy']}"
            )
            healthy = healthy and verdict["healthy"]
    finally:
        server_teardown(client, server, redis_server, database=DB_NAME, keep_db=args.keep_db, log_path=log_path)
    if not healthy:
        sys.exit("FAILED: a client missed an action or a request failed (see above)")


if __name__ == "__main__":
    main()
