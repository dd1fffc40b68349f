"""The minutes of the congress (issue 15, item 8), read back from the PDF: the constitution, every item with its
documents, decision and speeches (each once, in order), the proposals and their outcomes, the votes with the polls'
own figures, the signature lines; rendered in under 5 s; served to the chairs and the secretariat."""

import datetime
import re
import time

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agenda.models import AgendaDocument, AgendaItem, Congress
from committees.services import (
    amendment_recommend,
    amendment_record_outcome,
    statement_record_outcome,
    statement_register,
)
from core.groups import staff_groups_ensure
from core.pdf import render_pdf
from elections.models import Poll
from elections.printing import VOTED_STATES
from elections.results import result_view
from elections.services import ballot_cast, poll_close, poll_create_decision, poll_open, poll_publish, poll_sign_off
from plenary import selectors
from plenary.apps import CHAIR_GROUP
from plenary.models import Officer, SpeakerRequest
from plenary.printing import render_minutes
from tests.committees.factories import load_document, submit_amendment
from tests.elections.factories import present_delegates
from tests.factories import CongressFactory, ParticipantFactory, StaffUserFactory
from tests.helpers import nb, pdf_text
from tests.plenary.factories import AgendaItemFactory

pytestmark = pytest.mark.django_db

Kind = SpeakerRequest.Kind
# 09:00 UTC is 10:00 in Oslo (UTC+1 in February), where the minutes print their times.
T0 = datetime.datetime(2024, 2, 13, 9, 0, tzinfo=datetime.UTC)
OSLO = datetime.timezone(datetime.timedelta(hours=1))
SPEAKERS = 30


def timed_minutes(congress, language: str) -> tuple[bytes, int, float]:
    """The minutes and the seconds they took to render. WeasyPrint and its fonts are loaded first, once per process
    as in a running web server. The time is the process's CPU time: rendering is single-threaded, so on a server of
    its own that is the time a user waits, while the wall clock of a test machine shared by parallel test workers
    (two cores here) measures the other workers too."""
    render_pdf("<p>…</p>")
    start = time.process_time()
    pdf, pages = render_minutes(congress, language=language)
    return pdf, pages, time.process_time() - start


def given(item, participant, kind=Kind.SPEECH, *, at, seconds, paused=0.0, answers=None, ended=True):
    order = SpeakerRequest.objects.filter(item=item).count() + 1
    started = T0 + datetime.timedelta(seconds=at)
    return SpeakerRequest.objects.create(
        item=item,
        participant=participant,
        kind=kind,
        state=SpeakerRequest.State.DONE if ended else SpeakerRequest.State.SPEAKING,
        order=order,
        asked_at=started,
        started_at=started,
        ended_at=started + datetime.timedelta(seconds=seconds + paused) if ended else None,
        paused_seconds=paused,
        answers=answers,
    )


@pytest.fixture
def congress():
    return CongressFactory(
        name="Landstinget 2024",
        city="Trondheim",
        venue="Trondheim Spektrum",
        first_day=datetime.date(2024, 2, 13),
        last_day=datetime.date(2024, 2, 14),
    )


@pytest.fixture
def officers(congress):
    chair = ParticipantFactory(congress=congress, first_name="Åshild", last_name="Ærlig")
    Officer.objects.create(congress=congress, role=Officer.Role.CHAIR, participant=chair, title="ordfører i Bodø")
    Officer.objects.create(congress=congress, role=Officer.Role.CHAIR, name="Øyvind Ås", order=1)
    first = ParticipantFactory(congress=congress, first_name="Bård", last_name="Bø")
    second = ParticipantFactory(congress=congress, first_name="Gry", last_name="Grå")
    Officer.objects.create(congress=congress, role=Officer.Role.PROTOCOL_SIGNER, participant=first, order=0)
    Officer.objects.create(congress=congress, role=Officer.Role.PROTOCOL_SIGNER, participant=second, order=1)


@pytest.fixture
def debate(congress):
    """The general debate: 30 speakers, 40 times at the rostrum (30 speeches, 6 replies, 3 answers, a point of
    order), one speech every 6 minutes from 10:00 Oslo time."""
    item = AgendaItemFactory(
        congress=congress,
        number=2,
        title="Generell politisk debatt",
        kind=AgendaItem.Kind.GENERAL_DEBATE,
        decision="Debatten ble avsluttet. Årsmeldingen tas til orientering.",
    )
    AgendaDocument.objects.create(item=item, title="Årsmelding 2023 – økonomi", file=ContentFile(b"x", name="a.pdf"))
    speakers = [
        ParticipantFactory(congress=congress, first_name=f"Tale{number:02d}", last_name="Ødegård", party="Sp")
        for number in range(SPEAKERS)
    ]
    at = 0
    requests = []
    for number, speaker in enumerate(speakers):
        speech = given(item, speaker, at=at, seconds=300 if number == 0 else 170, paused=15 if number == 1 else 0)
        requests.append(speech)
        at += 360
        if number < 3:  # replies to the first three speeches, each answered
            for replier in speakers[number + 10 : number + 12]:
                requests.append(given(item, replier, Kind.REPLY, at=at, seconds=50, answers=speech))
                at += 60
            requests.append(given(item, speaker, Kind.ANSWER, at=at, seconds=40, answers=speech))
            at += 60
        if number == 5:
            requests.append(given(item, speakers[20], Kind.POINT_OF_ORDER, at=at, seconds=25))
            at += 60
    return item, speakers, requests


@pytest.fixture
def proposals(congress):
    item = AgendaItemFactory(congress=congress, number=3, title="Politisk dokument", kind="political_document")
    statements_item = AgendaItemFactory(congress=congress, number=4, title="Uttalelser", kind="statements")
    document = load_document(congress)
    proposer = ParticipantFactory(congress=congress, first_name="Sølvi", last_name="Forslag")
    amendment = submit_amendment(document, proposer)
    amendment_recommend(amendment=amendment, recommendation="adopt", user=None)
    amendment_record_outcome(amendment=amendment, outcome="adopted", user=None)
    statement = statement_register(
        congress=congress,
        title="Uttalelse om fjellandbruket",
        text="KS mener …",
        proposer_kind="ks_body",
        proposer_name="Hovedstyret",
    )
    statement_record_outcome(statement=statement, outcome="rejected", user=None)
    return item, statements_item


@pytest.fixture
def vote(congress):
    """A published yes/no decision: 3 yes, 1 no, 1 abstains."""
    official = StaffUserFactory(first_name="Dina", last_name="Dirigent")
    voters = present_delegates(congress, 5)
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Uttalelse om skolen"), user=official)
    for voter, answer in zip(voters, ["yes", "yes", "yes", "no", "abstain"], strict=True):
        ballot_cast(poll_id=poll.pk, participant_id=voter.pk, answer=answer)
    poll = poll_close(poll=poll, user=official)
    poll_sign_off(poll=poll, user=official)
    return poll_publish(poll=poll, user=official)


@pytest.fixture
def everything(congress, officers, debate, proposals, vote):
    AgendaItemFactory(
        congress=congress, number=1, title="Konstituering", kind="constitution", decision="Innkallingen ble godkjent."
    )
    return debate


def test_each_speech_appears_once_in_order_with_its_kind_and_time(congress, everything):
    _item, speakers, requests = everything
    pdf, pages, elapsed = timed_minutes(congress, "en")
    text = pdf_text(pdf)

    assert elapsed < 5, f"the minutes took {elapsed:.1f} s of CPU time"
    assert pages >= 2
    for speaker in speakers:
        given_count = sum(1 for request in requests if request.participant_id == speaker.pk)
        assert len(re.findall(rf"\b{speaker.first_name} Ødegård\b", text)) == given_count, speaker.first_name
    # In the order given, numbered 1 to 40 within the item.
    positions = [
        text.index(f"{number} {request.started_at.astimezone(OSLO):%H:%M}–")
        for number, request in enumerate(requests, start=1)
    ]
    assert positions == sorted(positions)
    assert len(requests) == 40
    assert "1 10:00–10:05 Tale00 Ødegård" in text and "Speech 5:00" in text
    assert "Tale01 Ødegård" in text and "2:50" in text  # 170 s spoken, the 15 s pause left out
    assert text.count("Reply") >= 6 and text.count("Answer to the replies") == 3
    assert text.count("Point of order") == 1
    assert "Item 2: Generell politisk debatt" in text
    assert "Årsmelding 2023 – økonomi" in text
    assert "Debatten ble avsluttet. Årsmeldingen tas til orientering." in text
    assert "40 times at the rostrum" in text


def test_the_constitution_the_proposals_the_votes_and_the_signatures(congress, everything, vote):
    text = pdf_text(render_minutes(congress, language="en")[0])

    assert "Chairs Åshild Ærlig, ordfører i Bodø Øyvind Ås" in text
    assert "Sign the minutes Bård Bø Gry Grå" in text
    assert text.index("Item 1: Konstituering") < text.index("Item 2: Generell") < text.index("Item 3: Politisk")
    assert "Innkallingen ble godkjent." in text
    assert "Amendment 1, lines 6–7 (chapter 1) Sølvi Forslag" in text
    assert "Adopt Adopted as proposed" in text
    assert "Statement 1: Uttalelse om fjellandbruket Hovedstyret No recommendation Rejected" in text

    # The vote's figures are the poll's own, as the elections' protocol prints them.
    poll = Poll.objects.get(pk=vote.pk)
    with translation.override("en"):
        view = result_view(poll, candidates=[])
    figures = " ".join(f"{row.label} {row.votes} {row.percent}" for row in view.rows)
    assert f"Answer Votes % {figures} Abstentions {view.blank} Ballots counted {view.ballots}" in text
    assert "Yes 3 75.0 No 1 25.0 Abstentions 1 Ballots counted 5" in text
    assert view.outcome in text
    assert "Uttalelse om skolen" in text
    assert "Chair of the meeting" not in text  # the poll's own signature block is left out

    signatures = text[text.rindex("Signatures") :]
    assert "Place and date: Trondheim, 14 February 2024" in signatures
    assert signatures.index("Bård Bø") < signatures.index("Gry Grå")
    assert signatures.count("Signs the minutes") == 2


def test_in_bokmal_the_letters_aeoa_come_through(congress, everything):
    text = pdf_text(render_minutes(congress, language="nb")[0])
    for words in ("Åshild Ærlig", "Øyvind Ås", "Bård Bø", "Gry Grå", "Tale00 Ødegård", "Årsmelding 2023 – økonomi"):
        assert words in text
    assert nb("Signs the minutes") in text
    assert nb("Minutes of the congress").upper() in text


def test_a_congress_without_anything_yet_prints_what_is_missing(congress):
    text = pdf_text(render_minutes(congress, language="en")[0])
    assert "Chairs Not recorded yet. Sign the minutes Not recorded yet." in text
    assert "The congress has no agenda items yet." in text
    assert text.count("Signs the minutes") == 2  # two empty lines to sign on


def test_a_speech_being_given_is_printed_and_the_minutes_say_they_are_not_complete(congress, officers):
    item = AgendaItemFactory(congress=congress, number=1)
    speaker = ParticipantFactory(congress=congress, first_name="Pågår", last_name="Nå")
    given(item, speaker, at=0, seconds=0, ended=False)
    text = pdf_text(render_minutes(congress, language="en")[0])
    assert "10:00–… Pågår Nå" in text
    assert "A speech was being given when these minutes were printed: they are not complete." in text


def test_the_queries_do_not_grow_with_the_speeches(congress, everything):
    item, speakers, _requests = everything
    with CaptureQueriesContext(connection) as before:
        render_minutes(congress, language="en")
    for number in range(10):
        given(item, speakers[number], at=100_000 + 400 * number, seconds=100)
    AgendaItemFactory(congress=congress, number=9)
    with CaptureQueriesContext(connection) as after:
        render_minutes(congress, language="en")
    assert len(after.captured_queries) == len(before.captured_queries) <= 20


def test_the_chairs_get_the_pdf_inline_and_others_are_refused(client, congress, everything):
    user = StaffUserFactory()
    client.force_login(user)
    url = f"{reverse('plenary_staff:minutes')}?congress={congress.pk}"
    assert client.get(url).status_code == 403
    staff_groups_ensure()
    user.groups.add(Group.objects.get(name=CHAIR_GROUP))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "no-store" in response["Cache-Control"]
    assert "Tale00 Ødegård" in pdf_text(response.content)


# --- The demo: Landstinget 2024 with its general debate, proposals and votes ---------------------------------------


def test_the_demo_congress_minutes_hold_every_speech_once_and_the_polls_figures(seeded_demo):
    congress = Congress.objects.get(year=2024)
    given_requests = selectors.given_requests(congress)
    assert len(given_requests) >= 40
    pdf, _pages, elapsed = timed_minutes(congress, "nb")
    text = pdf_text(pdf)

    assert elapsed < 5, f"the minutes took {elapsed:.1f} s of CPU time"
    numbers: dict[int, int] = {}
    for request in given_requests:
        number = numbers[request.item_id] = numbers.get(request.item_id, 0) + 1
        row = f"{number} {request.started_at.astimezone(OSLO):%H:%M}–{request.ended_at.astimezone(OSLO):%H:%M}"
        assert text.count(f"{row} {request.name} ") == 1, row
    assert re.search("[æøåÆØÅ]", text)
    with translation.override("nb"):
        polls = list(Poll.objects.filter(congress=congress, state__in=VOTED_STATES).prefetch_related("candidates"))
        assert polls
        for poll in polls:
            view = result_view(poll, candidates=list(poll.candidates.all()))
            for row in view.rows:
                cells = " ".join(str(cell) for cell in (row.label, row.detail, row.votes, row.percent) if cell != "")
                assert cells in text, (poll.title, cells)
            assert view.outcome in text
