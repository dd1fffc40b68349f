"""Every write of the members' reports (issue 16, part 3): the municipalities (and the county municipality) report the
representatives their council elected to the county meeting, through a personal link sent to their official address,
or the regional office enters the report on their behalf.

- ``report_links_send`` issues a link per member and mails it (once per member, however often it is asked);
  ``report_reminders_send`` reminds the members that have not submitted, with a fresh link.
- ``report_save`` keeps a draft (any part of the form; only malformed values are refused, and then nothing is saved)
  or submits it (every rule checked); a submitted report makes, or updates in place, the participants of the
  meeting's congress, so that invitations, registration and check-in serve the county meeting.
- ``report_link_resolve`` opens a link: only the SHA-256 of its secret is stored, compared in constant time.

History: ``MemberReport`` and ``ReportedPerson`` keep their history (simple_history) with the staff user who saved,
or no user and the change reason "the municipality" when the municipality saved through its link.
"""

import dataclasses
import datetime
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, ProtectedError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from core.deadlines import deadline_closes_at, deadline_is_open
from core.models import OutboxMail
from core.services import NewMail, outbox_batch, outbox_queue, outbox_queue_many
from core.templatetags.deadlines import deadline_format
from county_meetings.models import CountyMeeting, MeetingSeat, MemberReport, ReportedPerson, ReportLink
from county_meetings.selectors import meeting_members
from delegates.models import Organisation, Participant, site_language

TOKEN_BYTES = 32  # 256 random bits
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
#: A link opens this long after the report deadline, or this long after it is issued when there is no deadline.
LINK_VALID_AFTER_DEADLINE = datetime.timedelta(days=30)
LINK_VALID_WITHOUT_DEADLINE = datetime.timedelta(days=60)
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"

#: The outbox purposes of the reports' mails (registered with their labels in ``apps.py``).
LINK_MAIL = "county_meeting_report_link"
REMINDER_MAIL = "county_meeting_report_reminder"
MAIL_PURPOSES = {
    LINK_MAIL: gettext_lazy("County meeting: link for reporting representatives"),
    REMINDER_MAIL: gettext_lazy("County meeting: reminder to report representatives"),
}

#: The change reason in the history of a save through the municipality's own link.
BY_MUNICIPALITY = "municipality"
BY_STAFF = "staff"

PERSON_FIELDS = ("first_name", "last_name", "email", "mobile", "gender", "party")
_MOBILE = re.compile(r"\+?[0-9]{8,15}")  # spaces aside


class ReportLinkProblem(Exception):
    """Why a report link does not open: ``malformed``, ``unknown``, ``revoked`` or ``expired``."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def person_field(role: str, index: int, name: str) -> str:
    """The key of one person's field, the same in the form and in a refusal: ``representative_2_email``."""
    return f"{role}_{index}_{name}"


@dataclasses.dataclass(frozen=True)
class PersonInput:
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    mobile: str = ""
    gender: str = ""
    party: str = ""

    def cleaned(self) -> "PersonInput":
        return PersonInput(**{name: " ".join(str(getattr(self, name) or "").split()) for name in PERSON_FIELDS})

    @property
    def is_blank(self) -> bool:
        return not any(getattr(self, name) for name in PERSON_FIELDS)


@dataclasses.dataclass(frozen=True)
class ReportInput:
    """What the form holds: the representatives in their places (a blank place is empty), the deputies in ranked
    order (blank ones are dropped and the rest ranked 1, 2, …), the decision's date and who reported."""

    representatives: Sequence[PersonInput] = ()
    deputies: Sequence[PersonInput] = ()
    decision_date: datetime.date | None = None
    contact_name: str = ""
    contact_email: str = ""


@dataclasses.dataclass
class LinkSendResult:
    sent: list[Organisation] = dataclasses.field(default_factory=list)
    already_sent: list[Organisation] = dataclasses.field(default_factory=list)
    refused: list[tuple[Organisation, str]] = dataclasses.field(default_factory=list)


# --- Links ----------------------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def report_link_expiry(meeting: CountyMeeting, now: datetime.datetime) -> datetime.datetime:
    """When a link issued ``now`` stops opening: 30 days after the report deadline (so that a late report or a
    correction can still be made; a link issued later than that still opens for a week), or 60 days after it is
    issued when the meeting has no deadline."""
    if meeting.report_deadline is None:
        return now + LINK_VALID_WITHOUT_DEADLINE
    return max(
        deadline_closes_at(meeting.report_deadline) + LINK_VALID_AFTER_DEADLINE, now + datetime.timedelta(days=7)
    )


def report_link_issue(*, report: MemberReport, user: AbstractBaseUser | None) -> tuple[ReportLink, str]:
    """A new link for the report (earlier links keep opening). Returns the link and its secret, never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ReportLink.objects.create(
        report=report,
        token_hash=_token_hash(token),
        created_by=user,
        expires_at=report_link_expiry(report.meeting, timezone.now()),
    )
    return link, token


def report_link_url(token: str) -> str:
    return f"{settings.KS_PUBLIC_BASE_URL}{reverse('county_meetings_portal:report', args=[token])}"


def report_link_resolve(*, token: str, touch: bool = True) -> ReportLink:
    """The link with this secret, or ReportLinkProblem; records when it was opened."""
    if not _TOKEN_SHAPE.fullmatch(token or ""):
        raise ReportLinkProblem("malformed")
    digest = _token_hash(token)
    link = (
        ReportLink.objects.select_related(
            "report__meeting__congress", "report__meeting__county__regional_office", "report__organisation"
        )
        .filter(token_hash=digest)
        .first()
    )
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        raise ReportLinkProblem("unknown")
    now = timezone.now()
    if link.revoked_at is not None:
        raise ReportLinkProblem("revoked")
    if link.expires_at <= now:
        raise ReportLinkProblem("expired")
    if touch:
        ReportLink.objects.filter(pk=link.pk).update(last_opened_at=now)
        ReportLink.objects.filter(pk=link.pk, first_opened_at__isnull=True).update(first_opened_at=now)
    return link


def _mail(*, report: MemberReport, seats: int, token: str, link: ReportLink, purpose: str, dedupe_key: str) -> NewMail:
    meeting = report.meeting
    organisation = report.organisation
    office = meeting.county.regional_office
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "organisation": organisation.name,
            "meeting": meeting.congress.name,
            "congress": meeting.congress,
            "seats": seats,
            "deadline": deadline_format(meeting.report_deadline) if meeting.report_deadline else "",
            "link": report_link_url(token),
            # The last day it opens: an expiry at midnight ends the day before.
            "expires": deadline_format(
                (timezone.localtime(link.expires_at) - datetime.timedelta(microseconds=1)).date()
            ),
            "office": office,
            "reminder": purpose == REMINDER_MAIL,
        }
        subject = (
            _("Reminder: report your representatives to %(meeting)s")
            if purpose == REMINDER_MAIL
            else _("Report your representatives to %(meeting)s")
        ) % {"meeting": meeting.congress.name}
        body = render_to_string("county_meetings/portal/report_mail.txt", values)
    return NewMail(
        to=organisation.official_email,
        subject=subject,
        body_text=body,
        purpose=purpose,
        dedupe_key=dedupe_key,
        reply_to=office.email if office else "",
        contains_secret=True,
    )


def _seats_by_member(meeting: CountyMeeting) -> dict[int, int]:
    return {row.organisation_id: row.seats for row in MeetingSeat.objects.filter(meeting=meeting)}


def _locked_meeting(meeting: CountyMeeting) -> CountyMeeting:
    return (
        CountyMeeting.objects.select_for_update(of=("self",))
        .select_related("congress", "county__regional_office")
        .get(pk=meeting.pk)
    )


def _refuse_unpublished(meeting: CountyMeeting) -> None:
    if meeting.seats_published_at is None:
        raise ValidationError(
            _("Publish the table of representatives first: the links tell each member how many it has.")
        )


def report_links_plan(meeting: CountyMeeting) -> LinkSendResult:
    """What ``report_links_send`` would do now, written nowhere: who gets a link, who got one before, who cannot get
    one and why (for the confirmation page; the send decides again under the meeting's lock)."""
    seats = _seats_by_member(meeting)
    reports = {r.organisation_id: r for r in MemberReport.objects.filter(meeting=meeting)}
    mailed = set(
        ReportLink.objects.filter(report__meeting=meeting, mailed_at__isnull=False).values_list("report_id", flat=True)
    )
    plan = LinkSendResult()
    for member in meeting_members(meeting.county):
        report = reports.get(member.pk)
        if report is not None and (report.pk in mailed or report.status == MemberReport.Status.SUBMITTED):
            plan.already_sent.append(member)
        elif member.pk not in seats:
            plan.refused.append((member, _("It has no row in the published table of representatives.")))
        elif not member.official_email:
            plan.refused.append((member, _("It has no official address (postmottak); add it to the organisation.")))
        else:
            plan.sent.append(member)
    return plan


@transaction.atomic
def report_for_member(*, meeting: CountyMeeting, organisation: Organisation, user: AbstractBaseUser) -> MemberReport:
    """The member's report, made as an empty draft when the regional office enters it before any link was sent."""
    meeting = _locked_meeting(meeting)  # a double click makes one report
    _refuse_unpublished(meeting)
    if not MeetingSeat.objects.filter(meeting=meeting, organisation=organisation).exists():
        raise ValidationError(_("It has no row in the published table of representatives."))
    report = MemberReport.objects.filter(meeting=meeting, organisation=organisation).first()
    if report is None:
        report = MemberReport(meeting=meeting, organisation=organisation)
        report._history_user = user
        report._change_reason = BY_STAFF
        report.save()
    return report


@transaction.atomic
def report_links_send(*, meeting: CountyMeeting, user: AbstractBaseUser | None) -> LinkSendResult:
    """Create each member's report (a draft) and mail its link to the member's official address, once: a member
    whose link was mailed before is left alone (a double click sends nothing twice; a reminder sends a fresh link).
    A member without an official address, or without a row in the published table, is listed with the reason."""
    meeting = _locked_meeting(meeting)
    _refuse_unpublished(meeting)
    seats = _seats_by_member(meeting)
    reports = {r.organisation_id: r for r in MemberReport.objects.filter(meeting=meeting)}
    result = report_links_plan(meeting)
    mails: list[NewMail] = []
    links: list[ReportLink] = []
    for member in result.sent:
        report = reports.get(member.pk)
        if report is None:
            report = MemberReport(meeting=meeting, organisation=member)
            report._history_user = user
            report._change_reason = BY_STAFF
            report.save()
        report.meeting = meeting
        report.organisation = member
        link, token = report_link_issue(report=report, user=user)
        mails.append(
            _mail(
                report=report,
                seats=seats[member.pk],
                token=token,
                link=link,
                purpose=LINK_MAIL,
                dedupe_key=f"{LINK_MAIL}:{report.pk}",
            )
        )
        links.append(link)
    with outbox_batch():
        outbox_queue_many(mails)
    _mark_mailed(links, mails)
    return result


def _mark_mailed(links: Sequence[ReportLink], mails: Sequence[NewMail]) -> None:
    now = timezone.now()
    for link, mail in zip(links, mails, strict=True):
        ReportLink.objects.filter(pk=link.pk).update(mailed_at=now, mailed_to=mail.to)


def report_reminder_plan(meeting: CountyMeeting) -> tuple[list[MemberReport], list[tuple[Organisation, str]]]:
    """Who a reminder would go to (the members whose link was mailed and who have not submitted), and who could not
    get one, with the reason. Read on the confirmation page and again, under the lock, when sending."""
    mailed = set(
        ReportLink.objects.filter(report__meeting=meeting, mailed_at__isnull=False).values_list("report_id", flat=True)
    )
    to_remind: list[MemberReport] = []
    refused: list[tuple[Organisation, str]] = []
    reports = (
        MemberReport.objects.filter(meeting=meeting)
        .exclude(status=MemberReport.Status.SUBMITTED)
        .select_related("organisation")
        .order_by("organisation__number")
    )
    for report in reports:
        if report.pk not in mailed:
            refused.append((report.organisation, _("Its link has not been sent yet: send the links first.")))
        elif not report.organisation.official_email:
            refused.append((report.organisation, _("It has no official address (postmottak) any more.")))
        else:
            to_remind.append(report)
    return to_remind, refused


@transaction.atomic
def report_reminders_send(
    *, meeting: CountyMeeting, user: AbstractBaseUser | None, request_id: str
) -> tuple[list[MemberReport], list[tuple[Organisation, str]]]:
    """Remind every member that has not submitted, with a fresh link (its earlier links keep opening); each reminder
    is counted on the report. ``request_id`` (one per confirmation page) makes a repeated request send nothing."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{8,64}", request_id or ""):
        raise ValidationError(_("The request is incomplete. Open the reminder page again."))
    meeting = _locked_meeting(meeting)
    _refuse_unpublished(meeting)
    to_remind, refused = report_reminder_plan(meeting)
    keys = {report.pk: f"{REMINDER_MAIL}:{report.pk}:{request_id}" for report in to_remind}
    done = set(OutboxMail.objects.filter(dedupe_key__in=keys.values()).values_list("dedupe_key", flat=True))
    to_remind = [report for report in to_remind if keys[report.pk] not in done]
    seats = _seats_by_member(meeting)
    mails: list[NewMail] = []
    links: list[ReportLink] = []
    for report in to_remind:
        report.meeting = meeting
        link, token = report_link_issue(report=report, user=user)
        links.append(link)
        mails.append(
            _mail(
                report=report,
                seats=seats.get(report.organisation_id, 0),
                token=token,
                link=link,
                purpose=REMINDER_MAIL,
                dedupe_key=keys[report.pk],
            )
        )
    with outbox_batch():
        outbox_queue_many(mails)
    _mark_mailed(links, mails)
    now = timezone.now()
    for report in to_remind:
        report.reminded_at = now
        report.reminders_sent += 1  # the meeting's lock keeps two reminder runs apart
        report._history_user = user
        report._change_reason = BY_STAFF
        report.save(update_fields=["reminded_at", "reminders_sent", "updated_at"])
    return to_remind, refused


def report_link_mail_renew(mail: OutboxMail) -> OutboxMail | None:
    """Registered with the outbox: a link or reminder mail whose send was interrupted is sent again with a fresh
    link (the old one is not revoked: it may have arrived). None when the report is gone or has been submitted."""
    try:
        report_id = int(mail.dedupe_key.split(":")[1])
    except (AttributeError, IndexError, ValueError):
        return None
    report = (
        MemberReport.objects.select_related("meeting__congress", "meeting__county__regional_office", "organisation")
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.status == MemberReport.Status.SUBMITTED or not report.organisation.official_email:
        return None
    link, token = report_link_issue(report=report, user=None)
    new = _mail(
        report=report,
        seats=_seats_by_member(report.meeting).get(report.organisation_id, 0),
        token=token,
        link=link,
        purpose=mail.purpose,
        dedupe_key=f"{mail.purpose}:{report.pk}:renewed:{link.pk}",
    )
    queued = outbox_queue(**new.as_kwargs())
    ReportLink.objects.filter(pk=link.pk).update(mailed_at=timezone.now(), mailed_to=new.to)
    return queued


# --- Saving and submitting ------------------------------------------------------------------------------------


def report_document_check(document: UploadedFile) -> None:
    """The council's decision: a real PDF (it starts with ``%PDF-``) of at most 10 MB."""
    if document.size is not None and document.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; the largest allowed is 10 MB.")
            % {"size": number_format(document.size / 1024 / 1024, decimal_pos=1)},
            code="too_large",
        )
    position = document.tell() if hasattr(document, "tell") else 0
    document.seek(0)
    head = document.read(len(PDF_MAGIC))
    document.seek(position)
    if head != PDF_MAGIC:
        raise ValidationError(_("The file is not a PDF. Upload the council's decision as a PDF file."), code="not_pdf")


def report_seats(report: MemberReport) -> int:
    """How many representatives the member has in the meeting's published table (0 without a row)."""
    row = MeetingSeat.objects.filter(meeting_id=report.meeting_id, organisation_id=report.organisation_id).first()
    return row.seats if row is not None else 0


def report_municipality_may_change(report: MemberReport, now: datetime.datetime | None = None) -> bool:
    """The municipality may save and submit until the report deadline (through that day); after it, only a member
    that has not submitted yet may still submit late. Staff may always."""
    if report.status != MemberReport.Status.SUBMITTED:
        return True
    deadline = report.meeting.report_deadline
    return deadline is None or deadline_is_open(deadline, now or timezone.now())


def _malformed(people: dict[str, Sequence[PersonInput]], data: ReportInput, errors: dict[str, list[str]]) -> None:
    for role, persons in people.items():
        for index, person in enumerate(persons, start=1):
            if person.email:
                try:
                    validate_email(person.email)
                except ValidationError:
                    errors.setdefault(person_field(role, index, "email"), []).append(
                        _("Enter a valid e-mail address, such as name@kommune.no.")
                    )
            if person.mobile and not _MOBILE.fullmatch(person.mobile.replace(" ", "")):
                errors.setdefault(person_field(role, index, "mobile"), []).append(
                    _("Enter a mobile number of at least 8 digits, such as 912 34 567 or +47 912 34 567.")
                )
            if person.gender and person.gender not in Participant.Gender.values:
                errors.setdefault(person_field(role, index, "gender"), []).append(_("Choose one of the options."))
            for name, limit in (("first_name", 100), ("last_name", 100), ("party", 60)):
                if len(getattr(person, name)) > limit:
                    errors.setdefault(person_field(role, index, name), []).append(
                        _("At most %(limit)d characters.") % {"limit": limit}
                    )
    if data.contact_email:
        try:
            validate_email(data.contact_email)
        except ValidationError:
            errors.setdefault("contact_email", []).append(_("Enter a valid e-mail address, such as name@kommune.no."))
    if len(data.contact_name) > 200:
        errors.setdefault("contact_name", []).append(_("At most %(limit)d characters.") % {"limit": 200})


def _labels() -> dict[str, str]:
    return {
        "first_name": _("first name"),
        "last_name": _("last name"),
        "email": _("e-mail"),
        "mobile": _("mobile"),
        "gender": _("gender"),
        "party": _("party"),
    }


def _complete(
    report: MemberReport,
    people: dict[str, Sequence[PersonInput]],
    data: ReportInput,
    seats: int,
    errors: dict[str, list[str]],
) -> None:
    """The rules of a submitted report, each refusal next to its field."""
    labels = _labels()
    representatives = people[ReportedPerson.Role.REPRESENTATIVE]
    for index in range(1, seats + 1):
        person = representatives[index - 1] if index <= len(representatives) else PersonInput()
        for name in PERSON_FIELDS:
            if not getattr(person, name):
                errors.setdefault(person_field(ReportedPerson.Role.REPRESENTATIVE, index, name), []).append(
                    _("Fill in the %(field)s of representative %(number)d.") % {"field": labels[name], "number": index}
                )
    for index, person in enumerate(people[ReportedPerson.Role.DEPUTY], start=1):
        if person.is_blank:
            continue
        for name in PERSON_FIELDS:
            if not getattr(person, name):
                errors.setdefault(person_field(ReportedPerson.Role.DEPUTY, index, name), []).append(
                    _("Fill in the %(field)s of deputy %(number)d, or empty all of this deputy's fields.")
                    % {"field": labels[name], "number": index}
                )
    if data.decision_date is None:
        errors.setdefault("decision_date", []).append(_("Give the date of the council's decision."))
    elif data.decision_date > timezone.localdate():
        errors.setdefault("decision_date", []).append(_("The date of the council's decision cannot be in the future."))

    seen_emails: dict[str, str] = {}
    seen_names: dict[tuple[str, str], str] = {}
    for role, persons in people.items():
        for index, person in enumerate(persons, start=1):
            if person.is_blank:
                continue
            if person.email:
                key = person.email.lower()
                if key in seen_emails:
                    errors.setdefault(person_field(role, index, "email"), []).append(
                        _("This e-mail address is also given for %(other)s; each person needs their own.")
                        % {"other": seen_emails[key]}
                    )
                else:
                    seen_emails[key] = _place(role, index)
            if person.first_name and person.last_name:
                name_key = (person.first_name.lower(), person.last_name.lower())
                if name_key in seen_names:
                    errors.setdefault(person_field(role, index, "last_name"), []).append(
                        _("%(name)s is already listed as %(other)s; a person can be listed only once.")
                        % {"name": f"{person.first_name} {person.last_name}", "other": seen_names[name_key]}
                    )
                else:
                    seen_names[name_key] = _place(role, index)
    # An address another participant of the meeting already has (the congress allows each address once).
    own = ReportedPerson.objects.filter(report=report, participant__isnull=False).values_list("participant_id")
    wanted = {p.email.lower() for persons in people.values() for p in persons if p.email}
    taken = {
        email.lower()
        for email in Participant.objects.filter(congress_id=report.meeting_id)
        .exclude(pk__in=own)
        .exclude(email="")
        .values_list("email", flat=True)
    } & wanted
    for role, persons in people.items():
        for index, person in enumerate(persons, start=1):
            if person.email and person.email.lower() in taken:
                errors.setdefault(person_field(role, index, "email"), []).append(
                    _("Another participant of the county meeting already has this e-mail address.")
                )


def _place(role: str, index: int) -> str:
    if role == ReportedPerson.Role.REPRESENTATIVE:
        return _("representative %(number)d") % {"number": index}
    return _("deputy %(number)d") % {"number": index}


@transaction.atomic
def report_save(
    *,
    report: MemberReport,
    data: ReportInput,
    submit: bool,
    user: AbstractBaseUser | None,
    document: UploadedFile | None = None,
    remove_document: bool = False,
) -> MemberReport:
    """Save the member's report as a draft, or submit it.

    ``user`` is the staff member entering it on the member's behalf (recorded as ``entered_by`` and in the history),
    or None for the municipality through its link. A draft keeps whatever is filled in; a malformed value (an e-mail,
    a mobile number, a file that is not a PDF) refuses the whole save with a message next to the field. Submitting
    checks every rule: exactly the member's number of representatives, each with first name, last name, e-mail,
    mobile, gender and party; each deputy complete; the decision's date given and not in the future; nobody twice.
    A submitted report (and every later correction) makes or updates in place the participants of the meeting's
    congress. The municipality may correct a submitted report until the report deadline; staff always. A submitted
    report is never turned back into a draft: a later save is checked as a submission.
    """
    report = (
        MemberReport.objects.select_for_update(of=("self",))
        .select_related("meeting__congress", "meeting__county", "organisation")
        .get(pk=report.pk)
    )
    if user is None and not report_municipality_may_change(report):
        raise ValidationError(
            _(
                "The report deadline has passed, so the report can no longer be changed here. "
                "Contact the regional office to correct it."
            )
        )
    seats = report_seats(report)
    if seats == 0:
        raise ValidationError(
            _("The member has no row in the published table of representatives. Contact the regional office.")
        )
    if report.status == MemberReport.Status.SUBMITTED:
        submit = True  # a submitted report stays complete: every later save is checked as a submission
    people = {
        ReportedPerson.Role.REPRESENTATIVE: [p.cleaned() for p in data.representatives],
        ReportedPerson.Role.DEPUTY: [p.cleaned() for p in data.deputies],
    }
    data = dataclasses.replace(
        data, contact_name=" ".join(data.contact_name.split()), contact_email=data.contact_email.strip()
    )
    errors: dict[str, list[str]] = {}
    if len(people[ReportedPerson.Role.REPRESENTATIVE]) > seats:
        extra = people[ReportedPerson.Role.REPRESENTATIVE][seats:]
        if any(not p.is_blank for p in extra):
            errors.setdefault("__all__", []).append(
                _("The member has %(seats)d representatives; more cannot be reported.") % {"seats": seats}
            )
        people[ReportedPerson.Role.REPRESENTATIVE] = people[ReportedPerson.Role.REPRESENTATIVE][:seats]
    _malformed(people, data, errors)
    if document is not None:
        try:
            report_document_check(document)
        except ValidationError as error:
            errors.setdefault("decision_document", []).extend(error.messages)
    if submit and not errors:
        _complete(report, people, data, seats, errors)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    reason = BY_MUNICIPALITY if user is None else BY_STAFF
    _people_store(report, people, user=user, reason=reason)
    report.decision_date = data.decision_date
    report.contact_name = data.contact_name
    report.contact_email = data.contact_email
    if document is not None:
        if report.decision_document:
            report.decision_document.delete(save=False)
        report.decision_document.save(f"{report.pk}-{secrets.token_hex(8)}.pdf", document, save=False)
    elif remove_document and report.decision_document:
        report.decision_document.delete(save=False)
    if user is not None:
        report.entered_by = user
    elif submit:
        report.entered_by = None  # the municipality reported itself
    if submit:
        report.status = MemberReport.Status.SUBMITTED
        report.submitted_at = now
    report._history_user = user
    report._change_reason = reason
    report.save()
    if report.status == MemberReport.Status.SUBMITTED:
        report_participants_sync(report=report, user=user)
    return report


def _people_store(
    report: MemberReport, people: dict[str, Sequence[PersonInput]], *, user: AbstractBaseUser | None, reason: str
) -> None:
    """The people as given. A person already in the report keeps their row (and so their participant), found by
    e-mail, then by name, then by place: a deputy who moves up is the same person, not a new one. A place left
    blank loses its row; deputies are ranked in the order given, blank ones dropped."""
    wanted: list[tuple[str, int, PersonInput]] = [
        (ReportedPerson.Role.REPRESENTATIVE, index, person)
        for index, person in enumerate(people[ReportedPerson.Role.REPRESENTATIVE], start=1)
        if not person.is_blank
    ]
    deputies = [person for person in people[ReportedPerson.Role.DEPUTY] if not person.is_blank]
    wanted += [(ReportedPerson.Role.DEPUTY, rank, person) for rank, person in enumerate(deputies, start=1)]

    unclaimed = {row.pk: row for row in ReportedPerson.objects.filter(report=report)}
    claimed: dict[int, ReportedPerson] = {}  # position in ``wanted`` -> row

    def claim(position: int, row: ReportedPerson | None) -> None:
        if row is not None and position not in claimed:
            claimed[position] = unclaimed.pop(row.pk)

    for position, (_role, _rank, person) in enumerate(wanted):
        if person.email:
            claim(position, next((r for r in unclaimed.values() if r.email.lower() == person.email.lower()), None))
    for position, (_role, _rank, person) in enumerate(wanted):
        if position not in claimed and person.first_name and person.last_name:
            name = (person.first_name.lower(), person.last_name.lower())
            claim(
                position,
                next((r for r in unclaimed.values() if (r.first_name.lower(), r.last_name.lower()) == name), None),
            )
    for position, (role, rank, _person) in enumerate(wanted):
        if position not in claimed:
            claim(position, next((r for r in unclaimed.values() if (r.role, r.rank) == (role, rank)), None))

    for row in unclaimed.values():  # no longer reported
        row._history_user = user
        row._change_reason = reason
        participant_id = row.participant_id
        row.delete()
        if participant_id is not None:
            try:
                Participant.objects.filter(pk=participant_id).delete()
            except ProtectedError as error:
                raise ValidationError(
                    _(
                        "%(name)s has already taken part in the county meeting (a vote or a change of seat) and "
                        "cannot be removed from the report. The regional office withdraws them on their participant "
                        "page instead."
                    )
                    % {"name": f"{row.first_name} {row.last_name}"}
                ) from error
    moving = [row.pk for position, row in claimed.items() if (row.role, row.rank) != wanted[position][:2]]
    ReportedPerson.objects.filter(pk__in=moving).update(rank=F("rank") + 1000)  # out of each other's places
    for position, (role, rank, person) in enumerate(wanted):
        row = claimed.get(position) or ReportedPerson(report=report)
        values = {"role": role, "rank": rank, **{name: getattr(person, name) for name in PERSON_FIELDS}}
        if row.pk is not None and row.pk not in moving and all(getattr(row, k) == v for k, v in values.items()):
            continue
        for name, value in values.items():
            setattr(row, name, value)
        row._history_user = user
        row._change_reason = reason
        row.save()


def report_participants_sync(*, report: MemberReport, user: AbstractBaseUser | None) -> list[Participant]:
    """The submitted report's people as participants of the meeting's congress: a representative as a delegate, a
    deputy as a deputy with their rank, elected by the member's council on the decision's date; a person already
    made a participant is updated in place (their registration and links stay theirs)."""
    meeting = report.meeting
    rows = list(ReportedPerson.objects.filter(report=report).select_related("participant").order_by("role", "rank"))
    # Ranks may move (deputy 2 becomes deputy 1): move this member's deputies out of the way first.
    Participant.objects.filter(
        pk__in=[r.participant_id for r in rows if r.participant_id], role=Participant.Role.DEPUTY
    ).update(deputy_rank=F("deputy_rank") + 10000)
    participants = []
    new: list[tuple[ReportedPerson, Participant]] = []
    for row in rows:
        participant = row.participant
        if participant is not None:
            participant.refresh_from_db()
        else:
            participant = Participant(congress=meeting.congress, language=site_language())
        participant.first_name = row.first_name
        participant.last_name = row.last_name
        participant.email = row.email
        participant.mobile = row.mobile
        participant.gender = row.gender
        participant.party = row.party
        participant.organisation = report.organisation
        participant.county = meeting.county
        participant.elected_by = Participant.ElectedBy.MUNICIPAL_COUNCIL
        participant.elected_on = report.decision_date
        if row.role == ReportedPerson.Role.REPRESENTATIVE:
            participant.role = Participant.Role.DELEGATE
            participant.deputy_rank = None
        else:
            participant.role = Participant.Role.DEPUTY
            participant.deputy_rank = row.rank
        if participant.pk is None:
            new.append((row, participant))
        else:
            participant._history_user = user
            participant.save()
        participants.append(participant)
    # The new ones in one insert (numbered as save() numbers them), with their history, then linked to their rows.
    bulk_create_with_history([participant for _row, participant in new], Participant, default_user=user)
    for row, participant in new:
        row.participant = participant
    ReportedPerson.objects.bulk_update([row for row, _participant in new], ["participant"])
    return participants
