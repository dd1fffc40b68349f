"""The protocol of the votes (issue 7): every election and decision of a congress with its figures, as PDF.

:func:`render_protocol` prints the whole congress: a cover with a summary table of every poll in order, then one
section per poll that has been voted on (closed or published). :func:`render_poll_protocol` prints one poll with the
same section. Both return ``(pdf_bytes, pages)``, render one HTML document alone with
:func:`core.pdf.render_pdf` (so the templates may use page counters), in ``language`` (default: the active
language) and with times in Europe/Oslo, like the committee documents (``committees.printing``).

Every figure and sentence of a result comes from :func:`elections.results.result_view`, so the protocol says what the
delegates' and officials' pages say; nothing is counted again here. The protocol is public: it never reads a ballot,
a receipt, a vote cast or the list of eligible voters, only the frozen result and the officials' records (lots,
sign-offs, who opened, closed and published). The polls are read with five queries, however many there are
(tested; see :func:`render_protocol` for the one exception).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils import translation
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agenda.models import Congress
from core.pdf import pdf_language, render_template_pdf
from elections.models import AutomaticMember, Candidate, LotDrawing, Poll, SignOff
from elections.results import ResultView, result_view

__all__ = ["POLL_SECTION_TEMPLATE", "protocol_sections", "render_poll_protocol", "render_protocol"]

PROTOCOL_TEMPLATE = "elections/pdf/protocol.html"
POLL_PROTOCOL_TEMPLATE = "elections/pdf/poll_protocol.html"
#: One voted poll's section, shared by both protocols and the minutes of the congress (``plenary.printing``).
POLL_SECTION_TEMPLATE = "elections/pdf/_poll_section.html"

#: The states whose result is frozen and printed in a section of its own; the others are on the cover only.
VOTED_STATES = (Poll.State.CLOSED, Poll.State.PUBLISHED)


# --- What the templates get -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """A step of the poll: what happened, when (an aware datetime, printed in Europe/Oslo) and by which official."""

    label: str
    at: datetime.datetime | None
    by: str


@dataclass(frozen=True)
class PrintedLot:
    """A recorded drawing of lots, with candidate names instead of ids."""

    tied: str  # "A, B and C"
    votes: int | None  # the votes each tied candidate had
    places: str  # "1 seat was decided by lot." / "1 place in the run-off was decided by lot."
    winners: str
    drawn_by: str
    witnesses: str
    recorded_by: str
    recorded_at: datetime.datetime


@dataclass(frozen=True)
class PrintedMember:
    """A member by virtue of office (``AutomaticMember``), counted in the gender balance."""

    name: str
    reason: str
    detail: str  # party, county


@dataclass(frozen=True)
class PrintedSignOff:
    name: str
    at: datetime.datetime


@dataclass(frozen=True)
class SummaryRow:
    """One line of the cover's table."""

    number: int
    title: str
    kind: str
    round: int
    state: str
    outcome: str
    voted: bool  # closed or published: it has a section


@dataclass(frozen=True)
class PollSection:
    """Everything printed about one poll that has been voted on."""

    number: int
    title: str
    kind: str
    is_election: bool
    office: str  # the election's office in words, "" for a decision
    seats: int
    max_choices: int
    subject: str  # what a decision is about (``Poll.subject_label``)
    majority: str  # the majority a decision needs, in words
    round: int
    runoff_of: str  # the title of the round this run-off follows, "" for a first round
    mode: str
    paper: bool
    state: str
    published: bool
    stamps: list[Stamp]
    view: ResultView
    eligible: int | None
    voted: int | None
    lots: list[PrintedLot] = field(default_factory=list)
    automatic_members: list[PrintedMember] = field(default_factory=list)
    sign_offs: list[PrintedSignOff] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # the result's warnings other than the gender balance


# --- Shared helpers (the same conventions as committees.printing) -------------------------------------------------


def _render(template: str, context: dict, language: str) -> tuple[bytes, int]:
    with translation.override(language):
        signatories = [_("Chair of the meeting"), _("Signatory of the protocol"), _("Signatory of the protocol")]
    return render_template_pdf(template, {**context, "signatories": signatories}, language)


def _official(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


def _names(names: list[str]) -> str:
    return get_text_list(names, _("and"))


# --- Reading the polls ----------------------------------------------------------------------------------------------


def _polls() -> QuerySet[Poll]:
    """Polls with everything the protocol prints, in five queries however many there are."""
    return (
        Poll.objects.select_related(
            "congress",
            "election",
            "runoff_of",
            "opened_by",
            "closed_by",
            "published_by",
            "paper_count__entered_by",
        )
        .prefetch_related(
            Prefetch(
                "candidates",
                queryset=Candidate.objects.select_related("organisation", "county").order_by(
                    "position", "last_name", "first_name", "pk"
                ),
            ),
            Prefetch(
                "election__automatic_members",
                queryset=AutomaticMember.objects.select_related("county").order_by("reason", "name", "pk"),
            ),
            Prefetch("lot_drawings", queryset=LotDrawing.objects.select_related("recorded_by").order_by("pk")),
            Prefetch("sign_offs", queryset=SignOff.objects.select_related("user").order_by("signed_at", "pk")),
        )
        .order_by("position", "pk")
    )


def _outcome(poll: Poll, view: ResultView | None) -> str:
    if view is not None:
        return view.outcome
    if poll.state == Poll.State.OPEN:
        return _("Not voted yet: the vote is open.")
    return _("Not voted yet.")


def _lots(poll: Poll, name: dict[int, str]) -> list[PrintedLot]:
    lots = []
    for drawing in poll.lot_drawings.all():
        tied = drawing.tied or {}
        places = int(tied.get("places") or len(drawing.winners or []))
        if tied.get("runoff"):
            places_sentence = ngettext(
                "%(places)d place in the run-off was decided by lot.",
                "%(places)d places in the run-off were decided by lot.",
                places,
            ) % {"places": places}
        else:
            places_sentence = ngettext(
                "%(places)d seat was decided by lot.", "%(places)d seats were decided by lot.", places
            ) % {"places": places}
        lots.append(
            PrintedLot(
                tied=_names([name.get(pk, str(pk)) for pk in tied.get("candidates") or []]),
                votes=tied.get("votes"),
                places=places_sentence,
                winners=_names([name.get(pk, str(pk)) for pk in drawing.winners or []]),
                drawn_by=drawing.drawn_by,
                witnesses=drawing.witnesses,
                recorded_by=_official(drawing.recorded_by),
                recorded_at=drawing.recorded_at,
            )
        )
    return lots


def _automatic_members(poll: Poll) -> list[PrintedMember]:
    if poll.election is None:
        return []
    return [
        PrintedMember(
            name=member.name,
            reason=str(member.get_reason_display()),
            detail=", ".join(part for part in (member.party, member.county.name if member.county else "") if part),
        )
        for member in poll.election.automatic_members.all()
    ]


def _stamps(poll: Poll) -> list[Stamp]:
    stamps = []
    if poll.opened_at is not None:
        stamps.append(Stamp(_("Opened"), poll.opened_at, _official(poll.opened_by)))
    paper = getattr(poll, "paper_count", None) if poll.mode == Poll.Mode.PAPER else None
    if paper is not None:
        stamps.append(Stamp(_("Paper counts entered"), paper.entered_at, _official(paper.entered_by)))
    if poll.closed_at is not None:
        stamps.append(Stamp(_("Closed, count frozen"), poll.closed_at, _official(poll.closed_by)))
    if poll.published_at is not None:
        stamps.append(Stamp(_("Published"), poll.published_at, _official(poll.published_by)))
    return stamps


def _section(poll: Poll, number: int, view: ResultView) -> PollSection:
    candidates = list(poll.candidates.all())
    name = {candidate.pk: candidate.full_name for candidate in candidates}
    election = poll.election
    balance_sentence = view.balance.sentence if view.balance is not None else None
    return PollSection(
        number=number,
        title=poll.title,
        kind=str(poll.get_kind_display()),
        is_election=poll.is_election,
        office=str(election.get_office_display()) if election is not None else "",
        seats=poll.seats,
        max_choices=poll.max_choices,
        subject=poll.subject_label,
        majority="" if poll.is_election else str(poll.get_majority_display()),
        round=poll.round,
        runoff_of=poll.runoff_of.title if poll.runoff_of is not None else "",
        mode=str(poll.get_mode_display()),
        paper=poll.mode == Poll.Mode.PAPER,
        state=str(poll.get_state_display()),
        published=poll.state == Poll.State.PUBLISHED,
        stamps=_stamps(poll),
        view=view,
        eligible=view.eligible,
        voted=view.voted,
        lots=_lots(poll, name),
        automatic_members=_automatic_members(poll),
        sign_offs=[PrintedSignOff(name=_official(s.user), at=s.signed_at) for s in poll.sign_offs.all()],
        warnings=[warning for warning in view.warnings if warning != balance_sentence],
    )


def _view(poll: Poll) -> ResultView | None:
    if poll.state not in VOTED_STATES:
        return None
    return result_view(poll, candidates=list(poll.candidates.all()))


# --- The documents ----------------------------------------------------------------------------------------------


def render_protocol(congress: Congress, *, language: str | None = None) -> tuple[bytes, int]:
    """The protocol of every election and decision of the congress, as PDF bytes and its number of pages.

    A cover with the congress, its dates and a table of every poll in order (number, title, kind, round, state and
    the outcome, or "not voted yet"); then one section per closed or published poll, each on a new page: what was
    voted on, the round, the ballots, who opened, closed and published it and when, the eligible voters and the
    votes received, the result table, blank and rejected ballots, the base, the outcome, a tie and its drawing of
    lots, the gender balance (with the members by virtue of office), the sign-offs, and an empty signature block.
    Five queries, however many polls (tested).
    """
    language = pdf_language(language)
    with translation.override(language):
        summary, sections = protocol_sections(congress)
    return _render(
        PROTOCOL_TEMPLATE,
        {
            "congress": congress,
            "summary": summary,
            "sections": sections,
            "published": sum(1 for section in sections if section.published),
        },
        language,
    )


def protocol_sections(congress: Congress) -> tuple[list[SummaryRow], list[PollSection]]:
    """The protocol's parts, in the active language: a summary row for every poll of the congress in order, and a
    section for each one that has been voted on (closed or published). What :func:`render_protocol` prints, and what
    the minutes of the congress (``plenary.printing``) print with the template ``elections/pdf/_poll_section.html``,
    so the two say the same. Five queries, however many polls."""
    summary = []
    sections = []
    for number, poll in enumerate(_polls().filter(congress=congress), start=1):
        view = _view(poll)
        summary.append(
            SummaryRow(
                number=number,
                title=poll.title,
                kind=str(poll.get_kind_display()),
                round=poll.round,
                state=str(poll.get_state_display()),
                outcome=_outcome(poll, view),
                voted=view is not None,
            )
        )
        if view is not None:
            sections.append(_section(poll, number, view))
    return summary, sections


def render_poll_protocol(poll: Poll, *, language: str | None = None) -> tuple[bytes, int]:
    """The protocol of one poll (the same section as in :func:`render_protocol`), as PDF bytes and its pages.

    A poll that has not been voted on yet prints its title and "not voted yet". A fixed number of queries.
    """
    language = pdf_language(language)
    poll = _polls().get(pk=poll.pk)
    number = (
        Poll.objects.filter(congress_id=poll.congress_id)
        .filter(Q(position__lt=poll.position) | Q(position=poll.position, pk__lt=poll.pk))
        .count()
        + 1
    )
    with translation.override(language):
        view = _view(poll)
        section = _section(poll, number, view) if view is not None else None
        outcome = _outcome(poll, view)
    return _render(
        POLL_PROTOCOL_TEMPLATE,
        {"congress": poll.congress, "poll": poll, "number": number, "section": section, "outcome": outcome},
        language,
    )
