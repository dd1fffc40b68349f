"""``{% load deadlines %}`` — one way to show a deadline: ``{{ congress.registration_deadline|deadline }}``.

A deadline is a date, open through that day in Oslo time (``core.deadlines``), so it is shown as the date in the
language's DATE_FORMAT ("17. januar 2027", "17 January 2027"), never with a time.
"""

from django import template
from django.utils import formats

from core.deadlines import deadline_date

register = template.Library()


def deadline_format(value) -> str:
    """The deadline as the active language writes a date; '' for no deadline. For mails and code too."""
    if value in (None, ""):
        return ""
    return formats.date_format(deadline_date(value), "DATE_FORMAT")


@register.filter(name="deadline")
def deadline_filter(value) -> str:
    return deadline_format(value)
