"""Printed documents of the committee work (issue 6): the numbered political document, a committee's recommendation
(innstilling), the document with the adopted (or recommended) amendments applied, and the voting list for the plenary.

Every renderer returns ``(pdf_bytes, pages)``, renders one HTML document alone with
:func:`core.pdf.render_pdf` (so the templates may use page counters), in ``language`` (default: the active
language) and with times in Europe/Oslo. The data is read with a fixed number of queries, however many chapters,
paragraphs, amendments or statements there are.

Line numbers are never computed here: the numbered document prints each stored line (``Paragraph.numbered_lines``)
as a block of its own that does not wrap (``white-space: pre``), in a font size chosen from the document's
``line_length`` so that a full line fits the page (:func:`line_font_size`). Amendments print their stored
``line_from``/``line_to`` and the copy of the lines they were written against.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committees import selectors, services
from committees.models import (
    Amendment,
    Chapter,
    Committee,
    Paragraph,
    PoliticalDocument,
    Proposal,
    Recommendation,
    Statement,
)
from core.pdf import pdf_language, render_template_pdf
from delegates.models import Participant

__all__ = [
    "BASES",
    "line_font_size",
    "render_committee_recommendation",
    "render_final_document",
    "render_political_document",
    "render_voting_list",
]

DOCUMENT_TEMPLATE = "committees/pdf/document.html"
RECOMMENDATION_TEMPLATE = "committees/pdf/recommendation.html"
FINAL_TEMPLATE = "committees/pdf/final_document.html"
VOTING_LIST_TEMPLATE = "committees/pdf/voting_list.html"

#: ``basis`` of :func:`render_final_document` (and of ``services.final_paragraphs``).
BASES = ("plenary", "recommendation")

#: Proposed texts in the voting list are cut to about this many characters.
SHORT_TEXT = 200

# --- Geometry of the numbered document (A4 portrait); the template uses the same numbers -----------------------
PAGE_WIDTH_MM = 210.0
MARGIN_LEFT_MM = 16.0
MARGIN_RIGHT_MM = 14.0
NUMBER_COLUMN_MM = 11.0  # the line numbers, right-aligned
GUTTER_MM = 3.0  # between the numbers and the text
BULLET_MM = 4.0  # list items are indented by this much (their bullet sits there)
#: DejaVu Sans averages 0.52 to 0.57 em per character in running Norwegian text (measured over the sample document);
#: 0.6 em (the advance of a monospaced character) leaves room for lines with many wide letters.
EM_PER_CHARACTER = 0.6
MAX_LINE_FONT_PT = 10.0
MM_PER_PT = 25.4 / 72


def line_font_size(line_length: int) -> float:
    """The font size (pt) at which a stored line of ``line_length`` characters fits the text column of A4 portrait.

    10 pt up to about 75 characters per line, 6.3 pt at 120. The lines never wrap whatever the size (each is one
    ``white-space: pre`` block); a line with unusually many wide letters may run into the right margin.
    """
    text_width_mm = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM - NUMBER_COLUMN_MM - GUTTER_MM - BULLET_MM
    size = text_width_mm / MM_PER_PT / (max(line_length, 1) * EM_PER_CHARACTER)
    return min(MAX_LINE_FONT_PT, int(size * 10) / 10)


# --- Shared helpers -------------------------------------------------------------------------------------------


def _render(template: str, context: dict, language: str) -> tuple[bytes, int]:
    return render_template_pdf(template, context, language)


def _and_list(items: Sequence[object]) -> str:
    """``3``, ``3 and 7``, ``3, 5 and 7``."""
    words = [str(item) for item in items]
    if len(words) < 2:
        return "".join(words)
    return _("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def _short(text: str, limit: int = SHORT_TEXT) -> str:
    """``text`` on one line, cut after about ``limit`` characters at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + " …"


def _chapter_label(chapter: Chapter | None) -> str:
    if chapter is None:
        return _("no chapter (the lines no longer exist)")
    return _("Chapter %(number)d: %(title)s") % {"number": chapter.number, "title": chapter.title}


def _lines_label(first: int, last: int) -> str:
    if first == last:
        return _("line %(line)d") % {"line": first}
    return _("lines %(first)d–%(last)d") % {"first": first, "last": last}


def _organisation(participant: Participant | None) -> str:
    if participant is None or participant.organisation_id is None:
        return ""
    return participant.organisation.name


# --- 1. The numbered document ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedParagraph:
    kind: str
    lines: list[tuple[int, str]]


@dataclass(frozen=True)
class PrintedChapter:
    number: int
    title: str
    lines_label: str
    paragraphs: list[PrintedParagraph]


def _numbered_document(document: PoliticalDocument) -> tuple[list[PrintedChapter], int]:
    """The chapters with their stored lines (two queries) and the number of lines."""
    chapters = []
    count = 0
    for numbered in selectors.numbered_chapters(document):
        paragraphs = [
            PrintedParagraph(kind=paragraph.kind, lines=paragraph.numbered_lines()) for paragraph in numbered.paragraphs
        ]
        count += sum(len(paragraph.lines) for paragraph in paragraphs)
        chapter = numbered.chapter
        chapters.append(
            PrintedChapter(
                number=chapter.number,
                title=chapter.title,
                lines_label=_lines_label(chapter.first_line, chapter.last_line),
                paragraphs=paragraphs,
            )
        )
    return chapters, count


def render_political_document(document: PoliticalDocument, *, language: str | None = None) -> tuple[bytes, int]:
    """The political document with its stored line numbers, as PDF bytes and its number of pages.

    Title, congress, version and the time it was loaded; then chapter by chapter (number, title, line range) every
    paragraph line by line, each stored line with its number in the left margin, never re-wrapped. A fixed number
    of queries.
    """
    language = pdf_language(language)
    congress = document.congress
    with translation.override(language):
        chapters, line_count = _numbered_document(document)
    font_size = line_font_size(document.line_length)
    return _render(
        DOCUMENT_TEMPLATE,
        {
            "document": document,
            "congress": congress,
            "chapters": chapters,
            "line_count": line_count,
            "line_font_size": f"{font_size:.1f}pt",
            "geometry": _geometry(),
        },
        language,
    )


def _geometry() -> dict[str, str]:
    """CSS lengths of the numbered document, formatted here (a template would localise the decimal point)."""
    return {
        "margin_left": f"{MARGIN_LEFT_MM:.1f}mm",
        "margin_right": f"{MARGIN_RIGHT_MM:.1f}mm",
        "number_column": f"{NUMBER_COLUMN_MM:.1f}mm",
        "gutter": f"{GUTTER_MM:.1f}mm",
        "bullet": f"{BULLET_MM:.1f}mm",
    }


# --- 2. A committee's recommendation (innstilling) ------------------------------------------------------------


@dataclass(frozen=True)
class PrintedRecommendation:
    value: str  # a Recommendation value, "" when the committee has not recommended yet
    label: str  # in words; for "merged": "Taken into amendment 7"
    text: str  # the committee's text (adopt as amended)
    reason: str


@dataclass(frozen=True)
class PrintedAmendment:
    number: int
    lines_label: str
    chapter_label: str
    kind: str
    kind_label: str
    proposer: str
    organisation: str
    supporters: list[str]
    original_text: str
    text: str
    short_text: str
    justification: str
    range_problem: str  # in words, "" when the lines still match
    competes_with: tuple[int, ...]  # the other amendments of its competing group
    competes_label: str
    recommendation: PrintedRecommendation
    merged_into: int | None
    merged_label: str = ""  # "Amendments 4 and 5 are taken into this one."
    numbered_lines: tuple[tuple[int, str], ...] = ()  # the stored lines it changes, while they still match


@dataclass(frozen=True)
class PrintedStatement:
    number: int
    title: str
    proposer: str
    proposer_kind: str
    supporters: int
    text: str
    justification: str
    recommendation: PrintedRecommendation
    final_text: str


@dataclass(frozen=True)
class CommitteeMember:
    name: str
    organisation: str
    chair: bool


def _printed_recommendation(proposal: Proposal) -> PrintedRecommendation:
    """The committee's recommendation on an amendment (its ``merged_into`` loaded) or a statement."""
    value = proposal.recommendation
    if not value:
        return PrintedRecommendation(value="", label=_("No recommendation yet"), text="", reason="")
    if value == Recommendation.MERGED and proposal.merged_into is not None:
        label = _("Taken into amendment %(number)d") % {"number": proposal.merged_into.number}
    else:
        label = str(proposal.get_recommendation_display())
    text = proposal.amended_text if value == Recommendation.ADOPT_AMENDED else ""
    return PrintedRecommendation(value=value, label=label, text=text, reason=proposal.recommendation_reason)


def _competes_label(others: Sequence[int]) -> str:
    if not others:
        return ""
    return ngettext(
        "Competes with amendment %(numbers)s for the same lines",
        "Competes with amendments %(numbers)s for the same lines",
        len(others),
    ) % {"numbers": _and_list(others)}


def _merged_label(numbers: Sequence[int]) -> str:
    if not numbers:
        return ""
    return ngettext(
        "Amendment %(numbers)s is taken into this one.", "Amendments %(numbers)s are taken into this one.", len(numbers)
    ) % {"numbers": _and_list(numbers)}


def _printed_amendments(amendments: Iterable[Amendment], document: PoliticalDocument | None) -> list[PrintedAmendment]:
    """Amendments (with chapter, submitter, organisation, proposing meeting, merged_into and supporters loaded) for
    printing."""
    amendments = list(amendments)
    paragraphs = selectors.document_paragraphs(document) if document is not None and amendments else None
    competing = selectors.competing_amendments(amendments, paragraphs)
    line_texts = {
        paragraph.first_line + offset: line.rstrip(" ")
        for paragraph in paragraphs or ()
        for offset, line in enumerate(paragraph.lines)
    }
    merged: dict[int, list[int]] = {}
    for amendment in amendments:
        if amendment.recommendation == Recommendation.MERGED and amendment.merged_into is not None:
            merged.setdefault(amendment.merged_into.number, []).append(amendment.number)
    printed = []
    for amendment in amendments:
        others = tuple(number for number in competing.get(amendment.number, ()) if number != amendment.number)
        printed.append(
            PrintedAmendment(
                number=amendment.number,
                lines_label=_lines_label(amendment.line_from, amendment.line_to),
                chapter_label=_chapter_label(amendment.chapter),
                kind=amendment.kind,
                kind_label=str(amendment.get_kind_display()),
                proposer=amendment.proposer_label,
                organisation=amendment.proposer_organisation,
                supporters=sorted((supporter.full_name for supporter in amendment.supporters.all()), key=str.casefold),
                original_text=amendment.original_text,
                text=amendment.text if amendment.kind != Amendment.Kind.DELETE else "",
                short_text=_short(amendment.text) if amendment.kind != Amendment.Kind.DELETE else "",
                justification=amendment.justification,
                range_problem=str(amendment.get_range_problem_display()) if amendment.range_problem else "",
                competes_with=others,
                competes_label=_competes_label(others),
                recommendation=_printed_recommendation(amendment),
                merged_into=amendment.merged_into.number if amendment.merged_into is not None else None,
                merged_label=_merged_label(sorted(merged.get(amendment.number, []))),
                numbered_lines=()
                if amendment.range_problem
                else tuple(
                    (number, line_texts[number])
                    for number in range(amendment.line_from, amendment.line_to + 1)
                    if number in line_texts
                ),
            )
        )
    return printed


def _printed_statements(statements: Iterable[Statement]) -> list[PrintedStatement]:
    return [
        PrintedStatement(
            number=statement.number,
            title=statement.title,
            proposer=statement.proposer_label,
            proposer_kind=str(statement.get_proposer_kind_display()),
            supporters=len(statement.supporters.all()),
            text=statement.text,
            justification=statement.justification,
            recommendation=_printed_recommendation(statement),
            final_text=statement.final_text,
        )
        for statement in statements
    ]


def render_committee_recommendation(committee: Committee, *, language: str | None = None) -> tuple[bytes, int]:
    """A committee's recommendation (innstilling) as PDF bytes and its number of pages.

    The committee (name, congress, mandate, members with the chair marked, secretary, the chapters it handles with
    their lines), a summary table, then for an ordinary committee every submitted amendment to its chapters in
    document order: lines, chapter, kind, proposer and supporters, the lines as they were when proposed and the
    proposed text, the justification, a flag when the lines no longer match or when it competes with others, and
    the committee's recommendation (or "no recommendation yet"). For the drafting committee the same for every
    submitted statement. A fixed number of queries (tested).
    """
    language = pdf_language(language)
    committee = Committee.objects.select_related("congress", "secretary").get(pk=committee.pk)
    members = [
        CommitteeMember(
            name=member.full_name, organisation=_organisation(member), chair=member.pk == committee.chair_id
        )
        for member in committee.members.select_related("organisation").order_by("last_name", "first_name", "pk")
    ]
    members.sort(key=lambda member: not member.chair)  # the chair first, the others by name
    secretary = committee.secretary
    with translation.override(language):
        chapters = [
            {
                "number": chapter.number,
                "title": chapter.title,
                "lines": _lines_label(chapter.first_line, chapter.last_line),
            }
            for chapter in committee.chapters.order_by("number")
        ]
        amendments: list[PrintedAmendment] = []
        statements: list[PrintedStatement] = []
        if committee.kind == Committee.Kind.DRAFTING:
            statements = _printed_statements(selectors.statements_in_order(committee.congress))
        else:
            amendments = _printed_amendments(
                selectors.committee_amendments(committee), selectors.document_of(committee.congress)
            )
    recommended = sum(1 for item in [*amendments, *statements] if item.recommendation.value)
    return _render(
        RECOMMENDATION_TEMPLATE,
        {
            "committee": committee,
            "congress": committee.congress,
            "drafting": committee.kind == Committee.Kind.DRAFTING,
            "members": members,
            "secretary": (secretary.get_full_name() or secretary.email) if secretary is not None else "",
            "chapters": chapters,
            "amendments": amendments,
            "statements": statements,
            "recommended": recommended,
        },
        language,
    )


# --- 3. The document with the amendments applied ----------------------------------------------------------------


@dataclass(frozen=True)
class FinalParagraph:
    kind: str
    text: str
    changed_by: tuple[int, ...]
    changed_label: str  # "Changed by amendment 3 and 7" / "New: amendment 5"; "" when unchanged
    original_lines: str  # "lines 12-15" of the paragraph it came from; "" for a new paragraph


@dataclass(frozen=True)
class FinalChapter:
    number: int
    title: str
    paragraphs: list[FinalParagraph]


def _changed_label(numbers: Sequence[int], *, new: bool) -> str:
    if not numbers:
        return ""
    if new:
        return ngettext("New, by amendment %(numbers)s", "New, by amendments %(numbers)s", len(numbers)) % {
            "numbers": _and_list(numbers)
        }
    return ngettext("Changed by amendment %(numbers)s", "Changed by amendments %(numbers)s", len(numbers)) % {
        "numbers": _and_list(numbers)
    }


def render_final_document(document: PoliticalDocument, *, basis: str, language: str | None = None) -> tuple[bytes, int]:
    """The document with the amendments applied, as PDF bytes and its number of pages.

    ``basis="plenary"``: the amendments the plenary adopted (as proposed, or as the committee recommended);
    ``basis="recommendation"``: the amendments as the committees recommend them. Chapter by chapter, each changed
    paragraph marked in the margin with the amendments that changed it, each unchanged one with its original lines;
    the cover says which basis and which amendments were applied.

    Raises ``committees.amending.AmendmentConflict`` (from ``services.final_paragraphs``) when two amendments that
    would be applied compete for the same lines, and ``AmendmentRangeError`` when one refers to lines that no longer
    exist. A fixed number of queries (tested).
    """
    if basis not in BASES:
        raise ValueError(f"Unknown basis {basis!r}; expected one of {', '.join(BASES)}")
    language = pdf_language(language)
    results = services.final_paragraphs(document=document, basis=basis)
    applied = [
        amendment.number
        for amendment in selectors.amendments_in_order(document).prefetch_related(None).select_related(None)
        if selectors.amendment_change(amendment, basis=basis) is not None
    ]
    applied.sort()
    original_lines = {
        pk: (first_line, first_line + len(lines) - 1)
        for pk, first_line, lines in Paragraph.objects.filter(document=document).values_list(
            "pk", "first_line", "lines"
        )
    }
    chapter_rows = list(Chapter.objects.filter(document=document).order_by("number"))
    with translation.override(language):
        by_chapter: dict[object, list[FinalParagraph]] = {chapter.pk: [] for chapter in chapter_rows}
        for result in results:
            span = original_lines.get(result.original_key)
            by_chapter.setdefault(result.chapter, []).append(
                FinalParagraph(
                    kind=result.kind,
                    text=result.text,
                    changed_by=result.changed_by,
                    changed_label=_changed_label(result.changed_by, new=result.original_key is None),
                    original_lines=_lines_label(*span) if span and span[1] >= span[0] else "",
                )
            )
        chapters = [
            FinalChapter(number=chapter.number, title=chapter.title, paragraphs=by_chapter[chapter.pk])
            for chapter in chapter_rows
        ]
        changed = sum(1 for result in results if result.changed_by)
        applied_list = _and_list(applied)
    return _render(
        FINAL_TEMPLATE,
        {
            "document": document,
            "congress": document.congress,
            "basis": basis,
            "chapters": chapters,
            "applied": applied,
            "applied_list": applied_list,
            "changed_paragraphs": changed,
        },
        language,
    )


# --- 4. The voting list (voteringsliste) -------------------------------------------------------------------------


@dataclass(frozen=True)
class VotingRow:
    amendment: PrintedAmendment
    votes_against: tuple[int, ...]  # the group it is voted against (itself included), () when it stands alone
    separate_vote: bool  # False for an amendment taken into another


@dataclass(frozen=True)
class VotingChapter:
    number: int | None
    title: str
    lines_label: str
    committees: list[str]
    rows: list[VotingRow]


def render_voting_list(document: PoliticalDocument, *, language: str | None = None) -> tuple[bytes, int]:
    """The voting list (voteringsliste) for the plenary, as PDF bytes and its number of pages (A4 landscape).

    Chapter by chapter in document order, one row per submitted amendment: number, lines, proposer, kind and the
    start of the proposed text, the committee's recommendation and an empty column for the result. Amendments that
    compete for the same lines are marked as voted against each other; an amendment taken into another has no vote of
    its own. Then the statements with the drafting committee's recommendation. A fixed number of queries (tested).
    """
    language = pdf_language(language)
    congress = document.congress
    chapter_rows = list(
        Chapter.objects.filter(document=document)
        .order_by("number")
        .prefetch_related(Prefetch("committees", queryset=Committee.objects.order_by("name")))
    )
    amendment_rows = list(selectors.amendments_in_order(document))
    statement_rows = list(selectors.statements_in_order(congress))
    with translation.override(language):
        printed = _printed_amendments(amendment_rows, document)
        # Amendments taken into another get no vote of their own, so they are not voted against the others either.
        voted = {amendment.number for amendment in printed if amendment.merged_into is None}
        rows_by_chapter: dict[int | None, list[VotingRow]] = {}
        for amendment_row, amendment in zip(amendment_rows, printed, strict=True):
            group: tuple[int, ...] = ()
            if amendment.number in voted and amendment.competes_with:
                group = tuple(sorted(n for n in (amendment.number, *amendment.competes_with) if n in voted))
                if len(group) < 2:
                    group = ()
            rows_by_chapter.setdefault(amendment_row.chapter_id, []).append(
                VotingRow(
                    amendment=amendment,
                    votes_against=group,
                    separate_vote=amendment.number in voted,
                )
            )
        chapters = [
            VotingChapter(
                number=chapter.number,
                title=chapter.title,
                lines_label=_lines_label(chapter.first_line, chapter.last_line),
                committees=[committee.name for committee in chapter.committees.all()],
                rows=rows_by_chapter.get(chapter.pk, []),
            )
            for chapter in chapter_rows
        ]
        if rows_by_chapter.get(None):
            chapters.append(
                VotingChapter(
                    number=None,
                    title=_("Amendments whose lines no longer exist"),
                    lines_label="",
                    committees=[],
                    rows=rows_by_chapter[None],
                )
            )
        statements = _printed_statements(statement_rows)
    return _render(
        VOTING_LIST_TEMPLATE,
        {
            "document": document,
            "congress": congress,
            "chapters": chapters,
            "amendment_count": len(printed),
            "statements": statements,
        },
        language,
    )
