"""The programme booklet prints the rules of procedure (issue 15, item 1), through agenda's booklet hook."""

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from agenda.printing import render_programme
from plenary.booklet import duration_words, rules_section
from plenary.models import ItemProcedure, Procedure
from tests.factories import CongressFactory
from tests.helpers import pdf_text
from tests.plenary.factories import AgendaItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def congress():
    congress = CongressFactory(name="Landstinget 2024")
    AgendaItemFactory(congress=congress, number=1, title="Konstituering", kind="constitution")
    leader = AgendaItemFactory(congress=congress, number=2, title="Leders tale", kind="leader_speech")
    debate = AgendaItemFactory(congress=congress, number=3, title="Generell politisk debatt")
    document = AgendaItemFactory(congress=congress, number=4, title="Politisk dokument", kind="political_document")
    ItemProcedure.objects.create(item=leader, speech_time=ItemProcedure.SpeechTime.UNLIMITED)
    ItemProcedure.objects.create(item=debate, speech_time=ItemProcedure.SpeechTime.OWN, speech_seconds=150)
    ItemProcedure.objects.create(item=document, introduction_seconds=1200)
    return congress


def test_the_booklet_prints_the_rules_in_words_on_a_page_of_their_own(congress):
    Procedure.objects.create(
        congress=congress,
        first_speech_seconds=240,
        second_speech_seconds=120,
        reply_seconds=60,
        answer_seconds=90,
        point_of_order_seconds=45,
        replies_per_speech=3,
        speeches_per_person=2,
        replies_after_close=False,
    )

    pdf, _pages = render_programme(congress)

    last_page = " ".join(PdfReader(io.BytesIO(pdf)).pages[-1].extract_text().split())
    assert "Forretningsorden" in last_page
    text = pdf_text(pdf)
    for expected in [
        "Første innlegg",
        "4 minutter",
        "Andre og senere innlegg i samme sak",
        "2 minutter",
        "Replikk",
        "1 minutt og 30 sekunder",  # the answer to the replies
        "45 sekunder",  # a point of order
        "Et innlegg kan få inntil 3 replikker",
        "Hver person kan ha inntil 2 innlegg i samme sak.",
        "Når dirigenten setter strek, tas det ikke imot flere innlegg. Heller ikke replikker.",
        "Til forretningsorden",
        "Saker med egen taletid",
        "Ingen begrensning på taletiden",
        "Første innlegg 2 minutter og 30 sekunder",
        "Innledningen 20 minutter",
    ]:
        assert expected in text, expected
    assert "1. Konstituering" not in last_page  # no times of its own: not listed
    assert "Forretningsorden" in " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())  # contents


def test_without_saved_rules_the_booklet_prints_the_defaults_that_apply(congress):
    text = pdf_text(render_programme(congress)[0])

    assert "Forretningsorden" in text
    assert "5 minutter" in text
    assert "Replikker til innlegg som allerede står på talerlisten, tas fortsatt imot." in text


def test_the_rules_in_english(congress):
    text = pdf_text(render_programme(congress, language="en")[0])

    for expected in [
        "Rules of procedure",
        "First speech",
        "5 minutes",
        "Point of order",
        "1 minute",
        "One speech may receive at most 2 replies",
        "No time limit for the speeches",
        "The rapporteur's introduction 20 minutes",
    ]:
        assert expected in text, expected


def test_a_congress_without_an_agenda_prints_no_rules():
    congress = CongressFactory(name="Ekstraordinært landsting")

    pdf, pages = render_programme(congress)

    assert pages == 1
    assert "Forretningsorden" not in pdf_text(pdf)


def test_the_rules_cost_two_queries(congress, django_assert_max_num_queries):
    with django_assert_max_num_queries(2 + 2):  # the programme's two, the items with their times and the rules
        render_programme(congress)


@pytest.mark.parametrize(
    ("seconds", "nb", "en"),
    [
        (300, "5 minutter", "5 minutes"),
        (60, "1 minutt", "1 minute"),
        (45, "45 sekunder", "45 seconds"),
        (90, "1 minutt og 30 sekunder", "1 minute and 30 seconds"),
        (61, "1 minutt og 1 sekund", "1 minute and 1 second"),
    ],
)
def test_durations_in_words(seconds, nb, en):
    with translation.override("nb"):
        assert duration_words(seconds) == nb
    with translation.override("en"):
        assert duration_words(seconds) == en


def test_the_plenary_registers_its_section_with_agenda():
    from agenda import booklet

    assert booklet._sections["plenary.rules"] is rules_section
