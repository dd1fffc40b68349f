"""Personal links: issued, revoked and resolved; the secret is never stored.

A participant may hold several links at once, each opening until it expires: issuing a link (an invitation, a
reminder, a lost-link request, a mail sent again) never ends another one, so nobody who knows a delegate's address can
lock them out, and the printed letter's QR code keeps working. Only staff revoke links (``personal_link_revoke``,
``personal_link_revoke_all``).
"""

import datetime
import hashlib
import hmac
import logging
import re
import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from delegates.models import MailText, Participant, PersonalLink
from delegates.selectors import county_visible_to, invitations_plan, registration_settings
from delegates.services.mail import participant_mail_queue

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32  # 256 random bits; the issue asks for at least 128
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


class LinkProblem(Exception):
    """Why a personal link does not open: ``malformed``, ``unknown``, ``revoked`` or ``expired``."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def personal_link_digest(token: str) -> str:
    """The stored hash of a secret of the right shape; LinkProblem("malformed") for anything else."""
    if not _TOKEN_SHAPE.fullmatch(token or ""):
        raise LinkProblem("malformed")
    return _token_hash(token)


def personal_link_issue(*, participant: Participant, user: AbstractBaseUser | None = None) -> tuple[PersonalLink, str]:
    """A new personal link for the participant (one INSERT). Links issued before keep working: each expires on its
    own. Returns the link and its secret, which is shown or mailed once and never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    validity = datetime.timedelta(days=registration_settings(participant.congress).link_validity_days)
    link = PersonalLink.objects.create(
        participant=participant,
        token_hash=_token_hash(token),
        created_by=user,
        expires_at=timezone.now() + validity,
    )
    return link, token


def _may_revoke(user: AbstractBaseUser | None, participant: Participant) -> None:
    if user is not None and not county_visible_to(user, participant.county):
        raise ValidationError(_("You can only revoke the links of participants in your own counties."))


@transaction.atomic
def personal_link_revoke_all(*, participant: Participant, user: AbstractBaseUser | None) -> int:
    """Staff revoke every link of the participant that is not revoked yet; returns how many. A new link (an invitation
    sent again, a lost-link request) can be issued afterwards and opens as usual."""
    _may_revoke(user, participant)
    revoked = PersonalLink.objects.filter(participant=participant, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    logger.info(
        "Personal links revoked: participant %s, %s link(s), by user %s",
        participant.pk,
        revoked,
        getattr(user, "pk", None),
    )
    return revoked


@transaction.atomic
def personal_link_revoke(*, link: PersonalLink, user: AbstractBaseUser | None) -> bool:
    """Staff revoke one link; the participant's other links keep working. False when it was revoked already."""
    _may_revoke(user, link.participant)
    revoked = PersonalLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    if revoked:
        logger.info(
            "Personal link %s revoked: participant %s, by user %s",
            link.pk,
            link.participant_id,
            getattr(user, "pk", None),
        )
    return bool(revoked)


def personal_link_resolve(*, token: str, touch: bool = True) -> PersonalLink:
    """The valid link with this secret, or LinkProblem. Records when the link was opened, unless ``touch`` is off
    (casting a ballot: no write beyond the vote, and no time of voting kept with the voter's link)."""
    digest = personal_link_digest(token)
    now = timezone.now()
    link = (
        PersonalLink.objects.with_problem(at=now)  # the rule the one-statement ballot uses too
        .select_related(
            "participant__congress__registration_settings",
            "participant__county__regional_office",
            "participant__organisation",
        )
        .filter(token_hash=digest)
        .first()
    )
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        raise LinkProblem("unknown")
    if link.problem:
        raise LinkProblem(link.problem)
    if touch:
        PersonalLink.objects.filter(pk=link.pk).update(last_opened_at=now)
        PersonalLink.objects.filter(pk=link.pk, first_opened_at__isnull=True).update(first_opened_at=now)
    return link


def personal_link_send_lost(*, email: str) -> int:
    """Mail a new personal link to each participant with this address who has been invited to a congress not yet
    over and may still be invited (not held back, not withdrawn, a deputy only with a seat), in the participant's
    language (not the asking page's: whoever asks need not be the participant). The links the participant already
    holds keep working: whoever asks cannot lock the participant out.

    Returns how many were sent; the caller must not reveal it (the answer is the same for unknown addresses).
    """
    today = timezone.localdate()
    invited = (
        Participant.objects.filter(email__iexact=email, congress__last_day__gte=today, links__mailed_at__isnull=False)
        .select_related("congress__registration_settings", "county__regional_office", "organisation")
        .distinct()
    )
    sent = 0
    # A link again, not a new invitation: after the registration deadline too, while the congress is not over.
    for participant in invitations_plan(participants=invited, congress_rules=False).to_send:
        personal_link_mail(participant=participant, kind=MailText.Kind.LOST_LINK)
        sent += 1
    return sent


@transaction.atomic
def personal_link_mail(*, participant: Participant, kind: str, dedupe_key: str | None = None) -> PersonalLink:
    """Issue a new link (the earlier ones keep working), queue the mail text ``kind`` that carries it, in the
    participant's language, and record that it was mailed. ``dedupe_key`` defaults to one per link."""
    link, token = personal_link_issue(participant=participant)
    participant_mail_queue(
        participant=participant,
        kind=kind,
        link_url=personal_link_url(token),
        dedupe_key=dedupe_key or f"{kind}:{link.pk}",
    )
    PersonalLink.objects.filter(pk=link.pk).update(mailed_at=timezone.now())
    return link


def personal_link_url(token: str) -> str:
    return f"{settings.KS_PUBLIC_BASE_URL}{reverse('portal:home', args=[token])}"
