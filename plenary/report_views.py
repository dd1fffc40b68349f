"""The plenary's reports for staff: the speaking statistics (a page, and its tables as CSV) and the minutes (PDF).

Both need the view permission of the requests for the floor, which the secretariat and the chairs (``Møteleder``)
have. The counting is in ``plenary.statistics`` (pure), the rows come from ``plenary.selectors.speaking_rows``
(one query); the views name the values in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agenda.models import AgendaItem, Congress
from agenda.roles import Role
from agenda.staff import congress_choice
from core.downloads import pdf_inline
from core.spreadsheets import csv_bytes
from core.staff import staff_context, staff_page
from delegates.models import Participant
from plenary import selectors, statistics
from plenary.models import SpeakerRequest
from plenary.queue import Kind

PERMISSION = "plenary.view_speakerrequest"
WHOLE_CONGRESS = ""


# --- Naming the values ------------------------------------------------------------------------------------------


def dimension_title(dimension: str) -> str:
    return {
        "gender": _("By gender"),
        "county": _("By county"),
        "party": _("By party"),
        "role": _("By role"),
        "item": _("By agenda item"),
    }[dimension]


def dimension_name(dimension: str) -> str:
    return {
        "gender": _("Gender"),
        "county": _("County"),
        "party": _("Party"),
        "role": _("Role"),
        "item": _("Agenda item"),
    }[dimension]


def value_label(dimension: str, key: str) -> str:
    """A value of a dimension in words; the empty value as what it means in that dimension."""
    if key == statistics.NOT_STATED:
        return {
            "gender": _("Not a participant"),
            "county": _("No county, or not a participant"),
            "party": _("No party stated, or not a participant"),
            "role": _("Not a participant (given the floor by the chair)"),
        }.get(dimension, _("Not stated"))
    if dimension == "gender" and key in Participant.Gender.values:
        return str(Participant.Gender(key).label)
    if dimension == "role" and key in Role.values:
        return str(Role(key).label)
    return key


def kind_labels() -> list[tuple[Kind, str]]:
    names = dict(SpeakerRequest.Kind.choices)
    plural = {
        Kind.SPEECH: _("Speeches"),
        Kind.REPLY: _("Replies"),
        Kind.ANSWER: _("Answers to replies"),
        Kind.POINT_OF_ORDER: _("Points of order"),
        Kind.INTRODUCTION: _("Introductions"),
    }
    return [(kind, plural.get(kind, str(names.get(kind.value, kind.value)))) for kind in statistics.KINDS]


def percent(value: float | None) -> str:
    return "–" if value is None else formats.number_format(value, 1)


# --- What the page shows ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownRow:
    label: str
    counts: list[int]
    count: int
    time: str
    seconds: int
    count_share: str
    time_share: str
    count_share_value: float | None
    time_share_value: float | None


@dataclass(frozen=True)
class ShownTable:
    dimension: str
    title: str
    name: str
    rows: list[ShownRow]
    total: ShownRow


def _shown(row: statistics.Row, label: str) -> ShownRow:
    return ShownRow(
        label=label,
        counts=[row.of(kind) for kind in statistics.KINDS],
        count=row.count,
        time=statistics.clock_text(row.seconds),
        seconds=round(row.seconds),
        count_share=percent(row.count_share),
        time_share=percent(row.time_share),
        count_share_value=None if row.count_share is None else round(row.count_share, 1),
        time_share_value=None if row.time_share is None else round(row.time_share, 1),
    )


def statistics_tables(congress: Congress, item: AgendaItem | None, items: list[AgendaItem]) -> list[ShownTable]:
    """The tables of the page and the CSV: per item (for the whole congress), then by gender, county, party, role."""
    speaking = selectors.speaking_rows(congress, item=item)
    now = timezone.now()
    orders = {
        "gender": list(Participant.Gender.values),
        "county": speaking.county_order,
        "party": None,
        "role": list(Role.values),
    }
    tables = []
    total = statistics.total(speaking.speeches, now)
    if item is None:
        title = {str(i.pk): f"{i.number}. {i.title_in(_language())}" for i in items}
        rows = statistics.by_item(speaking.speeches, now, items=[i.pk for i in items])
        tables.append(
            ShownTable(
                dimension="item",
                title=dimension_title("item"),
                name=dimension_name("item"),
                rows=[_shown(row, title.get(row.key, row.key)) for row in rows],
                total=_shown(total, _("Total")),
            )
        )
    for dimension in statistics.DIMENSIONS:
        table = statistics.table(speaking.speeches, dimension, now, order=orders[dimension])
        tables.append(
            ShownTable(
                dimension=dimension,
                title=dimension_title(dimension),
                name=dimension_name(dimension),
                rows=[_shown(row, value_label(dimension, row.key)) for row in table.rows],
                total=_shown(table.total, _("Total")),
            )
        )
    return tables


def _language() -> str:
    return selectors.translation_language()


def _chosen_item(request: HttpRequest, congress: Congress | None, items: list[AgendaItem]) -> AgendaItem | None:
    wanted = request.GET.get("item", WHOLE_CONGRESS)
    if wanted == WHOLE_CONGRESS or congress is None:
        return None
    chosen = next((item for item in items if str(item.pk) == wanted), None)
    if chosen is None:
        raise Http404(_("This agenda item does not belong to the congress."))
    return chosen


def _url(name: str, **params) -> str:
    query = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def _csv(tables: list[ShownTable], filename: str) -> HttpResponse:
    headers = [
        _("Table"),
        _("Value"),
        *(label for _kind, label in kind_labels()),
        _("Times at the rostrum"),
        _("Speaking time (h:mm:ss)"),
        _("Speaking time (seconds)"),
        _("Share of the times at the rostrum (%)"),
        _("Share of the speaking time (%)"),
    ]
    rows = []
    for table in tables:
        for row in [*table.rows, table.total]:
            rows.append(
                [
                    table.name,
                    row.label,
                    *row.counts,
                    row.count,
                    row.time,
                    row.seconds,
                    row.count_share_value,
                    row.time_share_value,
                ]
            )
    response = HttpResponse(csv_bytes(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def _summary(total: ShownRow) -> list[tuple[str, object]]:
    return [
        (_("Times at the rostrum"), total.count),
        (_("Speaking time"), total.time),
        *((label, count) for (_kind, label), count in zip(kind_labels(), total.counts, strict=True)),
    ]


@staff_page(permission=PERMISSION)
@require_GET
def speaking_statistics(request: HttpRequest) -> HttpResponse:
    congresses, congress = congress_choice(request)
    items = list(AgendaItem.objects.filter(congress=congress).order_by("number")) if congress else []
    item = _chosen_item(request, congress, items)
    tables = statistics_tables(congress, item, items) if congress else []
    if congress is not None and request.GET.get("format") == "csv":
        scope = f"{_('item')}-{item.number}" if item else congress.name
        filename = slugify(f"{_('speaking-statistics')}-{scope}")[:80] or "statistics"
        return _csv(tables, filename)
    if request.GET.get("format") not in (None, "", "csv"):
        raise Http404(_("Unknown download format."))
    context = staff_context(
        request,
        title=_("Speaking statistics"),
        subtitle=str(congress) if congress else None,
        opts=SpeakerRequest._meta,
        congresses=congresses,
        congress=congress,
        items=items,
        item=item,
        tables=tables,
        kinds=[label for _kind, label in kind_labels()],
        summary=_summary(tables[0].total) if tables else [],
        current_url=reverse("plenary_staff:statistics"),
        csv_url=_url(
            "plenary_staff:statistics",
            congress=congress.pk if congress else None,
            item=item.pk if item else None,
            format="csv",
        ),
        minutes_url=_url("plenary_staff:minutes", congress=congress.pk if congress else None),
    )
    response = TemplateResponse(request, "admin/plenary/statistics.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


# --- The minutes ---------------------------------------------------------------------------------------------------


@staff_page(permission=PERMISSION)
@require_GET
def minutes(request: HttpRequest) -> HttpResponse:
    """The minutes of the chosen congress as an inline PDF, as it stands now."""
    _congresses, congress = congress_choice(request)
    if congress is None:
        raise Http404(_("There is no congress."))
    from plenary import printing  # WeasyPrint is loaded only where the minutes are printed

    pdf, _pages = printing.render_minutes(congress)
    return pdf_inline(pdf, title=f"{_('minutes')}-{congress}")
