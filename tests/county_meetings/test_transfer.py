"""The transfer from a county meeting's published elections into the Landsting's delegation of its county (issue 16,
part 6): roles and ranks, elected by the county meeting; refused with the whole list of problems and nothing written
when it does not fit; never anyone twice; the county board's leader a member by virtue of office of the landsstyre;
the page, its scoping and its queries."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from county_meetings.meeting_elections import meeting_elections_create, meeting_transfer_to_landsting
from county_meetings.models import TransferredDelegate
from delegates.models import County, Participant
from elections.models import AutomaticMember, Election
from elections.services import poll_create_for_election
from tests.county_meetings.test_meeting_elections import county_world, election_of, publish_paper, stand
from tests.factories import ParticipantFactory, SecretariatUserFactory, regional_staff_user
from tests.helpers import queries_of_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Office = Election.Office


def transfer_url(meeting) -> str:
    return reverse("county_meetings_staff:transfer", args=[meeting.pk])


def landsstyre_election(landsting) -> Election:
    return Election.objects.create(
        congress=landsting,
        office=Office.LANDSSTYRE_MEMBER,
        title="Valg av medlemmer til landsstyret",
        seats=6,
        method=Election.Method.MULTI_SEAT,
    )


def elected_meeting(*, seats: int = 5, delegates: int | None = None, deputy_votes=(9, 7, 7), official=None):
    """A county meeting whose Landsting delegates (people 0 to 2) and three deputies (people 3 to 5; the second and
    the third with equal votes) are elected and published, and whose county board's leader (person 6) is elected.
    ``delegates`` changes the delegate election's seats from the allocation's."""
    world = county_world(seats=seats)
    official = official or SecretariatUserFactory()
    meeting_elections_create(meeting=world.meeting, user=official, deputies=3)
    delegate_election = election_of(world.meeting, Office.LANDSTING_DELEGATE)
    if delegates is not None:
        Election.objects.filter(pk=delegate_election.pk).update(seats=delegates)
        delegate_election.refresh_from_db()
    standing = stand(delegate_election, world.people[:3] + world.people[7:8])
    publish_paper(delegate_election, dict(zip(standing, (14, 12, 11, 2), strict=True)), official)
    deputy_election = election_of(world.meeting, Office.LANDSTING_DEPUTY)
    standing = stand(deputy_election, world.people[3:6])
    publish_paper(deputy_election, dict(zip(standing, deputy_votes, strict=True)), official)
    leader = election_of(world.meeting, Office.COUNTY_BOARD_LEADER)
    (candidate,) = stand(leader, world.people[6:7])
    publish_paper(leader, {candidate: 20}, official)
    return world, official


def landsting_delegation(world) -> list[tuple]:
    return list(
        Participant.objects.filter(congress=world.landsting)
        .order_by("role", "deputy_rank", "last_name")
        .values_list("role", "deputy_rank", "email", "elected_by")
    )


# --- The transfer ---------------------------------------------------------------------------------------------------


def test_the_elected_delegates_and_deputies_become_the_landstings_participants():
    world, official = elected_meeting()
    landsstyre = landsstyre_election(world.landsting)
    people = world.people

    result = meeting_transfer_to_landsting(meeting=world.meeting, user=official)

    assert result.problems == []
    assert len(result.created) == 6
    # Deputies by votes; the second and third are level and keep the order of the candidate list.
    assert landsting_delegation(world) == [
        ("delegate", None, people[0].email, "county_meeting"),
        ("delegate", None, people[1].email, "county_meeting"),
        ("delegate", None, people[2].email, "county_meeting"),
        ("deputy", 1, people[3].email, "county_meeting"),
        ("deputy", 2, people[4].email, "county_meeting"),
        ("deputy", 3, people[5].email, "county_meeting"),
    ]
    first = Participant.objects.get(congress=world.landsting, email=people[0].email)
    assert (first.first_name, first.last_name, first.mobile, first.gender, first.party, first.position) == (
        people[0].first_name,
        people[0].last_name,
        people[0].mobile,
        people[0].gender,
        people[0].party,
        "Ordfører",
    )
    assert (first.organisation, first.county, first.elected_on) == (
        people[0].organisation,
        world.county,
        timezone.localdate(),
    )
    assert TransferredDelegate.objects.filter(meeting=world.meeting).count() == 6
    member = AutomaticMember.objects.get(election=landsstyre)
    assert (member.name, member.reason, member.county, member.gender) == (
        people[6].full_name,
        "county_board_leader",
        world.county,
        people[6].gender,
    )


def test_running_the_transfer_twice_creates_nobody_twice():
    world, official = elected_meeting()
    landsstyre = landsstyre_election(world.landsting)
    meeting_transfer_to_landsting(meeting=world.meeting, user=official)

    again = meeting_transfer_to_landsting(meeting=world.meeting, user=official)

    assert again.created == []
    assert len(again.already_transferred) == 6 and again.to_create == []
    assert Participant.objects.filter(congress=world.landsting).count() == 6
    assert TransferredDelegate.objects.count() == 6
    assert AutomaticMember.objects.filter(election=landsstyre).count() == 1
    assert again.board_leader.done


def test_a_placeholder_for_the_countys_board_leader_is_replaced_not_doubled():
    world, official = elected_meeting()
    landsstyre = landsstyre_election(world.landsting)
    AutomaticMember.objects.create(
        election=landsstyre, name="Leder av fylkesstyret (demo)", reason="county_board_leader", county=world.county
    )
    other_county = AutomaticMember.objects.create(
        election=landsstyre, name="Leder i et annet fylke", reason="county_board_leader", county=None
    )

    meeting_transfer_to_landsting(meeting=world.meeting, user=official)

    members = AutomaticMember.objects.filter(election=landsstyre).order_by("pk")
    assert [m.name for m in members] == [world.people[6].full_name, other_county.name]


def test_a_landsstyre_election_already_voted_on_keeps_its_members_and_the_delegates_still_go():
    world, official = elected_meeting()
    landsstyre = landsstyre_election(world.landsting)
    stand(landsstyre, world.people[:2])
    landsstyre.refresh_from_db()
    publish_paper(landsstyre, dict.fromkeys(landsstyre.candidates.all(), 3), official)

    result = meeting_transfer_to_landsting(meeting=world.meeting, user=official)

    assert len(result.created) == 6
    assert result.automatic_member is None
    assert not AutomaticMember.objects.filter(election=landsstyre).exists()
    assert result.board_leader.text == (
        f"“{landsstyre.title}” has already been voted on, so its members by virtue of office are not changed "
        f"({world.people[6].full_name}, the leader of the county board, is not added)."
    )


def test_a_tie_for_the_last_deputy_is_ranked_by_the_engines_drawing_of_lots():
    world = county_world()
    official = SecretariatUserFactory()
    meeting_elections_create(meeting=world.meeting, user=official, deputies=2)
    delegates = election_of(world.meeting, Office.LANDSTING_DELEGATE)
    standing = stand(delegates, world.people[:3])
    publish_paper(delegates, dict.fromkeys(standing, 5), official)
    deputies = election_of(world.meeting, Office.LANDSTING_DEPUTY)
    first, second, third = stand(deputies, world.people[3:6])
    # All three level for two seats: the drawing gives them to the third, then the first.
    publish_paper(deputies, {first: 4, second: 4, third: 4}, official, lot_winners=[third, first])

    meeting_transfer_to_landsting(meeting=world.meeting, user=official)

    ranks = dict(
        Participant.objects.filter(congress=world.landsting, role="deputy").values_list("email", "deputy_rank")
    )
    assert ranks == {world.people[5].email: 1, world.people[3].email: 2}


def test_the_dry_run_says_who_would_be_created_and_writes_nothing():
    world, official = elected_meeting()

    plan = meeting_transfer_to_landsting(meeting=world.meeting, user=official, dry_run=True)

    assert plan.ok and plan.dry_run
    assert [(row.role, row.rank, row.full_name) for row in plan.rows] == [
        ("delegate", None, world.people[0].full_name),
        ("delegate", None, world.people[1].full_name),
        ("delegate", None, world.people[2].full_name),
        ("deputy", 1, world.people[3].full_name),
        ("deputy", 2, world.people[4].full_name),
        ("deputy", 3, world.people[5].full_name),
    ]
    assert plan.board_leader.text == (
        f"{world.landsting} has no landsstyre election yet: {world.people[6].full_name}, the leader of the county "
        "board, is added to it by a later transfer once it exists."
    )
    assert not Participant.objects.filter(congress=world.landsting).exists()


# --- Refusals: the whole list, nothing written ----------------------------------------------------------------------


def test_too_few_delegates_and_missing_details_are_refused_together_writing_nothing():
    world, official = elected_meeting(delegates=2)
    # A deputy without a linked participant (no e-mail) and without a gender.
    deputy = election_of(world.meeting, Office.LANDSTING_DEPUTY).candidates.get(participant=world.people[5])
    deputy.participant = None
    deputy.gender = ""
    deputy.save()
    before = Participant.objects.count()

    with pytest.raises(ValidationError) as refused:
        meeting_transfer_to_landsting(meeting=world.meeting, user=official)

    name = deputy.full_name
    assert refused.value.messages == [
        f"Too few delegates: 2 elected, but {world.landsting} gives the municipalities of {world.county.name} 3 seats.",
        f"{name} (deputy) has no e-mail address: link the candidate to the meeting's participant.",
        f"{name} (deputy) has no gender.",
    ]
    assert Participant.objects.count() == before
    assert not TransferredDelegate.objects.exists()


def test_too_many_delegates_are_refused():
    world, official = elected_meeting(seats=4, delegates=3)  # the municipalities have 2 seats, the meeting elected 3

    with pytest.raises(ValidationError) as refused:
        meeting_transfer_to_landsting(meeting=world.meeting, user=official)

    assert refused.value.messages == [
        f"Too many delegates: 3 elected, but {world.landsting} gives the municipalities of {world.county.name} 2 seats."
    ]
    assert not Participant.objects.filter(congress=world.landsting).exists()


def test_unpublished_elections_stop_the_transfer():
    world = county_world()
    official = SecretariatUserFactory()
    meeting_elections_create(meeting=world.meeting, user=official)
    delegates = election_of(world.meeting, Office.LANDSTING_DELEGATE)
    stand(delegates, world.people[:3])
    poll_create_for_election(election=delegates)

    with pytest.raises(ValidationError) as refused:
        meeting_transfer_to_landsting(meeting=world.meeting, user=official)

    assert refused.value.messages == [
        f"“{delegates.title}” is not decided and published: The vote is not published yet (Not opened).",
        "“Election of the municipalities' deputies to the Landsting” is not decided and published: No vote has been "
        "created yet.",
    ]
    assert not Participant.objects.filter(congress=world.landsting).exists()


def test_an_address_in_use_at_the_landsting_and_a_delegate_entered_by_hand_stop_the_transfer():
    world, official = elected_meeting()
    in_use = ParticipantFactory(
        congress=world.landsting, county=world.county, role="guest", elected_by="", email=world.people[1].email.upper()
    )
    by_hand = ParticipantFactory(
        congress=world.landsting, county=world.county, role="deputy", deputy_rank=1, elected_by="county_meeting"
    )
    before = Participant.objects.count()

    with pytest.raises(ValidationError) as refused:
        meeting_transfer_to_landsting(meeting=world.meeting, user=official)

    assert refused.value.messages == [
        f"{world.people[1].full_name}'s e-mail address {world.people[1].email} is already used by {in_use.full_name} "
        f"at {world.landsting}.",
        f"The delegation of {world.county.name} at {world.landsting} already has 1 delegate or deputy elected by the "
        f"county meeting that did not come from this transfer ({by_hand.full_name}): remove or correct it first.",
    ]
    assert Participant.objects.count() == before


def test_delegates_entered_by_hand_before_are_taken_over_by_their_e_mail_not_made_again():
    world, official = elected_meeting()
    people = world.people
    # The regional office typed in two of them before the meeting's result was in the system, one with the ranks of
    # the deputies swapped, and one as a deputy who was then elected a delegate.
    typed_delegate = ParticipantFactory(
        congress=world.landsting,
        county=world.county,
        role="deputy",
        deputy_rank=2,
        elected_by="county_meeting",
        email=people[0].email.upper(),
        mobile="",
    )
    typed_deputy = ParticipantFactory(
        congress=world.landsting,
        county=world.county,
        role="deputy",
        deputy_rank=1,
        elected_by="county_meeting",
        email=people[4].email,
        mobile="40000000",
    )
    numbers = (typed_delegate.number, typed_deputy.number)

    dry = meeting_transfer_to_landsting(meeting=world.meeting, user=official, dry_run=True)
    assert dry.problems == []
    assert [row.full_name for row in dry.adopted] == [people[0].full_name, people[4].full_name]

    result = meeting_transfer_to_landsting(meeting=world.meeting, user=official)

    assert len(result.created) == 6
    assert Participant.objects.filter(congress=world.landsting).count() == 6
    typed_delegate.refresh_from_db()
    typed_deputy.refresh_from_db()
    assert (typed_delegate.role, typed_delegate.deputy_rank, typed_delegate.mobile) == (
        "delegate",
        None,
        people[0].mobile,
    )
    assert (typed_deputy.role, typed_deputy.deputy_rank, typed_deputy.mobile) == ("deputy", 2, "40000000")
    assert (typed_delegate.number, typed_deputy.number) == numbers
    assert TransferredDelegate.objects.filter(participant__in=[typed_delegate, typed_deputy]).count() == 2
    again = meeting_transfer_to_landsting(meeting=world.meeting, user=official)
    assert again.created == [] and Participant.objects.filter(congress=world.landsting).count() == 6


def test_someone_elected_both_delegate_and_deputy_is_a_problem():
    world, official = elected_meeting()
    deputies = election_of(world.meeting, Office.LANDSTING_DEPUTY)
    twice = deputies.candidates.get(participant=world.people[3])
    twice.participant = world.people[0]
    twice.first_name, twice.last_name = world.people[0].first_name, world.people[0].last_name
    twice.save()

    plan = meeting_transfer_to_landsting(meeting=world.meeting, user=official, dry_run=True)

    assert plan.problems == [f"{world.people[0].full_name} is elected twice, as delegate and as deputy."]


def test_a_candidate_from_another_county_is_a_problem():
    world, official = elected_meeting()
    stranger = County.objects.exclude(pk=world.county.pk).first() or county_world(landsting=False).county
    outsider = ParticipantFactory(congress=world.meeting.congress, county=stranger, organisation=None)
    deputies = election_of(world.meeting, Office.LANDSTING_DEPUTY)
    candidate = deputies.candidates.get(participant=world.people[4])
    other_organisation = county_world(landsting=False).municipalities[0]
    candidate.organisation = other_organisation
    candidate.participant = outsider
    candidate.save()

    plan = meeting_transfer_to_landsting(meeting=world.meeting, user=official, dry_run=True)

    assert plan.problems == [
        f"{candidate.full_name} (deputy) is from {other_organisation.name}, which is not a municipality of "
        f"{world.county.name}."
    ]


def test_another_regional_office_cannot_transfer():
    world, _official = elected_meeting()
    with pytest.raises(ValidationError, match="belongs to another regional office"):
        meeting_transfer_to_landsting(meeting=world.meeting, user=regional_staff_user())
    assert not Participant.objects.filter(congress=world.landsting).exists()


# --- The page ---------------------------------------------------------------------------------------------------


def test_the_regional_office_sees_the_dry_run_confirms_and_finds_the_transferred(client):
    world, _official = elected_meeting()
    landsstyre_election(world.landsting)
    client.force_login(regional_staff_user(world.office))

    page = client.get(transfer_url(world.meeting))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Who the transfer makes participants of the Landsting" in text
    assert world.people[3].full_name in text and "To be created" in text
    assert "Nobody has been transferred yet." in text
    assert 'value="Confirm the transfer"' in text

    response = client.post(transfer_url(world.meeting), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"6 people are now participants of {world.landsting}. {world.people[6].full_name} is the county's member by "
        "virtue of office in the landsstyre election."
    ]
    text = response.content.decode()
    for person in Participant.objects.filter(congress=world.landsting):
        assert reverse("admin:delegates_participant_change", args=[person.pk]) in text
    assert "Everybody elected has been transferred" in text
    assert 'value="Confirm the transfer"' not in text


def test_a_refused_transfer_on_the_page_lists_the_problems(client):
    world, _official = elected_meeting(delegates=2)
    client.force_login(regional_staff_user(world.office))

    page = client.get(transfer_url(world.meeting)).content.decode()
    assert "1 problem stops the transfer" in page
    assert 'value="Confirm the transfer"' not in page

    response = client.post(transfer_url(world.meeting))
    assert response.status_code == 400
    assert "The transfer was refused; nothing was written" in response.content.decode()
    assert not Participant.objects.filter(congress=world.landsting).exists()


def test_another_regional_office_finds_nothing_and_cannot_post(client):
    world, _official = elected_meeting()
    client.force_login(regional_staff_user())

    assert client.get(transfer_url(world.meeting)).status_code == 404
    assert client.post(transfer_url(world.meeting)).status_code == 404
    assert not Participant.objects.filter(congress=world.landsting).exists()


def test_the_transfer_page_takes_as_many_queries_for_many_people_as_for_few(client):
    official = SecretariatUserFactory()
    client.force_login(official)

    def page_queries(deputies: int) -> int:
        world = county_world(people=12)
        meeting_elections_create(meeting=world.meeting, user=official, deputies=deputies)
        delegates = election_of(world.meeting, Office.LANDSTING_DELEGATE)
        publish_paper(delegates, dict.fromkeys(stand(delegates, world.people[:3]), 9), official)
        election = election_of(world.meeting, Office.LANDSTING_DEPUTY)
        publish_paper(
            election, {c: 9 - n for n, c in enumerate(stand(election, world.people[3 : 3 + deputies]))}, official
        )
        meeting_transfer_to_landsting(meeting=world.meeting, user=official)
        return queries_of_page(client, transfer_url(world.meeting))

    few, many = page_queries(2), page_queries(8)
    assert few == many
    assert many <= 25


def test_the_day_elected_is_the_day_the_poll_was_published():
    world, official = elected_meeting()
    published = datetime.datetime(2023, 11, 21, 15, 30, tzinfo=datetime.UTC)
    Election.objects.get(pk=election_of(world.meeting, Office.LANDSTING_DELEGATE).pk).polls.update(
        published_at=published
    )

    meeting_transfer_to_landsting(meeting=world.meeting, user=official)

    days = set(
        Participant.objects.filter(congress=world.landsting, role="delegate").values_list("elected_on", flat=True)
    )
    assert days == {datetime.date(2023, 11, 21)}


@pytest.mark.django_db(transaction=True)
def test_two_transfers_at_once_create_everybody_once():
    """Two offices' staff pressing "Transfer" together: the second waits for the meeting's row lock, then finds
    everybody transferred."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested against PostgreSQL")
    world, official = elected_meeting()
    start = threading.Barrier(2)

    def transfer(_number: int) -> int:
        try:
            start.wait()
            return len(meeting_transfer_to_landsting(meeting=world.meeting, user=official).created)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        created = sorted(pool.map(transfer, range(2)))

    assert created == [0, 6]
    assert Participant.objects.filter(congress=world.landsting).count() == 6
    assert TransferredDelegate.objects.count() == 6
