"""``{% load date_spans %}`` — the days a congress or an event lasts, written once (``core.dates``).

``{{ congress|date_span }}`` → "from 13 February 2024 to 14 February 2024" / "on 31 January 2027" (in a sentence);
``{{ congress|date_range }}`` → the two days joined by an en dash, or "31 January 2027" (a heading, a summary).
The value is anything with ``first_day`` and ``last_day`` (a congress) or ``starts_at`` and ``ends_at`` (an event),
or a first date with the last one as the argument: ``{{ first|date_span:last }}``.
"""

from collections.abc import Mapping
from types import SimpleNamespace

from django import template

from core.dates import date_range, date_span

register = template.Library()


def _ends(value, last):
    if value in (None, ""):
        return None, None
    if isinstance(value, Mapping):  # a template context's dict, as in the sample letters
        value = SimpleNamespace(**value)
    if hasattr(value, "first_day"):
        return value.first_day, value.last_day
    if hasattr(value, "starts_at"):
        return value.starts_at, value.ends_at
    return value, last


@register.filter(name="date_span")
def date_span_filter(value, last=None) -> str:
    first, last = _ends(value, last)
    return date_span(first, last) if first is not None else ""


@register.filter(name="date_range")
def date_range_filter(value, last=None) -> str:
    first, last = _ends(value, last)
    return date_range(first, last) if first is not None else ""
