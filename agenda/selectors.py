import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from agenda.models import AgendaDocument, AgendaItem, Congress, Event


def congress_current() -> Congress | None:
    """The Landsting people are working on (the public pages'): the one that starts last; never a county meeting."""
    return Congress.objects.filter(kind=Congress.Kind.LANDSTING).order_by("-first_day").first()


#: Functions ``(user, queryset) -> queryset`` that the apps above agenda register (``congress_filter_register``, from
#: their ``AppConfig.ready``) to narrow the congresses a staff user may see: a county meeting belongs to its county's
#: regional office.
_congress_filters: list = []


def congress_filter_register(function) -> None:
    _congress_filters.append(function)


def congresses_visible_to(user, queryset: QuerySet[Congress] | None = None) -> QuerySet[Congress]:
    """The congresses ``user`` may see on the staff pages and in the admin."""
    queryset = Congress.objects.all() if queryset is None else queryset
    for narrow in _congress_filters:
        queryset = narrow(user, queryset)
    return queryset


def agenda_items(*, congress: Congress) -> QuerySet[AgendaItem]:
    """The agenda (saksliste) in order, with each item's session and documents: a fixed number of queries."""
    return (
        AgendaItem.objects.filter(congress=congress)
        .select_related("session")
        .prefetch_related(Prefetch("documents", queryset=AgendaDocument.objects.order_by("order", "title", "pk")))
        .order_by("number")
    )


@dataclass
class ProgrammeItem:
    item: AgendaItem
    title: str


@dataclass
class ProgrammeEntry:
    event: Event
    title: str
    items: list[ProgrammeItem] = field(default_factory=list)

    @property
    def is_landsting_session(self) -> bool:
        return self.event.kind == Event.Kind.LANDSTING_SESSION


@dataclass
class ProgrammeDay:
    date: datetime.date
    entries: list[ProgrammeEntry] = field(default_factory=list)


def programme(
    *, congress: Congress, language: str = "nb", event_ids: Iterable[int] | None = None
) -> list[ProgrammeDay]:
    """The congress week day by day (days in the site's time zone, Europe/Oslo), titles in ``language``.

    Landsting sessions carry their agenda items (with documents). ``event_ids`` restricts the programme to those
    events, for a participant's personal programme. Three queries, however long the week.
    """
    events = Event.objects.filter(congress=congress).order_by("starts_at", "title", "pk")
    if event_ids is not None:
        events = events.filter(pk__in=list(event_ids))
    items = AgendaItem.objects.order_by("number").prefetch_related(
        Prefetch("documents", queryset=AgendaDocument.objects.order_by("order", "title", "pk"))
    )
    days: list[ProgrammeDay] = []
    for event in events.prefetch_related(Prefetch("agenda_items", queryset=items)):
        date = timezone.localtime(event.starts_at).date()
        if not days or days[-1].date != date:
            days.append(ProgrammeDay(date=date))
        entry = ProgrammeEntry(event=event, title=event.title_in(language))
        if entry.is_landsting_session:
            entry.items = [ProgrammeItem(item=item, title=item.title_in(language)) for item in event.agenda_items.all()]
        days[-1].entries.append(entry)
    return days
