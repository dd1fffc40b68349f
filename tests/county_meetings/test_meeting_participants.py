"""A county meeting uses the Landsting's invitations, registration, check-in and votes (issue 16, part 5).

The meeting is made as a regional office makes it (``county_meeting_create``, 60 days ahead), its table published and
a municipality's report submitted, so that its representatives are the meeting's participants. From there: the
office invites them with the participants' admin action (mail and letter in the participant's language, naming the
meeting), a delegate opens the link and registers for the meeting's own session, the office checks them in at the
desk, and the checked-in delegate may vote in a poll of the meeting. Another office sees none of it."""

import datetime
import io
import re
import zoneinfo
from dataclasses import dataclass

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from agenda.models import Congress, Event
from county_meetings.models import CountyMeeting, MeetingSeat
from county_meetings.reports import PersonInput, ReportInput, report_for_member, report_save
from county_meetings.services import county_meeting_create
from delegates.models import Attendance, Organisation, Participant, PersonalLink, Registration
from delegates.services.links import personal_link_resolve
from elections.models import EligibleVoter
from elections.services import NotEligible, ballot_cast, poll_create_decision, poll_open
from tests.factories import CountyFactory, OrganisationFactory, RegionalOfficeFactory, regional_staff_user

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/p/([A-Za-z0-9_-]{43})/")
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@dataclass
class Meeting:
    meeting: CountyMeeting
    user: object  # the regional office's staff user
    municipality: Organisation
    delegates: list[Participant]  # the municipality's two representatives
    deputies: list[Participant]

    @property
    def congress(self) -> Congress:
        return self.meeting.congress


def _person(city: str, n: int) -> PersonInput:
    values = {
        "first_name": f"Siri{n}",
        "last_name": f"{city}sen{n}",
        "email": f"siri{n}@{city.lower()}.kommune.no",
        "mobile": f"9123456{n}",
        "gender": "female" if n % 2 else "male",
        "party": "Ap",
    }
    return PersonInput(**values)


def meeting_with_report(*, office_name: str, county_number: str, county_name: str, city: str) -> Meeting:
    """A meeting created by the regional office's user (in English, to show the titles do not follow the creator's
    language), its table published and one municipality's report submitted by the office."""
    office = RegionalOfficeFactory(name=office_name)
    county = CountyFactory(number=county_number, name=county_name, regional_office=office)
    county_municipality = OrganisationFactory(
        kind=Organisation.Kind.COUNTY_MUNICIPALITY, county=county, name=f"{county_name} fylkeskommune"
    )
    municipality = OrganisationFactory(county=county, name=f"{city} kommune", official_email=f"post@{city}.kommune.no")
    user = regional_staff_user(office)
    first_day = timezone.localdate() + datetime.timedelta(days=60)
    with translation.override("en"):
        meeting = county_meeting_create(
            county=county,
            election_year=first_day.year,
            first_day=first_day,
            last_day=first_day + datetime.timedelta(days=1),
            registration_deadline=first_day - datetime.timedelta(days=14),
            city=city,
            venue=f"{city} kulturhus",
            seats=4,
            user=user,
        )
    MeetingSeat.objects.bulk_create(
        MeetingSeat(meeting=meeting, organisation=member, computed_seats=2)
        for member in (county_municipality, municipality)
    )
    CountyMeeting.objects.filter(pk=meeting.pk).update(
        seats_published_at=timezone.now(), report_deadline=first_day - datetime.timedelta(days=7)
    )
    report = report_for_member(meeting=meeting, organisation=municipality, user=user)
    report_save(
        report=report,
        data=ReportInput(
            representatives=[_person(city, 1), _person(city, 2)],
            deputies=[_person(city, 3), _person(city, 4)],
            decision_date=timezone.localdate() - datetime.timedelta(days=2),
        ),
        submit=True,
        user=user,
    )
    people = Participant.objects.filter(congress=meeting.congress).order_by("deputy_rank", "last_name")
    return Meeting(
        meeting=meeting,
        user=user,
        municipality=municipality,
        delegates=list(people.filter(role=Participant.Role.DELEGATE)),
        deputies=list(people.filter(role=Participant.Role.DEPUTY)),
    )


@pytest.fixture
def ours() -> Meeting:
    return meeting_with_report(office_name="KS Nord", county_number="56", county_name="Finnmark", city="Alta")


@pytest.fixture
def theirs() -> Meeting:
    return meeting_with_report(office_name="KS Vest", county_number="11", county_name="Rogaland", city="Sandnes")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def invite(client, meeting: Meeting, committed, participants: list[Participant]):
    client.force_login(meeting.user)
    url = reverse("admin:delegates_participant_changelist")
    selected = [p.pk for p in participants]
    dry_run = client.post(url, {"action": "send_invitations", "_selected_action": selected})
    assert dry_run.status_code == 200
    assert mail.outbox == []
    with committed():
        sent = client.post(
            url, {"action": "send_invitations", "_selected_action": selected, "confirm": "yes"}, follow=True
        )
    assert sent.status_code == 200
    return dry_run


def token_of(message) -> str:
    return LINK.search(message.body).group(1)


# --- The meeting's own session ----------------------------------------------------------------------------------


def test_the_created_meeting_has_its_session_each_day_for_delegates_and_deputies_in_both_languages(ours):
    sessions = list(Event.objects.filter(congress=ours.congress).order_by("starts_at"))

    first_day = ours.congress.first_day
    assert [timezone.localtime(e.starts_at, OSLO).date() for e in sessions] == [
        first_day,
        first_day + datetime.timedelta(days=1),
    ]
    for session in sessions:
        assert session.title == "Fylkesmøtet i Finnmark"
        assert session.title_en == "County meeting of Finnmark"
        assert session.kind == Event.Kind.LANDSTING_SESSION
        assert sorted(session.invited_roles) == ["delegate", "deputy"]
        assert session.registration_required
        assert session.venue == "Alta kulturhus"
        assert timezone.localtime(session.starts_at, OSLO).time() == datetime.time(9, 0)
        assert timezone.localtime(session.ends_at, OSLO).time() == datetime.time(16, 0)


def test_the_meeting_is_named_in_the_sites_language_whoever_creates_it(ours):
    # ``ours`` was created by a regional office user working in English; the site speaks bokmål.
    assert ours.congress.name == "Fylkesmøtet i Finnmark 2027"


def test_a_refused_creation_makes_no_session(ours):
    with pytest.raises(ValidationError, match="already has a county meeting"), translation.override("en"):
        county_meeting_create(
            county=ours.meeting.county,
            election_year=ours.meeting.election_year,
            first_day=ours.congress.first_day,
            last_day=ours.congress.last_day,
            registration_deadline=ours.congress.registration_deadline,
            city="Alta",
            seats=4,
            user=ours.user,
        )
    assert Event.objects.filter(congress__kind=Congress.Kind.COUNTY_MEETING).count() == 2


# --- Invitations -------------------------------------------------------------------------------------------------


def test_the_regional_office_invites_the_reported_delegates_with_a_letter_naming_the_meeting(client, ours, committed):
    assert {p.elected_by for p in ours.delegates} == {Participant.ElectedBy.MUNICIPAL_COUNCIL}
    english = ours.delegates[1]
    Participant.objects.filter(pk=english.pk).update(language="en")

    dry_run = invite(client, ours, committed, ours.delegates + ours.deputies)

    assert "Varadelegater får innkalling først når de rykker inn på en plass." in dry_run.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in ours.delegates)
    by_address = {m.to[0]: m for m in mail.outbox}
    bokmal, in_english = by_address[ours.delegates[0].email], by_address[english.email]
    name = ours.congress.name
    assert bokmal.subject == f"Innkalling til {name}"
    assert in_english.subject == f"Invitation to {name}"
    assert bokmal.reply_to == [ours.meeting.county.regional_office.email]
    for message, session_title in ((bokmal, "Fylkesmøtet i Finnmark"), (in_english, "County meeting of Finnmark")):
        assert "Landsting" not in message.subject + message.body
        letter = PdfReader(io.BytesIO(message.attachments[0][1])).pages[0].extract_text()
        assert name in letter and session_title in letter
        assert "Landsting" not in letter
        assert personal_link_resolve(token=token_of(message)).participant.congress == ours.congress
    assert PersonalLink.objects.filter(participant__in=ours.deputies).count() == 0


# --- Registration ------------------------------------------------------------------------------------------------


def test_an_invited_delegate_registers_for_the_meetings_sessions_through_the_link(client, ours, committed):
    invite(client, ours, committed, ours.delegates[:1])
    client.logout()
    token = token_of(mail.outbox[0])
    url = reverse("portal:home", args=[token])

    page = client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert ours.congress.name in html
    sessions = list(Event.objects.filter(congress=ours.congress).order_by("starts_at"))
    form = page.context["form"]
    assert [choice for choice, _label in form.fields["events"].choices] == [s.pk for s in sessions]
    assert form.initial["events"] == [s.pk for s in sessions]  # the meeting itself is ticked
    assert html.count("Fylkesmøtet i Finnmark (") == 2
    # The page speaks of the meeting, not of "the Landsting" (the site's own name, KS Landstinget, aside).
    assert f"{ours.congress.name} holdes i" in html
    assert "Landstinget holdes" not in html and "under landstinget" not in html and "planlegge landstinget" not in html

    response = client.post(url, {"events": [s.pk for s in sessions], "diet": "vegetarian", "mobile": "91234561"})

    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("portal:done", args=[token])
    registration = Registration.objects.get(participant=ours.delegates[0])
    assert registration.status == Registration.Status.REGISTERED
    assert sorted(registration.events.values_list("pk", flat=True)) == [s.pk for s in sessions]


# --- Check-in and voting -----------------------------------------------------------------------------------------


def test_the_regional_office_checks_in_at_the_desk_and_the_checked_in_delegate_votes(client, ours, committed):
    client.force_login(ours.user)
    desk = reverse("delegates_staff:checkin")
    arrived, absent = ours.delegates

    page = client.get(desk, {"congress": ours.congress.pk, "q": arrived.last_name})
    assert page.status_code == 200
    assert page.context["congress"] == ours.congress
    assert [hit.participant for hit in page.context["hits"]] == [arrived]
    response = client.post(
        f"{desk}?congress={ours.congress.pk}", {"action": "record", "participant": arrived.pk, "direction": "in"}
    )
    assert response.status_code == 302
    assert Attendance.objects.filter(participant=arrived, direction=Attendance.Direction.IN).count() == 1
    counts = client.get(reverse("delegates_staff:checkin_counts"), {"congress": ours.congress.pk}).json()
    assert counts["congress"] == ours.congress.pk and counts["present_voting"] == 1

    poll = poll_open(poll=poll_create_decision(congress=ours.congress, title="Godkjenning av innkallingen"), user=None)

    assert list(EligibleVoter.objects.filter(poll=poll).values_list("participant_id", flat=True)) == [arrived.pk]
    assert ballot_cast(poll_id=poll.pk, participant_id=arrived.pk, answer="yes")
    with pytest.raises(NotEligible):
        ballot_cast(poll_id=poll.pk, participant_id=absent.pk, answer="yes")


# --- Another office ----------------------------------------------------------------------------------------------


def test_another_office_sees_none_of_the_meetings_participants(client, ours, theirs, committed):
    client.force_login(theirs.user)
    names = [p.last_name for p in ours.delegates + ours.deputies]

    listing = client.get(
        reverse("admin:delegates_participant_changelist"), {"congress__id__exact": ours.congress.pk}
    ).content.decode()
    assert not any(name in listing for name in names)
    guessed = client.get(reverse("admin:delegates_participant_change", args=[ours.delegates[0].pk]))
    assert guessed.status_code in (302, 404)
    assert ours.delegates[0].last_name not in guessed.content.decode()

    desk = reverse("delegates_staff:checkin")
    page = client.get(desk, {"congress": ours.congress.pk, "q": ours.delegates[0].last_name})
    assert ours.congress not in page.context["congresses"] and page.context["congress"] != ours.congress
    assert page.context["hits"] == []
    assert ours.delegates[0].full_name not in page.content.decode()
    client.post(
        f"{desk}?congress={ours.congress.pk}",
        {"action": "record", "participant": ours.delegates[0].pk, "direction": "in"},
    )
    assert not Attendance.objects.filter(participant=ours.delegates[0]).exists()

    with committed():
        client.post(
            reverse("admin:delegates_participant_changelist"),
            {"action": "send_invitations", "_selected_action": [ours.delegates[0].pk], "confirm": "yes"},
        )
    assert mail.outbox == []
    assert not PersonalLink.objects.filter(participant=ours.delegates[0]).exists()
