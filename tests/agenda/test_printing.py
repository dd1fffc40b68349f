"""The programme booklet and the agenda (saksliste) as PDFs (issue 5, item 4): the text is read back with pypdf."""

import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from agenda.models import AgendaDocument, AgendaItem, Event
from agenda.printing import render_agenda, render_programme
from agenda.roles import Role
from tests.core.test_pdf import first_page_text_runs, same_line
from tests.factories import CongressFactory
from tests.helpers import page_count, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def agenda_alone(monkeypatch):
    """The booklet as agenda prints it alone: without the sections other apps add (the plenary's rules of procedure,
    tested in tests/plenary/test_booklet.py)."""
    from agenda import booklet

    monkeypatch.setattr(booklet, "_sections", {})


OSLO = ZoneInfo("Europe/Oslo")
DECISION = "Landstinget vedtar «Kommunesektorens politiske prioriteringer 2024–2027».\nVedtaket er enstemmig."


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2024, 2, day, hour, minute, tzinfo=OSLO)


def label(text: str, language: str) -> str:
    with translation.override(language):
        return gettext(text)


@pytest.fixture
def congress():
    congress = CongressFactory(
        name="Landstinget 2024",
        city="Trondheim",
        venue="Trondheim Spektrum",
        first_day=datetime.date(2024, 2, 12),
        last_day=datetime.date(2024, 2, 14),
    )
    Event.objects.create(
        congress=congress,
        title="Toppmøte for barn og unge",
        title_en="Youth summit",
        kind=Event.Kind.YOUTH_SUMMIT,
        starts_at=at(12, 10),
        ends_at=at(12, 15),
        room="Sal Øst",
        invited_roles=[Role.YOUTH_COUNCIL, Role.CHIEF_EXECUTIVE],
    )
    Event.objects.create(
        congress=congress,
        title="Kommunalpolitisk toppmøte",
        title_en="Municipal policy summit",
        kind=Event.Kind.POLICY_SUMMIT,
        starts_at=at(13, 8, 45),
        ends_at=at(13, 15),
        invited_roles=[Role.DELEGATE],
    )
    day_one = Event.objects.create(
        congress=congress,
        title="Landstinget: leders tale og generell politisk debatt",
        title_en="Landsting: the leader's speech and general political debate",
        kind=Event.Kind.LANDSTING_SESSION,
        starts_at=at(13, 15, 30),
        ends_at=at(13, 17, 30),
        room="Hall A",
        invited_roles=[Role.DELEGATE, Role.PRESS],
    )
    day_two = Event.objects.create(
        congress=congress,
        title="Landstinget: politiske vedtak og valg",
        title_en="Landsting: political decisions and elections",
        kind=Event.Kind.LANDSTING_SESSION,
        starts_at=at(14, 9, 15),
        ends_at=at(14, 15),
        invited_roles=[Role.DELEGATE],
    )
    constitution = AgendaItem.objects.create(
        congress=congress,
        session=day_one,
        number=1,
        title="Konstituering og godkjenning av saksliste",
        title_en="Constitution of the meeting",
        kind=AgendaItem.Kind.CONSTITUTION,
        rapporteur="Bjørn Ødegård",
        planned_start=at(13, 15, 30),
        planned_minutes=15,
        decision="Innkallingen og sakslisten godkjennes.",
    )
    AgendaItem.objects.create(
        congress=congress,
        session=day_one,
        number=2,
        title="Leders tale: Kommunesektoren – nærhet og tillit",
        title_en="The leader's speech",
        kind=AgendaItem.Kind.LEADER_SPEECH,
        rapporteur="Gunn Marit Helgesen",
        planned_start=at(13, 15, 45),
        planned_minutes=45,
    )
    document = AgendaItem.objects.create(
        congress=congress,
        session=day_two,
        number=3,
        title="Politisk dokument: Kommunesektorens prioriteringer for små og store kommuner",
        title_en="The political document",
        kind=AgendaItem.Kind.POLITICAL_DOCUMENT,
        rapporteur="Åse Bækken",
        planned_start=at(14, 9, 30),
        planned_minutes=120,
        decision=DECISION,
    )
    AgendaItem.objects.create(
        congress=congress,
        session=day_two,
        number=4,
        title="Valg av hovedstyre",
        kind=AgendaItem.Kind.ELECTIONS,
        rapporteur="Valgkomiteens leder Per Løvås",
        planned_start=at(14, 13),
    )
    AgendaDocument.objects.create(item=constitution, title="Forslag til forretningsorden", file="agenda/2024/f.pdf")
    AgendaDocument.objects.create(item=document, title="Høringsutkast til politisk dokument", file="a/2.pdf", order=2)
    AgendaDocument.objects.create(item=document, title="Komiteenes innstillinger", file="a/1.pdf", order=1)
    return congress


# --- Programme booklet ----------------------------------------------------------------------------------------


def test_programme_prints_the_week_in_norwegian_with_oslo_times(congress):
    pdf, pages = render_programme(congress)

    assert pdf.startswith(b"%PDF")
    assert pages == page_count(pdf)
    assert pages == 4  # the cover, then a page per day (three days)
    text = pdf_text(pdf)
    for expected in [
        "Landstinget 2024",
        "Trondheim Spektrum",
        "Toppmøte for barn og unge",
        "Sal Øst",
        "Kommunalpolitisk toppmøte",
        "08:45–15:00",
        "15:30–17:30",
        "09:15–15:00",
        "Landstinget: leders tale og generell politisk debatt",
        # agenda items of the sessions: title, rapporteur, planned start
        "Konstituering og godkjenning av saksliste",
        "Leders tale: Kommunesektoren – nærhet og tillit",
        "Bjørn Ødegård",
        "Åse Bækken",
        "Valgkomiteens leder Per Løvås",
        "15:45",
        "13:00",
    ]:
        assert expected in text, expected
    with translation.override("nb"):
        assert str(Role.YOUTH_COUNCIL.label) in text
        assert str(Role.PRESS.label) in text
    assert text.index("Toppmøte for barn og unge") < text.index("Kommunalpolitisk toppmøte") < text.index("Valg av")


def test_programme_each_day_on_its_own_page_with_page_numbers(congress):
    pdf, _pages = render_programme(congress)

    reader = PdfReader(io.BytesIO(pdf))
    page_texts = [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]
    assert "Toppmøte for barn og unge" in page_texts[1]
    assert "Kommunalpolitisk toppmøte" in page_texts[2]
    assert "Valg av hovedstyre" in page_texts[3]
    for number, text in enumerate(page_texts[1:], start=2):
        assert re.search(rf"\b{number}\s*$", text), text  # the page number in the footer


def test_programme_times_are_oslo_times_whatever_the_active_time_zone(congress):
    with timezone.override(datetime.UTC):
        pdf, _pages = render_programme(congress)

    text = pdf_text(pdf)
    assert "08:45–15:00" in text
    assert "07:45" not in text


def test_programme_in_english_uses_the_english_titles_and_role_names(congress):
    pdf, pages = render_programme(congress, language="en")

    text = pdf_text(pdf)
    assert pages > 1
    assert "Youth summit" in text
    assert "Landsting: the leader's speech and general political debate" in text
    assert "Constitution of the meeting" in text
    assert "Toppmøte for barn og unge" not in text
    assert "Valg av hovedstyre" in text  # no English title: the Norwegian one
    assert "Youth council member" in text
    assert "Programme" in text or "PROGRAMME" in text
    assert "Tuesday" in text


def test_programme_of_a_congress_without_events_is_just_the_cover():
    congress = CongressFactory(name="Ekstraordinært landsting")

    pdf, pages = render_programme(congress, language="en")

    assert pages == 1
    assert "No events have been entered yet." in pdf_text(pdf)


def test_programme_uses_a_fixed_number_of_queries(congress, django_assert_max_num_queries):
    for number in range(5, 25):
        AgendaItem.objects.create(
            congress=congress, session=congress.events.last(), number=number, title=f"Sak {number} om økonomi"
        )

    with django_assert_max_num_queries(2):
        _pdf, pages = render_programme(congress)
    assert pages >= 4


def test_unknown_language_is_refused(congress):
    with pytest.raises(ValueError, match="language"):
        render_programme(congress, language="de")
    with pytest.raises(ValueError, match="language"):
        render_agenda(congress, language="sv")


# --- Agenda (saksliste) ---------------------------------------------------------------------------------------


def test_agenda_lists_items_with_documents_and_decisions(congress):
    pdf, pages = render_agenda(congress)

    assert pages == page_count(pdf) >= 1
    text = pdf_text(pdf)
    for expected in [
        "Konstituering og godkjenning av saksliste",
        "Leders tale: Kommunesektoren – nærhet og tillit",
        "Politisk dokument: Kommunesektorens prioriteringer for små og store kommuner",
        "Valg av hovedstyre",
        "Bjørn Ødegård",
        "Landstinget: politiske vedtak og valg",  # the session
        "09:30",
        "Forslag til forretningsorden",
        "Høringsutkast til politisk dokument",
        "Komiteenes innstillinger",
        "Innkallingen og sakslisten godkjennes.",
        "Landstinget vedtar «Kommunesektorens politiske prioriteringer 2024–2027».",
        "Vedtaket er enstemmig.",
    ]:
        assert expected in text, expected
    # items in number order, documents in their order
    assert text.index("Konstituering") < text.index("Leders tale:") < text.index("Politisk dokument:")
    assert text.index("Komiteenes innstillinger") < text.index("Høringsutkast til politisk dokument")
    # two items decided, two not
    assert text.count(label("Decision", "nb")) >= 2
    assert text.count(label("Not yet decided.", "nb")) == 2


def test_agenda_marks_decided_and_undecided_items_in_english(congress):
    pdf, _pages = render_agenda(congress, language="en")

    text = pdf_text(pdf)
    assert "The political document" in text
    assert "Politisk dokument:" not in text
    # each item's block: the decision or the "not yet decided" mark belongs to the right item
    blocks = re.split(r"Session: ", text)[1:]
    assert len(blocks) == 4
    assert "Decision Innkallingen og sakslisten godkjennes." in blocks[0]
    assert "Not yet decided." in blocks[1] and "Decision" not in blocks[1]
    assert "Decision Landstinget vedtar" in blocks[2]
    assert "Not yet decided." in blocks[3]
    assert "4 items, 2 decided." in text


def test_agenda_decision_text_is_printed_as_text_not_markup(congress):
    AgendaItem.objects.filter(number=4).update(decision="Valgt: <b>Åse</b> & Per")

    text = pdf_text(render_agenda(congress, language="en")[0])

    assert "Valgt: <b>Åse</b> & Per" in text


def test_long_agenda_runs_over_several_pages_with_a_fixed_number_of_queries(congress, django_assert_max_num_queries):
    session = congress.events.last()
    for number in range(5, 45):
        item = AgendaItem.objects.create(
            congress=congress,
            session=session,
            number=number,
            title=f"Sak {number}: Økonomi og kårene for små kommuner",
            decision="Vedtatt.\nMed 200 mot 54 stemmer." if number % 2 else "",
        )
        AgendaDocument.objects.create(item=item, title=f"Saksframlegg {number}", file=f"a/{number}.pdf")

    with django_assert_max_num_queries(2):
        pdf, pages = render_agenda(congress)

    assert pages > 1
    text = pdf_text(pdf)
    assert "Sak 44: Økonomi og kårene for små kommuner" in text
    assert "Saksframlegg 44" in text


@pytest.mark.parametrize("language", ["nb", "en"])
def test_agenda_letterhead_prints_the_date_beside_the_organisation(congress, language):
    """The shared letterhead fits the agenda's narrower page: the print date is not pushed below the organisation."""
    runs = first_page_text_runs(render_agenda(congress, language=language)[0])

    printed = label("Printed %(date)s", language) % {"date": ""}
    assert same_line(runs, label("The Norwegian Association of Local and Regional Authorities", language)[:12], printed)


def test_printing_uses_the_shared_pdf_helpers(congress, monkeypatch):
    """Rendering, language check and page count come from core.pdf, not from a copy in agenda.printing."""
    import agenda.printing
    import core.pdf

    calls = []
    real = core.pdf.render_template_pdf
    monkeypatch.setattr(agenda.printing, "render_template_pdf", lambda *args: calls.append(args[0]) or real(*args))

    render_programme(congress)
    render_agenda(congress, language="en")

    assert calls == [agenda.printing.PROGRAMME_TEMPLATE, agenda.printing.AGENDA_TEMPLATE]
