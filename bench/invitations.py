"""Invitations end to end: N invitation letters (PDF) through a real Celery worker to a local SMTP sink.

Creates a throw-away PostgreSQL database (dropped and created with psycopg, then ``migrate`` and ``seed_demo``),
replaces the demo congress's participants with N delegates spread over the demo counties (the rows that protect the
demo's participants, such as its votes, amendments and statements, are deleted with them), starts an SMTP sink
(aiosmtpd, in this process, on a free port) and a Celery worker (``--concurrency``, 2 by default, its own queue on
Redis db 9) as a subprocess, then calls ``delegates.services.invitations.invitations_queue`` for all N in one
transaction. The clock starts at the commit; the script polls every 0.5 s until the sink has N messages and all N
invitation ``OutboxMail`` rows are SENT, sampling the worker's memory (VmRSS / VmHWM of the main process and its pool
children from /proc).

Prints N, the wall time to all sent, invitations per minute, the time to the first mail, when the last letter was
rendered (last OutboxMail row written), the mean SMTP send per mail, the peak worker memory, failed / lost /
duplicated counts and the mean attachment size. ``--profile`` then runs ``invitations_send`` for the first 100 of
the bench's delegates in this process (rolled back, nothing is sent): once with timers around its phases, once under
cProfile; the cost per letter is divided by the letters actually rendered, and both numbers are printed.

    .venv/bin/python bench/invitations.py [--participants 1000] [--timeout 600] [--profile [--profile-letters 100]]

``--quick``: 20 invitations, then the profile of 10 letters. The script exits with status 1 when an invitation failed,
was lost or duplicated, or not all were sent in time. The worker is exactly ``.venv/bin/celery -A ks_landsting worker``.
"""

import argparse
import collections
import dataclasses
import datetime
import email
import email.policy
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._shared import database_drop, database_recreate, deleted_text, free_port, parse_args  # noqa: E402

# A run of its own on a shared machine: BENCH_DB_NAME and BENCH_REDIS_URL override the database and the Redis db.
DB_NAME = os.environ.get("BENCH_DB_NAME", "ks_landsting_bench_inv")
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
QUEUE = f"bench-invitations-{uuid.uuid4().hex[:8]}"


def environment_set() -> None:
    """Before django.setup(); the worker inherits it and gets EMAIL_URL on top. Not at import: tests import this."""
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["CELERY_QUEUE"] = QUEUE
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ks_landsting.settings")


# --- Database ---------------------------------------------------------------------------------------------------


def build(participants: int):
    import random

    from django.core.management import call_command

    from agenda.models import Congress
    from bench._shared import demo_participants_delete
    from core.models import User
    from delegates.models import Organisation, Participant

    devnull = open(os.devnull, "w")  # noqa: SIM115
    call_command("migrate", verbosity=0, stdout=devnull)
    call_command("seed_demo", stdout=devnull)
    congress = Congress.objects.get(name="Landstinget 2024")
    # Invitations go out only before the registration deadline (delegates.selectors.invitations_plan): the bench's
    # congress is moved into the future, its week's events left as they are (they only fill the letters).
    today = datetime.date.today()
    Congress.objects.filter(pk=congress.pk).update(
        registration_deadline=today + datetime.timedelta(days=30),
        first_day=today + datetime.timedelta(days=60),
        last_day=today + datetime.timedelta(days=62),
        status=Congress.Status.PLANNING,
    )
    congress.refresh_from_db()
    cleared = demo_participants_delete(congress)
    rng = random.Random(7)
    municipalities = list(
        Organisation.objects.filter(kind__in=Organisation.MUNICIPAL_KINDS, county__isnull=False).select_related(
            "county"
        )
    )
    first = ["Kari", "Ola", "Ingrid", "Lars", "Åse", "Bjørn", "Sølvi", "Håkon", "Mette", "Øystein"]
    last = ["Ødegård", "Bækken", "Hansen", "Fjellheim", "Aasen", "Løvås", "Nilsen", "Strøm", "Berg", "Dæhli"]
    rows = []
    for n in range(participants):
        organisation = rng.choice(municipalities)
        rows.append(
            Participant(
                congress=congress,
                first_name=rng.choice(first),
                last_name=f"{rng.choice(last)} {n}",
                email=f"bench{n}@example.no",
                gender=rng.choice(["female", "male"]),
                party=rng.choice(["Ap", "H", "Sp", "FrP", "SV", "KrF", "V"]),
                role=Participant.Role.DELEGATE,
                county=organisation.county,
                organisation=organisation,
                elected_by="county_meeting",
            )
        )
    Participant.objects.bulk_create(rows, batch_size=500)
    user = User.objects.get(email="sekretariat@ks-landsting.test")
    return congress, user, cleared


# --- SMTP sink --------------------------------------------------------------------------------------------------


class SinkHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages = 0
        self.bytes = 0
        self.recipients = collections.Counter()
        self.contents: list[bytes] = []  # parsed after the run: parsing here took CPU from the worker
        self.first_at: float | None = None
        self.last_at: float | None = None

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        data = envelope.original_content or envelope.content
        with self.lock:
            self.messages += 1
            self.bytes += len(data)
            self.recipients.update(address.lower() for address in envelope.rcpt_tos)
            self.contents.append(data)
            if self.first_at is None:
                self.first_at = now
            self.last_at = now
        return "250 Message accepted for delivery"


# --- Worker -----------------------------------------------------------------------------------------------------


def worker_start(smtp_port: int, log_path: Path, concurrency: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": QUEUE,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "DEBUG": "false",
    }
    log = open(log_path, "wb")  # noqa: SIM115
    command = [str(ROOT / ".venv/bin/celery"), "-A", "ks_landsting", "worker"]
    return subprocess.Popen(
        [
            *command,
            "--concurrency",
            str(concurrency),
            "-Q",
            QUEUE,
            "--loglevel",
            "WARNING",
            "--hostname",
            f"{QUEUE}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def worker_wait(worker: subprocess.Popen, timeout: float = 120) -> float:
    started = time.perf_counter()
    env = {**os.environ}
    while time.perf_counter() - started < timeout:
        if worker.poll() is not None:
            raise RuntimeError(f"worker exited with {worker.returncode}")
        result = subprocess.run(
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "ks_landsting",
                "inspect",
                "ping",
                "-d",
                f"{QUEUE}@{socket.gethostname()}",
                "--timeout",
                "2",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode == 0 and "pong" in result.stdout:
            return time.perf_counter() - started
        time.sleep(0.5)
    raise RuntimeError("worker did not answer celery inspect ping")


def worker_stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def queue_delete() -> None:
    """Remove this run's queue and its kombu bindings from Redis (left-overs only if the run was cut short)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete(QUEUE, f"_kombu.binding.{QUEUE}", f"_kombu.binding_permanent.{QUEUE}")


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # fields after "(comm)": state, ppid, ...
            found.append(int(entry))
    return found


def _status_kib(pid: int) -> tuple[int, int]:
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process so far (/proc/<pid>/stat)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


class MemorySampler:
    """Sum of VmRSS of the worker and its pool processes, each process's VmHWM (its own peak), and their CPU time."""

    def __init__(self, main_pid: int):
        self.main_pid = main_pid
        self.peak_total_rss_kib = 0
        self.peak_hwm_kib: dict[int, int] = {}
        self.cpu_seconds: dict[int, float] = {}

    def sample(self) -> None:
        pids = [self.main_pid, *_children(self.main_pid)]
        total = 0
        for pid in pids:
            rss, hwm = _status_kib(pid)
            total += rss
            self.peak_hwm_kib[pid] = max(self.peak_hwm_kib.get(pid, 0), hwm)
            self.cpu_seconds[pid] = max(self.cpu_seconds.get(pid, 0.0), _cpu_seconds(pid))
        self.peak_total_rss_kib = max(self.peak_total_rss_kib, total)


# --- Profile ----------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class SendProfile:
    participants: int  # given to invitations_send
    letters: int  # rendered as PDFs: what the cost per letter is divided by
    wall: float
    cpu: float
    phases: dict[str, float]  # label -> seconds

    def per_letter_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.letters if self.letters else float("nan")


def _send_rolled_back(participants, user) -> tuple[object, float, float]:
    """``invitations_send`` in one batch inside a transaction that is rolled back: no task, no mail leaves."""
    from django.db import transaction

    from delegates.services.invitations import invitations_send

    with transaction.atomic():
        started, cpu_started = time.perf_counter(), time.process_time()
        plan = invitations_send(participants=participants, user=user, batch_size=max(1, len(participants)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        transaction.set_rollback(True)  # nothing is committed, so no on_commit (no task, no mail)
    return plan, elapsed, cpu


def profile_phases(participants: list, user) -> SendProfile:
    """``invitations_send`` once (rolled back) with timers around its phases, counting the PDF letters rendered.

    The timers replace the helpers where ``invitations_send`` and the letter module look them up, so that a helper
    that moves makes this fail instead of silently timing nothing.
    """
    from delegates import letters
    from delegates.services.invitations import invitations_send

    services = sys.modules[invitations_send.__module__]
    calls: collections.Counter = collections.Counter()
    rendered = 0

    def timed(label, func):
        def wrapper(*args, **kwargs):
            calls[label] += 1
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                phases[label] += time.perf_counter() - start

        return wrapper

    def counted(func):
        def wrapper(documents, *args, **kwargs):
            nonlocal rendered
            pdfs = func(documents, *args, **kwargs)
            rendered += len(pdfs)
            return pdfs

        return wrapper

    patches = [
        (services, "personal_link_issue", "issue personal links"),
        (services, "outbox_queue_many", "queue outbox mails (rows + PDF attachment)"),
        (letters, "invitation_letter_context", "letter context (incl. QR code)"),
        (letters, "qr_code_png_data_uri", "  of which QR code"),
        (letters, "render_to_string", "letter HTML (template only)"),
        (letters, "render_pdf_batch", "PDF: render_pdf_batch (WeasyPrint + pypdf split)"),
    ]
    phases = {label: 0.0 for _module, _name, label in patches}
    originals = [(module, name, getattr(module, name)) for module, name, _label in patches]
    for module, name, label in patches:
        wrapped = timed(label, getattr(module, name))
        setattr(module, name, counted(wrapped) if name == "render_pdf_batch" else wrapped)
    try:
        plan, wall, cpu = _send_rolled_back(participants, user)
    finally:
        for module, name, original in originals:
            setattr(module, name, original)
    if plan.to_send and (rendered != len(plan.to_send) or len(calls) < len(patches)):
        raise RuntimeError(
            f"the timers did not catch the letters ({rendered} rendered, {len(plan.to_send)} to send; phases called:"
            f" {dict(calls)}): has a helper of invitations_send moved?"
        )
    return SendProfile(participants=len(participants), letters=rendered, wall=wall, cpu=cpu, phases=phases)


def profile_print(result: SendProfile) -> None:
    print(
        f"\ninvitations_send in-process (rolled back; one batch): {result.participants} participants given,"
        f" {result.letters} letters rendered; per letter = divided by the {result.letters} letters"
    )
    print(
        f"  total {result.wall:6.2f} s wall, {result.cpu:6.2f} s CPU = {result.per_letter_ms(result.wall):6.1f}"
        f" ms/letter wall, {result.per_letter_ms(result.cpu):6.1f} ms/letter CPU"
    )
    for label, seconds in result.phases.items():
        print(f"  {label:52} {seconds:6.2f} s  {result.per_letter_ms(seconds):6.1f} ms/letter")


def profile_send(congress, user, count: int, *, listing: int = 25) -> SendProfile:
    """``invitations_send`` for the first ``count`` of the bench's delegates in this process, rolled back: warmed up,
    then its phases timed, then under cProfile (the top ``listing`` functions)."""
    import cProfile
    import pstats

    from delegates.models import Participant

    participants = list(Participant.objects.filter(congress=congress).order_by("pk")[:count])
    _send_rolled_back(participants, user)  # warm up: fonts, CSS, templates
    result = profile_phases(participants, user)
    profile_print(result)

    profiler = cProfile.Profile()
    profiler.enable()
    _send_rolled_back(participants, user)
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"\ncProfile, top {listing} by cumulative time:")
    stats.sort_stats("cumulative").print_stats(listing)
    print(f"cProfile, top {min(listing, 20)} by own time:")
    stats.sort_stats("tottime").print_stats(min(listing, 20))
    return result


# --- Main -------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument(
        "--concurrency", type=int, default=2, help="worker processes (docker-compose.yml's worker runs 2)"
    )
    parser.add_argument("--profile", action="store_true", help="then profile invitations_send in-process")
    parser.add_argument("--profile-letters", type=int, default=100, help="the participants --profile sends to")
    parser.add_argument("--stall", type=float, default=120, help="give up after this many seconds without progress")
    quick = {"participants": 20, "timeout": 120, "stall": 60, "profile": True, "profile_letters": 10}
    args = parse_args(parser, quick=quick)
    n = args.participants

    environment_set()
    worker = controller = None
    complete = False
    log_path = Path(tempfile.gettempdir()) / f"{QUEUE}.log"
    database_recreate(DB_NAME)
    try:
        import django

        django.setup()
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-connection chatter
        import weasyprint
        from aiosmtpd.controller import Controller
        from django.db import transaction

        from core.models import OutboxMail
        from delegates.services.invitations import invitations_queue

        setup_started = time.perf_counter()
        congress, user, cleared = build(n)
        print(
            f"database: {DB_NAME} (migrate + seed_demo + {n} delegates in {time.perf_counter() - setup_started:.0f} s);"
            f" queue {QUEUE}; WeasyPrint {weasyprint.__version__};"
            f" load average {os.getloadavg()[0]:.2f}"
        )
        print(f"deleted from the demo first: {deleted_text(cleared)}")

        handler = SinkHandler()
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, data_size_limit=0)
        controller.start()
        worker = worker_start(port, log_path, args.concurrency)
        ready = worker_wait(worker)
        print(
            f"SMTP sink on 127.0.0.1:{port}; worker (concurrency {args.concurrency}) answered ping after {ready:.1f} s"
        )

        from delegates.models import Participant

        participants = list(Participant.objects.filter(congress=congress))
        sampler = MemorySampler(worker.pid)
        sampler.sample()
        idle_rss_mib = sampler.peak_total_rss_kib / 1024
        idle_cpu = sum(sampler.cpu_seconds.values())
        load_before = os.getloadavg()
        with transaction.atomic():
            plan = invitations_queue(participants=participants, user=user)
            assert len(plan.to_send) == n and not plan.refused, (len(plan.to_send), plan.refused[:3])
            # on_commit callbacks run inside the atomic block's exit; measure from just before them.
            started, started_epoch = time.perf_counter(), time.time()
        queued = time.perf_counter() - started

        invitations = OutboxMail.objects.filter(purpose="invitation")
        sent = 0
        deadline = started + args.timeout
        progress, progress_at = None, started
        while True:
            sampler.sample()
            sent = invitations.filter(status=OutboxMail.Status.SENT).count()
            rows_now = invitations.count()
            with handler.lock:
                received = handler.messages
            now = time.perf_counter()
            if (rows_now, sent, received) != progress:
                progress, progress_at = (rows_now, sent, received), now
            if (received >= n and sent >= n) or now > deadline or now - progress_at > args.stall:
                break
            if worker.poll() is not None:
                break
            time.sleep(0.5)
        finished = time.perf_counter()
        sampler.sample()
        time.sleep(1)  # anything late (duplicates) still arrives
        wall = finished - started

        rows = invitations.count()
        by_status = collections.Counter(invitations.values_list("status", flat=True))
        last_written = max(invitations.values_list("created_at", flat=True), default=None)
        first_written = min(invitations.values_list("created_at", flat=True), default=None)
        send_durations = [
            (sent_at - began).total_seconds()
            for began, sent_at in invitations.filter(status=OutboxMail.Status.SENT).values_list(
                "sending_started_at", "sent_at"
            )
        ]
        with handler.lock:
            received = handler.messages
            received_bytes = handler.bytes
            recipients = collections.Counter(handler.recipients)
            contents = list(handler.contents)
            first_at = handler.first_at
        attachment_sizes = [
            len(part.get_payload(decode=True) or b"")
            for data in contents
            for part in email.message_from_bytes(data, policy=email.policy.default).iter_attachments()
        ]
        expected = {f"bench{i}@example.no" for i in range(n)}
        duplicated = sum(count - 1 for count in recipients.values() if count > 1)
        lost = len(expected - set(recipients))
        failed = by_status.get(OutboxMail.Status.FAILED, 0)
        not_sent = rows - by_status.get(OutboxMail.Status.SENT, 0)

        from delegates.services.invitations import invitation_batches

        load_after = os.getloadavg()
        worker_cpu = sum(sampler.cpu_seconds.values()) - idle_cpu
        print(f"\ninvitations: {n}; timeout {args.timeout:.0f} s; finished: {received >= n and sent >= n}")
        print(
            "  load average (1/5/15 min) before / after  "
            + " / ".join(" ".join(f"{value:.2f}" for value in load) for load in (load_before, load_after))
        )
        print(f"  queue (on_commit, {len(invitation_batches(list(range(n))))} batches)    {queued:8.2f} s")
        print(f"  worker CPU (main + pool), per invitation {1000 * worker_cpu / max(n, 1):8.1f} ms")
        print(f"  wall time to all sent                   {wall:8.1f} s")
        print(f"  invitations per minute                  {60 * sent / wall:8.0f}")
        if first_at is not None:
            print(f"  time to first mail                      {first_at - started:8.1f} s")
        if first_written is not None:
            print(
                f"  first / last outbox row written          {first_written.timestamp() - started_epoch:5.1f} s /"
                f" {last_written.timestamp() - started_epoch:5.1f} s after commit (letters rendered by then)"
            )
        if send_durations:
            print(
                f"  SMTP send per mail (sending→sent)       mean {1000 * statistics.mean(send_durations):6.1f} ms,"
                f" max {1000 * max(send_durations):6.1f} ms"
            )
        hwm = sampler.peak_hwm_kib
        per_process = ", ".join(
            f"{'main' if pid == worker.pid else f'child {pid}'} {kib / 1024:.0f}" for pid, kib in sorted(hwm.items())
        )
        print(f"  worker memory, idle RSS total           {idle_rss_mib:8.0f} MiB")
        print(f"  worker memory, peak RSS total (sampled) {sampler.peak_total_rss_kib / 1024:8.0f} MiB")
        print(f"  worker memory, peak per process (VmHWM) {per_process} MiB; sum {sum(hwm.values()) / 1024:.0f} MiB")
        print(f"  outbox rows {rows}; by status {dict(by_status)}")
        print(f"  sink: {received} messages, {received_bytes / 1024 / 1024:.1f} MiB")
        print(f"  failed {failed}; not sent {not_sent}; lost {lost}; duplicated {duplicated}")
        if attachment_sizes:
            print(
                f"  attachments: {len(attachment_sizes)}; mean size {statistics.mean(attachment_sizes) / 1024:.1f} KiB"
            )
        complete = received >= n and sent >= n and not (failed or not_sent or lost or duplicated)
        if not (received >= n and sent >= n):
            print(f"worker log tail ({log_path}):")
            print("\n".join(log_path.read_text(errors="replace").splitlines()[-30:]))

        worker_stop(worker)
        worker = None
        if args.profile:
            profile_send(congress, user, args.profile_letters, listing=10 if args.quick else 25)
    finally:
        if worker is not None:
            worker_stop(worker)
        if controller is not None:
            controller.stop()
        database_drop(DB_NAME)
        queue_delete()
        try:
            if log_path.exists() and (complete or log_path.stat().st_size == 0):  # kept when something went wrong
                log_path.unlink()
        except OSError:
            pass
    if not complete:
        sys.exit("FAILED: not every invitation was sent exactly once (see above)")


if __name__ == "__main__":
    main()
