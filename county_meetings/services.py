"""Every write of the county meetings."""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from agenda.models import Congress, Event
from agenda.roles import Role
from county_meetings.election_results import parse_election_results
from county_meetings.election_results_messages import describe_result_error_line
from county_meetings.models import CountyMeeting, ElectionResult, MeetingSeat
from county_meetings.selectors import meeting_members
from delegates.apportionment import Method
from delegates.models import County, DelegateKey, Organisation
from delegates.selectors import county_visible_to
from delegates.services.allocation import allocation_explanation, apportion_settled


@transaction.atomic
def meeting_seats_compute(
    *,
    meeting: CountyMeeting,
    user: AbstractBaseUser | None,
    lot_winners: Sequence[str] = (),
    lot_record: str = "",
) -> list[MeetingSeat]:
    """Share the meeting's representatives among its members and store one row per member.

    The county municipality has its fixed number (its population is the whole county's); the municipalities share
    the rest by population with the meeting's method, each at least the minimum, with the delegate key's pure
    apportionment: the same explanation per member, the same drawing of lots for a tie (``lot_winners``:
    municipality numbers; without them a tie raises ``TieNotSettled``), and overrides recorded earlier are kept.
    """
    meeting = CountyMeeting.objects.select_for_update(of=("self",)).select_related("county").get(pk=meeting.pk)
    if meeting.seats_published_at is not None:
        raise ValidationError(
            _(
                "The table has been published and is not computed again. Override a member's number with a reason "
                "instead."
            )
        )
    members = meeting_members(meeting.county)
    municipalities = [m for m in members if m.kind != Organisation.Kind.COUNTY_MUNICIPALITY]
    county_municipality = next((m for m in members if m.kind == Organisation.Kind.COUNTY_MUNICIPALITY), None)
    if not municipalities:
        raise ValidationError(_("The county has no municipalities with population figures."))
    missing = [m.name for m in municipalities if m.population is None]
    if missing:
        raise ValidationError(
            _("These municipalities have no population figure: %(names)s.") % {"names": ", ".join(missing)}
        )
    fixed = meeting.county_municipality_seats if county_municipality is not None else 0
    shared = meeting.seats - fixed
    if shared < meeting.min_seats * len(municipalities):
        raise ValidationError(
            {
                "seats": _(
                    "%(seats)d representatives are too few: the county municipality has %(fixed)d and each of the "
                    "%(count)d municipalities at least %(minimum)d, %(needed)d in all."
                )
                % {
                    "seats": meeting.seats,
                    "fixed": fixed,
                    "count": len(municipalities),
                    "minimum": meeting.min_seats,
                    "needed": fixed + meeting.min_seats * len(municipalities),
                }
            }
        )
    method = Method(meeting.method)
    by_number = {m.number: m for m in municipalities}
    result, lot_seats, tie_text = apportion_settled(
        [(m.number, m.population) for m in municipalities],
        seats=shared,
        method=method,
        min_seats=meeting.min_seats,
        names={m.number: m.name for m in municipalities},
        lot_winners=lot_winners,
        lot_record=lot_record,
        user=user,
    )

    existing = {row.organisation_id: row for row in meeting.member_seats.all()}
    rows: list[MeetingSeat] = []
    for unit in result.units:
        member = by_number[unit.name]
        row = existing.pop(member.pk, None) or MeetingSeat(meeting=meeting, organisation=member)
        row.population = member.population
        row.computed_seats = unit.seats
        row.seats_by_lot = 1 if unit.name in lot_seats else 0
        row.explanation = allocation_explanation(unit, method)
        rows.append(row)
    if county_municipality is not None:
        row = existing.pop(county_municipality.pk, None) or MeetingSeat(
            meeting=meeting, organisation=county_municipality
        )
        row.population = county_municipality.population
        row.computed_seats = fixed
        row.seats_by_lot = 0
        row.explanation = {"kind": "fixed", "seats": fixed}
        rows.append(row)
    MeetingSeat.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()  # members no longer there
    bulk_create_with_history([r for r in rows if r.pk is None], MeetingSeat, default_user=user)
    bulk_update_with_history(
        [r for r in rows if r.pk is not None],
        MeetingSeat,
        ["population", "computed_seats", "seats_by_lot", "explanation"],
        default_user=user,
    )
    meeting.computed_at = timezone.now()
    meeting.computed_by = user
    meeting.tie_resolution = tie_text
    meeting.save(update_fields=["computed_at", "computed_by", "tie_resolution"])
    return rows


@transaction.atomic
def meeting_seat_override(*, row: MeetingSeat, seats: int | None, reason: str, user: AbstractBaseUser) -> MeetingSeat:
    """Set (or with ``seats=None`` clear) staff's own number for one member. An override needs a reason; once the
    table is published, so does clearing one (the reason is kept in the row's history)."""
    row = MeetingSeat.objects.select_for_update().select_related("meeting").get(pk=row.pk)
    published = row.meeting.seats_published_at is not None
    reason = reason.strip()
    if seats is not None and not reason:
        raise ValidationError({"override_reason": _("Give a reason for overriding the computed number.")})
    if seats is None and published and not reason:
        raise ValidationError(
            {"override_reason": _("The table has been published: give a reason for going back to the computed number.")}
        )
    if seats is not None and seats < 1:
        raise ValidationError({"override_seats": _("Every member has at least one representative.")})
    row.override_seats = seats
    row.override_reason = reason if seats is not None or published else ""
    row.overridden_by = user
    row.overridden_at = timezone.now()
    row._history_user = user
    row.save(update_fields=["override_seats", "override_reason", "overridden_by", "overridden_at"])
    return row


@transaction.atomic
def county_meeting_create(
    *,
    county: County,
    election_year: int,
    first_day: datetime.date,
    last_day: datetime.date,
    registration_deadline: datetime.date,
    city: str,
    seats: int,
    user: AbstractBaseUser,
    venue: str = "",
    min_seats: int = 1,
    county_municipality_seats: int = 1,
    method: str = DelegateKey.Method.SAINTE_LAGUE,
) -> CountyMeeting:
    """A county meeting and its congress (of the kind "county meeting"), in one step: a regional office creates the
    meetings of its own counties, which it could not do through the congresses' admin. Refused in words when the
    county is not the user's, the county already has a meeting for this election, or a date or number is wrong."""
    if not county_visible_to(user, county):
        raise ValidationError({"county": _("This county belongs to another regional office.")})
    if CountyMeeting.objects.filter(county=county, election_year=election_year).exists():
        raise ValidationError({"election_year": _("This county already has a county meeting for this election.")})
    with translation.override(settings.LANGUAGE_CODE):  # a congress has one name, in the site's language
        name = _("County meeting of %(county)s %(year)d") % {"county": county.name, "year": election_year}
    congress = Congress(
        name=name,
        year=first_day.year,
        kind=Congress.Kind.COUNTY_MEETING,
        city=city.strip(),
        venue=venue.strip(),
        first_day=first_day,
        last_day=last_day,
        registration_deadline=registration_deadline,
    )
    congress.full_clean()
    congress.save()
    meeting = CountyMeeting(
        congress=congress,
        county=county,
        election_year=election_year,
        seats=seats,
        min_seats=min_seats,
        county_municipality_seats=county_municipality_seats,
        method=method,
    )
    meeting.full_clean()
    meeting.save()
    _meeting_sessions_create(congress=congress, county=county)
    return meeting


#: A county meeting's day in the hall, local time (Europe/Oslo): what its session events say until staff change them.
MEETING_SESSION_HOURS = (datetime.time(9, 0), datetime.time(16, 0))


def _meeting_sessions_create(*, congress: Congress, county: County) -> list[Event]:
    """The meeting's own session, one event per day, to which its delegates and deputies register (the portal
    offers a congress's events; without one a participant could only register for nothing). Titled in both
    languages whatever the creator's language: "Fylkesmøtet i Finnmark", "County meeting of Finnmark"."""
    titles = {}
    for language in ("nb", "en"):
        with translation.override(language):
            titles[language] = _("County meeting of %(county)s") % {"county": county.name}
    zone = timezone.get_default_timezone()
    starts, ends = MEETING_SESSION_HOURS
    days = [
        congress.first_day + datetime.timedelta(days=n)
        for n in range((congress.last_day - congress.first_day).days + 1)
    ]
    return Event.objects.bulk_create(
        Event(
            congress=congress,
            title=titles["nb"],
            title_en=titles["en"],
            kind=Event.Kind.LANDSTING_SESSION,
            starts_at=datetime.datetime.combine(day, starts, tzinfo=zone),
            ends_at=datetime.datetime.combine(day, ends, tzinfo=zone),
            venue=congress.venue,
            invited_roles=[Role.DELEGATE, Role.DEPUTY],
            registration_required=True,
        )
        for day in days
    )


@transaction.atomic
def meeting_seats_publish(*, meeting: CountyMeeting, user: AbstractBaseUser) -> CountyMeeting:
    """Publish the meeting's table of representatives per member: from now on it is what the municipalities are told
    and it is not computed again (overrides stay possible, each with a reason, and are kept in the history). Refused
    in words before the table is computed, when it is published already, and when the members' numbers after
    overrides do not add up to the meeting's representatives."""
    meeting = CountyMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.seats_published_at is not None:
        raise ValidationError(_("The table has already been published."))
    rows = list(meeting.member_seats.all())
    if meeting.computed_at is None or not rows:
        raise ValidationError(_("Compute the table before publishing it."))
    total = sum(row.final_seats for row in rows)
    if total != meeting.seats:
        raise ValidationError(
            _(
                "The members have %(total)d representatives after overrides, but the meeting has %(seats)d; "
                "correct the overrides before publishing."
            )
            % {"total": total, "seats": meeting.seats}
        )
    meeting.seats_published_at = timezone.now()
    meeting.seats_published_by = user
    meeting._history_user = user
    meeting.save(update_fields=["seats_published_at", "seats_published_by"])
    return meeting


@transaction.atomic
def election_results_replace(*, meeting: CountyMeeting, data: bytes, source: str = "") -> int:
    """Replace the meeting's election results with those of a CSV file (municipality number, party, votes; see
    ``county_meetings.election_results``) and return the number of rows stored. Every municipality must be one of the
    meeting's county's; when any line is wrong, nothing is stored and the ValidationError lists every error with its
    line."""
    meeting = CountyMeeting.objects.select_for_update().select_related("county").get(pk=meeting.pk)
    municipalities = {
        member.number: member
        for member in meeting_members(meeting.county)
        if member.kind != Organisation.Kind.COUNTY_MUNICIPALITY
    }
    parsed = parse_election_results(data, known_municipalities=municipalities)
    if not parsed.ok:
        raise ValidationError([describe_result_error_line(error) for error in parsed.errors])
    ElectionResult.objects.filter(meeting=meeting).delete()
    meeting.results_source = " ".join(source.split())
    meeting.save(update_fields=["results_source"])
    ElectionResult.objects.bulk_create(
        ElectionResult(
            meeting=meeting, organisation=municipalities[row.municipality_number], party=row.party, votes=row.votes
        )
        for row in parsed.rows
    )
    return len(parsed.rows)
