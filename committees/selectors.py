"""Reads for the committee work: the document as numbered lines, amendments in document order, who may do what."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from agenda.models import Congress
from committees.amending import Change, DocumentParagraph, competing_groups
from committees.models import (
    Amendment,
    Chapter,
    Committee,
    Outcome,
    Paragraph,
    PoliticalDocument,
    Recommendation,
    Statement,
    StatementSettings,
)
from core.deadlines import deadline_is_open
from delegates.models import Participant
from delegates.selectors import user_sees_all_counties

# --- The document ------------------------------------------------------------------------------------------------


def document_of(congress: Congress) -> PoliticalDocument | None:
    return PoliticalDocument.objects.filter(congress=congress).first()


def document_paragraphs(document: PoliticalDocument) -> list[DocumentParagraph]:
    """The stored paragraphs as the pure module's value objects, in document order."""
    return [
        DocumentParagraph(
            key=paragraph.pk,
            chapter=paragraph.chapter_id,
            kind=paragraph.kind,
            first_line=paragraph.first_line,
            lines=tuple(paragraph.lines),
        )
        for paragraph in Paragraph.objects.filter(document=document).order_by("position")
    ]


def lines_text(paragraphs: Sequence[DocumentParagraph], line_from: int, line_to: int) -> str:
    """The words on lines ``line_from`` to ``line_to``; paragraphs are separated by a blank line."""
    pieces = []
    for paragraph in paragraphs:
        if paragraph.last_line < line_from or paragraph.first_line > line_to:
            continue
        start = max(line_from, paragraph.first_line) - paragraph.first_line
        stop = min(line_to, paragraph.last_line) - paragraph.first_line + 1
        pieces.append("".join(paragraph.lines[start:stop]).strip())
    return "\n\n".join(piece for piece in pieces if piece)


@dataclass(frozen=True)
class NumberedChapter:
    chapter: Chapter
    paragraphs: list[Paragraph]


def numbered_chapters(document: PoliticalDocument) -> list[NumberedChapter]:
    """Chapters with their paragraphs (two queries), for the screen and the printed document."""
    chapters = (
        Chapter.objects.filter(document=document)
        .order_by("number")
        .prefetch_related(Prefetch("paragraphs", queryset=Paragraph.objects.order_by("position")))
    )
    return [NumberedChapter(chapter=chapter, paragraphs=list(chapter.paragraphs.all())) for chapter in chapters]


# --- Deadlines ---------------------------------------------------------------------------------------------------


def amendments_open(document: PoliticalDocument | None, *, now=None) -> bool:
    if document is None or document.amendment_deadline is None or document.version == 0:
        return False
    return deadline_is_open(document.amendment_deadline, now or timezone.now())


def statement_settings(congress: Congress) -> StatementSettings:
    """The congress's statement settings: the ones staff saved, or the defaults (statements not open)."""
    try:
        return congress.statement_settings
    except StatementSettings.DoesNotExist:
        return StatementSettings(congress=congress)


def statements_open(congress: Congress, *, now=None) -> bool:
    return deadline_is_open(statement_settings(congress).statement_deadline, now or timezone.now())


def may_propose(participant: Participant) -> bool:
    """Delegates with the right to vote (and deputies holding a seat) may propose amendments and statements."""
    return participant.has_voting_right


def possible_supporters(*, congress: Congress, exclude: Participant | None = None) -> QuerySet[Participant]:
    queryset = Participant.objects.filter(congress=congress, status=Participant.Status.ACTIVE).filter(
        Q(role__in=Participant.VOTING_ROLES) | Q(acting_for__isnull=False)
    )
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.select_related("county", "organisation").order_by("county__number", "last_name", "first_name")


# --- Amendments --------------------------------------------------------------------------------------------------


def amendments_in_order(document: PoliticalDocument, *, include_withdrawn: bool = False) -> QuerySet[Amendment]:
    queryset = (
        Amendment.objects.filter(document=document)
        .select_related("chapter", "submitter", "submitter__organisation", "submitter__county", "merged_into")
        .prefetch_related("supporters")
        .order_by("line_from", "line_to", "number")
    )
    if not include_withdrawn:
        queryset = queryset.filter(status=Amendment.Status.SUBMITTED)
    return queryset


def amendment_change(amendment: Amendment, *, basis: str) -> Change | None:
    """The change an amendment makes to the text: by the plenary outcome, or as the committee recommends."""
    if basis == "plenary":
        decided, as_proposed, as_amended = amendment.outcome, Outcome.ADOPTED, Outcome.ADOPTED_AMENDED
    elif basis == "recommendation":
        decided, as_proposed, as_amended = amendment.recommendation, Recommendation.ADOPT, Recommendation.ADOPT_AMENDED
    else:
        raise ValueError(basis)
    texts = {as_proposed: amendment.text, as_amended: amendment.recommendation_text}
    if decided not in texts:
        return None
    text = texts[decided]
    return Change(
        number=amendment.number,
        kind=amendment.kind,
        line_from=amendment.line_from,
        line_to=amendment.line_to,
        text=text,
    )


def competing_amendments(
    amendments: Iterable[Amendment], paragraphs: Sequence[DocumentParagraph] | None = None
) -> dict[int, tuple[int, ...]]:
    """For each amendment number that competes with others for the same lines: the numbers of its group.

    With the document's ``paragraphs``, two new paragraphs after the same paragraph compete even when they name
    different lines of it.
    """
    changes = [
        Change(number=a.number, kind=a.kind, line_from=a.line_from, line_to=a.line_to, text=a.text)
        for a in amendments
        if a.status == Amendment.Status.SUBMITTED
    ]
    competing: dict[int, tuple[int, ...]] = {}
    for group in competing_groups(changes, paragraphs):
        for number in group:
            competing[number] = group
    return competing


def committee_amendments(committee: Committee) -> QuerySet[Amendment]:
    document = document_of(committee.congress)
    if document is None:
        return Amendment.objects.none()
    return amendments_in_order(document).filter(chapter__in=committee.chapters.all())


def committee_of_amendment(amendment: Amendment) -> Committee | None:
    if amendment.chapter_id is None:
        return None
    return Committee.objects.filter(chapters=amendment.chapter_id).select_related("secretary").first()


def drafting_committee(congress: Congress) -> Committee | None:
    return Committee.objects.filter(congress=congress, kind=Committee.Kind.DRAFTING).first()


def recommendation_visible(amendment: Amendment) -> bool:
    """Delegates (and regional staff) see a recommendation once the committee has published it."""
    if not amendment.recommendation:
        return False
    return Committee.objects.filter(chapters=amendment.chapter_id, recommendation_published=True).exists()


def published_chapter_ids(document: PoliticalDocument) -> set[int]:
    return set(
        Chapter.objects.filter(document=document, committees__recommendation_published=True).values_list(
            "pk", flat=True
        )
    )


def statements_in_order(congress: Congress, *, include_withdrawn: bool = False) -> QuerySet[Statement]:
    queryset = (
        Statement.objects.filter(congress=congress)
        .select_related("submitter", "submitter__organisation", "organisation")
        .prefetch_related("supporters")
        .order_by("number")
    )
    if not include_withdrawn:
        queryset = queryset.filter(status=Statement.Status.SUBMITTED)
    return queryset


# --- Who may edit what -------------------------------------------------------------------------------------------


def is_secretariat(user: AbstractBaseUser) -> bool:
    return user_sees_all_counties(user)


def committees_of_secretary(user: AbstractBaseUser) -> QuerySet[Committee]:
    if not user.is_authenticated:
        return Committee.objects.none()
    return Committee.objects.filter(secretary=user)


def committees_visible_to(user: AbstractBaseUser) -> QuerySet[Committee]:
    """The committees a staff user works with: all of them for the secretariat and those who may change committees;
    a committee secretary only their own; every other staff user (regional offices) reads them all."""
    committees = Committee.objects.all()
    if is_secretariat(user) or user.has_perm("committees.change_committee"):
        return committees
    secretary_of = committees_of_secretary(user)
    if secretary_of.exists():
        return committees.filter(pk__in=secretary_of.values("pk"))
    return committees


def may_recommend_amendment(user: AbstractBaseUser, amendment: Amendment) -> bool:
    if not user.has_perm("committees.change_amendment"):
        return False
    if is_secretariat(user):
        return True
    return (
        amendment.chapter_id is not None
        and committees_of_secretary(user).filter(chapters=amendment.chapter_id).exists()
    )


def may_recommend_statement(user: AbstractBaseUser, statement: Statement) -> bool:
    if not user.has_perm("committees.change_statement"):
        return False
    if is_secretariat(user):
        return True
    return committees_of_secretary(user).filter(congress=statement.congress_id, kind=Committee.Kind.DRAFTING).exists()


def may_work_in_committee(user: AbstractBaseUser, committee: Committee) -> bool:
    if not user.has_perm("committees.view_committee"):
        return False
    return is_secretariat(user) or committee.secretary_id == user.pk


def may_see_unpublished_recommendations(user: AbstractBaseUser, committee: Committee | None = None) -> bool:
    """The secretariat and committee secretaries (a given committee's own secretary, when one is named)."""
    if is_secretariat(user):
        return True
    if committee is not None:
        return committee.secretary_id is not None and committee.secretary_id == user.pk
    return committees_of_secretary(user).exists()


# --- Portal reads ------------------------------------------------------------------------------------------------
# Added for the delegates' pages (committees/portal/).


def amendment_counts_by_chapter(document: PoliticalDocument) -> dict[int, int]:
    """Chapter id -> how many amendments (not withdrawn) were proposed to it; one query."""
    from django.db.models import Count  # kept in this section so the imports above stay untouched

    rows = (
        Amendment.objects.filter(document=document, status=Amendment.Status.SUBMITTED, chapter__isnull=False)
        .values("chapter")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["chapter"]: row["count"] for row in rows}
