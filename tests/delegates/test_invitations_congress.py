"""Invitations cannot go to the wrong congress (issue 14, item 1).

The participant list and the dry run name the congress; nothing is sent for a concluded congress or after its
registration deadline, except a deliberate late addition before the first day, recorded with who sent it.
"""

import datetime
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agenda.models import Congress
from core.deadlines import DEADLINE_TIME_ZONE
from core.templatetags.deadlines import deadline_format
from delegates.models import Participant, PersonalLink
from delegates.selectors import invitations_plan
from delegates.services.invitations import invitations_send
from delegates.services.participants import participant_withdraw
from tests.factories import CongressFactory, ParticipantFactory, SecretariatUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CHANGELIST = "admin:delegates_participant_changelist"


def _today() -> datetime.date:
    return timezone.now().astimezone(DEADLINE_TIME_ZONE).date()


def _days(n: int) -> datetime.date:
    return _today() + datetime.timedelta(days=n)


@pytest.fixture
def open_congress():
    return CongressFactory(
        name="Landstinget 2027", registration_deadline=_days(30), first_day=_days(60), last_day=_days(61)
    )


@pytest.fixture
def late_congress():
    """The registration deadline has passed; the congress starts in ten days."""
    return CongressFactory(
        name="Ekstraordinært 2027", registration_deadline=_days(-3), first_day=_days(10), last_day=_days(10)
    )


@pytest.fixture
def started_congress():
    return CongressFactory(
        name="Landstinget i gang", registration_deadline=_days(-20), first_day=_days(-1), last_day=_days(1)
    )


@pytest.fixture
def concluded_congress():
    """Landstinget 2024 of the report: over, its deadline long passed."""
    return CongressFactory(
        name="Landstinget 2024",
        registration_deadline=datetime.date(2024, 1, 15),
        first_day=datetime.date(2024, 2, 13),
        last_day=datetime.date(2024, 2, 14),
        status=Congress.Status.CONCLUDED,
    )


@pytest.fixture
def staff_client(client):
    client.force_login(SecretariatUserFactory())
    return client


def _dry_run(client, participants, **extra):
    data = {"action": "send_invitations", "_selected_action": [p.pk for p in participants], **extra}
    return client.post(reverse(CHANGELIST), data)


def _table(page: str, table_id: str) -> str:
    match = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S)
    return match.group(1) if match else ""


# --- The list and the dry run name the congress ------------------------------------------------------------------


def test_the_participant_list_shows_each_rows_congress_and_filters_by_it(
    staff_client, open_congress, concluded_congress
):
    for congress in (open_congress, concluded_congress):
        ParticipantFactory(congress=congress, first_name="Kari", last_name="Nordmann", email="kari@example.no")

    page = staff_client.get(reverse(CHANGELIST)).content.decode()
    cells = re.findall(r'<td class="field-congress[^"]*">(.*?)</td>', page, re.S)
    assert sorted(cells) == ["Landstinget 2024", "Landstinget 2027"]

    filtered = staff_client.get(reverse(CHANGELIST), {"congress__id__exact": open_congress.pk}).content.decode()
    assert re.findall(r'<td class="field-congress[^"]*">(.*?)</td>', filtered, re.S) == ["Landstinget 2027"]


def test_the_dry_run_names_the_congress(staff_client, open_congress):
    delegate = ParticipantFactory(congress=open_congress)
    page = _dry_run(staff_client, [delegate]).content.decode()
    assert re.search(r'id="invitations-congress">Congress: <strong>Landstinget 2027</strong>', page)
    assert "Landstinget 2027" in _table(page, "invitations-to-send")
    assert mail.outbox == []


def test_the_dry_run_warns_when_the_selection_covers_two_congresses(staff_client, open_congress, concluded_congress):
    now = ParticipantFactory(congress=open_congress)
    then = ParticipantFactory(congress=concluded_congress)
    page = _dry_run(staff_client, [now, then]).content.decode()
    assert "The selection covers 2 congresses" in page
    assert "Landstinget 2027" in _table(page, "invitations-to-send")
    refused = _table(page, "invitations-refused")
    assert "Landstinget 2024" in refused and "Landstinget 2024 is concluded." in refused


# --- The plan refuses, with the reason --------------------------------------------------------------------------


def test_the_plan_refuses_a_concluded_congress_and_one_past_its_deadline_with_the_reason(
    open_congress, late_congress, started_congress, concluded_congress
):
    fine, late, started, over = (
        ParticipantFactory(congress=c) for c in (open_congress, late_congress, started_congress, concluded_congress)
    )
    plan = invitations_plan(participants=[fine, late, started, over])
    assert plan.to_send == [fine]
    reasons = dict(plan.refused)
    assert reasons[over] == "Landstinget 2024 is concluded."
    deadline = deadline_format(late_congress.registration_deadline)
    assert reasons[late].startswith(f"The registration deadline of Ekstraordinært 2027 ({deadline}) has passed.")
    assert "has passed and the congress has started" in reasons[started]
    assert plan.late_additions == [late]


def test_a_concluded_congress_is_refused_even_before_its_deadline(open_congress):
    open_congress.status = Congress.Status.CONCLUDED
    open_congress.save()
    delegate = ParticipantFactory(congress=open_congress)
    plan = invitations_plan(participants=[delegate], late_addition=True)
    assert plan.to_send == [] and plan.late_additions == []


def test_the_deadline_is_open_through_its_day_in_oslo(open_congress):
    delegate = ParticipantFactory(congress=open_congress)
    deadline = open_congress.registration_deadline
    last_minute = datetime.datetime.combine(deadline, datetime.time(23, 59), tzinfo=DEADLINE_TIME_ZONE)
    assert invitations_plan(participants=[delegate], now=last_minute).to_send == [delegate]
    next_morning = last_minute + datetime.timedelta(minutes=1)
    assert invitations_plan(participants=[delegate], now=next_morning).to_send == []


def test_a_late_addition_is_sent_only_before_the_first_day(late_congress, started_congress):
    late = ParticipantFactory(congress=late_congress)
    started = ParticipantFactory(congress=started_congress)
    plan = invitations_plan(participants=[late, started], late_addition=True)
    assert plan.to_send == [late]
    assert [p for p, _reason in plan.refused] == [started]


def test_the_participants_own_refusal_comes_before_the_late_addition(late_congress):
    withdrawn = ParticipantFactory(congress=late_congress, status=Participant.Status.WITHDRAWN)
    plan = invitations_plan(participants=[withdrawn], late_addition=True)
    assert plan.to_send == [] and plan.late_additions == []
    assert dict(plan.refused)[withdrawn] == "The participant has withdrawn."


# --- The service refuses when called directly -------------------------------------------------------------------


def test_the_service_sends_nothing_for_a_concluded_congress(concluded_congress, committed):
    delegate = ParticipantFactory(congress=concluded_congress)
    with committed():
        plan = invitations_send(participants=[delegate], user=None, late_addition=True)
    assert plan.to_send == []
    assert mail.outbox == []
    assert not PersonalLink.objects.filter(participant=delegate).exists()


def test_the_service_sends_nothing_after_the_deadline_unless_a_late_addition_before_the_start(
    late_congress, started_congress, committed
):
    late = ParticipantFactory(congress=late_congress)
    started = ParticipantFactory(congress=started_congress)
    with committed():
        invitations_send(participants=[late, started], user=None)
    assert mail.outbox == []

    with committed():
        invitations_send(participants=[late, started], user=None, late_addition=True)
    assert [m.to for m in mail.outbox] == [[late.email]]
    assert not PersonalLink.objects.filter(participant=started).exists()


# --- The override on the dry run --------------------------------------------------------------------------------


def test_the_dry_run_offers_send_anyway_only_before_the_start(staff_client, late_congress, started_congress):
    late = ParticipantFactory(congress=late_congress)
    started = ParticipantFactory(congress=started_congress)
    assert 'name="late_addition"' in _dry_run(staff_client, [late]).content.decode()
    page = _dry_run(staff_client, [started]).content.decode()
    assert 'name="late_addition"' not in page
    assert "has passed and the congress has started" in _table(page, "invitations-refused")


def test_send_anyway_sends_a_late_addition_and_records_who(staff_client, late_congress, committed):
    late = ParticipantFactory(congress=late_congress)
    with committed():
        _dry_run(staff_client, [late], confirm="yes")
    assert mail.outbox == []

    with committed():
        response = _dry_run(staff_client, [late], confirm="yes", late_addition="yes")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[late.email]]
    entry = LogEntry.objects.get(object_id=str(late.pk))
    assert entry.user.email == response.wsgi_request.user.email
    assert entry.change_message == (
        "Invitation sent after the registration deadline of Ekstraordinært 2027, as a late addition."
    )


def test_send_anyway_is_refused_for_a_started_or_concluded_congress(
    staff_client, started_congress, concluded_congress, committed
):
    started = ParticipantFactory(congress=started_congress)
    over = ParticipantFactory(congress=concluded_congress)
    with committed():
        response = _dry_run(staff_client, [started, over], confirm="yes", late_addition="yes")
    assert response.status_code == 302
    assert mail.outbox == []
    assert not PersonalLink.objects.exists()
    assert not LogEntry.objects.exists()


# --- A deputy who takes a seat still gets the link to vote ------------------------------------------------------


def test_a_deputy_taking_a_seat_after_the_deadline_is_invited_but_not_for_a_concluded_congress(
    started_congress, concluded_congress, committed
):
    deputies = []
    for congress in (started_congress, concluded_congress):
        delegate = ParticipantFactory(congress=congress)
        deputies.append(ParticipantFactory(congress=congress, county=delegate.county, role="deputy", deputy_rank=1))
        with committed():
            participant_withdraw(participant=delegate, user=None)
    assert [m.to for m in mail.outbox] == [[deputies[0].email]]


def test_the_demos_landstinget_2024_is_concluded_and_refuses_invitations_for_that_reason(seeded_demo):
    from delegates import demo

    congress = Congress.objects.get(name=demo.DEMO_CONGRESS["name"])
    participants = list(Participant.objects.filter(congress=congress)[:3])

    plan = invitations_plan(participants=participants)

    assert congress.status == Congress.Status.CONCLUDED
    assert plan.to_send == [] and plan.late_additions == []
    assert all("concluded" in reason or "avsluttet" in reason for _participant, reason in plan.refused)
