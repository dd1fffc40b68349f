"""The committee PDFs (issue 6): numbered document, recommendation, document with amendments applied, voting list.

The text is read back with pypdf. Line numbers must be exactly the stored ones.
"""

import datetime
import io
import re
from functools import partial

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from committees import services
from committees.amending import AmendmentConflict
from committees.models import Amendment, Chapter, Committee, Outcome, Paragraph, Recommendation
from committees.printing import (
    line_font_size,
    render_committee_recommendation,
    render_final_document,
    render_political_document,
    render_voting_list,
)
from tests.committees.factories import CommitteeFactory, StatementSettingsFactory, delegate, load_document
from tests.factories import CongressFactory, OrganisationFactory, UserFactory
from tests.helpers import page_count, pdf_text

pytestmark = pytest.mark.django_db

NUMBERED_LINE = re.compile(r"^(\d+) (\S.*)$")


def pdf_lines(pdf: bytes) -> list[str]:
    """The text line by line, as laid out."""
    reader = PdfReader(io.BytesIO(pdf))
    return [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]


def stored_lines(document) -> list[tuple[int, str]]:
    """Every stored line with its number, as the PDF should print it (list items with their bullet)."""
    expected = []
    for paragraph in Paragraph.objects.filter(document=document).order_by("position"):
        for offset, (number, text) in enumerate(paragraph.numbered_lines()):
            bullet = "• " if paragraph.kind == Paragraph.Kind.LIST_ITEM and offset == 0 else ""
            expected.append((number, bullet + text))
    return expected


def printed_lines(pdf: bytes) -> list[tuple[int, str]]:
    return [(int(match[1]), match[2]) for line in pdf_lines(pdf) if (match := NUMBERED_LINE.match(line))]


def positions(text: str, needles: list[str]) -> list[int]:
    found = [text.find(needle) for needle in needles]
    assert -1 not in found, [needle for needle, at in zip(needles, found, strict=True) if at == -1]
    return found


# --- Data ------------------------------------------------------------------------------------------------------

REPLACE_TEXT = "innbyggerne og de folkevalgte. Kommunene og fylkeskommunene skal fritt kunne prioritere, og"
COMMITTEE_TEXT = "innbyggerne og de folkevalgte. Kommunene og fylkeskommunene må ha full frihet til å prioritere, og"
RIVAL_TEXT = "må ha handlingsrom til å prioritere, og staten må la være å styre"
INSERT_TEXT = "Det gjelder også i distriktene."
NEW_PARAGRAPH_TEXT = "Kommunene skal ha ansvar for beredskap i hele landet."
CH3_TEXT = "Kommunesektoren er Norges største arbeidsgiver <og> vil være det."
CH3_RIVAL_TEXT = "Kommunesektoren er en stor arbeidsgiver. Rekruttering er en"


@pytest.fixture
def congress():
    congress = CongressFactory(name="Landstinget 2024")
    StatementSettingsFactory(
        congress=congress,
        statement_deadline=timezone.localdate() + datetime.timedelta(days=5),
        statement_min_supporters=1,
    )
    return congress


@pytest.fixture
def data(congress):
    """The sample document with two committees, seven amendments (one withdrawn) and two statements.

    Amendments by number, in the order submitted (document order is 3, 4, 1, 5, 2, 6, 7):
    1 delete 6-7; 2 new paragraph after 12; 3 replace 2-3; 4 replace 3-4 (competes with 3, taken into 3);
    5 insert at 9; 6 replace 13 (chapter 3); 7 replace 13-14 (competes with 6); 8 withdrawn.
    """
    document = load_document(congress)
    ch1, ch2, ch3 = Chapter.objects.filter(document=document).order_by("number")
    kari = delegate(
        congress, first_name="Kari", last_name="Kvam", organisation=OrganisationFactory(name="Bodø kommune")
    )
    ola = delegate(congress, first_name="Ola", last_name="Ås", organisation=OrganisationFactory(name="Alta kommune"))
    per = delegate(congress, first_name="Per", last_name="Berg")
    secretary = UserFactory(first_name="Siri", last_name="Skriver")
    committee = CommitteeFactory(
        congress=congress,
        name="Komité for lokaldemokrati",
        mandate="Komiteen behandler kapittel 1 og 2.",
        chair=kari,
        secretary=secretary,
    )
    committee.chapters.set([ch1, ch2])
    committee.members.set([ola, kari])
    other = CommitteeFactory(congress=congress, name="Arbeidsgiverkomiteen")
    other.chapters.set([ch3])

    submit = partial(services.amendment_submit, document=document, justification="Fordi det er viktig.")
    a = {}
    a[1] = submit(submitter=ola, chapter=ch1, kind="delete", line_from=6, line_to=7, text="")
    a[2] = submit(
        submitter=kari, chapter=ch2, kind="new_paragraph", line_from=12, line_to=None, text=NEW_PARAGRAPH_TEXT
    )
    a[3] = submit(
        submitter=kari, chapter=ch1, kind="replace", line_from=2, line_to=3, text=REPLACE_TEXT, supporters=[ola, per]
    )
    a[4] = submit(submitter=ola, chapter=ch1, kind="replace", line_from=3, line_to=4, text=RIVAL_TEXT)
    a[5] = submit(submitter=per, chapter=ch2, kind="insert", line_from=9, line_to=None, text=INSERT_TEXT)
    a[6] = submit(submitter=per, chapter=ch3, kind="replace", line_from=13, line_to=13, text=CH3_TEXT)
    a[7] = submit(submitter=ola, chapter=ch3, kind="replace", line_from=13, line_to=14, text=CH3_RIVAL_TEXT)
    a[8] = submit(submitter=per, chapter=ch1, kind="delete", line_from=1, line_to=1, text="")
    services.amendment_withdraw(amendment=a[8], participant=per)
    assert [x.number for x in a.values()] == list(range(1, 9))

    recommend = partial(services.amendment_recommend, user=secretary)
    recommend(amendment=a[1], recommendation=Recommendation.ADOPT, reason="Avsnittet er overflødig.")
    recommend(amendment=a[3], recommendation=Recommendation.ADOPT_AMENDED, text=COMMITTEE_TEXT, reason="Bedre språk.")
    recommend(amendment=a[4], recommendation=Recommendation.MERGED, merged_into=a[3])
    recommend(amendment=a[5], recommendation=Recommendation.REJECT, reason="Dekkes allerede.")

    hovedstyret = services.statement_register(
        congress=congress,
        title="Uttalelse om flom og ras",
        text="Landstinget krever at staten tar ansvar for sikring mot flom og ras.",
        proposer_kind="ks_body",
        proposer_name="Hovedstyret",
    )
    ungdom = services.statement_submit(
        congress=congress,
        submitter=kari,
        title="Uttalelse om unge folkevalgte",
        text="Unge folkevalgte må få bedre vilkår.",
        justification="Mange slutter etter én periode.",
        supporters=[ola],
    )
    services.statement_recommend(
        statement=ungdom,
        recommendation=Recommendation.ADOPT_AMENDED,
        final_text="Unge folkevalgte må få bedre vilkår og mer støtte.",
        reason="Presisering.",
        user=None,
    )
    drafting = CommitteeFactory(congress=congress, name="Redaksjonskomiteen", kind=Committee.Kind.DRAFTING)
    drafting.members.set([per])
    return {
        "document": document,
        "committee": committee,
        "other": other,
        "drafting": drafting,
        "amendments": {number: Amendment.objects.get(pk=x.pk) for number, x in a.items()},
        "statements": [hovedstyret, ungdom],
    }


# --- 1. The numbered document ----------------------------------------------------------------------------------


def test_numbered_document_prints_every_stored_line_with_its_number(congress):
    document = load_document(congress)

    pdf, pages = render_political_document(document, language="en")

    expected = stored_lines(document)
    assert printed_lines(pdf) == expected  # every line, its number, in order, nothing else numbered
    assert len(printed_lines(pdf)) == sum(len(p.lines) for p in Paragraph.objects.filter(document=document))
    assert (4, "staten må la være å detaljstyre gjennom øremerking og") in expected
    assert (10, "• Nye oppgaver skal være fullfinansiert.") in expected
    text = pdf_text(pdf)
    assert "Kommunesektorens politiske prioriteringer" in text
    assert "Landstinget 2024" in text and "Version 1" in text
    assert "1. Lokaldemokrati og tillit (lines 1–7)" in text
    assert "2. Økonomi og handlingsrom (lines 8–12)" in text
    assert "This document has 16 numbered lines." in text
    assert pages == page_count(pdf) == 1
    assert "Page 1 of 1" in text


def test_long_lines_are_never_rewrapped_and_pages_are_counted(congress):
    """120 characters a line over several pages: each stored line is still one printed line with its number."""
    paragraph = (
        "Kommunene og fylkeskommunene må ha økonomisk handlingsrom og frihet til å prioritere etter lokale behov, "
        "slik at innbyggerne får likeverdige tjenester i hele landet, også der det bor få mennesker. "
    )
    chapters = "\n\n".join(f"## Kapittel {n}\n\n{paragraph * 4}\n\n{paragraph * 3}" for n in range(1, 13))
    document = load_document(congress, text=f"# Langt dokument\n\n{chapters}\n", line_length=120)
    assert max(len(line.rstrip()) for p in Paragraph.objects.filter(document=document) for line in p.lines) > 110

    pdf, pages = render_political_document(document, language="en")

    expected = stored_lines(document)
    assert len(expected) > 100
    assert printed_lines(pdf) == expected
    assert pages == page_count(pdf) > 1
    assert f"Page {pages} of {pages}" in pdf_text(pdf)


def test_line_font_size_fits_the_line_length():
    assert line_font_size(40) == line_font_size(60) == 10.0
    assert line_font_size(80) > line_font_size(100) > line_font_size(120) >= 6.0
    # 120 characters of 0.6 em at that size fit the text column (about 162 mm) of A4 portrait.
    assert 120 * 0.6 * line_font_size(120) * 25.4 / 72 <= 163


def test_numbered_document_in_the_active_language_and_query_count(congress, django_assert_max_num_queries):
    small = load_document(congress)
    big = load_document(
        CongressFactory(), text="# T\n\n" + "\n\n".join(f"## K{n}\n\nTekst nummer {n}." for n in range(40))
    )
    for document in (small, big):
        document = type(document).objects.get(pk=document.pk)
        with django_assert_max_num_queries(3), translation.override("en"):
            pdf, _pages = render_political_document(document)
        assert "Page 1 of" in pdf_text(pdf)


def test_unknown_language_is_refused(congress):
    with pytest.raises(ValueError):
        render_political_document(load_document(congress), language="de")


# --- 2. The committee's recommendation ---------------------------------------------------------------------------


def test_recommendation_lists_amendments_in_document_order_with_lines_and_recommendation(data):
    pdf, pages = render_committee_recommendation(data["committee"], language="en")
    text = pdf_text(pdf)

    assert pages == page_count(pdf)
    assert "Komité for lokaldemokrati" in text and "Landstinget 2024" in text
    assert "Komiteen behandler kapittel 1 og 2." in text
    assert "Kari Kvam, Bodø kommune (chair)" in text
    assert "Ola Ås, Alta kommune" in text
    assert "Siri Skriver" in text
    assert "1. Lokaldemokrati og tillit (lines 1–7); 2. Økonomi og handlingsrom (lines 8–12)" in text
    assert "5 amendments, 4 with a recommendation." in text

    heads = [
        "Amendment 3 lines 2–3 · Chapter 1: Lokaldemokrati og tillit · Replace lines",
        "Amendment 4 lines 3–4 · Chapter 1: Lokaldemokrati og tillit · Replace lines",
        "Amendment 1 lines 6–7 · Chapter 1: Lokaldemokrati og tillit · Delete lines",
        "Amendment 5 line 9 · Chapter 2: Økonomi og handlingsrom · Insert text after a line",
        "Amendment 2 line 12 · Chapter 2: Økonomi og handlingsrom · New paragraph after a line",
    ]
    found = positions(text, heads)
    assert found == sorted(found)  # document order, not number order
    assert "Amendment 6" not in text and "Amendment 7" not in text  # chapter 3 belongs to another committee
    assert "Amendment 8" not in text  # withdrawn

    amendment_3 = text[found[0] : found[1]]
    assert "Proposed by: Kari Kvam, Bodø kommune" in amendment_3
    assert "Supported by: Ola Ås, Per Berg" in amendment_3
    assert "The text when proposed (lines 2–3)" in amendment_3
    assert data["amendments"][3].original_text.replace("\n", " ")[:40] in amendment_3
    assert "Replace with" in amendment_3 and "skal fritt kunne prioritere" in amendment_3
    assert "Fordi det er viktig." in amendment_3
    assert "Competes with amendment 4 for the same lines." in amendment_3
    assert "The committee recommends: Adopt as amended by the committee" in amendment_3
    assert "må ha full frihet til å prioritere" in amendment_3
    assert "Bedre språk." in amendment_3
    assert "Amendment 4 is taken into this one." in amendment_3

    amendment_4 = text[found[1] : found[2]]
    assert "Competes with amendment 3 for the same lines." in amendment_4
    assert "The committee recommends: Taken into amendment 3" in amendment_4

    amendment_1 = text[found[2] : found[3]]
    assert "Delete lines 6–7." in amendment_1
    assert "The committee recommends: Adopt" in amendment_1 and "Avsnittet er overflødig." in amendment_1
    assert "Competes" not in amendment_1

    amendment_5 = text[found[3] : found[4]]
    assert "Add at the end of line 9" in amendment_5 and INSERT_TEXT in amendment_5
    assert "The committee recommends: Reject" in amendment_5 and "Dekkes allerede." in amendment_5

    amendment_2 = text[found[4] :]
    assert "New paragraph after the paragraph with line 12" in amendment_2
    assert "No recommendation yet." in amendment_2

    summary = text[text.index("Summary") : found[0]]
    assert positions(summary, ["3 lines 2–3 Kari Kvam", "4 lines 3–4 Ola Ås", "1 lines 6–7", "5 line 9", "2 line 12"])
    assert "Taken into amendment 3" in summary and "No recommendation yet" in summary


def test_recommendation_flags_lines_that_no_longer_match_and_escapes_text(data):
    amendment = data["amendments"][6]
    Amendment.objects.filter(pk=amendment.pk).update(range_problem=Amendment.RangeProblem.CHANGED)

    pdf, _pages = render_committee_recommendation(data["other"], language="en")
    text = pdf_text(pdf)

    assert "Amendment 6 line 13" in text and "Amendment 7 lines 13–14" in text
    assert "The lines no longer match: The text of the lines has changed." in text
    assert "Competes with amendment 7 for the same lines." in text
    assert "er Norges største arbeidsgiver <og> vil være det." in text  # printed as text, not markup
    assert text.count("No recommendation yet.") == 2


def test_drafting_committee_recommendation_lists_the_statements(data):
    pdf, pages = render_committee_recommendation(data["drafting"], language="en")
    text = pdf_text(pdf)

    assert pages == page_count(pdf)
    assert "RECOMMENDATION OF THE DRAFTING COMMITTEE" in text.upper()
    first, second = positions(
        text, ["Statement 1: Uttalelse om flom og ras", "Statement 2: Uttalelse om unge folkevalgte"]
    )
    assert first < second
    statement_1, statement_2 = text[first:second], text[second:]
    assert "Proposed by: Hovedstyret (A KS body)" in statement_1
    assert "Landstinget krever at staten tar ansvar" in statement_1
    assert "No recommendation yet." in statement_1
    assert "Proposed by: Kari Kvam and others (A group of delegates) · 1 supporter" in statement_2
    assert "Unge folkevalgte må få bedre vilkår." in statement_2
    assert "Mange slutter etter én periode." in statement_2
    assert "The committee recommends: Adopt as amended by the committee" in statement_2
    assert "bedre vilkår og mer støtte." in statement_2 and "Presisering." in statement_2
    assert "Per Berg" in text


@pytest.mark.parametrize("count", [3, 30])
def test_recommendation_reads_with_a_fixed_number_of_queries(congress, count, django_assert_max_num_queries):
    document = load_document(congress)
    chapter = Chapter.objects.get(document=document, number=1)
    committee = CommitteeFactory(congress=congress, secretary=UserFactory())
    committee.chapters.set([chapter])
    people = [delegate(congress) for _ in range(4)]
    committee.members.set(people)
    committee.chair = people[0]
    committee.save()
    previous = None
    for number in range(count):
        line = 1 + number % 7
        amendment = services.amendment_submit(
            document=document,
            submitter=people[number % 4],
            chapter=chapter,
            kind="replace",
            line_from=line,
            line_to=line,
            text=f"Ny tekst {number}",
            justification="",
            supporters=[person for person in people if person != people[number % 4]][:2],
        )
        if previous is not None and number % 3 == 0:
            services.amendment_recommend(
                amendment=amendment, recommendation=Recommendation.MERGED, merged_into=previous, user=None
            )
        previous = amendment

    committee = Committee.objects.get(pk=committee.pk)
    with django_assert_max_num_queries(8):
        pdf, _pages = render_committee_recommendation(committee, language="en")
    assert pdf_text(pdf).count("The text when proposed") == count


# --- 3. The document with the amendments applied -----------------------------------------------------------------


def record(amendment, outcome):
    services.amendment_record_outcome(amendment=amendment, outcome=outcome, user=None)


def test_final_document_applies_the_plenary_outcomes(data):
    a = data["amendments"]
    record(a[1], Outcome.ADOPTED)  # delete lines 6-7
    record(a[2], Outcome.ADOPTED)  # new paragraph after line 12
    record(a[3], Outcome.ADOPTED_AMENDED)  # the committee's text
    record(a[4], Outcome.WITHDRAWN)
    record(a[5], Outcome.REJECTED)
    record(a[6], Outcome.ADOPTED)
    record(a[7], Outcome.REJECTED)

    pdf, pages = render_final_document(data["document"], basis="plenary", language="en")
    text = pdf_text(pdf)

    assert pages == page_count(pdf)
    assert "As adopted by the plenary".upper() in text.upper()
    assert "4 amendments applied: 1, 2, 3 and 6." in text
    assert "må ha full frihet til å prioritere, og staten må la være å detaljstyre" in text  # committee text
    assert "skal fritt kunne prioritere" not in text  # not the proposer's
    assert "etter lokale behov" not in text  # the replaced words are gone
    assert "KS vil arbeide for at flere unge" not in text  # deleted
    assert "hets og trusler" not in text
    assert NEW_PARAGRAPH_TEXT in text
    assert INSERT_TEXT not in text  # rejected
    assert "Kommunesektoren er Norges største arbeidsgiver <og> vil være det." in text
    assert "Changed by amendment 3" in text and "New, by amendment 2" in text and "Changed by amendment 6" in text
    assert "Nye oppgaver skal være fullfinansiert." in text and "line 10" in text  # unchanged, with its lines
    assert positions(text, ["1. Lokaldemokrati og tillit", "2. Økonomi og handlingsrom", "3. Arbeidsgiverpolitikk"])


def test_final_document_as_the_committees_recommend(data):
    pdf, _pages = render_final_document(data["document"], basis="recommendation", language="en")
    text = pdf_text(pdf)

    assert "2 amendments applied: 1 and 3." in text
    assert "må ha full frihet til å prioritere" in text
    assert "KS vil arbeide for at flere unge" not in text
    assert NEW_PARAGRAPH_TEXT not in text  # no recommendation yet
    assert INSERT_TEXT not in text
    assert "Not yet decided by the plenary." in text


def test_final_document_without_amendments_is_the_loaded_text(data):
    pdf, _pages = render_final_document(data["document"], basis="plenary", language="en")
    text = pdf_text(pdf)
    assert "No amendments applied: this is the text as loaded." in text
    assert "KS vil arbeide for at flere unge stiller til valg" in text
    assert "Changed by" not in text


def test_final_document_conflict_propagates(data):
    a = data["amendments"]
    record(a[6], Outcome.ADOPTED)
    record(a[7], Outcome.ADOPTED)  # lines 13 and 13-14: both cannot be applied

    with pytest.raises(AmendmentConflict) as error:
        render_final_document(data["document"], basis="plenary", language="en")
    assert error.value.numbers == (6, 7)


def test_final_document_refuses_an_unknown_basis(data):
    with pytest.raises(ValueError):
        render_final_document(data["document"], basis="wishes")


@pytest.mark.parametrize("count", [3, 30])
def test_final_document_reads_with_a_fixed_number_of_queries(congress, count, django_assert_max_num_queries):
    document = load_document(congress)
    chapter = Chapter.objects.get(document=document, number=1)
    person = delegate(congress)
    for number in range(count):
        amendment = services.amendment_submit(
            document=document,
            submitter=person,
            chapter=chapter,
            kind="insert",
            line_from=1 + number % 7,
            line_to=None,
            text=f"Tillegg {number}.",
            justification="",
        )
        if number < 7:  # one insert per line: these don't compete
            record(amendment, Outcome.ADOPTED)

    document = type(document).objects.get(pk=document.pk)
    with django_assert_max_num_queries(7):
        pdf, _pages = render_final_document(document, basis="plenary", language="en")
    assert "Tillegg 2." in pdf_text(pdf)


# --- 4. The voting list ----------------------------------------------------------------------------------------


def test_voting_list_has_every_amendment_and_statement(data):
    pdf, pages = render_voting_list(data["document"], language="en")
    text = pdf_text(pdf)

    assert pages == page_count(pdf)
    assert "7 amendments · 2 statements" in text
    chapters = positions(
        text,
        ["1. Lokaldemokrati og tillit", "2. Økonomi og handlingsrom", "3. Arbeidsgiverpolitikk", "Statements"],
    )
    assert chapters == sorted(chapters)
    assert "Committee: Komité for lokaldemokrati" in text and "Committee: Arbeidsgiverkomiteen" in text

    rows = positions(
        text,
        [
            "3 lines 2–3 Kari Kvam",
            "4 lines 3–4 Ola Ås",
            "1 lines 6–7 Ola Ås",
            "5 line 9 Per Berg",
            "2 line 12 Kari Kvam",
            "6 line 13 Per Berg",
            "7 lines 13–14 Ola Ås",
        ],
    )
    assert rows == sorted(rows)
    assert "Replace lines: innbyggerne og de folkevalgte. Kommunene og fylkeskommunene skal fritt kunne" in text
    assert "Adopt as amended by the committee" in text
    assert "Delete lines" in text and "Reject" in text
    assert "Taken into amendment 3" in text and "no separate vote" in text
    # 3 and 4 compete, but 4 is taken into 3: only 6 and 7 are voted against each other.
    assert text.count("Vote against each other: 6, 7") == 2
    assert "Vote against each other: 3, 4" not in text
    assert "Amendment 8" not in text and "8 line 1 " not in text  # withdrawn

    statements = text[chapters[3] :]
    assert positions(
        statements, ["1 Uttalelse om flom og ras Hovedstyret", "2 Uttalelse om unge folkevalgte Kari Kvam and others"]
    )
    assert "No recommendation yet" in statements and "with the committee's text" in statements


def test_voting_list_shortens_long_proposals(data):
    ch2 = Chapter.objects.get(document=data["document"], number=2)
    long_text = " ".join(["Kommunene skal ha nok ressurser til å løse oppgavene sine."] * 10) + " SLUTTEN"
    services.amendment_submit(
        document=data["document"],
        submitter=data["amendments"][1].submitter,
        chapter=ch2,
        kind="replace",
        line_from=8,
        line_to=8,
        text=long_text,
        justification="",
    )
    pdf, _pages = render_voting_list(data["document"], language="en")
    text = pdf_text(pdf)
    assert "Kommunene skal ha nok ressurser" in text
    assert "SLUTTEN" not in text and "…" in text


@pytest.mark.parametrize("count", [3, 30])
def test_voting_list_reads_with_a_fixed_number_of_queries(congress, count, django_assert_max_num_queries):
    document = load_document(congress)
    chapters = list(Chapter.objects.filter(document=document).order_by("number"))
    for chapter in chapters:
        CommitteeFactory(congress=congress).chapters.set([chapter])
    people = [delegate(congress) for _ in range(3)]
    first = None
    for number in range(count):
        chapter = chapters[number % 3]
        amendment = services.amendment_submit(
            document=document,
            submitter=people[number % 3],
            chapter=chapter,
            kind="replace",
            line_from=chapter.first_line,
            line_to=chapter.first_line,
            text=f"Ny tekst {number}",
            justification="",
            supporters=[person for person in people if person != people[number % 3]],
        )
        first = first or amendment
        if number % 4 == 1:
            services.amendment_recommend(
                amendment=amendment, recommendation=Recommendation.MERGED, merged_into=first, user=None
            )
    for number in range(count):
        services.statement_register(
            congress=congress,
            title=f"Uttalelse {number}",
            text="Tekst.",
            proposer_kind="member",
            organisation=people[0].organisation,
        )

    document = type(document).objects.get(pk=document.pk)
    with django_assert_max_num_queries(8):
        pdf, _pages = render_voting_list(document, language="en")
    assert f"{count} amendments · {count} statements" in pdf_text(pdf)


def test_every_pdf_renders_in_norwegian(data):
    """The default language: bokmål labels where translated, Norwegian dates; the user's text unchanged."""
    with translation.override("nb"):
        documents = [
            render_political_document(data["document"]),
            render_committee_recommendation(data["committee"]),
            render_final_document(data["document"], basis="recommendation"),
            render_voting_list(data["document"]),
        ]
    for pdf, pages in documents:
        assert pages == page_count(pdf) >= 1
    assert "Kari Kvam" in pdf_text(documents[1][0]) and "Kari Kvam" in pdf_text(documents[3][0])
    assert "må ha full frihet til å prioritere" in pdf_text(documents[2][0])
