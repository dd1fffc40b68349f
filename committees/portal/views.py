"""The delegates' pages of the committee work, behind the personal link: the political document with its stored line
numbers, amendments and statements (uttalelser).

Views parse, check and call one service; the rules live in ``committees.services`` and ``committees.selectors``.
Every page goes through the registration portal's ``personal_link_required``, so every response carries the same
headers (no Referer to other sites, no caching, no indexing) — which is also why a missing amendment or statement
gets a rendered 404 page instead of a raised ``Http404``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agenda.models import Congress
from committees import selectors, services
from committees.models import Amendment, Paragraph, PoliticalDocument, Proposal, Statement
from committees.portal.forms import AmendmentForm, StatementForm
from core.forms import add_service_errors
from delegates.models import Participant, PersonalLink
from delegates.portal.access import personal_link_required, portal_context

POINT_KINDS = (Amendment.Kind.INSERT, Amendment.Kind.NEW_PARAGRAPH)
AMENDMENT_PAGE = "committees_portal:amendment"
STATEMENT_PAGE = "committees_portal:statement"


def _refusal(participant: Participant) -> str:
    """Why the participant may not propose amendments or statements ("" when they may)."""
    if selectors.may_propose(participant):
        return ""
    if participant.status == Participant.Status.WITHDRAWN:
        return "withdrawn"
    if participant.role == Participant.Role.DEPUTY:
        return "deputy"
    return "no_vote"


def _has_text(document: PoliticalDocument | None) -> bool:
    return document is not None and document.version > 0


def _no_document(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    return TemplateResponse(request, "committees/portal/no_document.html", portal_context(link, token))


def _not_found(request: HttpRequest, link: PersonalLink, token: str, *, what: str, number: int) -> HttpResponse:
    context = portal_context(link, token, what=what, number=number)
    return TemplateResponse(request, "committees/portal/not_found.html", context, status=404)


def _one_proposal(what: str, find: Callable[[Participant, int], dict | None]):
    """For the views of one amendment or statement, by its number in the URL: the view is called with what ``find``
    gives (``found``, the proposal, and where it belongs), or the not-found page is shown when it gives None."""

    def decorate(view):
        @wraps(view)
        def resolved(request: HttpRequest, link: PersonalLink, token: str, number: int) -> HttpResponse:
            if (numbered := find(link.participant, number)) is None:
                return _not_found(request, link, token, what=what, number=number)
            return view(request, link, token, **numbered)

        return resolved

    return decorate


def _in_the_delegates_words(error: ValidationError) -> ValidationError:
    """The service's refusal of an amendment to an older version of the document, said to the delegate."""
    if not hasattr(error, "error_dict"):
        return error
    reloaded = _(
        "The document was loaded again after you opened this form, so the line numbers may have moved. Check the"
        " lines and send the form again."
    )
    return ValidationError(
        {
            field: [reloaded if problem.code == services.DOCUMENT_RELOADED else problem for problem in problems]
            for field, problems in error.error_dict.items()
        }
    )


def _closed(
    request: HttpRequest, link: PersonalLink, token: str, template: str, *, form_open: bool, **context
) -> HttpResponse:
    """The page of a form that is closed, or that the participant may not use: a POST to it is refused."""
    refused = request.method == "POST"
    context = portal_context(link, token, form_open=form_open, refused=refused, **context)
    return TemplateResponse(request, template, context, status=403 if refused else 200)


def _proposal_form(
    request: HttpRequest,
    token: str,
    form: Callable[..., forms.Form],
    *,
    submit: Callable[[dict], Proposal],
    success: str,
    page: str,
    initial: dict | None = None,
) -> tuple[forms.Form, HttpResponse | None]:
    """The form of a new amendment or statement. A valid POST is submitted (``submit`` of the cleaned data): then the
    new proposal's page with ``success``. Else the form, blank or with what is wrong (the refusal, too), and None."""
    if request.method != "POST":
        return form(initial=initial), None
    posted = form(request.POST)
    if not posted.is_valid():
        return posted, None
    try:
        proposal = submit(posted.cleaned_data)
    except ValidationError as error:
        add_service_errors(posted, _in_the_delegates_words(error))
        return posted, None
    messages.success(request, success % {"number": proposal.number})
    return posted, redirect(page, token=token, number=proposal.number)


def _supporters_of(proposal: Proposal) -> list[Participant]:
    return list(proposal.supporters.select_related("organisation").order_by("last_name", "first_name"))


def _withdrawal(
    request: HttpRequest,
    link: PersonalLink,
    token: str,
    *,
    proposal: Proposal,
    is_open: bool,
    withdraw: Callable[[], Proposal],
    page: str,
    template: str,
    done: str,
    **context,
) -> HttpResponse:
    """The withdrawal page of a proposal: only its proposer, only while the form is open; the POST withdraws it."""
    back = {"token": token, "number": proposal.number}
    if proposal.status == Proposal.Status.WITHDRAWN:
        return redirect(page, **back)
    problem, status, error = "", 200, ""
    if proposal.submitter_id != link.participant.pk:
        problem, status = "not_own", 403
    elif not is_open:
        problem, status = "closed", 403
    elif request.method == "POST":
        try:
            withdraw()
        except ValidationError as failure:
            status, error = 400, " ".join(failure.messages)
        else:
            messages.success(request, done % {"number": proposal.number})
            return redirect(page, **back)
    context = portal_context(
        link,
        token,
        problem=problem,
        error=error,
        withdraw_url=request.path,
        proposal_url=reverse(page, kwargs=back),
        **context,
    )
    return TemplateResponse(request, template, context, status=status)


def _positive_int(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


# --- The document ---------------------------------------------------------------------------------------------


@dataclass
class Block:
    """Consecutive paragraphs shown as one element: a heading, a paragraph, or a list of list items."""

    kind: str
    paragraphs: list[Paragraph]


@dataclass
class ChapterView:
    chapter: object
    blocks: list[Block]
    amendment_count: int


def _blocks(paragraphs: list[Paragraph]) -> list[Block]:
    blocks: list[Block] = []
    for paragraph in paragraphs:
        if paragraph.kind == Paragraph.Kind.LIST_ITEM:
            if blocks and blocks[-1].kind == "list":
                blocks[-1].paragraphs.append(paragraph)
            else:
                blocks.append(Block(kind="list", paragraphs=[paragraph]))
        else:
            blocks.append(Block(kind=paragraph.kind, paragraphs=[paragraph]))
    return blocks


@require_http_methods(["GET"])
@personal_link_required
def document(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    participant = link.participant
    document = selectors.document_of(participant.congress)
    if not _has_text(document):
        return _no_document(request, link, token)
    counts = selectors.amendment_counts_by_chapter(document)
    chapters = [
        ChapterView(
            chapter=numbered.chapter,
            blocks=_blocks(numbered.paragraphs),
            amendment_count=counts.get(numbered.chapter.pk, 0),
        )
        for numbered in selectors.numbered_chapters(document)
    ]
    context = portal_context(
        link,
        token,
        document=document,
        chapters=chapters,
        amendments_open=selectors.amendments_open(document),
        refusal=_refusal(participant),
    )
    return TemplateResponse(request, "committees/portal/document.html", context)


# --- Amendments -----------------------------------------------------------------------------------------------


@dataclass
class AmendmentRow:
    amendment: Amendment
    competing_with: list[int]
    recommendation_published: bool


@require_http_methods(["GET"])
@personal_link_required
def amendments(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    participant = link.participant
    document = selectors.document_of(participant.congress)
    if not _has_text(document):
        return _no_document(request, link, token)
    every = list(selectors.amendments_in_order(document, include_withdrawn=True))
    submitted = [amendment for amendment in every if amendment.status == Amendment.Status.SUBMITTED]
    competing = selectors.competing_amendments(submitted, selectors.document_paragraphs(document))
    published = selectors.published_chapter_ids(document)
    rows = [
        AmendmentRow(
            amendment=amendment,
            competing_with=[number for number in competing.get(amendment.number, ()) if number != amendment.number],
            recommendation_published=bool(amendment.recommendation) and amendment.chapter_id in published,
        )
        for amendment in submitted
    ]
    own = sorted((a for a in every if a.submitter_id == participant.pk), key=lambda a: a.number)
    context = portal_context(
        link,
        token,
        document=document,
        rows=rows,
        own=own,
        amendments_open=selectors.amendments_open(document),
        refusal=_refusal(participant),
    )
    return TemplateResponse(request, "committees/portal/amendments.html", context)


def _amendment_initial(query: QueryDict, chapters) -> dict:
    """The form prefilled from the document page's link: ?kapittel=<chapter number>&fra=<line>&til=<line>."""
    initial: dict = {"kind": Amendment.Kind.REPLACE}
    chapter = _positive_int(query.get("kapittel"))
    if chapter in {c.number for c in chapters}:
        initial["chapter"] = chapter
    line_from, line_to = _positive_int(query.get("fra")), _positive_int(query.get("til"))
    if line_from:
        initial["line_from"] = line_from
        if line_to and line_to != line_from:
            initial["line_to"] = line_to
    return initial


def _current_lines(document: PoliticalDocument, line_from: int | None, line_to: int | None) -> dict | None:
    """The words now on the lines the delegate refers to, so that they see what they are changing."""
    if not line_from:
        return None
    line_to = line_to or line_from
    if line_to < line_from:
        return None
    text = selectors.lines_text(selectors.document_paragraphs(document), line_from, line_to)
    if not text:
        return None
    return {"line_from": line_from, "line_to": line_to, "text": text}


@require_http_methods(["GET", "POST"])
@personal_link_required
def amendment_new(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    participant = link.participant
    document = selectors.document_of(participant.congress)
    if not _has_text(document):
        return _no_document(request, link, token)
    amendments_open = selectors.amendments_open(document)
    refusal = _refusal(participant)
    if not amendments_open or refusal:
        return _closed(
            request,
            link,
            token,
            "committees/portal/amendment_closed.html",
            form_open=amendments_open,
            document=document,
            amendments_open=amendments_open,
            refusal=refusal,
        )

    chapters = list(document.chapters.order_by("number"))
    supporters = list(selectors.possible_supporters(congress=participant.congress, exclude=participant))

    def submit(data: dict) -> Amendment:
        return services.amendment_submit(
            document=document,
            submitter=participant,
            chapter=data["chapter"],
            kind=data["kind"],
            line_from=data["line_from"],
            line_to=data["line_to"],
            text=data["text"],
            justification=data["justification"],
            supporters=data["supporters"],
            document_version=data["version"],
        )

    initial = _amendment_initial(request.GET, chapters)
    form, submitted = _proposal_form(
        request,
        token,
        partial(AmendmentForm, chapters=chapters, supporters=supporters),
        submit=submit,
        success=_("Your amendment was submitted as amendment %(number)d."),
        page=AMENDMENT_PAGE,
        initial=initial,
    )
    if submitted:
        return submitted
    if request.method == "POST":
        line_from = _positive_int(request.POST.get("line_from"))
        line_to = line_from if request.POST.get("kind") in POINT_KINDS else _positive_int(request.POST.get("line_to"))
    else:
        line_from, line_to = initial.get("line_from"), initial.get("line_to")

    context = portal_context(
        link,
        token,
        document=document,
        amendments_open=True,
        form=form,
        current_lines=_current_lines(document, line_from, line_to),
    )
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "committees/portal/amendment_form.html", context, status=status)


def _numbered_amendment(participant: Participant, number: int) -> dict | None:
    document = selectors.document_of(participant.congress)
    if not _has_text(document):
        return None
    found = selectors.amendments_in_order(document, include_withdrawn=True).filter(number=number).first()
    return {"document": document, "found": found} if found else None


@require_http_methods(["GET"])
@personal_link_required
@_one_proposal("amendment", _numbered_amendment)
def amendment(
    request: HttpRequest, link: PersonalLink, token: str, *, document: PoliticalDocument, found: Amendment
) -> HttpResponse:
    participant = link.participant
    own = found.submitter_id == participant.pk
    context = portal_context(
        link,
        token,
        document=document,
        amendment=found,
        supporters=_supporters_of(found),
        own=own,
        may_withdraw=own and found.status == Amendment.Status.SUBMITTED and selectors.amendments_open(document),
        recommendation_visible=selectors.recommendation_visible(found),
    )
    return TemplateResponse(request, "committees/portal/amendment.html", context)


@require_http_methods(["GET", "POST"])
@personal_link_required
@_one_proposal("amendment", _numbered_amendment)
def amendment_withdraw(
    request: HttpRequest, link: PersonalLink, token: str, *, document: PoliticalDocument, found: Amendment
) -> HttpResponse:
    return _withdrawal(
        request,
        link,
        token,
        proposal=found,
        is_open=selectors.amendments_open(document),
        withdraw=partial(services.amendment_withdraw, amendment=found, participant=link.participant),
        page=AMENDMENT_PAGE,
        template="committees/portal/amendment_withdraw.html",
        done=_("Amendment %(number)d is withdrawn."),
        document=document,
        amendment=found,
    )


# --- Statements -----------------------------------------------------------------------------------------------


def _statement_recommendations_published(congress) -> bool:
    committee = selectors.drafting_committee(congress)
    return committee is not None and committee.recommendation_published


@require_http_methods(["GET"])
@personal_link_required
def statements(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    participant = link.participant
    congress = participant.congress
    every = list(selectors.statements_in_order(congress, include_withdrawn=True))
    context = portal_context(
        link,
        token,
        statements=[statement for statement in every if statement.status == Statement.Status.SUBMITTED],
        own=[statement for statement in every if statement.submitter_id == participant.pk],
        statements_open=selectors.statements_open(congress),
        statement_settings=selectors.statement_settings(congress),
        refusal=_refusal(participant),
        recommendations_published=_statement_recommendations_published(congress),
    )
    return TemplateResponse(request, "committees/portal/statements.html", context)


@require_http_methods(["GET", "POST"])
@personal_link_required
def statement_new(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    participant = link.participant
    congress = participant.congress
    statements_open = selectors.statements_open(congress)
    refusal = _refusal(participant)
    if not statements_open or refusal:
        return _closed(
            request,
            link,
            token,
            "committees/portal/statement_closed.html",
            form_open=statements_open,
            statements_open=statements_open,
            statement_settings=selectors.statement_settings(congress),
            refusal=refusal,
        )

    supporters = list(selectors.possible_supporters(congress=congress, exclude=participant))
    needed = selectors.statement_settings(congress).statement_min_supporters

    def submit(data: dict) -> Statement:
        return services.statement_submit(
            congress=congress,
            submitter=participant,
            title=data["title"],
            text=data["text"],
            justification=data["justification"],
            supporters=data["supporters"],
        )

    form, submitted = _proposal_form(
        request,
        token,
        partial(StatementForm, supporters=supporters, needed=needed),
        submit=submit,
        success=_("Your statement was submitted as statement %(number)d."),
        page=STATEMENT_PAGE,
    )
    if submitted:
        return submitted
    context = portal_context(
        link, token, form=form, needed=needed, statement_settings=selectors.statement_settings(congress)
    )
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "committees/portal/statement_form.html", context, status=status)


def _numbered_statement(participant: Participant, number: int) -> dict | None:
    congress = participant.congress
    found = selectors.statements_in_order(congress, include_withdrawn=True).filter(number=number).first()
    return {"congress": congress, "found": found} if found else None


@require_http_methods(["GET"])
@personal_link_required
@_one_proposal("statement", _numbered_statement)
def statement(
    request: HttpRequest, link: PersonalLink, token: str, *, congress: Congress, found: Statement
) -> HttpResponse:
    participant = link.participant
    own = found.submitter_id == participant.pk
    context = portal_context(
        link,
        token,
        statement=found,
        supporters=_supporters_of(found),
        own=own,
        may_withdraw=own and found.status == Statement.Status.SUBMITTED and selectors.statements_open(congress),
        recommendation_visible=bool(found.recommendation) and _statement_recommendations_published(congress),
    )
    return TemplateResponse(request, "committees/portal/statement.html", context)


@require_http_methods(["GET", "POST"])
@personal_link_required
@_one_proposal("statement", _numbered_statement)
def statement_withdraw(
    request: HttpRequest, link: PersonalLink, token: str, *, congress: Congress, found: Statement
) -> HttpResponse:
    return _withdrawal(
        request,
        link,
        token,
        proposal=found,
        is_open=selectors.statements_open(congress),
        withdraw=partial(services.statement_withdraw, statement=found, participant=link.participant),
        page=STATEMENT_PAGE,
        template="committees/portal/statement_withdraw.html",
        done=_("Statement %(number)d is withdrawn."),
        statement=found,
    )
