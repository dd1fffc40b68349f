"""The chair's console (plenary/console_views.py): who may open it, every action through the view with its message,
the refusals in words, two consoles acting at once, the state document with its 304, the query counts, the voting
list and its "Open vote" (elections/staff_views.py: decision_open)."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agenda.models import AgendaItem
from committees.models import Outcome, Recommendation
from committees.services import amendment_recommend, statement_record_outcome
from core.groups import SECRETARIAT_GROUP, staff_groups_ensure
from elections.models import Poll
from elections.services import poll_create_decision, poll_open
from plenary.apps import CHAIR_GROUP
from plenary.models import SpeakerRequest, SpeakersList
from plenary.services import (
    hall_item_set,
    speaker_request_add,
    speaker_request_withdraw,
    speech_next,
    speech_pause,
)
from tests.committees.factories import delegate, load_document, submit_amendment
from tests.elections.factories import present_delegates
from tests.factories import CongressFactory, ParticipantFactory, StaffUserFactory, regional_staff_user
from tests.helpers import queries_of_page
from tests.plenary.factories import AgendaItemFactory, delegate_in_hall

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "client_prefers_english")]

Kind = SpeakerRequest.Kind
State = SpeakerRequest.State
CONSOLE = reverse("plenary_staff:console")


def staff_in(group: str, **fields):
    staff_groups_ensure()
    user = StaffUserFactory(**fields)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def chair():
    return staff_in(CHAIR_GROUP, first_name="Dina", last_name="Dirigent")


@pytest.fixture
def console(client, chair):
    client.force_login(chair)
    return client


@pytest.fixture
def item():
    item = AgendaItemFactory(congress=CongressFactory(), title="Generaldebatt")
    hall_item_set(congress=item.congress, item_id=item.pk, user=None)
    return item


def action_url(congress) -> str:
    return reverse("plenary_staff:console_action", args=[congress.pk])


def state_url(congress) -> str:
    return reverse("plenary_staff:console_state", args=[congress.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def act(client, item, action: str, /, **data):
    """Press a console button: the POST, then the page it redirects to."""
    response = client.post(action_url(item.congress), {"action": action, **data}, follow=True)
    assert response.status_code == 200
    return response


def speaking_id(item) -> str:
    speaking = SpeakerRequest.objects.filter(item=item, state=State.SPEAKING).first()
    return str(speaking.pk) if speaking else ""


def waiting_names(item) -> list[str]:
    from plenary import selectors

    return [w.request.name for w in selectors.item_list(item).waiting]


# --- Who may use it ---------------------------------------------------------------------------------------------


def test_the_chairs_and_the_secretariat_run_it_a_regional_office_may_not(client, item):
    for user in (staff_in(CHAIR_GROUP), staff_in(SECRETARIAT_GROUP)):
        client.force_login(user)
        assert client.get(CONSOLE).status_code == 200
        assert client.get(state_url(item.congress)).status_code == 200
    client.force_login(regional_staff_user())
    assert client.get(CONSOLE).status_code == 403
    assert client.get(state_url(item.congress)).status_code == 403
    assert client.post(action_url(item.congress), {"action": "next", "speaking": ""}).status_code == 403
    assert not SpeakerRequest.objects.filter(state=State.SPEAKING).exists()

    anonymous = Client()
    for response in (anonymous.get(CONSOLE), anonymous.post(action_url(item.congress), {"action": "next"})):
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_admin_index_links_to_the_console(console):
    assert CONSOLE in console.get(reverse("admin:index")).content.decode()


# --- The page and the actions -----------------------------------------------------------------------------------


def test_the_page_shows_the_item_the_speaker_with_the_clock_and_the_queue(console, item, chair):
    anne = delegate_in_hall(item.congress, first_name="Anne", last_name="Aas", party="Sp")
    bo = delegate_in_hall(item.congress, first_name="Bo", last_name="Berg")
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=anne)
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=bo)
    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    cato = delegate_in_hall(item.congress, first_name="Cato", last_name="Cruz")
    speaker_request_add(item=item, kind=Kind.REPLY, participant=cato)

    page = console.get(CONSOLE)
    html = page.content.decode()
    assert page.context["document"]["item"]["id"] == item.pk
    assert "Anne Aas" in html and "Cato Cruz" in html and "Generaldebatt" in html
    assert page.context["clock"].text == "5:00" and page.context["clock"].state == "running"
    assert [entry["name"] for entry in page.context["waiting"]] == ["Cato Cruz", "Bo Berg"]
    assert [entry["kind_label"] for entry in page.context["waiting"]] == ["Reply", "Speech"]
    assert [entry["time"] for entry in page.context["waiting"]] == ["1:00", "5:00"]
    assert "The list is open" in html
    # The hidden fields carry who the console saw speaking.
    speaking = SpeakerRequest.objects.get(state=State.SPEAKING)
    assert f'name="speaking" value="{speaking.pk}"' in html
    assert 'aria-keyshortcuts="N"' in html and "<kbd>L</kbd>" in html


def test_a_debate_from_the_console(console, item):
    anne = delegate_in_hall(item.congress, first_name="Anne", last_name="Aas")
    bo = delegate_in_hall(item.congress, first_name="Bo", last_name="Berg")
    cato = delegate_in_hall(item.congress, first_name="Cato", last_name="Cruz")

    # Added by number, by a name search, and someone who is not a participant.
    response = act(console, item, "add", item=item.pk, kind=Kind.SPEECH, q=str(anne.number))
    assert messages_of(response) == ["Anne Aas is on the list (speech)."]
    response = console.post(
        action_url(item.congress), {"action": "add", "item": item.pk, "kind": "speech", "q": "Berg"}
    )
    assert response.status_code == 302 and "q=Berg" in response["Location"]
    results = console.get(response["Location"])
    assert [p.pk for p in results.context["hits"]] == [bo.pk]
    act(console, item, "add", item=item.pk, kind=Kind.SPEECH, participant=bo.pk)
    response = act(console, item, "add", item=item.pk, kind=Kind.SPEECH, name="Ungdomstoppmøtet", affiliation="KS Ung")
    assert messages_of(response) == ["Ungdomstoppmøtet is on the list (speech)."]
    assert waiting_names(item) == ["Anne Aas", "Bo Berg", "Ungdomstoppmøtet"]

    # Next speaker, then a reply added by the desk, the pause, the resume, the stop.
    response = act(console, item, "next", speaking="")
    assert messages_of(response) == ["Anne Aas has the floor (speech)."]
    anne_speech = SpeakerRequest.objects.get(participant=anne)
    act(console, item, "add", item=item.pk, kind=Kind.REPLY, q=str(cato.number))
    assert waiting_names(item) == ["Cato Cruz", "Bo Berg", "Ungdomstoppmøtet"]
    assert messages_of(act(console, item, "pause", request=anne_speech.pk)) == ["The clock of Anne Aas is paused."]
    anne_speech.refresh_from_db()
    assert anne_speech.paused_since is not None
    assert messages_of(act(console, item, "resume", request=anne_speech.pk)) == ["The clock of Anne Aas runs again."]
    assert messages_of(act(console, item, "stop", request=anne_speech.pk)) == ["The speech of Anne Aas has ended."]
    anne_speech.refresh_from_db()
    assert anne_speech.state == State.DONE and anne_speech.paused_since is None

    # Move, remove, put back, give the floor to a chosen row.
    outsider = SpeakerRequest.objects.get(speaker_name="Ungdomstoppmøtet")
    act(console, item, "up", request=outsider.pk)
    assert waiting_names(item) == ["Cato Cruz", "Ungdomstoppmøtet", "Bo Berg"]
    act(console, item, "down", request=outsider.pk)
    assert waiting_names(item) == ["Cato Cruz", "Bo Berg", "Ungdomstoppmøtet"]
    bo_speech = SpeakerRequest.objects.get(participant=bo)
    assert messages_of(act(console, item, "withdraw", request=bo_speech.pk)) == ["Bo Berg is taken off the list."]
    page = console.get(CONSOLE)
    assert [entry["name"] for entry in page.context["document"]["withdrawn"]] == ["Bo Berg"]
    assert messages_of(act(console, item, "restore", request=bo_speech.pk)) == ["Bo Berg is back on the list."]
    response = act(console, item, "give", request=bo_speech.pk, speaking="")
    assert messages_of(response) == ["Bo Berg has the floor (speech)."]
    assert waiting_names(item) == ["Cato Cruz", "Ungdomstoppmøtet"]

    # Close the list (strek): a new speech is refused in words; reopen.
    assert messages_of(act(console, item, "close", item=item.pk)) == ["The list of speakers is closed (strek)."]
    assert SpeakersList.objects.get(item=item).closed_by is not None
    dina = delegate_in_hall(item.congress, first_name="Dina")
    response = act(console, item, "add", item=item.pk, kind=Kind.SPEECH, participant=dina.pk)
    assert messages_of(response) == ["The list of speakers is closed."]
    assert "The list was closed (strek) at" in response.content.decode()
    assert messages_of(act(console, item, "reopen", item=item.pk)) == ["The list of speakers is open again."]


def test_the_item_before_the_hall_is_changed_from_the_console(console, item):
    other = AgendaItemFactory(congress=item.congress, title="Uttalelser")
    response = act(console, item, "item", item=other.pk)
    assert messages_of(response) == [f"Before the hall: {other}."]
    assert response.context["document"]["item"]["id"] == other.pk
    response = act(console, item, "item", item="")
    assert messages_of(response) == ["No item is before the hall."]
    assert "Choose the item before the hall" in response.content.decode()


def test_refusals_are_shown_in_words(console, item, chair):
    anne = delegate_in_hall(item.congress, first_name="Anne", last_name="Aas")
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=anne)
    speech = speech_next(congress=item.congress, expected_speaking_id=None, user=chair)

    # Another item while Anne speaks; a reply to her own speech; a number nobody has; an empty add.
    other = AgendaItemFactory(congress=item.congress)
    assert messages_of(act(console, item, "item", item=other.pk)) == [
        "Anne Aas is still speaking on the item before the hall. End the speech first."
    ]
    assert messages_of(act(console, item, "add", item=item.pk, kind=Kind.REPLY, participant=anne.pk)) == [
        "Nobody replies to their own speech."
    ]
    assert messages_of(act(console, item, "add", item=item.pk, kind=Kind.SPEECH, q="9999")) == [
        "Nobody has the participant number 9999."
    ]
    assert messages_of(act(console, item, "add", item=item.pk, kind=Kind.SPEECH, q="")) == [
        "Type a participant number or a name, or give the name of someone else."
    ]
    # Pause twice (a second console's press): the second is refused.
    speech_pause(congress=item.congress, request_id=speech.pk, user=chair)
    assert messages_of(act(console, item, "pause", request=speech.pk)) == ["The clock is already paused."]
    # Withdrawn from the congress: the desk cannot add them.
    gone = ParticipantFactory(congress=item.congress, first_name="Gone", last_name="Away", status="withdrawn")
    assert messages_of(act(console, item, "add", item=item.pk, kind=Kind.SPEECH, participant=gone.pk)) == [
        "Gone Away has withdrawn from the congress."
    ]


def test_two_consoles_pressing_next_at_once_make_one_step(item, chair):
    anne = delegate_in_hall(item.congress, first_name="Anne", last_name="Aas")
    bo = delegate_in_hall(item.congress, first_name="Bo", last_name="Berg")
    for person in (anne, bo):
        speaker_request_add(item=item, kind=Kind.SPEECH, participant=person)
    first, second = Client(), Client()
    first.force_login(chair)
    second.force_login(staff_in(CHAIR_GROUP))
    # Both consoles show nobody speaking: both forms say so.
    for client in (first, second):
        assert client.get(CONSOLE).context["document"]["speaking"] is None

    one = act(first, item, "next", speaking="")
    two = act(second, item, "next", speaking="")
    assert messages_of(one) == ["Anne Aas has the floor (speech)."]
    assert messages_of(two) == ["Anne Aas has already been given the floor. The console now shows the list as it is."]
    assert list(SpeakerRequest.objects.filter(item=item, state=State.SPEAKING)) == [
        SpeakerRequest.objects.get(participant=anne)
    ]
    assert waiting_names(item) == ["Bo Berg"]
    # The second console, now showing Anne, moves on: one step.
    act(second, item, "next", speaking=speaking_id(item))
    assert SpeakerRequest.objects.get(state=State.SPEAKING).participant == bo

    # Stop pressed on two consoles: the second is told.
    bo_speech = SpeakerRequest.objects.get(participant=bo)
    act(first, item, "stop", request=bo_speech.pk)
    assert messages_of(act(second, item, "stop", request=bo_speech.pk)) == [
        "Bo Berg is no longer speaking. The console now shows the list as it is."
    ]


# --- The state document -----------------------------------------------------------------------------------------


def test_the_state_document_answers_304_until_something_changes(console, item):
    anne = delegate_in_hall(item.congress, first_name="Anne", last_name="Aas")
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=anne)
    response = console.get(state_url(item.congress))
    assert response.status_code == 200
    document = response.json()
    assert document["item"]["id"] == item.pk and document["vote"] is None
    assert [entry["name"] for entry in document["waiting"]] == ["Anne Aas"]
    assert document["waiting"][0]["allowed_seconds"] == 300
    etag = response["ETag"]
    assert console.get(state_url(item.congress), headers={"if-none-match": etag}).status_code == 304

    act(console, item, "next", speaking="")
    changed = console.get(state_url(item.congress), headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["speaking"]["name"] == "Anne Aas"
    etag = changed["ETag"]

    # A vote opened elsewhere changes the document too.
    present_delegates(item.congress, 2)
    poll = poll_create_decision(congress=item.congress, title="Vedtak")
    poll_open(poll=poll, user=None)
    opened = console.get(state_url(item.congress), headers={"if-none-match": etag})
    assert opened.status_code == 200 and opened.json()["vote"]["title"] == "Vedtak"


def _debate(item, chair, count: int) -> None:
    people = [delegate_in_hall(item.congress) for _number in range(count)]
    for person in people:
        speaker_request_add(item=item, kind=Kind.SPEECH, participant=person)
    speech_next(congress=item.congress, expected_speaking_id=None, user=chair)
    speaker_request_add(item=item, kind=Kind.REPLY, participant=people[-1])
    speaker_request_add(item=item, kind=Kind.SPEECH, speaker_name="Gjest", user=chair)
    speaker_request_withdraw(request_id=SpeakerRequest.objects.filter(item=item).last().pk, congress=item.congress)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_page_and_the_state_document_take_the_same_queries_for_5_or_30_requests(client, chair):
    counts = []
    for size in (5, 30):
        item = AgendaItemFactory(congress=CongressFactory())
        hall_item_set(congress=item.congress, item_id=item.pk, user=None)
        _debate(item, chair, size)
        client.force_login(chair)
        page = queries_of_page(client, f"{CONSOLE}?congress={item.congress.pk}")
        state = _queries(client, state_url(item.congress))
        counts.append((page, state))
    assert counts[0] == counts[1], counts
    assert counts[0][1] <= 16, counts


# --- The voting list --------------------------------------------------------------------------------------------


@pytest.fixture
def amendments_item(item, chair):
    document = load_document(item.congress)
    proposer = delegate(item.congress, first_name="Per", last_name="Forslag")
    first = submit_amendment(document, proposer, line_from=6, line_to=7)
    second = submit_amendment(document, proposer, line_from=2, line_to=3, text="Annen tekst.")
    amendment_recommend(amendment=first, recommendation=Recommendation.ADOPT_AMENDED, user=chair, text="Bedre tekst.")
    amendment_recommend(amendment=second, recommendation=Recommendation.REJECT, user=chair)
    item.kind = AgendaItem.Kind.POLITICAL_DOCUMENT
    item.save(update_fields=["kind"])
    return item


def test_the_voting_list_shows_the_amendments_with_the_recommendations(console, amendments_item):
    page = console.get(CONSOLE)
    rows = page.context["voting_list"]
    # In document order: lines 2 to 3 before lines 6 to 7.
    assert [row.title for row in rows] == ["Amendment 2", "Amendment 1"]
    assert [row.recommendation for row in rows] == ["Reject", "Adopt as amended by the committee"]
    assert [len(row.subjects) for row in rows] == [1, 2]
    assert rows[1].subjects[1].key.endswith(":amended")
    # A chair without the election officials' permission sees the list, not the buttons.
    assert "Votes are opened by the election officials." in page.content.decode()
    assert reverse("elections_staff:decision_open") not in page.content.decode()


def test_open_vote_from_the_console(client, amendments_item):
    secretariat = staff_in(SECRETARIAT_GROUP)
    client.force_login(secretariat)
    present_delegates(amendments_item.congress, 3)
    page = client.get(CONSOLE)
    first = page.context["voting_list"][0]
    back = f"{CONSOLE}?congress={amendments_item.congress.pk}#console-votes"
    open_url = reverse("elections_staff:decision_open")
    data = {"congress": amendments_item.congress.pk, "subject": first.subjects[0].key, "next": back}

    response = client.post(open_url, data)
    assert response.status_code == 302 and response["Location"] == back
    poll = Poll.objects.get(subject_key=first.subjects[0].key)
    assert poll.state == Poll.State.OPEN and poll.title == "Amendment 2 (lines 2–3)" and poll.eligible_count == 3
    page = client.get(CONSOLE)
    assert messages_of(page) == ["“Amendment 2 (lines 2–3)” is open: 3 delegates may vote."]
    assert page.context["vote"] == poll
    assert page.context["voting_list"][0].subjects[0].poll == poll

    # The same subject again, and another while this one is open: refused, nothing created.
    client.post(open_url, data)
    assert messages_of(client.get(CONSOLE)) == ["This subject has been decided or already has a vote."]
    second = page.context["voting_list"][1].subjects[0].key
    client.post(open_url, {**data, "subject": second})
    assert messages_of(client.get(CONSOLE)) == [
        "“Amendment 2 (lines 2–3)” is still open: close it before opening another vote."
    ]
    assert Poll.objects.count() == 1

    # A next that leads elsewhere is not followed.
    response = client.post(open_url, {**data, "subject": second, "next": "https://example.com/"})
    assert response["Location"].startswith(reverse("elections_staff:desk"))


def test_open_vote_needs_the_election_officials_permission(console, amendments_item):
    subject = console.get(CONSOLE).context["voting_list"][0].subjects[0].key
    response = console.post(
        reverse("elections_staff:decision_open"), {"congress": amendments_item.congress.pk, "subject": subject}
    )
    assert response.status_code == 403
    assert not Poll.objects.exists()


def test_statements_item_lists_the_statements_with_their_outcome(console, item, chair):
    from committees.models import Statement

    proposer = delegate(item.congress, first_name="Siri", last_name="Skriver")
    statement = Statement.objects.create(
        congress=item.congress,
        number=1,
        title="Om sykehus",
        text="Tekst.",
        proposer_kind=Statement.ProposerKind.DELEGATES,
        submitter=proposer,
    )
    statement_record_outcome(statement=statement, outcome=Outcome.ADOPTED, user=chair)
    item.kind = AgendaItem.Kind.STATEMENTS
    item.save(update_fields=["kind"])
    rows = console.get(CONSOLE).context["voting_list"]
    assert [(row.title, row.outcome, row.subjects) for row in rows] == [("1. Om sykehus", "Adopted as proposed", [])]
