"""Reads for the committee work: the document as numbered lines, amendments in document order, who may do what."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Congress
from agenda.selectors import congress_current, congresses_visible_to
from committees.amending import Change, DocumentParagraph, competing_groups, lines_with_text, range_problem
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
from core.templatetags.deadlines import deadline_format
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
        .select_related(
            "chapter",
            "submitter",
            "submitter__organisation",
            "submitter__county",
            "proposed_by_congress",
            "merged_into",
        )
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


#: What ``amendments_by_proposer`` filters on: amendments proposed by delegates, or by a (county) meeting.
PROPOSED_BY_DELEGATES = "delegates"
PROPOSED_BY_MEETING = "meeting"


def amendments_by_proposer(amendments: QuerySet[Amendment], proposer: str) -> QuerySet[Amendment]:
    """Only the amendments proposed by delegates or only those proposed by a meeting; any other value: all."""
    if proposer == PROPOSED_BY_MEETING:
        return amendments.filter(proposed_by_congress__isnull=False)
    if proposer == PROPOSED_BY_DELEGATES:
        return amendments.filter(proposed_by_congress__isnull=True)
    return amendments


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


# --- Forwarding a county meeting's adopted amendments to the Landsting -------------------------------------------

#: The plenary outcomes that adopt an amendment, and so forward it.
ADOPTING_OUTCOMES = (Outcome.ADOPTED, Outcome.ADOPTED_AMENDED)
#: How a forwarded amendment's lines were found in the target document.
SAME_LINES = "same_lines"
FOUND_BY_TEXT = "found_by_text"


@dataclass(frozen=True)
class ForwardItem:
    """An adopted amendment that fits the target document: what it becomes there."""

    source: Amendment
    kind: str
    text: str  # the text the meeting adopted: as proposed, or as its committee amended it
    chapter: Chapter
    line_from: int
    line_to: int
    placed: str  # SAME_LINES or FOUND_BY_TEXT

    @property
    def lines_label(self) -> str:
        if self.line_from == self.line_to:
            return _("line %(line)d") % {"line": self.line_from}
        return _("lines %(first)d–%(last)d") % {"first": self.line_from, "last": self.line_to}


@dataclass(frozen=True)
class ForwardProblem:
    """An adopted amendment that cannot be placed in the target document, and why (a sentence for the user)."""

    source: Amendment
    message: str


@dataclass(frozen=True)
class ForwardPlan:
    """What forwarding ``source``'s adopted amendments to ``target`` would do (the dry run, and the service's plan).

    ``refusal`` is why nothing can be forwarded at all ("" when the forwarding may go ahead); ``items`` the adopted
    amendments that fit, ``problems`` those that do not, ``already`` the adopted amendments forwarded before (with
    ``forwarded_as`` loaded), ``not_adopted`` how many of the meeting's amendments (not withdrawn) it did not adopt."""

    source: PoliticalDocument
    target: PoliticalDocument | None
    refusal: str
    items: list[ForwardItem]
    problems: list[ForwardProblem]
    already: list[Amendment]
    not_adopted: int


def forwarding_target() -> PoliticalDocument | None:
    """The document a county meeting's amendments go to: the current Landsting's draft (``congress_current``)."""
    congress = congress_current()
    return document_of(congress) if congress is not None else None


def forwarding_sources_visible_to(user: AbstractBaseUser) -> QuerySet[PoliticalDocument]:
    """The county meetings' documents ``user`` may forward from: those of the congresses the user may see (a regional
    office: its own counties' meetings, through ``agenda.selectors.congresses_visible_to``)."""
    congresses = congresses_visible_to(user, Congress.objects.filter(kind=Congress.Kind.COUNTY_MEETING))
    return PoliticalDocument.objects.filter(congress__in=congresses).select_related("congress")


def _forwarding_refusal(source: PoliticalDocument, target: PoliticalDocument | None, now) -> str:
    if source.congress.kind != Congress.Kind.COUNTY_MEETING:
        return _("Only a county meeting's amendments are forwarded to the Landsting.")
    if target is None:
        return _("There is no Landsting with a political document to forward the amendments to.")
    if target.congress.kind != Congress.Kind.LANDSTING:
        return _("Amendments are forwarded to a Landsting's political document only.")
    if target.version == 0:
        return _("The Landsting's political document has no text yet.")
    if not amendments_open(target, now=now):
        if target.amendment_deadline is None:
            return _("%(document)s is not open for amendments yet; the amendments can be forwarded once it is.") % {
                "document": target.title
            }
        return _(
            "The deadline for amendments to %(document)s was %(deadline)s; the county meeting's amendments can no"
            " longer be forwarded."
        ) % {"document": target.title, "deadline": deadline_format(target.amendment_deadline)}
    return ""


def _adopted_text(amendment: Amendment) -> str:
    if amendment.kind == Amendment.Kind.DELETE:
        return ""
    return amendment.recommendation_text if amendment.outcome == Outcome.ADOPTED_AMENDED else amendment.text


def _short_text(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def _place(
    amendment: Amendment, paragraphs: Sequence[DocumentParagraph], chapter_of_line: dict[int, int]
) -> tuple[tuple[int, int, str] | None, str]:
    """Where ``amendment`` goes in the target: ``((line_from, line_to, placed), "")`` or ``(None, problem)``."""
    original = amendment.original_text

    def fits(line_from: int, line_to: int) -> bool:
        chapter = chapter_of_line.get(line_from)
        return chapter is not None and (
            range_problem(paragraphs, chapter=chapter, kind=amendment.kind, line_from=line_from, line_to=line_to)
            is None
        )

    same = (amendment.line_from, amendment.line_to)
    if original and lines_text(paragraphs, *same) == original and fits(*same):
        return (*same, SAME_LINES), ""
    point = amendment.kind in (Amendment.Kind.INSERT, Amendment.Kind.NEW_PARAGRAPH)
    # An insertion goes after the text it followed: at the last line of the range where that text is found.
    places = [(last, last) if point else (first, last) for first, last in lines_with_text(paragraphs, original)]
    places = [place for place in places if fits(*place)]
    lines = _("line %(line)d") % {"line": amendment.line_from}
    if amendment.line_to != amendment.line_from:
        lines = _("lines %(first)d–%(last)d") % {"first": amendment.line_from, "last": amendment.line_to}
    if len(places) == 1:
        return (*places[0], FOUND_BY_TEXT), ""
    if not places:
        return None, _(
            "Amendment %(number)d (%(lines)s): the text it changes is not in the Landsting's document: “%(text)s”."
        ) % {"number": amendment.number, "lines": lines, "text": _short_text(original)}
    return None, _(
        "Amendment %(number)d (%(lines)s): the text it changes is in the Landsting's document more than once (lines"
        " %(places)s), so its place is not clear."
    ) % {
        "number": amendment.number,
        "lines": lines,
        "places": ", ".join(f"{first}–{last}" if first != last else str(first) for first, last in places),
    }


def forwarding_plan(*, source: PoliticalDocument, target: PoliticalDocument | None, now=None) -> ForwardPlan:
    """What forwarding the adopted amendments of ``source`` (a county meeting's document) to ``target`` (the
    Landsting's) would do. A fixed number of queries.

    An amendment the meeting adopted (as proposed, or as its committee amended it: then that text) keeps its lines
    when the target has the same words there (the same draft), else goes to the one place where the target has the
    words it was written against; found nowhere, or in several places, it is a problem. An amendment forwarded
    before is not forwarded again.
    """
    amendments = list(
        Amendment.objects.filter(document=source, status=Amendment.Status.SUBMITTED)
        .select_related("chapter", "forwarded_as", "forwarded_as__document")
        .order_by("number")
    )
    adopted = [amendment for amendment in amendments if amendment.outcome in ADOPTING_OUTCOMES]
    already = [amendment for amendment in adopted if _forwarded(amendment)]
    waiting = [amendment for amendment in adopted if not _forwarded(amendment)]
    refusal = _forwarding_refusal(source, target, now or timezone.now())
    items: list[ForwardItem] = []
    problems: list[ForwardProblem] = []
    if target is not None and waiting and not refusal:
        paragraphs = document_paragraphs(target)
        chapters = {chapter.pk: chapter for chapter in Chapter.objects.filter(document=target)}
        chapter_of_line = {
            paragraph.first_line + offset: paragraph.chapter
            for paragraph in paragraphs
            for offset in range(len(paragraph.lines))
        }
        for amendment in waiting:
            place, problem = _place(amendment, paragraphs, chapter_of_line)
            if place is None:
                problems.append(ForwardProblem(source=amendment, message=problem))
                continue
            line_from, line_to, placed = place
            items.append(
                ForwardItem(
                    source=amendment,
                    kind=amendment.kind,
                    text=_adopted_text(amendment),
                    chapter=chapters[chapter_of_line[line_from]],
                    line_from=line_from,
                    line_to=line_to,
                    placed=placed,
                )
            )
    return ForwardPlan(
        source=source,
        target=target,
        refusal=refusal,
        items=items,
        problems=problems,
        already=already,
        not_adopted=len(amendments) - len(adopted),
    )


def _forwarded(amendment: Amendment) -> bool:
    try:
        return amendment.forwarded_as is not None
    except Amendment.DoesNotExist:
        return False


# --- Who may edit what -------------------------------------------------------------------------------------------


def is_secretariat(user: AbstractBaseUser) -> bool:
    return user_sees_all_counties(user)


def committees_of_secretary(user: AbstractBaseUser) -> QuerySet[Committee]:
    if not user.is_authenticated:
        return Committee.objects.none()
    return Committee.objects.filter(secretary=user)


def committees_visible_to(user: AbstractBaseUser) -> QuerySet[Committee]:
    """The committees a staff user works with: all of them for the secretariat and those who may change committees;
    a committee secretary only their own; every other staff user (regional offices) reads them all — of the
    congresses the user may see (not another regional office's county meetings)."""
    committees = Committee.objects.filter(congress__in=congresses_visible_to(user))
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
