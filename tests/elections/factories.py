"""Test data for the elections: an election with candidates, checked-in delegates."""

import factory
from factory.django import DjangoModelFactory

from delegates.checkin import checkin_record
from delegates.models import Attendance
from elections.models import Candidate, Election
from tests.factories import CongressFactory, OrganisationFactory, ParticipantFactory


class ElectionFactory(DjangoModelFactory):
    class Meta:
        model = Election

    congress = factory.SubFactory(CongressFactory)
    office = Election.Office.LEADER
    title = factory.Sequence(lambda n: f"Valg {n + 1}")
    seats = 1
    method = Election.Method.SINGLE_MAJORITY


class CandidateFactory(DjangoModelFactory):
    class Meta:
        model = Candidate

    election = factory.SubFactory(ElectionFactory)
    first_name = factory.Iterator(["Gunn", "Bjørn", "Marit", "Tor", "Åshild", "Per"])
    last_name = factory.Sequence(lambda n: f"Kandidat{n}")
    gender = factory.Iterator(["female", "male"])
    party = factory.Iterator(["Ap", "H", "Sp"])
    position = factory.Sequence(lambda n: n)


def present_delegates(congress, count: int, **kwargs) -> list:
    """``count`` delegates with the right to vote, each in a municipality of their own, checked in."""
    people = []
    for _number in range(count):
        organisation = kwargs.get("organisation") or OrganisationFactory()
        person = ParticipantFactory(
            congress=congress,
            organisation=organisation,
            county=organisation.county,
            **{key: value for key, value in kwargs.items() if key != "organisation"},
        )
        checkin_record(participant=person, direction=Attendance.Direction.IN, user=None)
        people.append(person)
    return people


def sealed_ballots(poll) -> list:
    """The ballots of an open poll as the close will open them (receipt, choices, answer), with the server's key:
    what a test may check while nobody else can read them."""
    from elections import sealing
    from elections.models import Poll, SealedBallot

    poll = Poll.objects.get(pk=poll.pk)
    sealed = list(SealedBallot.objects.filter(poll=poll).values_list("sealed", flat=True))
    return sealing.unseal_all(poll.pk, sealed, stored_check=poll.ballot_key_check)


def only_sealed_ballot(poll):
    """The one sealed ballot of an open poll, opened."""
    (ballot,) = sealed_ballots(poll)
    return ballot
