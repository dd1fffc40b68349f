"""The speakers' list of one agenda item as plain data: who may ask for the floor, in which order they speak, how
long each may speak, and the clock. Pure: no Django, no database; the services load the rows, ask here, and write.

The order follows the rules of procedure (forretningsorden) of the Landsting:

- a point of order (til forretningsorden) goes to the front of the queue, before everything else that waits;
- an introduction (the rapporteur's, added by the chair) opens the debate: it comes next after the points of order,
  receives no replies and does not count as one of the speaker's speeches;
- replies (replikker) belong to the speech they answer: they are asked for while that speech is given, or after it
  until the next speech starts, and they are heard right after it, in the order they were asked, followed by the
  speaker's answer to the replies;
- then the speeches, in the order they were asked for;
- a speech may receive at most ``Rules.replies_per_speech`` replies, and one person may give at most
  ``Rules.speeches_per_person`` speeches on one item (their second and later speeches get the shorter time);
- when the chair closes the list (strek), no new speeches are accepted; replies to speeches already on the list are
  accepted or not as ``Rules.replies_after_close`` says; points of order always are.

A refusal is a code (:class:`Refusal`); the services turn it into words in the user's language.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Iterable, Sequence


class Kind(enum.StrEnum):
    SPEECH = "speech"
    REPLY = "reply"
    ANSWER = "answer"  # the speaker's answer to the replies to their speech
    POINT_OF_ORDER = "point_of_order"
    INTRODUCTION = "introduction"


class State(enum.StrEnum):
    WAITING = "waiting"
    SPEAKING = "speaking"
    DONE = "done"
    WITHDRAWN = "withdrawn"


class Refusal(enum.StrEnum):
    LIST_CLOSED = "list_closed"
    ALREADY_WAITING = "already_waiting"
    SPEECH_LIMIT = "speech_limit"
    NO_SPEECH_TO_REPLY_TO = "no_speech_to_reply_to"
    OWN_SPEECH = "own_speech"
    REPLY_LIMIT = "reply_limit"
    NOT_THE_SPEAKER = "not_the_speaker"
    ANSWER_WITHOUT_REPLIES = "answer_without_replies"


@dataclasses.dataclass(frozen=True)
class Rules:
    """The rules of procedure that decide the list; times in seconds, ``None`` for no limit."""

    first_speech_seconds: int | None = 300
    second_speech_seconds: int | None = 180
    reply_seconds: int | None = 60
    answer_seconds: int | None = 60
    point_of_order_seconds: int | None = 60
    replies_per_speech: int = 2
    speeches_per_person: int = 2
    replies_after_close: bool = True
    introduction_seconds: int | None = None


@dataclasses.dataclass(frozen=True)
class Request:
    """One request for the floor. ``asked`` orders the requests as they came (the row's number); ``answers``: for a
    reply or an answer, the request of the speech it belongs to."""

    id: int
    speaker: int
    kind: Kind
    state: State
    asked: int
    answers: int | None = None


def _open(requests: Iterable[Request]) -> list[Request]:
    return [request for request in requests if request.state in (State.WAITING, State.SPEAKING)]


def speech_in_turn(requests: Sequence[Request]) -> Request | None:
    """The speech whose replies are being asked for or heard: the one speaking, or the last one given while no other
    speech has started since."""
    speeches = [r for r in requests if r.kind == Kind.SPEECH and r.state in (State.SPEAKING, State.DONE)]
    if not speeches:
        return None
    speaking = [r for r in speeches if r.state == State.SPEAKING]
    if speaking:
        return speaking[0]
    last = max(speeches, key=lambda r: r.asked)
    return last if _follow_ups_open(requests, last) else None


def _follow_ups_open(requests: Sequence[Request], speech: Request) -> bool:
    """Whether ``speech``'s replies can still be asked for: its answer has not started."""
    return not any(
        r.kind == Kind.ANSWER and r.answers == speech.id and r.state in (State.SPEAKING, State.DONE) for r in requests
    )


def refusal(
    requests: Sequence[Request], rules: Rules, *, speaker: int, kind: Kind, list_closed: bool
) -> Refusal | None:
    """Why ``speaker`` may not ask for the floor with ``kind`` now, or ``None`` when they may."""
    if kind in (Kind.POINT_OF_ORDER, Kind.INTRODUCTION):
        if any(r.speaker == speaker and r.kind == kind for r in _open(requests)):
            return Refusal.ALREADY_WAITING
        return None
    if kind == Kind.SPEECH:
        if list_closed:
            return Refusal.LIST_CLOSED
        if any(r.speaker == speaker and r.kind == Kind.SPEECH and r.state == State.WAITING for r in requests):
            return Refusal.ALREADY_WAITING
        given = sum(
            1 for r in requests if r.speaker == speaker and r.kind == Kind.SPEECH and r.state != State.WITHDRAWN
        )
        if given >= rules.speeches_per_person:
            return Refusal.SPEECH_LIMIT
        return None
    speech = speech_in_turn(requests)
    if speech is None:
        return Refusal.NO_SPEECH_TO_REPLY_TO
    follow_ups = [r for r in requests if r.answers == speech.id and r.state != State.WITHDRAWN]
    if kind == Kind.REPLY:
        if list_closed and not rules.replies_after_close:
            return Refusal.LIST_CLOSED
        if speech.speaker == speaker:
            return Refusal.OWN_SPEECH
        if any(r.speaker == speaker and r.kind == Kind.REPLY for r in follow_ups):
            return Refusal.ALREADY_WAITING
        if sum(1 for r in follow_ups if r.kind == Kind.REPLY) >= rules.replies_per_speech:
            return Refusal.REPLY_LIMIT
        return None
    # An answer to the replies: only the speaker, once, and only when there are replies.
    if speech.speaker != speaker:
        return Refusal.NOT_THE_SPEAKER
    if any(r.kind == Kind.ANSWER for r in follow_ups):
        return Refusal.ALREADY_WAITING
    if not any(r.kind == Kind.REPLY for r in follow_ups):
        return Refusal.ANSWER_WITHOUT_REPLIES
    return None


def waiting_order(requests: Sequence[Request]) -> list[Request]:
    """The waiting requests in the order they will speak."""
    waiting = [r for r in requests if r.state == State.WAITING]
    points = sorted((r for r in waiting if r.kind == Kind.POINT_OF_ORDER), key=lambda r: r.asked)
    introductions = sorted((r for r in waiting if r.kind == Kind.INTRODUCTION), key=lambda r: r.asked)
    speeches = sorted((r for r in waiting if r.kind == Kind.SPEECH), key=lambda r: r.asked)
    follow_ups: dict[int, list[Request]] = {}
    for request in waiting:
        if request.kind in (Kind.REPLY, Kind.ANSWER):
            follow_ups.setdefault(request.answers, []).append(request)  # type: ignore[arg-type]

    def follow_ups_of(speech_id: int) -> list[Request]:
        # Replies in the order asked, then the answer.
        return sorted(follow_ups.pop(speech_id, []), key=lambda r: (r.kind == Kind.ANSWER, r.asked))

    order = points + introductions
    # Follow-ups of speeches already given (or being given) come first, oldest speech first.
    given = sorted(
        (
            r
            for r in requests
            if r.kind == Kind.SPEECH and r.state in (State.SPEAKING, State.DONE) and r.id in follow_ups
        ),
        key=lambda r: r.asked,
    )
    for speech in given:
        order += follow_ups_of(speech.id)
    for speech in speeches:
        order.append(speech)
        order += follow_ups_of(speech.id)
    for rest in sorted(follow_ups):  # follow-ups of a speech that was withdrawn: heard last rather than lost
        order += follow_ups_of(rest)
    return order


def position(requests: Sequence[Request], request_id: int) -> int | None:
    """1 for the next to speak; ``None`` when the request is not waiting."""
    for number, request in enumerate(waiting_order(requests), start=1):
        if request.id == request_id:
            return number
    return None


def allowed_seconds(
    requests: Sequence[Request], rules: Rules, request: Request, *, item_speech_seconds: int | None = None
) -> int | None:
    """How long ``request`` may speak: by its kind; a speaker's second and later speech on the item get the shorter
    time; ``item_speech_seconds`` is an agenda item's own time for its speeches (``None``: the rules'). ``None``: no
    limit."""
    if request.kind == Kind.REPLY:
        return rules.reply_seconds
    if request.kind == Kind.ANSWER:
        return rules.answer_seconds
    if request.kind == Kind.POINT_OF_ORDER:
        return rules.point_of_order_seconds
    if request.kind == Kind.INTRODUCTION:
        return rules.introduction_seconds
    earlier = [
        r
        for r in requests
        if r.speaker == request.speaker
        and r.kind == Kind.SPEECH
        and r.state in (State.SPEAKING, State.DONE)
        and r.asked < request.asked
    ]
    if earlier:
        return rules.second_speech_seconds
    return item_speech_seconds if item_speech_seconds is not None else rules.first_speech_seconds


@dataclasses.dataclass(frozen=True)
class Clock:
    """A speech's clock: started at ``started``, paused for ``paused_seconds`` in total so far, and paused now since
    ``paused_since`` (or running)."""

    started: datetime.datetime
    paused_seconds: float = 0.0
    paused_since: datetime.datetime | None = None

    def spoken(self, now: datetime.datetime) -> float:
        """Seconds spoken at ``now``, the pauses left out."""
        until = self.paused_since or now
        return max(0.0, (until - self.started).total_seconds() - self.paused_seconds)

    def left(self, allowed: int | None, now: datetime.datetime) -> float | None:
        """Seconds left at ``now``; negative in overtime (shown, never cut off); ``None`` without a limit."""
        return None if allowed is None else allowed - self.spoken(now)

    def paused(self, now: datetime.datetime) -> Clock:
        return self if self.paused_since is not None else dataclasses.replace(self, paused_since=now)

    def resumed(self, now: datetime.datetime) -> Clock:
        if self.paused_since is None:
            return self
        pause = max(0.0, (now - self.paused_since).total_seconds())
        return dataclasses.replace(self, paused_seconds=self.paused_seconds + pause, paused_since=None)
