"""The members' reports (issue 16, part 3), through the services: links sent once to the official address, drafts
kept, submissions refused with a message for each kind of mistake, corrections that update the county meeting's
participants in place, reminders only to those who have not reported, and the history of who saved."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import OutboxMail
from county_meetings.models import MeetingSeat, MemberReport, ReportedPerson, ReportLink
from county_meetings.reports import (
    LINK_MAIL,
    REMINDER_MAIL,
    PersonInput,
    ReportInput,
    ReportLinkProblem,
    report_link_mail_renew,
    report_link_resolve,
    report_links_send,
    report_reminders_send,
    report_save,
)
from delegates.models import Organisation, Participant
from delegates.services.participants import participant_withdraw
from tests.factories import ParticipantFactory, SecretariatUserFactory, published_county_meeting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LINK = re.compile(r"https?://\S+/fylkesmote/([A-Za-z0-9_-]{43})/")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def meeting():
    return published_county_meeting(municipalities=2, seats_each=2)


@pytest.fixture
def staff():
    return SecretariatUserFactory()


def person(n: int, **fields) -> PersonInput:
    values = {
        "first_name": f"Kari{n}",
        "last_name": f"Nordmann{n}",
        "email": f"kari{n}@kommune.no",
        "mobile": f"9123456{n % 10}",
        "gender": "female" if n % 2 else "male",
        "party": "Ap",
    }
    return PersonInput(**(values | fields))


def complete(**fields) -> ReportInput:
    values = {
        "representatives": [person(1), person(2)],
        "deputies": [person(3), person(4)],
        "decision_date": timezone.localdate() - datetime.timedelta(days=3),
    }
    return ReportInput(**(values | fields))


def a_report(meeting, number: int = 1) -> MemberReport:
    member = Organisation.objects.filter(county=meeting.county, kind=Organisation.Kind.MUNICIPALITY).order_by("number")[
        number - 1
    ]
    return MemberReport.objects.create(meeting=meeting, organisation=member)


def refusal(**kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        report_save(**kwargs)
    return raised.value.message_dict


# --- Links ------------------------------------------------------------------------------------------------


def test_links_go_once_to_each_official_address_and_open_the_members_report(meeting, staff, committed):
    with committed():
        result = report_links_send(meeting=meeting, user=staff)

    assert len(result.sent) == 3 and not result.refused
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Organisation.objects.filter(county=meeting.county).values_list("official_email", flat=True)
    )
    message = next(m for m in mail.outbox if "kommune" in m.to[0])
    assert meeting.congress.name in message.subject
    assert "2 representatives" in message.body
    token = LINK.search(message.body).group(1)
    link = report_link_resolve(token=token)
    assert link.report.organisation.official_email == message.to[0]
    assert ReportLink.objects.get(pk=link.pk).token_hash != token  # only the hash is stored
    assert OutboxMail.objects.filter(purpose=LINK_MAIL, contains_secret=True).count() == 3


def test_a_second_send_mails_nobody_again(meeting, staff, committed):
    with committed():
        report_links_send(meeting=meeting, user=staff)
    mail.outbox.clear()

    with committed():
        again = report_links_send(meeting=meeting, user=staff)

    assert again.sent == [] and len(again.already_sent) == 3
    assert mail.outbox == []
    assert OutboxMail.objects.filter(purpose=LINK_MAIL).count() == 3


def test_a_member_without_an_official_address_is_listed_with_the_reason(meeting, staff, committed):
    member = Organisation.objects.filter(county=meeting.county, kind=Organisation.Kind.MUNICIPALITY).first()
    member.official_email = ""
    member.save()

    with committed():
        result = report_links_send(meeting=meeting, user=staff)

    assert [(m, reason) for m, reason in result.refused] == [
        (member, "It has no official address (postmottak); add it to the organisation.")
    ]
    assert len(mail.outbox) == 2


def test_no_links_before_the_table_is_published(meeting, staff):
    meeting.seats_published_at = None
    meeting.save()

    with pytest.raises(ValidationError, match="Publish the table of representatives first"):
        report_links_send(meeting=meeting, user=staff)
    assert not ReportLink.objects.exists()


def test_a_bad_expired_or_revoked_link_does_not_open(meeting, staff, committed):
    with committed():
        report_links_send(meeting=meeting, user=staff)
    token = LINK.search(mail.outbox[0].body).group(1)
    link = report_link_resolve(token=token)

    for bad in ("short", token[:-1] + ("A" if token[-1] != "A" else "B")):
        with pytest.raises(ReportLinkProblem):
            report_link_resolve(token=bad)
    ReportLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ReportLinkProblem, match="expired"):
        report_link_resolve(token=token)
    ReportLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    with pytest.raises(ReportLinkProblem, match="revoked"):
        report_link_resolve(token=token)


def test_links_open_until_thirty_days_after_the_report_deadline(meeting, staff, committed):
    with committed():
        report_links_send(meeting=meeting, user=staff)
    link = ReportLink.objects.first()
    closes = timezone.localtime(link.expires_at)
    assert (closes.date(), closes.time()) == (meeting.report_deadline + datetime.timedelta(days=31), datetime.time(0))
    last_day = meeting.report_deadline + datetime.timedelta(days=30)
    assert f"The link works until {last_day.day} " in mail.outbox[0].body


# --- Reminders --------------------------------------------------------------------------------------------


def test_reminders_go_only_to_members_that_have_not_submitted_with_a_fresh_link(meeting, staff, committed):
    with committed():
        report_links_send(meeting=meeting, user=staff)
    done = a_report_of(meeting, 1)
    report_save(report=done, data=complete(), submit=True, user=None)
    mail.outbox.clear()

    with committed():
        reminded, refused = report_reminders_send(meeting=meeting, user=staff, request_id="first-request")

    assert done not in reminded and len(reminded) == 2 and refused == []
    assert len(mail.outbox) == 2 and done.organisation.official_email not in [m.to[0] for m in mail.outbox]
    assert all("Reminder" in m.subject for m in mail.outbox)
    fresh = {LINK.search(m.body).group(1) for m in mail.outbox}
    assert {report_link_resolve(token=t).report for t in fresh} == set(reminded)
    assert [r.reminders_sent for r in MemberReport.objects.exclude(pk=done.pk)] == [1, 1]
    assert MemberReport.objects.get(pk=done.pk).reminders_sent == 0

    # The same confirmation sent twice (a double click) reminds nobody again; a new one does.
    with committed():
        report_reminders_send(meeting=meeting, user=staff, request_id="first-request")
    assert len(mail.outbox) == 2
    with committed():
        report_reminders_send(meeting=meeting, user=staff, request_id="second-request")
    assert len(mail.outbox) == 4
    assert [r.reminders_sent for r in MemberReport.objects.exclude(pk=done.pk)] == [2, 2]
    assert OutboxMail.objects.filter(purpose=REMINDER_MAIL).count() == 4


def a_report_of(meeting, number: int) -> MemberReport:
    return MemberReport.objects.filter(meeting=meeting, organisation__kind=Organisation.Kind.MUNICIPALITY).order_by(
        "organisation__number"
    )[number - 1]


def test_an_interrupted_link_mail_is_renewed_with_a_fresh_link(meeting, staff, committed):
    with committed():
        report_links_send(meeting=meeting, user=staff)
    old = OutboxMail.objects.filter(purpose=LINK_MAIL).first()
    links_before = ReportLink.objects.count()

    with committed():
        new = report_link_mail_renew(old)

    assert new.pk != old.pk and new.to == old.to and new.contains_secret
    assert ReportLink.objects.count() == links_before + 1


# --- Drafts -----------------------------------------------------------------------------------------------


def test_a_half_filled_draft_is_kept(meeting):
    report = a_report(meeting)

    report_save(
        report=report,
        data=ReportInput(representatives=[PersonInput(first_name="Kari"), PersonInput()], deputies=[PersonInput()]),
        submit=False,
        user=None,
    )

    report.refresh_from_db()
    assert report.status == MemberReport.Status.DRAFT
    (kept,) = report.people.all()
    assert (kept.role, kept.rank, kept.first_name, kept.last_name) == ("representative", 1, "Kari", "")
    assert not Participant.objects.filter(congress=meeting.congress).exists()


def test_a_malformed_value_refuses_the_draft_and_saves_nothing(meeting):
    report = a_report(meeting)

    errors = refusal(
        report=report,
        data=ReportInput(representatives=[person(1, email="not-an-address"), person(2, mobile="1 2 3 4 5")]),
        submit=False,
        user=None,
    )

    assert errors == {
        "representative_1_email": ["Enter a valid e-mail address, such as name@kommune.no."],
        "representative_2_mobile": [
            "Enter a mobile number of at least 8 digits, such as 912 34 567 or +47 912 34 567."
        ],
    }
    assert not ReportedPerson.objects.exists()


def test_the_decision_must_be_a_real_pdf_of_at_most_10_mb(meeting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = a_report(meeting)

    errors = refusal(
        report=report,
        data=ReportInput(),
        submit=False,
        user=None,
        document=SimpleUploadedFile("vedtak.pdf", b"<html>not a pdf</html>", content_type="application/pdf"),
    )
    assert errors == {"decision_document": ["The file is not a PDF. Upload the council's decision as a PDF file."]}
    big = SimpleUploadedFile("vedtak.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    assert (
        "the largest allowed is 10 MB"
        in refusal(report=report, data=ReportInput(), submit=False, user=None, document=big)["decision_document"][0]
    )

    report_save(
        report=report,
        data=ReportInput(),
        submit=False,
        user=None,
        document=SimpleUploadedFile("vedtak.pdf", PDF, content_type="application/pdf"),
    )
    report.refresh_from_db()
    assert report.decision_document.read() == PDF


# --- Submitting -------------------------------------------------------------------------------------------


def test_submit_refuses_each_kind_of_mistake_with_its_message(meeting):
    report = a_report(meeting)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    errors = refusal(
        report=report,
        data=ReportInput(
            representatives=[person(1, party="", gender=""), PersonInput()],
            deputies=[person(3, email="kari1@kommune.no"), person(4, first_name="Kari1", last_name="Nordmann1")],
            decision_date=tomorrow,
        ),
        submit=True,
        user=None,
    )

    assert errors["representative_1_party"] == ["Fill in the party of representative 1."]
    assert errors["representative_1_gender"] == ["Fill in the gender of representative 1."]
    assert errors["representative_2_first_name"] == ["Fill in the first name of representative 2."]
    assert errors["representative_2_mobile"] == ["Fill in the mobile of representative 2."]
    assert errors["decision_date"] == ["The date of the council's decision cannot be in the future."]
    assert errors["deputy_1_email"] == [
        "This e-mail address is also given for representative 1; each person needs their own."
    ]
    assert errors["deputy_2_last_name"] == [
        "Kari1 Nordmann1 is already listed as representative 1; a person can be listed only once."
    ]
    report.refresh_from_db()
    assert report.status == MemberReport.Status.DRAFT and not report.people.exists()

    assert refusal(report=report, data=complete(decision_date=None), submit=True, user=None) == {
        "decision_date": ["Give the date of the council's decision."]
    }
    assert refusal(
        report=report,
        data=complete(deputies=[person(3, mobile="")]),
        submit=True,
        user=None,
    ) == {"deputy_1_mobile": ["Fill in the mobile of deputy 1, or empty all of this deputy's fields."]}


def test_submit_refuses_an_address_another_participant_of_the_meeting_has(meeting):
    ParticipantFactory(congress=meeting.congress, county=meeting.county, email="kari2@kommune.no")

    errors = refusal(report=a_report(meeting), data=complete(), submit=True, user=None)

    assert errors == {
        "representative_2_email": ["Another participant of the county meeting already has this e-mail address."]
    }


def test_deputies_are_not_required(meeting):
    report = report_save(report=a_report(meeting), data=complete(deputies=[PersonInput()]), submit=True, user=None)
    assert report.status == MemberReport.Status.SUBMITTED


def test_a_submitted_report_makes_the_county_meetings_participants(meeting):
    report = a_report(meeting)
    decided = timezone.localdate() - datetime.timedelta(days=3)

    report_save(report=report, data=complete(), submit=True, user=None)

    report.refresh_from_db()
    assert report.status == MemberReport.Status.SUBMITTED and report.submitted_at is not None
    assert report.entered_by is None
    people = Participant.objects.filter(congress=meeting.congress).order_by("role", "deputy_rank", "first_name")
    assert [(p.first_name, p.role, p.deputy_rank) for p in people] == [
        ("Kari1", "delegate", None),
        ("Kari2", "delegate", None),
        ("Kari3", "deputy", 1),
        ("Kari4", "deputy", 2),
    ]
    assert {(p.organisation, p.county, p.elected_by, p.elected_on) for p in people} == {
        (report.organisation, meeting.county, Participant.ElectedBy.MUNICIPAL_COUNCIL, decided)
    }
    assert {p.participant_id for p in report.people.all()} == {p.pk for p in people}


def test_two_members_may_both_have_a_first_deputy(meeting):
    report_save(report=a_report(meeting, 1), data=complete(), submit=True, user=None)
    others = [person(n) for n in (11, 12)]
    report_save(
        report=a_report(meeting, 2),
        data=complete(representatives=others, deputies=[person(13)]),
        submit=True,
        user=None,
    )

    assert Participant.objects.filter(congress=meeting.congress, role="deputy", deputy_rank=1).count() == 2


def test_a_correction_updates_the_participants_in_place(meeting):
    report = a_report(meeting)
    report_save(report=report, data=complete(), submit=True, user=None)
    first = {p.email: p.pk for p in Participant.objects.filter(congress=meeting.congress)}

    # Deputy 1 leaves; deputy 2 moves up; representative 2 changes party.
    report_save(
        report=report,
        data=complete(representatives=[person(1), person(2, party="H")], deputies=[PersonInput(), person(4)]),
        submit=True,
        user=None,
    )

    after = {p.email: p for p in Participant.objects.filter(congress=meeting.congress)}
    assert set(after) == {"kari1@kommune.no", "kari2@kommune.no", "kari4@kommune.no"}
    assert {email: p.pk for email, p in after.items()} == {e: first[e] for e in after}  # the same rows
    assert after["kari2@kommune.no"].party == "H"
    assert (after["kari4@kommune.no"].role, after["kari4@kommune.no"].deputy_rank) == ("deputy", 1)


def test_a_submitted_report_is_never_saved_incomplete(meeting):
    report = a_report(meeting)
    report_save(report=report, data=complete(), submit=True, user=None)

    errors = refusal(report=report, data=complete(representatives=[person(1)]), submit=False, user=None)

    assert errors["representative_2_first_name"] == ["Fill in the first name of representative 2."]
    assert Participant.objects.filter(congress=meeting.congress, role="delegate").count() == 2


def test_a_member_without_a_row_in_the_table_cannot_report(meeting):
    report = a_report(meeting)
    MeetingSeat.objects.filter(meeting=meeting, organisation=report.organisation).delete()

    with pytest.raises(ValidationError, match="no row in the published table"):
        report_save(report=report, data=complete(), submit=True, user=None)


def test_the_municipality_corrects_until_the_deadline_and_staff_after_it(meeting, staff):
    report = a_report(meeting)
    report_save(report=report, data=complete(), submit=True, user=None)
    meeting.report_deadline = timezone.localdate() - datetime.timedelta(days=1)
    meeting.save()

    with pytest.raises(ValidationError, match="The report deadline has passed"):
        report_save(report=report, data=complete(contact_name="Ola"), submit=True, user=None)

    report_save(report=report, data=complete(contact_name="Ola"), submit=True, user=staff)
    report.refresh_from_db()
    assert report.contact_name == "Ola" and report.entered_by == staff


def test_a_withdrawn_representative_is_replaced_by_the_own_members_deputy(meeting):
    report_save(report=a_report(meeting, 1), data=complete(), submit=True, user=None)
    report_save(
        report=a_report(meeting, 2),
        data=complete(representatives=[person(11), person(12)], deputies=[person(13)]),
        submit=True,
        user=None,
    )
    leaving = Participant.objects.get(congress=meeting.congress, email="kari11@kommune.no")

    substitution = participant_withdraw(participant=leaving, user=None)

    assert substitution.replacement.email == "kari13@kommune.no"


def test_the_history_says_who_saved(meeting, staff):
    report = a_report(meeting)
    report_save(report=report, data=complete(representatives=[person(1)]), submit=False, user=None)
    report_save(report=report, data=complete(), submit=True, user=staff)

    records = list(report.history.order_by("history_date"))
    assert [(r.history_user, r.history_change_reason) for r in records[-2:]] == [
        (None, "municipality"),
        (staff, "staff"),
    ]
    people = ReportedPerson.history.filter(report_id=report.pk)
    assert {(r.first_name, r.history_user) for r in people} >= {("Kari1", None), ("Kari2", staff)}


def test_the_outbox_names_the_report_mails_and_renews_them():
    from core.outbox_purposes import outbox_purpose_label
    from core.services import outbox_renewer

    assert outbox_purpose_label(LINK_MAIL) == "County meeting: link for reporting representatives"
    assert outbox_purpose_label(REMINDER_MAIL) == "County meeting: reminder to report representatives"
    assert outbox_renewer(LINK_MAIL) is report_link_mail_renew is outbox_renewer(REMINDER_MAIL)
