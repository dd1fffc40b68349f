"""The plenary's demo for ``seed_demo`` (listening to ``delegates.demo.demo_seeded`` and ``demo_resetting``, like the
committees and elections apps).

Landstinget 2024 is over: it has its rules of procedure, its chairs (dirigenter) and protocol signers, the leader's
speech (no time limit) and the general political debate as it was held on the afternoon of 13 February: some 40
speeches by delegates of every county, with replies, answers and one point of order, the list closed (strek) on the
way. The rows are written directly, with past times; the order and the times follow ``plenary.queue`` as the services
would have applied it (the debate is played through the pure module, request by request), so nobody speaks a third
time, no speech gets more replies than allowed, and a point of order goes first.

In the extraordinary demo congress the general debate is before the hall with its list open and two requests
waiting, and the delegates are checked in, so that a delegate's personal link can ask for the floor at once.
"""

import dataclasses
import datetime
import heapq
import random
import zoneinfo

from django.db.models import F
from django.utils import timezone

from agenda.models import AgendaItem, Congress, Event
from delegates.models import Attendance, Participant
from plenary import queue, selectors
from plenary.models import Hall, ItemProcedure, Officer, Procedure, SpeakerRequest, SpeakersList

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
Kind = queue.Kind
State = queue.State

#: The rules of procedure of the demo congresses (the usual ones of a Landsting).
DEMO_PROCEDURE = {
    "first_speech_seconds": 300,
    "second_speech_seconds": 180,
    "reply_seconds": 60,
    "answer_seconds": 60,
    "point_of_order_seconds": 60,
    "replies_per_speech": 2,
    "speeches_per_person": 2,
    "replies_after_close": True,
}
#: The agenda items with times of their own (by kind): the leader's speech has no limit, the political document
#: opens with the rapporteur's introduction, and the general debate, with many on the list, has two minutes a speech.
DEMO_ITEM_PROCEDURES = {
    AgendaItem.Kind.LEADER_SPEECH: {"speech_time": ItemProcedure.SpeechTime.UNLIMITED},
    AgendaItem.Kind.POLITICAL_DOCUMENT: {"introduction_seconds": 20 * 60},
    AgendaItem.Kind.GENERAL_DEBATE: {"speech_time": ItemProcedure.SpeechTime.OWN, "speech_seconds": 120},
}

LEADER_NAME = "Leder av KS (demo)"
LEADER_AFFILIATION = "KS"

SPEECHES = 40  # given in the general debate of 2024 (fewer if they would not fit in the session)
SPEECHES_WITH_TWO_REPLIES = 3
SPEECHES_WITH_ONE_REPLY = 5
ANSWERS = 4
DESK_SHARE = 0.15  # the speeches the desk added (no phone); the rest asked on their phones


def _oslo(day: int, hour: int, minute: int, second: int = 0) -> datetime.datetime:
    return datetime.datetime(2024, 2, day, hour, minute, second, tzinfo=OSLO)


def reset(sender=None, *, congresses: list[Congress], **kwargs) -> None:
    """The requests and officers refer to participants who are about to be replaced."""
    SpeakerRequest.objects.filter(item__congress__in=congresses).delete()
    SpeakersList.objects.filter(item__congress__in=congresses).delete()
    Officer.objects.filter(congress__in=congresses).delete()
    # The hall stays (its screen links keep working); its version only grows, so no screen keeps an old state.
    Hall.objects.filter(congress__in=congresses).update(
        current_item=None, version=F("version") + 1, changed_at=timezone.now()
    )


def seed(sender=None, *, congresses: list[Congress], user, **kwargs) -> None:
    for congress in congresses:
        reset(congresses=[congress])
        Procedure.objects.update_or_create(congress=congress, defaults=DEMO_PROCEDURE)
        if congress.last_day < timezone.localdate():
            _seed_concluded(congress=congress, user=user)
        else:
            _seed_upcoming(congress=congress, user=user)


def _delegates(congress: Congress) -> list[Participant]:
    return list(
        Participant.objects.filter(
            congress=congress, status=Participant.Status.ACTIVE, role__in=selectors.SPEAKING_ROLES
        )
        .select_related("organisation", "county")
        .order_by("pk")
    )


def _bump_hall(congress: Congress, *, item: AgendaItem | None) -> None:
    Hall.objects.get_or_create(congress=congress)
    Hall.objects.filter(congress=congress).update(
        current_item=item, version=F("version") + 1, changed_at=timezone.now()
    )


# --- Landstinget 2024: the debate as it was held --------------------------------------------------------------


def _seed_concluded(*, congress: Congress, user) -> None:
    items = {item.kind: item for item in AgendaItem.objects.filter(congress=congress).order_by("-number")}
    for kind, own in DEMO_ITEM_PROCEDURES.items():
        if kind in items:
            ItemProcedure.objects.update_or_create(item=items[kind], defaults=own)
    _bump_hall(congress, item=None)
    delegates = _delegates(congress)
    if len(delegates) < 60:
        return
    rng = random.Random(f"plenary-{congress.year}")  # noqa: S311 - demo data, not security
    officers = _officers(congress, delegates, rng)
    pool = [p for p in delegates if p.pk not in officers]
    if AgendaItem.Kind.LEADER_SPEECH in items:
        _leader_speech(items[AgendaItem.Kind.LEADER_SPEECH], user)
    debate = items.get(AgendaItem.Kind.GENERAL_DEBATE)
    if debate is None:
        return
    session = Event.objects.filter(pk=debate.session_id).first()
    ends = session.ends_at if session else _oslo(13, 17, 30)
    start = _oslo(13, 16, 11)
    strek = _oslo(13, 16, 48)
    rules = selectors.rules_for(debate)
    for count in range(SPEECHES, 20, -1):
        played = _play_debate(rules=rules, pool=pool, speeches=count, start=start, strek=strek, seed=congress.year)
        if max(r.ended_at for r in played if r.ended_at) <= ends - datetime.timedelta(minutes=1):
            break
    _write(debate, played, user=user)
    SpeakersList.objects.update_or_create(item=debate, defaults={"closed_at": strek, "closed_by": user})
    _check_in(congress, {r.participant.pk: r.participant for r in played}.values(), at=_oslo(13, 8, 30), user=user)


def _officers(congress: Congress, delegates: list[Participant], rng: random.Random) -> set[int]:
    """Two chairs, experienced mayors of two counties (a woman and a man), and two protocol signers of two others."""
    mayors = [p for p in delegates if p.position == "ordfører" and p.county_id and p.organisation_id]
    rng.shuffle(mayors)
    others = [p for p in delegates if p.county_id and p.organisation_id]
    rng.shuffle(others)
    chosen: list[Participant] = []
    for role, candidates, genders in [
        (Officer.Role.CHAIR, mayors, (Participant.Gender.FEMALE, Participant.Gender.MALE)),
        (Officer.Role.PROTOCOL_SIGNER, others, (Participant.Gender.MALE, Participant.Gender.FEMALE)),
    ]:
        for order, gender in enumerate(genders, start=1):
            counties = {person.county_id for person in chosen}
            person = next((p for p in candidates if p.gender == gender and p.county_id not in counties), None)
            if person is None:
                continue
            chosen.append(person)
            Officer.objects.create(
                congress=congress,
                role=role,
                participant=person,
                title=f"{person.position} i {person.organisation.name}",
                order=order,
            )
    return {person.pk for person in chosen}


def _leader_speech(item: AgendaItem, user) -> None:
    """The leader's speech: no time limit (the item's own rule), given from the rostrum after the constitution."""
    SpeakersList.objects.update_or_create(item=item, defaults={"closed_at": None, "closed_by": None})
    SpeakerRequest.objects.create(
        item=item,
        speaker_name=LEADER_NAME,
        speaker_affiliation=LEADER_AFFILIATION,
        kind=Kind.SPEECH,
        state=State.DONE,
        order=1,
        asked_at=_oslo(13, 15, 44),
        added_by=user,
        allowed_seconds=None,
        started_at=_oslo(13, 15, 46, 10),
        ended_at=_oslo(13, 16, 8, 40),
    )


@dataclasses.dataclass
class _Played:
    """One request of the simulated debate."""

    id: int
    participant: Participant
    kind: Kind
    asked_at: datetime.datetime
    order: int
    answers: int | None = None
    state: State = State.WAITING
    by_desk: bool = False
    allowed: int | None = None
    started_at: datetime.datetime | None = None
    ended_at: datetime.datetime | None = None

    def plain(self) -> queue.Request:
        return queue.Request(
            id=self.id, speaker=self.participant.pk, kind=self.kind, state=self.state, asked=self.order,
            answers=self.answers,
        )  # fmt: skip


def _speakers(pool: list[Participant], count: int, rng: random.Random) -> list[Participant]:
    """``count`` delegates of every county and Samfunnsbedriftene in turn, women and men alternately."""
    groups: dict[str, list[Participant]] = {}
    for person in pool:
        groups.setdefault(person.county.number if person.county_id else "SB", []).append(person)
    for group in groups.values():
        rng.shuffle(group)
    keys = sorted(groups)
    rng.shuffle(keys)
    chosen: list[Participant] = []
    gender = Participant.Gender.FEMALE
    while len(chosen) < count and any(groups.values()):
        for key in keys:
            group = groups[key]
            if not group or len(chosen) >= count:
                continue
            person = next((p for p in group if p.gender == gender), group[0])
            group.remove(person)
            chosen.append(person)
            gender = Participant.Gender.MALE if gender == Participant.Gender.FEMALE else Participant.Gender.FEMALE
    return chosen


def _duration(kind: Kind, allowed: int | None, rng: random.Random) -> float:
    """Most keep within their time, a few run over (shown in red, never cut off)."""
    if allowed is None:
        return rng.uniform(600, 1200)
    if kind == Kind.SPEECH:
        if rng.random() < 0.12:
            return allowed + rng.uniform(6, 35)
        return allowed * rng.uniform(0.55, 0.98)
    if kind == Kind.POINT_OF_ORDER:
        return rng.uniform(25, 45)
    if rng.random() < 0.1:
        return allowed + rng.uniform(3, 15)
    return allowed * rng.uniform(0.6, 0.97)


def _play_debate(
    *,
    rules: queue.Rules,
    pool: list[Participant],
    speeches: int,
    start: datetime.datetime,
    strek: datetime.datetime,
    seed: int,
) -> list[_Played]:
    """The general debate played through ``plenary.queue``: every request is checked against the rules when it is
    asked, and the next speaker is always the first of the waiting order."""
    rng = random.Random(f"plenary-debate-{seed}")  # noqa: S311 - demo data, not security
    speakers = _speakers(pool, speeches + 1, rng)  # one more, who withdraws
    repliers = [p for p in pool if p not in speakers[: speeches // 2]]
    second = datetime.timedelta(seconds=1)

    # The speeches asked for: most before the debate opens (during the leader's speech), the rest until the strek.
    opens = start - datetime.timedelta(minutes=24)
    early = round(speeches * 0.55)
    times = sorted(opens + rng.uniform(0, (start - opens).total_seconds()) * second for _ in range(early))
    times += sorted(
        start + rng.uniform(0, (strek - start).total_seconds() - 30) * second for _ in range(len(speakers) - early)
    )
    events: list[tuple[datetime.datetime, int, tuple]] = []
    sequence = 0

    def plan(at: datetime.datetime, action: tuple) -> None:
        nonlocal sequence
        sequence += 1
        heapq.heappush(events, (at, sequence, action))

    for at, person in zip(times, speakers, strict=True):
        plan(at, ("ask", person, Kind.SPEECH, None, rng.random() < DESK_SHARE))
    withdrawing = speakers[early + 3]  # asks after the debate has opened, withdraws before their turn
    # Which speeches (by the order they are given) get replies, and the one during which a point of order is asked.
    numbers = list(range(2, speeches - 1))
    rng.shuffle(numbers)
    two = set(numbers[:SPEECHES_WITH_TWO_REPLIES])
    one = set(numbers[SPEECHES_WITH_TWO_REPLIES : SPEECHES_WITH_TWO_REPLIES + SPEECHES_WITH_ONE_REPLY])
    answered = set(rng.sample(sorted(two | one), ANSWERS))
    point_of_order_at = numbers[SPEECHES_WITH_TWO_REPLIES + SPEECHES_WITH_ONE_REPLY]

    played: list[_Played] = []
    now = start
    given = 0

    def plain() -> list[queue.Request]:
        return [r.plain() for r in played]

    def ask(at: datetime.datetime, person: Participant, kind: Kind, by_desk: bool) -> _Played | None:
        requests = plain()
        if queue.refusal(requests, rules, speaker=person.pk, kind=kind, list_closed=at >= strek) is not None:
            return None
        in_turn = queue.speech_in_turn(requests) if kind in (Kind.REPLY, Kind.ANSWER) else None
        request = _Played(
            id=len(played) + 1,
            participant=person,
            kind=kind,
            asked_at=at,
            order=len(played) + 1,
            answers=in_turn.id if in_turn else None,
            by_desk=by_desk,
        )
        played.append(request)
        return request

    def happen(until: datetime.datetime) -> None:
        while events and events[0][0] <= until:
            at, _sequence, action = heapq.heappop(events)
            if action[0] == "ask":
                ask(at, action[1], action[2], action[4])
            elif action[0] == "withdraw":
                request = next((r for r in played if r.participant == action[1] and r.kind == Kind.SPEECH), None)
                if request is not None and request.state == State.WAITING:
                    request.state = State.WITHDRAWN

    withdraw_planned = False
    while True:
        happen(now)
        if not withdraw_planned and any(r.participant == withdrawing for r in played):
            plan(now + datetime.timedelta(minutes=rng.uniform(4, 8)), ("withdraw", withdrawing))
            withdraw_planned = True
        order = queue.waiting_order(plain())
        if not order:
            if not events:
                break
            now = max(now, events[0][0])
            continue
        request = next(r for r in played if r.id == order[0].id)
        request.allowed = queue.allowed_seconds(plain(), rules, order[0])
        request.state, request.started_at = State.SPEAKING, now
        spoken = round(_duration(request.kind, request.allowed, rng))
        end = now + spoken * second
        if request.kind == Kind.SPEECH:
            given += 1
            replies = 2 if given in two else 1 if given in one else 0
            candidates = [p for p in repliers if p != request.participant]
            for index, person in enumerate(rng.sample(candidates, replies)):
                plan(now + (15 + index * 20 + rng.uniform(0, 10)) * second, ("ask", person, Kind.REPLY, None, False))
            if replies and given in answered:
                plan(end - 2 * second, ("ask", request.participant, Kind.ANSWER, None, False))
            if given == point_of_order_at:
                person = rng.choice([p for p in repliers if p != request.participant])
                plan(now + spoken * 0.6 * second, ("ask", person, Kind.POINT_OF_ORDER, None, False))
        happen(end)
        request.state, request.ended_at = State.DONE, end
        # The chair gives the floor to the next at once; a point of order takes the chair a moment to rule on.
        now = end + (rng.uniform(20, 40) if request.kind == Kind.POINT_OF_ORDER else rng.uniform(1, 4)) * second
    return played


def _write(item: AgendaItem, played: list[_Played], *, user) -> None:
    rows = {}
    for request in sorted(played, key=lambda r: r.order):
        rows[request.id] = SpeakerRequest.objects.create(
            item=item,
            participant=request.participant,
            kind=request.kind.value,
            state=request.state.value,
            order=request.order,
            answers=rows[request.answers] if request.answers else None,
            asked_at=request.asked_at,
            added_by=user if request.by_desk else None,
            allowed_seconds=request.allowed,
            started_at=request.started_at,
            ended_at=request.ended_at,
        )


def _check_in(congress: Congress, people, *, at: datetime.datetime, user) -> None:
    """Those who spoke were in the hall: anyone without a check-in yet is checked in at ``at``."""
    present = set(Attendance.objects.filter(participant__congress=congress).values_list("participant_id", flat=True))
    Attendance.objects.bulk_create(
        Attendance(participant=person, direction=Attendance.Direction.IN, at=at, recorded_by=user)
        for person in people
        if person.pk not in present
    )


# --- The extraordinary congress: a debate open for requests -----------------------------------------------------

UPCOMING_AGENDA = [
    (AgendaItem.Kind.CONSTITUTION, "Konstituering", "Constitution of the meeting", "Leder", (10, 0), 15),
    (AgendaItem.Kind.GENERAL_DEBATE, "Generell politisk debatt", "General political debate", "Dirigent", (10, 15), 60),
]


def _seed_upcoming(*, congress: Congress, user) -> None:
    debate = _upcoming_debate(congress)
    SpeakersList.objects.update_or_create(item=debate, defaults={"closed_at": None, "closed_by": None})
    delegates = [p for p in _delegates(congress) if p.role in Participant.VOTING_ROLES]
    # The delegates are in the hall, so that any delegate's personal link can ask for the floor (and vote) at once.
    _check_in(congress, delegates, at=timezone.now(), user=user)
    now = timezone.now()
    for order, person in enumerate(delegates[-2:], start=1):
        SpeakerRequest.objects.create(
            item=debate,
            participant=person,
            kind=Kind.SPEECH.value,
            state=State.WAITING.value,
            order=order,
            asked_at=now - datetime.timedelta(minutes=3 - order),
        )
    _bump_hall(congress, item=debate)


def _upcoming_debate(congress: Congress) -> AgendaItem:
    """The congress's general debate; a short agenda (constitution, general debate) when it has none yet."""
    debate = AgendaItem.objects.filter(congress=congress, kind=AgendaItem.Kind.GENERAL_DEBATE).first()
    if debate is not None:
        return debate
    session = Event.objects.filter(congress=congress, kind=Event.Kind.LANDSTING_SESSION).order_by("starts_at").first()
    day = timezone.localtime(session.starts_at, OSLO).date() if session else congress.first_day
    highest = max(AgendaItem.objects.filter(congress=congress).values_list("number", flat=True), default=0)
    for number, (kind, title, title_en, rapporteur, (hour, minute), minutes) in enumerate(UPCOMING_AGENDA, start=1):
        debate = AgendaItem.objects.create(
            congress=congress,
            number=highest + number,
            kind=kind,
            title=title,
            title_en=title_en,
            session=session,
            rapporteur=rapporteur,
            planned_start=datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=OSLO),
            planned_minutes=minutes,
        )
    return debate
