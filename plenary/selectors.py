"""Reads of the plenary: the rules that apply to an item, who may ask for the floor, and the list of speakers as the
chair, the hall screen and one delegate see it."""

import dataclasses
import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import AgendaItem, Congress
from delegates.checkin import with_latest_attendance
from delegates.models import Attendance, Participant
from plenary import queue
from plenary.models import Hall, ItemProcedure, Officer, Procedure, SpeakerRequest, SpeakersList

#: Who may ask for the floor on their own: the delegates (and the deputies standing in for them, who hold the seat)
#: and the members of the hovedstyre. Anyone else speaks when the chair gives them the floor (the desk adds them).
SPEAKING_ROLES = (*Participant.VOTING_ROLES, Participant.Role.BOARD_MEMBER)


def procedure(congress: Congress) -> Procedure:
    """The congress's rules of procedure: the ones staff saved, or the defaults."""
    try:
        return congress.procedure
    except Procedure.DoesNotExist:
        return Procedure(congress=congress)


def item_procedure(item: AgendaItem) -> ItemProcedure:
    try:
        return item.plenary_procedure
    except ItemProcedure.DoesNotExist:
        return ItemProcedure(item=item)


def rules_for(item: AgendaItem) -> queue.Rules:
    """The rules of the congress with the item's own times: its speeches' time (or none), its introduction's."""
    rules = procedure(item.congress).rules()
    own = item_procedure(item)
    if own.speech_time == ItemProcedure.SpeechTime.UNLIMITED:
        rules = dataclasses.replace(rules, first_speech_seconds=None, second_speech_seconds=None)
    elif own.speech_time == ItemProcedure.SpeechTime.OWN and own.speech_seconds:
        rules = dataclasses.replace(rules, first_speech_seconds=own.speech_seconds)
    return dataclasses.replace(rules, introduction_seconds=own.introduction_seconds)


def hall_of(congress: Congress) -> Hall:
    """The hall's state; a congress whose hall has not been used yet has version 0 and no item."""
    return Hall.objects.select_related("current_item").filter(congress=congress).first() or Hall(congress=congress)


def hall_version(congress_id: int) -> int:
    """One indexed read: what every screen compares with the version it shows."""
    return Hall.objects.filter(congress_id=congress_id).values_list("version", flat=True).first() or 0


def speakers_list_of(item: AgendaItem) -> SpeakersList:
    return SpeakersList.objects.filter(item=item).first() or SpeakersList(item=item)


def is_checked_in(participant: Participant) -> bool:
    latest = participant.attendance.order_by("-at", "-pk").values_list("direction", flat=True).first()
    return latest == Attendance.Direction.IN


def floor_refusal(participant: Participant) -> str | None:
    """Why ``participant`` may not ask for the floor on their own, in words; ``None`` when they may."""
    if participant.status != Participant.Status.ACTIVE:
        return _("You have withdrawn from the congress.")
    if participant.role not in SPEAKING_ROLES and participant.acting_for_id is None:
        return _(
            "Delegates, the deputies who have taken a seat and the members of the executive board ask for the floor "
            "here. Others speak when the chair gives them the floor: ask at the desk."
        )
    if not is_checked_in(participant):
        return _("You are not checked in at the hall. Show your badge at the check-in desk first.")
    return None


def item_requests(item: AgendaItem) -> list[SpeakerRequest]:
    """Every request of the item, with what the screens show of the speaker, in one query."""
    return list(
        SpeakerRequest.objects.filter(item=item)
        .select_related("participant__organisation", "participant__county")
        .order_by("order", "pk")
    )


@dataclasses.dataclass(frozen=True)
class Waiting:
    position: int
    request: SpeakerRequest
    allowed_seconds: int | None


@dataclasses.dataclass(frozen=True)
class ItemList:
    """The list of one item as the screens show it."""

    item: AgendaItem
    closed: bool
    requests: list[SpeakerRequest]
    speaking: SpeakerRequest | None
    waiting: list[Waiting]
    follow_ups: list[Waiting]  # the replies (and the answer) queued to the speech in turn
    rules: queue.Rules

    @property
    def speech_in_turn(self) -> SpeakerRequest | None:
        in_turn = queue.speech_in_turn([r.as_queue_request() for r in self.requests])
        return next((r for r in self.requests if in_turn and r.pk == in_turn.id), None)


def item_list(item: AgendaItem, *, requests: list[SpeakerRequest] | None = None) -> ItemList:
    requests = item_requests(item) if requests is None else requests
    rules = rules_for(item)
    plain = [r.as_queue_request() for r in requests]
    by_id = {r.pk: r for r in requests}
    order = queue.waiting_order(plain)
    waiting = [
        Waiting(position=number, request=by_id[r.id], allowed_seconds=queue.allowed_seconds(plain, rules, r))
        for number, r in enumerate(order, start=1)
    ]
    in_turn = queue.speech_in_turn(plain)
    follow_ups = [w for w in waiting if in_turn is not None and w.request.answers_id == in_turn.id]
    return ItemList(
        item=item,
        closed=speakers_list_of(item).is_closed,
        requests=requests,
        speaking=next((r for r in requests if r.state == SpeakerRequest.State.SPEAKING), None),
        waiting=waiting,
        follow_ups=follow_ups,
        rules=rules,
    )


def seconds_left(request: SpeakerRequest, now: datetime.datetime | None = None) -> float | None:
    clock = request.clock()
    if clock is None:
        return None
    return clock.left(request.allowed_seconds, now or timezone.now())


def speaker_affiliation(request: SpeakerRequest) -> str:
    """The organisation, or else the county, the speaker comes from."""
    participant = request.participant
    if participant is None:
        return request.speaker_affiliation
    if participant.organisation_id:
        return participant.organisation.name
    return participant.county.name if participant.county_id else ""


@dataclasses.dataclass(frozen=True)
class Floor:
    """What one participant sees on their phone about the item under debate."""

    item: AgendaItem | None
    closed: bool
    own: list[Waiting]  # their waiting requests with their places
    speaking: SpeakerRequest | None  # their request that is being given, if any
    current: SpeakerRequest | None  # whoever speaks now
    refusal: str | None  # why they may not ask at all
    speech_refusal: queue.Refusal | None
    reply_refusal: queue.Refusal | None
    answer_refusal: queue.Refusal | None
    point_of_order_refusal: queue.Refusal | None


def floor_of(participant: Participant) -> Floor:
    hall = hall_of(participant.congress)
    item = hall.current_item
    refusal = floor_refusal(participant)
    if item is None:
        return Floor(None, False, [], None, None, refusal, None, None, None, None)
    listed = item_list(item)
    plain = [r.as_queue_request() for r in listed.requests]

    def why_not(kind: queue.Kind) -> queue.Refusal | None:
        return queue.refusal(plain, listed.rules, speaker=participant.pk, kind=kind, list_closed=listed.closed)

    return Floor(
        item=item,
        closed=listed.closed,
        own=[w for w in listed.waiting if w.request.participant_id == participant.pk],
        speaking=listed.speaking if listed.speaking and listed.speaking.participant_id == participant.pk else None,
        current=listed.speaking,
        refusal=refusal,
        speech_refusal=why_not(queue.Kind.SPEECH),
        reply_refusal=why_not(queue.Kind.REPLY),
        answer_refusal=why_not(queue.Kind.ANSWER),
        point_of_order_refusal=why_not(queue.Kind.POINT_OF_ORDER),
    )


def possible_speakers(*, congress: Congress, query: str, limit: int = 15) -> list[Participant]:
    """The desk's search: by participant number, or by words of the name, active participants only."""
    participants = Participant.objects.filter(congress=congress, status=Participant.Status.ACTIVE).select_related(
        "organisation", "county"
    )
    text = query.strip().lstrip("#").strip()
    if text.lower().startswith("nr"):
        text = text[2:].strip(" .")
    if text.isdigit():
        return list(participants.filter(number=int(text))[:limit])
    for word in text.split()[:4]:
        participants = participants.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return list(with_latest_attendance(participants).order_by("last_name", "first_name")[:limit]) if text else []


def officers(congress: Congress) -> QuerySet[Officer]:
    return Officer.objects.filter(congress=congress).select_related("participant__organisation")
