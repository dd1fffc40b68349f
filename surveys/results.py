"""The survey's results for staff (issue 17): the response rates, each question's figures and the free texts, within
the scope the user may see, and the same question's figures in the earlier congress's survey.

Reads only. The scope: the secretariat sees the whole survey, or one county it picks; a regional office sees the answer
sets of its own counties (``AnswerSet.county``), or one of them. The answers are shown once the survey has closed, and
then only in a scope with at least ``Survey.min_answers_for_free_text`` answer sets, and not in a county held back so
that a smaller one cannot be worked out by subtraction (``held_back_counties``); otherwise the response rate alone
(docs/DESIGN.md §12). Used by the results page, the CSV and the PDF report, so they show the same figures.

The answers are read in a fixed number of queries, whatever their number, and counted here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agenda.roles import Role
from agenda.selectors import congresses_visible_to
from core.deadlines import deadline_is_open
from delegates.models import County, RegionalOffice
from delegates.selectors import counties_visible_to, user_sees_all_counties
from surveys.models import Answer, AnswerSet, Question, Respondent, Survey
from surveys.selectors import survey_participants

SCALE = range(1, 6)
#: The permission of the results page, its CSV and its PDF report: the secretariat and the regional offices have it
#: (surveys/apps.py); what each sees within is decided here.
RESULTS_PERMISSION = "surveys.view_answerset"


def _language() -> str:
    return (get_language() or "nb").split("-")[0]


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: float
    #: False for a bar of an earlier survey's question that did not offer this choice (matched by the choice's text).
    offered: bool = True


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    number: int
    text: str
    event_title: str | None
    n: int
    bars: list[Bar]
    mean: float | None
    texts: list[str] | None
    earlier: QuestionResult | None
    earlier_congress_name: str | None

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def is_scale(self) -> bool:
        return self.question.kind == Question.Kind.SCALE_1_5

    @property
    def is_free_text(self) -> bool:
        return self.question.kind == Question.Kind.FREE_TEXT

    @property
    def texts_counted(self) -> list[tuple[str, int]] | None:
        """The free texts, each different text once with how many gave it, in their sorted order (None: hidden)."""
        if self.texts is None:
            return None
        return [(text, len(list(same))) for text, same in groupby(self.texts)]

    @property
    def several_choices(self) -> bool:
        return self.question.kind == Question.Kind.MULTIPLE_CHOICE


@dataclass(frozen=True)
class RateRow:
    label: str
    answered: int
    asked: int

    @property
    def rate(self) -> float | None:
        """The share who answered, 0 to 1; None when nobody was asked."""
        return self.answered / self.asked if self.asked else None


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    scope_label: str
    answer_sets: int
    minimum: int
    shown: bool
    rate: RateRow
    rates_by_county: list[RateRow]
    rates_by_role: list[RateRow]
    questions: list[QuestionResult]
    #: The county picked, or None for the user's whole scope.
    county: County | None = None
    #: True for the secretariat's view of the whole survey (every answer set, also those without a county).
    whole_survey: bool = False
    #: Whether the free texts are shown in this scope (answer sets ≥ minimum).
    free_texts_shown: bool = False
    #: The counties the user may pick, in order.
    counties: list[County] = field(default_factory=list)
    #: True while the survey takes answers: only the response rates are shown until it has closed.
    still_open: bool = False
    #: True when the scope has enough answer sets but is held back all the same, because another county's answers,
    #: held back below the minimum, would follow from it by subtraction (``held_back_counties``).
    held_back: bool = False


# --- Who sees what ------------------------------------------------------------------------------------------------


def surveys_visible_to(user) -> QuerySet[Survey]:
    """The surveys of the congresses the user may see on the staff pages (``agenda.selectors.congresses_visible_to``);
    none for a user who is not active staff."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return Survey.objects.none()
    return Survey.objects.filter(congress__in=congresses_visible_to(user)).select_related("congress")


def results_counties(user) -> list[County]:
    """The counties the user may pick on the results page: every county for the secretariat, a regional office's own."""
    return list(counties_visible_to(user).order_by("number"))


@dataclass(frozen=True)
class _Scope:
    label: str
    whole: bool
    answer_sets: QuerySet[AnswerSet]
    county_ids: list[int] | None  # None: every county and none (the whole survey)


def _scope(survey: Survey, *, user, county: County | None, counties: list[County]) -> _Scope:
    sets = AnswerSet.objects.filter(survey=survey)
    if county is not None:
        if county.pk not in {c.pk for c in counties}:
            raise PermissionDenied
        return _Scope(label=county.name, whole=False, answer_sets=sets.filter(county=county), county_ids=[county.pk])
    if user_sees_all_counties(user):
        return _Scope(label=_("All counties"), whole=True, answer_sets=sets, county_ids=None)
    offices = ", ".join(RegionalOffice.objects.filter(staff=user).order_by("name").values_list("name", flat=True))
    ids = [c.pk for c in counties]
    label = _("Your counties (%(offices)s)") % {"offices": offices} if offices else _("Your counties")
    return _Scope(label=label, whole=False, answer_sets=sets.filter(county_id__in=ids), county_ids=ids)


# --- The response rates -------------------------------------------------------------------------------------------


def _rates(survey: Survey, scope: _Scope, counties: list[County]) -> tuple[RateRow, list[RateRow], list[RateRow]]:
    participants = survey_participants(survey)
    if scope.county_ids is not None:
        participants = participants.filter(county_id__in=scope.county_ids)
    answered = Exists(Respondent.objects.filter(survey=survey, participant=OuterRef("pk")))
    rows = (
        participants.annotate(has_answered=answered)
        .values("county_id", "role")
        .annotate(asked=Count("pk"), answered=Count("pk", filter=Q(has_answered=True)))
        .order_by()
    )
    by_county: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    by_role: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        for totals, key in ((by_county, row["county_id"]), (by_role, row["role"])):
            totals[key][0] += row["answered"]
            totals[key][1] += row["asked"]
    answered_total = sum(a for a, _n in by_county.values())
    asked_total = sum(n for _a, n in by_county.values())
    overall = RateRow(label=_("All"), answered=answered_total, asked=asked_total)
    shown_counties = counties if scope.county_ids is None else [c for c in counties if c.pk in scope.county_ids]
    county_rows = [
        RateRow(label=county.name, answered=by_county[county.pk][0], asked=by_county[county.pk][1])
        for county in shown_counties
        if by_county.get(county.pk, [0, 0])[1] or scope.county_ids is not None
    ]
    if scope.county_ids is None and by_county.get(None, [0, 0])[1]:
        county_rows.append(RateRow(label=_("No county"), answered=by_county[None][0], asked=by_county[None][1]))
    role_rows = [
        RateRow(label=str(role.label), answered=by_role[role.value][0], asked=by_role[role.value][1])
        for role in Role
        if by_role.get(role.value, [0, 0])[1]
    ]
    known = {role.value for role in Role}
    for key, (a, n) in by_role.items():
        if key not in known and n:
            role_rows.append(RateRow(label=key, answered=a, asked=n))
    return overall, county_rows, role_rows


# --- The questions ------------------------------------------------------------------------------------------------


def _answers_by_question(questions: list[Question], answer_sets: QuerySet[AnswerSet] | None) -> dict[int, list]:
    """Each question's answers as (scale, choices, text), in one query. ``answer_sets`` None: every answer."""
    answers = Answer.objects.filter(question__in=[q.pk for q in questions])
    if answer_sets is not None:
        answers = answers.filter(answer_set__in=answer_sets.values("pk"))
    found: dict[int, list] = defaultdict(list)
    for question_id, scale, choices, text in answers.values_list("question_id", "scale", "choices", "text"):
        found[question_id].append((scale, choices, text))
    return found


def _share(count: int, n: int) -> float:
    return count / n if n else 0.0


def _text_key(text: str) -> tuple[str, str]:
    return (text.casefold(), text)


def _figures(
    question: Question, answers: list, *, language: str, with_texts: bool
) -> tuple[int, list[Bar], float | None, list[str] | None]:
    """(n, bars, mean, texts) of one question's answers."""
    kind = question.kind
    if kind == Question.Kind.SCALE_1_5:
        values = [scale for scale, _c, _t in answers if scale is not None]
        n = len(values)
        counts = Counter(values)
        bars = [Bar(label=str(value), count=counts[value], share=_share(counts[value], n)) for value in SCALE]
        return n, bars, (sum(values) / n if n else None), None
    if kind == Question.Kind.FREE_TEXT:
        texts = [text.strip() for _s, _c, text in answers if text and text.strip()]
        # Sorted, so that their order says nothing of the order of answering.
        return len(texts), [], None, sorted(texts, key=_text_key) if with_texts else None
    chosen = [choices for _s, choices, _t in answers if choices]
    n = len(chosen)
    counts = Counter(pk for choices in chosen for pk in set(choices))
    bars = [
        Bar(label=choice.text_in(language), count=counts[choice.pk], share=_share(counts[choice.pk], n))
        for choice in question.choices.all()
    ]
    return n, bars, None, None


def _choice_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _aligned(current: Question, earlier: Question, bars: list[Bar], labels: list[str]) -> list[Bar]:
    """The earlier question's bars in the current question's order and labels, its choices matched by their text
    (bokmål); a choice the earlier question did not offer gets a bar that is not ``offered``."""
    if current.kind not in (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE):
        return bars
    earlier_bars = {_choice_key(choice.text): bar for choice, bar in zip(earlier.choices.all(), bars, strict=True)}
    aligned = []
    for choice, label in zip(current.choices.all(), labels, strict=True):
        bar = earlier_bars.get(_choice_key(choice.text))
        aligned.append(
            Bar(label=label, count=bar.count, share=bar.share)
            if bar
            else Bar(label=label, count=0, share=0.0, offered=False)
        )
    return aligned


def _question_key(question: Question) -> tuple[str, str]:
    return (" ".join(question.text.split()).casefold(), question.kind)


def _earlier_questions(survey: Survey, questions: list[Question], user) -> dict[int, Question]:
    """For each question (by pk), the question it is compared with: its ``compare_with``, or else the question with
    the same text (bokmål) and kind in the latest earlier survey of a congress of the same kind; only surveys the user
    may see."""
    visible = surveys_visible_to(user)
    earlier_surveys = visible.filter(
        congress__first_day__lt=survey.congress.first_day, congress__kind=survey.congress.kind
    ).order_by("-congress__first_day", "-pk")
    latest = earlier_surveys.first()
    explicit_ids = {q.compare_with_id for q in questions if q.compare_with_id}
    candidates = Question.objects.filter(
        Q(pk__in=explicit_ids, survey__in=visible.values("pk")) | Q(survey=latest)
    ).select_related("survey__congress")
    candidates = list(candidates.prefetch_related("choices")) if (explicit_ids or latest) else []
    by_pk = {q.pk: q for q in candidates}
    by_text = {}
    if latest is not None:
        for candidate in candidates:
            if candidate.survey_id == latest.pk:
                by_text.setdefault(_question_key(candidate), candidate)
    matched = {}
    for question in questions:
        earlier = by_pk.get(question.compare_with_id) if question.compare_with_id else None
        if earlier is None and latest is not None:
            earlier = by_text.get(_question_key(question))
        if earlier is not None and earlier.kind == question.kind:
            matched[question.pk] = earlier
    return matched


def _earlier_in_scope(
    earlier_of: dict[int, Question], scope: _Scope, *, county: County | None, universe: list[int] | None
) -> tuple[dict[int, Question], dict[int, list]]:
    """The comparisons the scope may show, and their answers: each earlier survey's answer sets in the same counties,
    by the same rules as the survey's own (closed, the minimum, the held-back counties); a regional office sees no
    other office's counties of the earlier survey either."""
    shown_surveys = {}
    for earlier_survey in {question.survey for question in earlier_of.values()}:
        sets = AnswerSet.objects.filter(survey=earlier_survey)
        if scope.county_ids is not None:
            sets = sets.filter(county_id__in=scope.county_ids)
        shown, _held_back = _shown_in(earlier_survey, sets_count=sets.count(), county=county, universe=universe)
        if shown and not deadline_is_open(earlier_survey.closes_on, timezone.now()):
            shown_surveys[earlier_survey.pk] = None if scope.whole else sets
    kept = {pk: question for pk, question in earlier_of.items() if question.survey_id in shown_surveys}
    answers: dict[int, list] = defaultdict(list)
    for survey_id, sets in shown_surveys.items():
        of_survey = [question for question in kept.values() if question.survey_id == survey_id]
        answers.update(_answers_by_question(of_survey, sets))
    return kept, answers


def _questions(
    survey: Survey,
    scope: _Scope,
    *,
    with_texts: bool,
    user,
    language: str,
    county: County | None,
    universe: list[int] | None,
) -> list[QuestionResult]:
    questions = list(survey.questions.select_related("event").prefetch_related("choices"))
    answers = _answers_by_question(questions, None if scope.whole else scope.answer_sets)
    earlier_of = _earlier_questions(survey, questions, user)
    earlier_answers: dict[int, list] = {}
    if earlier_of:
        earlier_of, earlier_answers = _earlier_in_scope(earlier_of, scope, county=county, universe=universe)
    results = []
    for number, question in enumerate(questions, start=1):
        n, bars, mean, texts = _figures(question, answers[question.pk], language=language, with_texts=with_texts)
        earlier = None
        if (old := earlier_of.get(question.pk)) is not None:
            old_n, old_bars, old_mean, _texts = _figures(
                old, earlier_answers[old.pk], language=language, with_texts=False
            )
            earlier = QuestionResult(
                question=old,
                number=0,
                text=old.text_in(language),
                event_title=None,
                n=old_n,
                bars=_aligned(question, old, old_bars, [bar.label for bar in bars]),
                mean=old_mean,
                texts=None,
                earlier=None,
                earlier_congress_name=None,
            )
        results.append(
            QuestionResult(
                question=question,
                number=number,
                text=question.text_in(language),
                event_title=question.event.title_in(language) if question.event_id else None,
                n=n,
                bars=bars,
                mean=mean,
                texts=texts,
                earlier=earlier,
                earlier_congress_name=old.survey.congress.name if earlier is not None else None,
            )
        )
    return results


# --- The results --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    scope: _Scope
    counties: list[County]
    answer_sets: int
    shown: bool
    free_texts_shown: bool
    held_back: bool = False
    still_open: bool = False
    universe: list[int] | None = None


def _shown_in(
    survey: Survey, *, sets_count: int, county: County | None, universe: list[int] | None
) -> tuple[bool, bool]:
    """(shown, held back) of a scope with ``sets_count`` answer sets of ``survey``: shown from the survey's minimum on,
    and a county picked only when it is not held back among the counties of ``universe`` (``held_back_counties``)."""
    if sets_count < survey.min_answers_for_free_text:
        return False, False
    if county is not None and county.pk in held_back_counties(survey, county_ids=universe):
        return False, True
    return True, False


def held_back_counties(survey: Survey, *, county_ids: list[int] | None) -> set[int]:
    """The counties whose results are not shown on their own, of those in ``county_ids`` (None: every county, the
    secretariat's whole survey, where the answer sets without a county count too).

    First those with fewer answer sets than the minimum. Then, since the whole (the survey, or a regional office's
    counties together) is shown, the whole minus the counties shown would give the ones held back, together: while
    those held back (and the sets without a county) come to between one and the minimum, the smallest county still
    shown is held back as well."""
    minimum = survey.min_answers_for_free_text
    counts = dict(
        AnswerSet.objects.filter(survey=survey).values_list("county_id").annotate(sets=Count("pk")).order_by()
    )
    in_scope = {pk: n for pk, n in counts.items() if pk is not None and (county_ids is None or pk in county_ids)}
    held_back = {pk for pk, n in in_scope.items() if n < minimum}
    rest = sum(in_scope[pk] for pk in held_back) + (counts.get(None, 0) if county_ids is None else 0)
    shown = sorted((n, pk) for pk, n in in_scope.items() if pk not in held_back)
    while 0 < rest < minimum and shown:
        n, pk = shown.pop(0)
        held_back.add(pk)
        rest += n
    return held_back


def _checked(survey: Survey, *, user, county: County | None) -> _Checked:
    """The scope the user may see and what it shows; PermissionDenied for a survey or a county not the user's."""
    if not surveys_visible_to(user).filter(pk=survey.pk).exists():
        raise PermissionDenied
    counties = results_counties(user)
    scope = _scope(survey, user=user, county=county, counties=counties)
    answer_sets = scope.answer_sets.count()
    minimum = survey.min_answers_for_free_text
    universe = None if user_sees_all_counties(user) else [c.pk for c in counties]
    # While answers come in, each change of the figures is one person's answers: they are shown once it has closed.
    still_open = deadline_is_open(survey.closes_on, timezone.now())
    shown, held_back = _shown_in(survey, sets_count=answer_sets, county=county, universe=universe)
    shown = shown and not still_open
    return _Checked(
        scope=scope,
        counties=counties,
        answer_sets=answer_sets,
        shown=shown,
        free_texts_shown=shown and answer_sets >= minimum,
        held_back=held_back,
        still_open=still_open,
        universe=universe,
    )


def survey_results(survey: Survey, *, user, county: County | None = None) -> SurveyResults:
    """The survey's results within what ``user`` may see (the module's docstring). PermissionDenied for a survey the
    user may not see and for a county outside the user's counties."""
    checked = _checked(survey, user=user, county=county)
    scope = checked.scope
    overall, by_county, by_role = _rates(survey, scope, checked.counties)
    questions = []
    if checked.shown:
        questions = _questions(
            survey,
            scope,
            with_texts=checked.free_texts_shown,
            user=user,
            language=_language(),
            county=county,
            universe=checked.universe,
        )
    return SurveyResults(
        survey=survey,
        scope_label=scope.label,
        answer_sets=checked.answer_sets,
        minimum=survey.min_answers_for_free_text,
        shown=checked.shown,
        rate=overall,
        rates_by_county=by_county,
        rates_by_role=by_role,
        questions=questions,
        county=county,
        whole_survey=scope.whole,
        free_texts_shown=checked.free_texts_shown,
        counties=checked.counties,
        held_back=checked.held_back,
        still_open=checked.still_open,
    )


@dataclass(frozen=True)
class AnswersTable:
    """The anonymous answers within a scope, one row per answer set (the CSV download)."""

    headers: list[str]
    rows: list[list[object]]


def answers_table(survey: Survey, *, user, county: County | None = None) -> AnswersTable:
    """Every answer set within the scope of ``survey_results``, in the order of their random keys (which says
    nothing of the order of answering), a column per question: the scale value, the choices' texts joined by "; ",
    the text. No rows while the survey takes answers, below the minimum or in a county held back (``_checked``).

    No county column, not even in the secretariat's view of the whole survey: it would give a county's answers below
    the minimum, which the page does not show, and in a county where few answered it would pair answers with people
    (the response rates say who answered, county by county)."""
    checked = _checked(survey, user=user, county=county)
    language = _language()
    questions = list(survey.questions.prefetch_related("choices"))
    headers = [_("Answer set")]
    headers += [f"{number}. {question.text_in(language)}" for number, question in enumerate(questions, start=1)]
    if not checked.shown:
        return AnswersTable(headers=headers, rows=[])
    column = {question.pk: index for index, question in enumerate(questions)}
    choice_texts = {choice.pk: choice.text_in(language) for q in questions for choice in q.choices.all()}
    choice_order = {pk: index for index, pk in enumerate(choice_texts)}
    free_text = {q.pk for q in questions if q.kind == Question.Kind.FREE_TEXT}
    cells: dict[object, list[object]] = {}
    # One statement (the sets and their answers joined), so that a submission rewriting every set under new keys
    # meanwhile cannot leave the sets of one snapshot and the answers of another.
    joined = checked.scope.answer_sets.values_list(
        "pk", "answers__question_id", "answers__scale", "answers__choices", "answers__text"
    )
    for set_id, question_id, scale, choices, text in joined:
        row = cells.setdefault(set_id, [""] * len(questions))
        if question_id not in column:
            continue
        if scale is not None:
            value: object = scale
        elif choices:
            known = [pk for pk in choices if pk in choice_texts]  # a choice deleted since is left out
            value = "; ".join(choice_texts[pk] for pk in sorted(known, key=choice_order.__getitem__))
        elif question_id in free_text:
            value = (text or "") if checked.free_texts_shown else ""
        else:
            value = text or ""
        row[column[question_id]] = value
    keys = sorted(cells)
    rows = [[number, *cells[pk]] for number, pk in enumerate(keys, start=1)]
    return AnswersTable(headers=headers, rows=rows)
