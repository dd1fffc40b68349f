"""A regional office runs its own county meetings' elections (issue 16, part 5): it enters the candidates in the
elections' admin and runs the votes on the officials' desk, for the county meetings of its own counties only. The
Landsting's elections and another office's meetings are not found (404 on the desk, "does not exist" in the admin),
whatever the id, and are named in no list, filter or picker; the secretariat and the election officials keep
everything they had."""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from agenda.models import Congress
from agenda.selectors import congresses_visible_to
from core.groups import REGIONAL_OFFICE_GROUP, staff_groups_ensure
from county_meetings.meeting_elections import meeting_elections_create
from county_meetings.models import CountyMeeting
from county_meetings.services import county_meeting_create
from delegates.models import Organisation, SeatAllocation
from elections.apps import ELECTION_OFFICIAL_GROUP, REGIONAL_OFFICE_PERMISSIONS
from elections.models import Candidate, Election, Poll, SignOff
from elections.selectors import election_congresses_managed_by
from elections.services import ballot_cast, poll_create_decision, poll_create_for_election
from tests.elections.factories import CandidateFactory, ElectionFactory, present_delegates
from tests.factories import (
    CongressFactory,
    CountyFactory,
    DelegateKeyFactory,
    OrganisationFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    StaffUserFactory,
    regional_staff_user,
)
from tests.helpers import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "client_prefers_english")]

Office = Election.Office


def url(name: str, *args) -> str:
    return reverse(f"elections_staff:{name}", args=args)


def admin_url(model: str, action: str, *args) -> str:
    return reverse(f"admin:elections_{model}_{action}", args=args)


@dataclass
class OfficeMeeting:
    """A regional office with one county, its 2023 county meeting and the meeting's standard elections."""

    user: object  # a staff member of the office
    meeting: CountyMeeting
    municipality: Organisation
    elections: dict  # office -> Election

    @property
    def congress(self) -> Congress:
        return self.meeting.congress

    @property
    def leader(self) -> Election:
        return self.elections[Office.COUNTY_BOARD_LEADER]


def _office_meeting(key, *, county_number: str, county_name: str) -> OfficeMeeting:
    office = RegionalOfficeFactory(name=f"KS {county_name}")
    county = CountyFactory(number=county_number, name=county_name, regional_office=office)
    OrganisationFactory(kind=Organisation.Kind.COUNTY_MUNICIPALITY, county=county, name=f"{county_name} fylkeskommune")
    municipality = OrganisationFactory(county=county, name=f"Kommune i {county_name}")
    SeatAllocation.objects.create(key=key, county=county, population=250_000, computed_seats=5)
    user = regional_staff_user(office)
    meeting = county_meeting_create(
        county=county,
        election_year=2023,
        first_day=datetime.date(2023, 11, 20),
        last_day=datetime.date(2023, 11, 21),
        registration_deadline=datetime.date(2023, 11, 1),
        city="Lillestrøm",
        seats=40,
        user=user,
    )
    meeting_elections_create(meeting=meeting, user=user, board_seats=7)
    elections = {election.office: election for election in Election.objects.filter(congress=meeting.congress)}
    return OfficeMeeting(user=user, meeting=meeting, municipality=municipality, elections=elections)


@dataclass
class World:
    landsting: Congress
    landsting_election: Election
    landsting_poll: Poll  # a draft
    ours: OfficeMeeting
    theirs: OfficeMeeting  # another regional office's meeting
    their_poll: Poll  # a draft


@pytest.fixture
def world() -> World:
    landsting = CongressFactory(name="Landstinget i Trondheim 2024")
    key = DelegateKeyFactory(
        congress=landsting, split_rule="fixed", county_municipality_seats=2, computed_at=timezone.now()
    )
    ours = _office_meeting(key, county_number="32", county_name="Akershus")
    theirs = _office_meeting(key, county_number="11", county_name="Rogaland")
    landsting_election = ElectionFactory(congress=landsting, title="Valg av leder")
    CandidateFactory(election=landsting_election, first_name="Lars", last_name="Landstingkandidat")
    CandidateFactory(election=landsting_election, first_name="Liv", last_name="Landstingkandidat")
    CandidateFactory(election=theirs.leader, first_name="Olga", last_name="Andrekontor")
    CandidateFactory(election=theirs.leader, first_name="Odd", last_name="Andrekontor")
    for congress in (landsting, theirs.congress):
        present_delegates(congress, 2)
    return World(
        landsting=landsting,
        landsting_election=landsting_election,
        landsting_poll=poll_create_for_election(election=landsting_election),
        ours=ours,
        theirs=theirs,
        their_poll=poll_create_for_election(election=theirs.leader),
    )


@pytest.fixture
def official():
    staff_groups_ensure()
    user = StaffUserFactory(first_name="Vera", last_name="Valgstyrer")
    user.groups.add(Group.objects.get(name=ELECTION_OFFICIAL_GROUP))
    return user


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- The rule -------------------------------------------------------------------------------------------------------


def test_the_regional_office_group_has_exactly_its_elections_permissions():
    staff_groups_ensure()
    group = Group.objects.get(name=REGIONAL_OFFICE_GROUP)
    codenames = set(group.permissions.filter(content_type__app_label="elections").values_list("codename", flat=True))
    assert codenames == {
        "view_election",
        "view_poll",
        "run_poll",
        "view_candidate",
        "add_candidate",
        "change_candidate",
        "delete_candidate",
        "view_automaticmember",
    }
    assert codenames == {
        f"{action}_{model}" for model, actions in REGIONAL_OFFICE_PERMISSIONS.items() for action in actions
    }
    # Ballots, votes cast and the polls' records are never the office's to touch.
    assert not codenames & {"change_poll", "delete_poll", "view_ballot", "view_votecast", "change_election"}


def test_a_regional_office_manages_its_own_meetings_only_the_others_what_they_see(world, official):
    secretariat = SecretariatUserFactory()
    everything = {world.landsting.pk, world.ours.congress.pk, world.theirs.congress.pk}

    assert list(election_congresses_managed_by(world.ours.user)) == [world.ours.congress]
    assert list(election_congresses_managed_by(world.theirs.user)) == [world.theirs.congress]
    # The office still sees the Landsting in every other picker; it just does not run its elections.
    assert world.landsting in congresses_visible_to(world.ours.user)
    assert {congress.pk for congress in election_congresses_managed_by(secretariat)} == everything
    assert set(election_congresses_managed_by(official)) == set(congresses_visible_to(official)) == {world.landsting}

    # Staff of an office who are election officials as well run every congress they see.
    world.ours.user.groups.add(Group.objects.get(name=ELECTION_OFFICIAL_GROUP))
    both = type(world.ours.user).objects.get(pk=world.ours.user.pk)
    assert set(election_congresses_managed_by(both)) == {world.landsting, world.ours.congress}


# --- What the office does for its own meeting -----------------------------------------------------------------------


def test_the_office_adds_a_candidate_to_its_meetings_election_in_the_admin(client, world):
    client.force_login(world.ours.user)
    add = admin_url("candidate", "add")

    page = client.get(add)
    assert page.status_code == 200
    offered = {pk for pk, _label in page.context["adminform"].form.fields["election"].choices if pk}
    assert {int(str(pk)) for pk in offered} == {election.pk for election in world.ours.elections.values()}

    # From the county meeting's link (the candidates of one election), the add page starts with that election.
    filtered = client.get(f"{add}?_changelist_filters=election__id__exact%3D{world.ours.leader.pk}")
    assert filtered.context["adminform"].form.initial["election"] == str(world.ours.leader.pk)

    fields = {
        "first_name": "Marte",
        "last_name": "Egenkontor",
        "gender": "female",
        "party": "Sp",
        "county": "",
        "organisation": world.ours.municipality.pk,
        "participant": "",
        "proposed_by": "committee",
        "position": "0",
    }
    response = client.post(add, {"election": world.ours.leader.pk, **fields})
    assert response.status_code == 302
    marte = Candidate.objects.get(last_name="Egenkontor")
    assert marte.election == world.ours.leader

    # Another office's election and the Landsting's are not among the choices: refused, nothing added.
    for election in (world.theirs.leader, world.landsting_election):
        refused = client.post(add, {"election": election.pk, **fields, "last_name": "Inntrenger"})
        assert refused.status_code == 200
        assert "Select a valid choice" in str(refused.context["adminform"].form.errors["election"])
    assert not Candidate.objects.filter(last_name="Inntrenger").exists()

    # It corrects and removes its own candidate before the vote.
    change = admin_url("candidate", "change", marte.pk)
    assert client.post(change, {**fields, "party": "Ap"}).status_code == 302
    marte.refresh_from_db()
    assert marte.party == "Ap"
    assert client.post(admin_url("candidate", "delete", marte.pk), {"post": "yes"}).status_code == 302
    assert not Candidate.objects.filter(pk=marte.pk).exists()


def test_the_office_runs_its_meetings_vote_on_the_desk_from_creation_to_publication(client, world):
    client.force_login(world.ours.user)
    leader = world.ours.leader
    first, second = (
        CandidateFactory(election=leader, first_name="Marte", last_name="Egenkontor"),
        CandidateFactory(election=leader, first_name="Mads", last_name="Egenkontor"),
    )
    voters = present_delegates(world.ours.congress, 3, organisation=world.ours.municipality)

    desk = client.get(url("desk"))  # no congress asked: the office's own meeting
    assert desk.status_code == 200
    assert [congress.pk for congress in desk.context["congresses"]] == [world.ours.congress.pk]
    assert desk.context["congress"] == world.ours.congress
    assert leader.title in desk.content.decode()

    response = client.post(url("election_poll_create", leader.pk), {"mode": "electronic"}, follow=True)
    poll = Poll.objects.get(election=leader)
    assert messages_of(response) == [f"The vote “{leader.title}” is created; open it when the hall is ready."]

    response = client.post(url("poll_open", poll.pk), {"back": "poll"}, follow=True)
    assert messages_of(response) == [f"“{leader.title}” is open: 3 delegates may vote."]
    for voter, candidate in zip(voters, [first, first, second], strict=True):
        ballot_cast(poll_id=poll.pk, participant_id=voter.pk, choices=[candidate.pk])
    status = client.get(url("poll_status", poll.pk)).json()
    assert (status["state"], status["received"], status["eligible"]) == ("open", 3, 3)
    projector_state = client.get(url("projector_state", world.ours.congress.pk)).json()
    assert projector_state["poll"]["progress"] == "3 of 3 votes received"
    assert client.get(url("projector", world.ours.congress.pk)).status_code == 200

    assert client.get(url("poll_close", poll.pk)).status_code == 200  # the confirmation
    client.post(url("poll_close", poll.pk), {"confirmed": "yes"})
    client.post(url("poll_sign_off", poll.pk), {"back": "poll"})
    response = client.post(url("poll_publish", poll.pk), {"confirmed": "yes", "back": "poll"}, follow=True)

    assert messages_of(response)[-1] == f"The result of “{leader.title}” is published."
    poll.refresh_from_db()
    assert poll.state == Poll.State.PUBLISHED
    assert poll.published_by == world.ours.user
    assert SignOff.objects.get(poll=poll).user == world.ours.user
    page = client.get(url("poll", poll.pk)).content.decode()
    assert "Marte Egenkontor" in page

    protocol = client.get(url("protocol") + f"?congress={world.ours.congress.pk}")
    assert protocol.status_code == 200
    assert "Marte Egenkontor" in pdf_text(protocol.content)


def test_the_office_creates_and_publishes_a_paper_yes_no_vote_of_its_meeting(client, world):
    client.force_login(world.ours.user)
    response = client.post(
        url("decision_create"),
        {"congress": world.ours.congress.pk, "title": "Forretningsorden", "majority": "simple", "mode": "paper"},
    )
    assert response.status_code == 302
    poll = Poll.objects.get(congress=world.ours.congress, title="Forretningsorden")
    client.post(url("poll_paper", poll.pk), {"answer_yes": 30, "answer_no": 4, "answer_abstain": 1, "rejected": 0})
    client.post(url("poll_sign_off", poll.pk))
    client.post(url("poll_publish", poll.pk), {"confirmed": "yes"})

    poll.refresh_from_db()
    assert (poll.state, poll.result["adopted"]) == (Poll.State.PUBLISHED, True)


# --- What the office does not reach -----------------------------------------------------------------------------------


def _pages(poll: Poll) -> list[str]:
    return [
        url("poll", poll.pk),
        url("poll_status", poll.pk),
        url("poll_close", poll.pk),
        url("poll_publish", poll.pk),
        url("projector", poll.congress_id),
        url("projector_state", poll.congress_id),
        url("desk") + f"?congress={poll.congress_id}",
        url("protocol") + f"?congress={poll.congress_id}",
    ]


def _actions(poll: Poll) -> list[tuple[str, dict]]:
    congress = poll.congress_id
    return [
        (url("election_poll_create", poll.election_id), {"mode": "electronic"}),
        (url("poll_open", poll.pk), {}),
        (url("poll_close", poll.pk), {"confirmed": "yes"}),
        (url("poll_sign_off", poll.pk), {}),
        (url("poll_publish", poll.pk), {"confirmed": "yes"}),
        (url("poll_runoff", poll.pk), {}),
        (url("poll_tie", poll.pk), {"winners": [1], "drawn_by": "X"}),
        (url("poll_paper", poll.pk), {"rejected": 0}),
        (url("decision_create"), {"congress": congress, "title": "X", "majority": "simple", "mode": "electronic"}),
        (url("decision_open"), {"congress": congress, "subject": "x"}),
    ]


def test_the_landstings_and_another_offices_votes_are_not_found_on_the_desk(client, world):
    client.force_login(world.ours.user)
    polls_before = Poll.objects.count()

    for poll in (world.landsting_poll, world.their_poll):
        for page in _pages(poll):
            assert client.get(page).status_code == 404, page
        for action, data in _actions(poll):
            assert client.post(action, data).status_code == 404, action
        poll.refresh_from_db()
        assert poll.state == Poll.State.DRAFT
        assert not poll.sign_offs.exists()
    assert Poll.objects.count() == polls_before

    # Guessed ids that are nobody's are not found either, and say nothing more.
    unknown = Poll.objects.order_by("-pk").first().pk + 100
    for page in (url("poll", unknown), url("poll_status", unknown), url("projector_state", unknown + 100)):
        assert client.get(page).status_code == 404, page


def test_the_desk_names_neither_the_landsting_nor_another_offices_meeting(client, world):
    client.force_login(world.ours.user)
    desk = client.get(url("desk") + f"?congress={world.ours.congress.pk}")
    text = desk.content.decode()

    assert world.landsting.name not in text
    assert world.theirs.congress.name not in text
    assert "Andrekontor" not in text and "Landstingkandidat" not in text
    assert url("poll", world.their_poll.pk) not in text


def test_the_admin_lists_and_finds_only_the_offices_own_meetings_elections(client, world):
    client.force_login(world.ours.user)
    their_candidate = Candidate.objects.get(first_name="Olga")
    landsting_candidate = Candidate.objects.get(first_name="Lars")

    elections = client.get(admin_url("election", "changelist")).content.decode()
    assert admin_url("election", "change", world.ours.leader.pk) in elections
    for election in (world.theirs.leader, world.landsting_election):
        assert admin_url("election", "change", election.pk) not in elections
    # Nor does the congress filter name them.
    assert world.ours.congress.name in elections
    assert world.theirs.congress.name not in elections and world.landsting.name not in elections

    candidates = client.get(admin_url("candidate", "changelist")).content.decode()
    assert "Andrekontor" not in candidates and "Landstingkandidat" not in candidates
    assert world.theirs.congress.name not in candidates and world.landsting.name not in candidates

    polls = client.get(admin_url("poll", "changelist")).content.decode()
    assert admin_url("poll", "change", world.their_poll.pk) not in polls
    assert admin_url("poll", "change", world.landsting_poll.pk) not in polls
    assert world.theirs.congress.name not in polls and world.landsting.name not in polls

    # By guessed id: "does not exist", back to the admin's start, nothing of the object shown.
    for model, obj in (
        ("election", world.theirs.leader),
        ("election", world.landsting_election),
        ("candidate", their_candidate),
        ("candidate", landsting_candidate),
        ("poll", world.their_poll),
        ("poll", world.landsting_poll),
    ):
        response = client.get(admin_url(model, "change", obj.pk))
        assert response.status_code == 302, (model, obj)
        landing = client.get(response["Location"]).content.decode()
        assert "Andrekontor" not in landing and "Landstingkandidat" not in landing
        assert world.theirs.congress.name not in landing and world.landsting.name not in landing

    # Nor changed or deleted.
    fields = {"first_name": "Endret", "last_name": "X", "proposed_by": "committee", "position": "0"}
    for candidate in (their_candidate, landsting_candidate):
        client.post(admin_url("candidate", "change", candidate.pk), fields)
        client.post(admin_url("candidate", "delete", candidate.pk), {"post": "yes"})
        candidate.refresh_from_db()
        assert candidate.first_name in ("Olga", "Lars")


def test_the_office_reads_its_own_election_but_does_not_change_it(client, world):
    client.force_login(world.ours.user)
    leader = world.ours.leader
    page = client.get(admin_url("election", "change", leader.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False

    client.post(admin_url("election", "change", leader.pk), {"congress": leader.congress_id, "title": "Nytt"})
    leader.refresh_from_db()
    assert leader.title != "Nytt"
    assert client.get(admin_url("election", "add")).status_code == 403


def test_the_live_views_stay_cheap_for_a_regional_office(client, world, django_assert_max_num_queries):
    """The same budgets as the officials' (tests/elections/test_staff.py): the rule costs no query of its own."""
    client.force_login(world.ours.user)
    poll = poll_create_decision(congress=world.ours.congress, title="Kontingent")
    client.get(url("desk"))

    with django_assert_max_num_queries(6):
        assert client.get(url("poll_status", poll.pk)).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(url("projector_state", world.ours.congress.pk)).status_code == 200


# --- The secretariat and the election officials keep everything -----------------------------------------------------


def test_the_secretariat_still_reaches_every_congress(client, world):
    client.force_login(SecretariatUserFactory())

    desk = client.get(url("desk"))
    assert {congress.pk for congress in desk.context["congresses"]} == {
        world.landsting.pk,
        world.ours.congress.pk,
        world.theirs.congress.pk,
    }
    for poll in (world.landsting_poll, world.their_poll):
        assert client.get(url("poll", poll.pk)).status_code == 200
        assert client.get(url("poll_status", poll.pk)).status_code == 200
        assert client.get(url("desk") + f"?congress={poll.congress_id}").status_code == 200
    elections = client.get(admin_url("election", "changelist")).content.decode()
    for election in (world.ours.leader, world.theirs.leader, world.landsting_election):
        assert admin_url("election", "change", election.pk) in elections
    assert client.get(admin_url("candidate", "change", Candidate.objects.get(first_name="Olga").pk)).status_code == 200

    response = client.post(url("poll_open", world.their_poll.pk), follow=True)
    assert response.status_code == 200
    world.their_poll.refresh_from_db()
    assert world.their_poll.state == Poll.State.OPEN


def test_the_election_officials_still_run_the_landsting(client, world, official):
    client.force_login(official)

    desk = client.get(url("desk"))
    assert desk.context["congress"] == world.landsting
    assert client.get(url("poll", world.landsting_poll.pk)).status_code == 200
    candidates = client.get(admin_url("candidate", "changelist")).content.decode()
    assert "Landstingkandidat" in candidates
    add = client.get(admin_url("candidate", "add"))
    offered = {int(str(pk)) for pk, _label in add.context["adminform"].form.fields["election"].choices if pk}
    assert world.landsting_election.pk in offered

    client.post(url("poll_open", world.landsting_poll.pk))
    world.landsting_poll.refresh_from_db()
    assert world.landsting_poll.state == Poll.State.OPEN
