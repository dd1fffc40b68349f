"""Reads of the plenary: the rules that apply to an item, who may ask for the floor, and the list of speakers as the
chair, the hall screen and one delegate see it."""

import dataclasses
import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agenda.models import AgendaItem, Congress
from delegates.checkin import with_latest_attendance
from delegates.models import Attendance, Participant
from plenary import queue
from plenary.models import Hall, ItemProcedure, Officer, Procedure, SpeakerRequest, SpeakersList
from plenary.queue_messages import refusal_message

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
        # A second speech never gets longer than the item's first.
        second = min(rules.second_speech_seconds or own.speech_seconds, own.speech_seconds)
        rules = dataclasses.replace(rules, first_speech_seconds=own.speech_seconds, second_speech_seconds=second)
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


def floor_refusal_of(*, status: str, role: str, acting_for_id: int | None, checked_in: bool) -> str | None:
    """Why a participant with these facts may not ask for the floor on their own, in words; ``None`` when they may."""
    if status != Participant.Status.ACTIVE:
        return _("You have withdrawn from the congress.")
    if role not in SPEAKING_ROLES and acting_for_id is None:
        return _(
            "Delegates, the deputies who have taken a seat and the members of the executive board ask for the floor "
            "here. Others speak when the chair gives them the floor: ask at the desk."
        )
    if not checked_in:
        return _("You are not checked in at the hall. Show your badge at the check-in desk first.")
    return None


def floor_refusal(participant: Participant) -> str | None:
    """Why ``participant`` may not ask for the floor on their own, in words; ``None`` when they may."""
    return floor_refusal_of(
        status=participant.status,
        role=participant.role,
        acting_for_id=participant.acting_for_id,
        # Asked only when the rest allows: a guest's phone costs no query for it.
        checked_in=participant.status == Participant.Status.ACTIVE
        and (participant.role in SPEAKING_ROLES or participant.acting_for_id is not None)
        and is_checked_in(participant),
    )


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


# --- The live state documents ----------------------------------------------------------------------------------
# What the console, the hall screen, the lower third and the phones fetch (§7 of docs/DESIGN.md). Times are
# milliseconds since the epoch, so a browser can run the clock from the server's time: it measures the difference
# between ``server_time`` and its own clock once per document and never trusts its own clock otherwise.


def translation_language() -> str:
    return (get_language() or "nb").split("-")[0]


def _ms(moment: datetime.datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def _speaker_entry(request: SpeakerRequest, *, position: int | None = None) -> dict:
    participant = request.participant
    return {
        "id": request.pk,
        "position": position,
        "name": request.name,
        "affiliation": speaker_affiliation(request),
        "county": participant.county.name if participant and participant.county_id else "",
        "party": participant.party if participant else "",
        "number": getattr(participant, "number", None) if participant else None,
        "kind": request.kind,
        "kind_label": str(request.get_kind_display()),
        "answers": request.answers_id,
    }


def _clock_entry(request: SpeakerRequest) -> dict:
    return {
        **_speaker_entry(request),
        "started_at": _ms(request.started_at),
        "paused_seconds": request.paused_seconds,
        "paused_since": _ms(request.paused_since),
        "allowed_seconds": request.allowed_seconds,
    }


def hall_document(congress: Congress, *, now: datetime.datetime | None = None) -> dict:
    """The hall's state as the console, the hall screen and the lower third show it: the item, who speaks with the
    clock's facts, every waiting request in order, the replies queued to the speech in turn, the list open or
    closed. A few queries, whatever the length of the list."""
    hall = hall_of(congress)
    document = {
        "version": hall.version,
        "server_time": _ms(now or timezone.now()),
        "congress": congress.pk,
        "item": None,
        "closed": False,
        "speaking": None,
        "waiting": [],
        "follow_ups": [],
    }
    item = hall.current_item
    if item is None:
        return document
    listed = item_list(item)
    document.update(
        item={"id": item.pk, "number": item.number, "title": item.title_in(translation_language())},
        closed=listed.closed,
        speaking=_clock_entry(listed.speaking) if listed.speaking else None,
        waiting=[_speaker_entry(w.request, position=w.position) for w in listed.waiting],
        follow_ups=[w.request.pk for w in listed.follow_ups],
    )
    return document


@dataclasses.dataclass(frozen=True)
class SpeakerFacts:
    """What of one participant their phone's document depends on, with the hall's version: read in one query by
    ``speaker_facts`` (or by the phone's hot path, ``plenary.portal.floor_state``)."""

    participant_id: int
    congress_id: int
    status: str
    role: str
    acting_for_id: int | None
    language: str
    checked_in: bool
    version: int
    hall_changed_at: datetime.datetime | None

    @classmethod
    def of_row(cls, row: tuple) -> "SpeakerFacts":
        """From (participant, congress, status, role, acting for, language, the latest attendance's direction, the
        hall's version, the hall's change): the hall's change as the database gives it, only a part of a key."""
        participant_id, congress_id, status, role, acting_for_id, language, direction, version, changed_at = row
        return cls(
            participant_id=participant_id,
            congress_id=congress_id,
            status=status,
            role=role,
            acting_for_id=acting_for_id,
            language=language,
            checked_in=direction == Attendance.Direction.IN,
            version=version or 0,
            hall_changed_at=changed_at,
        )

    @property
    def tag(self) -> str:
        """The version of the phone's document: the hall's version follows the list; the participant's own facts
        (checked in, status, role, seat, language) change the buttons or the words."""
        facts = (self.version, int(self.checked_in), self.status, self.role, self.acting_for_id, self.language)
        return "-".join(str(part) for part in facts)


def speaker_facts(participant: Participant) -> SpeakerFacts:
    from django.db.models import OuterRef, Subquery

    hall = Hall.objects.filter(congress_id=OuterRef("congress_id"))
    latest = Attendance.objects.filter(participant_id=OuterRef("pk")).order_by("-at", "-pk").values("direction")[:1]
    row = (
        Participant.objects.filter(pk=participant.pk)
        .annotate(
            hall_version=Subquery(hall.values("version")[:1]),
            hall_changed_at=Subquery(hall.values("changed_at")[:1]),
            latest_direction=Subquery(latest),
        )
        .values_list(
            "congress_id",
            "status",
            "role",
            "acting_for_id",
            "language",
            "latest_direction",
            "hall_version",
            "hall_changed_at",
        )
        .get()
    )
    return SpeakerFacts.of_row((participant.pk, *row))


@dataclasses.dataclass(frozen=True)
class HallSnapshot:
    """The part of the phones' document that every participant of the congress shares, for one version of the hall
    in one language: the item, whether the list is closed, who speaks, and the list as plain data for the rules."""

    item: dict | None
    closed: bool
    current: dict | None
    current_speaker: int | None  # the speaker's number in ``requests`` (``queue.Request.speaker``)
    requests: tuple[queue.Request, ...]
    waiting: tuple[tuple[queue.Request, int, str], ...]  # (request, place, the kind in words)
    rules: queue.Rules


def hall_snapshot(congress: Congress) -> HallSnapshot:
    hall = hall_of(congress)
    item = hall.current_item
    if item is None:
        return HallSnapshot(None, False, None, None, (), (), queue.Rules())
    listed = item_list(item)
    speaking = listed.speaking
    return HallSnapshot(
        item={"id": item.pk, "number": item.number, "title": item.title_in(translation_language())},
        closed=listed.closed,
        current=_clock_entry(speaking) if speaking else None,
        current_speaker=speaking.as_queue_request().speaker if speaking else None,
        requests=tuple(r.as_queue_request() for r in listed.requests),
        waiting=tuple(
            (w.request.as_queue_request(), w.position, str(w.request.get_kind_display())) for w in listed.waiting
        ),
        rules=listed.rules,
    )


def phone_document_of(facts: SpeakerFacts, snapshot: HallSnapshot, *, now: datetime.datetime | None = None) -> dict:
    """The phone's document from the participant's facts and the hall's shared part: no query."""
    me = facts.participant_id
    refusal = floor_refusal_of(
        status=facts.status, role=facts.role, acting_for_id=facts.acting_for_id, checked_in=facts.checked_in
    )

    def may(kind: queue.Kind) -> dict:
        if refusal:
            return {"allowed": False, "why": refusal}
        if snapshot.item is None:
            problem = queue.Refusal.NO_SPEECH_TO_REPLY_TO if kind in (queue.Kind.REPLY, queue.Kind.ANSWER) else None
        else:
            problem = queue.refusal(
                snapshot.requests, snapshot.rules, speaker=me, kind=kind, list_closed=snapshot.closed
            )
        if problem is not None:
            return {"allowed": False, "why": refusal_message(problem, snapshot.rules)}
        return {"allowed": True, "why": ""}

    return {
        "version": facts.tag,
        "server_time": _ms(now or timezone.now()),
        "item": snapshot.item,
        "closed": snapshot.closed,
        "current": snapshot.current,
        "speaking_own": snapshot.current is not None and snapshot.current_speaker == me,
        "own": [
            {"id": request.id, "position": place, "kind": request.kind.value, "kind_label": label}
            for request, place, label in snapshot.waiting
            if request.speaker == me
        ],
        "may": {kind.value: may(kind) for kind in ASKABLE_KINDS},
    }


#: What a phone may ask for.
ASKABLE_KINDS = (queue.Kind.SPEECH, queue.Kind.REPLY, queue.Kind.ANSWER, queue.Kind.POINT_OF_ORDER)


def phone_document(participant: Participant, *, now: datetime.datetime | None = None) -> dict:
    """What one participant's phone shows: the item, who speaks, their own places, and what they may ask now (or why
    not, in words); ``version`` is the document's tag."""
    return phone_document_of(speaker_facts(participant), hall_snapshot(participant.congress), now=now)


def console_document(congress: Congress, *, now: datetime.datetime | None = None) -> dict:
    """The hall document (:func:`hall_document`) with what the chair's console shows besides: each waiting request's
    speaking time (``allowed_seconds``), the withdrawn requests of the item (to put back), and when the list was
    closed. The same few queries, whatever the length of the list."""
    hall = hall_of(congress)
    document = {
        "version": hall.version,
        "server_time": _ms(now or timezone.now()),
        "congress": congress.pk,
        "item": None,
        "closed": False,
        "closed_at": None,
        "speaking": None,
        "waiting": [],
        "follow_ups": [],
        "withdrawn": [],
    }
    item = hall.current_item
    if item is None:
        return document
    listed = item_list(item)
    closed_at = SpeakersList.objects.filter(item=item).values_list("closed_at", flat=True).first()
    document.update(
        item={"id": item.pk, "number": item.number, "title": item.title_in(translation_language())},
        closed=listed.closed,
        closed_at=_ms(closed_at),
        speaking=_clock_entry(listed.speaking) if listed.speaking else None,
        waiting=[
            {**_speaker_entry(w.request, position=w.position), "allowed_seconds": w.allowed_seconds}
            for w in listed.waiting
        ],
        follow_ups=[w.request.pk for w in listed.follow_ups],
        withdrawn=[_speaker_entry(r) for r in listed.requests if r.state == SpeakerRequest.State.WITHDRAWN],
    )
    return document


# --- Speaking statistics and the minutes (h6) ---------------------------------------------------------------------

GIVEN_STATES = (SpeakerRequest.State.DONE, SpeakerRequest.State.SPEAKING)


@dataclasses.dataclass(frozen=True)
class Speaking:
    """The given requests of a congress (or of one item) as the statistics count them, and the counties' names in
    the order of their numbers (the order of the county table)."""

    speeches: list  # of plenary.statistics.Speech
    county_order: list[str]


def speaking_rows(congress: Congress, *, item: AgendaItem | None = None) -> Speaking:
    """Every request for the floor of ``congress`` (or of ``item``) that has been given or is being given, with the
    speaker's gender, county, party and role: one query."""
    from plenary import statistics

    given = SpeakerRequest.objects.filter(item__congress=congress, state__in=GIVEN_STATES)
    if item is not None:
        given = given.filter(item=item)
    rows = given.order_by("started_at", "pk").values_list(
        "item_id",
        "kind",
        "started_at",
        "ended_at",
        "paused_seconds",
        "paused_since",
        "participant_id",
        "participant__gender",
        "participant__county__name",
        "participant__county__number",
        "participant__party",
        "participant__role",
    )
    speeches = []
    counties: dict[str, int] = {}
    for item_id, kind, started, ended, paused, paused_since, person, gender, county, number, party, role in rows:
        if county:
            counties[county] = number or 0
        speeches.append(
            statistics.Speech(
                item=item_id,
                kind=queue.Kind(kind),
                started=started,
                ended=ended,
                paused_seconds=paused or 0.0,
                paused_since=paused_since,
                # A participant who has not stated a gender is "other or not stated", as everywhere else.
                gender=(gender or Participant.Gender.OTHER) if person else statistics.NOT_STATED,
                county=county or statistics.NOT_STATED,
                party=(party or "").strip() or statistics.NOT_STATED,
                role=role or statistics.NOT_STATED,
            )
        )
    return Speaking(speeches=speeches, county_order=sorted(counties, key=lambda name: (counties[name], name)))


def given_requests(congress: Congress) -> list[SpeakerRequest]:
    """Every request for the floor of ``congress`` that has been given or is being given, in the order they were
    given, with the speaker's organisation and county: one query (the minutes)."""
    return list(
        SpeakerRequest.objects.filter(item__congress=congress, state__in=GIVEN_STATES)
        .select_related("participant__organisation", "participant__county")
        .order_by("started_at", "pk")
    )


def congress_items(congress: Congress) -> list[AgendaItem]:
    """The congress's agenda items in order, with their documents: two queries."""
    return list(AgendaItem.objects.filter(congress=congress).order_by("number").prefetch_related("documents"))


def phone_version(participant: Participant) -> str:
    """The version of ``participant``'s phone document (``SpeakerFacts.tag``), in one query."""
    return speaker_facts(participant).tag


# --- The hall screen and the lower third ---------------------------------------------------------------------------
# Served behind the hall's screen key (``sal/<key>/``, no sign-in) and as a staff page. The state document is the
# hall's (``hall_document``) with the vote the screen shows; its tag is the hall's version, with the vote's state and
# count while the screen shows a vote, so a vote's progress reaches the screen too. See ``vote_on_screen`` for when.

#: ``secrets.token_urlsafe(32)``: 43 characters of the URL-safe alphabet. Anything else is not looked up.
SCREEN_KEY_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclasses.dataclass(frozen=True)
class ScreenHall:
    """The hall as a screen needs it, read in one query: its congress, version and the start of the latest speech."""

    congress: Congress
    version: int
    last_speech_start: datetime.datetime | None


def _screen_halls() -> QuerySet[Hall]:
    from django.db.models import OuterRef, Subquery

    latest = (
        SpeakerRequest.objects.filter(item__congress_id=OuterRef("congress_id"), started_at__isnull=False)
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    return Hall.objects.select_related("congress").annotate(last_speech_start=Subquery(latest))


def _screen_hall(hall: Hall) -> ScreenHall:
    # Putting another item before the hall hands the screen back to the debate as a speech starting does.
    steps = [moment for moment in (hall.last_speech_start, hall.item_set_at) if moment is not None]
    return ScreenHall(congress=hall.congress, version=hall.version, last_speech_start=max(steps, default=None))


def screen_hall_by_key(key: str) -> ScreenHall | None:
    """The hall whose screen key is ``key`` (one query), or None: a key of the wrong shape is not looked up, and the
    key found is compared with ``key`` in constant time."""
    import secrets

    if len(key) != 43 or not set(key) <= SCREEN_KEY_CHARACTERS:
        return None
    hall = _screen_halls().filter(screen_key=key).first()
    if hall is None or not secrets.compare_digest(hall.screen_key.encode(), key.encode()):
        return None
    return _screen_hall(hall)


def screen_hall_of(congress: Congress) -> ScreenHall:
    """The hall of ``congress`` for the staff page (one query); a hall not used yet has version 0."""
    hall = _screen_halls().filter(congress=congress).first()
    if hall is None:
        return ScreenHall(congress=congress, version=0, last_speech_start=None)
    return _screen_hall(hall)


def screen_links(congress: Congress) -> tuple[str, str] | None:
    """The paths of the hall screen and of the lower third behind the hall's screen key (for the console to show and
    to open), or None while the hall has not been used (no item has been put before it: no key yet)."""
    from django.urls import reverse

    key = Hall.objects.filter(congress=congress).values_list("screen_key", flat=True).first()
    if not key:
        return None
    return reverse("plenary_hall:screen", args=[key]), reverse("plenary_hall:lower_third", args=[key])


def vote_on_screen(vote, last_speech_start: datetime.datetime | None) -> bool:
    """Whether the hall screen shows ``vote`` (an ``elections.selectors.HallVote``) instead of the speaker.

    A vote that takes ballots is always shown, with its progress. Once closed it stays (the count being checked, then
    the published result) until the chair gives the floor to someone or puts another item before the hall: a speech
    that starts (or an item set) after the vote's last step (its closing, or its publication) hands the screen back to
    the debate. Publishing a result after that shows it
    again, until the next speech."""
    if vote is None:
        return False
    if vote.poll.takes_ballots:
        return True
    if vote.poll.state not in ("closed", "published"):
        return False
    return last_speech_start is None or vote.last_step is None or vote.last_step > last_speech_start


@dataclasses.dataclass(frozen=True)
class ScreenState:
    hall: ScreenHall
    vote: object  # elections.selectors.HallVote shown on the screen, or None

    @property
    def tag(self) -> str:
        return f"{self.hall.version}-{self.vote.key}" if self.vote is not None else str(self.hall.version)


def screen_state(hall: ScreenHall) -> ScreenState:
    """What the screen's tag depends on: the hall (already read) and the vote (one more query)."""
    from elections.selectors import hall_vote

    vote = hall_vote(hall.congress.pk)
    return ScreenState(hall=hall, vote=vote if vote_on_screen(vote, hall.last_speech_start) else None)


def _vote_entry(vote) -> dict:
    from django.utils.translation import ngettext

    from elections.selectors import hall_vote_result

    poll = vote.poll
    received, eligible = vote.received, vote.eligible
    if received is None:
        progress = ""
    elif eligible is None:  # paper ballots
        progress = ngettext("%(received)d ballot", "%(received)d ballots", received) % {"received": received}
    else:
        progress = ngettext(
            "%(received)d of %(eligible)d vote received", "%(received)d of %(eligible)d votes received", eligible
        ) % {"received": received, "eligible": eligible}
    entry = {
        "poll": poll.pk,
        "title": poll.title,
        "state": poll.state,
        "state_label": _("Voting is open")
        if poll.takes_ballots
        else _("Voting is closed. The result is being checked.")
        if poll.state == "closed"
        else _("Result"),
        "received": received,
        "eligible": eligible,
        "progress": progress,
        "share": round(100 * received / eligible, 1) if received is not None and eligible else None,
        "result": None,
    }
    view = hall_vote_result(vote)
    if view is not None:
        blank = _("Abstentions") if poll.kind == "yes_no" else _("Blank ballots")
        facts = [f"{blank}: {view.blank}"]
        if view.rejected:
            facts.append(f"{_('Rejected ballots')}: {view.rejected}")
        if view.eligible is not None:
            facts.append(_("%(voted)s of %(eligible)s voted") % {"voted": view.voted, "eligible": view.eligible})
        entry["result"] = {
            "outcome": view.outcome,
            "heading": _("Answer") if poll.kind == "yes_no" else _("Candidate"),
            "rows": [
                {
                    "label": row.label,
                    "votes": row.votes,
                    "percent": row.percent,
                    "mark": _("elected") if row.elected else _("to the run-off") if row.runoff else "",
                    "elected": row.elected,
                }
                for row in view.rows
            ],
            "facts": " · ".join(facts),
            "base": " ".join(part for part in (view.base_sentence, view.lot) if part),
        }
    return entry


def screen_document(state: ScreenState, *, now: datetime.datetime | None = None) -> dict:
    """The hall screen's and the lower third's state document: ``hall_document`` with the congress's name and the
    vote the screen shows (in words: its state, progress and published result); ``version`` is the screen's tag."""
    document = hall_document(state.hall.congress, now=now)
    document.update(
        version=state.tag,
        congress_name=str(state.hall.congress),
        vote=_vote_entry(state.vote) if state.vote is not None else None,
    )
    return document
