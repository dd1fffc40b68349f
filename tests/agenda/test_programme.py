"""The congress programme: the iCalendar helper, the public programme in bokmål and English, the personal
programme and its .ics download behind the personal link, the demo agenda, and one run in Chromium on a phone."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from playwright.sync_api import expect

from agenda import ics
from agenda.models import AgendaDocument, AgendaItem, Event
from agenda.selectors import agenda_items
from delegates import demo
from delegates.management.commands.seed_demo import Command as SeedDemo
from delegates.models import Participant, Registration
from delegates.services.links import personal_link_issue, personal_link_revoke_all
from tests.accessibility import assert_no_axe_violations
from tests.factories import CongressFactory, ParticipantFactory
from tests.helpers import queries_of_page

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def oslo(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2024, 2, day, hour, minute, tzinfo=OSLO)


# --- The iCalendar helper (pure) ----------------------------------------------------------------------------


def test_ics_escapes_backslash_semicolon_comma_and_newlines():
    assert ics.escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_ics_folds_long_lines_at_75_octets_without_splitting_characters():
    line = "SUMMARY:" + "æøå" * 40  # two octets per letter
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join([parts[0], *(part[1:] for part in parts[1:])]) == line  # unfolding gives the line back
    assert ics.fold("SHORT:line") == "SHORT:line"


def test_ics_calendar_has_crlf_lines_utc_times_and_one_vevent_per_event():
    events = [
        ics.CalendarEvent(
            uid="event-1@ks-landsting",
            starts_at=oslo(13, 15, 30),
            ends_at=oslo(13, 17, 30),
            summary="Landstinget; dag 1, del 2",
            location="Trondheim Spektrum, Sal A",
            description="1. Konstituering\n2. Leders tale",
        ),
        ics.CalendarEvent(uid="event-2@ks-landsting", starts_at=oslo(14, 9, 15), ends_at=oslo(14, 15), summary="X"),
    ]
    stamp = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    text = ics.calendar(events, stamp=stamp, name="Landstinget 2024")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # no bare LF or CR
    assert text.count("BEGIN:VEVENT") == 2
    assert "DTSTART:20240213T143000Z\r\n" in text
    assert "DTEND:20240213T163000Z\r\n" in text
    assert "DTSTAMP:20240102T030405Z\r\n" in text
    assert "SUMMARY:Landstinget\\; dag 1\\, del 2\r\n" in text
    assert "LOCATION:Trondheim Spektrum\\, Sal A\r\n" in text
    assert "DESCRIPTION:1. Konstituering\\n2. Leders tale\r\n" in text
    assert "LOCATION" not in text.split("BEGIN:VEVENT")[2]


def test_ics_refuses_naive_times():
    with pytest.raises(ValueError):
        ics.utc(datetime.datetime(2024, 2, 13, 15, 30))


# --- Data ---------------------------------------------------------------------------------------------------


@pytest.fixture
def week(db):
    return make_week()


def make_week() -> dict:
    congress = CongressFactory(name="Landstinget 2024")
    board = Event.objects.create(
        congress=congress,
        title="Hovedstyremøte",
        title_en="Executive board meeting",
        kind=Event.Kind.BOARD_MEETING,
        starts_at=oslo(11, 12),
        ends_at=oslo(11, 17),
        venue="Britannia",
        invited_roles=["board_member"],
    )
    summit = Event.objects.create(
        congress=congress,
        title="Kommunalpolitisk toppmøte",
        title_en="Municipal policy summit",
        kind=Event.Kind.POLICY_SUMMIT,
        starts_at=oslo(13, 8, 45),
        ends_at=oslo(13, 15),
        venue="Trondheim Spektrum",
        invited_roles=["delegate"],
    )
    session = Event.objects.create(
        congress=congress,
        title="Landstinget: leders tale",
        title_en="Landsting: the leader's speech",
        kind=Event.Kind.LANDSTING_SESSION,
        starts_at=oslo(13, 15, 30),
        ends_at=oslo(13, 17, 30),
        venue="Trondheim Spektrum",
        room="Sal A",
        invited_roles=["delegate"],
    )
    first = AgendaItem.objects.create(
        congress=congress,
        session=session,
        number=1,
        title="Konstituering",
        title_en="Constitution of the meeting",
        kind=AgendaItem.Kind.CONSTITUTION,
        rapporteur="Leder",
        planned_start=oslo(13, 15, 30),
        planned_minutes=15,
    )
    AgendaItem.objects.create(
        congress=congress,
        session=session,
        number=2,
        title="Leders tale",
        title_en="The leader's speech",
        kind=AgendaItem.Kind.LEADER_SPEECH,
        rapporteur="Leder",
        planned_start=oslo(13, 15, 45),
    )
    AgendaDocument.objects.create(item=first, title="Forretningsorden", file="agenda/2024/forretningsorden.pdf")
    return {"congress": congress, "board": board, "summit": summit, "session": session}


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


# --- The public programme -----------------------------------------------------------------------------------


def test_public_programme_in_bokmal_lists_the_days_times_and_the_agenda_under_its_session(client, week):
    response = client.get(reverse("agenda:programme"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Landstinget: leders tale" in body
    assert "Kommunalpolitisk toppmøte" in body
    assert '<time datetime="2024-02-13T15:30:00+01:00">15:30</time>' in body
    assert '<time datetime="2024-02-13">Tirsdag 13. februar 2024</time>' in body
    assert "Trondheim Spektrum, Sal A" in body
    # Days in order, each event under its day, the agenda items under the Landsting session only.
    assert body.index("Hovedstyremøte") < body.index("Kommunalpolitisk toppmøte") < body.index("Landstinget: leders")
    session_part = body[body.index("Landstinget: leders tale") :]
    assert session_part.index("Konstituering") < session_part.index("Leders tale")
    assert "Leder" in session_part
    assert "Forretningsorden" in session_part and "/media/" not in body  # named; delegates open it from the portal
    assert "Konstituering" not in body[: body.index("Landstinget: leders tale")]
    assert 'lang="nb"' in body


def test_public_programme_in_english_after_the_language_switch(client, week):
    english(client)
    body = client.get(reverse("agenda:programme")).content.decode()
    assert "Landsting: the leader&#x27;s speech" in body
    assert "Municipal policy summit" in body
    assert "Constitution of the meeting" in body
    assert "Konstituering" not in body
    assert '<time datetime="2024-02-13T08:45:00+01:00">08:45</time>' in body
    assert 'lang="en"' in body


def test_public_programme_of_another_congress_and_bad_choices(client, week):
    later = CongressFactory(
        name="Landstinget 2028", first_day=datetime.date(2028, 2, 8), last_day=datetime.date(2028, 2, 9)
    )
    body = client.get(reverse("agenda:programme")).content.decode()
    assert "Landstinget 2028" in body  # the current congress: the one that starts last
    assert "Hovedstyremøte" not in body
    assert f"?congress={week['congress'].pk}" in body  # a link to the other congress's programme
    body = client.get(reverse("agenda:programme"), {"congress": week["congress"].pk}).content.decode()
    assert "Hovedstyremøte" in body
    assert client.get(reverse("agenda:programme"), {"congress": "x"}).status_code == 404
    assert client.get(reverse("agenda:programme"), {"congress": later.pk + 1000}).status_code == 404


def test_public_programme_without_any_congress(client, db):
    response = client.get(reverse("agenda:programme"))
    assert response.status_code == 200


def _add_session_with_items(congress, day: int, numbers: range) -> None:
    session = Event.objects.create(
        congress=congress,
        title=f"Sesjon {day}",
        kind=Event.Kind.LANDSTING_SESSION,
        starts_at=oslo(day, 9),
        ends_at=oslo(day, 15),
    )
    for number in numbers:
        item = AgendaItem.objects.create(congress=congress, session=session, number=number, title=f"Sak {number}")
        AgendaDocument.objects.create(item=item, title=f"Dokument {number}", file=f"agenda/2024/{number}.pdf")


def test_public_programme_and_agenda_use_a_fixed_number_of_queries(client, week):
    url = f"{reverse('agenda:programme')}?congress={week['congress'].pk}"
    before = queries_of_page(client, url)
    _add_session_with_items(week["congress"], 14, range(10, 20))
    _add_session_with_items(week["congress"], 15, range(20, 30))
    assert queries_of_page(client, url) == before

    with CaptureQueriesContext(connection) as queries:
        items = list(agenda_items(congress=week["congress"]))
        for item in items:
            _ = item.session and item.session.title, [document.title for document in item.documents.all()]
    assert len(items) == 22
    assert len(queries) == 2


# --- The personal programme and calendar ---------------------------------------------------------------------


@pytest.fixture
def delegate(week):
    return ParticipantFactory(congress=week["congress"], first_name="Ingebjørg", last_name="Skjervheim")


@pytest.fixture
def token(delegate):
    _link, token = personal_link_issue(participant=delegate)
    return token


def test_personal_programme_before_registering_shows_the_invited_events_as_not_registered(client, week, token):
    response = client.get(reverse("portal:programme", args=[token]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "Kommunalpolitisk toppmøte" in body
    assert "Landstinget: leders tale" in body
    assert "Konstituering" in body  # the agenda of the Landsting session
    assert "Hovedstyremøte" not in body  # not invited
    assert "status--registered" not in body
    assert body.count("status--waiting") == 2
    assert reverse("portal:programme_ics", args=[token]) in body
    # The portal's navigation leads here.
    home = client.get(reverse("portal:home", args=[token])).content.decode()
    assert reverse("portal:programme", args=[token]) in home


def register(participant, *events) -> Registration:
    registration = Registration.objects.create(participant=participant)
    registration.events.set(events)
    return registration


def test_personal_programme_marks_the_registered_events(client, week, delegate, token):
    register(delegate, week["session"])
    body = client.get(reverse("portal:programme", args=[token])).content.decode()
    assert body.count("status--registered") == 1
    assert body.count("status--waiting") == 1
    session_part = body[body.index("Landstinget: leders tale") :]
    assert "status--registered" in session_part


def test_calendar_before_registering_holds_the_invited_events(client, week, token):
    response = client.get(reverse("portal:programme_ics", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert text.count("BEGIN:VEVENT") == 2
    assert f"UID:event-{week['summit'].pk}@ks-landsting\r\n" in text
    assert f"UID:event-{week['session'].pk}@ks-landsting\r\n" in text
    assert "DTSTART:20240213T074500Z\r\n" in text
    assert "SUMMARY:Kommunalpolitisk toppmøte\r\n" in text
    assert "LOCATION:Trondheim Spektrum\\, Sal A\\, Trondheim\r\n" in text
    assert "DESCRIPTION:1. Konstituering\\n2. Leders tale\r\n" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_calendar_after_registering_holds_only_the_registered_events_in_the_participants_language(
    client, week, delegate, token
):
    register(delegate, week["session"])
    delegate.language = "en"  # pages behind a personal link speak the participant's language (issue 14)
    delegate.save(update_fields=["language"])
    text = client.get(reverse("portal:programme_ics", args=[token])).content.decode()
    assert text.count("BEGIN:VEVENT") == 1
    assert f"UID:event-{week['session'].pk}@ks-landsting" in text
    assert "SUMMARY:Landsting: the leader's speech\r\n" in text
    assert "DTSTART:20240213T143000Z\r\nDTEND:20240213T163000Z\r\n" in text
    # The same event keeps its UID, so a calendar that imports the file again updates it instead of duplicating.
    again = client.get(reverse("portal:programme_ics", args=[token])).content.decode()
    assert f"UID:event-{week['session'].pk}@ks-landsting" in again


def test_calendar_and_programme_are_empty_after_cancelling(client, week, delegate, token):
    Participant.objects.filter(pk=delegate.pk).update(status=Participant.Status.WITHDRAWN)
    text = client.get(reverse("portal:programme_ics", args=[token])).content.decode()
    assert "BEGIN:VEVENT" not in text
    body = client.get(reverse("portal:programme", args=[token])).content.decode()
    assert "Kommunalpolitisk toppmøte" not in body


@pytest.mark.parametrize("name", ["portal:programme", "portal:programme_ics"])
def test_bad_links_get_the_portals_link_problem_page(client, week, delegate, token, name):
    response = client.get(reverse(name, args=["not-a-token"]))
    assert response.status_code == 404
    unknown = client.get(reverse(name, args=["A" * 43]))
    assert unknown.status_code == 404
    personal_link_revoke_all(participant=delegate, user=None)  # staff revoke the link
    replaced = client.get(reverse(name, args=[token]))
    assert replaced.status_code == 410
    for bad in (response, unknown, replaced):
        assert "Skjervheim" not in bad.content.decode()
        assert "BEGIN:VCALENDAR" not in bad.content.decode()


# --- The demo agenda ----------------------------------------------------------------------------------------


def test_demo_agenda_is_numbered_and_planned_within_its_sessions():
    sessions = {title: (start, end) for title, _en, _kind, start, end, _roles, _reg in demo.DEMO_PROGRAMME}
    assert [row[0] for row in demo.DEMO_AGENDA] == list(range(1, 10))
    kinds = {value for value, _label in AgendaItem.Kind.choices}
    for _number, _title, _en, kind, session, rapporteur, start, minutes in demo.DEMO_AGENDA:
        assert kind in kinds
        assert rapporteur
        session_start, session_end = sessions[session]
        begins = oslo(*start)
        assert oslo(*session_start) <= begins
        assert begins + datetime.timedelta(minutes=minutes) <= oslo(*session_end)


def test_seeding_the_demo_agenda_twice_changes_nothing(db):
    congress = CongressFactory(**{key: value for key, value in demo.DEMO_CONGRESS.items() if key != "name"})
    seed = SeedDemo()
    seed._programme(congress)
    seed._agenda(congress)
    seed._agenda(congress)
    items = list(AgendaItem.objects.filter(congress=congress).select_related("session").order_by("number"))
    assert len(items) == 9
    assert items[0].title == "Konstituering" and items[0].session.title.startswith("Landstinget: leders tale")
    assert items[3].title == "Kommunesektorens politiske prioriteringer 2024–2027"
    assert items[5].rapporteur == "Valgkomiteens leder"
    assert items[8].session.starts_at.date() == datetime.date(2024, 2, 14)


# --- In Chromium, on a phone -----------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.usefixtures("transactional_db")
def test_delegate_opens_the_personal_programme_and_downloads_the_calendar_on_a_phone(live_server, phone_page, settings):
    settings.KS_PUBLIC_BASE_URL = live_server.url
    page = phone_page
    week = make_week()
    delegate = ParticipantFactory(congress=week["congress"], first_name="Ingebjørg", last_name="Skjervheim")
    register(delegate, week["session"])
    _link, token = personal_link_issue(participant=delegate)

    page.goto(f"{live_server.url}{reverse('portal:home', args=[token])}")
    page.locator(f"nav a[href='{reverse('portal:programme', args=[token])}']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Landstinget 2024")
    expect(page.get_by_role("heading", level=2, name="Tirsdag 13. februar 2024")).to_be_visible()
    session = page.locator("article", has=page.get_by_role("heading", name="Landstinget: leders tale"))
    expect(session).to_contain_text("15:30")
    expect(session).to_contain_text("Konstituering")
    expect(session.locator(".status--registered")).to_be_visible()
    assert_no_axe_violations(page)
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]

    with page.expect_download() as download_info:
        page.locator(f"a[href='{reverse('portal:programme_ics', args=[token])}']").click()
    download = download_info.value
    assert download.suggested_filename == "program.ics"
    with open(download.path(), encoding="utf-8", newline="") as calendar:
        text = calendar.read()
    assert text.count("BEGIN:VEVENT") == 1
    assert f"UID:event-{week['session'].pk}@ks-landsting\r\n" in text
    assert "SUMMARY:Landstinget: leders tale\r\n" in text
