"""Invitations: a personal link and a PDF letter for each participant, sent in batches by the workers."""

import logging
import uuid
from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.models import OutboxMail
from core.services import jobs_queue, outbox_batch, outbox_queue_many, outbox_requeue
from delegates.letters import render_invitation_letters
from delegates.models import MailText, Participant, PersonalLink
from delegates.selectors import InvitationPlan, invitations_plan, mail_text_for
from delegates.services.links import personal_link_issue, personal_link_mail, personal_link_url
from delegates.services.mail import participant_mail

logger = logging.getLogger(__name__)

# Letters per send_invitations task, rendered as one PDF batch and committed together. Small, so that a worker process
# is free again after a second or two: the mail tasks of the batches already done (priority 0, core.tasks) go ahead of
# the next batch, and mail leaves while the rest is being rendered (issue 13: 1,000 letters rendered in batches of 100
# held every mail back for 43 s). The per-batch cost that batching saves is small by 20 (bench/README.md).
INVITATION_BATCH_SIZE = 20
# The first batch is smaller, so that the first mails leave after half a second of rendering instead of two; what a
# batch costs beyond its letters is a few ms a letter at 5 (bench/README.md, issue 13), and only the first pays it.
INVITATION_FIRST_BATCH_SIZE = 5


def invitation_batches(ids: list[int]) -> list[list[int]]:
    """``ids`` in the batches the workers get: a small first one, then ``INVITATION_BATCH_SIZE`` each."""
    first = min(INVITATION_FIRST_BATCH_SIZE, INVITATION_BATCH_SIZE)
    rest = ids[first:]
    batches = [ids[:first]] if ids else []
    return batches + [
        rest[start : start + INVITATION_BATCH_SIZE] for start in range(0, len(rest), INVITATION_BATCH_SIZE)
    ]


def invitations_send(
    *,
    participants: Iterable[Participant],
    user: AbstractBaseUser | None,
    request_id: str | None = None,
    batch_size: int = INVITATION_BATCH_SIZE,
    late_addition: bool = False,
    seat_taken: bool = False,
) -> InvitationPlan:
    """Issue a personal link to each participant and queue the invitation mail with the PDF letter.

    Refused participants (a concluded congress or one past its registration deadline, held-back county, withdrawn,
    no address, a deputy without a seat: ``invitations_plan``) are left alone, checked again here whatever the caller
    planned: ``late_addition`` (staff's "send anyway") lets a congress past its deadline through only until its first
    day, ``seat_taken`` (a deputy who took a seat) until it is concluded. Each batch is one transaction: its mails
    are queued only when its links are stored. ``request_id`` names one request to send (one click): running the
    same request twice (a retried task) sends each invitation once.
    """

    request_id = request_id or uuid.uuid4().hex
    queryset = Participant.objects.select_related(
        "congress__registration_settings", "county__regional_office", "organisation"
    )
    plan = invitations_plan(
        participants=queryset.filter(pk__in=[p.pk for p in participants]).order_by("pk"),
        late_addition=late_addition,
        seat_taken=seat_taken,
    )
    if late_addition and plan.late_additions:
        logger.info(
            "Invitations sent after the registration deadline as late additions: participants %s, by user %s",
            [p.pk for p in plan.late_additions if p in plan.to_send],
            getattr(user, "pk", None),
        )
    for start in range(0, len(plan.to_send), batch_size):
        with transaction.atomic():
            # Lock first, then look for this request's mails: a duplicate run waits here and then finds them.
            ids = [p.pk for p in plan.to_send[start : start + batch_size]]
            list(Participant.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
            keys = {pk: f"invitation:{pk}:{request_id}" for pk in ids}
            stored = OutboxMail.objects.filter(dedupe_key__in=keys.values())
            done = set(stored.values_list("dedupe_key", flat=True))
            # A run that died after storing this batch but before its mails were handed to the broker left them
            # queued: hand them over again (sending is idempotent), rather than wait for beat's sweep.
            waiting = list(stored.filter(status=OutboxMail.Status.QUEUED).values_list("pk", flat=True))
            if waiting:
                outbox_requeue(mail_ids=waiting)
            chunk = [p for p in plan.to_send[start : start + batch_size] if keys[p.pk] not in done]
            if not chunk:
                continue
            with outbox_batch():  # one mail task and one SMTP connection for the batch, after the commit
                _invitation_mails_queue(chunk, user=user, keys=keys)
    return plan


def _invitation_mails_queue(
    participants: list[Participant], *, user: AbstractBaseUser | None, keys: dict[int, str]
) -> list[OutboxMail]:
    """A new personal link, the PDF letter carrying it, and the invitation mail, for each participant (one batch),
    each in the participant's language."""
    issued = [personal_link_issue(participant=p, user=user) for p in participants]
    urls = [personal_link_url(token) for _link, token in issued]
    letters = render_invitation_letters(list(zip(participants, urls, strict=True)))
    # One read of the mail text per congress and language of the batch.
    versions = {(participant.congress_id, participant.language): participant.congress for participant in participants}
    texts = {
        (congress_id, language): mail_text_for(congress=congress, kind=MailText.Kind.INVITATION, language=language)
        for (congress_id, language), congress in versions.items()
    }
    mails = outbox_queue_many(
        [
            participant_mail(
                participant=participant,
                kind=MailText.Kind.INVITATION,
                link_url=url,
                dedupe_key=keys[participant.pk],
                attachments=[(_invitation_file_name(participant.language), pdf, "application/pdf")],
                text=texts[participant.congress_id, participant.language],
            )
            for participant, url, pdf in zip(participants, urls, letters, strict=True)
        ]
    )
    PersonalLink.objects.filter(pk__in=[link.pk for link, _token in issued]).update(mailed_at=timezone.now())
    return mails


def _invitation_file_name(language: str) -> str:
    with translation.override(language):
        return _("invitation.pdf")


#: The mail texts that carry a personal link, which ``link_mail_renew`` can send again with a fresh one.
LINK_MAIL_KINDS = (
    MailText.Kind.INVITATION,
    MailText.Kind.REMINDER,
    MailText.Kind.LOST_LINK,
    MailText.Kind.CONFIRMATION,
)


@transaction.atomic
def link_mail_renew(mail: OutboxMail) -> OutboxMail | None:
    """A new mail, with a fresh personal link, in place of ``mail``, whose send was interrupted (the worker died): the
    renewer ``core.services.outbox_resolve_interrupted`` calls for the kinds of ``LINK_MAIL_KINDS`` (registered in
    ``DelegatesConfig.ready``). An invitation gets a new letter too. The link of ``mail`` keeps working: it may have
    arrived.

    ``None`` when the participant should no longer get it (deleted, withdrawn, held back, no address). Renewing the
    same mail twice queues one mail (its dedupe key).
    """
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("congress__registration_settings", "county__regional_office", "organisation")
        .filter(pk=mail.related_participant_id)
        .first()
    )
    # The mail was allowed when it was queued (a late addition too): only the participant's own state counts now.
    if participant is None or not invitations_plan(participants=[participant], congress_rules=False).to_send:
        return None
    key = f"renewal:{mail.pk}"
    if (existing := OutboxMail.objects.filter(dedupe_key=key).first()) is not None:
        return existing
    if mail.purpose == MailText.Kind.INVITATION:
        [renewed] = _invitation_mails_queue([participant], user=None, keys={participant.pk: key})
        return renewed
    personal_link_mail(participant=participant, kind=mail.purpose, dedupe_key=key)
    return OutboxMail.objects.get(dedupe_key=key)


def invitations_queue(
    *,
    participants: Iterable[Participant],
    user: AbstractBaseUser | None,
    late_addition: bool = False,
    seat_taken: bool = False,
) -> InvitationPlan:
    """Plan the invitations and store one ``core.Job`` per batch, handed to the workers once the transaction commits.

    The jobs are rows in the caller's transaction: with the broker away they wait, and beat hands them over when it
    is back (``core.services.jobs_resend_stale``). A batch handed over twice sends once (``request_id``). The job
    checks the plan again when it runs (``invitations_send``): a late addition that waited past the first day is not
    sent.
    """
    from delegates.tasks import send_invitations  # the task module imports this one

    plan = invitations_plan(participants=participants, late_addition=late_addition, seat_taken=seat_taken)
    ids = [participant.pk for participant in plan.to_send]
    user_id = user.pk if user is not None else None
    request_id = uuid.uuid4().hex
    # The exceptions only when given: a job row's arguments stay those of a plain invitation otherwise.
    extra = [late_addition, seat_taken] if late_addition or seat_taken else []
    jobs_queue(task=send_invitations, calls=[[batch, user_id, request_id, *extra] for batch in invitation_batches(ids)])
    return plan
