"""The county meetings' demo for ``seed_demo`` (listening to ``delegates.demo.demo_seeded`` and ``demo_resetting``).

KS Viken's three counties hold their 2023 county meetings: the table of representatives per member is published,
most municipalities have reported their representatives through their links (a few have not, so that reminders can
be tried), the meeting has elected the municipalities' delegates to the Landsting with ranked deputies and its county
board, and the result has been transferred into the delegations of the demo Landstinget 2024. The people the meetings
elect are the Landsting 2024 delegates the delegates' demo made for these counties, so the transfer finds them there.
A second regional office's county (Rogaland) has a meeting for the 2027 election that has just been set up.

The election figures are invented (labelled so in ``INVENTED_RESULTS_NOTE``): real ones are not to be had here.
"""

import datetime
import math
import random
import zoneinfo

from django.db import transaction

from agenda.models import Congress
from county_meetings.meeting_elections import meeting_elections_create, meeting_transfer_to_landsting
from county_meetings.models import CountyMeeting, MemberReport, ReportLink, TransferredDelegate
from county_meetings.reports import PersonInput, ReportInput, report_for_member, report_link_issue, report_save
from county_meetings.selectors import meeting_members
from county_meetings.services import (
    county_meeting_create,
    election_results_replace,
    meeting_seats_compute,
    meeting_seats_publish,
)
from delegates.demo import DEMO_EMAIL_DOMAIN, FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, PARTY_WEIGHTS
from delegates.models import County, Organisation, Participant
from elections.models import Candidate, Election, Poll
from elections.services import paper_count_enter, poll_create_for_election, poll_publish, poll_sign_off

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
DEMO_SEED = 2023
#: The source recorded with the demo's election results (in bokmål, as staff read it).
INVENTED_RESULTS_NOTE = "Oppdiktede tall for demoen, ikke de virkelige resultatene fra 2023"

#: (county number, representatives in all, of which the county municipality's, first day)
VIKEN_MEETINGS = [
    ("31", 40, 4, datetime.date(2023, 11, 9)),
    ("32", 60, 6, datetime.date(2023, 11, 16)),
    ("33", 46, 4, datetime.date(2023, 11, 23)),
]
#: How many municipalities of each meeting have not reported, so that the reminders can be tried (those whose
#: people the Landsting 2024 does not have, the smallest first).
NOT_REPORTED_PER_MEETING = 2
DEPUTIES_PER_MEMBER = 2
BOARD_SEATS = 9
#: The other regional office's meeting, just set up: (county number, election year, seats, first day).
NEW_MEETING = ("11", 2027, 60, datetime.date(2027, 11, 11))
TURNOUT = 0.63
_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", " ": "-"})


def reset(sender=None, **kwargs) -> None:
    """The demo's county meetings go with their congresses (participants, reports, elections, transfers)."""
    numbers = [number for number, *_rest in VIKEN_MEETINGS] + [NEW_MEETING[0]]
    TransferredDelegate.objects.filter(meeting__county__number__in=numbers).delete()  # they protect the candidates
    Congress.objects.filter(kind=Congress.Kind.COUNTY_MEETING, county_meeting__county__number__in=numbers).delete()


def official_address(organisation: Organisation) -> str:
    return f"postmottak.{organisation.name.lower().translate(_ASCII)}@{DEMO_EMAIL_DOMAIN}"


def invented_election_results(municipalities: list[Organisation], *, seed: int = DEMO_SEED) -> bytes:
    """A CSV of plausible votes per municipality and party: the national shares of ``PARTY_WEIGHTS`` with a local
    swing, times the voters (80 % of the population) and the turnout. Invented, not the real results."""
    rng = random.Random(seed)  # noqa: S311 -- demo data, not secrets
    lines = ["kommunenummer;kommunenavn;parti;stemmer"]
    for municipality in municipalities:
        voters = round((municipality.population or 0) * 0.8 * TURNOUT)
        weights = [(party, weight * rng.uniform(0.6, 1.4)) for party, weight in PARTY_WEIGHTS]
        total = sum(weight for _party, weight in weights)
        for party, weight in weights:
            votes = round(voters * weight / total)
            if votes:
                lines.append(f"{municipality.number};{municipality.name};{party};{votes}")
    return ("\n".join(lines) + "\n").encode("utf-8")


@transaction.atomic
def seed(sender=None, *, congresses: list[Congress], user, **kwargs) -> None:
    reset()
    addresses = list(Organisation.objects.exclude(county=None).filter(official_email=""))
    for organisation in addresses:
        organisation.official_email = official_address(organisation)
    Organisation.objects.bulk_update(addresses, ["official_email"])
    landsting = congresses[0]
    rng = random.Random(DEMO_SEED)  # noqa: S311 -- demo data, not secrets
    for number, seats, county_seats, first_day in VIKEN_MEETINGS:
        county = County.objects.get(number=number)
        meeting = county_meeting_create(
            county=county,
            election_year=2023,
            first_day=first_day,
            last_day=first_day + datetime.timedelta(days=1),
            registration_deadline=first_day - datetime.timedelta(days=21),
            city=county.name,
            seats=seats,
            county_municipality_seats=county_seats,
            user=user,
        )
        _seed_meeting(meeting=meeting, landsting=landsting, user=user, rng=rng)
    county = County.objects.get(number=NEW_MEETING[0])
    county_meeting_create(
        county=county,
        election_year=NEW_MEETING[1],
        first_day=NEW_MEETING[3],
        last_day=NEW_MEETING[3] + datetime.timedelta(days=1),
        registration_deadline=NEW_MEETING[3] - datetime.timedelta(days=21),
        city=county.name,
        seats=NEW_MEETING[2],
        user=user,
    )


class _People:
    """Invented people for the meeting's members beside those the Landsting 2024 has, with names nobody else has."""

    def __init__(self, rng: random.Random, taken: set[tuple[str, str]]):
        self.rng = rng
        self.taken = taken
        self.number = 0

    def person(self, gender: str) -> PersonInput:
        names = FEMALE_FIRST_NAMES if gender == Participant.Gender.FEMALE else MALE_FIRST_NAMES
        while True:
            first_name, last_name = self.rng.choice(names), self.rng.choice(LAST_NAMES)
            if (first_name, last_name) not in self.taken:
                self.taken.add((first_name, last_name))
                break
        self.number += 1
        local = f"{first_name}.{last_name}".lower().translate(_ASCII)
        parties, weights = zip(*PARTY_WEIGHTS, strict=True)
        return PersonInput(
            first_name=first_name,
            last_name=last_name,
            email=f"{local}.fm{self.number}@{DEMO_EMAIL_DOMAIN}",
            mobile=f"4{self.rng.randrange(10_000_000):07d}",
            gender=gender,
            party=self.rng.choices(parties, weights)[0],
        )


def _as_input(person: Participant) -> PersonInput:
    return PersonInput(
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        mobile=person.mobile or "40000000",
        gender=person.gender,
        party=person.party,
    )


def _seed_meeting(*, meeting: CountyMeeting, landsting: Congress, user, rng: random.Random) -> None:
    meeting_seats_compute(meeting=meeting, user=user)
    meeting_seats_publish(meeting=meeting, user=user)
    first_day = meeting.congress.first_day
    published = datetime.datetime.combine(first_day - datetime.timedelta(days=70), datetime.time(10), tzinfo=OSLO)
    CountyMeeting.objects.filter(pk=meeting.pk).update(seats_published_at=published)
    municipalities = [m for m in meeting_members(meeting.county) if m.kind == Organisation.Kind.MUNICIPALITY]
    election_results_replace(
        meeting=meeting,
        data=invented_election_results(municipalities, seed=DEMO_SEED),
        source=INVENTED_RESULTS_NOTE,
    )

    # The Landsting 2024 delegates and deputies of the county's municipalities: the meeting's members who were elected.
    elected = list(
        Participant.objects.filter(
            congress=landsting,
            county=meeting.county,
            elected_by=Participant.ElectedBy.COUNTY_MEETING,
            status=Participant.Status.ACTIVE,
        ).order_by("role", "deputy_rank", "pk")
    )
    by_member: dict[int, list[Participant]] = {}
    for person in elected:
        by_member.setdefault(person.organisation_id, []).append(person)
    # The municipalities that have not reported: those with the fewest people elected to the Landsting. The
    # regional office entered those people as the meeting's participants by hand, so the meeting could elect them.
    silent = {
        m.pk
        for m in sorted(municipalities, key=lambda m: (len(by_member.get(m.pk, [])), m.population or 0))[
            :NOT_REPORTED_PER_MEETING
        ]
    }
    entered = [
        Participant(
            congress=meeting.congress,
            **{name: getattr(person, name) for name in ("first_name", "last_name", "email", "mobile", "gender")},
            party=person.party,
            organisation_id=person.organisation_id,
            county=meeting.county,
            role=Participant.Role.DELEGATE,
            elected_by=Participant.ElectedBy.MUNICIPAL_COUNCIL,
            elected_on=first_day - datetime.timedelta(days=40),
        )
        for member in silent
        for person in by_member.get(member, [])
    ]
    Participant.objects.bulk_create(entered)
    people = _People(
        rng, {(p.first_name, p.last_name) for p in Participant.objects.all().only("first_name", "last_name")}
    )
    seats = {row.organisation_id: row.final_seats for row in meeting.member_seats.all()}
    mailed = datetime.datetime.combine(first_day - datetime.timedelta(days=60), datetime.time(9), tzinfo=OSLO)
    links = []
    for member in meeting_members(meeting.county):
        report = report_for_member(meeting=meeting, organisation=member, user=user)
        link, _token = report_link_issue(report=report, user=user)
        link.mailed_at, link.mailed_to = mailed, member.official_email
        links.append(link)
        if member.pk in silent:
            continue
        known = [_as_input(p) for p in by_member.get(member.pk, [])]
        count = seats[member.pk]
        genders = [Participant.Gender.FEMALE, Participant.Gender.MALE]
        rng.shuffle(genders)
        representatives = known[:count] + [people.person(genders[i % 2]) for i in range(count - len(known[:count]))]
        deputies = known[count:] + [people.person(genders[(i + 1) % 2]) for i in range(DEPUTIES_PER_MEMBER)]
        report_save(
            report=report,
            data=ReportInput(
                representatives=representatives,
                deputies=deputies,
                decision_date=first_day - datetime.timedelta(days=35 + rng.randrange(10)),
                contact_name="Servicetorget",
                contact_email=member.official_email,
            ),
            submit=True,
            user=None,
        )
    ReportLink.objects.bulk_update(links, ["mailed_at", "mailed_to"])  # the links went out in September
    # The reports came in October 2023, before the deadline (set now: the municipalities' saves were before it).
    CountyMeeting.objects.filter(pk=meeting.pk).update(report_deadline=first_day - datetime.timedelta(days=28))
    submitted = datetime.datetime.combine(first_day - datetime.timedelta(days=30), datetime.time(12), tzinfo=OSLO)
    MemberReport.objects.filter(meeting=meeting, status=MemberReport.Status.SUBMITTED).update(submitted_at=submitted)

    _hold_elections(meeting=meeting, elected=elected, user=user, rng=rng)
    meeting_transfer_to_landsting(meeting=meeting, user=user)
    transferred = datetime.datetime.combine(meeting.congress.last_day + datetime.timedelta(days=7), datetime.time(10))
    TransferredDelegate.objects.filter(meeting=meeting).update(transferred_at=transferred.replace(tzinfo=OSLO))


def _stand(election: Election, people: list[Participant]) -> list[Candidate]:
    return Candidate.objects.bulk_create(
        Candidate.of_participant(election=election, participant=person, position=position)
        for position, person in enumerate(people)
    )


def _count_and_publish(election: Election, candidates: list[Candidate], *, voters: int, user) -> Poll:
    """The meeting voted on paper: the candidates get fewer votes in the order given, with no ties."""
    poll = poll_create_for_election(election=election, mode=Poll.Mode.PAPER)
    counts = {candidate.pk: voters + len(candidates) - index for index, candidate in enumerate(candidates)}
    extra = {}
    if poll.kind == Poll.Kind.MULTI_SEAT:
        extra["valid_ballots"] = max(max(counts.values()), math.ceil(sum(counts.values()) / poll.max_choices))
    poll = paper_count_enter(poll=poll, counts=counts, blank=0, user=user, **extra)
    poll_sign_off(poll=poll, user=user)
    return poll_publish(poll=poll, user=user)


def _hold_elections(*, meeting: CountyMeeting, elected: list[Participant], user, rng: random.Random) -> None:
    """The meeting elects the Landsting 2024's delegates and deputies (and, for a county one delegate short there,
    one of its own members), and its county board of nine, on paper."""
    members = {
        p.email.casefold(): p
        for p in Participant.objects.filter(congress=meeting.congress).select_related("county", "organisation")
    }
    delegates = [members[p.email.casefold()] for p in elected if p.role == Participant.Role.DELEGATE]
    deputies = [members[p.email.casefold()] for p in elected if p.role == Participant.Role.DEPUTY]
    meeting_elections_create(meeting=meeting, user=user, deputies=len(deputies), board_seats=BOARD_SEATS)
    by_office = {e.office: e for e in Election.objects.filter(congress=meeting.congress)}
    chosen = {p.pk for p in delegates + deputies}
    others = [
        p
        for p in members.values()
        if p.pk not in chosen
        and p.role == Participant.Role.DELEGATE
        and p.organisation.kind in Organisation.MUNICIPAL_KINDS
    ]
    rng.shuffle(others)
    voters = len([p for p in members.values() if p.role == Participant.Role.DELEGATE])
    seats = by_office[Election.Office.LANDSTING_DELEGATE].seats
    while len(delegates) < seats:
        delegates.append(others.pop())
    Office = Election.Office
    _count_and_publish(
        by_office[Office.LANDSTING_DELEGATE],
        _stand(by_office[Office.LANDSTING_DELEGATE], delegates + others[:2]),
        voters=voters,
        user=user,
    )
    others = others[2:]
    _count_and_publish(
        by_office[Office.LANDSTING_DEPUTY],
        _stand(by_office[Office.LANDSTING_DEPUTY], deputies),
        voters=voters,
        user=user,
    )
    women = [p for p in others if p.gender == Participant.Gender.FEMALE]
    men = [p for p in others if p.gender == Participant.Gender.MALE]
    leader, deputy_leader = women.pop(), men.pop()
    board = [person for pair in zip(women, men, strict=False) for person in pair][:BOARD_SEATS]  # 7 seats, 9 stand
    for office, people in (
        (Office.COUNTY_BOARD_LEADER, [leader]),
        (Office.COUNTY_BOARD_DEPUTY_LEADER, [deputy_leader]),
        (Office.COUNTY_BOARD_MEMBER, board),
    ):
        _count_and_publish(by_office[office], _stand(by_office[office], people), voters=voters, user=user)
    day = datetime.datetime.combine(meeting.congress.last_day, datetime.time(14), tzinfo=OSLO)
    Poll.objects.filter(election__congress=meeting.congress).update(opened_at=day, closed_at=day, published_at=day)
