"""The plenary's demo (issue 15, item 9): Landstinget 2024's general debate as it was held, checked against the rules
with the pure speaking order, and the extraordinary congress open for requests from a personal link."""

import datetime
import io
from collections import Counter

from django.core.management import call_command
from django.utils import timezone

from agenda.models import AgendaItem, Congress, Event
from delegates import demo as delegates_demo
from delegates.models import Participant
from plenary import queue, selectors
from plenary.models import Hall, ItemProcedure, Officer, Procedure, SpeakerRequest, SpeakersList
from plenary.services import speaker_request_add

Kind = SpeakerRequest.Kind
State = SpeakerRequest.State


def _concluded() -> Congress:
    return Congress.objects.get(name=delegates_demo.DEMO_CONGRESS["name"])


def _upcoming() -> Congress:
    return Congress.objects.get(name=delegates_demo.UPCOMING_CONGRESS["name"])


def _debate(congress: Congress) -> AgendaItem:
    return AgendaItem.objects.get(congress=congress, kind=AgendaItem.Kind.GENERAL_DEBATE)


def _requests(item: AgendaItem) -> list[SpeakerRequest]:
    return list(SpeakerRequest.objects.filter(item=item).select_related("participant__county").order_by("order", "pk"))


def _state_at(request: SpeakerRequest, moment: datetime.datetime) -> queue.State | None:
    """The request's state at ``moment`` (None: not asked yet). A withdrawn request counts as withdrawn throughout."""
    if request.asked_at > moment:
        return None
    if request.state == State.WITHDRAWN:
        return queue.State.WITHDRAWN
    if request.ended_at is not None and request.ended_at <= moment:
        return queue.State.DONE
    if request.started_at is not None and request.started_at <= moment:
        return queue.State.SPEAKING
    return queue.State.WAITING


def _plain_at(requests: list[SpeakerRequest], moment: datetime.datetime) -> list[queue.Request]:
    plain = []
    for request in requests:
        state = _state_at(request, moment)
        if state is not None:
            plain.append(
                queue.Request(
                    id=request.pk,
                    speaker=request.participant_id,
                    kind=queue.Kind(request.kind),
                    state=state,
                    asked=request.order,
                    answers=request.answers_id,
                )
            )
    return plain


def test_the_2024_general_debate_is_finished_with_some_forty_speeches(seeded_demo):
    requests = _requests(_debate(_concluded()))
    kinds = Counter(r.kind for r in requests if r.state == State.DONE)

    assert 36 <= kinds[Kind.SPEECH] <= 44
    assert kinds[Kind.REPLY] >= 6
    assert kinds[Kind.ANSWER] >= 2
    assert kinds[Kind.POINT_OF_ORDER] == 1
    assert [r.state for r in requests if r.state not in (State.DONE,)] == [State.WITHDRAWN]
    speakers = [r.participant for r in requests if r.kind == Kind.SPEECH and r.state == State.DONE]
    assert len({p.county_id for p in speakers if p.county_id}) >= 12
    assert any(p.county_id is None for p in speakers)  # Samfunnsbedriftene speaks too
    assert len({p.party for p in speakers}) >= 6
    genders = Counter(p.gender for p in speakers)
    assert min(genders[Participant.Gender.FEMALE], genders[Participant.Gender.MALE]) >= len(speakers) * 0.4


def test_the_2024_debate_keeps_the_rules_of_procedure(seeded_demo):
    """Played back through plenary.queue: each request was allowed when it was asked, each speaker was the first in
    the waiting order when they got the floor, with the time the rules give them."""
    item = _debate(_concluded())
    requests = _requests(item)
    rules = selectors.rules_for(item)
    closed_at = SpeakersList.objects.get(item=item).closed_at
    assert closed_at is not None  # strek

    for request in requests:
        earlier = [r for r in requests if r.order < request.order]
        refusal = queue.refusal(
            _plain_at(earlier, request.asked_at),
            rules,
            speaker=request.participant_id,
            kind=queue.Kind(request.kind),
            list_closed=request.asked_at >= closed_at,
        )
        assert refusal is None, (request, refusal)

    given = sorted((r for r in requests if r.started_at), key=lambda r: r.started_at)
    for previous, request in zip([None, *given], given, strict=False):
        if previous is not None:
            assert previous.ended_at <= request.started_at  # one at a time
        plain = _plain_at(requests, request.started_at - datetime.timedelta(microseconds=1))
        order = queue.waiting_order(plain)
        assert order and order[0].id == request.pk, request
        assert request.allowed_seconds == queue.allowed_seconds(plain, rules, order[0])

    speeches = Counter(r.participant_id for r in requests if r.kind == Kind.SPEECH and r.state == State.DONE)
    assert max(speeches.values()) <= rules.speeches_per_person
    replies = Counter(r.answers_id for r in requests if r.kind == Kind.REPLY)
    assert max(replies.values()) <= rules.replies_per_speech
    assert not any(r.kind == Kind.SPEECH and r.asked_at >= closed_at for r in requests)


def test_the_2024_debate_happens_within_its_session_with_realistic_times(seeded_demo):
    item = _debate(_concluded())
    session = Event.objects.get(pk=item.session_id)
    given = [r for r in _requests(item) if r.started_at]

    assert all(session.starts_at <= r.asked_at <= r.started_at < r.ended_at <= session.ends_at for r in given)
    durations = [(r.ended_at - r.started_at).total_seconds() for r in given]
    overtime = [r for r, spoken in zip(given, durations, strict=True) if spoken > r.allowed_seconds]
    assert 1 <= len(overtime) <= len(given) // 4  # a few in overtime (shown, never cut off)
    assert all(spoken <= r.allowed_seconds + 60 for r, spoken in zip(given, durations, strict=True))
    assert all(spoken >= 20 for spoken in durations)
    point_of_order = next(r for r in given if r.kind == Kind.POINT_OF_ORDER)
    assert point_of_order.added_by is None
    for request in given:
        assert selectors.is_checked_in(request.participant), request


def test_the_2024_congress_has_its_rules_chairs_and_the_leaders_speech(seeded_demo):
    congress = _concluded()
    procedure = Procedure.objects.get(congress=congress)
    assert (procedure.first_speech_seconds, procedure.second_speech_seconds, procedure.reply_seconds) == (300, 180, 60)
    assert (procedure.answer_seconds, procedure.point_of_order_seconds) == (60, 60)
    assert (procedure.replies_per_speech, procedure.speeches_per_person) == (2, 2)
    leader = AgendaItem.objects.get(congress=congress, kind=AgendaItem.Kind.LEADER_SPEECH)
    assert leader.plenary_procedure.speech_time == ItemProcedure.SpeechTime.UNLIMITED
    speech = SpeakerRequest.objects.get(item=leader)
    assert speech.allowed_seconds is None and speech.state == State.DONE and speech.participant is None
    document = AgendaItem.objects.get(congress=congress, kind=AgendaItem.Kind.POLITICAL_DOCUMENT)
    assert document.plenary_procedure.introduction_seconds == 20 * 60

    officers = list(selectors.officers(congress))
    assert Counter(o.role for o in officers) == {Officer.Role.CHAIR: 2, Officer.Role.PROTOCOL_SIGNER: 2}
    assert len({o.participant.county_id for o in officers}) == 4
    assert all(o.participant.status == Participant.Status.ACTIVE and o.title for o in officers)
    assert Hall.objects.get(congress=congress).current_item is None


def test_the_extraordinary_congress_has_an_item_open_for_requests(seeded_demo):
    congress = _upcoming()
    hall = Hall.objects.get(congress=congress)
    item = hall.current_item
    assert item is not None and item.kind == AgendaItem.Kind.GENERAL_DEBATE
    listed = selectors.item_list(item)
    assert not listed.closed
    assert listed.speaking is None
    assert [w.request.kind for w in listed.waiting] == [Kind.SPEECH, Kind.SPEECH]


def test_a_delegate_with_a_personal_link_may_ask_for_the_floor_at_once(seeded_demo):
    """The README: invite the extraordinary congress's delegates, open a delegate's mail, ask for the floor."""
    congress = _upcoming()
    item = Hall.objects.get(congress=congress).current_item
    waiting = set(SpeakerRequest.objects.filter(item=item).values_list("participant_id", flat=True))
    delegates = Participant.objects.filter(
        congress=congress, role=Participant.Role.DELEGATE, status=Participant.Status.ACTIVE
    )
    assert delegates.count() >= 10
    assert all(selectors.floor_refusal(delegate) is None for delegate in delegates)
    delegate = delegates.exclude(pk__in=waiting).order_by("pk").first()

    request = speaker_request_add(item=item, kind=Kind.SPEECH, participant=delegate)

    assert selectors.floor_of(delegate).own[0].position == 3
    assert request.state == State.WAITING
    deputy = Participant.objects.filter(congress=congress, role=Participant.Role.DEPUTY, acting_for__isnull=True)
    assert selectors.floor_refusal(deputy.first()) is not None  # a deputy without a seat asks at the desk


def _plenary_rows() -> dict:
    rows = {}
    for congress in (_concluded(), _upcoming()):
        requests = [
            (
                r.item.number,
                r.order,
                r.name,
                r.kind,
                r.state,
                r.answers.order if r.answers else None,
                r.allowed_seconds,
                # The upcoming congress's requests were asked "now": only their order counts.
                r.started_at,
                r.ended_at,
                r.asked_at if congress.last_day < timezone.localdate() else None,
                r.added_by_id,
            )
            for r in SpeakerRequest.objects.filter(item__congress=congress)
            .select_related("participant", "item", "answers")
            .order_by("item__number", "order")
        ]
        rows[congress.name] = {
            "requests": requests,
            "officers": [(o.role, o.display_name, o.title, o.order) for o in selectors.officers(congress)],
            "procedure": selectors.procedure(congress).rules(),
            "items": sorted(
                ItemProcedure.objects.filter(item__congress=congress).values_list(
                    "item__number", "speech_time", "speech_seconds", "introduction_seconds"
                )
            ),
            "lists": sorted(
                SpeakersList.objects.filter(item__congress=congress).values_list("item__number", "closed_at")
            ),
            "hall": Hall.objects.get(congress=congress).current_item_id,
            "agenda": list(AgendaItem.objects.filter(congress=congress).values_list("number", "kind", "title")),
        }
    return rows


def test_seeding_the_demo_again_changes_nothing(seeded_demo):
    first = _plenary_rows()
    versions = dict(Hall.objects.values_list("congress_id", "version"))

    call_command("seed_demo", stdout=io.StringIO())

    assert _plenary_rows() == first
    for congress_id, version in Hall.objects.values_list("congress_id", "version"):
        assert version > versions[congress_id]  # a screen left open sees the new state


def test_resetting_the_demo_removes_what_refers_to_its_participants(seeded_demo):
    congresses = [_concluded(), _upcoming()]

    delegates_demo.demo_resetting.send(sender=None, congresses=congresses)

    assert not SpeakerRequest.objects.filter(item__congress__in=congresses).exists()
    assert not Officer.objects.filter(congress__in=congresses).exists()
    assert not Hall.objects.filter(congress__in=congresses, current_item__isnull=False).exists()
    Participant.objects.filter(congress__in=congresses).delete()  # nothing of the plenary protects them
