"""The minutes (protokoll) of a congress's plenary as one PDF (issue 15, item 8), printable at any moment and complete
at the end.

:func:`render_minutes` prints, in ``language`` (default: the active language) and in Europe/Oslo time:

1. the constitution: who chaired (``Officer``, role chair) and the two who sign the minutes;
2. every agenda item in order, with its documents (titles), the decision (``AgendaItem.decision``) and who spoke, in
   the order they were given the floor, with the kind of request, the clock time and the time spoken; the
   amendments under the item on the political document and the statements under the item on statements, each with
   the committee's recommendation and the plenary's outcome (or, without such an item, in a part of their own);
3. the votes and elections with their figures: the sections of the elections' protocol
   (:func:`elections.printing.protocol_sections` and its template), so the two documents say the same;
4. the signature lines of the two who sign, their names under the lines, the place and the date.

A fixed number of queries, however many items, speeches, proposals or polls (tested), one HTML document rendered
alone with :func:`core.pdf.render_pdf`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from agenda.models import AgendaItem, Congress
from committees import selectors as committee_selectors
from committees.models import Amendment, Proposal, Recommendation, Statement
from core.pdf import OSLO, pdf_language, render_template_pdf
from elections.printing import POLL_SECTION_TEMPLATE, protocol_sections
from plenary import selectors
from plenary.models import Officer, SpeakerRequest
from plenary.statistics import clock_text

__all__ = ["MINUTES_TEMPLATE", "render_minutes"]

MINUTES_TEMPLATE = "plenary/pdf/minutes.html"
#: The number of signature lines printed when fewer signers have been recorded (the rules ask for two).
SIGNERS = 2


@dataclass(frozen=True)
class PrintedOfficer:
    name: str
    title: str


@dataclass(frozen=True)
class PrintedSpeech:
    number: int
    name: str
    detail: str  # organisation or county, party
    kind: str
    kind_value: str
    started: datetime.datetime
    ended: datetime.datetime | None
    duration: str  # m:ss or h:mm:ss, without the pauses


@dataclass(frozen=True)
class PrintedProposal:
    label: str  # "Amendment 3, lines 12 to 14" or "Statement 2: its title"
    proposer: str
    recommendation: str
    outcome: str
    decided: bool


@dataclass(frozen=True)
class PrintedItem:
    number: int
    title: str
    kind: str
    rapporteur: str
    documents: list[str]
    decision: str
    speeches: list[PrintedSpeech] = field(default_factory=list)
    spoken: str = ""  # the speeches' total time
    facts: str = ""  # its kind, rapporteur and when it was debated, in one line
    amendments: list[PrintedProposal] | None = None  # None: not the item for them
    statements: list[PrintedProposal] | None = None


def _officers(congress: Congress) -> tuple[list[PrintedOfficer], list[PrintedOfficer]]:
    chairs, signers = [], []
    for officer in selectors.officers(congress):
        title = officer.title
        if not title and officer.participant_id and officer.participant.organisation_id:
            title = officer.participant.organisation.name
        printed = PrintedOfficer(name=officer.display_name, title=title)
        (chairs if officer.role == Officer.Role.CHAIR else signers).append(printed)
    return chairs, signers


def _speech(request: SpeakerRequest, number: int, now: datetime.datetime) -> PrintedSpeech:
    participant = request.participant
    parts = [selectors.speaker_affiliation(request)]
    if participant is not None and participant.party:
        parts.append(participant.party)
    clock = request.clock()
    spoken = clock.spoken(request.ended_at or now) if clock is not None else 0.0
    return PrintedSpeech(
        number=number,
        name=request.name,
        detail=", ".join(part for part in parts if part),
        kind=str(request.get_kind_display()),
        kind_value=request.kind,
        started=request.started_at,
        ended=request.ended_at,
        duration=clock_text(spoken),
    )


def _recommendation(proposal: Proposal) -> str:
    if not proposal.recommendation:
        return _("No recommendation")
    merged_into = getattr(proposal, "merged_into", None)
    if proposal.recommendation == Recommendation.MERGED and merged_into is not None:
        return _("Taken into amendment %(number)d") % {"number": merged_into.number}
    return str(proposal.get_recommendation_display())


def _outcome(proposal: Proposal) -> str:
    return str(proposal.get_outcome_display()) if proposal.outcome else _("Not decided yet")


def _amendment(amendment: Amendment) -> PrintedProposal:
    label = _("Amendment %(number)d, %(lines)s") % {"number": amendment.number, "lines": amendment.lines_label}
    if amendment.chapter is not None:
        label = _("%(amendment)s (chapter %(chapter)d)") % {"amendment": label, "chapter": amendment.chapter.number}
    proposer = amendment.proposer_label
    if amendment.proposer_organisation:
        proposer = f"{proposer}, {amendment.proposer_organisation}"
    return PrintedProposal(
        label=label,
        proposer=proposer,
        recommendation=_recommendation(amendment),
        outcome=_outcome(amendment),
        decided=bool(amendment.outcome),
    )


def _statement(statement: Statement) -> PrintedProposal:
    return PrintedProposal(
        label=_("Statement %(number)d: %(title)s") % {"number": statement.number, "title": statement.title},
        proposer=statement.proposer_label,
        recommendation=_recommendation(statement),
        outcome=_outcome(statement),
        decided=bool(statement.outcome),
    )


def _proposals(congress: Congress) -> tuple[list[PrintedProposal], list[PrintedProposal]]:
    document = committee_selectors.document_of(congress)
    amendments = (
        [_amendment(a) for a in committee_selectors.amendments_in_order(document).prefetch_related(None)]
        if document is not None
        else []
    )
    statements = [_statement(s) for s in committee_selectors.statements_in_order(congress).prefetch_related(None)]
    return amendments, statements


def _debated(requests: list[SpeakerRequest]) -> str:
    """When the item was debated: its first speech's start to its last speech's end."""
    began = timezone.localtime(requests[0].started_at, OSLO)
    values = {"date": formats.date_format(began, "DATE_FORMAT"), "start": formats.time_format(began, "H:i")}
    if any(request.ended_at is None for request in requests):
        return _("debated %(date)s from %(start)s, still under debate") % values
    finished = timezone.localtime(max(request.ended_at for request in requests), OSLO)
    if finished.date() != began.date():
        return _("debated from %(date)s %(start)s to %(end_date)s %(end)s") % {
            **values,
            "end_date": formats.date_format(finished, "DATE_FORMAT"),
            "end": formats.time_format(finished, "H:i"),
        }
    return _("debated %(date)s, %(start)s to %(end)s") % {**values, "end": formats.time_format(finished, "H:i")}


def _facts(item: AgendaItem, language: str, requests: list[SpeakerRequest]) -> str:
    facts = []
    kind = str(item.get_kind_display())
    if kind != item.title_in(language):
        facts.append(kind)
    if item.rapporteur:
        facts.append(_("Rapporteur: %(name)s") % {"name": item.rapporteur})
    if requests:
        facts.append(_debated(requests))
    return " · ".join(facts)


def minutes_context(congress: Congress, *, now: datetime.datetime | None = None) -> dict:
    """What the minutes print, in the active language (see the module's docstring)."""
    now = now or timezone.now()
    chairs, signers = _officers(congress)
    items = selectors.congress_items(congress)
    speeches_of: dict[int, list[SpeakerRequest]] = {}
    for request in selectors.given_requests(congress):
        speeches_of.setdefault(request.item_id, []).append(request)
    amendments, statements = _proposals(congress)
    kinds = {item.kind for item in items}
    amendments_placed = AgendaItem.Kind.POLITICAL_DOCUMENT in kinds
    statements_placed = AgendaItem.Kind.STATEMENTS in kinds
    language = translation.get_language() or "nb"

    printed_items = []
    total = 0.0
    placed: set[str] = set()  # the kinds whose first item has taken the proposals
    for item in items:
        requests = speeches_of.get(item.pk, [])
        speeches = [_speech(request, number, now) for number, request in enumerate(requests, start=1)]
        spoken = sum(request.clock().spoken(request.ended_at or now) for request in requests)
        total += spoken
        first_of_kind = item.kind not in placed
        placed.add(item.kind)
        printed_items.append(
            PrintedItem(
                number=item.number,
                title=item.title_in(language),
                kind=str(item.get_kind_display()),
                rapporteur=item.rapporteur,
                documents=[document.title for document in item.documents.all()],
                decision=item.decision.strip(),
                speeches=speeches,
                spoken=clock_text(spoken) if speeches else "",
                facts=_facts(item, language, requests),
                amendments=amendments if item.kind == AgendaItem.Kind.POLITICAL_DOCUMENT and first_of_kind else None,
                statements=statements if item.kind == AgendaItem.Kind.STATEMENTS and first_of_kind else None,
            )
        )
    summary, sections = protocol_sections(congress)
    return {
        "congress": congress,
        "chairs": chairs,
        "signers": signers,
        "signature_lines": signers + [PrintedOfficer(name="", title="")] * max(0, SIGNERS - len(signers)),
        "items": printed_items,
        "speech_count": sum(len(item.speeches) for item in printed_items),
        "spoken": clock_text(total),
        "amendments": [] if amendments_placed else amendments,
        "statements": [] if statements_placed else statements,
        "poll_summary": summary,
        "poll_sections": sections,
        "poll_section_template": POLL_SECTION_TEMPLATE,
        "in_progress": any(speech.ended is None for item in printed_items for speech in item.speeches),
    }


def render_minutes(congress: Congress, *, language: str | None = None) -> tuple[bytes, int]:
    """The minutes of ``congress`` as PDF bytes and their number of pages."""
    language = pdf_language(language)
    with translation.override(language):
        context = minutes_context(congress)
    return render_template_pdf(MINUTES_TEMPLATE, context, language)
