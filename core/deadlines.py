"""Deadlines: a deadline is a date, open through the end of that day in Norway's time zone.

Pure (the standard library only). The one rule for every deadline of the project — registration, amendments,
statements — so that the pages, the mails, the letters and the PDFs agree: "til og med 17. januar 2027" is open until
23:59:59 Oslo time on 17 January and closes at 00:00 on 18 January, wherever the server or the reader is. A deadline
is shown as its date, never with a time (``core.templatetags.deadlines``).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

#: Every deadline is a day in Norway, whatever TIME_ZONE the server runs with.
DEADLINE_TIME_ZONE = ZoneInfo("Europe/Oslo")


def deadline_date(value: datetime.date | datetime.datetime) -> datetime.date:
    """The day of a deadline. A moment (as older code and data hold it) counts for the Oslo day it falls on."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(DEADLINE_TIME_ZONE)
        return value.date()
    return value


def deadline_closes_at(deadline: datetime.date | datetime.datetime) -> datetime.datetime:
    """The first moment the deadline has passed: 00:00 Oslo time on the day after (an aware datetime)."""
    next_day = deadline_date(deadline) + datetime.timedelta(days=1)
    return datetime.datetime.combine(next_day, datetime.time(0, 0), tzinfo=DEADLINE_TIME_ZONE)


def deadline_last_moment(deadline: datetime.date | datetime.datetime) -> datetime.datetime:
    """The last moment the deadline is open: 23:59:59.999999 Oslo time on its day."""
    return deadline_closes_at(deadline) - datetime.timedelta(microseconds=1)


def deadline_is_open(deadline: datetime.date | datetime.datetime | None, now: datetime.datetime) -> bool:
    """Whether ``now`` (an aware datetime) is on or before the deadline's day in Oslo. No deadline: not open."""
    if deadline is None:
        return False
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now < deadline_closes_at(deadline)


def deadline_from_moment(moment: datetime.datetime) -> datetime.date:
    """The deadline date that keeps a stored moment open: the Oslo day of its last open instant.

    A form that closed at 00:00 on 18 January was open through 17 January; one that closed at 01:00 on 17 January
    (midnight UTC, as dates typed into a date-and-time field were stored) becomes "til og med 17. januar". Used by the
    migration that turned the committee deadlines into dates: no deadline is shortened.
    """
    return deadline_date(moment - datetime.timedelta(microseconds=1))
