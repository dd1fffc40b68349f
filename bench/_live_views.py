"""The prototype of the hall's live state for ``bench/live_transport.py``; not part of the project.

The state lives in two bench tables made by ``tables_create`` (no migration): ``bench_live_hall``, one row per
congress with the ``version`` every chair action bumps under the row's lock (what ``plenary_hall.version`` will be),
and ``bench_live_speaker``, the queue. The state document is built from them with two queries.

- Candidate A, conditional polling: ``state`` answers 304 from the version alone (one indexed query, in the
  ``condition`` decorator's ETag function, before anything is built), else the document (two more queries).
  ``state_middleware`` is the same document behind Django's ``ConditionalGetMiddleware`` instead, which compares
  ETags only after the view has built the response: it saves bytes, not work (timed, not followed).
- Candidate B, Server-Sent Events from an ASGI server: ``events`` streams the document on connect and then every
  document published on Redis (``PUBSUB_CHANNEL``; one subscription per server process fans out to its clients).
"""

from __future__ import annotations

import asyncio
import datetime
import json

from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.middleware.http import ConditionalGetMiddleware
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition

PUBSUB_CHANNEL = "bench-live-hall"
SPEAKERS = 8  # the current speaker, the next five, two replies
NAMES = [
    ("Åse Marie Bjørkhaug-Strømsæther", "Vestland fylkeskommune", "Senterpartiet"),
    ("Øystein Kristoffer Haugerud", "Trøndelag fylkeskommune", "Arbeiderpartiet"),
    ("Ingrid Sofie Løvås Rønningen", "Nordre Follo kommune", "Høyre"),
    ("Per-Øyvind Aamodt Kvalsund", "Troms fylkeskommune", "Sosialistisk Venstreparti"),
    ("Kari Elisabeth Sæbø", "Bergen kommune", "Venstre"),
    ("Mathias Ødegård Fjellheim", "Innlandet fylkeskommune", "Fremskrittspartiet"),
    ("Siri Helene Kvamme Grønvold", "Stavanger kommune", "Kristelig Folkeparti"),
    ("Jon Arild Tveitereid", "Agder fylkeskommune", "Miljøpartiet De Grønne"),
    ("Hanne Margrethe Bjerkeli", "Tromsø kommune", "Rødt"),
]


def tables_create() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_live_hall (congress_id integer PRIMARY KEY, version integer NOT NULL,"
            " item_title text NOT NULL, started_at timestamptz, allowed_seconds integer NOT NULL,"
            " paused boolean NOT NULL, list_closed boolean NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_live_speaker (id serial PRIMARY KEY, congress_id integer NOT NULL,"
            " position integer NOT NULL, kind text NOT NULL, name text NOT NULL, organisation text NOT NULL,"
            " party text NOT NULL)"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS bench_live_speaker_queue ON bench_live_speaker (congress_id, position)"
        )
        cursor.execute("DELETE FROM bench_live_speaker")
        cursor.execute("DELETE FROM bench_live_hall")
        cursor.execute(
            "INSERT INTO bench_live_hall VALUES (1, 1, %s, now(), 180, false, false)",
            ["Sak 4: Politisk dokument, kapittel 2 – Et bærekraftig lokaldemokrati i hele landet"],
        )
        for position in range(SPEAKERS):
            name, organisation, party = NAMES[position]
            kind = "reply" if position in (6, 7) else "speech"
            cursor.execute(
                "INSERT INTO bench_live_speaker (congress_id, position, kind, name, organisation, party)"
                " VALUES (1, %s, %s, %s, %s, %s)",
                [position, kind, name, organisation, party],
            )


@transaction.atomic
def chair_act(congress_id: int, step: int) -> int:
    """One chair action: next speaker (the queue turns by one), the version bumped under the hall row's lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE bench_live_hall SET version = version + 1, started_at = now(), paused = %s, list_closed = %s"
            " WHERE congress_id = %s RETURNING version",
            [step % 7 == 3, step % 10 >= 5, congress_id],
        )
        version = cursor.fetchone()[0]
        name, organisation, party = NAMES[(step + SPEAKERS) % len(NAMES)]
        cursor.execute("UPDATE bench_live_speaker SET position = position - 1 WHERE congress_id = %s", [congress_id])
        cursor.execute(
            "UPDATE bench_live_speaker SET position = %s, name = %s, organisation = %s, party = %s"
            " WHERE congress_id = %s AND position = -1",
            [SPEAKERS - 1, name, organisation, party, congress_id],
        )
    return version


def hall_version(congress_id: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM bench_live_hall WHERE congress_id = %s", [congress_id])
        row = cursor.fetchone()
    return row[0] if row else None


def state_document(congress_id: int) -> dict:
    """The hall's state, about 1.5 KB as JSON: two queries."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version, item_title, started_at, allowed_seconds, paused, list_closed, now()"
            " FROM bench_live_hall WHERE congress_id = %s",
            [congress_id],
        )
        version, title, started_at, allowed, paused, closed, now = cursor.fetchone()
        cursor.execute(
            "SELECT position, kind, name, organisation, party FROM bench_live_speaker"
            " WHERE congress_id = %s ORDER BY position",
            [congress_id],
        )
        rows = cursor.fetchall()

    def person(row) -> dict:
        _position, kind, name, organisation, party = row
        return {"kind": kind, "name": name, "organisation": organisation, "party": party}

    speakers = [row for row in rows if row[1] == "speech"]
    return {
        "version": version,
        "server_now": now.isoformat(),
        "item": {"title": title, "number": 4},
        "speaker": {**person(rows[0]), "started_at": started_at.isoformat(), "allowed_seconds": allowed},
        "paused": paused,
        "paused_seconds": 0,
        "next": [person(row) for row in speakers[1:6]],
        "replies": [person(row) for row in rows if row[1] == "reply"],
        "list_closed": closed,
        "vote": None,
    }


def _etag(request, congress_id: int) -> str | None:
    version = hall_version(congress_id)
    return None if version is None else f'"{congress_id}-{version}"'


@cache_control(no_cache=True)
@condition(etag_func=_etag)
def state(request, congress_id: int):
    return JsonResponse(state_document(congress_id), json_dumps_params={"ensure_ascii": False})


@cache_control(no_cache=True)
@decorator_from_middleware(ConditionalGetMiddleware)
def state_middleware(request, congress_id: int):
    document = state_document(congress_id)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    response["ETag"] = f'"{congress_id}-{document["version"]}"'
    return response


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


# --- Candidate B: Server-Sent Events, Redis publish/subscribe -------------------------------------------------------


def publish(document: dict) -> None:
    """After the commit: what a service would do in ``transaction.on_commit``."""
    import redis
    from django.conf import settings

    global _publisher
    if _publisher is None:
        _publisher = redis.Redis.from_url(settings.LIVE_PUBSUB_URL)
    _publisher.publish(PUBSUB_CHANNEL, json.dumps(document, ensure_ascii=False))


_publisher = None


class Hub:
    """One Redis subscription per server process; every document received goes to every client's queue."""

    def __init__(self):
        self.queues: set[asyncio.Queue] = set()
        self.task: asyncio.Task | None = None

    def join(self) -> asyncio.Queue:
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self.listen())
        queue: asyncio.Queue = asyncio.Queue(maxsize=4)
        self.queues.add(queue)
        return queue

    def leave(self, queue: asyncio.Queue) -> None:
        self.queues.discard(queue)

    async def listen(self) -> None:
        import redis.asyncio
        from django.conf import settings

        while True:
            client = redis.asyncio.Redis.from_url(settings.LIVE_PUBSUB_URL)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(PUBSUB_CHANNEL)
                    async for message in pubsub.listen():
                        if message["type"] != "message":
                            continue
                        for queue in list(self.queues):
                            if queue.full():  # a slow client gets the newest state, not every one
                                queue.get_nowait()
                            queue.put_nowait(message["data"])
            except (OSError, redis.RedisError):
                await asyncio.sleep(1)  # Redis gone: clients keep their stream and their last state
            finally:
                await client.aclose()


_hub = Hub()


def _event(data: bytes | str, version: int) -> bytes:
    text = data.decode() if isinstance(data, bytes) else data
    return f"id: {version}\ndata: {text}\n\n".encode()


def _first_document(congress_id: int) -> dict:
    """The state when the stream opens. The connection is closed at once: Django closes a request's connection only
    when the request finishes, which for a stream is when the client leaves, so each open stream would hold one
    (300 phones: more than PostgreSQL's 100 connections)."""
    try:
        return state_document(congress_id)
    finally:
        connection.close()


async def events(request, congress_id: int):
    from asgiref.sync import sync_to_async

    queue = _hub.join()
    document = await sync_to_async(_first_document)(congress_id)

    async def stream():
        try:
            yield b"retry: 1000\n\n" + _event(json.dumps(document, ensure_ascii=False), document["version"])
            while True:
                try:
                    data = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    continue
                yield _event(data, json.loads(data)["version"])
        finally:
            _hub.leave(queue)

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx in front must not buffer the stream
    return response


def server_time(request):
    return JsonResponse({"now": datetime.datetime.now(datetime.UTC).isoformat()})
