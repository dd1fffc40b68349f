"""Every write of the plenary. Each one takes the lock of the congress's hall row first, so a delegate's tap, the
desk and two chairs act one after the other, never on a state another has just changed; each bumps the hall's
version, which tells every screen that the list has changed.

An action that depends on what the console showed says what it saw (the speech it means to end, the list it means to
close), and is refused with a message when that is no longer so, rather than applied twice."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from agenda.models import AgendaItem, Congress
from delegates.models import Participant
from plenary import queue, selectors
from plenary.models import Hall, ItemProcedure, SpeakerRequest, SpeakersList
from plenary.queue_messages import refusal_message

Kind = SpeakerRequest.Kind
State = SpeakerRequest.State


def _hall_locked(congress_id: int) -> Hall:
    Hall.objects.get_or_create(congress_id=congress_id)
    return Hall.objects.select_for_update(of=("self",)).select_related("current_item").get(congress_id=congress_id)


def _bump(hall: Hall) -> None:
    hall.version += 1
    hall.save(update_fields=["version", "changed_at"])


def _item_of(hall: Hall, item_id: int) -> AgendaItem:
    item = AgendaItem.objects.select_related("congress").filter(pk=item_id, congress_id=hall.congress_id).first()
    if item is None:
        raise ValidationError(_("This agenda item does not belong to the congress."), code="item")
    return item


def _request_locked(request_id: int, congress_id: int) -> tuple[Hall, SpeakerRequest]:
    """The hall's lock, then the request, read again under it."""
    request = SpeakerRequest.objects.filter(pk=request_id).values_list("item__congress_id", flat=True).first()
    if request is None or request != congress_id:
        raise ValidationError(_("This request for the floor no longer exists."), code="request")
    hall = _hall_locked(congress_id)
    return hall, SpeakerRequest.objects.select_related("item__congress", "participant").get(pk=request_id)


def _close_speech(request: SpeakerRequest, now) -> None:
    if request.paused_since is not None:
        request.paused_seconds += max(0.0, (now - request.paused_since).total_seconds())
        request.paused_since = None
    request.state = State.DONE
    request.ended_at = now
    request.save(update_fields=["state", "ended_at", "paused_seconds", "paused_since"])


@transaction.atomic
def hall_item_set(*, congress: Congress, item_id: int | None, user: AbstractBaseUser | None) -> Hall:
    """Put ``item_id`` before the hall (None: no item); the delegates ask for the floor on that item."""
    hall = _hall_locked(congress.pk)
    item = _item_of(hall, item_id) if item_id is not None else None
    if hall.current_item_id == (item.pk if item else None):
        return hall
    if hall.current_item_id is not None:
        speaking = SpeakerRequest.objects.filter(item_id=hall.current_item_id, state=State.SPEAKING).first()
        if speaking is not None:
            raise ValidationError(
                _("%(name)s is still speaking on the item before the hall. End the speech first.")
                % {"name": speaking.name},
                code="speaking",
            )
    if item is not None:
        SpeakersList.objects.get_or_create(item=item)
    hall.current_item = item
    hall.item_set_at = timezone.now()
    hall.save(update_fields=["current_item", "item_set_at", "changed_at"])
    _bump(hall)
    return hall


@transaction.atomic
def speaker_request_add(
    *,
    item: AgendaItem,
    kind: str,
    participant: Participant | None = None,
    speaker_name: str = "",
    speaker_affiliation: str = "",
    user: AbstractBaseUser | None = None,
    seen_version: int | None = None,
) -> SpeakerRequest:
    """Put someone on the item's list. Without ``user`` the participant asks on their phone: only for the item before
    the hall, and only with the right to speak and checked in. With ``user`` the desk adds them (the chair gives the
    floor: anyone, also someone who is not a participant, by name), and may add an introduction.

    ``seen_version``: the hall's version the asking page showed. When the participant has already asked for this
    kind since that version, this is the same tap arriving twice (a double tap, a form sent again), and the request
    made then is returned instead of a second one."""
    hall = _hall_locked(item.congress_id)
    item = _item_of(hall, item.pk)
    if kind not in Kind.values:
        raise ValidationError(_("Unknown kind of request."), code="kind")
    if participant is None and not speaker_name.strip():
        raise ValidationError(_("Choose a participant or give the speaker's name."), code="speaker")
    if participant is not None:
        participant = Participant.objects.select_related("congress").get(pk=participant.pk)
        if participant.congress_id != item.congress_id:
            raise ValidationError(_("This participant belongs to another congress."), code="participant")
    if user is None:
        if participant is None:
            raise ValidationError(_("Choose a participant or give the speaker's name."), code="speaker")
        if hall.current_item_id != item.pk:
            raise ValidationError(_("Requests for the floor are not open on this item now."), code="item")
        if kind == Kind.INTRODUCTION:
            raise ValidationError(_("The chair adds the introduction."), code="kind")
        if problem := selectors.floor_refusal(participant):
            raise ValidationError(problem, code="right")
    elif participant is not None and participant.status != Participant.Status.ACTIVE:
        raise ValidationError(
            _("%(name)s has withdrawn from the congress.") % {"name": participant.full_name}, code="withdrawn"
        )
    if participant is not None and seen_version is not None:
        same_tap = SpeakerRequest.objects.filter(
            item=item, participant=participant, kind=kind, asked_version__gt=seen_version
        ).first()
        if same_tap is not None:
            return same_tap
    SpeakersList.objects.get_or_create(item=item)
    listed = selectors.item_list(item)
    plain = [r.as_queue_request() for r in listed.requests]
    speaker = participant.pk if participant is not None else -(10**9)  # a new name is nobody on the list yet
    if problem := queue.refusal(plain, listed.rules, speaker=speaker, kind=queue.Kind(kind), list_closed=listed.closed):
        raise ValidationError(refusal_message(problem, listed.rules), code=problem.value)
    answers = None
    if kind in (Kind.REPLY, Kind.ANSWER):
        answers = queue.speech_in_turn(plain).id
    highest = SpeakerRequest.objects.filter(item=item).aggregate(Max("order"))["order__max"] or 0
    try:
        with transaction.atomic():
            request = SpeakerRequest.objects.create(
                item=item,
                participant=participant,
                speaker_name="" if participant else speaker_name.strip(),
                speaker_affiliation="" if participant else speaker_affiliation.strip(),
                kind=kind,
                order=highest + 1,
                answers_id=answers,
                asked_at=timezone.now(),
                asked_version=hall.version + 1,
                added_by=user,
            )
    except IntegrityError as error:  # the constraints behind the lock: should not happen, but never twice
        raise ValidationError(_("Already on the list for this."), code="already_waiting") from error
    _bump(hall)
    return request


@transaction.atomic
def speaker_request_withdraw(
    *, request_id: int, congress: Congress, participant: Participant | None = None, user: AbstractBaseUser | None = None
) -> SpeakerRequest:
    """Take a waiting request off the list: the participant's own (on the phone), or any (the chair removes it)."""
    hall, request = _request_locked(request_id, congress.pk)
    if participant is not None and request.participant_id != participant.pk:
        raise ValidationError(_("This request for the floor no longer exists."), code="request")
    if request.state != State.WAITING:
        raise ValidationError(
            _("%(name)s is no longer waiting (%(state)s).")
            % {"name": request.name, "state": request.get_state_display().lower()},
            code="state",
        )
    request.state = State.WITHDRAWN
    request.save(update_fields=["state"])
    _bump(hall)
    return request


@transaction.atomic
def speaker_request_restore(*, request_id: int, congress: Congress, user: AbstractBaseUser) -> SpeakerRequest:
    """Put a withdrawn request back on the list, in its old place."""
    hall, request = _request_locked(request_id, congress.pk)
    if request.state != State.WITHDRAWN:
        raise ValidationError(_("%(name)s is already on the list.") % {"name": request.name}, code="state")
    if request.kind == Kind.SPEECH and request.participant_id:
        others = SpeakerRequest.objects.filter(
            item_id=request.item_id, participant_id=request.participant_id, kind=Kind.SPEECH, state=State.WAITING
        )
        if others.exists():
            raise ValidationError(_("%(name)s is already on the list.") % {"name": request.name}, code="state")
    request.state = State.WAITING
    request.save(update_fields=["state"])
    _bump(hall)
    return request


@transaction.atomic
def speaker_request_move(*, request_id: int, congress: Congress, up: bool, user: AbstractBaseUser) -> SpeakerRequest:
    """Move a waiting request one place up or down among its own kind (speeches among speeches, a speech's replies
    among its replies)."""
    hall, request = _request_locked(request_id, congress.pk)
    if request.state != State.WAITING:
        raise ValidationError(
            _("%(name)s is no longer waiting (%(state)s).")
            % {"name": request.name, "state": request.get_state_display().lower()},
            code="state",
        )
    peers = list(
        SpeakerRequest.objects.filter(
            item_id=request.item_id, state=State.WAITING, kind=request.kind, answers_id=request.answers_id
        ).order_by("order", "pk")
    )
    index = next(i for i, peer in enumerate(peers) if peer.pk == request.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(peers):
        return request  # already first or last: nothing to do
    other = peers[other_index]
    request.order, other.order = other.order, request.order
    SpeakerRequest.objects.bulk_update([request, other], ["order"])
    _bump(hall)
    return request


@transaction.atomic
def speech_next(
    *, congress: Congress, expected_speaking_id: int | None, user: AbstractBaseUser, request_id: int | None = None
) -> SpeakerRequest | None:
    """End the current speech and give the floor to the next on the list (or to ``request_id``). The console says who
    it saw speaking (``expected_speaking_id``, None for nobody): if another chair has moved on meanwhile, nothing
    happens and the refusal says so. Returns the new speaker, or None when the list is empty."""
    hall = _hall_locked(congress.pk)
    if hall.current_item_id is None:
        raise ValidationError(_("Choose the item before the hall first."), code="item")
    item = hall.current_item
    listed = selectors.item_list(item)
    speaking = listed.speaking
    if (speaking.pk if speaking else None) != expected_speaking_id:
        if speaking is None:
            message = _("The speech has already been ended. The console now shows the list as it is.")
        else:
            message = _("%(name)s has already been given the floor. The console now shows the list as it is.") % {
                "name": speaking.name
            }
        raise ValidationError(message, code="conflict")
    now = timezone.now()
    if speaking is not None:
        _close_speech(speaking, now)
    if request_id is not None:
        chosen = next((w for w in listed.waiting if w.request.pk == request_id), None)
        if chosen is None:
            raise ValidationError(_("This request is no longer waiting."), code="state")
    else:
        chosen = listed.waiting[0] if listed.waiting else None
    if chosen is None:
        _bump(hall)
        return None
    request = chosen.request
    request.state = State.SPEAKING
    request.started_at = now
    request.allowed_seconds = chosen.allowed_seconds
    request.save(update_fields=["state", "started_at", "allowed_seconds"])
    _bump(hall)
    return request


def _speaking_locked(congress: Congress, request_id: int) -> tuple[Hall, SpeakerRequest]:
    hall, request = _request_locked(request_id, congress.pk)
    if request.state != State.SPEAKING:
        raise ValidationError(
            _("%(name)s is no longer speaking. The console now shows the list as it is.") % {"name": request.name},
            code="conflict",
        )
    return hall, request


@transaction.atomic
def speech_end(*, congress: Congress, request_id: int, user: AbstractBaseUser) -> SpeakerRequest:
    hall, request = _speaking_locked(congress, request_id)
    _close_speech(request, timezone.now())
    _bump(hall)
    return request


@transaction.atomic
def speech_pause(*, congress: Congress, request_id: int, user: AbstractBaseUser) -> SpeakerRequest:
    hall, request = _speaking_locked(congress, request_id)
    if request.paused_since is not None:
        raise ValidationError(_("The clock is already paused."), code="conflict")
    request.paused_since = timezone.now()
    request.save(update_fields=["paused_since"])
    _bump(hall)
    return request


@transaction.atomic
def speech_resume(*, congress: Congress, request_id: int, user: AbstractBaseUser) -> SpeakerRequest:
    hall, request = _speaking_locked(congress, request_id)
    if request.paused_since is None:
        raise ValidationError(_("The clock is already running."), code="conflict")
    clock = request.clock().resumed(timezone.now())
    request.paused_seconds, request.paused_since = clock.paused_seconds, None
    request.save(update_fields=["paused_seconds", "paused_since"])
    _bump(hall)
    return request


@transaction.atomic
def speakers_list_close(*, item: AgendaItem, user: AbstractBaseUser) -> SpeakersList:
    """Close the list (strek): no new speeches; replies as the rules say."""
    hall = _hall_locked(item.congress_id)
    item = _item_of(hall, item.pk)
    speakers_list, _created = SpeakersList.objects.select_for_update().get_or_create(item=item)
    if speakers_list.closed_at is not None:
        raise ValidationError(
            _("The list was already closed at %(time)s.")
            % {"time": time_format(timezone.localtime(speakers_list.closed_at), "H:i")},
            code="conflict",
        )
    speakers_list.closed_at = timezone.now()
    speakers_list.closed_by = user
    speakers_list.save(update_fields=["closed_at", "closed_by"])
    _bump(hall)
    return speakers_list


@transaction.atomic
def speakers_list_reopen(*, item: AgendaItem, user: AbstractBaseUser) -> SpeakersList:
    hall = _hall_locked(item.congress_id)
    item = _item_of(hall, item.pk)
    speakers_list, _created = SpeakersList.objects.select_for_update().get_or_create(item=item)
    if speakers_list.closed_at is None:
        raise ValidationError(_("The list is already open."), code="conflict")
    speakers_list.closed_at = None
    speakers_list.closed_by = None
    speakers_list.save(update_fields=["closed_at", "closed_by"])
    _bump(hall)
    return speakers_list


def hall_touch(*, congress_id: int) -> None:
    """Something the screens show changed outside the hall's actions (the rules of procedure, an item's own times or
    title, edited in the admin): bump the version, so every screen and phone fetches the document again."""
    Hall.objects.filter(congress_id=congress_id).update(version=F("version") + 1, changed_at=timezone.now())


def hall_touch_after_save(sender, instance, **kwargs) -> None:
    """``post_save`` of ``Procedure``, ``ItemProcedure`` and ``AgendaItem`` (connected in ``plenary.apps``)."""
    if isinstance(instance, ItemProcedure):
        congress_id = AgendaItem.objects.filter(pk=instance.item_id).values_list("congress_id", flat=True).first()
    else:
        congress_id = instance.congress_id
    if congress_id is not None:
        transaction.on_commit(lambda: hall_touch(congress_id=congress_id))
