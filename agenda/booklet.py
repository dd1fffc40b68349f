"""Sections that the apps above agenda add to the programme booklet, without agenda importing them.

An app registers a function ``(congress, language) -> BookletSection | None`` from its ``AppConfig.ready()`` (the
plenary prints its rules of procedure this way). The booklet calls each one in the booklet's language and prints the
sections it gets, each on pages of its own after the days of the week, in the order they were registered, and lists
them in the contents. A function returns ``None`` when it has nothing to print for the congress. Without any
registered function (agenda alone) the booklet is the programme only.

A section's ``template`` is included in the booklet's HTML with the section as ``section`` (its data in
``section.context``): it is print HTML under the booklet's own styles (blocks, no tables, no external resources).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.utils import translation
from django.utils.text import slugify

from agenda.models import Congress


@dataclass(frozen=True)
class BookletSection:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    anchor: str = ""  # set by :func:`sections`: the target of the contents' link


SectionFunction = Callable[[Congress, str], "BookletSection | None"]

_sections: dict[str, SectionFunction] = {}


def register(key: str, section: SectionFunction) -> None:
    """Add (or replace) the section ``key``, e.g. ``"plenary.rules"``."""
    _sections[key] = section


def sections(congress: Congress, *, language: str) -> list[BookletSection]:
    """The extra sections of ``congress``'s booklet in ``language``."""
    found = []
    with translation.override(language):
        for key, function in _sections.items():
            section = function(congress, language)
            if section is not None:
                found.append(replace(section, anchor=f"section-{slugify(key)}"))
    return found
