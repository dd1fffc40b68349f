"""Demo elections for ``seed_demo`` (listening to ``delegates.demo.demo_seeded``, like the committees app).

Landstinget 2024 is over: its elections are voted, counted, signed off and published (the delegates were checked in
for the demo). In the upcoming congress the elections and a decision are ready but not opened, so that a new user can
check delegates in at the desk, open a vote and vote from a personal link.
"""

import random

from django.contrib.auth.models import Group
from django.utils import timezone

from agenda.models import AgendaItem, Congress
from core.groups import staff_groups_ensure
from delegates.models import Attendance, Participant
from elections.apps import ELECTION_OFFICIAL_GROUP
from elections.models import AutomaticMember, Candidate, Election, Poll
from elections.services import (
    ballot_cast,
    poll_close,
    poll_create_decision,
    poll_create_for_election,
    poll_create_runoff,
    poll_open,
    poll_publish,
    poll_settle_tie,
    poll_sign_off,
)

# (office, title, seats, method, number of candidates proposed by the election committee, from the floor)
DEMO_ELECTIONS = [
    ("leader", "Valg av leder", 1, "single_majority", 2, 1),
    ("first_deputy", "Valg av første nestleder", 1, "single_majority", 2, 0),
    ("hovedstyre_member", "Valg av medlemmer til hovedstyret", 5, "multi_seat", 7, 1),
    ("landsstyre_member", "Valg av medlemmer til landsstyret", 6, "multi_seat", 8, 0),
    ("election_committee", "Valg av valgkomité", 3, "multi_seat", 4, 0),
]
LANDSSTYRE_AUTOMATIC = [
    ("Leder av KS Agder fylkesstyre (demo)", "county_board_leader", "female", "42"),
    ("Leder av KS Rogaland fylkesstyre (demo)", "county_board_leader", "male", "11"),
    ("Leder av KS Vestland fylkesstyre (demo)", "county_board_leader", "male", "46"),
    ("Samfunnsbedriftenes representant (demo)", "samfunnsbedriftene", "female", None),
]
DEMO_DECISIONS = [("Medlemskontingent for 2025–2028", "simple"), ("Endringer i vedtektene", "two_thirds")]


def reset(sender=None, *, congresses: list[Congress], **kwargs) -> None:
    """The polls and candidates refer to delegates who are about to be replaced."""
    Poll.objects.filter(congress__in=congresses, runoff_of__isnull=False).delete()
    Poll.objects.filter(congress__in=congresses).delete()
    Election.objects.filter(congress__in=congresses).delete()


def seed(sender=None, *, congresses: list[Congress], user, **kwargs) -> None:
    official = _official(user)
    for congress in congresses:
        _seed_congress(congress=congress, official=official)


def _official(secretariat):
    staff_groups_ensure()
    secretariat.groups.add(Group.objects.get(name=ELECTION_OFFICIAL_GROUP))
    return secretariat


def _seed_congress(*, congress: Congress, official) -> None:
    reset(congresses=[congress])
    voters = list(
        Participant.objects.filter(
            congress=congress, status=Participant.Status.ACTIVE, role__in=Participant.VOTING_ROLES
        ).select_related("organisation", "county")
    )
    if len(voters) < 30:
        return
    chooser = random.Random(f"elections-{congress.pk}")  # noqa: S311 - demo data, not security
    pool = list(voters)
    chooser.shuffle(pool)
    people = iter(pool)
    agenda_item = AgendaItem.objects.filter(congress=congress, kind="elections").first()
    elections = []
    for position, (office, title, seats, method, proposed, floor) in enumerate(DEMO_ELECTIONS, start=1):
        election = Election.objects.create(
            congress=congress,
            office=office,
            title=title,
            seats=seats,
            method=method,
            position=position,
            agenda_item=agenda_item,
        )
        for index in range(proposed + floor):
            person = next(people)
            Candidate.of_participant(
                election=election,
                participant=person,
                proposed_by="floor" if index >= proposed else "committee",
                position=index,
            ).save()
        if office == "landsstyre_member":
            counties = {county.number: county for county in {v.county for v in voters if v.county_id}}
            for name, reason, gender, county_number in LANDSSTYRE_AUTOMATIC:
                AutomaticMember.objects.create(
                    election=election, name=name, reason=reason, gender=gender, county=counties.get(county_number)
                )
        elections.append(election)
    is_over = congress.last_day < timezone.localdate()
    decisions = [
        poll_create_decision(congress=congress, title=title, majority=majority) for title, majority in DEMO_DECISIONS
    ]
    polls = [poll_create_for_election(election=election) for election in elections]
    if not is_over:
        return  # the upcoming congress: ready to be opened at the desk
    Attendance.objects.bulk_create(Attendance(participant=voter, direction="in") for voter in voters)
    for poll in [*polls, *decisions]:
        _vote(poll, voters, chooser, official)


def _vote(poll: Poll, voters, chooser: random.Random, official) -> None:
    poll = poll_open(poll=poll, user=official)
    candidates = list(poll.candidates.order_by("position").values_list("pk", flat=True))
    weights = [len(candidates) - index + chooser.random() for index in range(len(candidates))]
    for voter in voters:
        if chooser.random() < 0.04:
            continue  # not everybody votes
        if poll.kind == Poll.Kind.YES_NO:
            answer = chooser.choices(["yes", "no", "abstain"], weights=[8, 2, 1])[0]
            ballot_cast(poll_id=poll.pk, participant_id=voter.pk, answer=answer)
            continue
        if chooser.random() < 0.02:
            ballot_cast(poll_id=poll.pk, participant_id=voter.pk, choices=[])  # blank
            continue
        chosen: list[int] = []
        while len(chosen) < poll.max_choices:
            pick = chooser.choices(candidates, weights=weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        ballot_cast(poll_id=poll.pk, participant_id=voter.pk, choices=chosen)
    poll = poll_close(poll=poll, user=official)
    tie = (poll.result or {}).get("tie")
    if tie:
        winners = chooser.sample(tie["candidates"], tie["places"])
        poll = poll_settle_tie(poll=poll, winners=winners, drawn_by="Dirigenten (demo)", user=official)
    poll_sign_off(poll=poll, user=official)
    poll = poll_publish(poll=poll, user=official)
    if poll.result.get("runoff") and not poll.result.get("elected"):
        _vote(poll_create_runoff(poll=poll), voters, chooser, official)
