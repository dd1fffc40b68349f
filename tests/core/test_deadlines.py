"""Issue 14 item 5: a deadline is a date, open through 23:59:59 Oslo time on that day, shown without a time.

One rule (core.deadlines) for the registration, amendment and statement deadlines, wherever the server runs, and one
way to show a deadline (the ``deadline`` filter): "17. januar 2027", never "17. januar 2027 01:00".
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from committees.selectors import amendments_open, statements_open
from core.deadlines import (
    deadline_closes_at,
    deadline_date,
    deadline_from_moment,
    deadline_is_open,
    deadline_last_moment,
)
from core.templatetags.deadlines import deadline_format
from delegates.selectors import registration_is_open
from delegates.services.links import personal_link_issue
from tests.committees.factories import StatementSettingsFactory, load_document
from tests.factories import CongressFactory, ParticipantFactory

OSLO = ZoneInfo("Europe/Oslo")
UTC = datetime.UTC
DEADLINE = datetime.date(2027, 1, 17)
LAST_MINUTE = datetime.datetime(2027, 1, 17, 23, 59, 59, tzinfo=OSLO)
NEXT_MIDNIGHT = datetime.datetime(2027, 1, 18, 0, 0, tzinfo=OSLO)


# --- The rule (pure) ----------------------------------------------------------------------------------------------


def test_a_deadline_is_open_through_the_end_of_its_day_in_oslo():
    assert deadline_is_open(DEADLINE, datetime.datetime(2027, 1, 17, 1, 0, tzinfo=OSLO))
    assert deadline_is_open(DEADLINE, LAST_MINUTE)
    assert not deadline_is_open(DEADLINE, NEXT_MIDNIGHT)
    # The same moments in UTC: Oslo is an hour ahead in winter, two in summer.
    assert deadline_is_open(DEADLINE, datetime.datetime(2027, 1, 17, 22, 59, 59, tzinfo=UTC))
    assert not deadline_is_open(DEADLINE, datetime.datetime(2027, 1, 17, 23, 0, tzinfo=UTC))
    assert deadline_closes_at(datetime.date(2027, 6, 17)) == datetime.datetime(2027, 6, 17, 22, 0, tzinfo=UTC)
    assert deadline_last_moment(DEADLINE) == datetime.datetime(2027, 1, 17, 23, 59, 59, 999999, tzinfo=OSLO)
    assert not deadline_is_open(None, LAST_MINUTE)
    with pytest.raises(ValueError):
        deadline_is_open(DEADLINE, datetime.datetime(2027, 1, 17, 12, 0))


def test_a_stored_moment_becomes_the_day_it_was_last_open():
    # A date typed into the old date-and-time field was stored as midnight UTC: 01:00 in Oslo, "til og med" that day.
    assert deadline_from_moment(datetime.datetime(2027, 1, 17, 0, 0, tzinfo=UTC)) == DEADLINE
    # A form that closed at midnight Oslo time was open through the day before; no deadline is shortened.
    assert deadline_from_moment(datetime.datetime(2027, 1, 17, 23, 0, tzinfo=UTC)) == DEADLINE
    assert deadline_from_moment(datetime.datetime(2027, 1, 17, 12, 0, tzinfo=OSLO)) == DEADLINE
    assert deadline_date(datetime.datetime(2027, 1, 17, 23, 30, tzinfo=UTC)) == datetime.date(2027, 1, 18)


def test_a_deadline_is_shown_as_a_date_without_a_time():
    with translation.override("nb"):
        assert deadline_format(DEADLINE) == "17. januar 2027"
        assert deadline_format(datetime.datetime(2027, 1, 17, 0, 0, tzinfo=UTC)) == "17. januar 2027"
        assert deadline_format(None) == ""
        rendered = Template("{% load deadlines %}{{ d|deadline }}").render(Context({"d": DEADLINE}))
        assert rendered == "17. januar 2027"
    with translation.override("en"):
        assert deadline_format(DEADLINE) == "17 January 2027"


# --- Where it applies -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_registration_closes_at_midnight_oslo_time_whatever_the_servers_time_zone(settings):
    congress = CongressFactory(
        first_day=datetime.date(2027, 2, 1), last_day=datetime.date(2027, 2, 3), registration_deadline=DEADLINE
    )
    participant = ParticipantFactory(congress=congress)
    assert registration_is_open(participant, now=LAST_MINUTE)
    assert not registration_is_open(participant, now=NEXT_MIDNIGHT)
    settings.TIME_ZONE = "UTC"
    # 23:30 UTC on the 17th is 00:30 on the 18th in Oslo: closed, although the server's date is still the 17th.
    assert not registration_is_open(participant, now=datetime.datetime(2027, 1, 17, 23, 30, tzinfo=UTC))


@pytest.mark.django_db
def test_amendments_and_statements_are_open_until_2359_and_closed_at_midnight():
    document = load_document()
    document.amendment_deadline = DEADLINE
    document.save(update_fields=["amendment_deadline"])
    document.refresh_from_db()
    assert document.amendment_deadline == DEADLINE
    assert amendments_open(document, now=LAST_MINUTE)
    assert not amendments_open(document, now=NEXT_MIDNIGHT)

    StatementSettingsFactory(congress=document.congress, statement_deadline=DEADLINE)
    assert statements_open(document.congress, now=LAST_MINUTE)
    assert not statements_open(document.congress, now=NEXT_MIDNIGHT)


NB_MONTHS = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
]


def nb_date(day: datetime.date) -> str:
    return f"{day.day}. {NB_MONTHS[day.month - 1]} {day.year}"


@pytest.mark.django_db
def test_the_portal_shows_the_amendment_and_statement_deadlines_as_dates(client):
    today = timezone.localdate()
    deadline = today + datetime.timedelta(days=10)
    congress = CongressFactory(
        first_day=today + datetime.timedelta(days=30),
        last_day=today + datetime.timedelta(days=31),
        registration_deadline=deadline,
    )
    document = load_document(congress)
    document.amendment_deadline = deadline
    document.save(update_fields=["amendment_deadline"])
    StatementSettingsFactory(congress=congress, statement_deadline=deadline)
    _link, token = personal_link_issue(participant=ParticipantFactory(congress=congress))

    page = client.get(reverse("committees_portal:document", args=[token]), HTTP_ACCEPT_LANGUAGE="nb").text
    assert f"Du kan sende inn endringsforslag til og med {nb_date(deadline)}." in page
    assert not re.search(rf"{nb_date(deadline)}\s*\d\d:\d\d", page)
    page = client.get(reverse("committees_portal:statement_new", args=[token]), HTTP_ACCEPT_LANGUAGE="nb").text
    assert f"Du kan foreslå uttalelser til og med {nb_date(deadline)}." in page


@pytest.mark.django_db
def test_the_home_page_shows_the_registration_deadline_in_the_languages_style(client):
    CongressFactory(
        first_day=datetime.date(2027, 2, 1), last_day=datetime.date(2027, 2, 3), registration_deadline=DEADLINE
    )
    assert "17. januar 2027" in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="nb").text
    english = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "17 January 2027" in english
    assert "1 February–3 February 2027" in english
