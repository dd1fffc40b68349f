"""Writes of the surveys: a participant's draft and their submission.

A submission writes "who has answered" (``Respondent``) and "what was answered" (``AnswerSet`` and ``Answer``) in one
transaction, with nothing that links the two (surveys/models.py). The unique ``Respondent`` row is what makes a
participant answer once: of two submissions racing, the second waits (on the survey's row, and failing that on the
unique index) and is refused.

The transaction would still pair the two on PostgreSQL: the rows it inserts carry its id (``xmin``), and rows are
stored in the order written (``ctid``). So each submission writes all the survey's answer sets again, under new
random keys and in a random order, the new one among them: afterwards every live answer row bears the id of the last
submission (which names nobody in particular) and sits where a shuffle put it. The old row versions, and the deleted
draft, are VACUUMed away after the commit (docs/DESIGN.md §12 says what that does not reach).
"""

from __future__ import annotations

import datetime
import logging
import secrets
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delegates.models import Participant
from surveys.models import Answer, AnswerSet, Draft, Question, Respondent, Survey
from surveys.selectors import has_answered, questions_for, survey_is_open

logger = logging.getLogger(__name__)

#: The longest free-text answer taken.
FREE_TEXT_LIMIT = 5000
SCALE = range(1, 6)


def question_field(question: Question) -> str:
    """The key of a question's answer and of its refusal (and the name of its form field)."""
    return f"question_{question.pk}"


def _empty(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _normalised(question: Question, value: Any) -> int | list[int] | str:
    """The answer as stored (a scale value, the chosen choices' ids, a text), or ValidationError with the message."""
    kind = question.kind
    if kind == Question.Kind.SCALE_1_5:
        number = _whole_number(value)
        if number not in SCALE:
            raise ValidationError(_("Choose a value from 1 to 5."))
        return number
    if kind == Question.Kind.FREE_TEXT:
        if not isinstance(value, str):
            raise ValidationError(_("Write the answer as text."))
        text = value.strip()
        if len(text) > FREE_TEXT_LIMIT:
            raise ValidationError(
                _("Write at most %(limit)d characters (this answer has %(length)d).")
                % {"limit": FREE_TEXT_LIMIT, "length": len(text)}
            )
        return text
    offered = {choice.pk for choice in question.choices.all()}
    values = value if isinstance(value, (list, tuple)) else [value]
    chosen = [_whole_number(item) for item in values]
    if any(choice not in offered for choice in chosen):
        raise ValidationError(_("Choose among this question's choices."))
    if kind == Question.Kind.SINGLE_CHOICE:
        if len(chosen) != 1:
            raise ValidationError(_("Choose one answer."))
        return chosen[0]
    return sorted(set(chosen))


def _checked_answers(
    *, questions: list[Question], answers: dict, require: bool
) -> dict[Question, int | list[int] | str]:
    """The given answers to the participant's questions, normalised. Refused, keyed by question: a malformed value,
    an answer to a question not asked of this participant, and (``require``) a required question left unanswered."""
    by_key = {question_field(question): question for question in questions}
    given = {}
    errors: dict[str, list[str]] = {}
    for key, value in (answers or {}).items():
        name = key if str(key).startswith("question_") else f"question_{key}"
        question = by_key.get(name)
        if question is None:
            errors.setdefault(NON_FIELD_ERRORS, []).append(_("An answer was given to a question you are not asked."))
            continue
        if _empty(value):
            continue
        try:
            given[question] = _normalised(question, value)
        except ValidationError as refusal:
            errors[name] = refusal.messages
    if require:
        for question in questions:
            if question.required and question not in given and question_field(question) not in errors:
                errors[question_field(question)] = [_("This question must be answered.")]
    if errors:
        raise ValidationError(errors)
    return given


def _check_may_answer(*, survey: Survey, participant: Participant, now: datetime.datetime) -> None:
    if participant.congress_id != survey.congress_id or participant.status != Participant.Status.ACTIVE:
        raise ValidationError(_("This survey is not for you."))
    if not survey_is_open(survey, now=now):
        if now < survey.opens_at:
            raise ValidationError(_("The survey is not open yet."))
        raise ValidationError(_("The survey has closed."))
    if has_answered(survey, participant):
        raise ValidationError(_("You have already answered this survey."))


@transaction.atomic
def survey_draft_save(
    *, survey: Survey, participant: Participant, answers: dict, now: datetime.datetime | None = None
) -> Draft:
    """Keep the participant's answers so far, replacing the ones kept before. Required questions may be left open;
    a malformed answer is refused (keyed by its question) and nothing is changed."""
    # After a submission racing this save, not before it: no draft is left behind for one who has answered.
    list(Survey.objects.select_for_update().filter(pk=survey.pk).values_list("pk"))
    _check_may_answer(survey=survey, participant=participant, now=now or timezone.now())
    given = _checked_answers(questions=questions_for(survey, participant), answers=answers, require=False)
    draft, _created = Draft.objects.update_or_create(
        survey=survey,
        participant=participant,
        defaults={"answers": {question_field(question): value for question, value in given.items()}},
    )
    return draft


def survey_draft(survey: Survey, participant: Participant) -> dict:
    """The participant's answers kept so far (empty when there is no draft), keyed as ``question_field``."""
    draft = Draft.objects.filter(survey=survey, participant=participant).first()
    return dict(draft.answers) if draft else {}


@transaction.atomic
def survey_submit(
    *, survey: Survey, participant: Participant, answers: dict, now: datetime.datetime | None = None
) -> None:
    """Record the participant's answers, once. Refused, with messages keyed by question: a required question left
    unanswered, a malformed value or a choice of another question; refused outright before the survey opens, after its
    closing date, and when the participant has answered already (also by a submission racing this one)."""
    # One submission of a survey at a time: each rewrites all its answer sets (see the module's docstring).
    list(Survey.objects.select_for_update().filter(pk=survey.pk).values_list("pk"))
    _check_may_answer(survey=survey, participant=participant, now=now or timezone.now())
    given = _checked_answers(questions=questions_for(survey, participant), answers=answers, require=True)
    try:
        with transaction.atomic():
            Respondent.objects.create(survey=survey, participant=participant)
    except IntegrityError:
        raise ValidationError(_("You have already answered this survey.")) from None
    new_set = [_answer(question, value) for question, value in given.items()]
    _answer_sets_rewrite(survey=survey, added=(participant.county_id, new_set))
    Draft.objects.filter(survey=survey, participant=participant).delete()
    transaction.on_commit(_vacuum_answer_tables)


def survey_drafts_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the drafts of the surveys that have closed: they hold a participant with half their answers, and can no
    longer be submitted. Returns how many were deleted."""
    now = now or timezone.now()
    closed = [
        survey.pk for survey in Survey.objects.all() if not survey_is_open(survey, now=now) and now > survey.opens_at
    ]
    deleted, _by_model = Draft.objects.filter(survey_id__in=closed).delete()
    return deleted


def _answer(question: Question, value: int | list[int] | str) -> Answer:
    """An unsaved answer to ``question`` (its set is given when it is written)."""
    if question.kind == Question.Kind.SCALE_1_5:
        return Answer(question=question, scale=value)
    if question.kind == Question.Kind.FREE_TEXT:
        return Answer(question=question, text=value)
    return Answer(question=question, choices=value if isinstance(value, list) else [value])


def _answer_sets_rewrite(*, survey: Survey, added: tuple[int | None, list[Answer]]) -> None:
    """Write the survey's answer sets, and ``added`` (a county and its answers) as one more, again: new random keys, a
    random order."""
    counties = dict(AnswerSet.objects.filter(survey=survey).values_list("pk", "county_id"))
    sets: dict[object, list[Answer]] = {pk: [] for pk in counties}
    for answer in Answer.objects.filter(answer_set__survey=survey):
        sets[answer.answer_set_id].append(
            Answer(question_id=answer.question_id, scale=answer.scale, choices=answer.choices, text=answer.text)
        )
    contents = [(counties[pk], answers) for pk, answers in sets.items()]
    contents.append(added)
    _shuffle(contents)
    Answer.objects.filter(answer_set__survey=survey).delete()
    AnswerSet.objects.filter(survey=survey).delete()
    answer_sets = AnswerSet.objects.bulk_create(AnswerSet(survey=survey, county_id=county) for county, _a in contents)
    rows = []
    for answer_set, (_county, content) in zip(answer_sets, contents, strict=True):
        _shuffle(content)
        for answer in content:
            answer.answer_set = answer_set
            rows.append(answer)
    Answer.objects.bulk_create(rows)


def _vacuum_answer_tables() -> None:
    """After a submission on PostgreSQL: VACUUM the answers' tables and the drafts', so that the dead row versions
    are removed from their pages now rather than whenever autovacuum comes. Each earlier rewrite's dead answers carry
    the transaction id of the submission that wrote them (the set that submission added is the difference between two
    of them), and the deleted draft, which holds the participant and much of what they answered, carries this
    submission's id as its ``xmax``. Needs autocommit (it runs after the commit). As for the ballots (§11), it does not
    zero the freed space, remove a version an older snapshot still sees, or reach the write-ahead log or backups. A
    failure (no privilege, a lock) is logged and changes nothing in the submission."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in (Answer, AnswerSet, Draft))
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (INDEX_CLEANUP ON) {tables}")
    except DatabaseError:
        logger.warning("VACUUM of the survey answers' tables after a submission failed", exc_info=True)


def _shuffle(items: list) -> None:
    secrets.SystemRandom().shuffle(items)
