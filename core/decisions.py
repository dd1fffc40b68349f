"""What a plenary vote can decide on, without the apps knowing each other.

The committees app registers its amendments and statements here; the elections app lists them as subjects of a
yes/no vote and, when the result is published, hands the outcome back. Neither imports the other.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    key: str  # "<prefix>:<id>[:<variant>]", e.g. "committees.amendment:12:amended"
    label: str
    group: str  # a heading for the choice list, e.g. "Amendments"


@dataclass(frozen=True)
class _Source:
    subjects: Callable  # (congress) -> list[Subject]
    record: Callable  # (*, key: str, adopted: bool, user) -> None


_sources: dict[str, _Source] = {}


def register(prefix: str, *, subjects: Callable, record: Callable) -> None:
    _sources[prefix] = _Source(subjects=subjects, record=record)


def subjects(congress) -> list[Subject]:
    return [subject for source in _sources.values() for subject in source.subjects(congress)]


def record_outcome(*, key: str, adopted: bool, user) -> bool:
    """Hand a published yes/no result to the app the subject belongs to; False when nobody knows the key."""
    source = _sources.get(key.split(":", 1)[0])
    if source is None:
        return False
    source.record(key=key, adopted=adopted, user=user)
    return True
