"""Two chairs press "Next speaker" on two consoles at the same moment, both showing nobody speaking: one step is
taken, and the other console is told who has been given the floor. Runs against the configured database (PostgreSQL
in CI); an in-memory SQLite database is not shared between threads."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from core.groups import staff_groups_ensure
from plenary.apps import CHAIR_GROUP
from plenary.models import SpeakerRequest
from plenary.services import hall_item_set, speaker_request_add
from tests.factories import CongressFactory, StaffUserFactory
from tests.plenary.factories import AgendaItemFactory, delegate_in_hall

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english", "client_prefers_english")]


def test_two_consoles_press_next_at_the_same_moment():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite database is not shared between threads")
    staff_groups_ensure()
    item = AgendaItemFactory(congress=CongressFactory())
    hall_item_set(congress=item.congress, item_id=item.pk, user=None)
    for first_name in ("Anne", "Bo", "Cato"):
        person = delegate_in_hall(item.congress, first_name=first_name, last_name="Lund")
        speaker_request_add(item=item, kind=SpeakerRequest.Kind.SPEECH, participant=person)
    clients = []
    for _number in range(2):
        chair = StaffUserFactory()
        chair.groups.add(Group.objects.get(name=CHAIR_GROUP))
        client = Client()
        client.force_login(chair)
        clients.append(client)
    url = reverse("plenary_staff:console_action", args=[item.congress.pk])
    barrier = threading.Barrier(2)
    said: list[tuple[str, str]] = []
    errors: list[BaseException] = []

    def press(client):
        try:
            barrier.wait(timeout=30)
            response = client.post(url, {"action": "next", "speaking": ""})
            assert response.status_code == 302
            said.extend((message.level_tag, message.message) for message in get_messages(response.wsgi_request))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sorted(said) == [
        ("error", "Anne Lund has already been given the floor. The console now shows the list as it is."),
        ("success", "Anne Lund has the floor (speech)."),
    ]
    assert [r.name for r in SpeakerRequest.objects.filter(item=item, state=SpeakerRequest.State.SPEAKING)] == [
        "Anne Lund"
    ]
    assert SpeakerRequest.objects.filter(item=item, state=SpeakerRequest.State.WAITING).count() == 2
