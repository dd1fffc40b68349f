"""Agenda's hook for the programme booklet's extra sections (agenda.booklet): agenda prints them without knowing the
apps that add them, and prints the programme alone when none is registered."""

import pytest

from agenda import booklet
from agenda.models import AgendaItem
from agenda.printing import render_programme
from tests.factories import CongressFactory
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def congress():
    congress = CongressFactory(name="Landstinget 2024")
    AgendaItem.objects.create(congress=congress, number=1, title="Konstituering")
    return congress


def test_without_registered_sections_the_booklet_is_the_programme_alone(congress, monkeypatch):
    monkeypatch.setattr(booklet, "_sections", {})

    pdf, pages = render_programme(congress)

    assert pages == 1
    assert booklet.sections(congress, language="nb") == []
    assert "Landstinget 2024" in pdf_text(pdf)


def test_a_section_is_asked_for_in_the_booklets_language_and_skipped_when_it_has_nothing(congress, monkeypatch):
    monkeypatch.setattr(booklet, "_sections", {})
    asked = []

    def nothing(congress, language):
        asked.append(language)
        return None

    def rules(congress, language):
        from django.utils.translation import get_language

        return booklet.BookletSection(title=f"Regler {get_language()}", template="section.html")

    booklet.register("test.nothing", nothing)
    booklet.register("test.rules", rules)

    sections = booklet.sections(congress, language="en")

    assert asked == ["en"]
    assert [(s.title, s.anchor) for s in sections] == [("Regler en", "section-testrules")]
