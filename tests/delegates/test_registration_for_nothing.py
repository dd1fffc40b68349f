"""Issue 14, item 8: a delegate never registers for nothing by mistake. The congress itself (its Landsting sessions)
is ticked on the first registration, and answers without any event are saved only when confirmed."""

import datetime
import re

import pytest
from django.urls import reverse

from agenda.models import Event
from delegates.models import Participant, Registration
from tests.delegates.test_portal import at, congress, delegate, form_data, office, post, token
from tests.helpers import nb

pytestmark = pytest.mark.django_db

__all__ = ["congress", "delegate", "office", "token"]  # fixtures, imported for these tests

NOTHING_TICKED = (
    "You have not ticked any event. Tick the events you will attend, or confirm below that you register without"
    " attending any event."
)
CONFIRM = "Yes, register me without attending any event."


@pytest.fixture
def events(congress):
    """form_data's pair: the Landsting session first, then an event the delegate is not invited to."""
    day = congress.first_day
    session = Event.objects.create(
        congress=congress,
        title="Landsting, første dag",
        kind=Event.Kind.LANDSTING_SESSION,
        starts_at=at(day, 15, 30),
        ends_at=at(day, 17, 30),
        invited_roles=["delegate", "deputy"],
    )
    board = Event.objects.create(
        congress=congress,
        title="Hovedstyremøte",
        kind=Event.Kind.BOARD_MEETING,
        starts_at=at(day, 9),
        ends_at=at(day, 11),
        invited_roles=["board_member"],
    )
    return session, board


@pytest.fixture
def summit(congress):
    return Event.objects.create(
        congress=congress,
        title="Kommunalpolitisk toppmøte",
        kind=Event.Kind.POLICY_SUMMIT,
        starts_at=at(congress.first_day, 9) - datetime.timedelta(days=1),
        ends_at=at(congress.first_day, 15) - datetime.timedelta(days=1),
        invited_roles=["delegate"],
    )


def checked_events(body: str) -> set[str]:
    return set(re.findall(r'<input type="checkbox" name="events" value="(\d+)"[^>]*checked', body))


def test_the_first_registration_has_the_congress_itself_ticked(client, token, events, summit):
    session, _board = events
    body = client.get(reverse("portal:home", args=[token])).content.decode()
    assert checked_events(body) == {str(session.pk)}
    assert 'name="no_events_confirmed"' not in body  # asked only when nothing is ticked


def test_a_saved_registration_shows_what_was_chosen_not_the_default(
    client, token, events, summit, congress, django_capture_on_commit_callbacks
):
    url = reverse("portal:home", args=[token])
    post(client, url, form_data(events, congress, events=[str(summit.pk)]), django_capture_on_commit_callbacks)
    assert checked_events(client.get(url).content.decode()) == {str(summit.pk)}


def test_nothing_ticked_is_not_saved_and_asks_for_a_confirmation(
    client, delegate, token, events, congress, django_capture_on_commit_callbacks
):
    response = post(
        client,
        reverse("portal:home", args=[token]),
        form_data(events, congress, events=[]),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert nb(NOTHING_TICKED) in body and nb(NOTHING_TICKED) != NOTHING_TICKED  # said in bokmål
    assert 'href="#id_events_0"' in body  # in the error summary, linked to the events
    assert 'name="no_events_confirmed"' in body and nb(CONFIRM) in body
    assert not Registration.objects.filter(participant=delegate).exists()


def test_nothing_ticked_is_said_in_english_too(client, delegate, token, events, congress):
    Participant.objects.filter(pk=delegate.pk).update(language="en")  # the portal speaks the participant's language
    response = client.post(reverse("portal:home", args=[token]), form_data(events, congress, events=[]))
    assert response.status_code == 400
    assert NOTHING_TICKED in response.content.decode() and CONFIRM in response.content.decode()


def test_a_confirmed_registration_without_events_is_saved(
    client, delegate, token, events, congress, django_capture_on_commit_callbacks
):
    response = post(
        client,
        reverse("portal:home", args=[token]),
        form_data(events, congress, events=[], no_events_confirmed="on"),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    registration = Registration.objects.get(participant=delegate)
    assert registration.status == Registration.Status.REGISTERED and not registration.events.exists()


def test_untaking_every_event_of_a_registration_also_asks(
    client, delegate, token, events, congress, django_capture_on_commit_callbacks
):
    url = reverse("portal:home", args=[token])
    post(client, url, form_data(events, congress), django_capture_on_commit_callbacks)
    response = post(client, url, form_data(events, congress, events=[]), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert Registration.objects.get(participant=delegate).events.count() == 1


def test_without_events_to_choose_nothing_needs_confirming(
    client, delegate, token, congress, django_capture_on_commit_callbacks
):
    response = post(
        client,
        reverse("portal:home", args=[token]),
        {"mobile": "", "diet": ""},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert Registration.objects.filter(participant=delegate).exists()
