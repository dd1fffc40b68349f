"""The speaking order and the clock (plenary/queue.py): examples from a debate, and properties that hold for any
sequence of requests, speeches and withdrawals (Hypothesis)."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from plenary.queue import Clock, Kind, Refusal, Request, Rules, State, allowed_seconds, position, refusal, waiting_order

RULES = Rules()
T0 = datetime.datetime(2024, 2, 13, 10, 0, tzinfo=datetime.UTC)


class Debate:
    """A speakers' list driven as the services will drive it: ask (refused or added), give the floor to the next,
    end the speech, withdraw, close the list."""

    def __init__(self, rules: Rules = RULES):
        self.rules = rules
        self.requests: list[Request] = []
        self.closed = False

    def ask(self, speaker: int, kind: Kind) -> Refusal | None:
        problem = refusal(self.requests, self.rules, speaker=speaker, kind=kind, list_closed=self.closed)
        if problem is None:
            answers = None
            if kind in (Kind.REPLY, Kind.ANSWER):
                answers = self.speech_in_turn().id
            number = len(self.requests) + 1
            self.requests.append(Request(number, speaker, kind, State.WAITING, asked=number, answers=answers))
        return problem

    def speech_in_turn(self) -> Request:
        given_speeches = [r for r in self.requests if r.kind == Kind.SPEECH and r.state != State.WAITING]
        given_speeches = [r for r in given_speeches if r.state != State.WITHDRAWN]
        speaking = [r for r in given_speeches if r.state == State.SPEAKING]
        return speaking[0] if speaking else max(given_speeches, key=lambda r: r.asked)

    def _set(self, request_id: int, state: State) -> None:
        self.requests = [
            Request(r.id, r.speaker, r.kind, state, r.asked, r.answers) if r.id == request_id else r
            for r in self.requests
        ]

    def next(self) -> Request | None:
        for request in self.requests:
            if request.state == State.SPEAKING:
                self._set(request.id, State.DONE)
        order = waiting_order(self.requests)
        if not order:
            return None
        self._set(order[0].id, State.SPEAKING)
        return order[0]

    def withdraw(self, request_id: int) -> None:
        if any(r.id == request_id and r.state == State.WAITING for r in self.requests):
            self._set(request_id, State.WITHDRAWN)


def test_a_debate_is_heard_in_the_order_of_the_rules():
    debate = Debate()
    assert debate.ask(1, Kind.SPEECH) is None
    assert debate.ask(2, Kind.SPEECH) is None
    assert debate.ask(3, Kind.SPEECH) is None
    assert debate.next().speaker == 1
    assert debate.ask(4, Kind.REPLY) is None  # replies to speaker 1, heard right after the speech
    assert debate.ask(5, Kind.REPLY) is None
    assert debate.ask(6, Kind.REPLY) == Refusal.REPLY_LIMIT  # two replies a speech
    assert debate.ask(1, Kind.REPLY) == Refusal.OWN_SPEECH
    assert debate.ask(2, Kind.ANSWER) == Refusal.NOT_THE_SPEAKER
    assert debate.ask(1, Kind.ANSWER) is None
    assert debate.ask(7, Kind.POINT_OF_ORDER) is None  # to the front

    heard = [(r.speaker, r.kind) for r in waiting_order(debate.requests)]
    assert heard == [
        (7, Kind.POINT_OF_ORDER),
        (4, Kind.REPLY),
        (5, Kind.REPLY),
        (1, Kind.ANSWER),
        (2, Kind.SPEECH),
        (3, Kind.SPEECH),
    ]
    assert position(debate.requests, debate.requests[1].id) == 5  # speaker 2's speech


def test_closing_the_list_refuses_speeches_and_by_the_rules_replies_but_never_a_point_of_order():
    debate = Debate()
    debate.ask(1, Kind.SPEECH)
    debate.next()
    debate.closed = True
    assert debate.ask(2, Kind.SPEECH) == Refusal.LIST_CLOSED
    assert debate.ask(2, Kind.REPLY) is None
    assert debate.ask(3, Kind.POINT_OF_ORDER) is None

    strict = Debate(Rules(replies_after_close=False))
    strict.ask(1, Kind.SPEECH)
    strict.next()
    strict.closed = True
    assert strict.ask(2, Kind.REPLY) == Refusal.LIST_CLOSED


def test_a_second_speech_gets_the_shorter_time_and_a_third_is_refused():
    debate = Debate()
    debate.ask(1, Kind.SPEECH)
    first = debate.next()
    assert allowed_seconds(debate.requests, RULES, first) == 300
    assert debate.ask(1, Kind.SPEECH) is None
    second = debate.next()
    assert allowed_seconds(debate.requests, RULES, second) == 180
    assert debate.ask(1, Kind.SPEECH) == Refusal.SPEECH_LIMIT
    assert allowed_seconds(debate.requests, RULES, first, item_speech_seconds=None) == 300
    assert allowed_seconds(debate.requests, Rules(first_speech_seconds=None), first) is None  # the leader's speech


def test_a_reply_needs_a_speech_and_an_answer_needs_replies():
    debate = Debate()
    assert debate.ask(1, Kind.REPLY) == Refusal.NO_SPEECH_TO_REPLY_TO
    debate.ask(1, Kind.SPEECH)
    debate.next()
    assert debate.ask(1, Kind.ANSWER) == Refusal.ANSWER_WITHOUT_REPLIES


def test_the_clock_counts_pauses_out_and_runs_into_overtime():
    clock = Clock(started=T0)
    assert clock.left(60, T0 + datetime.timedelta(seconds=45)) == 15
    paused = clock.paused(T0 + datetime.timedelta(seconds=50))
    assert paused.left(60, T0 + datetime.timedelta(seconds=500)) == 10  # a paused clock stands still
    resumed = paused.resumed(T0 + datetime.timedelta(seconds=80))
    assert resumed.left(60, T0 + datetime.timedelta(seconds=100)) == -10  # overtime: shown, never cut off
    assert resumed.left(None, T0 + datetime.timedelta(seconds=100)) is None


# --- Properties -------------------------------------------------------------------------------------------------

SPEAKERS = st.integers(min_value=1, max_value=6)
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("ask"), SPEAKERS, st.sampled_from(list(Kind))),
        st.tuples(st.just("next"), st.just(0), st.just(None)),
        st.tuples(st.just("withdraw"), st.integers(min_value=1, max_value=40), st.just(None)),
        st.tuples(st.just("close"), st.just(0), st.just(None)),
    ),
    max_size=60,
)


def _play(actions, rules=RULES) -> Debate:
    debate = Debate(rules)
    for action, value, kind in actions:
        if action == "ask":
            debate.ask(value, kind)
        elif action == "next":
            debate.next()
        elif action == "withdraw":
            debate.withdraw(value)
        else:
            debate.closed = True
    return debate


@settings(max_examples=300, deadline=None)
@given(ACTIONS)
def test_every_waiting_request_has_exactly_one_place_and_the_places_are_continuous(actions):
    debate = _play(actions)
    order = waiting_order(debate.requests)
    waiting = [r for r in debate.requests if r.state == State.WAITING]

    assert sorted(r.id for r in order) == sorted(r.id for r in waiting)
    assert [position(debate.requests, r.id) for r in order] == list(range(1, len(order) + 1))


@settings(max_examples=300, deadline=None)
@given(ACTIONS)
def test_the_limits_of_the_rules_hold_whatever_happens(actions):
    debate = _play(actions)
    live = [r for r in debate.requests if r.state != State.WITHDRAWN]

    assert sum(1 for r in live if r.state == State.SPEAKING) <= 1
    for speaker in {r.speaker for r in live}:
        own = [r for r in live if r.speaker == speaker]
        assert sum(1 for r in own if r.kind == Kind.SPEECH) <= RULES.speeches_per_person
        assert sum(1 for r in own if r.kind == Kind.SPEECH and r.state == State.WAITING) <= 1
        assert sum(1 for r in own if r.kind == Kind.POINT_OF_ORDER and r.state == State.WAITING) <= 1
    for speech in (r for r in live if r.kind == Kind.SPEECH):
        follow_ups = [r for r in live if r.answers == speech.id]
        assert sum(1 for r in follow_ups if r.kind == Kind.REPLY) <= RULES.replies_per_speech
        assert sum(1 for r in follow_ups if r.kind == Kind.ANSWER) <= 1
        assert all(r.speaker != speech.speaker for r in follow_ups if r.kind == Kind.REPLY)
        assert all(r.speaker == speech.speaker for r in follow_ups if r.kind == Kind.ANSWER)


@settings(max_examples=300, deadline=None)
@given(ACTIONS)
def test_points_of_order_come_first_and_a_speechs_answer_after_its_replies(actions):
    debate = _play(actions)
    order = waiting_order(debate.requests)
    kinds = [r.kind for r in order]
    points = kinds.count(Kind.POINT_OF_ORDER)

    assert kinds[:points] == [Kind.POINT_OF_ORDER] * points
    for index, request in enumerate(order):
        if request.kind == Kind.ANSWER:
            later_replies = [r for r in order[index + 1 :] if r.kind == Kind.REPLY and r.answers == request.answers]
            assert later_replies == []
        if request.kind == Kind.SPEECH:
            earlier_speeches = [r for r in order[:index] if r.kind == Kind.SPEECH]
            assert all(r.asked < request.asked for r in earlier_speeches)  # speeches as asked


@settings(max_examples=300, deadline=None)
@given(ACTIONS)
def test_after_the_list_is_closed_no_new_speech_is_added(actions):
    debate = Debate()
    for action, value, kind in actions:
        before = len(debate.requests)
        if action == "ask":
            problem = debate.ask(value, kind)
            if debate.closed and kind == Kind.SPEECH:
                assert problem == Refusal.LIST_CLOSED and len(debate.requests) == before
        elif action == "next":
            debate.next()
        elif action == "withdraw":
            debate.withdraw(value)
        else:
            debate.closed = True


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=120)), max_size=20),
    st.integers(min_value=0, max_value=600),
)
def test_the_clock_never_counts_a_pause_and_never_runs_backwards(steps, allowed):
    clock, now, running = Clock(started=T0), T0, 0.0
    for pause, seconds in steps:
        now += datetime.timedelta(seconds=seconds)
        if clock.paused_since is None:
            running += seconds
        clock = clock.paused(now) if pause else clock.resumed(now)
        assert abs(clock.spoken(now) - running) < 1e-6
        assert abs(clock.left(allowed, now) - (allowed - running)) < 1e-6


def test_an_introduction_opens_the_debate_gets_the_items_time_and_no_replies():
    debate = Debate()
    debate.ask(1, Kind.SPEECH)
    assert debate.ask(9, Kind.INTRODUCTION) is None
    assert debate.ask(9, Kind.INTRODUCTION) == Refusal.ALREADY_WAITING
    debate.ask(7, Kind.POINT_OF_ORDER)
    assert [(r.speaker, r.kind) for r in waiting_order(debate.requests)] == [
        (7, Kind.POINT_OF_ORDER),
        (9, Kind.INTRODUCTION),
        (1, Kind.SPEECH),
    ]
    debate.next()
    introduction = debate.next()
    assert allowed_seconds(debate.requests, Rules(introduction_seconds=900), introduction) == 900
    assert allowed_seconds(debate.requests, RULES, introduction) is None  # no time given: no limit
    assert debate.ask(2, Kind.REPLY) == Refusal.NO_SPEECH_TO_REPLY_TO
    assert debate.ask(9, Kind.SPEECH) is None  # the introduction is not one of the speaker's speeches
