"""The survey's mails: the invitation when the survey opens and one reminder before it closes (issue 17, item 4).

Both go through the outbox (``core.services``), each in the participant's language (``Participant.language``), with a
fresh personal link to the survey's page (``delegates.services.links.personal_link_issue``: the links the participant
holds keep working). Beat runs :func:`survey_mails_send` every hour.

- The invitation goes once to each active participant of the congress with an e-mail address who has not answered,
  from the moment the survey opens until it closes: one who is added later gets it at the next run. Its dedupe key
  names the survey, the participant and the kind, so a second run, or two at the same time, queues nothing twice; the
  participants' rows are locked while their links are issued, so the second run waits and then finds the mails.
- The reminder goes once, from 00:00 Oslo time on the day ``Survey.reminder_days_before`` days before the closing
  date until the survey closes (0: no reminder), to those the invitation reached before that day who still have not
  answered, are active, have an address and hold a mailed personal link staff have not revoked (as the registration
  reminder, docs/DESIGN.md §6: a reminder does not undo staff's revocation).

A mail whose send was interrupted is sent again with a fresh link by :func:`survey_mail_renew` (registered with the
outbox in ``SurveysConfig.ready``), unless the participant should no longer get it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.deadlines import deadline_closes_at, deadline_date
from core.models import OutboxMail
from core.services import NewMail, outbox_batch, outbox_queue, outbox_queue_many
from delegates.models import Participant, PersonalLink
from delegates.services.links import personal_link_issue
from delegates.services.mail import deadline_in
from surveys.models import Respondent, Survey
from surveys.selectors import survey_is_open

#: The outbox purposes of the survey's mails (registered with their labels in ``apps.py``).
INVITATION = "survey_invitation"
REMINDER = "survey_reminder"
MAIL_PURPOSES = {
    INVITATION: gettext_lazy("Survey: invitation"),
    REMINDER: gettext_lazy("Survey: reminder"),
}


def survey_mail_key(purpose: str, survey_id: int, participant_id: int) -> str:
    """The dedupe key of a survey's mail to one participant: one of each kind per survey and participant."""
    return f"{purpose}:{survey_id}:{participant_id}"


def survey_url(token: str) -> str:
    """The absolute address of the survey's page behind the personal link."""
    return f"{settings.KS_PUBLIC_BASE_URL}{reverse('surveys_portal:form', args=[token])}"


def survey_reminder_starts_at(survey: Survey) -> datetime.datetime | None:
    """When the reminder is due: 00:00 Oslo time on the day ``reminder_days_before`` days before the closing date.
    None: the survey has no reminder (0 days)."""
    if not survey.reminder_days_before:
        return None
    return deadline_closes_at(survey.closes_on - datetime.timedelta(days=survey.reminder_days_before + 1))


def _not_answered(survey: Survey) -> QuerySet[Participant]:
    """The survey's congress's active participants with an address who have not answered."""
    answered = Respondent.objects.filter(survey=survey).values("participant_id")
    return (
        Participant.objects.filter(congress_id=survey.congress_id, status=Participant.Status.ACTIVE)
        .exclude(email="")
        .exclude(pk__in=answered)
    )


def survey_invitation_recipients(survey: Survey) -> QuerySet[Participant]:
    """Those who get the invitation when it goes (each once: the ones already invited are left out when sending)."""
    return _not_answered(survey)


def survey_reminder_recipients(survey: Survey) -> QuerySet[Participant]:
    """Those who get the reminder when it goes: invited before the reminder's day, not answered, with a mailed
    personal link staff have not revoked. Empty when the survey has no reminder."""
    starts_at = survey_reminder_starts_at(survey)
    if starts_at is None:
        return Participant.objects.none()
    invited = OutboxMail.objects.filter(
        purpose=INVITATION,
        dedupe_key__startswith=f"{INVITATION}:{survey.pk}:",
        created_at__lt=starts_at,
    ).values("related_participant_id")
    kept_links = PersonalLink.objects.filter(mailed_at__isnull=False, revoked_at__isnull=True).values("participant_id")
    return _not_answered(survey).filter(pk__in=invited).filter(pk__in=kept_links)


def _mail(*, survey: Survey, participant: Participant, token: str, purpose: str, dedupe_key: str) -> NewMail:
    language = participant.language
    office = participant.county.regional_office if participant.county_id else None
    with translation.override(language):
        title = survey.title_in(language)
        values = {
            "first_name": participant.first_name,
            "congress": survey.congress.name,
            "title": title,
            "link": survey_url(token),
            "closes": deadline_in(survey.closes_on, language),
            "reminder": purpose == REMINDER,
            "sender": office.name if office else "KS",
        }
        subject = (_("Reminder: %(title)s") if purpose == REMINDER else "%(title)s") % {"title": title}
        body = render_to_string("surveys/mail/survey_mail.txt", values)
    return NewMail(
        to=participant.email,
        subject=subject,
        body_text=body,
        purpose=purpose,
        dedupe_key=dedupe_key,
        reply_to=office.email if office else "",
        related_participant_id=participant.pk,
        contains_secret=True,
    )


def _queue(*, survey: Survey, participants: Sequence[Participant], purpose: str, keys: dict[int, str]) -> int:
    """Issue a link and queue the mail for each participant; returns how many were queued."""
    mails, links = [], []
    for participant in participants:
        link, token = personal_link_issue(participant=participant)
        links.append(link.pk)
        mails.append(
            _mail(survey=survey, participant=participant, token=token, purpose=purpose, dedupe_key=keys[participant.pk])
        )
    with outbox_batch():
        outbox_queue_many(mails)
    PersonalLink.objects.filter(pk__in=links).update(mailed_at=timezone.now())
    return len(mails)


@transaction.atomic
def _send(*, survey: Survey, recipients: QuerySet[Participant], purpose: str) -> int:
    """Queue ``purpose``'s mail to each of ``recipients`` who has not had it, once: the recipients' rows are locked
    (in the order of their keys) before the mails already queued are read, so a run at the same moment waits for this
    one and then finds them."""
    ids = list(recipients.values_list("pk", flat=True))
    if not ids:
        return 0
    locked = list(
        Participant.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    keys = {pk: survey_mail_key(purpose, survey.pk, pk) for pk in locked}
    done = set(OutboxMail.objects.filter(dedupe_key__in=keys.values()).values_list("dedupe_key", flat=True))
    # Read again under the locks: one who answered or withdrew meanwhile gets nothing.
    due = (
        recipients.filter(pk__in=[pk for pk, key in keys.items() if key not in done])
        .select_related("congress__registration_settings", "county__regional_office")
        .order_by("pk")
    )
    return _queue(survey=survey, participants=list(due), purpose=purpose, keys=keys)


def survey_invitations_send(*, survey: Survey, now: datetime.datetime | None = None) -> int:
    """Invite, once, each of the survey's participants who has not answered (:func:`survey_invitation_recipients`),
    while the survey is open; returns how many invitations were queued. Beat calls it every hour through
    :func:`survey_mails_send`; the secretariat's "send the invitations now" calls it too, with the same rules."""
    now = now or timezone.now()
    if not survey_is_open(survey, now=now):
        return 0
    return _send(survey=survey, recipients=survey_invitation_recipients(survey), purpose=INVITATION)


def survey_reminders_send(*, survey: Survey, now: datetime.datetime | None = None) -> int:
    """Remind, once, those of :func:`survey_reminder_recipients`, from the reminder's day until the survey closes;
    returns how many reminders were queued."""
    now = now or timezone.now()
    starts_at = survey_reminder_starts_at(survey)
    if starts_at is None or now < starts_at or not survey_is_open(survey, now=now):
        return 0
    return _send(survey=survey, recipients=survey_reminder_recipients(survey), purpose=REMINDER)


@dataclass(frozen=True)
class SurveyMailsSent:
    invitations: int = 0
    reminders: int = 0


def survey_mails_send(*, now: datetime.datetime | None = None) -> SurveyMailsSent:
    """The hourly run: the invitations, then the reminders, of every survey open now."""
    now = now or timezone.now()
    invitations = reminders = 0
    open_now = Survey.objects.filter(opens_at__lte=now, closes_on__gte=deadline_date(now))
    for survey in open_now.select_related("congress").order_by("pk"):
        invitations += survey_invitations_send(survey=survey, now=now)
        reminders += survey_reminders_send(survey=survey, now=now)
    return SurveyMailsSent(invitations=invitations, reminders=reminders)


@transaction.atomic
def survey_mail_renew(mail: OutboxMail) -> OutboxMail | None:
    """A new mail, with a fresh personal link, in place of ``mail``, whose send was interrupted (the outbox's renewer
    for ``MAIL_PURPOSES``). The link of ``mail`` keeps working: it may have arrived. ``None`` when the participant
    should no longer get it: gone, withdrawn, without an address, answered, or the survey closed."""
    try:
        survey_id = int((mail.dedupe_key or "").split(":")[1])
    except (IndexError, ValueError):
        return None
    survey = Survey.objects.select_related("congress").filter(pk=survey_id).first()
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("congress__registration_settings", "county__regional_office")
        .filter(pk=mail.related_participant_id)
        .first()
    )
    if survey is None or participant is None or not survey_is_open(survey):
        return None
    if not _not_answered(survey).filter(pk=participant.pk).exists():
        return None
    key = f"{survey_mail_key(mail.purpose, survey.pk, participant.pk)}:renewal:{mail.pk}"
    if (existing := OutboxMail.objects.filter(dedupe_key=key).first()) is not None:
        return existing
    link, token = personal_link_issue(participant=participant)
    renewed = outbox_queue(
        **_mail(survey=survey, participant=participant, token=token, purpose=mail.purpose, dedupe_key=key).as_kwargs()
    )
    PersonalLink.objects.filter(pk=link.pk).update(mailed_at=timezone.now())
    return renewed


@dataclass(frozen=True)
class MailCounts:
    """How many of a kind of mail are waiting in the outbox (queued, sending or to retry), sent, and failed."""

    waiting: int = 0
    sent: int = 0
    failed: int = 0


def survey_mail_counts(survey: Survey) -> dict[str, MailCounts]:
    """For the secretariat, per purpose: the survey's mails in the outbox by state. A mail replaced after an
    interrupted send is counted once, as its replacement."""
    waiting = (OutboxMail.Status.QUEUED, OutboxMail.Status.SENDING, OutboxMail.Status.RETRY)
    counts = {}
    for purpose in MAIL_PURPOSES:
        rows = OutboxMail.objects.filter(purpose=purpose, dedupe_key__startswith=f"{purpose}:{survey.pk}:")
        statuses = list(rows.exclude(status=OutboxMail.Status.REPLACED).values_list("status", flat=True))
        counts[purpose] = MailCounts(
            waiting=sum(status in waiting for status in statuses),
            sent=statuses.count(OutboxMail.Status.SENT),
            failed=statuses.count(OutboxMail.Status.FAILED),
        )
    return counts
