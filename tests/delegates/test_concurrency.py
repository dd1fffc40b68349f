"""Two offices' staff record withdrawals in the same delegation at the same moment: each seat goes to a different
deputy, and no deputy ends up holding two seats. Runs against the configured database (PostgreSQL in CI)."""

import threading

import pytest
from django.db import connection, connections

from delegates.models import Participant, Substitution
from delegates.services.participants import participant_withdraw
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_withdrawals_give_each_seat_its_own_deputy():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite database is not shared between threads")
    congress = CongressFactory()
    county = CountyFactory(number="42", name="Agder")
    common = {"congress": congress, "county": county, "elected_by": Participant.ElectedBy.COUNTY_MEETING}
    delegates = [ParticipantFactory(role=Participant.Role.DELEGATE, **common) for _ in range(6)]
    deputies = [ParticipantFactory(role=Participant.Role.DEPUTY, deputy_rank=rank, **common) for rank in range(1, 5)]
    barrier = threading.Barrier(len(delegates))
    errors: list[BaseException] = []

    def withdraw(delegate):
        try:
            barrier.wait(timeout=10)
            participant_withdraw(participant=delegate, user=None, reason="Forfall")
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=withdraw, args=(d,)) for d in delegates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Substitution.objects.count() == 6
    acting = Participant.objects.filter(acting_for__isnull=False)
    assert sorted(acting.values_list("deputy_rank", flat=True)) == [1, 2, 3, 4]
    assert len(set(acting.values_list("acting_for", flat=True))) == 4
    assert Substitution.objects.filter(replacement__isnull=True).count() == 2
    assert {d.pk for d in deputies} == set(acting.values_list("pk", flat=True))
