"""Staff pages in the admin look: registration status per county, the catering, rooming and accessibility lists
(with CSV and XLSX downloads), and what personal data is deleted when.

The views only parse the chosen congress and the format and ask ``registration_lists`` (``staff_page`` has checked
the permission); what the user may see is decided there, through ``delegates.selectors``.
"""

import datetime
from collections.abc import Callable, Sequence
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agenda.models import Congress
from agenda.staff import congress_choice
from core.spreadsheets import XLSX_CONTENT_TYPE, csv_bytes, xlsx_bytes
from core.staff import staff_context, staff_page
from delegates.models import Participant
from delegates.registration_lists import (
    AccessibilityList,
    CateringList,
    RegistrationStatus,
    RoomingList,
    accessibility_list,
    catering_list,
    registration_status_by_county,
    retention_overview,
    rooming_list,
)

PERMISSION = "delegates.view_participant"
# The lists show registration answers, some of them health-related: they need the registration permission too.
LIST_PERMISSION = "delegates.view_registration"
FORMATS = ("csv", "xlsx")

Cell = str | int | datetime.date | datetime.datetime | None


# --- Parsing the request --------------------------------------------------------------------------------------------


def _wanted_format(request: HttpRequest) -> str:
    wanted = request.GET.get("format", "")
    if wanted and wanted not in FORMATS:
        raise Http404(_("Unknown download format."))
    return wanted


def _url(name: str, congress: Congress | None, **params: str) -> str:
    query = {"congress": congress.pk} if congress else {}
    query.update(params)
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def _page(
    request: HttpRequest,
    template: str,
    *,
    title: str,
    url_name: str,
    congresses: list[Congress],
    congress: Congress | None,
    downloads: bool = True,
    **extra,
) -> TemplateResponse:
    context = staff_context(
        request,
        title=title,
        subtitle=str(congress) if congress else None,
        opts=Participant._meta,
        congresses=congresses,
        congress=congress,
        url_name=url_name,
        pages=[
            (_("Registration status"), _url("delegates_staff:registration_status", congress)),
            (_("Catering list"), _url("delegates_staff:registration_catering", congress)),
            (_("Rooming list"), _url("delegates_staff:registration_rooming", congress)),
            (_("Accessibility list"), _url("delegates_staff:registration_accessibility", congress)),
            (_("When personal data is deleted"), _url("delegates_staff:registration_retention", congress)),
        ],
        current_url=reverse(url_name),
        **extra,
    )
    if downloads and congress is not None:
        context["csv_url"] = _url(url_name, congress, format="csv")
        context["xlsx_url"] = _url(url_name, congress, format="xlsx")
    return TemplateResponse(request, template, context)


# --- Downloads --------------------------------------------------------------------------------------------------------


def _csv_response(filename: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> HttpResponse:
    """UTF-8 with a byte order mark; formulas escaped (core.spreadsheets)."""
    response = HttpResponse(csv_bytes(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_response(filename: str, title: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(title, headers, rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _download(
    wanted: str, *, name: str, title: str, congress: Congress, table: tuple[list[str], list[list[Cell]]]
) -> HttpResponse:
    headers, rows = table
    filename = slugify(f"{name}-{congress.name}") or name
    if wanted == "csv":
        return _csv_response(filename, headers, rows)
    return _xlsx_response(filename, title, headers, rows)


def _short_date(date: datetime.date) -> str:
    return formats.date_format(date, "SHORT_DATE_FORMAT")


def _nights_text(nights: Sequence[datetime.date]) -> str:
    return ", ".join(_short_date(night) for night in nights)


def _deleted_text(date: datetime.date) -> str:
    return _("Deleted on %(date)s") % {"date": _short_date(date)}


def status_table(status: RegistrationStatus) -> tuple[list[str], list[list[Cell]]]:
    headers = [
        _("County"),
        _("Participants"),
        _("Invited"),
        _("Opened the link"),
        _("Registered"),
        _("Cancelled"),
        _("Invitation mail failed"),
        _("Not yet invited"),
    ]
    rows = [
        [
            f.label,
            f.participants,
            f.invited,
            f.opened,
            f.registered,
            f.cancelled,
            f.mail_failed,
            f.not_invited,
        ]
        for f in [*status.counties, status.total]
    ]
    return headers, rows


def catering_table(catering: CateringList) -> tuple[list[str], list[list[Cell]]]:
    headers = [
        _("Name"),
        _("County"),
        _("Organisation"),
        _("Role"),
        _("Diet"),
        _("Allergies and food intolerances"),
        _("Events"),
    ]
    rows = [
        [
            r.person.name,
            r.person.county,
            r.person.organisation,
            r.person.role,
            _deleted_text(r.health_data_deleted_on) if r.health_data_deleted_on else r.diet_label,
            r.allergies,
            ", ".join(r.events),
        ]
        for r in catering.rows
    ]
    return headers, rows


def rooming_table(rooming: RoomingList) -> tuple[list[str], list[list[Cell]]]:
    nights = [n.night for n in rooming.nights]
    headers = [
        _("Name"),
        _("County"),
        _("Organisation"),
        _("Mobile"),
        _("E-mail"),
        _("Hotel nights"),
        _("Number of nights"),
        _("Arrival"),
        _("Departure"),
        *[
            _("Night %(evening)s–%(morning)s") % {"evening": _short_date(n.night), "morning": _short_date(n.morning)}
            for n in rooming.nights
        ],
    ]
    rows = [
        [
            r.person.name,
            r.person.county,
            r.person.organisation,
            r.person.mobile,
            r.person.email,
            _nights_text(r.nights),
            len(r.nights),
            r.arrival,
            r.departure,
            *[1 if n in r.nights else None for n in nights],
        ]
        for r in rooming.rows
    ]
    return headers, rows


def accessibility_table(accessibility: AccessibilityList) -> tuple[list[str], list[list[Cell]]]:
    headers = [
        _("Name"),
        _("County"),
        _("Organisation"),
        _("Role"),
        _("Mobile"),
        _("E-mail"),
        _("Accessibility needs"),
        _("Events"),
        _("Arrival"),
        _("Departure"),
    ]
    rows = [
        [
            r.person.name,
            r.person.county,
            r.person.organisation,
            r.person.role,
            r.person.mobile,
            r.person.email,
            r.accessibility,
            ", ".join(r.events),
            r.arrival,
            r.departure,
        ]
        for r in accessibility.rows
    ]
    return headers, rows


# --- The pages --------------------------------------------------------------------------------------------------------


def _list_page(
    name: str,
    *,
    title: Callable[[], str],
    select: Callable,
    table: Callable,
    download_name: str = "",
    permissions: tuple[str, ...] = (PERMISSION, LIST_PERMISSION),
):
    """The page of the list ``name``: URL ``delegates_staff:registration_<name>``, its template
    ``registrations/<name>.html`` with the list as ``<name>``, and its download as ``<download_name or name>``."""
    url_name = f"delegates_staff:registration_{name}"

    @staff_page(permission=permissions)
    def view(request: HttpRequest) -> HttpResponse:
        congresses, congress = congress_choice(request)
        wanted = _wanted_format(request)
        result = select(congress=congress, user=request.user) if congress is not None else None
        if wanted and result is not None:
            return _download(wanted, name=download_name or name, title=title(), congress=congress, table=table(result))
        return _page(
            request,
            f"admin/delegates/registrations/{name}.html",
            title=title(),
            url_name=url_name,
            congresses=congresses,
            congress=congress,
            **{name: result},
        )

    return view


registration_status_page = _list_page(
    "status",
    title=lambda: _("Registration status"),
    select=registration_status_by_county,
    table=status_table,
    download_name="registration-status",
    permissions=(PERMISSION,),
)
catering_page = _list_page("catering", title=lambda: _("Catering list"), select=catering_list, table=catering_table)
rooming_page = _list_page("rooming", title=lambda: _("Rooming list"), select=rooming_list, table=rooming_table)
accessibility_page = _list_page(
    "accessibility", title=lambda: _("Accessibility list"), select=accessibility_list, table=accessibility_table
)


@staff_page(permission=PERMISSION)
def retention_page(request: HttpRequest) -> HttpResponse:
    congresses, congress = congress_choice(request)
    retention = retention_overview(congress=congress, user=request.user) if congress is not None else None
    return _page(
        request,
        "admin/delegates/registrations/retention.html",
        title=_("When personal data is deleted"),
        url_name="delegates_staff:registration_retention",
        congresses=congresses,
        congress=congress,
        downloads=False,
        retention=retention,
    )
