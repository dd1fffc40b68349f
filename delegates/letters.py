"""The invitation letter: its context from the models, and rendering many letters as PDFs in one go."""

from collections.abc import Sequence

from django.template.loader import render_to_string
from django.utils import timezone, translation

from agenda.models import Event
from core.pdf import render_pdf_batch
from delegates.models import Participant
from delegates.printing import qr_code_png_data_uri
from delegates.selectors import invited_events, invited_events_of, registration_settings

LETTER_TEMPLATE = "delegates/pdf/invitation_letter.html"


def invitation_letter_context(
    *, participant: Participant, registration_url: str, language: str = "nb", events: Sequence[Event] | None = None
) -> dict:
    """The letter's template context; ``events``: the participant's invited events, when the caller has them."""
    if events is None:
        events = invited_events(participant).order_by("starts_at", "pk")
    congress = participant.congress
    travel = registration_settings(congress)
    office = participant.county.regional_office if participant.county_id else None
    with translation.override(language):
        role_label = str(participant.get_role_display())
    return {
        "congress": congress,
        "participant": {
            "full_name": participant.full_name,
            "role_label": role_label,
            "organisation_name": participant.organisation.name if participant.organisation_id else "",
            "county_name": participant.county.name if participant.county_id else "",
        },
        "invited_events": [
            {"title": event.title_in(language), "starts": event.starts_at, "ends": event.ends_at, "venue": event.venue}
            for event in events
        ],
        "registration_url": registration_url,
        "qr_image": qr_code_png_data_uri(registration_url),
        "registration_deadline": congress.registration_deadline,
        "travel_information": (travel.travel_information_en if language == "en" else "") or travel.travel_information,
        "sender": office.name if office else "KS",
        "letter_date": timezone.localdate(),
        "language": language,
    }


def render_invitation_letters(
    letters: Sequence[tuple[Participant, str]], *, language: str | None = None
) -> list[bytes]:
    """PDF letters for (participant, personal link) pairs, in order, rendered as one batch: each in its
    participant's language (``Participant.language``), or all in ``language`` when given (the sample letter)."""
    events = invited_events_of([participant for participant, _url in letters if participant.pk is not None])
    documents = [
        render_to_string(
            LETTER_TEMPLATE,
            invitation_letter_context(
                participant=participant,
                registration_url=url,
                language=language or participant.language,
                events=events.get(participant.pk),
            ),
        )
        for participant, url in letters
    ]
    return render_pdf_batch(documents)


def sample_invitation_letter(*, congress, language: str = "nb") -> bytes:
    """The letter with made-up participant data, for staff to check layout and texts before sending."""
    sample = Participant(
        congress=congress,
        first_name="Kari",
        last_name="Nordmann",
        role=Participant.Role.DELEGATE,
        email="kari@example.no",
    )
    return render_invitation_letters(
        [(sample, "https://landsting.example.no/p/EKSEMPEL-IKKE-EN-EKTE-LENKE/")], language=language
    )[0]
