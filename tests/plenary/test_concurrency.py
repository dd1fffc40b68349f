"""50 delegates ask for the floor at the same moment while the chair gives the floor and closes the list. Every
request ends in exactly one place in the queue or is refused with a reason; nobody is on the list twice; the places
are continuous. Runs against the configured database (PostgreSQL in CI)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from plenary import selectors
from plenary.models import SpeakerRequest, SpeakersList
from plenary.services import hall_item_set, speaker_request_add, speakers_list_close, speech_next
from tests.factories import CongressFactory, SecretariatUserFactory
from tests.plenary.factories import AgendaItemFactory, delegate_in_hall

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english")]


def _needs_a_shared_database():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite database is not shared between threads")


def test_fifty_delegates_ask_at_once_while_the_chair_gives_the_floor_and_closes_the_list():
    _needs_a_shared_database()
    item = AgendaItemFactory(congress=CongressFactory())
    congress = item.congress
    hall = hall_item_set(congress=congress, item_id=item.pk, user=None)
    chair = SecretariatUserFactory()
    delegates = [delegate_in_hall(congress) for _ in range(50)]
    # Half of them tap twice (two taps on a slow phone, from the page as it was): each is still on the list once.
    taps = [(d, 0) for d in delegates] + [(d, 1) for d in delegates[:25]]
    barrier = threading.Barrier(len(taps) + 1)
    outcomes: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def ask(delegate, _tap):
        try:
            barrier.wait(timeout=30)
            try:
                request = speaker_request_add(
                    item=item, kind=SpeakerRequest.Kind.SPEECH, participant=delegate, seen_version=hall.version
                )
                outcome = f"added {request.pk}"
            except ValidationError as refusal:
                outcome = refusal.messages[0]
            with lock:
                outcomes.append((delegate.pk, outcome))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    chair_steps: list[str] = []

    def run_the_chair():
        try:
            barrier.wait(timeout=30)
            speaking = None
            for _ in range(3):
                try:
                    new = speech_next(congress=congress, expected_speaking_id=speaking, user=chair)
                    speaking = new.pk if new else None
                    chair_steps.append("next")
                except ValidationError as refusal:
                    chair_steps.append(refusal.messages[0])
            speakers_list_close(item=item, user=chair)
            chair_steps.append("closed")
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=tap) for tap in taps]
    threads.append(threading.Thread(target=run_the_chair))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert chair_steps == ["next", "next", "next", "closed"]
    assert len(outcomes) == len(taps)
    allowed_refusals = {"Already on the list for this.", "The list of speakers is closed."}
    assert {outcome for _pk, outcome in outcomes if not outcome.startswith("added ")} <= allowed_refusals

    requests = list(SpeakerRequest.objects.filter(item=item))
    accepted = {(pk, int(outcome.split()[1])) for pk, outcome in outcomes if outcome.startswith("added ")}
    added = [pk for pk, _request in accepted]
    # A delegate's two taps give one request (the second returns the first); nobody is on the list twice.
    assert len(added) == len(set(added))
    assert sorted(accepted) == sorted((r.participant_id, r.pk) for r in requests)
    # Each request has its own place in the order asked (two taps at once never take the same number).
    assert len({r.order for r in requests}) == len(requests)
    # Nobody asked after the list was closed.
    closed_at = SpeakersList.objects.get(item=item).closed_at
    assert all(r.asked_at < closed_at for r in requests)
    # Refused for "closed" only once the list was closed: such a delegate has no request at all.
    refused_closed = {pk for pk, outcome in outcomes if outcome == "The list of speakers is closed."}
    assert refused_closed.isdisjoint(added)
    # The queue: every waiting request in exactly one place, 1..n without a gap; the speakers given the floor are out.
    listed = selectors.item_list(item)
    waiting = [r for r in requests if r.state == SpeakerRequest.State.WAITING]
    assert [w.position for w in listed.waiting] == list(range(1, len(waiting) + 1))
    assert sorted(w.request.pk for w in listed.waiting) == sorted(r.pk for r in waiting)
    given = [r for r in requests if r.state != SpeakerRequest.State.WAITING]
    assert len(given) == len([r for r in given if r.started_at]) and len(given) <= 3
    assert sum(1 for r in requests if r.state == SpeakerRequest.State.SPEAKING) <= 1
