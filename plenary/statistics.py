"""Speaking statistics of the plenary as plain data: how many times people had the floor and for how long, per agenda
item or for the whole congress, broken down by gender, county, party and role. Pure: no Django, no database; the
selector (``plenary.selectors.speaking_rows``) loads the rows, the staff page and the CSV name the values.

**What counts.** Every request for the floor that has been given (done, or being given now) counts once, whatever its
kind: speeches, replies, answers to the replies, points of order and introductions are counted apart, one column per
kind, and the total is all of them. The speaking time is the time from start to end without the pauses; a speech in
progress counts up to ``now``. A speaker who is not a participant (someone the chair gave the floor by name) has no
gender, county, party or role: they count under the empty value, which the page calls "not stated" or "not a
participant".

In every table the rows add up to the total: each speech is in exactly one row of each dimension (tested).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence

from plenary.queue import Clock, Kind

#: The dimensions of the tables, in the order the page shows them.
DIMENSIONS = ("gender", "county", "party", "role")
#: The kinds in the order of the columns.
KINDS = (Kind.SPEECH, Kind.REPLY, Kind.ANSWER, Kind.POINT_OF_ORDER, Kind.INTRODUCTION)
#: The key of a value nobody stated (and of every dimension of a speaker who is not a participant).
NOT_STATED = ""


@dataclasses.dataclass(frozen=True)
class Speech:
    """One given request for the floor, with what the tables group it by (``NOT_STATED`` where unknown)."""

    item: int
    kind: Kind
    started: datetime.datetime
    ended: datetime.datetime | None = None
    paused_seconds: float = 0.0
    paused_since: datetime.datetime | None = None
    gender: str = NOT_STATED
    county: str = NOT_STATED
    party: str = NOT_STATED
    role: str = NOT_STATED

    def seconds(self, now: datetime.datetime) -> float:
        """Seconds spoken: start to end (or to ``now`` while it runs), the pauses left out."""
        clock = Clock(started=self.started, paused_seconds=self.paused_seconds, paused_since=self.paused_since)
        return clock.spoken(self.ended or now)

    def value(self, dimension: str) -> str:
        if dimension not in DIMENSIONS:
            raise ValueError(f"Unknown dimension {dimension!r}; expected one of {', '.join(DIMENSIONS)}")
        return getattr(self, dimension) or NOT_STATED


@dataclasses.dataclass(frozen=True)
class Row:
    """The speeches of one value (or of all: the total): counted per kind, their time, and their shares of the
    total in per cent (``None`` when the total is zero)."""

    key: str
    counts: dict[Kind, int]
    count: int
    seconds: float
    count_share: float | None = None
    time_share: float | None = None

    def of(self, kind: Kind | str) -> int:
        return self.counts.get(Kind(kind), 0)


@dataclasses.dataclass(frozen=True)
class Table:
    dimension: str
    rows: list[Row]
    total: Row


def _row(key: str, speeches: Sequence[Speech], now: datetime.datetime) -> Row:
    counts = dict.fromkeys(KINDS, 0)
    seconds = 0.0
    for speech in speeches:
        counts[speech.kind] = counts.get(speech.kind, 0) + 1
        seconds += speech.seconds(now)
    return Row(key=key, counts=counts, count=len(speeches), seconds=seconds)


def share(part: float, whole: float) -> float | None:
    """``part`` of ``whole`` in per cent; ``None`` when there is nothing to share."""
    return None if whole <= 0 else 100.0 * part / whole


def total(speeches: Iterable[Speech], now: datetime.datetime) -> Row:
    speeches = list(speeches)
    row = _row("", speeches, now)
    return dataclasses.replace(row, count_share=share(row.count, row.count), time_share=share(row.seconds, row.seconds))


def table(
    speeches: Iterable[Speech], dimension: str, now: datetime.datetime, *, order: Sequence[str] | None = None
) -> Table:
    """The speeches grouped by ``dimension``. Rows in ``order`` (the values it names first, as it names them), the
    others by speaking time, longest first; the value nobody stated always last."""
    speeches = list(speeches)
    groups: dict[str, list[Speech]] = {}
    for speech in speeches:
        groups.setdefault(speech.value(dimension), []).append(speech)
    everything = total(speeches, now)
    rows = [
        dataclasses.replace(
            row,
            count_share=share(row.count, everything.count),
            time_share=share(row.seconds, everything.seconds),
        )
        for row in (_row(key, group, now) for key, group in groups.items())
    ]
    place = {key: index for index, key in enumerate(order or ())}

    def sort_key(row: Row) -> tuple:
        return (row.key == NOT_STATED, place.get(row.key, len(place)), -row.seconds, -row.count, row.key)

    return Table(dimension=dimension, rows=sorted(rows, key=sort_key), total=everything)


def by_item(speeches: Iterable[Speech], now: datetime.datetime, *, items: Sequence[int]) -> list[Row]:
    """One row per item of ``items`` (in that order, keyed by the item's id as text), shares of the whole."""
    speeches = list(speeches)
    everything = total(speeches, now)
    grouped: dict[int, list[Speech]] = {item: [] for item in items}
    for speech in speeches:
        grouped.setdefault(speech.item, []).append(speech)
    rows = []
    for item, group in grouped.items():
        row = _row(str(item), group, now)
        rows.append(
            dataclasses.replace(
                row, count_share=share(row.count, everything.count), time_share=share(row.seconds, everything.seconds)
            )
        )
    return rows


def clock_text(seconds: float) -> str:
    """A duration as a clock shows it: ``m:ss`` under an hour, ``h:mm:ss`` from an hour; whole seconds, rounded."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
