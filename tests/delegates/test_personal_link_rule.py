"""The rule of a personal link that opens is written once (``PersonalLinkQuerySet.problem``): ``valid()``, the reason
``personal_link_resolve`` gives and the SQL condition for statements written by hand say the same of the same links."""

import datetime
import secrets

import pytest
from django.utils import timezone

from delegates.models import PersonalLink
from delegates.services.links import LinkProblem, personal_link_digest, personal_link_resolve
from tests.factories import CongressFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2028, 2, 1, 12, 0, tzinfo=datetime.UTC)
MOMENT = datetime.timedelta(microseconds=1)
HOUR = datetime.timedelta(hours=1)

# label: (revoked, expires), and why the link does not open at NOW ("" when it opens)
LINKS = {
    "fresh": (None, NOW + HOUR, ""),
    "ends_in_a_moment": (None, NOW + MOMENT, ""),
    "ends_now": (None, NOW, "expired"),  # a link opens until its end, not at it
    "expired": (None, NOW - HOUR, "expired"),
    "revoked": (NOW - HOUR, NOW + HOUR, "revoked"),
    "revoked_and_expired": (NOW - HOUR, NOW - HOUR, "revoked"),  # revoked is said first
}


def _links(*, now: datetime.datetime) -> dict[str, str]:
    """One link per case, timed from ``now``; the secrets by label."""
    congress = CongressFactory()
    tokens = {}
    for label, (revoked, expires, _problem) in LINKS.items():
        tokens[label] = secrets.token_urlsafe(32)
        PersonalLink.objects.create(
            participant=ParticipantFactory(congress=congress, last_name=label),
            token_hash=personal_link_digest(tokens[label]),
            revoked_at=None if revoked is None else revoked - NOW + now,
            expires_at=expires - NOW + now,
        )
    return tokens


def _label(link: PersonalLink) -> str:
    return link.participant.last_name


def test_each_link_says_why_it_does_not_open():
    _links(now=NOW)
    problems = {_label(link): link.problem for link in PersonalLink.objects.with_problem(at=NOW)}
    assert problems == {label: problem for label, (_revoked, _expires, problem) in LINKS.items()}


def test_the_valid_links_are_those_without_a_problem_by_default_now(monkeypatch):
    _links(now=NOW)
    opening = {label for label, (_revoked, _expires, problem) in LINKS.items() if not problem}
    assert {_label(link) for link in PersonalLink.objects.valid(at=NOW)} == opening
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    assert {_label(link) for link in PersonalLink.objects.valid()} == opening


def test_resolving_a_link_gives_the_same_reason(monkeypatch):
    tokens = _links(now=NOW)
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    for label, (_revoked, _expires, problem) in LINKS.items():
        if problem:
            with pytest.raises(LinkProblem) as refused:
                personal_link_resolve(token=tokens[label], touch=False)
            assert refused.value.code == problem, label
        else:
            assert _label(personal_link_resolve(token=tokens[label], touch=False)) == label


def test_the_sql_condition_is_the_same_rule():
    _links(now=timezone.now())  # against the database's clock, which has only seconds on SQLite: no moments here
    condition, params = PersonalLink.objects.valid_sql(at_sql="CURRENT_TIMESTAMP")
    clear = PersonalLink.objects.exclude(participant__last_name__in=["ends_now", "ends_in_a_moment"])
    by_sql = clear.extra(where=[condition], params=params)  # noqa: S610 - the rule's own SQL
    assert {_label(link) for link in by_sql} == {"fresh"}
