"""Invitations: a personal link and a PDF letter for each participant, sent in batches by the workers."""

import uuid
from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import OutboxMail
from delegates.letters import render_invitation_letters
from delegates.models import MailText, Participant, PersonalLink
from delegates.selectors import InvitationPlan, invitations_plan
from delegates.services.links import personal_link_issue, personal_link_url
from delegates.services.mail import participant_mail_queue

INVITATION_BATCH_SIZE = 100  # letters rendered as one PDF batch; batches run in parallel on the workers


def invitations_send(
    *,
    participants: Iterable[Participant],
    user: AbstractBaseUser | None,
    request_id: str | None = None,
    batch_size: int = INVITATION_BATCH_SIZE,
) -> InvitationPlan:
    """Issue a personal link to each participant and queue the invitation mail with the PDF letter.

    Refused participants (held-back county, withdrawn, no address, a deputy without a seat) are left alone. Each
    batch is one transaction: its mails are queued only when its links are stored. ``request_id`` names one request
    to send (one click): running the same request twice (a retried task) sends each invitation once.
    """

    request_id = request_id or uuid.uuid4().hex
    queryset = Participant.objects.select_related("congress", "county__regional_office", "organisation")
    plan = invitations_plan(participants=queryset.filter(pk__in=[p.pk for p in participants]).order_by("pk"))
    for start in range(0, len(plan.to_send), batch_size):
        with transaction.atomic():
            # Lock first, then look for this request's mails: a duplicate run waits here and then finds them.
            ids = [p.pk for p in plan.to_send[start : start + batch_size]]
            list(Participant.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
            keys = {pk: f"invitation:{pk}:{request_id}" for pk in ids}
            done = set(OutboxMail.objects.filter(dedupe_key__in=keys.values()).values_list("dedupe_key", flat=True))
            chunk = [p for p in plan.to_send[start : start + batch_size] if keys[p.pk] not in done]
            if not chunk:
                continue
            issued = [personal_link_issue(participant=p, user=user) for p in chunk]
            urls = [personal_link_url(token) for _link, token in issued]
            letters = render_invitation_letters(list(zip(chunk, urls, strict=True)))
            for participant, url, pdf in zip(chunk, urls, letters, strict=True):
                participant_mail_queue(
                    participant=participant,
                    kind=MailText.Kind.INVITATION,
                    link_url=url,
                    dedupe_key=keys[participant.pk],
                    attachments=[(_("invitation.pdf"), pdf, "application/pdf")],
                )
            PersonalLink.objects.filter(pk__in=[link.pk for link, _token in issued]).update(mailed_at=timezone.now())
    return plan


def invitations_queue(*, participants: Iterable[Participant], user: AbstractBaseUser | None) -> InvitationPlan:
    """Plan the invitations and hand them to the workers in batches once the transaction commits."""
    from delegates.tasks import send_invitations  # the task module imports this one

    plan = invitations_plan(participants=participants)
    ids = [participant.pk for participant in plan.to_send]
    user_id = user.pk if user is not None else None
    request_id = uuid.uuid4().hex
    for start in range(0, len(ids), INVITATION_BATCH_SIZE):
        batch = ids[start : start + INVITATION_BATCH_SIZE]
        transaction.on_commit(lambda batch=batch: send_invitations.delay(batch, user_id, request_id), robust=True)
    return plan
