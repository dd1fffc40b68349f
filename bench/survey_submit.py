"""What one survey submission costs as the answers grow (issue 17; docs/DESIGN.md §12).

A submission writes all the survey's answer sets again under new keys in a random order, so that no transaction id or
storage order pairs an answer with its respondent, and VACUUMs the answers' and drafts' tables after its commit. That
costs more with every answer already given: this bench measures how much.

Drops and creates the PostgreSQL database ``ks_landsting_bench_survey`` (or ``$BENCH_SURVEY_DB``; a name of one's own
on a shared server), runs ``migrate``, and builds a congress with a survey of ten questions (four scales, two one
choice, two several choices, two free texts) and enough participants. For each size in ``--sizes`` it fills the
survey with that many sets of answers (plain rows, as earlier submissions leave them), then times ``--runs``
submissions through ``surveys.services.survey_submit``, each in its own transaction as from a phone (autocommit, so
the VACUUM after the commit runs and is timed with it). Prints the median, fastest and slowest milliseconds per
submission and the rows written.

    .venv/bin/python bench/survey_submit.py [--sizes 150 500 1000] [--runs 15] [--quick]
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._shared import parse_args  # noqa: E402

DB_NAME = os.environ.get("BENCH_SURVEY_DB", "ks_landsting_bench_survey")
os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ks_landsting.settings")
os.environ.setdefault("DEBUG", "false")


def database_recreate() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DB_NAME}"')


def survey_build(participants: int):
    from agenda.models import Congress
    from delegates.models import County, Participant
    from surveys.models import Choice, Question, Survey

    congress = Congress.objects.create(
        name="Benklandsting",
        year=2024,
        first_day=datetime.date(2024, 2, 13),
        last_day=datetime.date(2024, 2, 14),
        registration_deadline=datetime.date(2024, 1, 15),
        city="Trondheim",
    )
    county = County.objects.create(number="50", name="Trøndelag")
    Participant.objects.bulk_create(
        Participant(
            congress=congress,
            county=county,
            first_name="Deltaker",
            last_name=str(number),
            email=f"deltaker{number}@bench.test",
            role=Participant.Role.DELEGATE,
        )
        for number in range(participants)
    )
    survey = Survey.objects.create(congress=congress, title="Evaluering", closes_on=datetime.date(2024, 3, 1))
    kinds = [Question.Kind.SCALE_1_5] * 4 + [Question.Kind.SINGLE_CHOICE] * 2
    kinds += [Question.Kind.MULTIPLE_CHOICE] * 2 + [Question.Kind.FREE_TEXT] * 2
    for position, kind in enumerate(kinds):
        question = Question.objects.create(survey=survey, position=position, kind=kind, text=f"Spørsmål {position}?")
        if question.has_choices:
            Choice.objects.bulk_create(Choice(question=question, position=n, text=f"Valg {n}") for n in range(4))
    return survey


def answers_for(survey, number: int) -> dict:
    from surveys.models import Question
    from surveys.services import question_field

    answers = {}
    for question in survey.questions.prefetch_related("choices"):
        choices = [choice.pk for choice in question.choices.all()]
        if question.kind == Question.Kind.SCALE_1_5:
            answers[question_field(question)] = 1 + number % 5
        elif question.kind == Question.Kind.SINGLE_CHOICE:
            answers[question_field(question)] = choices[number % 4]
        elif question.kind == Question.Kind.MULTIPLE_CHOICE:
            answers[question_field(question)] = choices[number % 4 :: 2]
        else:
            answers[question_field(question)] = f"Svar nummer {number}: bra møte, men for lite tid til å snakke sammen."
    return answers


def answer_sets_fill(survey, size: int) -> None:
    """The survey holds ``size`` sets of answers (plain rows, as earlier submissions leave them)."""
    from surveys.models import Answer, AnswerSet
    from surveys.services import _answer

    AnswerSet.objects.filter(survey=survey).delete()
    questions = {f"question_{question.pk}": question for question in survey.questions.all()}
    sets = AnswerSet.objects.bulk_create(AnswerSet(survey=survey) for _number in range(size))
    rows = []
    for number, answer_set in enumerate(sets):
        for key, value in answers_for(survey, number).items():
            answer = _answer(questions[key], value)
            answer.answer_set = answer_set
            rows.append(answer)
    Answer.objects.bulk_create(rows, batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[150, 500, 1000])
    parser.add_argument("--runs", type=int, default=15)
    args = parse_args(parser, quick={"sizes": [50, 150], "runs": 3})

    database_recreate()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from delegates.models import Participant
    from surveys.models import Answer, Respondent
    from surveys.services import survey_submit

    call_command("migrate", verbosity=0)
    survey = survey_build(participants=len(args.sizes) * args.runs)
    people = iter(Participant.objects.filter(congress=survey.congress).order_by("pk"))
    now = timezone.make_aware(datetime.datetime(2024, 2, 20, 12, 0))

    print(f"{datetime.date.today()}, {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}")
    print(f"PostgreSQL database {DB_NAME}; 10 questions; {args.runs} submissions per size, each its own transaction")
    print(f"{'answer sets before':>20} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'answer rows':>12}")
    for size in args.sizes:
        answer_sets_fill(survey, size)
        Respondent.objects.filter(survey=survey).delete()
        timings = []
        for number in range(args.runs):
            participant = next(people)
            started = time.perf_counter()
            survey_submit(survey=survey, participant=participant, answers=answers_for(survey, number), now=now)
            timings.append((time.perf_counter() - started) * 1000)
        rows = Answer.objects.filter(answer_set__survey=survey).count()
        print(
            f"{size:>20} {statistics.median(timings):>10.1f} {min(timings):>8.1f} {max(timings):>8.1f} {rows:>12}",
            flush=True,
        )
    connection.close()


if __name__ == "__main__":
    main()
