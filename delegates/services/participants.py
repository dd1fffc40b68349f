"""Participants leaving their seat: withdrawal and the deputy who takes it."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from delegates.models import Participant, Substitution
from delegates.services.invitations import invitations_queue


def participant_language_set(*, participant: Participant, language: str) -> Participant:
    """The participant's language (their choice on the portal): of the mails, letters and reminders sent to them from
    now on, and of their personal pages."""
    if language not in Participant.Language.values:
        raise ValidationError({"language": _("Choose Norwegian Bokmål or English.")})
    if participant.language != language:
        participant.language = language
        participant.save(update_fields=["language"])
    return participant


@transaction.atomic
def participant_withdraw(
    *, participant: Participant, user: AbstractBaseUser | None, reason: str = "", replacement: Participant | None = None
) -> Substitution:
    """A participant withdraws. If they held a voting seat, the next deputy of the same delegation takes it.

    Staff may pick another deputy than the next in rank, but must then say why. When no deputy is left the seat
    stays empty and the record says so. Everything is checked before anything is written. The deputy who takes the
    seat is invited (a personal link and the letter) once the transaction commits.
    """
    # order_by("pk"): the default ordering joins the nullable county, and PostgreSQL refuses FOR UPDATE on outer joins.
    delegation = {
        p.pk: p for p in Participant.objects.delegation_of(participant).select_for_update(of=("self",)).order_by("pk")
    }
    current = delegation.get(participant.pk)
    if current is None:
        raise ValidationError(_("The participant's delegation has changed. Reload the page and try again."))
    if current.status == Participant.Status.WITHDRAWN:
        raise ValidationError(_("%(name)s has already withdrawn.") % {"name": current.full_name})

    held_seat = current.has_voting_right
    seat = current.acting_for if current.acting_for_id else current
    chosen = next_in_rank = None
    if held_seat:
        free_deputies = sorted(
            (p for p in delegation.values() if p.is_free_deputy and p.pk != current.pk), key=lambda p: p.deputy_rank
        )
        next_in_rank = free_deputies[0] if free_deputies else None
        if replacement is None:
            chosen = next_in_rank
        else:
            chosen = next((p for p in free_deputies if p.pk == replacement.pk), None)
            if chosen is None:
                raise ValidationError({"replacement": _("Choose an available deputy of the same delegation.")})
            if chosen is not next_in_rank and not reason.strip():
                raise ValidationError({"reason": _("Give a reason for choosing another deputy than the next in rank.")})

    current.status = Participant.Status.WITHDRAWN
    current.acting_for = None
    current.save(update_fields=["status", "acting_for"])
    if chosen is not None:
        chosen.acting_for = seat
        chosen.save(update_fields=["acting_for"])
        # The deputy needs the link to vote: invited after the registration deadline too, until the congress is over.
        invitations_queue(participants=[chosen], user=user, seat_taken=True)
    return Substitution.objects.create(
        congress_id=current.congress_id,
        withdrawn=current,
        held_seat=held_seat,
        replacement=chosen,
        reason=reason.strip(),
        replacement_chosen=chosen is not None and chosen is not next_in_rank,
        created_by=user,
    )
