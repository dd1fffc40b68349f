"""Phone numbers as participants type them in the portal: Norwegian (``912 34 567``) or international
(``+47 912 34 567``, ``+46 70 123 45 67``). Digits and spaces, with an optional ``+`` in front; 8 to 15 digits (8 is a
Norwegian number, 15 the longest international one, E.164). Nothing that a spreadsheet could read as a formula gets
through (see ``core.spreadsheets``)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_RE = re.compile(r"\+?[0-9][0-9 ]*")
MIN_DIGITS, MAX_DIGITS = 8, 15


def phone_number_ok(text: str) -> bool:
    """True for an empty text (no number given) and for a phone number as described above."""
    text = text.strip()
    if not text:
        return True
    digits = sum(character.isdigit() for character in text)
    return PHONE_RE.fullmatch(text) is not None and MIN_DIGITS <= digits <= MAX_DIGITS


def validate_phone_number(value: str) -> None:
    if not phone_number_ok(value):
        raise ValidationError(
            _(
                "Write the phone number with 8 to 15 digits, and only digits, spaces and a + in front, "
                "for example 912 34 567 or +47 912 34 567."
            ),
            code="invalid_phone",
        )
