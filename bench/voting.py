"""Voting under load: N delegates log in with their personal links and cast ballots at once (gunicorn, PostgreSQL).

Drops and creates the PostgreSQL database ``ks_landsting_bench_voting`` (or ``$BENCH_VOTING_DB``; psycopg), runs
``migrate`` and builds a congress with N delegates as plain model rows (``bulk_create``: counties, municipalities,
delegates, one "in" attendance row each), issues N personal links with
``delegates.services.links.personal_link_issue`` (the secrets stay in memory) and starts ``.venv/bin/gunicorn
ks_landsting.wsgi`` on a free port of 127.0.0.1 against that database (no access log; ``--workers``,
``--worker-class``, ``--threads``).

Settings (``--settings``): ``production`` (default) is ``ks_landsting.settings.production`` as the Dockerfile runs it
(DEBUG off, a SECRET_KEY, ALLOWED_HOSTS 127.0.0.1, secure cookies, HSTS, SSL redirect, WhiteNoise's manifest storage
over a ``collectstatic`` into a temporary STATIC_ROOT); the client sends ``X-Forwarded-Proto: https`` as the
TLS-terminating proxy in front of gunicorn would, so nothing is redirected, and the ``Origin`` and ``Referer`` headers
a browser sends with a form (``https://127.0.0.1:<port>``). ``default`` is ``ks_landsting.settings`` with
``DEBUG=false`` over plain http. ``--conn-max-age`` sets ``CONN_MAX_AGE`` in the environment; without it the
settings decide, as deployed (production: 60 s, connections kept; the default settings: 0, one per request).

Each round opens a new poll through the services (``poll_create_decision`` or, with ``--scenario election``, a
one-seat election with three candidates through ``poll_create_for_election``; then ``poll_open``) and runs:

1. "log in": every delegate GETs ``/p/<token>/stemmegivning/<poll>/`` (the personal link is the login) and keeps the
   ``csrftoken`` cookie, the form's ``csrfmiddlewaretoken``, its hidden fields and its cast address;
2. "vote": all N POST their ballot at the same moment (every client waits for one start time): with ``--client
   script`` (default) to the cast address with ``Accept: application/json``, as the ballot page's script does; with
   ``--client form`` to the ballot page, as a browser without JavaScript does. Each is immediately
   followed by a second POST of the same ballot, which must be refused with 409. Timed from the first send to the
   last response of the first POSTs ("ballots/s" = N / that time); latency per POST from the connect to the end of
   the response. ``--no-second`` leaves out the second POST.

3. "the whole vote" (unless ``--no-whole``): a new poll, and all N at once open the ballot page and cast from it as
   the page's script does (GET, then at once POST to the cast address with the page's CSRF token): "voters/s" = N /
   the time from the first GET sent to the last POST answered, the hall's minute in small.

After each, ``poll_close`` opens the sealed ballots and freezes the count, and the database is checked: ballots ==
votes cast == N, one vote per voter, each receipt a client was shown is stored exactly once, and the counted result
equals what the clients sent. The first ``--warmup`` rounds are not counted (they load every worker's templates).
In the same run, against the same gunicorn and with the same client and concurrency (N connections, each sending its
next request when the last one is answered), a trivial view (``--trivial-url``, repeatable; default ``/helse/``: one
``SELECT 1`` and a small JSON response) is requested for ``--trivial-seconds``. ``--profile`` then lists the SQL of a
ballot GET, POST and second POST, times a new database connection, and profiles ballot POSTs in this process (Django
test client, no HTTP).

The client is asyncio over plain sockets (HTTP/1.1; keep-alive when the server allows it, which gunicorn's sync
workers never do) in ``--client-procs`` processes forked before Django is loaded. CPU time is measured per phase for
the client processes, the gunicorn processes, PostgreSQL (the postmaster's live and reaped children, all databases)
and the whole machine (/proc/stat); "other" is the rest (other work on the machine).

    .venv/bin/python bench/voting.py [--voters 300] [--rounds 5] [--workers 4] [--worker-class sync] [--threads 1]
                                     [--conn-max-age N] [--client script|form] [--scenario yes-no|election|both]
                                     [--profile] [--keep-db]

The database is dropped at the end unless ``--keep-db``; gunicorn and the client processes are stopped. The script
exits with status 1 when a ballot was lost, duplicated or counted wrong, or a voter got no receipt (not when the rate
misses its target). ``BENCH_VOTING_REDIS_URL`` replaces the Redis it points the settings at (database 9 of the local
server); empty: no Redis at all. ``--quick``: 20 voters, one warm-up and one measured round of each scenario, 2
workers, the trivial view for 1 s.
"""

import argparse
import asyncio
import collections
import contextlib
import logging
import multiprocessing
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._shared import database_drop, database_recreate, free_port, parse_args  # noqa: E402

DB_NAME = os.environ.get("BENCH_VOTING_DB", "ks_landsting_bench_voting")  # a name of one's own on a shared server
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
# The voting pages use no cache and queue nothing; "" runs without Redis (a shared server need not be touched).
REDIS_URL = os.environ.get("BENCH_VOTING_REDIS_URL", "redis://127.0.0.1:6379/9")
HOST = "127.0.0.1"

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")
RECEIPT = re.compile(rb'id="receipt" data-receipt>([A-Z0-9]{4}-[A-Z0-9]{6})<')
RECEIPT_JSON = re.compile(rb'"receipt": "([A-Z0-9]{4}-[A-Z0-9]{6})"')
CAST_URL = re.compile(rb'data-cast-url="([^"]+)"')
HIDDEN_INPUT = re.compile(rb'<input type="hidden" name="(poll_kind|poll_max_choices)" value="([^"]*)"')
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- HTTP client (runs in the client processes; no Django here) --------------------------------------------------


class Connection:
    """One client's connection: reopened when the server closes it (gunicorn's sync workers close every one)."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> tuple[int, dict[str, list[str]], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            if line:
                name, _sep, value = line.partition(":")
                headers.setdefault(name.strip().lower(), []).append(value.strip())
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"][0]))
        elif "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(part[:-2] for part in parts)
        else:
            body = await self.reader.read()
            self.close()
        if "close" in ",".join(headers.get("connection", [])).lower():
            self.close()
        return status, headers, body


def _request_bytes(
    method: str, path: str, port: int, *, scheme: str, cookie: str = "", body: bytes = b"", accept: str = "text/html"
) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "User-Agent: ks-landsting-bench",
        f"Accept: {accept}",
        "Accept-Language: nb",
    ]
    if scheme == "https":
        lines.append("X-Forwarded-Proto: https")  # what the TLS-terminating proxy adds
    if cookie:
        lines.append(f"Cookie: csrftoken={cookie}")
    if method == "POST":
        origin = f"{scheme}://{HOST}:{port}"
        lines += [
            f"Origin: {origin}",
            f"Referer: {origin}{path}",
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body)}",
        ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _wait_until(start_at: float) -> None:
    delay = start_at - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


async def _login(jobs: list[dict], port: int, scheme: str, start_at: float) -> list[dict]:
    async def one(job: dict) -> dict:
        connection = Connection(port)
        raw = _request_bytes("GET", job["path"], port, scheme=scheme, cookie=job.get("cookie", ""))
        started = time.monotonic()
        result = {"index": job["index"], "sent": started, "status": 0, "error": ""}
        try:
            status, headers, body = await connection.request(raw)
        except Exception as error:  # every failure is counted, none stops the bench
            result["error"] = type(error).__name__
        else:
            result["status"] = status
            cookie = next((m.group(1) for h in headers.get("set-cookie", []) if (m := CSRF_COOKIE.match(h))), "")
            result["cookie"] = cookie or job.get("cookie", "")
            found = CSRF_INPUT.search(body)
            result["token"] = found.group(1).decode() if found else ""
            found = CAST_URL.search(body)
            result["cast_url"] = found.group(1).decode() if found else ""
            result["hidden"] = {name.decode(): value.decode() for name, value in HIDDEN_INPUT.findall(body)}
        result["done"] = time.monotonic()
        connection.close()
        return result

    await _wait_until(start_at)
    return await asyncio.gather(*(one(job) for job in jobs))


async def _vote(jobs: list[dict], port: int, scheme: str, start_at: float, second: bool) -> list[dict]:
    async def one(job: dict) -> dict:
        connection = Connection(port)
        raw = _request_bytes(
            "POST", job["path"], port, scheme=scheme, cookie=job["cookie"], body=job["body"], accept=job["accept"]
        )
        result = {"index": job["index"], "status": 0, "status2": 0, "receipt": "", "error": "", "error2": ""}
        result["sent"] = time.monotonic()
        try:
            status, _headers, body = await connection.request(raw)
        except Exception as error:
            result["error"] = type(error).__name__
            connection.close()
        else:
            result["status"] = status
            found = (RECEIPT_JSON if job["accept"] == "application/json" else RECEIPT).search(body)
            result["receipt"] = found.group(1).decode().replace("-", "") if found else ""
        result["done"] = result["done2"] = time.monotonic()
        if not second:
            connection.close()
            return result
        try:  # the same ballot again, at once (a double click, a second tab): must be refused
            status, _headers, _body = await connection.request(raw)
        except Exception as error:
            result["error2"] = type(error).__name__
        else:
            result["status2"] = status
        result["done2"] = time.monotonic()
        connection.close()
        return result

    await _wait_until(start_at)
    return await asyncio.gather(*(one(job) for job in jobs))


async def _whole(jobs: list[dict], port: int, scheme: str, start_at: float) -> list[dict]:
    """The whole vote of each voter, as in the hall: open the ballot page (the link is the login), then at once
    send the ballot from it as the page's script does (to its cast address, JSON back)."""

    async def one(job: dict) -> dict:
        connection = Connection(port)
        result = {"index": job["index"], "status_get": 0, "status": 0, "receipt": "", "error": "", "cookie": ""}
        result["sent"] = time.monotonic()
        try:
            raw = _request_bytes("GET", job["path"], port, scheme=scheme, cookie=job.get("cookie", ""))
            status, headers, body = await connection.request(raw)
            result["status_get"] = status
            result["got"] = time.monotonic()
            cookie = next((m.group(1) for h in headers.get("set-cookie", []) if (m := CSRF_COOKIE.match(h))), "")
            cookie = cookie or job.get("cookie", "")
            result["cookie"] = cookie
            token, cast_url = CSRF_INPUT.search(body), CAST_URL.search(body)
            if status != 200 or not token or not cast_url or not cookie:
                raise ValueError("no ballot on the page")
            hidden = {name.decode(): value.decode() for name, value in HIDDEN_INPUT.findall(body)}
            form = {"csrfmiddlewaretoken": token.group(1).decode(), **hidden, **job["field"]}
            raw = _request_bytes(
                "POST",
                cast_url.group(1).decode(),
                port,
                scheme=scheme,
                cookie=cookie,
                body=urllib.parse.urlencode(form).encode(),
                accept="application/json",
            )
            status, _headers, body = await connection.request(raw)
        except Exception as error:
            result["error"] = type(error).__name__
        else:
            result["status"] = status
            found = RECEIPT_JSON.search(body)
            result["receipt"] = found.group(1).decode().replace("-", "") if found else ""
        result["done"] = time.monotonic()
        connection.close()
        return result

    await _wait_until(start_at)
    return await asyncio.gather(*(one(job) for job in jobs))


async def _trivial(path: str, concurrency: int, seconds: float, port: int, scheme: str, start_at: float) -> dict:
    raw = _request_bytes("GET", path, port, scheme=scheme)
    latencies: list[float] = []
    statuses: collections.Counter = collections.Counter()
    errors: collections.Counter = collections.Counter()
    last_done = 0.0

    async def loop(deadline: float) -> None:
        nonlocal last_done
        connection = Connection(port)
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                status, _headers, _body = await connection.request(raw)
            except Exception as error:
                errors[type(error).__name__] += 1
                connection.close()
                continue
            last_done = time.monotonic()
            latencies.append(last_done - started)
            statuses[status] += 1
        connection.close()

    await _wait_until(start_at)
    await asyncio.gather(*(loop(start_at + seconds) for _n in range(concurrency)))
    return {"latencies": latencies, "statuses": statuses, "errors": errors, "last_done": last_done}


def client_main(pipe) -> None:
    """A client process: runs each phase it is sent and sends back the results and its CPU time."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
    while True:
        message = pipe.recv()
        if message is None:
            return
        phase, kwargs = message
        cpu = time.process_time()
        if phase == "login":
            result = asyncio.run(_login(**kwargs))
        elif phase == "vote":
            result = asyncio.run(_vote(**kwargs))
        elif phase == "whole":
            result = asyncio.run(_whole(**kwargs))
        else:
            result = asyncio.run(_trivial(**kwargs))
        pipe.send((result, time.process_time() - cpu))


class Clients:
    def __init__(self, count: int):
        context = multiprocessing.get_context("fork")
        self.pipes, self.processes = [], []
        for _n in range(count):
            parent, child = context.Pipe()
            process = context.Process(target=client_main, args=(child,), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def run(self, phase: str, shares: list[dict], lead: float = 0.3) -> tuple[list, float, float]:
        """Send each process its share; all start at the same moment. Returns (results, start time, client CPU)."""
        start_at = time.monotonic() + lead
        for pipe, kwargs in zip(self.pipes, shares, strict=True):
            pipe.send((phase, {**kwargs, "start_at": start_at}))
        results, cpu = [], 0.0
        for pipe in self.pipes:
            result, used = pipe.recv()
            results.append(result)
            cpu += used
        return results, start_at, cpu

    def stop(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(None)
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()


def split(items: list, parts: int) -> list[list]:
    return [items[n::parts] for n in range(parts)]


# --- CPU accounting from /proc ------------------------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            text = stat.read()
    except OSError:
        return None
    comm = text[text.index("(") + 1 : text.rindex(")")]
    return [comm, *text.rsplit(")", 1)[1].split()]  # [comm, state, ppid, ..., utime=12, stime=13, cutime, cstime]


def _processes() -> dict[int, list[str]]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            found[int(entry)] = fields
    return found


def _ticks(fields: list[str], *, children: bool = False) -> int:
    own = int(fields[12]) + int(fields[13])
    return own + (int(fields[14]) + int(fields[15]) if children else 0)


def _tree_ticks(root: int, processes: dict[int, list[str]]) -> int:
    """CPU ticks of ``root`` (with its reaped children) and its live children."""
    if root not in processes:
        return 0
    total = _ticks(processes[root], children=True)
    return total + sum(_ticks(fields) for fields in processes.values() if int(fields[2]) == root)


def _machine_busy() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle, sum(values[:8])


def postmaster_pid() -> int | None:
    processes = _processes()
    for pid, fields in processes.items():
        parent = processes.get(int(fields[2]))
        if fields[0] == "postgres" and (parent is None or parent[0] != "postgres"):
            return pid
    return None


class CpuMeter:
    """CPU seconds used between ``start`` and ``stop`` by gunicorn, PostgreSQL and the whole machine."""

    def __init__(self, gunicorn_pid: int, postgres_pid: int | None):
        self.gunicorn_pid, self.postgres_pid = gunicorn_pid, postgres_pid

    def sample(self) -> tuple[float, float, float, float]:
        processes = _processes()
        busy, _total = _machine_busy()
        return (
            time.monotonic(),
            _tree_ticks(self.gunicorn_pid, processes) / CLK_TCK,
            _tree_ticks(self.postgres_pid, processes) / CLK_TCK if self.postgres_pid else 0.0,
            busy / CLK_TCK,
        )

    @staticmethod
    def delta(before, after, client_cpu: float) -> dict:
        wall, gunicorn, postgres, machine = (b - a for a, b in zip(before, after, strict=True))
        return {
            "wall": wall,
            "client": client_cpu,
            "gunicorn": gunicorn,
            "postgres": postgres,
            "machine": machine,
            "other": max(0.0, machine - client_cpu - gunicorn - postgres),
        }


# --- Database and data --------------------------------------------------------------------------------------------


def build(voters: int):
    """A congress in session with ``voters`` delegates, all checked in; their personal links' secrets."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from agenda.models import Congress
    from core.models import User
    from delegates.models import Attendance, County, Organisation, Participant, RegionalOffice
    from delegates.services.links import personal_link_issue

    today = timezone.localdate()
    official = User.objects.create_user(email="bench-official@example.no", is_staff=True, is_superuser=True)
    congress = Congress.objects.create(
        name="Landstinget (benchmark)",
        year=today.year,
        city="Trondheim",
        venue="Trondheim Spektrum",
        first_day=today,
        last_day=today + datetime.timedelta(days=1),
        registration_deadline=today - datetime.timedelta(days=30),
        status=Congress.Status.IN_SESSION,
    )
    office = RegionalOffice.objects.create(name="KS Benchmark", email="region@example.no")
    counties = County.objects.bulk_create(
        County(number=f"{10 + n:02d}", name=f"Fylke {n + 1}", regional_office=office) for n in range(15)
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(
            kind=Organisation.Kind.MUNICIPALITY,
            number=f"{5000 + n:04d}",
            name=f"Kommune {n + 1}",
            county=counties[n % len(counties)],
            population=10_000 + 37 * n,
            population_date=datetime.date(today.year, 1, 1),
        )
        for n in range(max(1, voters // 3))
    )
    rng = random.Random(2028)
    first = ["Kari", "Ola", "Ingrid", "Lars", "Åse", "Bjørn", "Sølvi", "Håkon", "Mette", "Øystein"]
    last = ["Ødegård", "Bækken", "Hansen", "Fjellheim", "Aasen", "Løvås", "Nilsen", "Strøm", "Berg", "Dæhli"]
    people = []
    for n in range(voters):
        organisation = organisations[n % len(organisations)]
        people.append(
            Participant(
                congress=congress,
                first_name=rng.choice(first),
                last_name=f"{rng.choice(last)} {n}",
                email=f"delegat{n}@example.no",
                gender=rng.choice(["female", "male"]),
                party=rng.choice(["Ap", "H", "Sp", "FrP", "SV", "KrF", "V"]),
                role=Participant.Role.DELEGATE,
                county=organisation.county,
                organisation=organisation,
                elected_by=Participant.ElectedBy.COUNTY_MEETING,
            )
        )
    people = Participant.objects.bulk_create(people, batch_size=500)
    Attendance.objects.bulk_create(
        Attendance(participant=person, direction=Attendance.Direction.IN, recorded_by=official) for person in people
    )
    tokens = {}
    with transaction.atomic():
        for person in people:
            _link, token = personal_link_issue(participant=person, user=official)
            tokens[person.pk] = token
    return congress, official, people, tokens


def poll_new(congress, official, scenario: str, number: int):
    """A new open poll: a yes/no decision, or a one-seat election with three candidates."""
    from elections.models import Candidate, Election
    from elections.services import poll_create_decision, poll_create_for_election, poll_open

    if scenario == "yes-no":
        poll = poll_create_decision(congress=congress, title=f"Benchmark: forslag {number}")
        return poll_open(poll=poll, user=official), []
    election = Election.objects.create(
        congress=congress,
        office=Election.Office.OTHER,
        title=f"Benchmark: valg {number}",
        seats=1,
        method=Election.Method.SINGLE_MAJORITY,
        position=number,
    )
    candidates = Candidate.objects.bulk_create(
        Candidate(election=election, first_name=name, last_name=f"Kandidat {number}", position=position)
        for position, name in enumerate(["Gunn", "Bjørn", "Marit"])
    )
    poll = poll_create_for_election(election=election)
    return poll_open(poll=poll, user=official), [candidate.pk for candidate in candidates]


# --- Gunicorn -----------------------------------------------------------------------------------------------------


def gunicorn_start(args, port: int, log_path: Path) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "ks_landsting.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--log-level",
        "warning",
    ]
    log = open(log_path, "wb")  # noqa: SIM115
    return subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)


def gunicorn_wait(server: subprocess.Popen, port: int, workers: int, timeout: float = 60) -> float:
    import http.client

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/helse/", headers={"X-Forwarded-Proto": "https"})
            status = connection.getresponse().status
            connection.close()
        except OSError:
            status = 0
        booted = sum(1 for fields in _processes().values() if int(fields[2]) == server.pid)
        if status == 200 and booted >= workers:
            return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /helse/")


def gunicorn_stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- One round ----------------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def run_round(ctx, number: int, scenario: str) -> dict:
    args, clients, meter = ctx["args"], ctx["clients"], ctx["meter"]
    port, scheme, people, tokens = ctx["port"], ctx["scheme"], ctx["people"], ctx["tokens"]
    cookies = ctx["cookies"]
    poll, candidates = poll_new(ctx["congress"], ctx["official"], scenario, number)
    paths = [f"/p/{tokens[person.pk]}/stemmegivning/{poll.pk}/" for person in people]

    # Phase 1: every delegate opens the ballot (the link is the login) and gets the CSRF cookie and token.
    jobs = [{"index": n, "path": path, "cookie": cookies.get(n, "")} for n, path in enumerate(paths)]
    before = meter.sample()
    results, start_at, client_cpu = clients.run(
        "login", [{"jobs": share, "port": port, "scheme": scheme} for share in split(jobs, len(clients.pipes))]
    )
    login_cpu = meter.delta(before, meter.sample(), client_cpu)
    logins = sorted((row for share in results for row in share), key=lambda row: row["index"])
    for row in logins:
        if row.get("cookie"):
            cookies[row["index"]] = row["cookie"]
    login_ok = [
        row for row in logins if row["status"] == 200 and row.get("token") and row.get("cookie") and row.get("cast_url")
    ]

    # Phase 2: every delegate who got a ballot casts it, all at once, and then tries again.
    rng = random.Random(number)
    sent: dict[int, str | int] = {}
    jobs = []
    for row in login_ok:
        sent[row["index"]], field = _ballot_field(scenario, rng, candidates)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": row["token"], **row["hidden"], **field}).encode()
        job = {"index": row["index"], "cookie": row["cookie"], "body": body}
        if args.client == "script":  # what the page's script does: the same form, to the cast address, JSON back
            job.update(path=row["cast_url"], accept="application/json")
        else:  # a browser without JavaScript: the form posted to the ballot page, the receipt page back
            job.update(path=paths[row["index"]], accept="text/html")
        jobs.append(job)
    before = meter.sample()
    results, start_at, client_cpu = clients.run(
        "vote",
        [
            {"jobs": share, "port": port, "scheme": scheme, "second": not args.no_second}
            for share in split(jobs, len(clients.pipes))
        ],
    )
    vote_cpu = meter.delta(before, meter.sample(), client_cpu)
    votes = [row for share in results for row in share]

    checked = check_poll(ctx, poll, scenario, candidates, sent, votes)
    whole = run_whole_vote(ctx, number, scenario) if not args.no_whole else None

    first_sent = min(row["sent"] for row in votes)
    last_done = max(row["done"] for row in votes)
    return {
        "round": number,
        "scenario": scenario,
        "poll": poll.pk,
        "login": {
            "wall": max(row["done"] for row in logins) - min(row["sent"] for row in logins),
            "latencies": [row["done"] - row["sent"] for row in logins if row["status"]],
            "statuses": collections.Counter(row["status"] or row["error"] for row in logins),
            "ok": len(login_ok),
            "cpu": login_cpu,
            "requests": len(logins),
        },
        "vote": {
            "wall": last_done - first_sent,
            "wall_all": max(row["done2"] for row in votes) - first_sent,
            "start_skew": first_sent - start_at,
            "latencies": [row["done"] - row["sent"] for row in votes if row["status"]],
            "latencies2": [row["done2"] - row["done"] for row in votes if row["status2"]],
            "statuses": collections.Counter(row["status"] or row["error"] for row in votes),
            "statuses2": collections.Counter(row["status2"] or row["error2"] for row in votes),
            "cpu": vote_cpu,
            "requests": len(votes) * (1 if args.no_second else 2),
        },
        "voters": len(people),
        **checked,
        "whole": whole,
    }


def check_poll(ctx, poll, scenario: str, candidates: list[int], sent: dict, votes: list[dict]) -> dict:
    """Close the poll through the service and check from the database: every receipt a client was shown stored
    once, one vote per voter, and the count as the clients sent it."""
    from elections.models import Ballot, Poll, VoteCast
    from elections.services import poll_close

    poll = poll_close(poll=poll, user=ctx["official"])
    poll = Poll.objects.get(pk=poll.pk)
    stored = list(Ballot.objects.filter(poll=poll).values_list("receipt", flat=True))
    voted = VoteCast.objects.filter(poll=poll).count()
    voters_distinct = VoteCast.objects.filter(poll=poll).values("participant").distinct().count()
    shown = [row["receipt"] for row in votes if row["status"] == 200 and row["receipt"]]
    stored_counts = collections.Counter(stored)
    accepted = [row for row in votes if row["status"] == 200 and row["receipt"]]
    expected = collections.Counter(sent[row["index"]] for row in accepted)
    result = poll.result or {}
    if scenario == "yes-no":
        counted = {answer: result.get(answer, 0) for answer in ("yes", "no", "abstain")}
        wanted = {answer: expected.get(answer, 0) for answer in ("yes", "no", "abstain")}
    else:
        counted = dict(zip(result.get("candidates", []), result.get("votes", []), strict=False))
        wanted = {candidate: expected.get(candidate, 0) for candidate in candidates}
    lost = sum(1 for receipt in shown if stored_counts[receipt] == 0)
    duplicated = (
        sum(count - 1 for count in stored_counts.values() if count > 1)
        + (voted - voters_distinct)
        + max(0, len(stored) - len(shown))
        + sum(1 for row in votes if row.get("status2") == 200)
    )
    return {
        "accepted": len(accepted),
        "ballots": len(stored),
        "voted": voted,
        "eligible": poll.eligible_count,
        "counted": counted,
        "wanted": wanted,
        "count_ok": counted == wanted,
        "lost": lost,
        "duplicated": duplicated,
    }


def _ballot_field(scenario: str, rng: random.Random, candidates: list[int]) -> tuple[str | int, dict]:
    if scenario == "yes-no":
        answer = rng.choices(["yes", "no", "abstain"], weights=[5, 4, 1])[0]
        return answer, {"answer": answer}
    choice = rng.choices(candidates, weights=[4, 3, 2])[0]
    return choice, {"choice": str(choice)}


def run_whole_vote(ctx, number: int, scenario: str) -> dict:
    """A new poll, and every voter at once: open the ballot page, then cast from it. Voters/s = voters who got a
    receipt / (first GET sent .. last POST answered)."""
    clients, meter, people, tokens = ctx["clients"], ctx["meter"], ctx["people"], ctx["tokens"]
    poll, candidates = poll_new(ctx["congress"], ctx["official"], scenario, 1000 + number)
    rng = random.Random(1000 + number)
    sent, jobs = {}, []
    for index, person in enumerate(people):
        sent[index], field = _ballot_field(scenario, rng, candidates)
        path = f"/p/{tokens[person.pk]}/stemmegivning/{poll.pk}/"
        jobs.append({"index": index, "path": path, "cookie": ctx["cookies"].get(index, ""), "field": field})
    before = meter.sample()
    results, start_at, client_cpu = clients.run(
        "whole",
        [{"jobs": share, "port": ctx["port"], "scheme": ctx["scheme"]} for share in split(jobs, len(clients.pipes))],
    )
    cpu = meter.delta(before, meter.sample(), client_cpu)
    votes = [row for share in results for row in share]
    for row in votes:
        if row.get("cookie"):
            ctx["cookies"][row["index"]] = row["cookie"]
    checked = check_poll(ctx, poll, scenario, candidates, sent, votes)
    return {
        **checked,
        "wall": max(row["done"] for row in votes) - min(row["sent"] for row in votes),
        "start_skew": min(row["sent"] for row in votes) - start_at,
        "latencies": [row["done"] - row["sent"] for row in votes if row["status"]],
        "latencies_get": [row["got"] - row["sent"] for row in votes if row.get("got")],
        "statuses_get": collections.Counter(row["status_get"] or row["error"] for row in votes),
        "statuses": collections.Counter(row["status"] or row["error"] for row in votes),
        "cpu": cpu,
        "requests": 2 * len(votes),
    }


def trivial_run(ctx, url: str) -> dict:
    args, clients, meter = ctx["args"], ctx["clients"], ctx["meter"]
    concurrency = split(list(range(args.voters)), len(clients.pipes))
    before = meter.sample()
    results, start_at, client_cpu = clients.run(
        "trivial",
        [
            {
                "path": url,
                "concurrency": len(share),
                "seconds": args.trivial_seconds,
                "port": ctx["port"],
                "scheme": ctx["scheme"],
            }
            for share in concurrency
        ],
    )
    cpu = meter.delta(before, meter.sample(), client_cpu)
    latencies = [value for result in results for value in result["latencies"]]
    statuses = sum((result["statuses"] for result in results), collections.Counter())
    errors = sum((result["errors"] for result in results), collections.Counter())
    wall = max(result["last_done"] for result in results) - start_at
    return {"url": url, "wall": wall, "latencies": latencies, "statuses": statuses, "errors": errors, "cpu": cpu}


# --- Report -------------------------------------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{1000 * value:7.1f}"


def statuses_text(counter: collections.Counter) -> str:
    return " ".join(f"{key}:{count}" for key, count in sorted(counter.items(), key=lambda item: str(item[0])))


def cpu_text(cpu: dict, requests: int) -> str:
    per = f"per request: gunicorn {ms(cpu['gunicorn'] / requests).strip()} ms, postgres" if requests else ""
    per += f" {ms(cpu['postgres'] / requests).strip()} ms, client {ms(cpu['client'] / requests).strip()} ms"
    return (
        f"CPU s: client {cpu['client']:.2f}, gunicorn {cpu['gunicorn']:.2f}, postgres {cpu['postgres']:.2f},"
        f" other {cpu['other']:.2f} (machine {cpu['machine']:.2f} in {cpu['wall']:.2f} s);  {per}"
    )


def report(rounds: list[dict], trivials: list[dict], args) -> None:
    print(
        "\nround  scenario  login: wall s  p95 ms  ok  | vote: wall s  ballots/s  p50 ms  p95 ms  max ms"
        "  | 2nd POST  | ballots voted  lost dup  count"
    )
    for row in rounds:
        login, vote = row["login"], row["vote"]
        second = vote["statuses2"]
        print(
            f"{row['round']:>5}  {row['scenario']:8}  {login['wall']:12.3f} {ms(percentile(login['latencies'], 0.95))}"
            f" {login['ok']:4d}  | {vote['wall']:10.3f} {row['accepted'] / vote['wall']:10.0f}"
            f" {ms(percentile(vote['latencies'], 0.5))} {ms(percentile(vote['latencies'], 0.95))}"
            f" {ms(max(vote['latencies'], default=float('nan')))}  | 409: {second.get(409, 0):4d}"
            f"  | {row['ballots']:7d} {row['voted']:5d} {row['lost']:5d} {row['duplicated']:3d}"
            f"  {'ok' if row['count_ok'] else 'WRONG'}"
        )
    for row in rounds:
        problems = []
        if set(row["vote"]["statuses"]) != {200}:
            problems.append(f"first POST statuses {statuses_text(row['vote']['statuses'])}")
        if not args.no_second and set(row["vote"]["statuses2"]) != {409}:
            problems.append(f"second POST statuses {statuses_text(row['vote']['statuses2'])}")
        if set(row["login"]["statuses"]) != {200}:
            problems.append(f"login statuses {statuses_text(row['login']['statuses'])}")
        if not row["count_ok"]:
            problems.append(f"counted {row['counted']} but clients sent {row['wanted']}")
        if problems:
            print(f"round {row['round']}: " + "; ".join(problems))

    for scenario in dict.fromkeys(row["scenario"] for row in rounds):
        chosen = [row for row in rounds if row["scenario"] == scenario]
        ballots = sum(row["accepted"] for row in chosen)
        wall = sum(row["vote"]["wall"] for row in chosen)
        latencies = [value for row in chosen for value in row["vote"]["latencies"]]
        latencies2 = [value for row in chosen for value in row["vote"]["latencies2"]]
        logins = [value for row in chosen for value in row["login"]["latencies"]]
        login_wall = sum(row["login"]["wall"] for row in chosen)
        login_count = sum(row["login"]["requests"] for row in chosen)
        statuses = sum((row["vote"]["statuses"] for row in chosen), collections.Counter())
        statuses2 = sum((row["vote"]["statuses2"] for row in chosen), collections.Counter())
        lost = sum(row["lost"] for row in chosen)
        duplicated = sum(row["duplicated"] for row in chosen)
        vote_cpu = {key: sum(row["vote"]["cpu"][key] for row in chosen) for key in chosen[0]["vote"]["cpu"]}
        login_cpu = {key: sum(row["login"]["cpu"][key] for row in chosen) for key in chosen[0]["login"]["cpu"]}
        requests = sum(row["vote"]["requests"] for row in chosen)
        print(f"\n{scenario}: {len(chosen)} rounds of {args.voters} voters")
        print(
            f"  log in (GET ballot page)   {login_count} in {login_wall:.2f} s = {login_count / login_wall:6.0f}/s;"
            f" latency p50 {ms(percentile(logins, 0.5)).strip()} ms, p95 {ms(percentile(logins, 0.95)).strip()} ms,"
            f" max {ms(max(logins)).strip()} ms"
        )
        print(f"    {cpu_text(login_cpu, login_count)}")
        print(
            f"  ballots                    {ballots} in {wall:.2f} s = {ballots / wall:6.0f}/s sustained"
            f" (best round {max(row['accepted'] / row['vote']['wall'] for row in chosen):.0f}/s,"
            f" worst {min(row['accepted'] / row['vote']['wall'] for row in chosen):.0f}/s)"
        )
        print(
            f"  ballot POST latency        p50 {ms(percentile(latencies, 0.5)).strip()} ms,"
            f" p95 {ms(percentile(latencies, 0.95)).strip()} ms, max {ms(max(latencies)).strip()} ms"
            f" (connect to last byte, all {len(latencies)} sent at once)"
        )
        print(
            f"  second POST (must be 409)  p50 {ms(percentile(latencies2, 0.5)).strip()} ms,"
            f" p95 {ms(percentile(latencies2, 0.95)).strip()} ms; statuses {statuses_text(statuses2)}"
        )
        print(f"  first POST statuses        {statuses_text(statuses)}")
        print(
            f"  phase with the second POSTs {sum(row['vote']['wall_all'] for row in chosen):.2f} s"
            f" ({requests / sum(row['vote']['wall_all'] for row in chosen):.0f} POST/s);"
            f" start skew max {max(row['vote']['start_skew'] for row in chosen) * 1000:.1f} ms"
        )
        print(f"    {cpu_text(vote_cpu, requests)}")
        server_cpu = vote_cpu["gunicorn"] + vote_cpu["postgres"] + vote_cpu["client"]
        cores = os.cpu_count() or 1
        print(
            f"  CPU per voter (the POST{'' if args.no_second else 's'}): gunicorn"
            f" {ms(vote_cpu['gunicorn'] / ballots).strip()} + postgres {ms(vote_cpu['postgres'] / ballots).strip()}"
            f" + client {ms(vote_cpu['client'] / ballots).strip()} = {ms(server_cpu / ballots).strip()} ms;"
            f" with all {cores} cores free: at most {cores * ballots / server_cpu:.0f} voters/s"
            f" ({cores * ballots / (server_cpu - vote_cpu['client']):.0f}/s with the client elsewhere)"
        )
        print(
            f"  database: ballots {sum(row['ballots'] for row in chosen)}, votes cast"
            f" {sum(row['voted'] for row in chosen)}, eligible {sum(row['eligible'] for row in chosen)};"
            f" counts as sent: {all(row['count_ok'] for row in chosen)}; lost {lost}, duplicated {duplicated}"
        )

    whole_report(rounds, args)

    for trivial in trivials:
        latencies = trivial["latencies"]
        count = len(latencies)
        print(
            f"\ntrivial view GET {trivial['url']}: {count} requests in {trivial['wall']:.2f} s ="
            f" {count / trivial['wall']:6.0f} requests/s with {args.voters} concurrent clients; latency p50"
            f" {ms(percentile(latencies, 0.5)).strip()} ms, p95 {ms(percentile(latencies, 0.95)).strip()} ms;"
            f" statuses {statuses_text(trivial['statuses'])}"
            + (f"; errors {statuses_text(trivial['errors'])}" if trivial["errors"] else "")
        )
        print(f"    {cpu_text(trivial['cpu'], count)}")


def whole_report(rounds: list[dict], args) -> None:
    """The whole vote: every voter opens the ballot page and casts from it at once."""
    rows = [row for row in rounds if row.get("whole")]
    if not rows:
        return
    print(
        "\nthe whole vote (every voter at once: GET the ballot page, then POST the ballot from it)"
        "\nround  scenario  wall s  voters/s  GET p50 ms  p95 ms | to receipt p50 ms  p95 ms  max ms"
        " | receipts  lost dup  count"
    )
    for row in rows:
        whole = row["whole"]
        print(
            f"{row['round']:>5}  {row['scenario']:8}  {whole['wall']:6.3f} {whole['accepted'] / whole['wall']:9.0f}"
            f" {ms(percentile(whole['latencies_get'], 0.5))}    {ms(percentile(whole['latencies_get'], 0.95))}"
            f" |     {ms(percentile(whole['latencies'], 0.5))} {ms(percentile(whole['latencies'], 0.95))}"
            f" {ms(max(whole['latencies'], default=float('nan')))} | {whole['accepted']:8d} {whole['lost']:5d}"
            f" {whole['duplicated']:3d}  {'ok' if whole['count_ok'] else 'WRONG'}"
        )
        if set(whole["statuses"]) != {200} or set(whole["statuses_get"]) != {200}:
            print(
                f"round {row['round']}: whole vote GET statuses {statuses_text(whole['statuses_get'])},"
                f" POST statuses {statuses_text(whole['statuses'])}"
            )
    for scenario in dict.fromkeys(row["scenario"] for row in rows):
        chosen = [row["whole"] for row in rows if row["scenario"] == scenario]
        voters = sum(whole["accepted"] for whole in chosen)
        wall = sum(whole["wall"] for whole in chosen)
        cpu = {key: sum(whole["cpu"][key] for whole in chosen) for key in chosen[0]["cpu"]}
        server = cpu["gunicorn"] + cpu["postgres"] + cpu["client"]
        print(
            f"{scenario}: whole vote {voters} voters in {wall:.2f} s = {voters / wall:6.0f} voters/s sustained"
            f" (best round {max(w['accepted'] / w['wall'] for w in chosen):.0f}/s,"
            f" worst {min(w['accepted'] / w['wall'] for w in chosen):.0f}/s);"
            f" lost {sum(w['lost'] for w in chosen)}, duplicated {sum(w['duplicated'] for w in chosen)},"
            f" counts as sent: {all(w['count_ok'] for w in chosen)}"
        )
        print(f"    {cpu_text(cpu, sum(whole['requests'] for whole in chosen))}")
        print(
            f"    CPU per voter (GET + POST): gunicorn {ms(cpu['gunicorn'] / voters).strip()} + postgres"
            f" {ms(cpu['postgres'] / voters).strip()} + client {ms(cpu['client'] / voters).strip()} ="
            f" {ms(server / voters).strip()} ms"
        )


# --- Profile (in this process, no HTTP) -------------------------------------------------------------------------


def profile(ctx, count: int = 200) -> None:
    """SQL per request, the cost of a new database connection, and cProfile of ``count`` ballot POSTs."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    logging.getLogger("django.request").setLevel(logging.ERROR)  # not a "Conflict" line per 409
    people, tokens = ctx["people"][:count], ctx["tokens"]
    poll, _candidates = poll_new(ctx["congress"], ctx["official"], "yes-no", 9999)
    client = Client(HTTP_HOST=HOST)

    def path(person):
        return f"/p/{tokens[person.pk]}/stemmegivning/{poll.pk}/"

    def post(person, answer: str):
        """The ballot as the bench's client sends it (``--client``)."""
        data = {"answer": answer, "poll_kind": poll.kind, "poll_max_choices": str(poll.max_choices)}
        if ctx["args"].client == "script":
            return client.post(path(person) + "avgi/", data, secure=True, HTTP_ACCEPT="application/json")
        return client.post(path(person), data, secure=True)

    with CaptureQueriesContext(connection) as shown:
        response = client.get(path(people[0]), secure=True)
    assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as cast:
        response = post(people[0], "yes")
    assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as again:
        response = post(people[0], "yes")
    assert response.status_code == 409, response.status_code
    print(f"\nprofile (in this process, Django test client, no HTTP, persistent connection), poll {poll.pk}:")
    for label, captured in (("GET ballot page", shown), ("POST ballot", cast), ("second POST (409)", again)):
        print(f"  {label}: {len(captured.captured_queries)} queries")
        for query in captured.captured_queries:
            print(f"      {query['time']}s  {query['sql'][:150]}")

    # What CONN_MAX_AGE=0 costs: a new connection per request (Django's connect and its session setup).
    timings = []
    for _n in range(50):
        connection.close()
        started = time.perf_counter()
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        timings.append(time.perf_counter() - started)
    import psycopg

    with psycopg.connect(DATABASE_URL) as raw:
        server_zone = raw.info.parameter_status("TimeZone")  # before Django sets its own
    if server_zone != connection.timezone_name:
        print(
            f"  each new connection also runs SET TIME ZONE (server {server_zone}, Django {connection.timezone_name})"
        )
    print(
        f"  new database connection + SELECT 1 (what every request pays with CONN_MAX_AGE=0):"
        f" median {ms(statistics.median(timings)).strip()} ms wall in Django"
    )

    half = len(people) // 2
    started, cpu = time.perf_counter(), time.process_time()
    for person in people[1:half]:
        response = post(person, "no")
        assert response.status_code == 200, response.status_code
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"  {half - 1} ballot POSTs in-process: {ms(elapsed / (half - 1)).strip()} ms wall,"
        f" {ms(cpu / (half - 1)).strip()} ms CPU each (this process only; PostgreSQL's time is in the wall)"
    )
    started, cpu = time.perf_counter(), time.process_time()
    for person in people[1:half]:
        response = post(person, "no")
        assert response.status_code == 409, response.status_code
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"  {half - 1} second POSTs (409): {ms(elapsed / (half - 1)).strip()} ms wall,"
        f" {ms(cpu / (half - 1)).strip()} ms CPU each"
    )

    profiler = cProfile.Profile()
    profiler.enable()
    for person in people[half:]:
        response = post(person, "no")
        assert response.status_code == 200, response.status_code
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"\ncProfile of {len(people) - half} ballot POSTs, top 30 by cumulative time:")
    stats.sort_stats("cumulative").print_stats(30)
    print("cProfile, top 25 by own time:")
    stats.sort_stats("tottime").print_stats(25)


# --- Main ---------------------------------------------------------------------------------------------------------


def main() -> None:
    class Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
        pass

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=Formatter)
    parser.add_argument("--voters", type=int, default=300, help="delegates voting at once (and trivial-view clients)")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds per scenario, each a new poll")
    parser.add_argument("--warmup", type=int, default=1, help="rounds run first and not counted")
    parser.add_argument(
        "--scenario",
        choices=["yes-no", "election", "both"],
        default="yes-no",
        help="a yes/no decision, a one-seat election (three candidates), or both one after the other",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn --workers")
    parser.add_argument("--worker-class", default="sync", help="gunicorn --worker-class (sync, gthread)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn --threads (more than 1 means gthread)")
    parser.add_argument(
        "--settings",
        choices=["production", "default"],
        default="production",
        help="ks_landsting.settings.production behind a pretended TLS proxy, or ks_landsting.settings, DEBUG off",
    )
    parser.add_argument("--conn-max-age", type=int, default=None, help="CONN_MAX_AGE (default: the settings')")
    parser.add_argument("--client-procs", type=int, default=1, help="client processes (asyncio each)")
    parser.add_argument(
        "--trivial-url",
        action="append",
        default=argparse.SUPPRESS,
        help="the trivial view to compare with (repeat for several; /helse/ when not given)",
    )
    parser.add_argument("--trivial-seconds", type=float, default=5.0, help="how long the trivial view is requested")
    parser.add_argument("--no-trivial", action="store_true", help="skip the trivial view")
    parser.add_argument(
        "--client",
        choices=["script", "form"],
        default="script",
        help="script: POST to the cast address and read JSON, as the ballot page's script does (default);"
        " form: POST the form to the ballot page and read the receipt page, as a browser without JavaScript does",
    )
    parser.add_argument("--no-second", action="store_true", help="no second POST (the 409 check) after each ballot")
    parser.add_argument(
        "--no-whole", action="store_true", help="no whole vote (open the ballot page, then cast) after each round"
    )
    parser.add_argument("--profile", action="store_true", help="then SQL per request and cProfile, in-process")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    quick = {"voters": 20, "rounds": 1, "warmup": 1, "scenario": "both", "workers": 2, "trivial_seconds": 1.0}
    args = parse_args(parser, quick=quick)
    args.client_label = {
        "script": "the ballot page's script does (POST to …/avgi/, JSON back)",
        "form": "a browser without JavaScript does (POST to the ballot page, receipt page back)",
    }[args.client]

    if args.threads > 1 and args.worker_class == "sync":
        args.worker_class = "gthread"  # what gunicorn does itself
    # Fork the client processes before Django, a database connection or gunicorn exist.
    clients = Clients(args.client_procs)
    static_root = Path(tempfile.mkdtemp(prefix="ks-bench-voting-static-"))
    os.environ.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,  # empty: the settings' embedded default (local memory cache, eager tasks)
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    if args.conn_max_age is not None:
        os.environ["CONN_MAX_AGE"] = str(args.conn_max_age)
    else:
        os.environ.pop("CONN_MAX_AGE", None)
    scheme = "http"
    if args.settings == "production":
        scheme = "https"
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "ks_landsting.settings.production",
                "SECRET_KEY": "bench-voting-" + secrets.token_urlsafe(40),
                "ALLOWED_HOSTS": f"{HOST},localhost,testserver",
                "STATIC_ROOT": str(static_root),
            }
        )
    else:
        os.environ["DJANGO_SETTINGS_MODULE"] = "ks_landsting.settings"

    load_before = os.getloadavg()
    server = None
    healthy = False
    log_path = Path(tempfile.gettempdir()) / f"ks-bench-voting-gunicorn-{os.getpid()}.log"
    database_recreate(DB_NAME)
    try:
        import django

        django.setup()
        import gunicorn
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        started = time.monotonic()
        devnull = open(os.devnull, "w")  # noqa: SIM115
        call_command("migrate", verbosity=0, stdout=devnull)
        if args.settings == "production":
            call_command("collectstatic", interactive=False, verbosity=0, stdout=devnull)
        congress, official, people, tokens = build(args.voters)
        pg_version = connection.cursor().connection.info.server_version
        print(
            f"database: {DB_NAME}; {args.voters} delegates checked in, {len(tokens)} personal links;"
            f" built in {time.monotonic() - started:.1f} s"
        )
        print(
            f"Python {sys.version.split()[0]}, Django {django.get_version()}, gunicorn {gunicorn.__version__},"
            f" PostgreSQL {pg_version // 10000}.{pg_version % 10000}; nproc {os.cpu_count()};"
            f" load average before {' '.join(f'{value:.2f}' for value in load_before)}"
        )
        connection.close()  # gunicorn's workers and the service calls below open their own

        port = free_port(HOST)
        server = gunicorn_start(args, port, log_path)
        ready = gunicorn_wait(server, port, args.workers)
        print(
            f"gunicorn on {HOST}:{port}: --workers {args.workers} --worker-class {args.worker_class} --threads"
            f" {args.threads}; settings {settings.SETTINGS_MODULE} (DEBUG={settings.DEBUG}, {scheme} as seen by"
            f" Django), CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}; ready after {ready:.1f} s;"
            f" client: {args.client_procs} process(es), asyncio; ballots sent as {args.client_label}"
        )

        ctx = {
            "args": args,
            "clients": clients,
            "meter": CpuMeter(server.pid, postmaster_pid()),
            "port": port,
            "scheme": scheme,
            "congress": congress,
            "official": official,
            "people": people,
            "tokens": tokens,
            "cookies": {},
        }
        scenarios = ["yes-no", "election"] if args.scenario == "both" else [args.scenario]
        rounds, number = [], 0
        for warm in range(args.warmup):
            number += 1
            row = run_round(ctx, number, scenarios[warm % len(scenarios)])
            print(
                f"warm-up round {number} ({row['scenario']}): {row['accepted']} ballots in {row['vote']['wall']:.2f} s,"
                f" lost {row['lost']}, duplicated {row['duplicated']}, count {'ok' if row['count_ok'] else 'WRONG'}"
            )
        for scenario in scenarios:
            for _round in range(args.rounds):
                number += 1
                rounds.append(run_round(ctx, number, scenario))
        trivials = (
            [] if args.no_trivial else [trivial_run(ctx, url) for url in getattr(args, "trivial_url", ["/helse/"])]
        )
        report(rounds, trivials, args)
        print(f"\nload average after {' '.join(f'{value:.2f}' for value in os.getloadavg())}")

        best = sum(row["accepted"] for row in rounds) / sum(row["vote"]["wall"] for row in rounds)
        wholes = [row["whole"] for row in rounds if row.get("whole")]
        checked = [*rounds, *wholes]
        clean = all(row["lost"] == 0 and row["duplicated"] == 0 and row["count_ok"] for row in checked)
        all_in = all(row["accepted"] == args.voters for row in checked)
        healthy = clean and all_in
        verdict = "met" if best >= 500 and clean and all_in else "NOT met"
        if args.quick:
            verdict = f"not judged with --quick (none lost: {clean and all_in})"
        print(
            f"target: at least 500 ballots/s and none lost: {verdict}"
            f" ({best:.0f} ballots/s sustained; lost/duplicated/wrong: {'none' if clean else 'SEE ABOVE'};"
            f" every voter got a receipt: {all_in})"
        )
        if wholes:
            voters_rate = sum(whole["accepted"] for whole in wholes) / sum(whole["wall"] for whole in wholes)
            verdict = "met" if voters_rate >= 300 and clean and all_in else "NOT met"
            if args.quick:
                verdict = f"not judged with --quick (none lost: {clean and all_in})"
            print(
                f"target: the whole vote at least 300 voters/s and none lost: {verdict}"
                f" ({voters_rate:.0f} voters/s sustained, ballot page and ballot)"
            )
        gunicorn_stop(server)
        server = None
        lines = collections.Counter(
            re.sub(r"\d+", "N", line) for line in log_path.read_text(errors="replace").splitlines() if line.strip()
        )
        if lines:
            print(f"gunicorn log: {sum(lines.values())} lines (numbers as N):")
            for line, count in lines.most_common(10):
                print(f"  {count:6d}  {line[:150]}")
        if args.profile:
            profile(ctx)
    finally:
        clients.stop()
        if server is not None:
            gunicorn_stop(server)
        if not args.keep_db:
            database_drop(DB_NAME)
        else:
            print(f"database kept: {DB_NAME}")
        shutil.rmtree(static_root, ignore_errors=True)
        with contextlib.suppress(OSError):
            log_path.unlink()
    if not healthy:
        sys.exit("FAILED: ballots lost, duplicated or counted wrong, or a voter without a receipt (see above)")


if __name__ == "__main__":
    main()
