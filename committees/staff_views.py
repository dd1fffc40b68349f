"""Staff pages of the committee work: loading the political document, the document with line numbers and its PDFs,
a committee's work page, its recommendation (PDF) and publishing it.

The PDFs are small (a committee's share of the document) and rendered while the user waits; the big participant
documents of the congress week go through the worker instead.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext

from agenda.selectors import congresses_visible_to
from committees import amending
from committees.document_messages import describe_conflict, describe_range_problem
from committees.forms import AmendmentForwardForm, DocumentLoadForm
from committees.models import Amendment, Committee, PoliticalDocument
from committees.selectors import (
    PROPOSED_BY_DELEGATES,
    PROPOSED_BY_MEETING,
    amendments_by_proposer,
    committee_amendments,
    committees_visible_to,
    competing_amendments,
    document_of,
    document_paragraphs,
    forwarding_plan,
    forwarding_sources_visible_to,
    forwarding_target,
    is_secretariat,
    may_recommend_amendment,
    may_recommend_statement,
    may_see_unpublished_recommendations,
    may_work_in_committee,
    numbered_chapters,
    statements_in_order,
)
from committees.services import amendments_forward, committee_publish_recommendation, political_document_load
from core.forms import add_service_errors
from core.staff import any_permission, staff_context, staff_page

VIEW_DOCUMENT = any_permission("committees.view_politicaldocument", "committees.change_politicaldocument")
VIEW_COMMITTEE = any_permission("committees.view_committee", "committees.change_committee")
FORWARD_AMENDMENTS = "committees.forward_amendment"

DOCUMENT_PDFS = {
    "document": "numbered",
    "final-plenary": "plenary",
    "final-recommendation": "recommendation",
    "voting-list": "voting",
}


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- The political document ------------------------------------------------------------------------------------


def _documents(request: HttpRequest):
    """The documents of the congresses the user may see (not another regional office's county meetings)."""
    return PoliticalDocument.objects.filter(congress__in=congresses_visible_to(request.user))


@staff_page(permission="committees.add_politicaldocument")
def document_load_new(request: HttpRequest) -> HttpResponse:
    return _document_load(request, None)


@staff_page(permission="committees.change_politicaldocument")
def document_load(request: HttpRequest, pk: int) -> HttpResponse:
    return _document_load(request, get_object_or_404(_documents(request), pk=pk))


def _document_load(request: HttpRequest, document: PoliticalDocument | None) -> HttpResponse:
    live = document.amendments.filter(status=Amendment.Status.SUBMITTED).count() if document else 0
    form = DocumentLoadForm(request.POST or None, request.FILES or None, document=document)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = political_document_load(
                congress=document.congress if document else data["congress"],
                title=data["title"],
                text=data["text"],
                text_format=data["text_format"],
                line_length=data["line_length"],
                user=request.user,
                amendments_confirmed=data.get("amendments_confirmed", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = gettext(
                "Loaded version %(version)d: %(chapters)d chapters, %(paragraphs)d paragraphs, %(lines)d lines."
            ) % {
                "version": result.document.version,
                "chapters": result.chapters,
                "paragraphs": result.paragraphs,
                "lines": result.lines,
            }
            if result.amendments_checked:
                message += " " + gettext(
                    "%(checked)d amendments checked against their lines; %(problems)d no longer match."
                ) % {"checked": result.amendments_checked, "problems": result.amendments_with_problems}
            level = messages.WARNING if result.amendments_with_problems else messages.SUCCESS
            messages.add_message(request, level, message)
            return redirect("committees_staff:document_lines", result.document.pk)
    context = staff_context(
        request,
        title=gettext("Load the political document"),
        subtitle=str(document) if document else None,
        opts=PoliticalDocument._meta,
        document=document,
        form=form,
        live_amendments=live,
    )
    return TemplateResponse(request, "admin/committees/politicaldocument/load.html", context)


@staff_page(permission=VIEW_DOCUMENT)
def document_lines(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(_documents(request).select_related("congress"), pk=pk)
    context = staff_context(
        request,
        title=document.title,
        subtitle=gettext("Version %(version)d, with line numbers") % {"version": document.version},
        opts=PoliticalDocument._meta,
        document=document,
        chapters=numbered_chapters(document),
        can_load=request.user.has_perm("committees.change_politicaldocument"),
        pdf_kinds=DOCUMENT_PDFS,
    )
    return TemplateResponse(request, "admin/committees/politicaldocument/lines.html", context)


@staff_page(permission=VIEW_DOCUMENT)
def document_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    from committees import printing  # WeasyPrint is loaded only where documents are rendered

    document = get_object_or_404(_documents(request).select_related("congress"), pk=pk)
    if kind not in DOCUMENT_PDFS:
        raise Http404
    if kind != "document" and not may_see_unpublished_recommendations(request.user):
        raise PermissionDenied
    name = f"{slugify(document.title)[:60] or 'dokument'}-{kind}.pdf"
    try:
        if kind == "document":
            pdf, _pages = printing.render_political_document(document)
        elif kind == "voting-list":
            pdf, _pages = printing.render_voting_list(document)
        else:
            pdf, _pages = printing.render_final_document(document, basis=DOCUMENT_PDFS[kind])
    except amending.AmendmentConflict as conflict:
        messages.error(request, describe_conflict(conflict.numbers))
        return redirect("committees_staff:document_lines", document.pk)
    except amending.AmendmentRangeError as error:
        messages.error(
            request,
            gettext("Amendment %(number)s cannot be applied: %(problem)s")
            % {"number": error.number, "problem": describe_range_problem(error.code, error.params)},
        )
        return redirect("committees_staff:document_lines", document.pk)
    return _pdf_response(pdf, name)


# --- A county meeting's adopted amendments to the Landsting -----------------------------------------------------


@staff_page(permission=FORWARD_AMENDMENTS)
def amendments_forward_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry run of forwarding a county meeting's adopted amendments to the Landsting's draft, and its confirmation.

    The secretariat and the regional office of the meeting's county (another office's meeting is a 404)."""
    source = get_object_or_404(forwarding_sources_visible_to(request.user), pk=pk)
    target = forwarding_target()
    form = AmendmentForwardForm(request.POST or None, target=target)
    plan = forwarding_plan(source=source, target=target)
    if request.method == "POST" and form.is_valid():
        try:
            forwarded = amendments_forward(
                source=source,
                target=form.cleaned_data["target"],
                user=request.user,
                leave_out=form.leave_out_numbers(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if forwarded:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d amendment was forwarded to %(document)s as amendment %(numbers)s.",
                        "%(count)d amendments were forwarded to %(document)s as amendments %(numbers)s.",
                        len(forwarded),
                    )
                    % {
                        "count": len(forwarded),
                        "document": form.cleaned_data["target"].title,
                        "numbers": ", ".join(str(amendment.number) for amendment in forwarded),
                    },
                )
            else:
                messages.info(request, gettext("There was nothing new to forward."))
            return redirect("committees_staff:amendments_forward", source.pk)
    context = staff_context(
        request,
        title=gettext("Send the adopted amendments to the Landsting"),
        subtitle=str(source.congress),
        opts=PoliticalDocument._meta,
        document=source,
        target=target,
        plan=plan,
        form=form,
        leave_out=",".join(str(problem.source.number) for problem in plan.problems),
    )
    return TemplateResponse(request, "admin/committees/politicaldocument/forward.html", context)


# --- A committee ------------------------------------------------------------------------------------------------


def _committee(request: HttpRequest, pk: int) -> Committee:
    return get_object_or_404(committees_visible_to(request.user), pk=pk)


@staff_page(permission=VIEW_COMMITTEE)
def committee_work(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _committee(request, pk)
    document = document_of(committee.congress)
    proposer = request.GET.get("proposer", "")
    amendments = (
        list(amendments_by_proposer(committee_amendments(committee), proposer))
        if committee.kind == Committee.Kind.ORDINARY
        else []
    )
    statements = list(statements_in_order(committee.congress)) if committee.kind == Committee.Kind.DRAFTING else []
    competing = competing_amendments(amendments, document_paragraphs(document) if document else None)
    rows = [
        {
            "amendment": amendment,
            "competing": [number for number in competing.get(amendment.number, ()) if number != amendment.number],
            "editable": may_recommend_amendment(request.user, amendment),
        }
        for amendment in amendments
    ]
    statement_rows = [
        {"statement": statement, "editable": may_recommend_statement(request.user, statement)}
        for statement in statements
    ]
    open_items = sum(1 for row in rows if not row["amendment"].recommendation) + sum(
        1 for row in statement_rows if not row["statement"].recommendation
    )
    context = staff_context(
        request,
        title=committee.name,
        subtitle=str(committee.congress),
        opts=Committee._meta,
        committee=committee,
        document=document,
        chapters=list(committee.chapters.order_by("number")),
        members=list(committee.members.select_related("organisation").order_by("last_name", "first_name")),
        rows=rows,
        statement_rows=statement_rows,
        open_items=open_items,
        secretariat=is_secretariat(request.user),
        may_publish=may_work_in_committee(request.user, committee),
        show_recommendations=committee.recommendation_published
        or may_see_unpublished_recommendations(request.user, committee),
        pdf_kinds=DOCUMENT_PDFS,
        proposer=proposer if proposer in (PROPOSED_BY_DELEGATES, PROPOSED_BY_MEETING) else "",
        proposer_filters=[
            ("", gettext("All")),
            (PROPOSED_BY_DELEGATES, gettext("Proposed by delegates")),
            (PROPOSED_BY_MEETING, gettext("Proposed by a county meeting")),
        ],
    )
    return TemplateResponse(request, "admin/committees/committee/work.html", context)


@staff_page(permission=VIEW_COMMITTEE)
def committee_publish(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _committee(request, pk)
    if request.method != "POST" or not may_work_in_committee(request.user, committee):
        raise PermissionDenied
    published = request.POST.get("published") == "1"
    committee_publish_recommendation(committee=committee, published=published)
    message = (
        gettext("The recommendation of %(committee)s is now shown to the delegates.")
        if published
        else gettext("The recommendation of %(committee)s is hidden from the delegates again.")
    )
    messages.success(request, message % {"committee": committee})
    return redirect("committees_staff:committee_work", committee.pk)


@staff_page(permission=VIEW_COMMITTEE)
def committee_recommendation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from committees import printing

    committee = _committee(request, pk)
    if not (committee.recommendation_published or may_see_unpublished_recommendations(request.user, committee)):
        raise PermissionDenied
    pdf, _pages = printing.render_committee_recommendation(committee)
    return _pdf_response(pdf, f"innstilling-{slugify(committee.name)[:60] or committee.pk}.pdf")
