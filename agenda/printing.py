"""Printed documents of the congress week: the programme booklet and the agenda (saksliste) as PDFs.

Both are rendered alone with :func:`core.pdf.render_template_pdf` (one WeasyPrint document each), so their templates
may use page counters and ``@page :first``. The data is read with a fixed number of queries, however long the week or
the agenda: two for the programme (events, their agenda items) and those of its extra sections
(:mod:`agenda.booklet`), two for the agenda (items with their sessions, their documents;
:func:`agenda.selectors.agenda_items`). Times are printed in Europe/Oslo, whatever the active time zone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch
from django.utils import translation

from agenda import booklet
from agenda.models import AgendaItem, Congress, Event
from agenda.roles import Role
from agenda.selectors import agenda_items
from core.pdf import OSLO, pdf_language, render_template_pdf

__all__ = ["AGENDA_TEMPLATE", "PROGRAMME_TEMPLATE", "render_agenda", "render_programme"]

PROGRAMME_TEMPLATE = "agenda/pdf/programme.html"
AGENDA_TEMPLATE = "agenda/pdf/agenda.html"


@dataclass(frozen=True)
class ProgrammeItem:
    number: int
    title: str
    rapporteur: str
    planned_start: datetime.datetime | None


@dataclass(frozen=True)
class ProgrammeEvent:
    title: str
    kind: str
    starts: datetime.datetime
    ends: datetime.datetime
    venue: str
    room: str
    invited: list[str]
    items: list[ProgrammeItem] = field(default_factory=list)


@dataclass(frozen=True)
class ProgrammeDay:
    date: datetime.date
    anchor: str
    events: list[ProgrammeEvent]


@dataclass(frozen=True)
class AgendaEntry:
    number: int
    title: str
    session_title: str
    session_starts: datetime.datetime | None
    rapporteur: str
    planned_start: datetime.datetime | None
    planned_minutes: int | None
    documents: list[str]
    decision: str


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    return value.astimezone(OSLO) if value is not None else None


def _role_labels(codes: list[str] | None) -> list[str]:
    """The invited roles in words, in the active language, in the order of :class:`Role`; unknown codes as they are."""
    codes = list(codes or [])
    known = [str(role.label) for role in Role if role.value in codes]
    unknown = [code for code in codes if code not in Role.values]
    return known + unknown


# --- Programme booklet ----------------------------------------------------------------------------------------


def programme_days(congress: Congress, *, language: str = "nb") -> list[ProgrammeDay]:
    """The week day by day (Oslo dates), each event with its agenda items; two queries."""
    items = AgendaItem.objects.order_by("number")
    events = (
        Event.objects.filter(congress=congress)
        .order_by("starts_at", "title")
        .prefetch_related(Prefetch("agenda_items", queryset=items))
    )
    with translation.override(language):
        entries = [
            ProgrammeEvent(
                title=event.title_in(language),
                kind=event.kind,
                starts=_local(event.starts_at),
                ends=_local(event.ends_at),
                venue=event.venue or congress.venue,
                room=event.room,
                invited=_role_labels(event.invited_roles),
                items=[
                    ProgrammeItem(
                        number=item.number,
                        title=item.title_in(language),
                        rapporteur=item.rapporteur,
                        planned_start=_local(item.planned_start),
                    )
                    for item in event.agenda_items.all()
                ],
            )
            for event in events
        ]
    return [
        ProgrammeDay(date=day, anchor=f"day-{day.isoformat()}", events=list(day_events))
        for day, day_events in groupby(entries, key=lambda entry: entry.starts.date())
    ]


def render_programme(congress: Congress, *, language: str = "nb") -> tuple[bytes, int]:
    """The programme booklet as PDF bytes and its number of pages.

    A cover page (congress, city, venue, dates and the days with their page numbers), then one page or more per day:
    each event with its time, title in ``language``, venue and room, who is invited, and for Landsting sessions the
    agenda items dealt with (number, title, rapporteur, planned start); then the sections the apps above agenda add
    (:mod:`agenda.booklet`: the plenary's rules of procedure). Page numbers in the footer.
    """
    language = pdf_language(language)
    days = programme_days(congress, language=language)
    sections = booklet.sections(congress, language=language)
    return render_template_pdf(PROGRAMME_TEMPLATE, {"congress": congress, "days": days, "sections": sections}, language)


# --- Agenda (saksliste) ---------------------------------------------------------------------------------------


def agenda_entries(congress: Congress, *, language: str = "nb") -> list[AgendaEntry]:
    """The agenda items by number with their session, documents (titles) and decision; two queries."""
    return [
        AgendaEntry(
            number=item.number,
            title=item.title_in(language),
            session_title=item.session.title_in(language) if item.session else "",
            session_starts=_local(item.session.starts_at) if item.session else None,
            rapporteur=item.rapporteur,
            planned_start=_local(item.planned_start),
            planned_minutes=item.planned_minutes,
            documents=[document.title for document in item.documents.all()],
            decision=item.decision.strip(),
        )
        for item in agenda_items(congress=congress)
    ]


def render_agenda(congress: Congress, *, language: str = "nb") -> tuple[bytes, int]:
    """The agenda (saksliste) as PDF bytes and its number of pages.

    Every item by number with its session, rapporteur, planned time, the titles of its documents (the files are not
    embedded) and its decision, marked as such; an item without a decision is marked as not yet decided.
    """
    language = pdf_language(language)
    entries = agenda_entries(congress, language=language)
    decided = sum(1 for entry in entries if entry.decision)
    # render_template_pdf adds ``printed`` (now, Oslo time) for the letterhead.
    return render_template_pdf(AGENDA_TEMPLATE, {"congress": congress, "items": entries, "decided": decided}, language)
