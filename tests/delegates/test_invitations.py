import datetime
import io
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from agenda.models import Event
from delegates.models import CountyHoldBack, MailText, Participant, PersonalLink, Registration
from delegates.selectors import invitations_plan
from delegates.services.invitations import invitations_send
from delegates.services.links import LinkProblem, personal_link_issue, personal_link_resolve
from delegates.services.registration import registration_health_data_purge, reminders_send
from tests.factories import (
    CongressFactory,
    CountyFactory,
    ParticipantFactory,
    RegistrationSettingsFactory,
    SecretariatUserFactory,
)

pytestmark = pytest.mark.django_db


LINK = re.compile(r"https?://\S+/p/([A-Za-z0-9_-]{43})/")


@pytest.fixture
def congress():
    congress = CongressFactory(
        registration_deadline=datetime.date(2030, 1, 15),
        first_day=datetime.date(2030, 2, 12),
        last_day=datetime.date(2030, 2, 13),
    )
    RegistrationSettingsFactory(
        congress=congress, travel_information="Bestill reisen hos KS' reisebyrå innen 15. januar."
    )
    Event.objects.create(
        congress=congress,
        title="Landsting",
        kind=Event.Kind.LANDSTING_SESSION,
        starts_at=timezone.make_aware(datetime.datetime(2030, 2, 12, 15, 30)),
        ends_at=timezone.make_aware(datetime.datetime(2030, 2, 12, 17, 30)),
        invited_roles=["delegate"],
    )
    return congress


def test_an_invitation_carries_a_pdf_letter_and_a_working_personal_link(congress, county, committed):
    delegate = ParticipantFactory(
        congress=congress, county=county, first_name="Åse", last_name="Ødegård Bækken", email="ase@example.no"
    )

    with committed():
        plan = invitations_send(participants=[delegate], user=SecretariatUserFactory())

    assert plan.to_send == [delegate]
    (message,) = mail.outbox
    assert message.to == ["ase@example.no"]
    assert message.reply_to == ["trondelag@ks.no"]
    token = LINK.search(message.body).group(1)
    assert personal_link_resolve(token=token).participant == delegate
    (_filename, content, mimetype) = message.attachments[0]
    assert mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "Åse Ødegård Bækken" in text
    assert token in text.replace("\n", "")
    assert PersonalLink.objects.get(participant=delegate).mailed_at is not None


def test_held_back_withdrawn_and_addressless_participants_are_refused_with_reasons(congress, county, committed):
    CountyHoldBack.objects.create(congress=congress, county=county, reason="Omvalg")
    held = ParticipantFactory(congress=congress, county=county)
    elsewhere = CountyFactory(number="46", name="Vestland")
    withdrawn = ParticipantFactory(congress=congress, county=elsewhere, status=Participant.Status.WITHDRAWN)
    no_address = ParticipantFactory(congress=congress, county=elsewhere, email="")
    fine = ParticipantFactory(congress=congress, county=elsewhere)

    plan = invitations_plan(participants=[held, withdrawn, no_address, fine])

    assert plan.to_send == [fine]
    reasons = {participant.pk: reason for participant, reason in plan.refused}
    assert set(reasons) == {held.pk, withdrawn.pk, no_address.pk}
    assert all(reasons.values())
    with committed():
        invitations_send(participants=[held, withdrawn, no_address], user=None)
    assert mail.outbox == []
    assert not PersonalLink.objects.exists()


def test_sending_again_gives_a_new_link_and_the_old_one_keeps_working(congress, county, committed):
    delegate = ParticipantFactory(congress=congress, county=county)
    with committed():
        invitations_send(participants=[delegate], user=None)
    with committed():
        invitations_send(participants=[delegate], user=None)

    first, second = (LINK.search(m.body).group(1) for m in mail.outbox)
    assert first != second
    assert personal_link_resolve(token=first).participant == delegate  # the first letter's QR code still opens
    assert personal_link_resolve(token=second).participant == delegate


@pytest.mark.parametrize(
    ("token", "code"),
    [("", "malformed"), ("abc", "malformed"), ("x" * 43 + "'--", "malformed"), ("A" * 43, "unknown")],
)
def test_malformed_and_guessed_links_are_refused(congress, token, code):
    with pytest.raises(LinkProblem) as problem:
        personal_link_resolve(token=token)
    assert problem.value.code == code


def test_an_expired_link_is_refused(congress, county):
    link, token = personal_link_issue(participant=ParticipantFactory(congress=congress, county=county))
    PersonalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(LinkProblem) as problem:
        personal_link_resolve(token=token)
    assert problem.value.code == "expired"


def test_links_are_stored_only_as_a_hash_with_enough_randomness(congress, county):
    link, token = personal_link_issue(participant=ParticipantFactory(congress=congress, county=county))
    assert len(token) == 43  # 32 random bytes, base64url
    assert token not in link.token_hash
    assert len(link.token_hash) == 64


def test_reminder_goes_once_to_the_invited_who_have_not_registered(congress, county, committed):
    waiting = ParticipantFactory(congress=congress, county=county)
    registered = ParticipantFactory(congress=congress, county=county)
    with committed():
        invitations_send(participants=[waiting, registered], user=None)
    Registration.objects.create(participant=registered)
    mail.outbox.clear()

    days_before = congress.registration_settings.reminder_days_before_deadline
    too_early = congress.registration_deadline - datetime.timedelta(days=days_before + 1)
    assert reminders_send(today=too_early) == 0
    reminder_day = congress.registration_deadline - datetime.timedelta(days=days_before)
    with committed():
        assert reminders_send(today=reminder_day) == 1
    assert reminders_send(today=reminder_day + datetime.timedelta(days=1)) == 0

    (message,) = mail.outbox
    assert message.to == [waiting.email]
    token = LINK.search(message.body).group(1)
    assert personal_link_resolve(token=token).participant == waiting


def test_health_answers_are_deleted_after_the_retention_period(congress, county):
    registration = Registration.objects.create(
        participant=ParticipantFactory(congress=congress, county=county),
        diet=Registration.Diet.VEGAN,
        allergies="Nøtter",
        accessibility="Rullestol",
        listed=True,
    )
    retention_days = congress.registration_settings.health_data_retention_days
    last_allowed = congress.last_day + datetime.timedelta(days=retention_days - 1)
    assert registration_health_data_purge(today=last_allowed) == 0
    assert registration_health_data_purge(today=last_allowed + datetime.timedelta(days=1)) == 1
    registration.refresh_from_db()
    assert (registration.diet, registration.allergies, registration.accessibility) == ("", "", "")
    assert registration.health_data_deleted_at is not None
    assert registration.listed  # only the health-related answers go


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("Hei {first_name}, velkommen.", "{link}"),
        ("Hei {fornavn}: {link}", "{fornavn}"),
        ("Hei {first_name: {link}", "{"),
    ],
)
def test_mail_texts_keep_the_link_and_know_their_placeholders(congress, body, problem):
    text = MailText(congress=congress, kind=MailText.Kind.INVITATION, language="nb", subject="Innkalling", body=body)
    with pytest.raises(ValidationError) as error:
        text.full_clean()
    assert problem in " ".join(error.value.message_dict["body"])


def test_edited_mail_text_is_used(congress, county, committed):
    MailText.objects.create(
        congress=congress,
        kind=MailText.Kind.INVITATION,
        language="nb",
        subject="Velkommen til {congress}",
        body="Kjære {full_name}! Meld deg på her: {link}",
    )
    delegate = ParticipantFactory(congress=congress, county=county, first_name="Ola", last_name="Nordmann")
    with committed():
        invitations_send(participants=[delegate], user=None)
    (message,) = mail.outbox
    assert message.subject == f"Velkommen til {congress.name}"
    assert message.body.startswith("Kjære Ola Nordmann! Meld deg på her: http")


def test_admin_action_shows_the_dry_run_then_sends(client, congress, county, committed):
    CountyHoldBack.objects.create(congress=congress, county=county, reason="Omvalg")
    held = ParticipantFactory(congress=congress, county=county)
    fine = ParticipantFactory(congress=congress, county=CountyFactory(number="46", name="Vestland"))
    client.force_login(SecretariatUserFactory())
    url = reverse("admin:delegates_participant_changelist")

    response = client.post(url, {"action": "send_invitations", "_selected_action": [held.pk, fine.pk]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "held back" in page or "holdes tilbake" in page
    assert mail.outbox == []

    with committed():
        response = client.post(
            url, {"action": "send_invitations", "_selected_action": [held.pk, fine.pk], "confirm": "yes"}, follow=True
        )
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [[fine.email]]
    assert not PersonalLink.objects.filter(participant=held).exists()


def test_letter_preview_with_sample_data(client, congress):
    client.force_login(SecretariatUserFactory())
    response = client.get(reverse("delegates_staff:letter_preview", args=[congress.pk, "nb"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Kari Nordmann" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_sending_reads_the_registration_settings_with_the_participants_not_once_each(congress, county):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = [ParticipantFactory(congress=congress, county=county, email=f"p{i}@example.no") for i in range(4)]

    with CaptureQueriesContext(connection) as queries:
        invitations_send(participants=people, user=None)

    settings_reads = [q["sql"] for q in queries.captured_queries if 'FROM "delegates_registrationsettings"' in q["sql"]]
    assert settings_reads == []


def test_the_mails_write_the_deadline_as_the_participants_language_writes_a_date(congress, county, committed):
    """Not "15.01.2030" beside "15. januar 2030" in the letter: one way to show a deadline (issue 14, item 5)."""
    norwegian = ParticipantFactory(congress=congress, county=county, email="kari@example.no", language="nb")
    english = ParticipantFactory(congress=congress, county=county, email="kate@example.no", language="en")

    with committed():
        invitations_send(participants=[norwegian, english], user=None)

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "15. januar 2030" in bodies["kari@example.no"]
    assert "15 January 2030" in bodies["kate@example.no"]
    assert "15.01.2030" not in bodies["kari@example.no"] + bodies["kate@example.no"]
