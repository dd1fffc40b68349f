"""Staff pages of the committee work, reached through the admin (which has checked the view permission).

The PDFs are small (a committee's share of the document) and rendered while the user waits; the big participant
documents of the congress week go through the worker instead.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext

from committees import amending
from committees.document_messages import describe_conflict, describe_range_problem
from committees.models import Committee, PoliticalDocument
from committees.selectors import (
    committee_amendments,
    competing_amendments,
    document_of,
    document_paragraphs,
    is_secretariat,
    may_recommend_amendment,
    may_recommend_statement,
    may_see_unpublished_recommendations,
    may_work_in_committee,
    numbered_chapters,
    statements_in_order,
)

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


def document_lines(request: HttpRequest, document: PoliticalDocument, *, admin_site, can_load: bool) -> HttpResponse:
    context = {
        **admin_site.each_context(request),
        "title": document.title,
        "subtitle": gettext("Version %(version)d, with line numbers") % {"version": document.version},
        "opts": PoliticalDocument._meta,
        "document": document,
        "chapters": numbered_chapters(document),
        "can_load": can_load,
        "pdf_kinds": DOCUMENT_PDFS,
    }
    return TemplateResponse(request, "admin/committees/politicaldocument/lines.html", context)


def document_pdf(request: HttpRequest, document: PoliticalDocument, kind: str) -> HttpResponse:
    from committees import printing  # WeasyPrint is loaded only where documents are rendered

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
        return redirect("admin:committees_politicaldocument_lines", document.pk)
    except amending.AmendmentRangeError as error:
        messages.error(
            request,
            gettext("Amendment %(number)s cannot be applied: %(problem)s")
            % {"number": error.number, "problem": describe_range_problem(error.code, error.params)},
        )
        return redirect("admin:committees_politicaldocument_lines", document.pk)
    return _pdf_response(pdf, name)


def committee_work(request: HttpRequest, committee: Committee, *, admin_site) -> HttpResponse:
    document = document_of(committee.congress)
    amendments = list(committee_amendments(committee)) if committee.kind == Committee.Kind.ORDINARY else []
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
    context = {
        **admin_site.each_context(request),
        "title": committee.name,
        "subtitle": str(committee.congress),
        "opts": Committee._meta,
        "committee": committee,
        "document": document,
        "chapters": list(committee.chapters.order_by("number")),
        "members": list(committee.members.select_related("organisation").order_by("last_name", "first_name")),
        "rows": rows,
        "statement_rows": statement_rows,
        "open_items": open_items,
        "secretariat": is_secretariat(request.user),
        "may_publish": may_work_in_committee(request.user, committee),
        "show_recommendations": committee.recommendation_published
        or may_see_unpublished_recommendations(request.user, committee),
        "pdf_kinds": DOCUMENT_PDFS,
    }
    return TemplateResponse(request, "admin/committees/committee/work.html", context)


def committee_recommendation_pdf(request: HttpRequest, committee: Committee) -> HttpResponse:
    from committees import printing

    if not (committee.recommendation_published or may_see_unpublished_recommendations(request.user, committee)):
        raise PermissionDenied
    pdf, _pages = printing.render_committee_recommendation(committee)
    return _pdf_response(pdf, f"innstilling-{slugify(committee.name)[:60] or committee.pk}.pdf")
