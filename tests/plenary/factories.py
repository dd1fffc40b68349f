import datetime

import factory
from factory.django import DjangoModelFactory

from agenda.models import AgendaItem
from delegates.models import Attendance, Participant
from tests.factories import CongressFactory, ParticipantFactory


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = AgendaItem

    congress = factory.SubFactory(CongressFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Sak {n + 1}: Politisk debatt")
    kind = AgendaItem.Kind.GENERAL_DEBATE
    planned_start = datetime.datetime(2024, 2, 13, 10, 0, tzinfo=datetime.UTC)


def checked_in(participant: Participant) -> Participant:
    Attendance.objects.create(participant=participant, direction=Attendance.Direction.IN)
    return participant


def delegate_in_hall(congress, **fields) -> Participant:
    """A delegate of ``congress`` who has checked in at the hall."""
    return checked_in(ParticipantFactory(congress=congress, **fields))
