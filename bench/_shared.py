"""What the benches share. Not a bench itself: ``make bench-quick`` runs every ``bench/*.py`` with ``--quick``,
except the files whose name starts with an underscore."""

import argparse
import collections
import socket
import time

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

QUICK_HELP = "small sizes, seconds not minutes: the same code path and figures, to check that the bench runs (CI)"


def parse_args(parser: argparse.ArgumentParser, *, quick: dict) -> argparse.Namespace:
    """The options, with ``--quick`` added: it replaces the defaults by ``quick``; options given still win."""
    parser.add_argument("--quick", action="store_true", help=QUICK_HELP)
    args = parser.parse_args()
    unknown = set(quick) - set(vars(args))
    if unknown:
        raise ValueError(f"quick defaults for options that do not exist: {sorted(unknown)}")
    if args.quick:
        parser.set_defaults(**quick)
        args = parser.parse_args()
    return args


#: How deep a chain of protecting rows may go (a vote protects a participant, something may protect the vote, ...).
MAX_PROTECTION_DEPTH = 10


def delete_with_protecting_rows(queryset, *, depth: int = 0) -> collections.Counter:
    """Delete the rows of ``queryset``; whatever refuses the deletion (``PROTECT`` or ``RESTRICT``: the demo's votes,
    amendments, statements and substitutions protect its participants) is deleted first, the same way.

    Returns the rows deleted, per model label, cascades included.
    """
    from django.db.models import ProtectedError, RestrictedError

    deleted: collections.Counter = collections.Counter()
    for _attempt in range(MAX_PROTECTION_DEPTH):
        try:
            _total, per_model = queryset.delete()
        except (ProtectedError, RestrictedError) as error:
            if depth >= MAX_PROTECTION_DEPTH:
                raise
            blocking = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
            by_model = collections.defaultdict(set)
            for row in blocking:
                by_model[type(row)].add(row.pk)
            for model, pks in by_model.items():
                deleted += delete_with_protecting_rows(model._default_manager.filter(pk__in=pks), depth=depth + 1)
        else:
            deleted.update({label: count for label, count in per_model.items() if count})
            return deleted
    raise RuntimeError(f"{queryset.model.__name__}: still protected after {MAX_PROTECTION_DEPTH} rounds of deletion")


def demo_participants_delete(congress) -> collections.Counter:
    """Delete the congress's participants, and first what protects them, so that a bench can put its own in."""
    from delegates.models import Participant

    return delete_with_protecting_rows(Participant.objects.filter(congress=congress))


def deleted_text(deleted: collections.Counter) -> str:
    """``"12 delegates.Participant, 3 committees.Amendment"``: what a bench removed from the demo, for its header."""
    return ", ".join(f"{count} {label}" for label, count in deleted.most_common()) or "nothing"


def database_recreate(name: str) -> None:
    """An empty PostgreSQL database of the bench's own (never the suite's or the shared ones)."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_drop(name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def measure(render, runs: int) -> dict:
    """Render once to warm up, then ``runs`` times: wall and CPU seconds of each run, pages, bytes, queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pdf, pages = render()
    walls, cpus = [], []
    for _run in range(runs):
        cpu = time.process_time()
        wall = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            pdf, pages = render()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {"walls": walls, "cpus": cpus, "pages": pages, "bytes": len(pdf), "queries": len(queries), "pdf": pdf}
