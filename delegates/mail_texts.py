"""Mail texts with placeholders: which placeholders each kind of mail may use and must keep, checking, rendering,
and the built-in texts used until staff write their own."""

import re
from collections.abc import Mapping

from django.utils import translation
from django.utils.translation import gettext as _

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

ALLOWED = {
    "first_name": "Kari",
    "full_name": "Kari Nordmann",
    "congress": "Landstinget 2024",
    "link": "https://landsting.ks.no/p/…",
    "deadline": "15. januar 2024",
    "county": "Trøndelag",
    "organisation": "Trondheim kommune",
    "sender": "KS Trøndelag",
}

REQUIRED = {
    "invitation": ("link",),
    "reminder": ("link",),
    "lost_link": ("link",),
    "confirmation": ("link",),
    "cancellation_notice": ("full_name",),
}


def placeholder_errors(*, kind: str, subject: str, body: str) -> dict[str, list[str]]:
    """Field → messages for unknown or malformed placeholders and for required ones that were removed."""
    errors: dict[str, list[str]] = {}
    for field, text in (("subject", subject), ("body", body)):
        problems = []
        unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in ALLOWED})
        if unknown:
            problems.append(
                _("Unknown placeholders: %(unknown)s. You can use: %(allowed)s.")
                % {
                    "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                    "allowed": ", ".join(f"{{{name}}}" for name in ALLOWED),
                }
            )
        if PLACEHOLDER.sub("", text).count("{") or PLACEHOLDER.sub("", text).count("}"):
            problems.append(_("A brace { or } is not closed: placeholders are written like {first_name}."))
        if problems:
            errors[field] = problems
    used = set(PLACEHOLDER.findall(body))
    for name in REQUIRED.get(kind, ()):
        if name not in used:
            errors.setdefault("body", []).append(
                _("The text must contain {%(name)s}: it cannot be removed from this kind of mail.") % {"name": name}
            )
    return errors


def render(text: str, values: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), text)


def default_text(kind: str, language: str) -> tuple[str, str]:
    """The built-in (subject, body) of a kind of mail in ``language``."""
    with translation.override(language):
        texts = {
            "invitation": (
                _("Invitation to {congress}"),
                _(
                    "Dear {first_name},\n\nYou are invited to {congress}. The invitation letter is attached.\n\n"
                    "Register through your personal link by {deadline}:\n{link}\n\n"
                    "The link is personal: do not share it. You can use it to change or cancel your registration "
                    "until the deadline.\n\nBest regards,\n{sender}"
                ),
            ),
            "confirmation": (
                _("Registration confirmed: {congress}"),
                _(
                    "Dear {first_name},\n\nThank you, your registration for {congress} is confirmed. You can see and "
                    "change it until {deadline} through your personal link:\n{link}\n\nBest regards,\n{sender}"
                ),
            ),
            "reminder": (
                _("Reminder: register for {congress} by {deadline}"),
                _(
                    "Dear {first_name},\n\nWe have not received your registration for {congress}. The deadline is "
                    "{deadline}. Register through your personal link:\n{link}\n\nBest regards,\n{sender}"
                ),
            ),
            "lost_link": (
                _("Your link to register for {congress}"),
                _(
                    "Dear {first_name},\n\nHere is a new personal link for {congress}. Links you have received "
                    "before still work.\n{link}\n\nIf you did not ask for it, you can ignore this message.\n\n"
                    "Best regards,\n{sender}"
                ),
            ),
            "cancellation_notice": (
                _("Cancelled: {full_name} ({congress})"),
                _(
                    "{full_name} ({organisation}, {county}) has cancelled their registration for {congress} through "
                    "the personal link. If they held a delegate's seat, the next deputy has taken it and been "
                    "invited."
                ),
            ),
        }
    return texts[kind]
