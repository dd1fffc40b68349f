"""No answer can be traced to the person who gave it (issue 17, item 3), in the same way as ballots (DESIGN.md §11).

"Who has answered" (``Respondent``) and "what was answered" (``AnswerSet``, ``Answer``) share no column, and the
answers hold no time and no order: random keys, no person, no moment. Each participant answers once, also when
two submissions come at the same moment (PostgreSQL).
"""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AddField, AlterField, CreateModel
from django.utils import translation

from delegates.models import County
from surveys.models import Answer, AnswerSet, Draft, Question, Respondent, Survey
from surveys.services import question_field, survey_draft_save, survey_submit
from tests.factories import CongressFactory, ParticipantFactory
from tests.surveys.factories import OPEN, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

#: Words that would name a person or a moment in a column.
TELLING = ("participant", "respondent", "user", "person", "time", "date", "_at", "_on", "created", "updated", "seq")


def _columns(model) -> tuple[set[str], set[str]]:
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, model._meta.db_table)
        relations = connection.introspection.get_relations(cursor, model._meta.db_table)
    return {column.name for column in columns}, {table for _column, table in relations.values()}


def test_the_answer_tables_name_no_person_no_moment_and_no_order():
    names, referenced = _columns(AnswerSet)
    # The county of the one who answered, for the regional offices' results above the minimum (DESIGN.md §12).
    assert names == {"id", "survey_id", "county_id"}
    assert referenced == {Survey._meta.db_table, County._meta.db_table}
    names, referenced = _columns(Answer)
    assert names == {"id", "answer_set_id", "question_id", "scale", "choices", "text"}
    assert referenced == {AnswerSet._meta.db_table, Question._meta.db_table}
    for model in (AnswerSet, Answer):
        assert model._meta.pk.get_internal_type() == "UUIDField"  # a random key: no order to match
        for field in model._meta.get_fields():
            assert not any(word in field.name for word in TELLING), f"{model.__name__}.{field.name}"
            assert field.related_model not in (Respondent, Draft) and "auth" not in str(field.related_model)
    assert {field.name for field in AnswerSet._meta.get_fields()} == {"id", "survey", "county", "answers"}


def test_the_respondent_table_says_who_answered_and_nothing_about_what_or_when():
    assert {field.name for field in Respondent._meta.get_fields()} == {"id", "survey", "participant"}
    assert Respondent._meta.pk.get_internal_type() == "UUIDField"
    names, _referenced = _columns(Respondent)
    assert names == {"id", "survey_id", "participant_id"}


def test_no_migration_gives_the_answers_a_person_a_moment_or_an_order():
    """Every migration of the app as it is applied: the fields it gives the answer tables and ``Respondent``."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    migrations = [migration for (app, _name), migration in loader.disk_migrations.items() if app == "surveys"]
    assert migrations
    given: dict[str, list[tuple[str, object]]] = {"answerset": [], "answer": [], "respondent": []}
    for migration in migrations:
        for operation in migration.operations:
            if isinstance(operation, CreateModel) and operation.name_lower in given:
                given[operation.name_lower] += list(operation.fields)
            elif isinstance(operation, (AddField, AlterField)) and operation.model_name_lower in given:
                given[operation.model_name_lower].append((operation.name, operation.field))
    for model in ("answerset", "answer"):
        for name, field in given[model]:
            assert not any(word in name for word in TELLING), (model, name)
            assert field.get_internal_type() not in ("AutoField", "BigAutoField", "DateTimeField", "DateField")
            assert getattr(field, "remote_field", None) is None or field.remote_field.model in (
                "surveys.survey",
                "surveys.answerset",
                "surveys.question",
                "delegates.county",
            ), (model, name)
    assert {name for name, _field in given["respondent"]} == {"id", "survey", "participant"}
    assert all(field.get_internal_type() == "UUIDField" for name, field in given["respondent"] if name == "id")


def test_the_answer_keys_are_random_and_not_in_the_order_of_answering(english_in_test):
    survey = SurveyFactory(congress=CongressFactory())
    scale = QuestionFactory(survey=survey, kind=Question.Kind.SCALE_1_5)
    for person in ParticipantFactory.create_batch(12, congress=survey.congress):
        survey_submit(survey=survey, participant=person, answers={question_field(scale): 3}, now=OPEN)
    keys = list(AnswerSet.objects.order_by("id").values_list("id", flat=True))
    assert len(keys) == 12 and all(key.version == 4 for key in keys)
    respondents = list(Respondent.objects.order_by("id").values_list("id", flat=True))
    assert not set(keys) & set(respondents)


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_moment_give_one_respondent_and_one_set_of_answers():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested against PostgreSQL")
    survey = SurveyFactory(congress=CongressFactory())
    scale = QuestionFactory(survey=survey, kind=Question.Kind.SCALE_1_5, required=True)
    people = ParticipantFactory.create_batch(20, congress=survey.congress)
    attempts = [person for person in people for _twice in range(2)]
    outcomes = {"ok": 0, "again": 0}
    lock = threading.Lock()
    start = threading.Barrier(8)

    def submit(person):
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                start.wait(5)
            with translation.override("en"):  # a thread starts in the site's language, bokmål
                survey_submit(survey=survey, participant=person, answers={question_field(scale): 4}, now=OPEN)
            key = "ok"
        except ValidationError as refusal:
            assert refusal.messages == ["You have already answered this survey."]
            key = "again"
        finally:
            connections.close_all()
        with lock:
            outcomes[key] += 1

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(submit, attempts))

    assert outcomes == {"ok": 20, "again": 20}
    assert Respondent.objects.filter(survey=survey).count() == 20
    assert AnswerSet.objects.filter(survey=survey).count() == 20
    assert Answer.objects.filter(question=scale).count() == 20


@pytest.mark.django_db(transaction=True)  # each submission in a transaction of its own, as from the phones
def test_neither_the_transaction_ids_nor_the_storage_order_pair_an_answer_with_its_respondent():
    if connection.vendor != "postgresql":
        pytest.skip("transaction ids and storage order are PostgreSQL's")
    survey = SurveyFactory(congress=CongressFactory())
    text = QuestionFactory(survey=survey, kind=Question.Kind.FREE_TEXT)
    people = ParticipantFactory.create_batch(30, congress=survey.congress)
    submitted = []
    for number, person in enumerate(people):
        survey_submit(survey=survey, participant=person, answers={question_field(text): f"svar {number}"}, now=OPEN)
        submitted.append(f"svar {number}")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.text, a.xmin::text, s.xmin::text FROM surveys_answer a"
            " JOIN surveys_answerset s ON s.id = a.answer_set_id WHERE s.survey_id = %s ORDER BY s.ctid",
            [survey.pk],
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT xmin::text FROM surveys_respondent WHERE survey_id = %s", [survey.pk])
        respondent_transactions = [row[0] for row in cursor.fetchall()]

    assert sorted(text for text, _answer, _set in rows) == sorted(submitted)
    answer_transactions = {xmin for _text, answer, answer_set in rows for xmin in (answer, answer_set)}
    # Every answer row was last written by one transaction (the last submission's): it points at no one in particular.
    assert len(answer_transactions) == 1
    assert len(set(respondent_transactions)) == 30
    assert [text for text, _answer, _set in rows] != submitted  # stored in an order that is not the order of answering


def _raw_tuples(cursor, table: str) -> list[tuple[str, bytes]]:
    """Every tuple version in the table's pages, live or dead: (t_xmin, t_data)."""
    cursor.execute("SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int", [table])
    found = []
    for block in range(cursor.fetchone()[0]):
        cursor.execute(
            "SELECT t_xmin::text, t_data FROM heap_page_items(get_raw_page(%s, %s)) WHERE t_data IS NOT NULL",
            [table, block],
        )
        found += [(xmin, bytes(data)) for xmin, data in cursor.fetchall()]
    return found


@pytest.mark.django_db(transaction=True)  # each submission in a transaction of its own, so that its VACUUM runs
def test_no_dead_version_of_an_answer_or_a_draft_is_left_in_the_pages_to_pair_an_answer_with_its_respondent():
    """Each submission rewrites the answers; the versions it replaced carry the earlier submissions' transaction ids,
    and the draft it deletes holds the participant with their answers. Read from the raw pages (dead versions too),
    none of them is left after the submission's commit."""
    if connection.vendor != "postgresql":
        pytest.skip("raw pages are PostgreSQL's")
    with connection.cursor() as cursor:
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        except Exception as error:  # any reason it is missing
            pytest.skip(f"pageinspect is not available in this PostgreSQL: {error}")
    survey = SurveyFactory(congress=CongressFactory())
    text = QuestionFactory(survey=survey, kind=Question.Kind.FREE_TEXT)
    people = ParticipantFactory.create_batch(12, congress=survey.congress)
    with translation.override("en"):
        for number, person in enumerate(people):
            answer = {question_field(text): f"utkast-og-svar-{number:02d}"}
            survey_draft_save(survey=survey, participant=person, answers=answer, now=OPEN)
            survey_submit(survey=survey, participant=person, answers=answer, now=OPEN)

    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM surveys_respondent WHERE survey_id = %s", [survey.pk])
        respondents = {row[0] for row in cursor.fetchall()}
        answer_versions = _raw_tuples(cursor, Answer._meta.db_table)
        set_versions = _raw_tuples(cursor, AnswerSet._meta.db_table)
        draft_versions = _raw_tuples(cursor, Draft._meta.db_table)

    assert len(answer_versions) == len(people) and len(set_versions) == len(people)  # the live rows and no others
    answer_transactions = {xmin for xmin, _data in answer_versions + set_versions}
    assert len(answer_transactions) == 1  # the last submission's, only: no earlier submission's version is left
    assert len(respondents) == len(people)
    assert not [data for _xmin, data in draft_versions if b"utkast-og-svar" in data]
