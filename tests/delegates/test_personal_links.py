"""Nobody can lock a delegate out (issue 13, item 2): a new personal link never ends one the delegate holds, several
links open at once and each expires on its own, and only staff revoke links, one or all of them, with confirmation
and a log entry."""

import datetime
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from delegates.models import Participant, PersonalLink
from delegates.services.links import (
    LinkProblem,
    personal_link_issue,
    personal_link_resolve,
    personal_link_revoke,
    personal_link_revoke_all,
)
from delegates.services.registration import reminders_send
from elections.services import poll_create_decision, poll_open
from tests.elections.factories import present_delegates
from tests.factories import (
    CongressFactory,
    CountyFactory,
    ParticipantFactory,
    RegionalOfficeFactory,
    regional_staff_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = datetime.date.today()
LINK = re.compile(r"https?://\S+/p/([A-Za-z0-9_-]{43})/")


@pytest.fixture
def congress():
    """A congress still to come: lost-link requests and reminders are for congresses not yet over."""
    return CongressFactory(
        name="Landstinget 2030",
        first_day=TODAY + datetime.timedelta(days=30),
        last_day=TODAY + datetime.timedelta(days=31),
        registration_deadline=TODAY + datetime.timedelta(days=5),
    )


def invited(participant: Participant) -> str:
    """The token of the invitation letter's link (its QR code), mailed."""
    link, token = personal_link_issue(participant=participant)
    PersonalLink.objects.filter(pk=link.pk).update(mailed_at=timezone.now())
    return token


def opens(token: str) -> bool:
    try:
        personal_link_resolve(token=token, touch=False)
    except LinkProblem:
        return False
    return True


def cast(client, token: str, poll):
    return client.post(
        reverse("elections_portal:cast", args=[token, poll.pk]),
        {"poll_kind": poll.kind, "poll_max_choices": str(poll.max_choices), "answer": "yes"},
        HTTP_ACCEPT="application/json",
    )


# --- A new link never ends another ------------------------------------------------------------------------------


def test_lost_link_requests_during_an_open_vote_do_not_stop_the_delegate_voting(
    client, congress, isolated_cache, django_capture_on_commit_callbacks
):
    (delegate,) = present_delegates(congress, 1, email="inge@example.no")
    letter = invited(delegate)
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent 2031"), user=None)

    # Someone who knows the address asks for a new link as often as the limit allows, from several addresses.
    for number in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("portal:lost_link"), {"email": "inge@example.no"}, REMOTE_ADDR=f"10.0.0.{number}")

    assert PersonalLink.objects.filter(participant=delegate).count() == 1 + 3  # the letter's and three more
    assert len(mail.outbox) == 3
    response = cast(client, letter, poll)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cast"
    # The links the requests mailed open too: whichever the delegate uses, it works.
    assert all(opens(LINK.search(message.body).group(1)) for message in mail.outbox)


def test_a_reminder_does_not_stop_the_invitation_letters_link(client, congress, committed):
    delegate = ParticipantFactory(congress=congress, county=CountyFactory(), email="kari@example.no")
    letter = invited(delegate)
    reminder_day = congress.registration_deadline - datetime.timedelta(days=7)

    with committed():
        assert reminders_send(today=max(reminder_day, TODAY)) == 1

    reminded = LINK.search(mail.outbox[0].body).group(1)
    assert reminded != letter
    assert client.get(reverse("portal:home", args=[letter])).status_code == 200  # the printed QR code still works
    assert client.get(reverse("portal:home", args=[reminded])).status_code == 200


def test_several_links_open_at_once_and_each_expires_on_its_own(congress):
    delegate = ParticipantFactory(congress=congress, county=CountyFactory())
    first_link, first = personal_link_issue(participant=delegate)
    second_link, second = personal_link_issue(participant=delegate)
    third_link, third = personal_link_issue(participant=delegate)
    assert opens(first) and opens(second) and opens(third)

    PersonalLink.objects.filter(pk=second_link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert opens(first) and opens(third)
    with pytest.raises(LinkProblem) as problem:
        personal_link_resolve(token=second)
    assert problem.value.code == "expired"
    assert set(PersonalLink.objects.valid().filter(participant=delegate)) == {first_link, third_link}


# --- Only staff revoke, with confirmation, logged -----------------------------------------------------------------


def test_staff_revoke_all_links_after_confirmation_and_the_revoked_links_are_refused(
    client, secretariat_client, secretariat, congress
):
    (delegate,) = present_delegates(congress, 1)
    other = ParticipantFactory(congress=congress, county=CountyFactory())
    tokens = [invited(delegate), personal_link_issue(participant=delegate)[1]]
    kept = invited(other)
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent 2031"), user=None)
    changelist = reverse("admin:delegates_participant_changelist")
    chosen = {"action": "revoke_links", "_selected_action": [delegate.pk]}

    asked = secretariat_client.post(changelist, chosen)  # the action asks first and changes nothing
    assert asked.status_code == 200
    assert "2 personal links that work now will stop working at once" in asked.content.decode()
    assert all(opens(token) for token in tokens)

    done = secretariat_client.post(changelist, {**chosen, "confirm": "yes"}, follow=True)
    assert "2 links revoked." in done.content.decode()

    for token in tokens:
        assert client.get(reverse("portal:home", args=[token])).status_code == 410
        refused = cast(client, token, poll)
        assert (refused.status_code, refused.json()["status"]) == (410, "link_revoked")
    assert opens(kept)  # the other participant was not chosen
    assert set(PersonalLink.objects.filter(participant=delegate).values_list("revoked_by", flat=True)) == {
        secretariat.pk
    }
    entry = LogEntry.objects.get(object_id=str(delegate.pk))
    assert (entry.action_flag, entry.user, entry.get_change_message()) == (
        CHANGE,
        secretariat,
        "Revoked 2 personal links.",
    )
    # Staff let the participant in again by inviting again: a new link opens as usual.
    assert opens(personal_link_issue(participant=delegate)[1])


def test_staff_revoke_one_link_on_its_own_page_and_the_others_keep_working(client, secretariat_client, congress):
    delegate = ParticipantFactory(congress=congress, county=CountyFactory(), first_name="Åse")
    letter = invited(delegate)
    lost_link, lost = personal_link_issue(participant=delegate)
    page = secretariat_client.get(reverse("admin:delegates_participant_change", args=[delegate.pk])).content.decode()
    url = reverse("delegates_staff:personal_link_revoke", args=[lost_link.pk])
    assert f'href="{url}"' in page  # each link that opens has its own "Revoke this link…"

    asked = secretariat_client.get(url)
    assert asked.status_code == 200
    assert "1 other link that keeps working" in asked.content.decode()
    assert opens(lost)

    done = secretariat_client.post(url, follow=True)
    assert "The link is revoked. The participant&#x27;s other links still work." in done.content.decode()
    assert client.get(reverse("portal:home", args=[lost])).status_code == 410
    assert opens(letter)
    assert (
        LogEntry.objects.get(object_id=str(delegate.pk))
        .get_change_message()
        .startswith("Revoked the personal link issued")
    )
    page = secretariat_client.get(reverse("admin:delegates_participant_change", args=[delegate.pk])).content.decode()
    assert f'href="{url}"' not in page  # a revoked link has nothing left to revoke


def test_regional_staff_cannot_revoke_another_regions_links(client, congress):
    office = RegionalOfficeFactory()
    user = regional_staff_user(office)
    theirs = ParticipantFactory(congress=congress, county=CountyFactory(regional_office=RegionalOfficeFactory()))
    link, token = personal_link_issue(participant=theirs)
    client.force_login(user)

    response = client.post(reverse("delegates_staff:personal_link_revoke", args=[link.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    with pytest.raises(ValidationError, match="your own counties"):
        personal_link_revoke(link=link, user=user)
    with pytest.raises(ValidationError, match="your own counties"):
        personal_link_revoke_all(participant=theirs, user=user)
    assert opens(token)
