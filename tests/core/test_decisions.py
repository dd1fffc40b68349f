"""core.decisions: what a plenary vote can decide on, without the apps knowing each other."""

import pytest

from core import decisions
from core.decisions import Subject


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for one test (the apps register theirs in AppConfig.ready)."""
    monkeypatch.setattr(decisions, "_sources", {})
    return decisions._sources


def test_subjects_of_every_registered_source_for_the_congress(registry):
    asked = []

    def subjects(congress):
        asked.append(congress)
        return [Subject(key=f"test.thing:{congress}", label="Thing", group="Things")]

    decisions.register("test.thing", subjects=subjects, record=lambda **kwargs: None)
    decisions.register("test.other", subjects=lambda congress: [], record=lambda **kwargs: None)

    assert decisions.subjects(7) == [Subject(key="test.thing:7", label="Thing", group="Things")]
    assert asked == [7]


def test_an_outcome_goes_to_the_source_named_by_the_key_prefix(registry):
    recorded = []
    decisions.register("test.thing", subjects=lambda congress: [], record=lambda **kwargs: recorded.append(kwargs))

    assert decisions.record_outcome(key="test.thing:12:amended", adopted=True, user="official") is True
    assert recorded == [{"key": "test.thing:12:amended", "adopted": True, "user": "official"}]


def test_an_unknown_key_is_not_recorded(registry):
    assert decisions.record_outcome(key="unknown.thing:1", adopted=False, user=None) is False
