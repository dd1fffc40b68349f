"""Speaking statistics (issue 15, item 7): the pure counting (plenary/statistics.py, with properties), the selector's
rows, the staff page and its CSV."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from plenary import statistics
from plenary.apps import CHAIR_GROUP
from plenary.models import SpeakerRequest
from plenary.queue import Kind
from plenary.selectors import speaking_rows
from plenary.services import hall_item_set, speaker_request_add, speech_next, speech_pause
from plenary.statistics import Speech, clock_text, table, total
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory, SecretariatUserFactory, StaffUserFactory
from tests.helpers import nb, queries_of_page
from tests.plenary.factories import AgendaItemFactory, delegate_in_hall

T0 = datetime.datetime(2024, 2, 13, 10, 0, tzinfo=datetime.UTC)
NOW = T0 + datetime.timedelta(hours=3)


def speech(kind=Kind.SPEECH, seconds=60.0, *, at=0, paused=0.0, item=1, ended=True, **values) -> Speech:
    started = T0 + datetime.timedelta(seconds=at)
    return Speech(
        item=item,
        kind=kind,
        started=started,
        ended=started + datetime.timedelta(seconds=seconds + paused) if ended else None,
        paused_seconds=paused,
        **values,
    )


# --- The pure module -----------------------------------------------------------------------------------------------


def test_the_time_spoken_leaves_out_the_pauses_and_a_speech_in_progress_counts_up_to_now():
    assert speech(seconds=125, paused=30).seconds(NOW) == 125
    running = speech(at=10_000, ended=False)
    assert running.seconds(T0 + datetime.timedelta(seconds=10_090)) == 90
    paused_now = Speech(
        item=1,
        kind=Kind.SPEECH,
        started=T0,
        paused_seconds=5,
        paused_since=T0 + datetime.timedelta(seconds=65),
    )
    assert paused_now.seconds(NOW) == 60  # the clock stopped at the pause


def test_every_kind_is_counted_in_a_column_of_its_own_and_the_total_counts_them_all():
    speeches = [
        speech(Kind.SPEECH, 300, gender="female"),
        speech(Kind.REPLY, 60, gender="male"),
        speech(Kind.REPLY, 45, gender="female"),
        speech(Kind.ANSWER, 50, gender="female"),
        speech(Kind.POINT_OF_ORDER, 30, gender="male"),
    ]
    by_gender = table(speeches, "gender", NOW, order=["female", "male", "other"])
    assert [row.key for row in by_gender.rows] == ["female", "male"]
    women, men = by_gender.rows
    assert (women.of(Kind.SPEECH), women.of(Kind.REPLY), women.of(Kind.ANSWER), women.count) == (1, 1, 1, 3)
    assert (men.of(Kind.REPLY), men.of(Kind.POINT_OF_ORDER), men.count) == (1, 1, 2)
    assert women.seconds == 395 and men.seconds == 90
    assert by_gender.total.count == 5 and by_gender.total.seconds == 485
    assert women.count_share == pytest.approx(60.0)
    assert women.time_share == pytest.approx(100 * 395 / 485)


def test_rows_follow_the_order_given_then_the_longest_and_the_value_nobody_stated_comes_last():
    speeches = [
        speech(seconds=10, party=""),
        speech(seconds=30, party="Sp"),
        speech(seconds=90, party="H"),
        speech(seconds=50, party="Ap"),
    ]
    assert [row.key for row in table(speeches, "party", NOW).rows] == ["H", "Ap", "Sp", ""]
    assert [row.key for row in table(speeches, "party", NOW, order=["Sp"]).rows] == ["Sp", "H", "Ap", ""]


def test_no_speeches_give_empty_tables_without_shares():
    empty = table([], "county", NOW)
    assert empty.rows == [] and empty.total.count == 0 and empty.total.count_share is None


def test_per_item_rows_include_the_items_without_speeches_in_their_order():
    rows = statistics.by_item([speech(item=2, seconds=40), speech(item=2, seconds=20)], NOW, items=[1, 2, 3])
    assert [(row.key, row.count, row.seconds) for row in rows] == [("1", 0, 0), ("2", 2, 60), ("3", 0, 0)]
    assert rows[1].count_share == 100


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (59.6, "1:00"), (61, "1:01"), (3599, "59:59"), (3600, "1:00:00"), (3725, "1:02:05"), (-3, "0:00")],
)
def test_durations_read_as_a_clock(seconds, text):
    assert clock_text(seconds) == text


values = st.sampled_from(["", "a", "b", "c"])
speeches_strategy = st.lists(
    st.builds(
        speech,
        kind=st.sampled_from(statistics.KINDS),
        seconds=st.floats(min_value=0, max_value=3600, allow_nan=False),
        at=st.integers(min_value=0, max_value=20_000),
        paused=st.floats(min_value=0, max_value=300, allow_nan=False),
        item=st.integers(min_value=1, max_value=4),
        ended=st.booleans(),
        gender=values,
        county=values,
        party=values,
        role=values,
    ),
    max_size=40,
)


@given(speeches_strategy)
def test_every_dimension_adds_up_to_the_total(speeches):
    now = T0 + datetime.timedelta(days=1)
    everything = total(speeches, now)
    for dimension in statistics.DIMENSIONS:
        result = table(speeches, dimension, now)
        assert result.total == everything
        assert sum(row.count for row in result.rows) == everything.count == len(speeches)
        assert sum(row.seconds for row in result.rows) == pytest.approx(everything.seconds)
        for kind in statistics.KINDS:
            assert sum(row.of(kind) for row in result.rows) == everything.of(kind)
        assert sum(everything.of(kind) for kind in statistics.KINDS) == everything.count
        assert len({row.key for row in result.rows}) == len(result.rows)
        if speeches:
            assert sum(row.count_share for row in result.rows) == pytest.approx(100)
        if everything.seconds > 0:
            assert sum(row.time_share for row in result.rows) == pytest.approx(100)
    by_item = statistics.by_item(speeches, now, items=[1, 2, 3, 4])
    assert sum(row.count for row in by_item) == everything.count


# --- The selector, the page and the CSV --------------------------------------------------------------------------


def given_request(item, *, participant=None, name="", kind=Kind.SPEECH, at=0, seconds=60, paused=0.0, answers=None):
    """A request that has been given: started ``at`` seconds after ten, spoke ``seconds`` plus ``paused``."""
    order = SpeakerRequest.objects.filter(item=item).count() + 1
    started = T0 + datetime.timedelta(seconds=at)
    return SpeakerRequest.objects.create(
        item=item,
        participant=participant,
        speaker_name=name,
        kind=kind,
        state=SpeakerRequest.State.DONE,
        order=order,
        asked_at=started,
        started_at=started,
        ended_at=started + datetime.timedelta(seconds=seconds + paused),
        paused_seconds=paused,
        answers=answers,
    )


@pytest.fixture
def debate():
    """Two items: Åse Ødegård (Ap, Agder, female) speaks twice and gets a reply from Bjørn (H, Bergen county, male);
    a youth representative who is not a participant speaks on the second item."""
    congress = CongressFactory(name="Landstinget 2024")
    agder = CountyFactory(name="Agder", number=42)
    vestland = CountyFactory(name="Vestland", number=46)
    ase = ParticipantFactory(
        congress=congress, first_name="Åse", last_name="Ødegård", gender="female", party="Ap", county=agder
    )
    bjorn = ParticipantFactory(
        congress=congress, first_name="Bjørn", last_name="Brå", gender="male", party="H", county=vestland
    )
    board = ParticipantFactory(
        congress=congress, first_name="Siv", last_name="Styre", gender="", party="", role="board_member", county=None
    )
    first = AgendaItemFactory(congress=congress, number=1, title="Politisk debatt")
    second = AgendaItemFactory(congress=congress, number=2, title="Uttalelser")
    speech_one = given_request(first, participant=ase, at=0, seconds=300)
    given_request(first, participant=bjorn, kind=Kind.REPLY, at=310, seconds=60, answers=speech_one)
    given_request(first, participant=ase, kind=Kind.ANSWER, at=380, seconds=45, answers=speech_one)
    given_request(first, participant=board, kind=Kind.POINT_OF_ORDER, at=430, seconds=30, paused=20)
    given_request(second, name="Ungdomstinget v/ Mina Ung", at=1000, seconds=240)
    SpeakerRequest.objects.create(  # withdrawn: never counted
        item=second, participant=bjorn, kind=Kind.SPEECH, state=SpeakerRequest.State.WITHDRAWN, order=9, asked_at=T0
    )
    return congress, first, second


@pytest.mark.django_db
def test_the_selector_reads_the_given_requests_with_the_speakers_in_one_query(debate, django_assert_num_queries):
    congress, first, _second = debate
    with django_assert_num_queries(1):
        speaking = speaking_rows(congress)
    assert len(speaking.speeches) == 5
    assert speaking.county_order == ["Agder", "Vestland"]
    by_role = table(speaking.speeches, "role", NOW)
    assert {row.key: row.count for row in by_role.rows} == {"delegate": 3, "board_member": 1, "": 1}
    by_gender = table(speaking.speeches, "gender", NOW)
    # The board member stated no gender ("other or not stated"); the youth representative is not a participant.
    assert {row.key: row.count for row in by_gender.rows} == {"female": 2, "male": 1, "other": 1, "": 1}
    assert total(speaking.speeches, NOW).seconds == 300 + 60 + 45 + 30 + 240
    assert len(speaking_rows(congress, item=first).speeches) == 4


@pytest.mark.django_db
def test_a_speech_given_through_the_services_counts_and_runs_until_it_ends():
    congress = CongressFactory()
    item = AgendaItemFactory(congress=congress)
    chair = SecretariatUserFactory()
    hall_item_set(congress=congress, item_id=item.pk, user=None)
    speaker_request_add(item=item, kind=Kind.SPEECH, participant=delegate_in_hall(congress, party="Sp"))
    given = speech_next(congress=congress, expected_speaking_id=None, user=chair)
    speech_pause(congress=congress, request_id=given.pk, user=chair)
    (running,) = speaking_rows(congress).speeches
    assert running.party == "Sp" and running.ended is None and running.paused_since is not None
    assert running.seconds(NOW + datetime.timedelta(days=1000)) < 5  # paused: the clock stands still


@pytest.fixture
def chair_client(client):
    user = StaffUserFactory()
    from core.groups import staff_groups_ensure

    staff_groups_ensure()
    user.groups.add(Group.objects.get(name=CHAIR_GROUP))
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_page_shows_the_tables_in_bokmal_for_the_chairs(debate, chair_client):
    congress, _first, _second = debate
    response = chair_client.get(reverse("plenary_staff:statistics"), {"congress": congress.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert nb("Speaking statistics") in page
    for title in ("By agenda item", "By gender", "By county", "By party", "By role"):
        assert nb(title) in page
    assert "Åse" not in page  # statistics, not a list of names
    assert "Agder" in page and "Vestland" in page
    assert nb("Not a participant (given the floor by the chair)") in page
    assert "11:15" in page  # 300 + 60 + 45 + 30 + 240 seconds
    assert "1. Politisk debatt" in page


@pytest.mark.django_db
def test_one_item_and_the_queries_do_not_grow_with_the_speeches(debate, secretariat_client):
    congress, first, _second = debate
    url = f"{reverse('plenary_staff:statistics')}?congress={congress.pk}&item={first.pk}"
    response = secretariat_client.get(url)
    assert response.status_code == 200
    assert "7:15" in response.content.decode()  # the first item only: 300 + 60 + 45 + 30
    before = queries_of_page(secretariat_client, url)
    for number in range(15):
        given_request(first, participant=ParticipantFactory(congress=congress), at=2000 + 100 * number)
    assert queries_of_page(secretariat_client, url) == before
    other = AgendaItemFactory()  # of another congress
    missing = secretariat_client.get(reverse("plenary_staff:statistics"), {"congress": congress.pk, "item": other.pk})
    assert missing.status_code == 404


@pytest.mark.django_db
def test_the_csv_names_the_values_in_the_users_language_and_adds_up(debate, secretariat_client):
    congress, _first, _second = debate
    response = secretariat_client.get(reverse("plenary_staff:statistics"), {"congress": congress.pk, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[:2] == [nb("Table"), nb("Value")]
    assert nb("Points of order") in header
    by_gender = [row for row in rows[1:] if row[0] == nb("Gender")]
    assert [row[1] for row in by_gender] == [
        nb("Female"),
        nb("Male"),
        nb("Other or not stated"),
        nb("Not a participant"),
        nb("Total"),
    ]
    count_column = header.index(nb("Times at the rostrum"))
    seconds_column = header.index(nb("Speaking time (seconds)"))
    assert sum(int(row[count_column]) for row in by_gender[:-1]) == int(by_gender[-1][count_column]) == 5
    assert int(by_gender[-1][seconds_column]) == 675
    assert "Agder" in text


@pytest.mark.django_db
def test_a_cell_that_looks_like_a_formula_is_escaped(secretariat_client):
    congress = CongressFactory()
    item = AgendaItemFactory(congress=congress)
    given_request(item, participant=ParticipantFactory(congress=congress, party="=HYPERLINK(1)"))
    response = secretariat_client.get(reverse("plenary_staff:statistics"), {"congress": congress.pk, "format": "csv"})
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


@pytest.mark.django_db
def test_staff_without_the_permission_are_refused(client):
    user = StaffUserFactory()
    client.force_login(user)
    assert client.get(reverse("plenary_staff:statistics")).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_speakerrequest"))
    assert client.get(reverse("plenary_staff:statistics")).status_code == 200


@pytest.mark.django_db
def test_without_a_congress_the_page_says_so(secretariat_client):
    response = secretariat_client.get(reverse("plenary_staff:statistics"))
    assert response.status_code == 200
    assert nb("There is no congress yet.") in response.content.decode()
