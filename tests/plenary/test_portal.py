"""The delegate's phone in the hall (plenary/portal/views.py): the page "Ask for the floor" behind the personal link,
its buttons as POST forms with refusals in words, and the state document the page follows."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates.checkin import checkin_record
from delegates.models import Attendance, Participant
from delegates.services.links import personal_link_issue
from plenary.models import SpeakerRequest
from plenary.services import (
    hall_item_set,
    speaker_request_add,
    speakers_list_close,
    speech_end,
    speech_next,
)
from tests.factories import CongressFactory, ParticipantFactory, SecretariatUserFactory
from tests.helpers import nb
from tests.plenary.factories import AgendaItemFactory, delegate_in_hall

pytestmark = pytest.mark.django_db

Kind = SpeakerRequest.Kind
State = SpeakerRequest.State


@pytest.fixture
def chair():
    return SecretariatUserFactory()


@pytest.fixture
def item():
    item = AgendaItemFactory(congress=CongressFactory(), number=3, title="Generell politisk debatt")
    hall_item_set(congress=item.congress, item_id=item.pk, user=None)
    return item


@pytest.fixture
def me(item):
    return delegate_in_hall(item.congress, first_name="Ingebjørg", last_name="Skjervheim")


def token_of(participant: Participant) -> str:
    return personal_link_issue(participant=participant)[1]


def page_url(token: str) -> str:
    return reverse("plenary_portal:floor", args=[token])


def state_url(token: str) -> str:
    return reverse("plenary_portal:floor_state", args=[token])


def ask(client, token, item, kind="speech"):
    return client.post(page_url(token), {"kind": kind, "item": item.pk})


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def buttons(html: str) -> set[str]:
    """The kinds of request the page offers (the buttons not hidden)."""
    return {
        kind
        for kind in ("speech", "reply", "answer", "point_of_order")
        if f'value="{kind}" data-floor="{kind}">' in html
    }


def test_a_delegate_checked_in_asks_with_one_tap_and_sees_the_place(client, item, me):
    others = [delegate_in_hall(item.congress) for _ in range(2)]
    for other in others:
        speaker_request_add(item=item, kind=Kind.SPEECH, participant=other)
    token = token_of(me)

    page = client.get(page_url(token))
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "Sak 3: Generell politisk debatt" in html
    assert nb("You are not on the list of speakers.") in html
    assert buttons(html) == {"speech", "point_of_order"}
    assert nb("There is no speech to reply to right now.") in html

    response = ask(client, token, item)
    assert response.status_code == 302 and response["Location"] == page_url(token)
    assert messages_of(response) == [nb("You have asked for the floor for a speech.")]
    mine = SpeakerRequest.objects.get(participant=me)
    assert (mine.kind, mine.state, mine.added_by) == (Kind.SPEECH, State.WAITING, None)

    html = client.get(page_url(token)).content.decode()
    assert "Du er nummer 3 på lista" in html
    assert buttons(html) == {"point_of_order"}  # the speech is asked for; nothing to reply to yet
    assert f'name="withdraw" value="{mine.pk}"' in html


def test_you_are_next_and_you_have_the_floor(client, item, me, chair):
    token = token_of(me)
    ask(client, token, item)
    html = client.get(page_url(token)).content.decode()
    assert 'class="floor-you floor-you--next"' in html and "Du er neste" in html
    assert 'aria-live="polite"' in html

    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    html = client.get(page_url(token)).content.decode()
    assert 'class="floor-you floor-you--speaking"' in html and "Du har ordet" in html
    assert "5:00 igjen" in html or "4:59 igjen" in html
    assert "Skjervheim" in html


def test_not_checked_in_and_guests_are_told_why_and_offered_nothing(client, item):
    absent = ParticipantFactory(congress=item.congress)
    html = client.get(page_url(token_of(absent))).content.decode()
    assert buttons(html) == set()
    assert nb("You are not checked in at the hall. Show your badge at the check-in desk first.") in html
    assert html.count(nb("You are not checked in at the hall. Show your badge at the check-in desk first.")) == 1

    guest = delegate_in_hall(item.congress, role=Participant.Role.GUEST)
    token = token_of(guest)
    html = client.get(page_url(token)).content.decode()
    assert buttons(html) == set()
    assert "Andre får ordet når dirigenten gir dem det: spør ved sekretariatsbordet." in html
    # A tap anyway (an old page): refused in words, nothing stored.
    response = ask(client, token, item)
    assert response.status_code == 302
    assert len(messages_of(response)) == 1
    assert not SpeakerRequest.objects.exists()


def test_no_item_before_the_hall(client):
    congress = CongressFactory()
    me = delegate_in_hall(congress)
    html = client.get(page_url(token_of(me))).content.decode()
    assert "Ingen sak er til behandling nå." in html
    assert buttons(html) == set()


def test_refused_in_words_when_the_list_is_closed(client, item, me, chair):
    speakers_list_close(item=item, user=chair)
    token = token_of(me)
    html = client.get(page_url(token)).content.decode()
    assert "speech" not in buttons(html)
    assert nb("The list of speakers is closed.") in html

    response = ask(client, token, item)  # the page was loaded before the list was closed
    assert messages_of(response) == [nb("The list of speakers is closed.")]
    assert not SpeakerRequest.objects.filter(participant=me).exists()
    page = client.get(page_url(token))
    assert nb("The list of speakers is closed.") in page.content.decode()


def test_a_reply_is_offered_only_while_a_speech_is_in_turn(client, item, me, chair):
    speaker = delegate_in_hall(item.congress, first_name="Anne")
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=speaker)
    token = token_of(me)
    assert "reply" not in buttons(client.get(page_url(token)).content.decode())

    speech = speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    html = client.get(page_url(token)).content.decode()
    assert "reply" in buttons(html)
    response = ask(client, token, item, "reply")
    assert messages_of(response) == [nb("You have asked for a reply.")]
    reply = SpeakerRequest.objects.get(participant=me)
    assert reply.kind == Kind.REPLY and reply.answers_id == speech.pk

    # The speaker's own phone: answer the replies.
    speaker_html = client.get(page_url(token_of(speaker))).content.decode()
    assert "answer" in buttons(speaker_html) and "reply" not in buttons(speaker_html)

    # The speech ends and the next speech starts: the replies to the first are over.
    third = delegate_in_hall(item.congress)
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=third)
    speech_end(congress=item.congress, request_id=speech.pk, user=chair)
    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)  # my reply
    speech_next(congress=item.congress, expected_speaking_id=reply.pk, user=chair)  # the third's speech
    other = delegate_in_hall(item.congress)
    assert "reply" in buttons(client.get(page_url(token_of(other))).content.decode())  # to the third's speech


def test_withdraw_an_own_waiting_request(client, item, me):
    token = token_of(me)
    ask(client, token, item)
    client.get(page_url(token))  # the page shows the message of the request
    mine = SpeakerRequest.objects.get(participant=me)
    response = client.post(page_url(token), {"withdraw": mine.pk})
    assert response.status_code == 302
    assert messages_of(response) == ["Du har trukket deg fra talerlista (innlegg)."]
    mine.refresh_from_db()
    assert mine.state == State.WITHDRAWN
    assert "Du står ikke på talerlista." in client.get(page_url(token)).content.decode()

    # Someone else's request cannot be withdrawn from my phone.
    other = delegate_in_hall(item.congress)
    theirs = speaker_request_add(item=item, kind=Kind.SPEECH, participant=other)
    response = client.post(page_url(token), {"withdraw": theirs.pk})
    assert messages_of(response) == [nb("This request for the floor no longer exists.")]
    theirs.refresh_from_db()
    assert theirs.state == State.WAITING


def test_a_request_for_an_item_no_longer_before_the_hall_is_refused(client, item, me):
    token = token_of(me)
    nxt = AgendaItemFactory(congress=item.congress, number=4)
    hall_item_set(congress=item.congress, item_id=nxt.pk, user=None)
    response = ask(client, token, item)  # the page still showed item 3
    assert messages_of(response) == [nb("Requests for the floor are not open on this item now.")]
    assert not SpeakerRequest.objects.exists()


def test_the_page_for_an_english_speaking_participant(client, item):
    me = delegate_in_hall(item.congress, language="en")
    html = client.get(page_url(token_of(me))).content.decode()
    assert "Ask for the floor" in html and "You are not on the list of speakers." in html


# --- The state document ----------------------------------------------------------------------------------------


def test_the_state_document_is_200_then_304_then_200_after_a_change(client, item, me, chair):
    token = token_of(me)
    first = client.get(state_url(token))
    assert first.status_code == 200
    document = first.json()
    etag = first["ETag"]
    assert etag == f'"{document["version"]}"'
    assert document["item"]["title"] == "Generell politisk debatt"
    assert document["may"]["speech"] == {"allowed": True, "why": ""}
    assert first["Cache-Control"] == "no-store" and first["Referrer-Policy"] == "same-origin"

    unchanged = client.get(state_url(token), headers={"if-none-match": etag})
    assert unchanged.status_code == 304 and unchanged["ETag"] == etag

    speaker_request_add(item=item, kind=Kind.SPEECH, participant=me)
    changed = client.get(state_url(token), headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed.json()["own"][0]["position"] == 1
    assert changed["ETag"] != etag


def test_the_state_follows_what_the_hall_version_does_not(client, item, chair):
    """Checking in or out, a deputy taking a seat and the language change the phone's buttons or words, but no
    service of the hall: the document's version follows them too."""
    me = ParticipantFactory(congress=item.congress)
    token = token_of(me)
    before = client.get(state_url(token))
    assert before.json()["may"]["speech"]["allowed"] is False
    checkin_record(participant=me, direction=Attendance.Direction.IN, user=None)
    after = client.get(state_url(token), headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200 and after.json()["may"]["speech"]["allowed"] is True

    Participant.objects.filter(pk=me.pk).update(language="en")
    english = client.get(state_url(token), headers={"if-none-match": after["ETag"]})
    assert english.status_code == 200


def test_the_state_document_of_a_bad_link(client):
    response = client.get(state_url("A" * 43))
    assert response.status_code == 404
    assert "version" not in response.content.decode()


def test_queries_of_the_page_and_the_state_document(client, item, me, chair):
    others = [delegate_in_hall(item.congress) for _ in range(6)]
    for other in others:
        speaker_request_add(item=item, kind=Kind.SPEECH, participant=other)
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=me)
    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    token = token_of(me)

    with CaptureQueriesContext(connection) as page:
        assert client.get(page_url(token)).status_code == 200
    with CaptureQueriesContext(connection) as full:
        response = client.get(state_url(token))
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as unchanged:
        assert client.get(state_url(token), headers={"if-none-match": response["ETag"]}).status_code == 304

    # The link with its participant and the hall's version, in one statement: nothing else when nothing has changed.
    assert len(unchanged.captured_queries) == 1, [q["sql"] for q in unchanged.captured_queries]
    # Another phone of the same hall at the same version: the hall's part is kept, so one statement for its document.
    other_token = token_of(others[-1])
    with CaptureQueriesContext(connection) as other_phone:
        other = client.get(state_url(other_token))
    assert other.status_code == 200 and other.json()["own"][0]["position"] >= 1
    assert len(other_phone.captured_queries) == 1, [q["sql"] for q in other_phone.captured_queries]
    # A changed state: the link, the version, and the document's reads (the hall, check-in, the list, the rules).
    assert len(full.captured_queries) <= 10, [q["sql"] for q in full.captured_queries]
    # The page: the same reads, and the visit recorded on the link (two updates).
    assert len(page.captured_queries) <= 11, [q["sql"] for q in page.captured_queries]

    # Not on the length of the list.
    for _ in range(10):
        speaker_request_add(item=item, kind=Kind.SPEECH, participant=delegate_in_hall(item.congress))
    with CaptureQueriesContext(connection) as longer:
        assert client.get(state_url(token)).status_code == 200
    assert len(longer.captured_queries) == len(full.captured_queries)


def test_the_same_tap_sent_twice_asks_once(client, item, me, chair):
    token = token_of(me)
    seen = client.get(state_url(token)).json()["version"]
    assert client.post(page_url(token), {"kind": "speech", "item": item.pk, "seen": seen}).status_code == 302
    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)  # the floor given before the second
    assert client.post(page_url(token), {"kind": "speech", "item": item.pk, "seen": seen}).status_code == 302
    assert SpeakerRequest.objects.filter(participant=me).count() == 1
    # The page that has seen the speech asks for a second one.
    seen = client.get(state_url(token)).json()["version"]
    client.post(page_url(token), {"kind": "speech", "item": item.pk, "seen": seen})
    assert SpeakerRequest.objects.filter(participant=me).count() == 2
