"""The hall bench of issue 15: 300 phones and 3 hall screens follow a debate on the real plenary views while the chair
acts once a second for two minutes.

Drops and creates the PostgreSQL database ``ks_landsting_bench_plenary`` (or ``$BENCH_PLENARY_DB``), runs ``migrate``
and builds a congress in session with ``--phones`` delegates, all checked in, each with a personal link
(``bench.voting.build``), and one agenda item before the hall (``plenary.services.hall_item_set``) with a debate
under way: a speech being given, speeches and replies waiting. The server is gunicorn with sync workers as in
docker-compose.yml (``--workers``, default 3) on the project's production settings (``bench/_plenary_settings.py``:
DEBUG off, CONN_MAX_AGE 60, the cache on a ``redis-server`` the bench starts on ``--redis-port``, default a free one;
the shared Redis is never touched), asked through a pretended TLS proxy (``X-Forwarded-Proto: https``).

Clients (one asyncio process over plain sockets, forked before Django), each with a random phase, sending the version
they hold as ``If-None-Match`` as ``static/js/hall-feed.js`` does:

- phones: ``GET /p/<token>/ordet/tilstand/`` (``plenary_portal:floor_state``), one per delegate with its own link,
  every ``--phone-interval`` s (2);
- hall screens: ``GET /sal/<screen key>/state.json`` (``plenary_hall:screen_state``), every ``--screen-interval``
  s (0.5).

The chair is this process: once a second for ``--seconds`` s (120) one action through ``plenary.services``, each its
own committed transaction that bumps the hall's version; the moment of each commit is noted. The mix follows a
debate, in a cycle of ten: a delegate asks for a speech on the phone (``speaker_request_add`` without a user), next
speaker (``speech_next`` with the speech the console saw), a reply, another speech, pause, resume, a reply, the
speaker's answer to the replies, a delegate withdraws, next speaker; a point of order now and then, and the list is
closed (strek) near the end. An action the services refuse (a reply with no speech in turn, a speech after the
strek) is counted and replaced by "next speaker", so every second still changes the hall.

Figures: per kind of client, the delay of every action (from its commit to the client first holding that version or
a newer one: the hall's version is the first part of both documents' ``version``) as p50, p95 and max; the (client,
action) pairs that never arrived; statuses and request errors (anything but 200 and 304 is an error). CPU over the
two minutes from /proc (``bench.live_transport.Meter``): gunicorn, the PostgreSQL backends of the bench's database
(the chair's included), the bench's Redis, in cores; the client process separately. Then, against the same server,
``/helse/`` by ``--trivial-concurrency`` clients for ``--trivial-seconds`` s. Before the run, one phone state request
(a delegate on the list and one who is not) and one screen state request, 200 and 304, are timed in this process
through Django's test client: queries and CPU ms per request (``--repeats`` each, taking turns; ``--sql`` lists the
queries of each 200).

    BENCH_PLENARY_DB=<name> .venv/bin/python bench/plenary_hall.py [--phones 300] [--screens 3] [--seconds 120]
        [--screen-interval 0.5] [--phone-interval 2] [--workers 3] [--redis-port N] [--repeats 200] [--sql]

Exits with status 1 when a client missed an action for good (never held its version before the end), a request
failed or was answered with anything but 200 or 304. ``--quick`` (``make bench-quick``): 20 phones, 6 actions,
2 workers, the trivial view for 1 s, 10 repeats: the same code path, in seconds.
"""

import argparse
import asyncio
import collections
import json
import multiprocessing
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import live_transport  # noqa: E402
from bench._shared import database_recreate, free_port, parse_args  # noqa: E402
from bench.live_transport import HOST, Backends, Meter, delays, redis_start, report, server_start  # noqa: E402
from bench.voting import Connection, _trivial, build, gunicorn_stop, gunicorn_wait  # noqa: E402

DB_NAME = os.environ.get("BENCH_PLENARY_DB", "ks_landsting_bench_plenary")  # a name of one's own on a shared server
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
live_transport.DB_NAME = DB_NAME  # Backends counts the PostgreSQL backends of this database


def hall_version(version) -> int:
    """The hall's version in a document's ``version``: the phone's is "<hall>-<checked in>-<status>-...", the
    screen's "<hall>" or "<hall>-<vote>"."""
    return int(str(version).split("-", 1)[0])


# --- Clients (the client process; no Django here) ------------------------------------------------------------------


async def _poller(path: str, interval: float, port: int, start_at: float, until: float, out: dict) -> None:
    """One browser following the hall as hall-feed.js does: a GET every ``interval`` s, with the ETag it holds."""
    connection = Connection(port)
    etag, last, records = None, 0, []
    next_at = start_at + random.uniform(0, interval)
    while next_at < until:
        await live_transport._sleep_until(next_at)
        try:
            status, headers, body = await connection.request(live_transport._request(path, port, etag=etag))
        except Exception as error:  # the page keeps its last state, marks it stale and asks again
            out["errors"][type(error).__name__] += 1
            connection.close()
            next_at = max(next_at + interval, time.monotonic())
            continue
        now = time.monotonic()
        out["statuses"][status] += 1
        if status == 200:
            etag = headers["etag"][0]
            out["bytes"] += len(body)
            if (version := hall_version(json.loads(body)["version"])) > last:
                records.append((now, version))
                last = version
        elif status != 304:
            out["errors"][f"HTTP {status}"] += 1
        next_at = max(next_at + interval, now)
    connection.close()
    out["records"].append(records)


async def _follow(port: int, paths: dict, intervals: dict, start_at: float, until: float) -> dict:
    outs = {kind: live_transport._kind_out() for kind in paths}
    await asyncio.gather(
        *(
            _poller(path, intervals[kind], port, start_at, until, outs[kind])
            for kind, kind_paths in paths.items()
            for path in kind_paths
        )
    )
    return outs


def client_main(pipe) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
    while (message := pipe.recv()) is not None:
        phase, kwargs = message
        cpu = time.process_time()
        result = asyncio.run(_follow(**kwargs) if phase == "follow" else _trivial(**kwargs))
        pipe.send((result, time.process_time() - cpu))


class Client(live_transport.Client):
    """One client process, forked before Django is loaded (``send``/``receive``/``stop`` as live_transport's)."""

    def __init__(self):
        context = multiprocessing.get_context("fork")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=client_main, args=(child,), daemon=True)
        self.process.start()


# --- The debate -----------------------------------------------------------------------------------------------------

#: One action a second, in this cycle; "next" stands in for any that cannot be taken.
CYCLE = ("speech", "next", "reply", "speech", "pause", "resume", "reply", "answer", "withdraw", "next")


class NotNow(Exception):
    """The planned action makes no sense in the hall as it is (nothing to pause, nobody to withdraw)."""


class Chair:
    """The chair, the desk and the delegates' taps, through ``plenary.services``: each action one committed
    transaction that bumps the hall's version."""

    def __init__(self, *, congress, item, official, people, seconds: int, seed: int = 15):
        self.congress, self.item, self.official, self.people = congress, item, official, people
        self.rng = random.Random(seed)
        self.close_at = seconds - max(1, seconds // 12)  # the strek near the end: 110 of 120
        self.taken: collections.Counter = collections.Counter()
        self.refused: collections.Counter = collections.Counter()

    def plan(self, step: int) -> str:
        if step == self.close_at:
            return "close"
        if step % 40 == 23:
            return "point_of_order"
        return CYCLE[step % len(CYCLE)]

    def _someone(self, busy: set[int]):
        free = [person for person in self.people if person.pk not in busy]
        if not free:
            raise NotNow
        return self.rng.choice(free)

    def _ask(self, listed, kind: str) -> None:
        from plenary import services

        in_turn = listed.speech_in_turn
        if kind == "answer":
            if in_turn is None or in_turn.participant is None:
                raise NotNow
            participant = in_turn.participant
        else:
            # Someone not already waiting for this kind; a reply not from the speaker replied to.
            busy = {w.request.participant_id for w in listed.waiting if w.request.kind == kind}
            if kind == "reply" and in_turn is not None:
                busy.add(in_turn.participant_id)
            participant = self._someone(busy)
        services.speaker_request_add(item=self.item, kind=kind, participant=participant)  # the phone: no user

    def act(self, name: str, listed) -> None:
        from plenary import services

        speaking = listed.speaking
        if name in ("speech", "reply", "answer", "point_of_order"):
            self._ask(listed, name)
        elif name == "next":
            services.speech_next(
                congress=self.congress, expected_speaking_id=speaking.pk if speaking else None, user=self.official
            )
        elif name in ("pause", "resume"):
            if speaking is None:
                raise NotNow
            service = services.speech_pause if name == "pause" else services.speech_resume
            service(congress=self.congress, request_id=speaking.pk, user=self.official)
        elif name == "withdraw":
            mine = [w.request for w in listed.waiting if w.request.kind == "speech" and w.request.participant_id]
            if not mine:
                raise NotNow
            request = self.rng.choice(mine)
            services.speaker_request_withdraw(
                request_id=request.pk, congress=self.congress, participant=request.participant
            )
        elif name == "close":
            services.speakers_list_close(item=self.item, user=self.official)

    def step(self, step: int) -> str:
        """One action (the planned one, else the next speaker); returns what was done."""
        from django.core.exceptions import ValidationError

        from plenary import selectors

        planned = self.plan(step)
        for name in (planned, "next") if planned != "next" else ("next",):
            listed = selectors.item_list(self.item)
            try:
                self.act(name, listed)
            except (ValidationError, NotNow) as problem:
                self.refused[f"{name} ({'refused' if isinstance(problem, ValidationError) else 'not possible'})"] += 1
                continue
            self.taken[name] += 1
            return name
        raise RuntimeError(f"step {step}: not even the next speaker could be given")

    def prepare(self) -> None:
        """The debate under way before the clients come: five speeches asked for, the first given, two replies."""
        from plenary import selectors, services

        services.hall_item_set(congress=self.congress, item_id=self.item.pk, user=self.official)
        for name in ("speech",) * 5 + ("next", "reply", "reply"):
            self.act(name, selectors.item_list(self.item))

    def run(self, seconds: int, first_action: float) -> dict[int, float]:
        """Once a second; returns the commit time of every version."""
        from plenary import selectors

        commits = {}
        for step in range(seconds):
            time.sleep(max(0.0, first_action + step - time.monotonic()))
            self.step(step)
            committed = time.monotonic()
            commits[selectors.hall_version(self.congress.pk)] = committed
        return commits


# --- Set up, one request at a time ----------------------------------------------------------------------------------


def setup(args):
    """The congress, its delegates checked in with their links, the item before the hall with a debate under way;
    the paths the clients follow."""
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    from agenda.models import AgendaItem
    from plenary.models import Hall

    congress, official, people, tokens = build(args.phones)
    item = AgendaItem.objects.create(
        congress=congress,
        number=3,
        title="Sak 3: Generell politisk debatt – kommunene og fylkeskommunene i et nytt tiår",
        kind=AgendaItem.Kind.GENERAL_DEBATE,
        planned_start=timezone.make_aware(datetime.datetime.combine(congress.first_day, datetime.time(10, 0))),
        planned_minutes=120,
    )
    chair = Chair(congress=congress, item=item, official=official, people=people, seconds=args.seconds)
    chair.prepare()
    key = Hall.objects.get(congress=congress).screen_key
    paths = {
        "screen": [reverse("plenary_hall:screen_state", args=[key])] * args.screens,
        "phone": [reverse("plenary_portal:floor_state", args=[tokens[person.pk]]) for person in people],
    }
    return chair, tokens, paths


def in_process(chair, tokens: dict, paths: dict, repeats: int, show_sql: bool) -> None:
    """A phone's and a screen's state request through Django's handler in this process (test client: every
    middleware, the view, the queries; no HTTP server): queries and CPU per request, 200 and 304."""
    from django.db import connection, reset_queries
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from plenary import selectors

    listed = selectors.item_list(chair.item)
    on_list = next(w.request.participant for w in listed.waiting if w.request.participant_id)
    off_list = next(person for person in chair.people if person.pk not in {r.participant_id for r in listed.requests})
    client = TestClient(HTTP_X_FORWARDED_PROTO="https", HTTP_ACCEPT="application/json")
    kinds = []
    for label, path in (
        ("phone, a delegate on the list", reverse("plenary_portal:floor_state", args=[tokens[on_list.pk]])),
        ("phone, a delegate not on the list", reverse("plenary_portal:floor_state", args=[tokens[off_list.pk]])),
        ("hall screen", paths["screen"][0]),
    ):
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{label}: {path} answered {response.status_code}")
        kinds.append((f"{label}, 200", path, {}, len(response.content)))
        kinds.append((f"{label}, 304", path, {"HTTP_IF_NONE_MATCH": response.headers["ETag"]}, 0))
    kinds.append(("/helse/ (trivial view)", "/helse/", {}, None))
    queries, sql = [], []
    for _label, path, extra, _size in kinds:
        for _n in range(min(10, repeats)):  # warm up
            client.get(path, **extra)
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            client.get(path, **extra)
        queries.append(len(captured))
        sql.append([query["sql"] for query in captured.captured_queries])
    used, walls = [0.0] * len(kinds), [0.0] * len(kinds)
    statuses = [collections.Counter() for _kind in kinds]
    for _n in range(repeats):
        for number, (_label, path, extra, _size) in enumerate(kinds):
            cpu, wall = time.process_time(), time.perf_counter()
            statuses[number][client.get(path, **extra).status_code] += 1
            used[number] += time.process_time() - cpu
            walls[number] += time.perf_counter() - wall
    print(
        f"\none request at a time in this process (Django's test client, {repeats} each, taking turns; CPU of the"
        " Django process, not of PostgreSQL; wall includes the queries' round trips):"
    )
    for number, (label, _path, _extra, size) in enumerate(kinds):
        shown = " ".join(f"{key}:{value}" for key, value in sorted(statuses[number].items()))
        body = f"{size:6d} bytes" if size else "            "
        print(
            f"  {label:42s} {queries[number]:3d} queries  CPU {1000 * used[number] / repeats:6.2f} ms"
            f"  wall {1000 * walls[number] / repeats:6.2f} ms  {body}  {shown}"
        )
        if show_sql and size:
            for statement in sql[number]:
                print(f"      {statement[:220]}")


def server_check(port: int, paths: dict) -> None:
    """One GET of each kind through the server: a 200 with a version, else the bench stops here."""
    import http.client

    for kind, kind_paths in paths.items():
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        connection.request("GET", kind_paths[0], headers={"X-Forwarded-Proto": "https", "Accept": "application/json"})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"the {kind}'s state ({kind_paths[0][:40]}...) answered {response.status}")
        hall_version(json.loads(body)["version"])


# --- One run --------------------------------------------------------------------------------------------------------


def follow_run(args, client: Client, port: int, meter: Meter, chair: Chair, paths: dict) -> dict:
    start_at = time.monotonic() + 1.5  # the clients hold the first state before the first action
    first_action = start_at + 1.0
    until = first_action + args.seconds + max(args.phone_interval, 1.0) + 2.0
    intervals = {"screen": args.screen_interval, "phone": args.phone_interval}
    client.send("follow", port=port, paths=paths, intervals=intervals, start_at=start_at, until=until)
    time.sleep(max(0.0, first_action - time.monotonic() - 0.05))
    before = meter.sample()
    commits = chair.run(args.seconds, first_action)
    time.sleep(max(0.0, first_action + args.seconds - time.monotonic()))
    cpu = Meter.delta(before, meter.sample())
    outs, client_cpu = client.receive()
    result = {"cpu": cpu, "client_cpu": client_cpu, "kinds": {}, "actions": len(commits)}
    for kind, out in outs.items():
        found, missed = delays(out["records"], commits)
        result["kinds"][kind] = {**out, "delays": found, "missed": missed, "clients": len(out["records"])}
    return result


def main() -> None:
    class Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
        pass

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=Formatter)
    parser.add_argument("--phones", type=int, default=300, help="checked-in delegates following on their phones")
    parser.add_argument("--screens", type=int, default=3, help="hall screens following")
    parser.add_argument("--seconds", type=int, default=120, help="chair actions, one a second")
    parser.add_argument("--screen-interval", type=float, default=0.5, help="seconds between a screen's GETs")
    parser.add_argument("--phone-interval", type=float, default=2.0, help="seconds between a phone's GETs")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (docker-compose.yml: 3)")
    parser.add_argument("--redis-port", type=int, default=0, help="port of the bench's own redis-server (0: free)")
    parser.add_argument("--trivial-seconds", type=float, default=5.0)
    parser.add_argument("--trivial-concurrency", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=200, help="requests per kind in the in-process timing")
    parser.add_argument("--sql", action="store_true", help="list the queries of each state document's 200")
    parser.add_argument("--keep-db", action="store_true")
    quick = {"phones": 20, "seconds": 6, "workers": 2, "trivial_seconds": 1.0, "repeats": 10}
    args = parse_args(parser, quick=quick)
    args.asgi_server = "gunicorn"  # live_transport.server_start reads it for its other transport only

    client = Client()  # before Django, a database connection or a server exist
    redis_port = args.redis_port or free_port(HOST)
    redis_server = redis_start(redis_port) if shutil.which("redis-server") else None
    redis_url = f"redis://{HOST}:{redis_port}/0" if redis_server else ""
    live_transport.server_environment(
        database_url=DATABASE_URL, redis_url=redis_url, settings="bench._plenary_settings", name="plenary"
    )
    load_before = os.getloadavg()
    log_path = Path(tempfile.gettempdir()) / f"ks-bench-plenary-server-{os.getpid()}.log"
    server = None
    healthy = False
    database_recreate(DB_NAME)
    try:
        import django

        django.setup()
        import gunicorn
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        started = time.monotonic()
        call_command("migrate", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        chair, tokens, paths = setup(args)
        pg_version = connection.cursor().connection.info.server_version
        print(
            f"database {DB_NAME} (set up in {time.monotonic() - started:.1f} s); Python {sys.version.split()[0]},"
            f" Django {django.get_version()}, gunicorn {gunicorn.__version__}, PostgreSQL {pg_version // 10000};"
            f" nproc {os.cpu_count()}; load average before {' '.join(f'{value:.2f}' for value in load_before)}"
        )
        print(
            f"settings {settings.SETTINGS_MODULE} (production's; DEBUG {settings.DEBUG}, CONN_MAX_AGE"
            f" {settings.DATABASES['default']['CONN_MAX_AGE']}, cache {settings.CACHES['default']['BACKEND']});"
            f" {args.phones} phones every {args.phone_interval} s, {args.screens} hall screens every"
            f" {args.screen_interval} s, {args.seconds} chair actions; bench Redis {redis_url or 'none'}"
        )
        in_process(chair, tokens, paths, args.repeats, args.sql)
        connection.close()

        backends = Backends()
        backends.start()
        port = free_port(HOST)
        server, label = server_start("poll", args, port, log_path)
        ready = gunicorn_wait(server, port, args.workers)
        meter = Meter(server.pid, redis_server.pid if redis_server else None, backends)
        server_check(port, paths)
        print(f"\n=== {label}; ready after {ready:.1f} s; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        result = follow_run(args, client, port, meter, chair, paths)
        load_during = os.getloadavg()
        trivial = live_transport.trivial_run(args, client, port, meter)
        verdict = report(result, trivial, f"the real plenary views ({label})", args)
        taken = ", ".join(f"{name} {count}" for name, count in chair.taken.most_common())
        refused = ", ".join(f"{name} {count}" for name, count in chair.refused.most_common()) or "none"
        print(f"  chair's actions: {taken}; replaced by the next speaker: {refused}")
        print(f"  load average at the end of the actions {' '.join(f'{value:.2f}' for value in load_during)}")
        gunicorn_stop(server)
        server = None
        lines = collections.Counter(line for line in log_path.read_text(errors="replace").splitlines() if line)
        for line, count in lines.most_common(5):
            print(f"  server log {count:5d}x {line[:160]}")
        judged = "not judged with --quick" if args.quick else ("met" if verdict["met"] else "NOT met")
        print(
            f"\ntarget: screens p95 < 1 s, phones p95 < 3 s, following < 0.5 core: {judged} (screens"
            f" {verdict['screen_p95']:.2f} s, phones {verdict['phone_p95']:.2f} s, {verdict['cores']:.3f} cores);"
            f" every action reached every client, no errors: {verdict['healthy']}"
        )
        healthy = verdict["healthy"]
    finally:
        live_transport.server_teardown(
            client, server, redis_server, database=DB_NAME, keep_db=args.keep_db, log_path=log_path
        )
    if not healthy:
        sys.exit("FAILED: a client missed an action or a request failed (see above)")


if __name__ == "__main__":
    main()
