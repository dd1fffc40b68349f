"""Mail built from the congress's editable texts."""

from collections.abc import Sequence

from django.utils import translation

from core.models import OutboxMail
from core.services import NewMail, outbox_queue
from core.templatetags.deadlines import deadline_format
from delegates.mail_texts import render as render_mail_text
from delegates.models import (
    Participant,
)
from delegates.selectors import mail_text_for


def deadline_in(deadline, language: str) -> str:
    """The deadline as ``language`` writes a date ("17. januar 2027", "17 January 2027")."""
    with translation.override(language):
        return deadline_format(deadline)


def _mail_values(*, participant: Participant, link_url: str = "", language: str) -> dict[str, str]:
    congress = participant.congress
    office = (
        participant.county.regional_office if participant.county_id and participant.county.regional_office else None
    )
    return {
        "first_name": participant.first_name,
        "full_name": participant.full_name,
        "congress": congress.name,
        "link": link_url,
        "deadline": deadline_in(congress.registration_deadline, language),
        "county": participant.county.name if participant.county_id else "",
        "organisation": participant.organisation.name if participant.organisation_id else "",
        "sender": office.name if office else "KS",
    }


def participant_mail(
    *,
    participant: Participant,
    kind: str,
    link_url: str = "",
    dedupe_key: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    language: str | None = None,
    to: str | None = None,
    text: tuple[str, str] | None = None,
) -> NewMail:
    """One of the congress's mail texts for (or about) a participant, ready for the outbox: in the participant's
    language (``Participant.language``) unless ``language`` says otherwise (a notice to the regional office).
    ``text``: the (subject, body) of ``mail_text_for``, when the caller already has it (many mails of one kind)."""
    language = language or participant.language
    subject, body = text or mail_text_for(congress=participant.congress, kind=kind, language=language)
    values = _mail_values(participant=participant, link_url=link_url, language=language)
    office = participant.county.regional_office if participant.county_id else None
    return NewMail(
        to=to or participant.email,
        subject=render_mail_text(subject, values),
        body_text=render_mail_text(body, values),
        purpose=kind,
        attachments=attachments,
        dedupe_key=dedupe_key,
        reply_to=office.email if office else "",
        related_participant_id=participant.pk,
        contains_secret=bool(link_url),
    )


def participant_mail_queue(**kwargs) -> OutboxMail:
    """Queue :func:`participant_mail` (same arguments); sent after the transaction commits."""
    return outbox_queue(**participant_mail(**kwargs).as_kwargs())
