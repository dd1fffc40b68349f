from celery import shared_task

from core.models import User
from delegates.models import Participant
from delegates.services.documents import document_render
from delegates.services.invitations import invitations_send
from delegates.services.links import personal_link_send_lost
from delegates.services.registration import registration_health_data_purge, reminders_send


@shared_task
def send_invitations(
    participant_ids: list[int],
    user_id: int | None,
    request_id: str | None = None,
    late_addition: bool = False,
    seat_taken: bool = False,
) -> dict:
    user = User.objects.filter(pk=user_id).first() if user_id else None
    participants = Participant.objects.filter(pk__in=participant_ids)
    plan = invitations_send(
        participants=participants,
        user=user,
        request_id=request_id,
        late_addition=late_addition,
        seat_taken=seat_taken,
    )
    return {"sent": len(plan.to_send), "refused": len(plan.refused)}


@shared_task
def send_reminders() -> int:
    return reminders_send()


@shared_task
def purge_health_data() -> int:
    return registration_health_data_purge()


@shared_task
def send_lost_link(email: str, language: str | None = None) -> None:
    # Never returns whether the address was known: the answer to the person asking is the same either way. The mail
    # is in the participant's language; ``language`` (the asking page's) is only accepted from jobs stored before.
    personal_link_send_lost(email=email)


@shared_task
def render_document(document_id: int) -> None:
    # Run as a core.Job (delegates.services.documents.document_order), whose claim keeps a second worker away: a
    # document left RENDERING by a worker that died is rendered again.
    document_render(document_id=document_id, resume=True)
