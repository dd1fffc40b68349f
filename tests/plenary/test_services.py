"""The list of speakers as the delegates, the desk and the chairs change it (plenary/services.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from delegates.models import Attendance, Participant
from plenary import selectors
from plenary.models import Hall, ItemProcedure, Procedure, SpeakerRequest
from plenary.services import (
    hall_item_set,
    speaker_request_add,
    speaker_request_move,
    speaker_request_restore,
    speaker_request_withdraw,
    speakers_list_close,
    speakers_list_reopen,
    speech_end,
    speech_next,
    speech_pause,
    speech_resume,
)
from tests.factories import CongressFactory, ParticipantFactory, SecretariatUserFactory
from tests.plenary.factories import AgendaItemFactory, checked_in, delegate_in_hall

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Kind = SpeakerRequest.Kind
State = SpeakerRequest.State


@pytest.fixture
def chair():
    return SecretariatUserFactory()


@pytest.fixture
def item():
    item = AgendaItemFactory(congress=CongressFactory())
    hall_item_set(congress=item.congress, item_id=item.pk, user=None)
    return item


def _ask(item, participant, kind=Kind.SPEECH):
    return speaker_request_add(item=item, kind=kind, participant=participant)


def _names(item):
    return [w.request.name for w in selectors.item_list(item).waiting]


def test_a_debate_from_the_phones_and_the_desk(item, chair):
    anne, bo, cato, dina = (delegate_in_hall(item.congress, first_name=n) for n in ("Anne", "Bo", "Cato", "Dina"))
    _ask(item, anne)
    _ask(item, bo)
    assert _names(item) == [anne.full_name, bo.full_name]

    first = speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    assert first.participant == anne and first.allowed_seconds == 300 and first.started_at is not None
    _ask(item, cato, Kind.REPLY)
    _ask(item, anne, Kind.ANSWER)
    speaker_request_add(item=item, kind=Kind.POINT_OF_ORDER, participant=dina, user=chair)
    assert [w.request.kind for w in selectors.item_list(item).waiting] == [
        Kind.POINT_OF_ORDER,
        Kind.REPLY,
        Kind.ANSWER,
        Kind.SPEECH,
    ]

    point = speech_next(congress=item.congress, expected_speaking_id=first.pk, user=chair)
    assert point.participant == dina and point.allowed_seconds == 60
    first.refresh_from_db()
    assert first.state == State.DONE and first.ended_at >= first.started_at
    assert Hall.objects.get(congress=item.congress).version == 8  # the item, and each of the seven actions since


def test_phones_ask_only_with_the_right_to_speak_and_checked_in(item):
    not_in_hall = ParticipantFactory(congress=item.congress)
    with pytest.raises(ValidationError, match="not checked in"):
        _ask(item, not_in_hall)
    checked_in(not_in_hall)
    Attendance.objects.create(participant=not_in_hall, direction=Attendance.Direction.OUT)
    with pytest.raises(ValidationError, match="not checked in"):
        _ask(item, not_in_hall)

    guest = delegate_in_hall(item.congress, role=Participant.Role.GUEST)
    with pytest.raises(ValidationError, match="ask at the desk"):
        _ask(item, guest)
    board = delegate_in_hall(item.congress, role=Participant.Role.BOARD_MEMBER, elected_by="")
    assert _ask(item, board).state == State.WAITING


def test_the_chair_gives_the_floor_to_anyone_also_by_name(item, chair):
    youth = ParticipantFactory(congress=item.congress, role=Participant.Role.YOUTH_COUNCIL)  # not checked in
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=youth, user=chair)
    speaker_request_add(
        item=item, kind=Kind.SPEECH, speaker_name="Sara Ung", speaker_affiliation="Ungdomstoppmøtet", user=chair
    )
    assert _names(item) == [youth.full_name, "Sara Ung"]
    with pytest.raises(ValidationError, match="participant or give the speaker's name"):
        speaker_request_add(item=item, kind=Kind.SPEECH, speaker_name="  ", user=chair)


def test_phones_ask_only_on_the_item_before_the_hall(item):
    other = AgendaItemFactory(congress=item.congress)
    anne = delegate_in_hall(item.congress)
    with pytest.raises(ValidationError, match="not open on this item"):
        _ask(other, anne)


def test_one_waiting_speech_per_person_and_the_limit_of_speeches(item, chair):
    anne, bo = delegate_in_hall(item.congress), delegate_in_hall(item.congress)
    _ask(item, anne)
    with pytest.raises(ValidationError, match="Already on the list"):
        _ask(item, anne)
    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    second = _ask(item, anne)
    _ask(item, bo)
    current = selectors.item_list(item).speaking
    speech_next(congress=item.congress, expected_speaking_id=current.pk, user=chair)
    second.refresh_from_db()
    assert second.state == State.SPEAKING and second.allowed_seconds == 180  # the shorter time of a second speech
    with pytest.raises(ValidationError, match="2 speeches per person"):
        _ask(item, anne)


def test_after_the_list_is_closed_no_new_speech_but_replies_as_the_rules_say(item, chair):
    anne, bo, cato = (delegate_in_hall(item.congress) for _ in range(3))
    _ask(item, anne)
    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    speakers_list_close(item=item, user=chair)
    with pytest.raises(ValidationError, match="closed"):
        _ask(item, bo)
    assert _ask(item, bo, Kind.REPLY).state == State.WAITING
    Procedure.objects.create(congress=item.congress, replies_after_close=False)
    with pytest.raises(ValidationError, match="closed"):
        _ask(item, cato, Kind.REPLY)
    with pytest.raises(ValidationError, match="already closed at"):
        speakers_list_close(item=item, user=chair)
    speakers_list_reopen(item=item, user=chair)
    assert _ask(item, cato).state == State.WAITING


def test_two_chairs_pressing_next_at_once_give_the_floor_once(item, chair):
    anne, bo = delegate_in_hall(item.congress), delegate_in_hall(item.congress)
    _ask(item, anne)
    _ask(item, bo)
    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    with pytest.raises(ValidationError, match="already been given the floor"):
        speech_next(congress=item.congress, expected_speaking_id=None, user=SecretariatUserFactory())
    assert selectors.item_list(item).speaking.participant == anne
    assert _names(item) == [bo.full_name]


def test_stop_pause_and_resume_refuse_what_has_just_happened(item, chair):
    _ask(item, delegate_in_hall(item.congress))
    speech = speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    speech_pause(congress=item.congress, request_id=speech.pk, user=chair)
    with pytest.raises(ValidationError, match="already paused"):
        speech_pause(congress=item.congress, request_id=speech.pk, user=chair)
    speech_resume(congress=item.congress, request_id=speech.pk, user=chair)
    speech_end(congress=item.congress, request_id=speech.pk, user=chair)
    with pytest.raises(ValidationError, match="no longer speaking"):
        speech_end(congress=item.congress, request_id=speech.pk, user=chair)


def test_a_pause_is_not_counted_and_overtime_is_shown(item, chair, monkeypatch):
    _ask(item, delegate_in_hall(item.congress))
    start = timezone.now()
    speech = speech_next(congress=item.congress, expected_speaking_id=None, user=chair)

    def at(seconds):
        moment = speech.started_at + datetime.timedelta(seconds=seconds)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    at(100)
    speech_pause(congress=item.congress, request_id=speech.pk, user=chair)
    at(160)
    speech_resume(congress=item.congress, request_id=speech.pk, user=chair)
    speech.refresh_from_db()
    assert speech.paused_seconds == pytest.approx(60)
    assert selectors.seconds_left(speech, at(400)) == pytest.approx(300 - 340)  # overtime, never cut off
    assert start <= speech.started_at


def test_withdraw_restore_and_move(item, chair):
    anne, bo, cato = (delegate_in_hall(item.congress) for _ in range(3))
    a, b, c = _ask(item, anne), _ask(item, bo), _ask(item, cato)
    with pytest.raises(ValidationError, match="no longer exists"):
        speaker_request_withdraw(request_id=a.pk, congress=item.congress, participant=bo)  # not one's own
    speaker_request_withdraw(request_id=a.pk, congress=item.congress, participant=anne)
    assert _names(item) == [bo.full_name, cato.full_name]
    speaker_request_restore(request_id=a.pk, congress=item.congress, user=chair)
    assert _names(item) == [anne.full_name, bo.full_name, cato.full_name]
    speaker_request_move(request_id=c.pk, congress=item.congress, up=True, user=chair)
    assert _names(item) == [anne.full_name, cato.full_name, bo.full_name]
    speaker_request_move(request_id=a.pk, congress=item.congress, up=True, user=chair)  # already first
    assert _names(item) == [anne.full_name, cato.full_name, bo.full_name]
    assert b.pk


def test_an_item_may_have_no_limit_and_its_own_introduction_time(item, chair):
    ItemProcedure.objects.create(item=item, speech_time=ItemProcedure.SpeechTime.UNLIMITED, introduction_seconds=900)
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=delegate_in_hall(item.congress), user=chair)
    speaker_request_add(item=item, kind=Kind.INTRODUCTION, speaker_name="Saksordfører", user=chair)
    introduction = speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    assert introduction.kind == Kind.INTRODUCTION and introduction.allowed_seconds == 900
    speech = speech_next(congress=item.congress, expected_speaking_id=introduction.pk, user=chair)
    assert speech.allowed_seconds is None and selectors.seconds_left(speech) is None


def test_the_hall_moves_on_only_when_nobody_is_speaking(item, chair):
    _ask(item, delegate_in_hall(item.congress))
    speech = speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    other = AgendaItemFactory(congress=item.congress)
    with pytest.raises(ValidationError, match="still speaking"):
        hall_item_set(congress=item.congress, item_id=other.pk, user=chair)
    speech_end(congress=item.congress, request_id=speech.pk, user=chair)
    hall_item_set(congress=item.congress, item_id=other.pk, user=chair)
    assert selectors.hall_of(item.congress).current_item == other
    foreign = AgendaItemFactory()
    with pytest.raises(ValidationError, match="does not belong"):
        hall_item_set(congress=item.congress, item_id=foreign.pk, user=chair)


def test_the_phone_sees_its_place_and_what_it_may_ask(item, chair):
    anne, bo = delegate_in_hall(item.congress), delegate_in_hall(item.congress)
    _ask(item, anne)
    _ask(item, bo)
    floor = selectors.floor_of(bo)
    assert [w.position for w in floor.own] == [2]
    assert floor.speech_refusal is not None and floor.reply_refusal is not None  # waiting; nobody speaking
    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    floor = selectors.floor_of(bo)
    assert floor.own[0].position == 1  # "you are next"
    assert floor.reply_refusal is None and floor.current.participant == anne
    assert selectors.floor_of(anne).speaking is not None


def test_a_double_tap_from_the_same_page_asks_once(item, chair):
    anne = delegate_in_hall(item.congress)
    seen = selectors.hall_version(item.congress_id)
    first = speaker_request_add(item=item, kind=Kind.SPEECH, participant=anne, seen_version=seen)
    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)  # Anne speaks; a second tap arrives
    again = speaker_request_add(item=item, kind=Kind.SPEECH, participant=anne, seen_version=seen)
    assert again.pk == first.pk and SpeakerRequest.objects.filter(participant=anne).count() == 1
    # Asked from a page that has seen her speech: a second speech, as the rules allow.
    later = speaker_request_add(
        item=item, kind=Kind.SPEECH, participant=anne, seen_version=selectors.hall_version(item.congress_id)
    )
    assert later.pk != first.pk and later.state == State.WAITING


def test_an_items_own_shorter_time_also_caps_the_second_speech(item):
    ItemProcedure.objects.create(item=item, speech_time=ItemProcedure.SpeechTime.OWN, speech_seconds=120)
    rules = selectors.rules_for(item)
    assert (rules.first_speech_seconds, rules.second_speech_seconds) == (120, 120)
    ItemProcedure.objects.filter(item=item).update(speech_seconds=600)
    item.refresh_from_db()
    rules = selectors.rules_for(selectors.hall_of(item.congress).current_item)
    assert (rules.first_speech_seconds, rules.second_speech_seconds) == (600, 180)


def test_rules_an_items_times_or_title_edited_in_the_admin_reach_the_screens(item, django_capture_on_commit_callbacks):
    def version():
        return selectors.hall_version(item.congress_id)

    before = version()
    with django_capture_on_commit_callbacks(execute=True):
        Procedure.objects.create(congress=item.congress, reply_seconds=90)
    assert version() == before + 1
    with django_capture_on_commit_callbacks(execute=True):
        ItemProcedure.objects.create(item=item, speech_time=ItemProcedure.SpeechTime.UNLIMITED)
    assert version() == before + 2
    item.title = "Sak 1: Generell politisk debatt (endret)"
    with django_capture_on_commit_callbacks(execute=True):
        item.save()
    assert version() == before + 3
