"""The seat allocation of a delegate key: the table (compute it, settle a tie by drawing lots) and its CSV export.

The table holds every county's figures and the reasons for overrides: it is the secretariat's, not a region's.
"""

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.spreadsheets import CsvWriter
from core.staff import staff_context, staff_page
from delegates.forms import TieSettlementForm
from delegates.models import DelegateKey
from delegates.selectors import allocation_table, user_sees_all_counties
from delegates.services.allocation import TieNotSettled, seat_allocation_compute

VIEW_PERMISSION = "delegates.view_delegatekey"
CHANGE_PERMISSION = "delegates.change_delegatekey"


def may_see_allocation(user: AbstractBaseUser) -> bool:
    """The admin's view permission on delegate keys (view or change), for a user who sees every county."""
    return (user.has_perm(VIEW_PERMISSION) or user.has_perm(CHANGE_PERMISSION)) and user_sees_all_counties(user)


@staff_page(permission=may_see_allocation)
def seat_allocation(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(DelegateKey.objects.select_related("congress", "computed_by"), pk=pk)
    can_change = request.user.has_perm(CHANGE_PERMISSION)
    tie_form = None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        tie_form, done = _compute(request, key)
        if done:
            return redirect("delegates_staff:seat_allocation", pk=key.pk)
    context = staff_context(
        request,
        title=_("Seat allocation: %(congress)s") % {"congress": key.congress},
        opts=DelegateKey._meta,
        original=key,
        key=key,
        table=allocation_table(key=key),
        tie_form=tie_form,
        can_change=can_change,
    )
    return TemplateResponse(request, "admin/delegates/delegatekey/allocation.html", context)


def _compute(request: HttpRequest, key: DelegateKey) -> tuple[TieSettlementForm | None, bool]:
    winners: list[str] = []
    record = ""
    if "settle_tie" in request.POST:
        pending = request.session.get(f"allocation-tie-{key.pk}")
        if pending:
            form = TieSettlementForm(request.POST, candidates=pending["candidates"], seats=pending["seats"])
            if not form.is_valid():
                return form, False
            winners, record = form.cleaned_data["winners"], form.cleaned_data["record"]
    try:
        seat_allocation_compute(key=key, user=request.user, lot_winners=winners, lot_record=record)
    except TieNotSettled as tie:
        request.session[f"allocation-tie-{key.pk}"] = {"candidates": tie.names, "seats": tie.tie.seats}
        messages.warning(request, str(tie))
        return TieSettlementForm(candidates=tie.names, seats=tie.tie.seats), False
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return None, False
    request.session.pop(f"allocation-tie-{key.pk}", None)
    messages.success(request, _("The allocation has been computed."))
    return None, True


@staff_page(permission=may_see_allocation)
def seat_allocation_csv(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(DelegateKey.objects.select_related("congress"), pk=pk)
    table = allocation_table(key=key)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="seat-allocation-{key.congress.year}.csv"'
    response.write("\ufeff")  # lets spreadsheet programs recognise UTF-8 (æ, ø, å)
    writer = CsvWriter(response)  # formulas escaped: an override reason is free text
    writer.writerow(
        [
            _("county number"),
            _("county"),
            _("regional office"),
            _("population"),
            _("population reference date"),
            _("share (%)"),
            _("computed seats"),
            _("seats won by drawing lots"),
            _("override"),
            _("reason for the override"),
            _("final seats"),
            _("county municipality seats"),
            _("municipalities' seats"),
            _("explanation"),
        ]
    )
    for row in table.rows:
        allocation = row.allocation
        writer.writerow(
            [
                allocation.county.number,
                allocation.county.name,
                allocation.county.regional_office or "",
                allocation.population,
                allocation.population_date or "",
                row.share,
                allocation.computed_seats,
                allocation.seats_by_lot,
                "" if allocation.override_seats is None else allocation.override_seats,
                allocation.override_reason,
                allocation.final_seats,
                row.county_municipality_seats,
                row.municipality_seats,
                row.explanation,
            ]
        )
    writer.writerow(["", _("Samfunnsbedriftene"), "", "", "", "", "", "", "", "", key.samfunnsbedriftene_seats])
    writer.writerow(
        [
            "",
            _("Total"),
            "",
            table.population,
            "",
            "",
            table.computed_seats,
            "",
            "",
            "",
            table.total_seats,
        ]
    )
    return response
