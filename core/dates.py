"""One way to write the days something lasts (a congress, an event): "from 13 February 2024 to 14 February 2024", or
"on 31 January 2027" for a single day ("fra 13. februar 2024 til 14. februar 2024", "31. januar 2027"), never "from
31 January 2027 to 31 January 2027". Dates in the active language's DATE_FORMAT. Templates use the filters of
``{% load date_spans %}``; code (mails, PDFs) calls these functions.
"""

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _dates(first: datetime.date | datetime.datetime, last: datetime.date | datetime.datetime | None):
    """Calendar days (a datetime counts by its day in the current time zone)."""

    def day(value):
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        return value

    return day(first), day(last) if last is not None else day(first)


def date_span(first: datetime.date, last: datetime.date | None = None) -> str:
    """For a sentence: "from <first> to <last>", or "on <day>" when it lasts one day."""
    first, last = _dates(first, last)
    if first == last:
        return _("on %(day)s") % {"day": _day(first)}
    return _("from %(first)s to %(last)s") % {"first": _day(first), "last": _day(last)}


def date_range(first: datetime.date, last: datetime.date | None = None) -> str:
    """For a heading or a summary: the first and the last day joined by an en dash, or the one day."""
    first, last = _dates(first, last)
    if first == last:
        return _day(first)
    return f"{_day(first)} – {_day(last)}"
