"""What CI's quick runs of the benches (``make bench-quick``) cannot judge from their output: the benches' own rules."""

import datetime

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from bench import _shared
from bench import invitations as invitations_bench
from core.models import OutboxMail
from delegates.models import Participant, PersonalLink, Substitution
from elections.models import EligibleVoter, Poll, VoteCast
from elections.services import poll_create_decision
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_the_demo_participants_go_with_the_votes_and_substitutions_that_protect_them():
    congress, other_congress = CongressFactory(), CongressFactory()
    county = CountyFactory()
    withdrawn, deputy = ParticipantFactory.create_batch(2, congress=congress, county=county)
    elsewhere = ParticipantFactory(congress=other_congress, county=county)
    Substitution.objects.create(congress=congress, withdrawn=withdrawn, replacement=deputy)
    poll = poll_create_decision(congress=congress, title="Kontingent")
    EligibleVoter.objects.create(poll=poll, participant=deputy, stands_in_for=withdrawn)
    VoteCast.objects.create(poll=poll, participant=deputy)
    with pytest.raises(ProtectedError), transaction.atomic():  # what the benches did, and why they stopped
        Participant.objects.filter(congress=congress).delete()

    deleted = _shared.demo_participants_delete(congress)

    assert not Participant.objects.filter(congress=congress).exists()
    assert deleted["delegates.Participant"] == 2
    assert deleted["delegates.Substitution"] == 1
    assert deleted["elections.VoteCast"] == 1
    assert not EligibleVoter.objects.filter(poll=poll).exists()
    assert Poll.objects.filter(pk=poll.pk).exists()  # only what protected the participants is deleted
    assert Participant.objects.filter(pk=elsewhere.pk).exists()
    assert "2 delegates.Participant" in _shared.deleted_text(deleted)


def test_the_invitation_profile_divides_by_the_letters_rendered_not_the_participants_given():
    congress = CongressFactory(  # invitations go out only before the deadline
        registration_deadline=datetime.date(2030, 1, 15),
        first_day=datetime.date(2030, 2, 12),
        last_day=datetime.date(2030, 2, 13),
    )
    county = CountyFactory()
    invited = ParticipantFactory.create_batch(2, congress=congress, county=county)
    no_address = ParticipantFactory(congress=congress, county=county, email="")
    withdrawn = ParticipantFactory(congress=congress, county=county, status=Participant.Status.WITHDRAWN)

    result = invitations_bench.profile_phases([*invited, no_address, withdrawn], user=None)

    assert (result.participants, result.letters) == (4, 2)
    assert result.per_letter_ms(result.wall) == pytest.approx(1000 * result.wall / 2)
    assert all(seconds > 0 for seconds in result.phases.values())
    assert len(result.phases) == 6
    assert not PersonalLink.objects.exists()  # rolled back: nothing is sent
    assert not OutboxMail.objects.exists()


def test_quick_mode_replaces_the_defaults_and_an_option_given_still_wins(monkeypatch):
    import argparse

    def parsed(*argv):
        monkeypatch.setattr("sys.argv", ["bench.py", *argv])
        parser = argparse.ArgumentParser()
        parser.add_argument("--voters", type=int, default=300)
        parser.add_argument("--rounds", type=int, default=5)
        return _shared.parse_args(parser, quick={"voters": 20, "rounds": 1})

    assert (parsed().voters, parsed().rounds) == (300, 5)
    assert (parsed("--quick").voters, parsed("--quick").rounds) == (20, 1)
    assert parsed("--quick", "--voters", "50").voters == 50
