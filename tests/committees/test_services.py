"""The committee work's writes: loading the document, amendments, statements, recommendations and outcomes."""

import datetime
import threading
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from committees.amending import AmendmentConflict
from committees.apps import COMMITTEE_SECRETARY_GROUP
from committees.models import Amendment, Chapter, Paragraph, PoliticalDocument, Statement
from committees.selectors import document_paragraphs, lines_text
from committees.services import (
    amendment_recommend,
    amendment_record_outcome,
    amendment_withdraw,
    final_paragraphs,
    political_document_load,
    statement_register,
    statement_submit,
)
from core.deadlines import deadline_closes_at
from core.groups import staff_groups_ensure
from delegates.models import Participant
from tests.committees.factories import (
    SAMPLE_DOCUMENT,
    StatementSettingsFactory,
    delegate,
    load_document,
    submit_amendment,
)
from tests.factories import CongressFactory, OrganisationFactory, ParticipantFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]


# --- Loading -------------------------------------------------------------------------------------------------------


def test_loading_numbers_the_lines_once_and_keeps_them():
    document = load_document(line_length=60)
    assert document.version == 1
    assert list(Chapter.objects.filter(document=document).values_list("number", "first_line", "last_line")) == [
        (1, 1, 7),
        (2, 8, 12),
        (3, 13, 16),
    ]
    paragraphs = list(Paragraph.objects.filter(document=document).order_by("position"))
    numbers = [number for paragraph in paragraphs for number, _line in paragraph.numbered_lines()]
    assert numbers == list(range(1, 17))
    assert all(len(line.rstrip()) <= 60 for paragraph in paragraphs for line in paragraph.lines)
    assert paragraphs[3].kind == "list_item"
    assert lines_text(document_paragraphs(document), 10, 10) == "Nye oppgaver skal være fullfinansiert."


def test_a_text_that_cannot_be_loaded_says_why_and_nothing_is_stored():
    congress = CongressFactory()
    with pytest.raises(ValidationError) as error:
        political_document_load(
            congress=congress,
            text="Innledning uten kapittel.\n\n## Kapittel\n\nTekst.",
            text_format="markdown",
            line_length=80,
            user=None,
        )
    assert "before the first chapter" in " ".join(error.value.messages)
    assert not PoliticalDocument.objects.filter(congress=congress).exists()


def test_loading_again_needs_confirmation_when_amendments_refer_to_the_lines():
    document = load_document()
    submit_amendment(document, delegate(document.congress))
    with pytest.raises(ValidationError, match="1 amendments refer to the current line numbers"):
        political_document_load(
            congress=document.congress, text=SAMPLE_DOCUMENT, text_format="markdown", line_length=60, user=None
        )
    document.refresh_from_db()
    assert document.version == 1


def test_loading_again_flags_amendments_whose_lines_changed_or_no_longer_exist():
    document = load_document()
    author = delegate(document.congress)
    unchanged = submit_amendment(document, author, chapter=1, line_from=1, line_to=2)
    changed = submit_amendment(document, author, chapter=1, line_from=6, line_to=7)
    gone = submit_amendment(document, author, chapter=3, line_from=13, line_to=16)
    shorter = SAMPLE_DOCUMENT.replace("KS vil arbeide for at flere unge", "KS skal arbeide for at flere unge")
    shorter = shorter[: shorter.index("## Arbeidsgiverpolitikk")]

    result = political_document_load(
        congress=document.congress,
        text=shorter,
        text_format="markdown",
        line_length=60,
        user=None,
        amendments_confirmed=True,
    )

    assert (result.amendments_checked, result.amendments_with_problems) == (3, 2)
    problems = dict(Amendment.objects.values_list("pk", "range_problem"))
    assert problems[unchanged.pk] == ""
    assert problems[changed.pk] == Amendment.RangeProblem.CHANGED
    assert problems[gone.pk] == Amendment.RangeProblem.MISSING
    assert Chapter.objects.filter(document=document).count() == 2


# --- Amendments ----------------------------------------------------------------------------------------------------


def test_amendments_are_numbered_in_order_and_keep_the_lines_they_change():
    document = load_document()
    author = delegate(document.congress)
    first = submit_amendment(document, author, line_from=6, line_to=7)
    second = submit_amendment(document, author, kind="insert", line_from=3, line_to=5, text="Tillegg.")
    assert (first.number, second.number) == (1, 2)
    assert first.original_text.startswith("KS vil arbeide for at flere unge")
    assert (second.line_from, second.line_to) == (3, 3)  # an insertion is at one line
    deletion = submit_amendment(document, author, kind="delete", line_from=6, line_to=6, text="ignored")
    assert deletion.text == ""


@pytest.mark.parametrize(
    ("chapter", "line_from", "line_to", "message"),
    [
        (1, 15, 16, "are not all in chapter"),
        (1, 40, 41, "do not exist"),
        (1, 7, 6, None),
    ],
)
def test_a_range_that_does_not_exist_in_the_chapter_is_refused_with_a_reason(chapter, line_from, line_to, message):
    document = load_document()
    with pytest.raises(ValidationError) as error:
        submit_amendment(document, delegate(document.congress), chapter=chapter, line_from=line_from, line_to=line_to)
    assert "line_from" in error.value.message_dict
    if message:
        assert message in error.value.message_dict["line_from"][0]
    assert not Amendment.objects.exists()


def test_the_form_closes_at_the_deadline():
    document = load_document()
    author = delegate(document.congress)
    with pytest.raises(ValidationError, match="deadline"):
        submit_amendment(document, author, now=deadline_closes_at(document.amendment_deadline))
    document.amendment_deadline = None
    document.save()
    with pytest.raises(ValidationError, match="deadline"):
        submit_amendment(document, author)


def test_only_delegates_with_the_right_to_vote_propose():
    document = load_document()
    observer = ParticipantFactory(congress=document.congress, role=Participant.Role.OBSERVER)
    withdrawn = delegate(document.congress, status=Participant.Status.WITHDRAWN)
    for person in (observer, withdrawn):
        with pytest.raises(ValidationError, match="right to vote"):
            submit_amendment(document, person)


def test_supporters_must_be_delegates_of_the_same_congress():
    document = load_document()
    author = delegate(document.congress)
    colleague = delegate(document.congress)
    stranger = delegate(CongressFactory())
    with pytest.raises(ValidationError) as error:
        submit_amendment(document, author, supporters=[colleague, stranger])
    assert stranger.full_name in error.value.message_dict["supporters"][0]
    amendment = submit_amendment(document, author, supporters=[colleague, colleague])
    assert list(amendment.supporters.all()) == [colleague]


def test_a_proposer_withdraws_their_own_amendment_before_the_deadline_only():
    document = load_document()
    author, other = delegate(document.congress), delegate(document.congress)
    amendment = submit_amendment(document, author)
    with pytest.raises(ValidationError, match="Only the delegate who proposed"):
        amendment_withdraw(amendment=amendment, participant=other)
    with pytest.raises(ValidationError, match="plenary"):
        amendment_withdraw(amendment=amendment, participant=author, now=deadline_closes_at(document.amendment_deadline))
    amendment_withdraw(amendment=amendment, participant=author)
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.WITHDRAWN


def test_recommendations_are_checked():
    document = load_document()
    author = delegate(document.congress)
    first, second = submit_amendment(document, author), submit_amendment(document, author)
    with pytest.raises(ValidationError) as error:
        amendment_recommend(amendment=first, recommendation="adopt_amended", text=" ", user=None)
    assert "recommendation_text" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        amendment_recommend(amendment=first, recommendation="merged", merged_into=first, user=None)
    assert "itself" in error.value.message_dict["merged_into"][0]
    amendment_recommend(amendment=first, recommendation="merged", merged_into=second, user=None, reason="Samme sak.")
    with pytest.raises(ValidationError) as error:
        amendment_recommend(amendment=second, recommendation="merged", merged_into=first, user=None)
    assert "is itself taken into another" in error.value.message_dict["merged_into"][0]
    with pytest.raises(ValidationError, match="did not amend"):
        amendment_record_outcome(amendment=second, outcome="adopted_amended", user=None)


def test_the_final_text_applies_what_the_plenary_adopted():
    document = load_document()
    author = delegate(document.congress)
    replaced = submit_amendment(document, author, line_from=6, line_to=7, text="KS vil at flere unge stiller til valg.")
    amended = submit_amendment(
        document, author, chapter=2, kind="new_paragraph", line_from=12, line_to=12, text="Nytt punkt."
    )
    rejected = submit_amendment(document, author, chapter=3, kind="delete", line_from=13, line_to=16)
    amendment_recommend(amendment=amended, recommendation="adopt_amended", text="Nytt og bedre punkt.", user=None)
    amendment_record_outcome(amendment=replaced, outcome="adopted", user=None)
    amendment_record_outcome(amendment=amended, outcome="adopted_amended", user=None)
    amendment_record_outcome(amendment=rejected, outcome="rejected", user=None)

    texts = [paragraph.text for paragraph in final_paragraphs(document=document, basis="plenary")]

    assert "KS vil at flere unge stiller til valg." in texts
    assert not any(text.startswith("KS vil arbeide") for text in texts)
    assert texts[texts.index("Veksten i frie inntekter må dekke den demografiske utviklingen.") + 1] == (
        "Nytt og bedre punkt."
    )
    assert any(text.startswith("Kommunesektoren er landets største arbeidsgiver.") for text in texts)
    recommended = [paragraph.text for paragraph in final_paragraphs(document=document, basis="recommendation")]
    assert "Nytt og bedre punkt." in recommended
    assert "KS vil at flere unge stiller til valg." not in recommended  # no recommendation recorded for it


def test_two_adopted_amendments_to_the_same_lines_cannot_both_be_applied():
    document = load_document()
    author = delegate(document.congress)
    one = submit_amendment(document, author, line_from=6, line_to=7, text="Én versjon.")
    two = submit_amendment(document, author, line_from=7, line_to=7, text="En annen versjon.")
    for amendment in (one, two):
        amendment_record_outcome(amendment=amendment, outcome="adopted", user=None)
    with pytest.raises(AmendmentConflict) as conflict:
        final_paragraphs(document=document, basis="plenary")
    assert set(conflict.value.numbers) == {one.number, two.number}


@pytest.mark.django_db(transaction=True)
def test_simultaneous_amendments_get_different_numbers():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite database is not shared between threads")
    document = load_document()
    authors = [delegate(document.congress) for _ in range(5)]
    barrier = threading.Barrier(len(authors))
    errors: list[BaseException] = []

    def submit(author):
        try:
            barrier.wait(timeout=10)
            submit_amendment(document, author)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(author,)) for author in authors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(Amendment.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]


def test_an_amendment_written_against_an_older_version_of_the_document_is_refused():
    document = load_document()
    author = delegate(document.congress)
    read_version = document.version
    political_document_load(
        congress=document.congress, text=SAMPLE_DOCUMENT, text_format="markdown", line_length=60, user=None
    )
    with pytest.raises(ValidationError) as error:
        submit_amendment(document, author, document_version=read_version)
    assert [problem.code for problem in error.value.error_dict["line_from"]] == ["document_reloaded"]
    assert "loaded again" in error.value.message_dict["line_from"][0]
    assert not Amendment.objects.exists()
    assert submit_amendment(document, author, document_version=read_version + 1).document_version == read_version + 1


@pytest.mark.django_db(transaction=True)
def test_an_amendment_that_waited_for_a_reload_of_the_document_is_refused():
    """The version is compared under the document's lock: a reload that holds the lock is seen by the submission."""
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks that make one transaction wait for another (PostgreSQL)")
    document = load_document()
    author = delegate(document.congress)
    read_version = document.version
    locked = threading.Event()
    results: dict[str, object] = {}

    def reload():
        try:
            with transaction.atomic():
                PoliticalDocument.objects.select_for_update().get(pk=document.pk)
                locked.set()
                time.sleep(0.5)  # the submission is now waiting for the lock
                political_document_load(
                    congress=document.congress, text=SAMPLE_DOCUMENT, text_format="markdown", line_length=60, user=None
                )
                results["reloaded_at"] = time.monotonic()  # just before the commit releases the lock
        except BaseException as error:
            results["reload_error"] = error
        finally:
            connections.close_all()

    def submit():
        try:
            assert locked.wait(timeout=10)
            submit_amendment(document, author, document_version=read_version)
        except ValidationError as error:
            results["refused_at"] = time.monotonic()
            results["refusal"] = error
        except BaseException as error:
            results["submit_error"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reload), threading.Thread(target=submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert "reload_error" not in results and "submit_error" not in results, results
    assert results["refused_at"] >= results["reloaded_at"]  # it waited for the reload, then compared
    assert "loaded again" in results["refusal"].message_dict["line_from"][0]
    assert not Amendment.objects.exists()
    assert PoliticalDocument.objects.get(pk=document.pk).version == read_version + 1


# --- Statements ----------------------------------------------------------------------------------------------------


def _open_statements(congress, minimum=3):
    StatementSettingsFactory(
        congress=congress,
        statement_deadline=timezone.localdate() + datetime.timedelta(days=3),
        statement_min_supporters=minimum,
    )


def test_a_statement_from_delegates_needs_the_configured_number_of_supporters():
    congress = CongressFactory()
    _open_statements(congress, minimum=3)
    author = delegate(congress)
    supporters = [delegate(congress) for _ in range(3)]
    with pytest.raises(ValidationError) as error:
        statement_submit(
            congress=congress,
            submitter=author,
            title="Kraft",
            text="Tekst.",
            justification="",
            supporters=supporters[:2],
        )
    assert "at least 3 supporters" in error.value.message_dict["supporters"][0]
    statement = statement_submit(
        congress=congress, submitter=author, title="Kraft", text="Tekst.", justification="", supporters=supporters
    )
    assert statement.number == 1
    assert statement.supporters.count() == 3
    assert statement.proposer_label == f"{author.full_name} and others"


def test_statements_close_at_the_deadline():
    congress = CongressFactory()
    _open_statements(congress, minimum=0)
    with pytest.raises(ValidationError, match="deadline"):
        statement_submit(
            congress=congress,
            submitter=delegate(congress),
            title="Kraft",
            text="Tekst.",
            justification="",
            supporters=[],
            now=deadline_closes_at(congress.statement_settings.statement_deadline),
        )


def test_the_secretariat_registers_statements_from_ks_bodies_and_members():
    congress = CongressFactory()
    with pytest.raises(ValidationError) as error:
        statement_register(congress=congress, title="Ferje", text="Tekst.", proposer_kind="ks_body")
    assert "proposer_name" in error.value.message_dict
    body = statement_register(
        congress=congress, title="Ferje", text="Tekst.", proposer_kind="ks_body", proposer_name="Hovedstyret"
    )
    member = statement_register(
        congress=congress, title="Kraft", text="Tekst.", proposer_kind="member", organisation=OrganisationFactory()
    )
    assert (body.number, member.number) == (1, 2)
    assert Statement.objects.count() == 2


# --- Groups --------------------------------------------------------------------------------------------------------


def test_committee_secretaries_record_recommendations_but_not_outcomes():
    staff_groups_ensure()
    codenames = set(Permission.objects.filter(group__name=COMMITTEE_SECRETARY_GROUP).values_list("codename", flat=True))
    assert {"change_amendment", "change_statement", "view_committee"} <= codenames
    assert not codenames & {"record_outcome", "change_committee", "change_politicaldocument", "view_participant"}
    regional = set(Permission.objects.filter(group__name="Regionkontor").values_list("codename", flat=True))
    assert {"view_amendment", "view_statement"} <= regional
    assert "change_amendment" not in regional
    assert Group.objects.filter(name=COMMITTEE_SECRETARY_GROUP).count() == 1


def test_a_published_plenary_vote_records_the_outcome_of_its_amendment():
    from core import decisions

    document = load_document()
    author = delegate(document.congress)
    amendment = submit_amendment(document, author)
    amendment_recommend(amendment=amendment, recommendation="adopt_amended", text="Komiteens tekst.", user=None)
    keys = [subject.key for subject in decisions.subjects(document.congress)]
    assert keys == [f"committees.amendment:{amendment.pk}", f"committees.amendment:{amendment.pk}:amended"]

    assert decisions.record_outcome(key=f"committees.amendment:{amendment.pk}:amended", adopted=True, user=None)
    amendment.refresh_from_db()
    assert (amendment.outcome, amendment.outcome_source) == ("adopted_amended", "vote")
    assert decisions.subjects(document.congress) == []  # decided: no longer offered
    assert not decisions.record_outcome(key="unknown.thing:1", adopted=True, user=None)
