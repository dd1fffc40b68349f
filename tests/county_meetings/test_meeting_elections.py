"""A county meeting's elections (issue 16, part 5): the standard elections with the seats the Landsting's delegate key
gives the county's municipalities, the county board of the size the meeting decides, the votes run through the poll
engine and the officials' desk as at the Landsting, and the gender balance of the elected county board."""

import datetime
import math
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agenda.models import AgendaItem, Congress
from county_meetings.meeting_elections import county_board_balance, meeting_elections_create
from county_meetings.models import CountyMeeting
from delegates.models import Organisation, Participant, SeatAllocation
from elections.models import Candidate, Election, Poll
from elections.services import (
    ballot_cast,
    paper_count_enter,
    poll_close,
    poll_create_for_election,
    poll_open,
    poll_publish,
    poll_settle_tie,
    poll_sign_off,
)
from tests.elections.factories import CandidateFactory
from tests.factories import (
    CongressFactory,
    CountyFactory,
    DelegateKeyFactory,
    OrganisationFactory,
    ParticipantFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    regional_staff_user,
)
from tests.helpers import queries_of_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Office = Election.Office


# --- Helpers shared with test_transfer.py (no test_ prefix: importing them collects nothing twice) ------------------


def landsting_for(county, *, seats: int = 5, county_municipality_seats: int = 2, computed: bool = True) -> Congress:
    """A Landsting in February 2024 whose key (fixed split) gives ``county`` ``seats`` seats."""
    landsting = CongressFactory(
        first_day=datetime.date(2024, 2, 13),
        last_day=datetime.date(2024, 2, 14),
        registration_deadline=datetime.date(2024, 1, 15),
    )
    key = DelegateKeyFactory(
        congress=landsting,
        split_rule="fixed",
        county_municipality_seats=county_municipality_seats,
        computed_at=timezone.now() if computed else None,
    )
    SeatAllocation.objects.create(key=key, county=county, population=250_000, computed_seats=seats)
    return landsting


@dataclass
class World:
    office: object
    county: object
    municipalities: list
    county_municipality: Organisation
    meeting: CountyMeeting
    landsting: Congress | None
    people: list  # the meeting's participants, each of a municipality, with e-mail and mobile


def county_world(*, seats: int = 5, board: int | None = 7, people: int = 12, landsting: bool = True) -> World:
    """A county of a regional office with four municipalities and its county municipality, its 2023 county meeting
    with ``people`` participants, and (``landsting``) the Landsting of 2024 giving the county ``seats`` seats, two
    of them the county municipality's."""
    office = RegionalOfficeFactory()
    county = CountyFactory(regional_office=office)
    county_municipality = OrganisationFactory(
        kind=Organisation.Kind.COUNTY_MUNICIPALITY, county=county, name=f"{county.name} fylkeskommune"
    )
    municipalities = [OrganisationFactory(county=county) for _number in range(4)]
    congress = CongressFactory(
        name=f"Fylkesmøtet i {county.name} 2023",
        year=2023,
        kind=Congress.Kind.COUNTY_MEETING,
        first_day=datetime.date(2023, 11, 20),
        last_day=datetime.date(2023, 11, 21),
        registration_deadline=datetime.date(2023, 11, 1),
    )
    meeting = CountyMeeting.objects.create(
        congress=congress, county=county, election_year=2023, seats=40, county_board_seats=board
    )
    members = [
        ParticipantFactory(
            congress=congress,
            county=county,
            organisation=municipalities[number % len(municipalities)],
            mobile=f"9{number:07d}",
            position="Ordfører" if number == 0 else "",
        )
        for number in range(people)
    ]
    return World(
        office=office,
        county=county,
        municipalities=municipalities,
        county_municipality=county_municipality,
        meeting=meeting,
        landsting=landsting_for(county, seats=seats) if landsting else None,
        people=members,
    )


def stand(election: Election, people: list, **fields) -> list[Candidate]:
    """The meeting's participants as the election's candidates, linked to them, in the order given."""
    return [
        CandidateFactory(
            election=election,
            first_name=person.first_name,
            last_name=person.last_name,
            gender=person.gender,
            party=person.party,
            county=person.county,
            organisation=person.organisation,
            participant=person,
            position=position,
            **fields,
        )
        for position, person in enumerate(people)
    ]


def publish_paper(election: Election, votes: dict, official, *, lot_winners: list | None = None) -> Poll:
    """Count ``votes`` (candidate → votes) as a paper ballot, settle a tie with ``lot_winners``, sign off and
    publish, through ``elections.services`` as the officials' desk does."""
    poll = poll_create_for_election(election=election, mode=Poll.Mode.PAPER)
    counts = {candidate.pk: count for candidate, count in votes.items()}
    extra = {}
    if poll.kind == Poll.Kind.MULTI_SEAT:
        total = sum(counts.values())
        extra["valid_ballots"] = max(max(counts.values()), math.ceil(total / poll.max_choices))
    poll = paper_count_enter(poll=poll, counts=counts, blank=0, user=official, **extra)
    if (poll.result or {}).get("tie"):
        poll = poll_settle_tie(
            poll=poll, winners=[c.pk for c in lot_winners or []], drawn_by="Dirigenten", user=official
        )
    poll_sign_off(poll=poll, user=official)
    return poll_publish(poll=poll, user=official)


def election_of(meeting: CountyMeeting, office: str) -> Election:
    return Election.objects.get(congress=meeting.congress, office=office)


def elections_url(meeting: CountyMeeting) -> str:
    return reverse("county_meetings_staff:elections", args=[meeting.pk])


# --- Setting up the standard elections -------------------------------------------------------------------------------


def test_the_standard_elections_get_their_seats_from_the_landsting_allocation():
    world = county_world(seats=5, board=9)
    item = AgendaItem.objects.create(congress=world.meeting.congress, number=4, title="Valg", kind="elections")

    done = meeting_elections_create(meeting=world.meeting, user=SecretariatUserFactory())

    assert done.landsting == world.landsting
    elections = {e.office: e for e in Election.objects.filter(congress=world.meeting.congress)}
    # 5 seats, 2 of them the county municipality's (the fixed rule): the meeting elects 3, and as many deputies.
    assert {office: (e.seats, e.method) for office, e in elections.items()} == {
        Office.LANDSTING_DELEGATE: (3, "multi_seat"),
        Office.LANDSTING_DEPUTY: (3, "multi_seat"),
        Office.COUNTY_BOARD_LEADER: (1, "single_majority"),
        Office.COUNTY_BOARD_DEPUTY_LEADER: (1, "single_majority"),
        Office.COUNTY_BOARD_MEMBER: (7, "multi_seat"),  # 9 less the leader and the deputy leader
    }
    assert elections[Office.LANDSTING_DELEGATE].title == "Election of the municipalities' delegates to the Landsting"
    assert all(e.agenda_item == item for e in elections.values())
    assert len(done.created) == 5


def test_running_it_again_creates_nothing_twice_and_takes_the_new_numbers():
    world = county_world(seats=6)
    user = SecretariatUserFactory()
    meeting_elections_create(meeting=world.meeting, user=user)

    done = meeting_elections_create(meeting=world.meeting, user=user, deputies=6, board_seats=11)

    assert Election.objects.filter(congress=world.meeting.congress).count() == 5
    assert done.created == []
    assert {e.office for e in done.changed} == {Office.LANDSTING_DEPUTY, Office.COUNTY_BOARD_MEMBER}
    assert election_of(world.meeting, Office.LANDSTING_DEPUTY).seats == 6
    assert election_of(world.meeting, Office.COUNTY_BOARD_MEMBER).seats == 9
    world.meeting.refresh_from_db()
    assert world.meeting.county_board_seats == 11
    # A third run without numbers keeps them.
    done = meeting_elections_create(meeting=world.meeting, user=user)
    assert (done.created, done.changed, len(done.kept)) == ([], [], 5)


def test_refused_without_the_landsting_allocation():
    world = county_world(landsting=False)
    user = SecretariatUserFactory()
    with pytest.raises(ValidationError) as refused:
        meeting_elections_create(meeting=world.meeting, user=user)
    assert refused.value.messages == ["There is no Landsting after this county meeting to elect delegates to."]

    landsting = landsting_for(world.county, computed=False)
    with pytest.raises(ValidationError) as refused:
        meeting_elections_create(meeting=world.meeting, user=user)
    assert refused.value.messages == [
        f"The delegate key of {landsting} has no computed seats for {world.county.name} yet: the secretariat computes "
        "the allocation first."
    ]
    assert not Election.objects.filter(congress=world.meeting.congress).exists()


def test_refused_until_the_meeting_has_decided_the_size_of_its_board():
    world = county_world(board=None)
    user = SecretariatUserFactory()
    with pytest.raises(ValidationError) as refused:
        meeting_elections_create(meeting=world.meeting, user=user)
    assert refused.value.message_dict == {
        "board_seats": ["The meeting has not decided the size of its county board (7 to 15 members): enter it."]
    }
    with pytest.raises(ValidationError) as refused:
        meeting_elections_create(meeting=world.meeting, user=user, board_seats=16)
    assert "7 to 15 members" in refused.value.message_dict["board_seats"][0]
    assert not Election.objects.filter(congress=world.meeting.congress).exists()

    meeting_elections_create(meeting=world.meeting, user=user, board_seats=7)
    assert election_of(world.meeting, Office.COUNTY_BOARD_MEMBER).seats == 5


def test_the_seats_of_an_election_whose_vote_exists_no_longer_change():
    world = county_world()
    user = SecretariatUserFactory()
    meeting_elections_create(meeting=world.meeting, user=user)
    deputies = election_of(world.meeting, Office.LANDSTING_DEPUTY)
    stand(deputies, world.people[:4])
    poll_create_for_election(election=deputies)

    with pytest.raises(ValidationError) as refused:
        meeting_elections_create(meeting=world.meeting, user=user, deputies=5)
    assert refused.value.message_dict["deputies"] == [
        f"The vote of “{deputies.title}” has been created for 3 seats; the number of deputies can no longer change."
    ]
    deputies.refresh_from_db()
    assert deputies.seats == 3

    # The Landsting's allocation changed after the delegates' vote was created: refused, the seats stay.
    delegates = election_of(world.meeting, Office.LANDSTING_DELEGATE)
    stand(delegates, world.people[4:8])
    poll_create_for_election(election=delegates)
    SeatAllocation.objects.filter(county=world.county).update(computed_seats=6)
    with pytest.raises(ValidationError) as refused:
        meeting_elections_create(meeting=world.meeting, user=user)
    assert refused.value.messages == [
        f"The vote of “{delegates.title}” has been created for 3 seats, but it should now have 4; its seats can no "
        "longer change."
    ]
    delegates.refresh_from_db()
    assert delegates.seats == 3


def test_another_regional_office_cannot_set_up_the_meetings_elections():
    world = county_world()
    with pytest.raises(ValidationError, match="belongs to another regional office"):
        meeting_elections_create(meeting=world.meeting, user=regional_staff_user())
    assert not Election.objects.filter(congress=world.meeting.congress).exists()


# --- The votes, through the poll engine ------------------------------------------------------------------------------


def test_the_meetings_participants_vote_electronically_as_at_the_landsting(client):
    """The officials' desk runs the meeting's election: the checked-in participants of the meeting vote."""
    from delegates.checkin import checkin_record
    from delegates.models import Attendance

    world = county_world()
    official = SecretariatUserFactory()
    meeting_elections_create(meeting=world.meeting, user=official)
    leader_election = election_of(world.meeting, Office.COUNTY_BOARD_LEADER)
    first, second = stand(leader_election, world.people[:2])
    for person in world.people:
        checkin_record(participant=person, direction=Attendance.Direction.IN, user=None)

    client.force_login(official)
    desk = client.get(reverse("elections_staff:desk") + f"?congress={world.meeting.congress_id}")
    assert leader_election.title in desk.content.decode()
    client.post(reverse("elections_staff:election_poll_create", args=[leader_election.pk]), {"mode": "electronic"})
    poll = Poll.objects.get(election=leader_election)
    poll = poll_open(poll=poll, user=official)
    assert poll.eligible_count == len(world.people)
    for number, person in enumerate(world.people):
        ballot_cast(poll_id=poll.pk, participant_id=person.pk, choices=[first.pk if number < 8 else second.pk])
    poll_close(poll=poll, user=official)
    poll_sign_off(poll=poll, user=official)
    poll_publish(poll=poll, user=official)

    page = client.get(elections_url(world.meeting)).content.decode()
    assert f"{first.full_name}, {first.organisation.name} (8 votes)" in page
    assert reverse("admin:elections_election_change", args=[leader_election.pk]) in page  # the candidates
    assert reverse("elections_staff:poll", args=[poll.pk]) in page


# --- The gender balance of the county board --------------------------------------------------------------------------


def _elect_board(world, official, genders: list[str]) -> None:
    """Elect the board of 7 with the given genders: the leader, the deputy leader, then five members."""
    meeting_elections_create(meeting=world.meeting, user=official)
    people = world.people[: len(genders)]
    for person, gender in zip(people, genders, strict=True):
        Participant.objects.filter(pk=person.pk).update(gender=gender)
        person.gender = gender
    leader, deputy, *members = people
    for office, standing in (
        (Office.COUNTY_BOARD_LEADER, [leader]),
        (Office.COUNTY_BOARD_DEPUTY_LEADER, [deputy]),
        (Office.COUNTY_BOARD_MEMBER, members),
    ):
        election = election_of(world.meeting, office)
        candidates = stand(election, standing)
        publish_paper(election, dict.fromkeys(candidates, 10), official)


def test_the_board_balance_counts_the_leader_the_deputy_leader_and_the_members():
    world = county_world(board=7)
    official = SecretariatUserFactory()
    _elect_board(world, official, ["female", "male", "female", "female", "male", "male", "female"])

    balance = county_board_balance(world.meeting)

    assert (balance.elected, balance.complete, balance.holds) == (7, True, True)
    assert [(row.gender, row.count, str(row.percent), row.below) for row in balance.rows] == [
        ("female", 4, "57.1", False),
        ("male", 3, "42.9", False),
        ("other", 0, "0.0", False),
    ]


def test_a_board_with_too_few_men_is_flagged_on_the_page(client):
    world = county_world(board=7)
    official = SecretariatUserFactory()
    _elect_board(world, official, ["female", "female", "female", "female", "male", "male", "female"])

    balance = county_board_balance(world.meeting)
    assert balance.holds is False
    assert [row.gender for row in balance.rows if row.below] == ["male"]
    client.force_login(official)
    page = client.get(elections_url(world.meeting)).content.decode()
    assert "The county board does not meet the gender balance" in page
    assert "28.6 %" in page


def test_the_board_balance_waits_for_unpublished_elections():
    world = county_world(board=7)
    official = SecretariatUserFactory()
    meeting_elections_create(meeting=world.meeting, user=official)
    leader = election_of(world.meeting, Office.COUNTY_BOARD_LEADER)
    (candidate,) = stand(leader, world.people[:1])
    publish_paper(leader, {candidate: 12}, official)

    balance = county_board_balance(world.meeting)

    assert (balance.elected, balance.complete) == (1, False)
    assert balance.missing == (
        "Election of the deputy leader of the county board",
        "Election of the other members of the county board",
    )


# --- The page -----------------------------------------------------------------------------------------------------


def test_the_regional_office_creates_the_elections_on_the_page(client):
    world = county_world(board=None)
    client.force_login(regional_staff_user(world.office))

    page = client.get(elections_url(world.meeting))
    assert page.status_code == 200
    assert "The meeting has no elections yet." in page.content.decode()
    assert f"{world.landsting} gives {world.county.name} 5 seats; the county meeting elects the municipalities’ 3." in (
        " ".join(page.content.decode().split())
    )

    refused = client.post(elections_url(world.meeting), {"deputies": "3", "board_seats": "5"})
    assert refused.status_code == 400
    assert "Ensure this value is greater than or equal to 7." in refused.content.decode()
    assert not Election.objects.filter(congress=world.meeting.congress).exists()

    response = client.post(elections_url(world.meeting), {"deputies": "4", "board_seats": "8"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["5 elections created."]
    assert election_of(world.meeting, Office.LANDSTING_DEPUTY).seats == 4
    assert election_of(world.meeting, Office.COUNTY_BOARD_MEMBER).seats == 6
    page = response.content.decode()
    assert "Election of the municipalities&#x27; delegates to the Landsting" in page
    assert "No vote yet" in page
    # The regional office enters its meeting's candidates (on the candidates' list of each election, without
    # changing the election) and runs the votes on the officials' desk: the page links to both.
    deputies = election_of(world.meeting, Office.LANDSTING_DEPUTY)
    assert f"{reverse('admin:elections_candidate_changelist')}?election__id__exact={deputies.pk}" in page
    assert f"{reverse('elections_staff:desk')}?congress={world.meeting.congress_id}" in page
    assert "The secretariat’s election officials enter the candidates and run the votes" not in page
    assert reverse("admin:elections_election_change", args=[deputies.pk]) not in page


def test_another_regional_office_finds_neither_the_page_nor_the_meeting(client):
    world = county_world()
    client.force_login(regional_staff_user())

    assert client.get(elections_url(world.meeting)).status_code == 404
    assert client.post(elections_url(world.meeting), {"deputies": "3", "board_seats": "7"}).status_code == 404
    assert not Election.objects.filter(congress=world.meeting.congress).exists()
    assert client.get(reverse("county_meetings_staff:elections", args=[world.meeting.pk + 999])).status_code == 404


def test_the_page_takes_as_many_queries_with_many_candidates_as_with_few(client):
    official = SecretariatUserFactory()
    client.force_login(official)

    def page_queries(candidates: int) -> int:
        world = county_world(people=candidates + 1)
        meeting_elections_create(meeting=world.meeting, user=official)
        for office in (Office.LANDSTING_DELEGATE, Office.LANDSTING_DEPUTY, Office.COUNTY_BOARD_MEMBER):
            election = election_of(world.meeting, office)
            standing = stand(election, world.people[:candidates])
            publish_paper(election, {c: 20 - n for n, c in enumerate(standing)}, official)
        return queries_of_page(client, elections_url(world.meeting))

    few, many = page_queries(7), page_queries(11)
    assert few == many
    assert many <= 20
