"""The hall screen and the lower third (plenary/screen_views.py): the links behind the hall's screen key, the staff
variant's permission, the state document with its tag (304 when unchanged), when the screen shows a vote, and the
queries each answer takes."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from elections.services import (
    ballot_cast,
    poll_close,
    poll_create_decision,
    poll_open,
    poll_publish,
    poll_sign_off,
)
from plenary import selectors
from plenary.models import Hall, SpeakerRequest
from plenary.screen_services import hall_screen_key_renew
from plenary.services import (
    hall_item_set,
    speaker_request_add,
    speakers_list_close,
    speech_next,
)
from tests.elections.factories import present_delegates
from tests.factories import CongressFactory, SecretariatUserFactory, StaffUserFactory
from tests.plenary.factories import AgendaItemFactory, delegate_in_hall

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "client_prefers_english")]

Kind = SpeakerRequest.Kind


@pytest.fixture
def chair():
    return SecretariatUserFactory()


@pytest.fixture
def item():
    item = AgendaItemFactory(congress=CongressFactory(), title="Generell politisk debatt")
    hall_item_set(congress=item.congress, item_id=item.pk, user=None)
    return item


def _key(congress) -> str:
    return Hall.objects.get(congress=congress).screen_key


def _hall(name: str, key: str) -> str:
    return reverse(f"plenary_hall:{name}", args=[key])


def _staff(name: str, congress) -> str:
    return reverse(f"plenary_staff:{name}", args=[congress.pk])


def _debate(item, chair, *, waiting: int = 3):
    """Anne speaks; ``waiting`` more delegates wait; Bo and Cato have asked for a reply to Anne."""
    anne = delegate_in_hall(item.congress, first_name="Anne", last_name="Andersen", party="Senterpartiet")
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=anne)
    for number in range(waiting):
        speaker_request_add(
            item=item, kind=Kind.SPEECH, participant=delegate_in_hall(item.congress, first_name=f"Taler{number}")
        )
    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    for name in ("Bo", "Cato"):
        speaker_request_add(item=item, kind=Kind.REPLY, participant=delegate_in_hall(item.congress, first_name=name))
    return anne


# --- The links behind the screen key -------------------------------------------------------------------------------


def test_the_screen_key_links_open_without_signing_in_and_are_never_stored_or_indexed(client, item, chair):
    anne = _debate(item, chair)
    key = _key(item.congress)

    for name in ("screen", "lower_third", "screen_state"):
        response = client.get(_hall(name, key))
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "no-referrer"
        assert "noindex" in response["X-Robots-Tag"]
        assert not response.cookies  # usable as a streaming program's browser source: no cookie needed or set

    page = client.get(_hall("screen", key)).content.decode()
    assert 'data-state-url="' + _hall("screen_state", key) + '"' in page
    assert "js/plenary-screen.js" in page and "js/hall-feed.js" in page
    document = client.get(_hall("screen_state", key)).json()
    assert document["item"]["title"] == "Generell politisk debatt"
    assert document["speaking"]["name"] == anne.full_name
    assert document["speaking"]["party"] == "Senterpartiet"
    assert document["speaking"]["affiliation"] == anne.county.name  # no organisation: the county
    assert [entry["name"].split()[0] for entry in document["waiting"]] == ["Bo", "Cato", "Taler0", "Taler1", "Taler2"]
    assert len(document["follow_ups"]) == 2
    assert document["vote"] is None


@pytest.mark.parametrize("name", ["screen", "lower_third", "screen_state"])
def test_a_wrong_key_is_a_plain_404(client, item, name):
    key = _key(item.congress)
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    for bad in (wrong, "x" * 43, "short", key + "x", key.upper() if key.upper() != key else key.lower()):
        response = client.get(_hall(name, bad))
        assert response.status_code == 404, bad
        assert item.congress.name not in response.content.decode()


def test_a_new_key_ends_the_old_links(client, item, chair):
    old = _key(item.congress)
    version = Hall.objects.get(congress=item.congress).version

    hall = hall_screen_key_renew(congress=item.congress, user=chair)

    assert hall.screen_key != old and len(hall.screen_key) == 43
    assert hall.version == version + 1
    assert client.get(_hall("screen_state", old)).status_code == 404
    assert client.get(_hall("screen", old)).status_code == 404
    assert client.get(_hall("screen_state", hall.screen_key)).status_code == 200
    assert selectors.screen_links(item.congress) == (
        _hall("screen", hall.screen_key),
        _hall("lower_third", hall.screen_key),
    )


def test_a_new_key_for_a_hall_never_used_creates_it():
    congress = CongressFactory()
    assert selectors.screen_links(congress) is None

    hall = hall_screen_key_renew(congress=congress, user=SecretariatUserFactory())

    assert selectors.screen_links(congress)[0] == _hall("screen", hall.screen_key)


def test_the_key_pages_speak_bokmal_whatever_the_browser_asks(client, item, settings):
    settings.LANGUAGE_CODE = "nb"
    page = client.get(_hall("screen", _key(item.congress)), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="nb"' in page
    assert "Neste talere" in page


# --- The staff variant --------------------------------------------------------------------------------------------


def test_the_staff_screen_needs_the_right_to_run_or_see_the_lists(client, item):
    urls = [_staff(name, item.congress) for name in ("screen", "lower_third", "screen_state")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]

    client.force_login(StaffUserFactory())
    for url in urls:
        assert client.get(url).status_code == 403

    viewer = StaffUserFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_speakerslist"))
    client.force_login(viewer)
    for url in urls:
        assert client.get(url).status_code == 200

    client.force_login(SecretariatUserFactory())
    response = client.get(urls[0])
    assert response.status_code == 200
    assert 'id="header"' not in response.content.decode()  # the screen only, no admin chrome
    assert client.get(urls[2]).json()["item"]["id"] == item.pk


# --- The state document: tag, 304, queries ------------------------------------------------------------------------


def test_an_unchanged_screen_gets_304_and_a_change_gets_the_new_document(client, item, chair):
    _debate(item, chair, waiting=1)
    url = _hall("screen_state", _key(item.congress))
    first = client.get(url)
    tag = first["ETag"]
    assert tag == f'"{first.json()["version"]}"'

    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304

    speakers_list_close(item=item, user=chair)
    changed = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed.json()["closed"] is True
    assert changed["ETag"] != tag


def _queries(client, url, **headers) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response.status_code, len(captured.captured_queries)


def test_the_screen_state_takes_two_queries_unchanged_and_a_fixed_number_otherwise(client, item, chair):
    _debate(item, chair, waiting=2)
    url = _hall("screen_state", _key(item.congress))
    tag = client.get(url)["ETag"]

    assert _queries(client, url, HTTP_IF_NONE_MATCH=tag) == (304, 2)
    status, few = _queries(client, url)
    assert status == 200

    for number in range(12):
        speaker_request_add(
            item=item, kind=Kind.SPEECH, participant=delegate_in_hall(item.congress, first_name=f"Flere{number}")
        )
    assert _queries(client, url) == (200, few)
    assert few <= 8


def test_while_a_vote_is_shown_its_count_changes_the_tag(client, item, chair):
    congress = item.congress
    voters = present_delegates(congress, 3)
    url = _hall("screen_state", _key(congress))
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Endringsforslag 12"), user=chair)
    first = client.get(url)
    tag = first["ETag"]
    vote = first.json()["vote"]
    assert (vote["title"], vote["state"], vote["received"], vote["eligible"]) == ("Endringsforslag 12", "open", 0, 3)
    assert vote["progress"] == "0 of 3 votes received"
    assert _queries(client, url, HTTP_IF_NONE_MATCH=tag) == (304, 2)

    ballot_cast(poll_id=poll.pk, participant_id=voters[0].pk, answer="yes")

    second = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert second.status_code == 200
    assert second.json()["vote"]["received"] == 1
    assert second.json()["vote"]["progress"] == "1 of 3 votes received"
    assert voters[0].full_name not in second.content.decode()


# --- When the screen shows the vote ------------------------------------------------------------------------------


def test_the_vote_while_open_then_the_result_until_the_next_speech(client, item, chair):
    congress = item.congress
    voters = present_delegates(congress, 3)
    url = _hall("screen_state", _key(congress))
    assert client.get(url).json()["vote"] is None  # no vote yet: the debate

    poll = poll_open(poll=poll_create_decision(congress=congress, title="Forslag 3"), user=chair)
    for voter, answer in zip(voters, ("yes", "yes", "no"), strict=True):
        ballot_cast(poll_id=poll.pk, participant_id=voter.pk, answer=answer)
    assert client.get(url).json()["vote"]["state"] == "open"

    poll = poll_close(poll=poll, user=chair)
    closed = client.get(url).json()["vote"]
    assert closed["state"] == "closed"
    assert closed["state_label"] == "Voting is closed. The result is being checked."
    assert closed["result"] is None

    poll_sign_off(poll=poll, user=chair)
    poll_publish(poll=poll, user=chair)
    published = client.get(url).json()["vote"]
    assert published["state"] == "published"
    assert published["result"]["outcome"] == "Adopted."
    assert [(row["label"], row["votes"]) for row in published["result"]["rows"]] == [("Yes", 2), ("No", 1)]
    assert "3 of 3 voted" in published["result"]["facts"]

    # A request for the floor does not take the result away; the floor given does.
    speaker = delegate_in_hall(congress, first_name="Dag")
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=speaker)
    assert client.get(url).json()["vote"]["state"] == "published"
    speech_next(congress=congress, expected_speaking_id=None, user=chair)
    document = client.get(url).json()
    assert document["vote"] is None
    assert document["speaking"]["name"] == speaker.full_name


def test_a_vote_opened_during_a_speech_takes_the_screen(client, item, chair):
    _debate(item, chair, waiting=0)
    present_delegates(item.congress, 2)
    url = _hall("screen_state", _key(item.congress))
    assert client.get(url).json()["vote"] is None

    poll_open(poll=poll_create_decision(congress=item.congress, title="Dagsorden"), user=chair)

    assert client.get(url).json()["vote"]["title"] == "Dagsorden"


def test_vote_on_screen_rule():
    now = timezone.now()

    class Vote:
        def __init__(self, state, last_step, takes=False):
            self.poll = type("P", (), {"state": state, "takes_ballots": takes})()
            self.last_step = last_step

    earlier, later = now - datetime.timedelta(minutes=5), now + datetime.timedelta(minutes=5)
    assert selectors.vote_on_screen(None, now) is False
    assert selectors.vote_on_screen(Vote("open", earlier, takes=True), later) is True
    assert selectors.vote_on_screen(Vote("open", earlier, takes=False), None) is False  # paper ballots: no progress
    assert selectors.vote_on_screen(Vote("published", now), None) is True
    assert selectors.vote_on_screen(Vote("published", now), earlier) is True
    assert selectors.vote_on_screen(Vote("published", now), later) is False
    assert selectors.vote_on_screen(Vote("closed", now), later) is False
    assert selectors.vote_on_screen(Vote("draft", None), None) is False


def test_no_item_yet(client, chair):
    congress = CongressFactory(name="Ekstraordinært landsting")
    hall_screen_key_renew(congress=congress, user=chair)
    document = client.get(_hall("screen_state", _key(congress))).json()
    assert document["item"] is None and document["speaking"] is None
    assert document["congress_name"] == str(congress)


# --- The page of the links ----------------------------------------------------------------------------------------


def test_the_desk_finds_the_links_and_can_give_the_screens_a_new_key(client, item):
    url = reverse("plenary_staff:screen_links") + f"?congress={item.congress.pk}"
    old = _key(item.congress)
    client.force_login(SecretariatUserFactory())

    page = client.get(url).content.decode()
    assert f"http://testserver{_hall('screen', old)}" in page
    assert f"http://testserver{_hall('lower_third', old)}" in page
    assert 'id="screen-key-renew"' in page

    response = client.post(reverse("plenary_staff:screen_links"), {"congress": item.congress.pk}, follow=True)

    new = _key(item.congress)
    assert new != old
    assert "The screens have a new key" in response.content.decode()
    assert _hall("screen", new) in response.content.decode()
    assert client.get(_hall("screen", old)).status_code == 404


def test_a_hall_without_links_gets_them_from_the_page(client):
    congress = CongressFactory()
    client.force_login(SecretariatUserFactory())
    url = reverse("plenary_staff:screen_links")
    assert "The hall has no screen links yet." in client.get(url, {"congress": congress.pk}).content.decode()

    response = client.post(url, {"congress": congress.pk}, follow=True)

    assert "The links of the hall screen and the lower third are ready." in response.content.decode()
    assert _hall("screen", _key(congress)) in response.content.decode()


def test_who_may_only_look_sees_the_links_but_cannot_change_the_key(client, item):
    viewer = StaffUserFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_speakerslist"))
    client.force_login(viewer)
    url = reverse("plenary_staff:screen_links")
    old = _key(item.congress)

    page = client.get(url, {"congress": item.congress.pk}).content.decode()
    assert _hall("screen", old) in page and "screen-key-renew" not in page
    assert client.post(url, {"congress": item.congress.pk}).status_code == 403
    assert _key(item.congress) == old

    client.force_login(StaffUserFactory())
    assert client.get(url).status_code == 403


def test_the_next_item_before_the_hall_hands_the_screen_back_from_a_result(client, item, chair):
    congress = item.congress
    voters = present_delegates(congress, 2)
    url = _hall("screen_state", _key(congress))
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Forslag 4"), user=chair)
    for voter in voters:
        ballot_cast(poll_id=poll.pk, participant_id=voter.pk, answer="yes")
    poll = poll_close(poll=poll, user=chair)
    poll_sign_off(poll=poll, user=chair)
    poll_publish(poll=poll, user=chair)
    assert client.get(url).json()["vote"]["state"] == "published"

    following = AgendaItemFactory(congress=congress, title="Sak 5: Uttalelser")
    hall_item_set(congress=congress, item_id=following.pk, user=chair)

    document = client.get(url).json()
    assert document["vote"] is None and document["item"]["title"] == "Sak 5: Uttalelser"
