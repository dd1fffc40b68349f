"""Registration through the personal link, reminders, and deleting health data after the congress."""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Congress
from core.models import OutboxMail
from delegates.models import MailText, Participant, Registration, Substitution
from delegates.phone import validate_phone_number
from delegates.selectors import (
    allowed_hotel_nights,
    health_data_deletion_date,
    invitations_plan,
    invited_events,
    registration_is_open,
    registration_settings,
)
from delegates.services.links import personal_link_mail
from delegates.services.mail import participant_mail_queue
from delegates.services.participants import participant_withdraw

# --- Registration through the personal link -----------------------------------------------------------------------


@transaction.atomic
def registration_save(
    *,
    participant: Participant,
    event_ids: Sequence[int],
    hotel_nights: Sequence[datetime.date],
    diet: str,
    allergies: str,
    accessibility: str,
    arrival: datetime.datetime | None,
    departure: datetime.datetime | None,
    listed: bool,
    mobile: str,
    link_url: str,
) -> Registration:
    """Create or change the participant's registration and mail a confirmation (in the participant's language).
    Only until the deadline."""
    participant = Participant.objects.select_for_update(of=("self",)).select_related("congress").get(pk=participant.pk)
    if not registration_is_open(participant):
        raise ValidationError(_("Registration is closed: the deadline has passed or you have withdrawn."))
    invited = set(invited_events(participant).values_list("pk", flat=True))
    chosen = set(event_ids)
    if not chosen <= invited:
        raise ValidationError({"events": _("You can only register for events you are invited to.")})
    nights = sorted(set(hotel_nights))
    if not set(nights) <= set(allowed_hotel_nights(participant.congress)):
        raise ValidationError({"hotel_nights": _("Choose hotel nights during the congress week.")})
    if arrival and departure and departure < arrival:
        raise ValidationError({"departure": _("Departure cannot be before arrival.")})
    try:
        validate_phone_number(mobile)
    except ValidationError as error:
        raise ValidationError({"mobile": error.messages}) from None

    registration, _created = Registration.objects.get_or_create(participant=participant)
    registration.status = Registration.Status.REGISTERED
    registration.cancelled_at = None
    registration.hotel_nights = [night.isoformat() for night in nights]
    registration.diet = diet
    registration.allergies = allergies.strip()
    registration.accessibility = accessibility.strip()
    registration.arrival = arrival
    registration.departure = departure
    registration.listed = listed
    registration.save()
    registration.events.set(chosen)
    if participant.mobile != mobile.strip():
        participant.mobile = mobile.strip()
        participant.save(update_fields=["mobile"])
    participant_mail_queue(
        participant=participant,
        kind=MailText.Kind.CONFIRMATION,
        link_url=link_url,
        dedupe_key=f"confirmation:{registration.pk}:{registration.updated_at.isoformat()}",
    )
    return registration


@transaction.atomic
def registration_cancel(*, participant: Participant) -> Substitution:
    """The participant cancels through their link: the regional office is told, and for a delegate the next deputy
    takes the seat and is invited."""
    participant = Participant.objects.select_for_update(of=("self",)).select_related("congress").get(pk=participant.pk)
    if not registration_is_open(participant):
        raise ValidationError(_("Registration is closed: the deadline has passed or you have withdrawn."))
    registration, _created = Registration.objects.get_or_create(participant=participant)
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    substitution = participant_withdraw(
        participant=participant, user=None, reason=_("Cancelled through the personal link.")
    )
    office = participant.county.regional_office if participant.county_id else None
    participant_mail_queue(
        participant=participant,
        kind=MailText.Kind.CANCELLATION_NOTICE,
        to=office.email if office else settings.DEFAULT_FROM_EMAIL,
        language=settings.LANGUAGE_CODE,  # to the regional office, not to the participant
        dedupe_key=f"cancellation:{participant.pk}",
    )
    return substitution


# --- Reminders and deletion of personal data ---------------------------------------------------------------------


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind, once, those invited who have not registered, when the congress's reminder day has come.

    The reminder carries a new personal link, because the secret of the invitation's is not stored; the invitation's
    link (the printed letter's QR code) keeps working beside it. A participant whose links staff have all revoked
    gets no reminder.
    """
    today = today or timezone.localdate()
    queued = 0
    for congress in Congress.objects.filter(registration_deadline__gte=today).select_related("registration_settings"):
        days_before = registration_settings(congress).reminder_days_before_deadline
        if not days_before or today < congress.registration_deadline - datetime.timedelta(days=days_before):
            continue
        # Invited, with a mailed link staff have not revoked: staff's revocation is not undone by a reminder.
        waiting = (
            Participant.objects.filter(
                congress=congress, links__mailed_at__isnull=False, links__revoked_at__isnull=True
            )
            .exclude(registration__isnull=False)
            .select_related("congress__registration_settings", "county__regional_office", "organisation")
            .distinct()
        )
        for participant in invitations_plan(participants=waiting).to_send:
            with transaction.atomic():
                # Under the participant's lock, so that two overlapping runs cannot both issue a link.
                Participant.objects.select_for_update(of=("self",)).filter(pk=participant.pk).order_by("pk").first()
                if OutboxMail.objects.filter(dedupe_key=f"reminder:{participant.pk}").exists():
                    continue
                personal_link_mail(
                    participant=participant, kind=MailText.Kind.REMINDER, dedupe_key=f"reminder:{participant.pk}"
                )
                queued += 1
    return queued


@transaction.atomic
def registration_health_data_purge(*, today: datetime.date | None = None) -> int:
    """Blank diet, allergy and accessibility answers of congresses whose retention period has ended."""
    today = today or timezone.localdate()
    due = [c.pk for c in Congress.objects.all() if health_data_deletion_date(c) <= today]
    return Registration.objects.filter(participant__congress__in=due, health_data_deleted_at__isnull=True).update(
        diet="", allergies="", accessibility="", health_data_deleted_at=timezone.now()
    )
