"""Every write of the committee work: loading the document, amendments, statements, recommendations, outcomes."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Congress
from committees import amending, document_text
from committees.document_messages import describe_document_problem, describe_range_problem
from committees.models import (
    Amendment,
    Chapter,
    Committee,
    Outcome,
    OutcomeSource,
    Paragraph,
    PoliticalDocument,
    Proposal,
    Recommendation,
    Statement,
)
from committees.selectors import (
    amendments_open,
    document_paragraphs,
    forwarding_plan,
    lines_text,
    may_propose,
    possible_supporters,
    statement_settings,
    statements_open,
)
from delegates.models import Organisation, Participant

P = TypeVar("P", bound=Proposal)

# --- Loading the document ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentLoadResult:
    document: PoliticalDocument
    chapters: int
    paragraphs: int
    lines: int
    amendments_checked: int
    amendments_with_problems: int


def document_text_check(*, text: str, text_format: str) -> document_text.ParsedDocument:
    """Parse the text, or raise a ValidationError with one translated sentence per problem."""
    try:
        return document_text.parse_document(text, text_format=text_format)
    except document_text.DocumentTextError as error:
        raise ValidationError([describe_document_problem(code, params) for code, params in error.problems]) from error


@transaction.atomic
def political_document_load(
    *,
    congress: Congress,
    text: str,
    text_format: str,
    line_length: int,
    user: AbstractBaseUser | None,
    title: str = "",
    amendments_confirmed: bool = False,
) -> DocumentLoadResult:
    """Load (or load again) the political document of a congress and number its lines.

    Loading again after amendments were proposed moves line numbers under them: the caller must confirm, and every
    amendment is checked again against the lines it was written for (``range_problem``).
    """
    parsed = document_text_check(text=text, text_format=text_format)
    if not 40 <= line_length <= 120:
        raise ValidationError({"line_length": _("Choose between 40 and 120 characters per line.")})
    document, _created = PoliticalDocument.objects.select_for_update().get_or_create(
        congress=congress, defaults={"title": title or parsed.title or congress.name}
    )
    live_amendments = list(
        Amendment.objects.select_for_update().filter(document=document, status=Amendment.Status.SUBMITTED)
    )
    if live_amendments and not amendments_confirmed:
        raise ValidationError(
            _(
                "%(count)d amendments refer to the current line numbers. Confirm that you want to load the text again;"
                " every amendment is then checked against its lines."
            )
            % {"count": len(live_amendments)}
        )

    document.title = title or parsed.title or document.title or congress.name
    document.source_text = text
    document.text_format = text_format
    document.line_length = line_length
    document.version += 1
    document.loaded_at = timezone.now()
    document.loaded_by = user
    document.save()

    Paragraph.objects.filter(document=document).delete()
    existing = {chapter.number: chapter for chapter in Chapter.objects.filter(document=document)}
    next_line = 1
    paragraph_rows = []
    for number, parsed_chapter in enumerate(parsed.chapters, start=1):
        numbered = document_text.number_lines(
            [paragraph.text for paragraph in parsed_chapter.paragraphs], width=line_length, first_line=next_line
        )
        last_line = numbered[-1][0] + len(numbered[-1][1]) - 1
        chapter = existing.pop(number, None) or Chapter(document=document, number=number)
        chapter.title = parsed_chapter.title
        chapter.first_line = next_line
        chapter.last_line = last_line
        chapter.save()
        for parsed_paragraph, (first_line, lines) in zip(parsed_chapter.paragraphs, numbered, strict=True):
            paragraph_rows.append(
                Paragraph(
                    document=document,
                    chapter=chapter,
                    position=len(paragraph_rows) + 1,
                    kind=parsed_paragraph.kind,
                    first_line=first_line,
                    lines=lines,
                )
            )
        next_line = last_line + 1
    Paragraph.objects.bulk_create(paragraph_rows)
    for chapter in existing.values():  # chapters the new text no longer has
        chapter.delete()

    paragraphs = document_paragraphs(document)
    with_problems = 0
    for amendment in live_amendments:
        problem = _range_recheck(amendment, paragraphs)
        if problem:
            with_problems += 1
        if problem != amendment.range_problem:
            amendment.range_problem = problem
            amendment.save(update_fields=["range_problem"])
    return DocumentLoadResult(
        document=document,
        chapters=len(parsed.chapters),
        paragraphs=len(paragraph_rows),
        lines=next_line - 1,
        amendments_checked=len(live_amendments),
        amendments_with_problems=with_problems,
    )


def _range_recheck(amendment: Amendment, paragraphs) -> str:
    if amendment.chapter_id is None:
        return Amendment.RangeProblem.MISSING
    problem = amending.range_problem(
        paragraphs,
        chapter=amendment.chapter_id,
        kind=amendment.kind,
        line_from=amendment.line_from,
        line_to=amendment.line_to,
    )
    if problem is not None:
        code, _params = problem
        return Amendment.RangeProblem.MISSING if code == "missing" else Amendment.RangeProblem.OUTSIDE_CHAPTER
    if lines_text(paragraphs, amendment.line_from, amendment.line_to) != amendment.original_text:
        return Amendment.RangeProblem.CHANGED
    return ""


# --- Proposals: the steps amendments and statements share --------------------------------------------------------


def _check_proposer(*, submitter: Participant, congress_id: int, is_open: bool, closed: str, no_right: str) -> None:
    """Refuse a proposal after the deadline, and from anyone but a delegate of the congress with the right to vote."""
    if not is_open:
        raise ValidationError(closed)
    if not may_propose(submitter) or submitter.congress_id != congress_id:
        raise ValidationError(no_right)


def _supporters_problem(*, congress: Congress, submitter: Participant, supporters: list[Participant]) -> str:
    allowed = set(possible_supporters(congress=congress, exclude=submitter).values_list("pk", flat=True))
    refused = [supporter for supporter in supporters if supporter.pk not in allowed]
    if refused:
        return _("Only delegates of this congress can support a proposal, not %(names)s.") % {
            "names": ", ".join(supporter.full_name for supporter in refused)
        }
    return ""


def _check_supporters(*, congress: Congress, submitter: Participant, supporters: Iterable[Participant]) -> list:
    supporters = list(dict.fromkeys(supporters))
    problem = _supporters_problem(congress=congress, submitter=submitter, supporters=supporters)
    if problem:
        raise ValidationError({"supporters": problem})
    return supporters


def _next_number(proposals: QuerySet[Proposal]) -> int:
    """The next free number among ``proposals``; the caller holds the lock that serialises the numbering."""
    return (proposals.aggregate(Max("number"))["number__max"] or 0) + 1


def _proposal_create(model: type[P], *, supporters: Iterable[Participant] = (), **fields) -> P:
    proposal = model.objects.create(**fields)
    if supporters:
        proposal.supporters.set(supporters)
    return proposal


def _proposal_withdraw(proposal: P, *, participant: Participant, is_open: bool, not_own: str, closed: str) -> P:
    """The proposer withdraws a locked proposal, until the deadline; withdrawing it again changes nothing."""
    if proposal.submitter_id != participant.pk:
        raise ValidationError(not_own)
    if proposal.status == Proposal.Status.WITHDRAWN:
        return proposal
    if not is_open:
        raise ValidationError(closed)
    proposal.status = Proposal.Status.WITHDRAWN
    proposal.withdrawn_at = timezone.now()
    proposal.save(update_fields=["status", "withdrawn_at"])
    return proposal


def recommendation_problems(
    *, proposal: Proposal, recommendation: str, text: str, merged_into: Amendment | None = None
) -> dict[str, str]:
    """What is wrong with a committee's recommendation, per field; shared by the services and the admin forms.

    ``text`` is the committee's own wording (``proposal.amended_text_field``), ``merged_into`` the amendment an
    amendment is taken into.
    """
    errors = {}
    allowed = {value for value, _label in type(proposal)._meta.get_field("recommendation").choices}
    if recommendation and recommendation not in allowed:
        errors["recommendation"] = _("Choose a recommendation.")
    elif recommendation == Recommendation.ADOPT_AMENDED and not text.strip():
        errors[proposal.amended_text_field] = _("Write the text as the committee wants it.")
    elif recommendation == Recommendation.MERGED:
        if merged_into is None:
            errors["merged_into"] = _("Choose the amendment this one is taken into.")
        elif merged_into.pk == proposal.pk:
            errors["merged_into"] = _("An amendment cannot be taken into itself.")
        elif merged_into.document_id != proposal.document_id:
            errors["merged_into"] = _("Choose an amendment to the same document.")
        elif merged_into.status == Amendment.Status.WITHDRAWN:
            errors["merged_into"] = _("Amendment %(number)d was withdrawn.") % {"number": merged_into.number}
        elif merged_into.recommendation == Recommendation.MERGED:
            errors["merged_into"] = _(
                "Amendment %(number)d is itself taken into another; choose the one that remains."
            ) % {"number": merged_into.number}
    return errors


def _proposal_recommend(
    proposal: P,
    *,
    recommendation: str,
    text: str,
    reason: str,
    user: AbstractBaseUser | None,
    withdrawn: str,
    merged_into: Amendment | None = None,
) -> P:
    """Record (or clear, with ``recommendation=""``) the committee's recommendation, under the proposal's lock."""
    proposal = type(proposal).objects.select_for_update().get(pk=proposal.pk)
    if proposal.status == Proposal.Status.WITHDRAWN:
        raise ValidationError(withdrawn)
    if merged_into is not None:
        merged_into = Amendment.objects.get(pk=merged_into.pk)  # as it is now, not as the caller last read it
    errors = recommendation_problems(
        proposal=proposal, recommendation=recommendation, text=text, merged_into=merged_into
    )
    if errors:
        raise ValidationError(errors)
    proposal.recommendation = recommendation
    amended_text = text.strip() if recommendation == Recommendation.ADOPT_AMENDED else ""
    setattr(proposal, proposal.amended_text_field, amended_text)
    proposal.recommendation_reason = reason.strip()
    if isinstance(proposal, Amendment):
        proposal.merged_into = merged_into if recommendation == Recommendation.MERGED else None
    proposal.recommended_by = user
    proposal.recommended_at = timezone.now() if recommendation else None
    proposal.save()
    return proposal


def outcome_problem(*, outcome: str, amended_text: str) -> str:
    """What is wrong with a plenary outcome ("" when nothing); shared by the service and the admin forms."""
    if outcome and outcome not in Outcome.values:
        return _("Choose an outcome.")
    if outcome == Outcome.ADOPTED_AMENDED and not (amended_text or "").strip():
        return _("The committee did not amend the text; choose “Adopted as proposed” instead.")
    return ""


@transaction.atomic
def proposal_record_outcome(
    *, proposal: P, outcome: str, user: AbstractBaseUser | None, source: str = OutcomeSource.HAND
) -> P:
    """Record (or clear, with ``outcome=""``) the plenary outcome of an amendment or statement."""
    proposal = type(proposal).objects.select_for_update().get(pk=proposal.pk)
    if outcome and proposal.status == Proposal.Status.WITHDRAWN:
        raise ValidationError({"outcome": _("The proposer withdrew it before the deadline; it is not voted on.")})
    if problem := outcome_problem(outcome=outcome, amended_text=proposal.amended_text):
        raise ValidationError({"outcome": problem})
    proposal.outcome = outcome
    proposal.outcome_source = source if outcome else ""
    proposal.outcome_recorded_by = user if outcome else None
    proposal.outcome_recorded_at = timezone.now() if outcome else None
    proposal.save(update_fields=["outcome", "outcome_source", "outcome_recorded_by", "outcome_recorded_at"])
    return proposal


# --- Amendments --------------------------------------------------------------------------------------------------

TEXT_NEEDED = (Amendment.Kind.REPLACE, Amendment.Kind.INSERT, Amendment.Kind.NEW_PARAGRAPH)
#: The code of the refusal of an amendment written against an older version of the document.
DOCUMENT_RELOADED = "document_reloaded"


@transaction.atomic
def amendment_submit(
    *,
    document: PoliticalDocument,
    submitter: Participant,
    chapter: Chapter,
    kind: str,
    line_from: int,
    line_to: int | None,
    text: str,
    justification: str,
    supporters: Iterable[Participant] = (),
    document_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Amendment:
    """A delegate proposes an amendment. The number is the next free one of the document, taken under a lock.

    ``document_version`` is the version the line numbers were read from: when the document was loaded again since,
    the lines may have moved and the amendment is refused (code ``DOCUMENT_RELOADED``). Compared under the lock that
    a reload also takes, so a reload that is under way is waited for. ``None``: the caller read the current version.
    """
    document = PoliticalDocument.objects.select_for_update().get(pk=document.pk)
    _check_proposer(
        submitter=submitter,
        congress_id=document.congress_id,
        is_open=amendments_open(document, now=now),
        closed=_("The deadline for amendments has passed."),
        no_right=_("Only delegates with the right to vote can propose amendments."),
    )
    if document_version is not None and document_version != document.version:
        raise ValidationError(
            {
                "line_from": ValidationError(
                    _("The document was loaded again (version %(version)d); the line numbers may have moved."),
                    code=DOCUMENT_RELOADED,
                    params={"version": document.version},
                )
            }
        )
    if chapter.document_id != document.pk:
        raise ValidationError({"chapter": _("Choose a chapter of this document.")})
    if kind in (Amendment.Kind.INSERT, Amendment.Kind.NEW_PARAGRAPH) or line_to is None:
        line_to = line_from
    paragraphs = document_paragraphs(document)
    problem = amending.range_problem(paragraphs, chapter=chapter.pk, kind=kind, line_from=line_from, line_to=line_to)
    if problem is not None:
        code, params = problem
        raise ValidationError({"line_from": describe_range_problem(code, {**params, "chapter_title": chapter.title})})
    text = text.replace("\r\n", "\n").strip()
    if kind in TEXT_NEEDED and not text:
        raise ValidationError({"text": _("Write the text you propose.")})
    if kind == Amendment.Kind.DELETE:
        text = ""
    supporters = _check_supporters(congress=document.congress, submitter=submitter, supporters=supporters)
    return _proposal_create(
        Amendment,
        supporters=supporters,
        document=document,
        number=_next_number(Amendment.objects.filter(document=document)),
        chapter=chapter,
        kind=kind,
        line_from=line_from,
        line_to=line_to,
        text=text,
        justification=justification.strip(),
        original_text=lines_text(paragraphs, line_from, line_to),
        document_version=document.version,
        submitter=submitter,
    )


@transaction.atomic
def amendment_withdraw(
    *, amendment: Amendment, participant: Participant, now: datetime.datetime | None = None
) -> Amendment:
    amendment = Amendment.objects.select_for_update().select_related("document").get(pk=amendment.pk)
    if amendment.proposed_by_congress_id is not None:
        raise ValidationError(
            _("%(meeting)s proposed this amendment; no delegate can withdraw it.")
            % {"meeting": amendment.proposed_by_congress.name}
        )
    return _proposal_withdraw(
        amendment,
        participant=participant,
        is_open=amendments_open(amendment.document, now=now),
        not_own=_("Only the delegate who proposed the amendment can withdraw it."),
        closed=_("The deadline has passed: an amendment can now only be withdrawn in the plenary session."),
    )


@transaction.atomic
def amendment_recommend(
    *,
    amendment: Amendment,
    recommendation: str,
    user: AbstractBaseUser | None,
    text: str = "",
    reason: str = "",
    merged_into: Amendment | None = None,
) -> Amendment:
    """The committee's recommendation. Permission (secretary of the committee, or secretariat) is the caller's."""
    return _proposal_recommend(
        amendment,
        recommendation=recommendation,
        text=text,
        reason=reason,
        user=user,
        merged_into=merged_into,
        withdrawn=_("The amendment was withdrawn; there is nothing to recommend."),
    )


def amendment_record_outcome(
    *, amendment: Amendment, outcome: str, user: AbstractBaseUser | None, source: str = OutcomeSource.HAND
) -> Amendment:
    return proposal_record_outcome(proposal=amendment, outcome=outcome, user=user, source=source)


@transaction.atomic
def amendments_forward(
    *,
    source: PoliticalDocument,
    target: PoliticalDocument,
    user: AbstractBaseUser | None,
    leave_out: Iterable[int] = (),
    now: datetime.datetime | None = None,
) -> list[Amendment]:
    """A county meeting's adopted amendments become amendments to the Landsting's document, proposed by the meeting.

    All or nothing: the amendments are placed by ``selectors.forwarding_plan`` (the same lines in the same draft,
    else where the words they change are found) and, when one of them cannot be placed, nothing is forwarded and
    the refusal lists every such amendment — unless the caller names it in ``leave_out`` (the numbers of the
    meeting's amendments the user, shown the problems, chose to leave out). Refused after the target's deadline for
    amendments, as a delegate's amendment is. Numbered in the target's numbering, under the target's lock (which also
    serialises two forwardings); an amendment forwarded before is not forwarded again (``forwarded_from`` is
    unique). Permission (``committees.forward_amendment`` and the meeting's scope) is the caller's.
    """
    target = PoliticalDocument.objects.select_for_update().select_related("congress").get(pk=target.pk)
    source = PoliticalDocument.objects.select_related("congress").get(pk=source.pk)
    plan = forwarding_plan(source=source, target=target, now=now)
    if plan.refusal:
        raise ValidationError(plan.refusal)
    leave_out = set(leave_out)
    problems = [problem.message for problem in plan.problems if problem.source.number not in leave_out]
    if problems:
        heading = _("Nothing was forwarded, because some adopted amendments do not fit the Landsting's document:")
        raise ValidationError([heading, *problems])
    number = _next_number(Amendment.objects.filter(document=target))
    paragraphs = document_paragraphs(target) if plan.items else []
    forwarded = []
    for item in plan.items:
        amendment = Amendment(
            document=target,
            number=number,
            chapter=item.chapter,
            kind=item.kind,
            line_from=item.line_from,
            line_to=item.line_to,
            text=item.text,
            justification=item.source.justification,
            original_text=lines_text(paragraphs, item.line_from, item.line_to),
            document_version=target.version,
            proposed_by_congress=source.congress,
            forwarded_from=item.source,
        )
        amendment._history_user = user  # simple_history: who forwarded it
        amendment.save()
        forwarded.append(amendment)
        number += 1
    return forwarded


def final_paragraphs(*, document: PoliticalDocument, basis: str) -> list[amending.ResultParagraph]:
    """The document with the adopted amendments (``basis="plenary"``) or the recommended ones applied.

    Raises ``amending.AmendmentConflict`` when two adopted amendments change the same lines.
    """
    from committees.selectors import amendment_change, amendments_in_order

    changes = [
        change
        for amendment in amendments_in_order(document)
        if (change := amendment_change(amendment, basis=basis)) is not None
    ]
    return amending.apply_changes(document_paragraphs(document), changes)


# --- Statements --------------------------------------------------------------------------------------------------


def _next_statement_number(congress: Congress) -> int:
    Congress.objects.select_for_update().filter(pk=congress.pk).first()  # serialises the numbering per congress
    return _next_number(Statement.objects.filter(congress=congress))


@transaction.atomic
def statement_submit(
    *,
    congress: Congress,
    submitter: Participant,
    title: str,
    text: str,
    justification: str,
    supporters: Iterable[Participant],
    now: datetime.datetime | None = None,
) -> Statement:
    """A group of delegates proposes a statement: the submitter and at least the congress' minimum of supporters."""
    _check_proposer(
        submitter=submitter,
        congress_id=congress.pk,
        is_open=statements_open(congress, now=now),
        closed=_("The deadline for statements has passed."),
        no_right=_("Only delegates with the right to vote can propose statements."),
    )
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the statement a title.")
    if not text.strip():
        errors["text"] = _("Write the text of the statement.")
    supporters = list(dict.fromkeys(supporters))
    needed = statement_settings(congress).statement_min_supporters
    if problem := _supporters_problem(congress=congress, submitter=submitter, supporters=supporters):
        errors["supporters"] = problem
    elif len(supporters) < needed:
        errors["supporters"] = _(
            "A statement from a group of delegates needs at least %(needed)d supporters besides you; you named"
            " %(count)d."
        ) % {"needed": needed, "count": len(supporters)}
    if errors:
        raise ValidationError(errors)
    return _proposal_create(
        Statement,
        supporters=supporters,
        congress=congress,
        number=_next_statement_number(congress),
        title=title.strip(),
        text=text.replace("\r\n", "\n").strip(),
        justification=justification.strip(),
        proposer_kind=Statement.ProposerKind.DELEGATES,
        submitter=submitter,
    )


def statement_proposer_problems(
    *, proposer_kind: str, proposer_name: str, organisation: Organisation | None
) -> dict[str, str]:
    """What is wrong with who proposes a statement the secretariat registers, per field (service and admin form)."""
    if proposer_kind == Statement.ProposerKind.KS_BODY and not proposer_name.strip():
        return {"proposer_name": _("Name the KS body that proposes the statement.")}
    if proposer_kind == Statement.ProposerKind.MEMBER and organisation is None:
        return {"organisation": _("Choose the member organisation that proposes the statement.")}
    if proposer_kind not in (Statement.ProposerKind.KS_BODY, Statement.ProposerKind.MEMBER):
        return {"proposer_kind": _("Statements from delegates are proposed on their personal page.")}
    return {}


@transaction.atomic
def statement_register(
    *,
    congress: Congress,
    title: str,
    text: str,
    justification: str = "",
    proposer_kind: str,
    proposer_name: str = "",
    organisation: Organisation | None = None,
    user: AbstractBaseUser | None = None,
) -> Statement:
    """The secretariat registers a statement proposed by a KS body or a member organisation (they come by letter)."""
    errors = statement_proposer_problems(
        proposer_kind=proposer_kind, proposer_name=proposer_name, organisation=organisation
    )
    if errors:
        raise ValidationError(errors)
    return _proposal_create(
        Statement,
        congress=congress,
        number=_next_statement_number(congress),
        title=title.strip(),
        text=text.strip(),
        justification=justification.strip(),
        proposer_kind=proposer_kind,
        proposer_name=proposer_name.strip() if proposer_kind == Statement.ProposerKind.KS_BODY else "",
        organisation=organisation if proposer_kind == Statement.ProposerKind.MEMBER else None,
    )


@transaction.atomic
def statement_withdraw(
    *, statement: Statement, participant: Participant, now: datetime.datetime | None = None
) -> Statement:
    statement = Statement.objects.select_for_update().select_related("congress").get(pk=statement.pk)
    return _proposal_withdraw(
        statement,
        participant=participant,
        is_open=statements_open(statement.congress, now=now),
        not_own=_("Only the delegate who proposed the statement can withdraw it."),
        closed=_("The deadline has passed: a statement can now only be withdrawn in the plenary session."),
    )


@transaction.atomic
def statement_recommend(
    *, statement: Statement, recommendation: str, user: AbstractBaseUser | None, final_text: str = "", reason: str = ""
) -> Statement:
    """The drafting committee's recommendation. Permission (its secretary, or the secretariat) is the caller's."""
    return _proposal_recommend(
        statement,
        recommendation=recommendation,
        text=final_text,
        reason=reason,
        user=user,
        withdrawn=_("The statement was withdrawn; there is nothing to recommend."),
    )


def statement_record_outcome(
    *, statement: Statement, outcome: str, user: AbstractBaseUser | None, source: str = OutcomeSource.HAND
) -> Statement:
    return proposal_record_outcome(proposal=statement, outcome=outcome, user=user, source=source)


# --- Committees --------------------------------------------------------------------------------------------------


@transaction.atomic
def committee_publish_recommendation(*, committee: Committee, published: bool) -> Committee:
    """Show (or hide again) the committee's recommendations to the delegates. Permission is the caller's."""
    Committee.objects.filter(pk=committee.pk).update(recommendation_published=published)
    committee.recommendation_published = published
    return committee


def committee_problems(
    *,
    committee: Committee,
    chapters: Iterable[Chapter],
    members: Iterable[Participant],
    chair: Participant | None,
) -> dict[str, str]:
    """What is wrong with a committee's set-up, per field (used by the admin form)."""
    errors = {}
    chapters = list(chapters)
    members = list(members)
    congress_id = committee.congress_id
    if committee.kind == Committee.Kind.DRAFTING and chapters:
        errors["chapters"] = _("The drafting committee handles the statements, not chapters of the document.")
    elif chapters:
        foreign = [c for c in chapters if c.document.congress_id != congress_id]
        taken = (
            Committee.objects.filter(chapters__in=chapters)
            .exclude(pk=committee.pk)
            .values_list("chapters__number", "chapters__title", "name")
            .distinct()
        )
        taken = [row for row in taken if row[0] in {c.number for c in chapters}]
        if foreign:
            errors["chapters"] = _("Choose chapters of this congress' document.")
        elif taken:
            errors["chapters"] = _("Chapter %(number)d (%(title)s) is already handled by %(committee)s.") % {
                "number": taken[0][0],
                "title": taken[0][1],
                "committee": taken[0][2],
            }
    strangers = [m for m in members if m.congress_id != congress_id]
    if strangers:
        errors["members"] = _("%(names)s do not take part in this congress.") % {
            "names": ", ".join(m.full_name for m in strangers)
        }
    if chair is not None and chair.pk not in {m.pk for m in members}:
        errors["chair"] = _("The chair must be one of the members.")
    return errors


# --- Plenary votes (core.decisions) -------------------------------------------------------------------------------


def _decision_subjects(key: str, label: str, group: str, *, amended: bool) -> list:
    """A subject to vote on, and its "as amended by the committee" variant when the committee changed the text."""
    from core.decisions import Subject

    subjects = [Subject(key=key, label=label, group=group)]
    if amended:
        variant = _("%(subject)s as amended by the committee") % {"subject": label}
        subjects.append(Subject(key=f"{key}:amended", label=variant, group=group))
    return subjects


def amendment_decision_subjects(congress: Congress) -> list:
    """The amendments the plenary can still vote on, for a yes/no poll (registered in ``apps.py``)."""
    amendments = (
        Amendment.objects.filter(document__congress=congress, status=Amendment.Status.SUBMITTED, outcome="")
        .exclude(recommendation=Recommendation.MERGED)
        .order_by("line_from", "number")
    )
    group = _("Amendments")
    return [
        subject
        for amendment in amendments
        for subject in _decision_subjects(
            f"committees.amendment:{amendment.pk}",
            _("Amendment %(number)d (%(lines)s)") % {"number": amendment.number, "lines": amendment.lines_label},
            group,
            amended=bool(amendment.recommendation_text),
        )
    ]


def statement_decision_subjects(congress: Congress) -> list:
    """The statements the plenary can still vote on, for a yes/no poll (registered in ``apps.py``)."""
    statements = Statement.objects.filter(congress=congress, status=Statement.Status.SUBMITTED, outcome="")
    group = _("Statements")
    return [
        subject
        for statement in statements.order_by("number")
        for subject in _decision_subjects(
            f"committees.statement:{statement.pk}",
            _("Statement %(number)d: %(title)s") % {"number": statement.number, "title": statement.title},
            group,
            amended=bool(statement.final_text),
        )
    ]


def decision_record(*, key: str, adopted: bool, user: AbstractBaseUser | None) -> None:
    """The published result of a plenary vote on an amendment or statement becomes its outcome."""
    prefix, pk, *variant = key.split(":")
    adopted_as = Outcome.ADOPTED_AMENDED if variant == ["amended"] else Outcome.ADOPTED
    outcome = adopted_as if adopted else Outcome.REJECTED
    if prefix == "committees.amendment":
        amendment = Amendment.objects.filter(pk=int(pk)).first()
        if amendment is not None:
            amendment_record_outcome(amendment=amendment, outcome=outcome, user=user, source=OutcomeSource.VOTE)
    elif prefix == "committees.statement":
        statement = Statement.objects.filter(pk=int(pk)).first()
        if statement is not None:
            statement_record_outcome(statement=statement, outcome=outcome, user=user, source=OutcomeSource.VOTE)
