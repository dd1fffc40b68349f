"""The survey's invitation and reminder (issue 17, item 4): through the outbox, once per participant, in the
participant's language, with a fresh personal link to the survey; the reminder on its day and never after the close,
nor to those who answered, withdrew or have no address."""

import datetime
import re
import threading
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMail
from core.outbox_purposes import outbox_purpose_label
from core.services import outbox_renewer
from delegates.models import Participant, PersonalLink
from delegates.services.links import personal_link_resolve
from surveys import tasks
from surveys.mail import (
    INVITATION,
    REMINDER,
    survey_invitations_send,
    survey_mail_counts,
    survey_mail_renew,
    survey_mails_send,
    survey_reminders_send,
)
from surveys.models import Respondent
from tests.factories import CongressFactory, ParticipantFactory, RegionalOfficeFactory
from tests.surveys.factories import OPEN, OSLO, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

#: SurveyFactory's survey closes on 1 March 2024 and reminds 3 days before: from 00:00 Oslo time on 27 February.
REMINDER_DAY = datetime.datetime(2024, 2, 27, 0, 0, tzinfo=OSLO)
CLOSED = datetime.datetime(2024, 3, 2, 0, 0, tzinfo=OSLO)
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def survey():
    return SurveyFactory(congress=CongressFactory())


@pytest.fixture
def kari(survey):
    return ParticipantFactory(congress=survey.congress, first_name="Kari", language="nb")


@pytest.fixture
def emma(survey):
    return ParticipantFactory(congress=survey.congress, first_name="Emma", language="en")


def _mails(purpose: str) -> dict[int, OutboxMail]:
    return {mail.related_participant_id: mail for mail in OutboxMail.objects.filter(purpose=purpose)}


def _invite_at(moment: datetime.datetime) -> int:
    """The hourly run at ``moment``; the invitations' rows get that moment as when they were queued."""
    sent = survey_mails_send(now=moment).invitations
    OutboxMail.objects.filter(purpose=INVITATION, created_at__gt=moment).update(created_at=moment)
    return sent


# --- The invitation -------------------------------------------------------------------------------------------


def test_the_invitation_goes_once_to_each_active_participant_with_an_address_who_has_not_answered(survey, kari, emma):
    answered = ParticipantFactory(congress=survey.congress)
    Respondent.objects.create(survey=survey, participant=answered)
    withdrawn = ParticipantFactory(congress=survey.congress, status=Participant.Status.WITHDRAWN)
    without_address = ParticipantFactory(congress=survey.congress, email="")
    elsewhere = ParticipantFactory(congress=CongressFactory(year=2027))

    assert survey_mails_send(now=OPEN).invitations == 2
    assert survey_mails_send(now=OPEN + datetime.timedelta(hours=1)).invitations == 0

    mails = _mails(INVITATION)
    assert set(mails) == {kari.pk, emma.pk}
    assert not {answered.pk, withdrawn.pk, without_address.pk, elsewhere.pk} & set(mails)
    assert mails[kari.pk].to == kari.email
    assert mails[kari.pk].dedupe_key == f"{INVITATION}:{survey.pk}:{kari.pk}"
    assert mails[kari.pk].contains_secret
    # One fresh link each, recorded as mailed; the second run issued none.
    assert PersonalLink.objects.filter(mailed_at__isnull=False).count() == 2


def test_a_participant_added_after_the_survey_opened_is_invited_at_the_next_run(survey, kari):
    survey_mails_send(now=OPEN)
    late = ParticipantFactory(congress=survey.congress)
    assert survey_mails_send(now=OPEN + datetime.timedelta(hours=1)).invitations == 1
    assert set(_mails(INVITATION)) == {kari.pk, late.pk}


def test_no_invitation_before_the_survey_opens_or_after_it_closed(survey, kari):
    assert survey_mails_send(now=survey.opens_at - datetime.timedelta(seconds=1)).invitations == 0
    assert survey_mails_send(now=CLOSED).invitations == 0
    assert survey_invitations_send(survey=survey, now=CLOSED) == 0
    assert not OutboxMail.objects.exists()
    assert survey_mails_send(now=survey.opens_at).invitations == 1


def test_each_mail_is_in_the_participants_language(survey, kari, emma):
    office = RegionalOfficeFactory(email="region@ks.no")
    kari.county.regional_office = office
    kari.county.save()
    survey_mails_send(now=OPEN)
    mails = _mails(INVITATION)

    norwegian, english = mails[kari.pk], mails[emma.pk]
    assert norwegian.subject == "Evaluering av Landstinget"
    assert "1. mars 2024" in norwegian.body_text
    assert "Kari" in norwegian.body_text
    assert norwegian.reply_to == "region@ks.no"
    assert english.subject == "Evaluation of the Landsting"
    assert "1 March 2024" in english.body_text
    assert "Dear Emma," in english.body_text
    assert "The survey is open through 1 March 2024." in english.body_text
    assert "mars" not in english.body_text


def test_the_link_in_the_invitation_opens_the_survey(client):
    today = timezone.localdate()
    congress = CongressFactory(
        first_day=today - datetime.timedelta(days=3),
        last_day=today - datetime.timedelta(days=2),
        registration_deadline=today - datetime.timedelta(days=30),
    )
    survey = SurveyFactory(congress=congress, closes_on=today + datetime.timedelta(days=10))
    QuestionFactory(survey=survey, text="Hvor fornøyd var du med maten?")
    kari = ParticipantFactory(congress=congress, language="nb")

    assert survey_invitations_send(survey=survey) == 1
    [url] = LINK.findall(OutboxMail.objects.get().body_text)
    assert url.startswith(settings.KS_PUBLIC_BASE_URL)
    path = urlsplit(url).path
    token = path.split("/")[2]
    assert personal_link_resolve(token=token, touch=False).participant == kari
    assert path == reverse("surveys_portal:form", args=[token])

    page = client.get(path)
    assert page.status_code == 200
    assert "Hvor fornøyd var du med maten?" in page.content.decode()


def test_the_outbox_names_the_mails_in_words():
    assert outbox_purpose_label(INVITATION) != INVITATION
    assert outbox_purpose_label(REMINDER) != REMINDER


def test_beat_runs_the_mails_every_hour(survey, kari):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "surveys.tasks.send_survey_mails")
    assert entry["schedule"].minute == {5}
    assert len(entry["schedule"].hour) == 24
    # The task sends for the surveys open now: this one closed in 2024.
    assert tasks.send_survey_mails() == {"invitations": 0, "reminders": 0}


# --- The reminder ---------------------------------------------------------------------------------------------


def test_the_reminder_goes_from_midnight_on_its_day_once(survey, kari, emma):
    _invite_at(OPEN)
    assert survey_mails_send(now=REMINDER_DAY - datetime.timedelta(microseconds=1)).reminders == 0
    assert survey_mails_send(now=REMINDER_DAY).reminders == 2
    assert survey_mails_send(now=REMINDER_DAY + datetime.timedelta(days=1)).reminders == 0

    reminders = _mails(REMINDER)
    assert reminders[kari.pk].subject.endswith(": Evaluering av Landstinget")  # "Påminnelse: …" once translated
    assert reminders[emma.pk].subject == "Reminder: Evaluation of the Landsting"
    assert reminders[emma.pk].dedupe_key == f"{REMINDER}:{survey.pk}:{emma.pk}"
    # A fresh link: the invitation's keeps working beside it.
    assert PersonalLink.objects.filter(participant=emma, mailed_at__isnull=False, revoked_at__isnull=True).count() == 2


def test_the_reminder_goes_until_the_last_moment_of_the_closing_day_and_never_after(survey, kari, emma):
    _invite_at(OPEN)
    assert survey_reminders_send(survey=survey, now=CLOSED) == 0
    assert survey_mails_send(now=CLOSED).reminders == 0
    assert survey_reminders_send(survey=survey, now=CLOSED - datetime.timedelta(microseconds=1)) == 2


def test_no_reminder_to_those_who_answered_withdrew_or_have_no_address(survey, kari, emma):
    answered = ParticipantFactory(congress=survey.congress)
    withdrawn = ParticipantFactory(congress=survey.congress)
    loses_address = ParticipantFactory(congress=survey.congress)
    _invite_at(OPEN)
    Respondent.objects.create(survey=survey, participant=answered)
    Participant.objects.filter(pk=withdrawn.pk).update(status=Participant.Status.WITHDRAWN)
    Participant.objects.filter(pk=loses_address.pk).update(email="")

    assert survey_mails_send(now=REMINDER_DAY).reminders == 2
    assert set(_mails(REMINDER)) == {kari.pk, emma.pk}


def test_no_reminder_to_one_whose_links_staff_revoked_nor_to_one_not_invited_before_the_day(survey, kari, emma):
    _invite_at(OPEN)
    PersonalLink.objects.filter(participant=emma).update(revoked_at=OPEN)
    late = ParticipantFactory(congress=survey.congress)
    # Added on the reminder's day: the invitation goes, the reminder would follow it within the hour, so it does not.
    sent = survey_mails_send(now=REMINDER_DAY + datetime.timedelta(hours=8))
    assert (sent.invitations, sent.reminders) == (1, 1)
    assert set(_mails(REMINDER)) == {kari.pk}
    assert late.pk in _mails(INVITATION)


def test_no_reminder_when_the_survey_has_none(survey, kari):
    survey.reminder_days_before = 0
    survey.save()
    _invite_at(OPEN)
    for day in range(0, 15):
        assert survey_reminders_send(survey=survey, now=OPEN + datetime.timedelta(days=day)) == 0
    assert not OutboxMail.objects.filter(purpose=REMINDER).exists()


# --- Sent again after an interrupted send; what the secretariat sees ---------------------------------------------


def test_an_interrupted_mail_is_renewed_with_a_fresh_link_unless_the_participant_answered(client, survey, kari, emma):
    today = timezone.localdate()
    survey.closes_on = today + datetime.timedelta(days=5)
    survey.save()
    survey_invitations_send(survey=survey)
    mails = _mails(INVITATION)
    assert outbox_renewer(INVITATION) is survey_mail_renew
    assert outbox_renewer(REMINDER) is survey_mail_renew

    renewed = survey_mail_renew(mails[kari.pk])
    assert renewed.purpose == INVITATION and renewed.to == kari.email and renewed.contains_secret
    assert renewed.pk != mails[kari.pk].pk
    [old_url] = LINK.findall(mails[kari.pk].body_text)
    [new_url] = LINK.findall(renewed.body_text)
    assert old_url != new_url
    assert survey_mail_renew(mails[kari.pk]) == renewed  # renewing twice queues one mail

    Respondent.objects.create(survey=survey, participant=emma)
    assert survey_mail_renew(mails[emma.pk]) is None


def test_the_survey_admin_shows_the_mails_and_sends_the_invitations_through_the_same_service(
    english, secretariat_client, survey, kari, emma
):
    survey_mails_send(now=OPEN)
    OutboxMail.objects.filter(related_participant_id=kari.pk).update(status=OutboxMail.Status.SENT)
    counts = survey_mail_counts(survey)
    assert (counts[INVITATION].sent, counts[INVITATION].waiting, counts[INVITATION].failed) == (1, 1, 0)
    assert (counts[REMINDER].sent, counts[REMINDER].waiting) == (0, 0)
    page = secretariat_client.get(reverse("admin:surveys_survey_change", args=[survey.pk]))
    assert page.status_code == 200
    assert "1 sent, 1 waiting to be sent, 0 failed" in page.content.decode()

    # The action: the survey (of 2024) is closed now, so it sends nothing.
    changelist = reverse("admin:surveys_survey_changelist")
    data = {"action": "send_invitations_now", "_selected_action": [survey.pk]}
    ParticipantFactory(congress=survey.congress)
    secretariat_client.post(changelist, data)
    assert OutboxMail.objects.count() == 2
    # Open now: the one not yet invited gets it, the others nothing again.
    survey.closes_on = timezone.localdate() + datetime.timedelta(days=5)
    survey.save()
    response = secretariat_client.post(changelist, data, follow=True)
    assert OutboxMail.objects.count() == 3
    assert "1 invitation queued" in response.content.decode()


# --- Two runs at the same moment (PostgreSQL) -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_invite_each_participant_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    survey = SurveyFactory(congress=CongressFactory())
    people = ParticipantFactory.create_batch(6, congress=survey.congress)
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []
    sent: list[int] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            sent.append(survey_mails_send(now=OPEN).invitations)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(sent) == [0, 0, 6]
    assert OutboxMail.objects.filter(purpose=INVITATION).count() == 6
    assert set(_mails(INVITATION)) == {person.pk for person in people}
    # Nor a link issued for nothing: one mailed link each.
    assert PersonalLink.objects.count() == 6
