"""Time to render the survey's PDF report (issue 17, item 5: "It renders in under 5 s").

Builds the demo data in a throw-away SQLite file database in a temporary directory (``migrate`` and ``seed_demo``):
the demo's survey of Landstinget 2024 (ten questions of every kind, about 150 sets of answers, compared with
Landstinget 2020's). Without a demo survey (an older ``seed_demo``) the bench makes one of its own on Landstinget 2024:
``--questions`` questions (scales, one choice, several choices, free texts) and ``--answer-sets`` sets of answers
spread over the counties, written straight into the tables, with a respondent for each from the congress's
participants.

Then renders ``surveys.printing.render_report`` as the secretariat (the whole survey) and as the regional office KS
Viken (its own counties, when the demo has it): once to warm up (fonts, CSS parsing, templates, matplotlib), then
``--runs`` times each. Prints the median, fastest and slowest wall-clock seconds, the median CPU seconds of the process
(steadier on a shared machine), the pages, the size and the SQL queries per rendering. Target (issue 17): under 5 s.

    .venv/bin/python bench/survey_report.py [--runs 5] [--language nb|en] [--keep-pdfs DIR] [--quick]

``--quick``: one timed run of each.
"""

import argparse
import io
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._shared import measure, parse_args  # noqa: E402

TMP = Path(tempfile.mkdtemp(prefix="ks-survey-report-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"  # an absolute path: sqlite:////tmp/...
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ks_landsting.settings")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

CONGRESS = ("Landstinget 2024", 2024)
REGIONAL_OFFICE_EMAIL = "viken@ks-landsting.test"
SECRETARIAT_EMAIL = "sekretariat@ks-landsting.test"
READERS = [("secretariat (whole survey)", SECRETARIAT_EMAIL), ("KS Viken (its counties)", REGIONAL_OFFICE_EMAIL)]


def survey_own(congress, *, questions: int, answer_sets: int):
    """A survey of the bench's own on ``congress`` (see the module's docstring), the same every run."""
    import datetime

    from delegates.models import Participant
    from surveys.models import Answer, AnswerSet, Choice, Question, Respondent, Survey

    rng = random.Random(2024)
    survey = Survey.objects.create(
        congress=congress, title="Evaluering av Landstinget 2024", closes_on=congress.last_day + datetime.timedelta(15)
    )
    kinds = [
        Question.Kind.SCALE_1_5,
        Question.Kind.SINGLE_CHOICE,
        Question.Kind.SCALE_1_5,
        Question.Kind.MULTIPLE_CHOICE,
        Question.Kind.FREE_TEXT,
    ]
    made = []
    for number in range(questions):
        kind = kinds[number % len(kinds)]
        question = Question.objects.create(
            survey=survey, position=number, kind=kind, text=f"Spørsmål {number + 1}: hvordan opplevde du økt {number}?"
        )
        choices = [
            Choice.objects.create(question=question, position=i, text=f"Svaralternativ {i + 1} – «{number + 1}»").pk
            for i in range(4 if question.has_choices else 0)
        ]
        made.append((question, choices))
    participants = list(Participant.objects.filter(congress=congress, status=Participant.Status.ACTIVE)[:answer_sets])
    sets = AnswerSet.objects.bulk_create(
        AnswerSet(survey=survey, county_id=participants[i % len(participants)].county_id) for i in range(answer_sets)
    )
    rows = []
    for answer_set in sets:
        for question, choices in made:
            if question.kind == Question.Kind.SCALE_1_5:
                rows.append(Answer(answer_set=answer_set, question=question, scale=rng.choice([2, 3, 4, 4, 5, 5])))
            elif question.kind == Question.Kind.FREE_TEXT:
                if rng.random() < 0.4:
                    rows.append(Answer(answer_set=answer_set, question=question, text="Gode debatter, for lite tid."))
            elif question.kind == Question.Kind.SINGLE_CHOICE:
                rows.append(Answer(answer_set=answer_set, question=question, choices=[rng.choice(choices)]))
            else:
                rows.append(Answer(answer_set=answer_set, question=question, choices=rng.sample(choices, 2)))
    Answer.objects.bulk_create(rows)
    Respondent.objects.bulk_create(Respondent(survey=survey, participant=p) for p in participants)
    return survey


def build(args):
    from agenda.models import Congress
    from surveys.models import Survey

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    congress = Congress.objects.get(name=CONGRESS[0], year=CONGRESS[1])
    survey = Survey.objects.filter(congress=congress).first()
    source = "the demo's"
    if survey is None or not survey.answer_sets.exists():
        if survey is not None:
            survey.delete()
        survey = survey_own(congress, questions=args.questions, answer_sets=args.answer_sets)
        source = "the bench's own"
    return survey, source, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--language", choices=["nb", "en"], default="nb")
    parser.add_argument("--questions", type=int, default=10, help="without a demo survey: its questions")
    parser.add_argument("--answer-sets", type=int, default=150, help="without a demo survey: its sets of answers")
    parser.add_argument("--keep-pdfs", type=Path, help="write the last rendering of each report into this directory")
    args = parse_args(parser, quick={"runs": 1})

    import weasyprint

    from core.models import User
    from surveys.models import AnswerSet
    from surveys.printing import render_report

    try:
        survey, source, build_seconds = build(args)
        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, WeasyPrint {weasyprint.__version__}; "
            f"load average {' '.join(f'{load:.1f}' for load in os.getloadavg())}"
        )
        print(
            f"data: {source} survey of {survey.congress.name}: {survey.questions.count()} questions, "
            f"{AnswerSet.objects.filter(survey=survey).count()} sets of answers; built in {build_seconds:.1f} s "
            f"(SQLite, {TMP})"
        )
        print(f"language: {args.language}; warm-up 1, runs {args.runs}")
        print(f"{'':32}{'median s':>10}{'min s':>8}{'max s':>8}{'CPU s':>8}{'pages':>7}{'KiB':>7}{'queries':>9}")
        medians = {}
        for name, email in READERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                print(f"{name:32}(no such demo user: {email})")
                continue
            result = measure(lambda user=user: render_report(survey, user=user, language=args.language), args.runs)
            medians[name] = statistics.median(result["walls"])
            print(
                f"{name:32}{medians[name]:10.3f}{min(result['walls']):8.3f}"
                f"{max(result['walls']):8.3f}{statistics.median(result['cpus']):8.3f}{result['pages']:7d}"
                f"{result['bytes'] / 1024:7.0f}{result['queries']:9d}"
            )
            if args.keep_pdfs:
                args.keep_pdfs.mkdir(parents=True, exist_ok=True)
                filename = f"survey_report_{email.split('@')[0]}_{args.language}.pdf"
                (args.keep_pdfs / filename).write_bytes(result["pdf"])
        slowest = max(medians.values())
        print(f"target: under 5 s: {'met' if slowest < 5 else 'NOT met'} (slowest median {slowest:.3f} s)")
    finally:
        connection.close()
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
