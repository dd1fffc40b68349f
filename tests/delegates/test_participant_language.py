"""Participants have a language (issue 14, item 9): bokmål or English, bokmål by default; everything sent to them is
in it, and their pages behind the personal link too, where they can change it."""

import datetime
import io
import re

import pytest
import tablib
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from agenda.models import Event
from core.models import OutboxMail
from core.services import outbox_resolve_interrupted
from delegates.mail_texts import default_text
from delegates.models import Participant, PersonalLink
from delegates.resources import ParticipantResource
from delegates.services.invitations import invitations_send
from delegates.services.links import personal_link_issue, personal_link_mail, personal_link_send_lost
from delegates.services.registration import reminders_send
from tests.factories import CongressFactory, ParticipantFactory, RegistrationSettingsFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
LINK = re.compile(r"https?://\S+(/p/[A-Za-z0-9_-]{43}/)")


@pytest.fixture
def congress():
    congress = CongressFactory(
        name="Landstinget 2027",
        registration_deadline=TODAY + datetime.timedelta(days=10),
        first_day=TODAY + datetime.timedelta(days=30),
        last_day=TODAY + datetime.timedelta(days=31),
    )
    RegistrationSettingsFactory(congress=congress, reminder_days_before_deadline=14)
    start = timezone.make_aware(datetime.datetime.combine(congress.first_day, datetime.time(15, 30)))
    Event.objects.create(
        congress=congress,
        title="Landsting, første dag",
        title_en="Landsting, first day",
        kind=Event.Kind.LANDSTING_SESSION,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        invited_roles=["delegate"],
    )
    return congress


@pytest.fixture
def english(congress):
    return ParticipantFactory(congress=congress, first_name="Emma", language="en", email="emma@example.no")


@pytest.fixture
def norwegian(congress):
    return ParticipantFactory(congress=congress, first_name="Kari", email="kari@example.no")


def subject(kind: str, language: str, congress) -> str:
    with translation.override(language):
        deadline = formats.date_format(congress.registration_deadline, "DATE_FORMAT")
    return default_text(kind, language)[0].format(congress=congress.name, deadline=deadline)


def mail_to(address: str):
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return message


def letter_text(message) -> str:
    (_name, content, _mimetype) = message.attachments[0]
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_participant_speaks_bokmal_unless_told_otherwise(congress):
    assert Participant(congress=congress, first_name="Ola", last_name="Nordmann").language == "nb"
    assert ParticipantFactory(congress=congress).language == "nb"


def test_one_batch_sends_each_invitation_mail_and_letter_in_its_participants_language(
    congress, english, norwegian, committed
):
    with committed():
        invitations_send(participants=[english, norwegian], user=None)

    to_english, to_norwegian = mail_to(english.email), mail_to(norwegian.email)
    assert to_english.subject == "Invitation to Landstinget 2027"
    assert to_english.body.startswith("Dear Emma,")
    assert to_english.attachments[0][0] == "invitation.pdf"
    english_letter = letter_text(to_english)
    assert "Landsting, first day" in english_letter and "Kind regards" in english_letter

    assert to_norwegian.subject == "Innkalling til Landstinget 2027"
    assert to_norwegian.attachments[0][0] == "innkalling.pdf"
    norwegian_letter = letter_text(to_norwegian)
    assert "Landsting, første dag" in norwegian_letter and "Kind regards" not in norwegian_letter


def test_reminders_go_in_the_participants_language(congress, english, norwegian, committed):
    for participant in (english, norwegian):
        link, _token = personal_link_issue(participant=participant)
        PersonalLink.objects.filter(pk=link.pk).update(mailed_at=timezone.now())
    with committed():
        assert reminders_send() == 2
    assert mail_to(english.email).subject == subject("reminder", "en", congress)
    assert mail_to(norwegian.email).subject == subject("reminder", "nb", congress)


def test_a_lost_link_goes_in_the_participants_language_not_the_asking_pages(
    client, congress, english, committed, isolated_cache
):
    link, _token = personal_link_issue(participant=english)
    PersonalLink.objects.filter(pk=link.pk).update(mailed_at=timezone.now())
    with committed():
        client.post(reverse("portal:lost_link"), {"email": english.email}, HTTP_ACCEPT_LANGUAGE="nb")
    assert mail_to(english.email).subject == subject("lost_link", "en", congress)


def test_an_interrupted_mail_is_sent_again_in_the_participants_language(congress, english, committed):
    personal_link_mail(participant=english, kind="reminder", dedupe_key="reminder:test")
    OutboxMail.objects.filter(dedupe_key="reminder:test").update(
        status=OutboxMail.Status.SENDING, attempts=1, sending_started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with committed():
        assert outbox_resolve_interrupted() == 1
    assert mail_to(english.email).subject == subject("reminder", "en", congress)


def test_the_portal_speaks_the_participants_language_whatever_the_browser_asks(client, english, norwegian):
    _link, english_token = personal_link_issue(participant=english)
    page = client.get(reverse("portal:home", args=[english_token]), HTTP_ACCEPT_LANGUAGE="nb")
    assert page["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode() and "Landsting, first day" in page.content.decode()

    _link, norwegian_token = personal_link_issue(participant=norwegian)
    page = client.get(reverse("portal:my_data", args=[norwegian_token]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Alt vi har lagret om deg" in page.content.decode()
    # Its language switch changes the participant's language, not only the browser's.
    assert f'action="{reverse("portal:language", args=[norwegian_token])}"' in page.content.decode()


def test_changing_the_language_on_the_portal_changes_the_pages_and_the_next_mail(
    client, congress, norwegian, committed
):
    link, token = personal_link_issue(participant=norwegian)
    PersonalLink.objects.filter(pk=link.pk).update(mailed_at=timezone.now())
    my_data = reverse("portal:my_data", args=[token])

    response = client.post(reverse("portal:language", args=[token]), {"language": "en", "next": my_data})
    assert response.status_code == 302 and response["Location"] == my_data
    assert response.cookies["django_language"].value == "en"  # the pages without a participant follow too
    norwegian.refresh_from_db()
    assert norwegian.language == "en"
    assert "Everything stored about you" in client.get(my_data).content.decode()

    with committed():
        personal_link_send_lost(email=norwegian.email)
    assert mail_to(norwegian.email).subject == subject("lost_link", "en", congress)


def test_the_language_switch_refuses_another_language_and_another_site(client, norwegian):
    _link, token = personal_link_issue(participant=norwegian)
    response = client.post(reverse("portal:language", args=[token]), {"language": "de", "next": "https://example.com/"})
    assert response["Location"] == reverse("portal:home", args=[token])
    norwegian.refresh_from_db()
    assert norwegian.language == "nb"


def test_the_language_is_exported_as_a_label_and_imported_in_either_language(congress, english, norwegian):
    dataset = ParticipantResource().export(queryset=Participant.objects.order_by("first_name"))
    assert dataset.headers[-1] == "språk"
    assert dataset["språk"] == ["Engelsk", "Norsk bokmål"]  # Emma, Kari: labels in the user's language, bokmål

    resource = ParticipantResource()
    rows = tablib.Dataset(headers=["landsting", "fornavn", "etternavn", "epost", "rolle", "språk"])
    rows.append([congress.name, "Kari", norwegian.last_name, norwegian.email, "delegat", "engelsk"])
    rows.append([congress.name, "Emma", english.last_name, english.email, "delegat", ""])
    result = resource.import_data(rows, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    norwegian.refresh_from_db()
    english.refresh_from_db()
    assert norwegian.language == "en"
    assert english.language == "en"  # an empty cell leaves it as it is
