"""Who may do what in the committee admin: the secretariat, a committee's secretary, regional staff."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from committees.apps import COMMITTEE_SECRETARY_GROUP
from committees.models import Amendment, Chapter, Committee, PoliticalDocument, Statement
from committees.services import amendment_recommend, amendment_submit, statement_recommend, statement_register
from core.groups import staff_groups_ensure
from tests.committees.factories import SAMPLE_DOCUMENT, CommitteeFactory, delegate, load_document
from tests.factories import (
    CongressFactory,
    SecretariatUserFactory,
    StaffUserFactory,
    regional_staff_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]


@pytest.fixture
def work():
    """A document with two committees (chapter 1 and chapter 2), a secretary of the first, an amendment to each."""
    staff_groups_ensure()
    document = load_document()
    congress = document.congress
    secretary = StaffUserFactory(email="sekretar@ks.no")
    secretary.groups.add(Group.objects.get(name=COMMITTEE_SECRETARY_GROUP))
    chapters = {chapter.number: chapter for chapter in Chapter.objects.filter(document=document)}
    first = CommitteeFactory(congress=congress, name="Komité 1", secretary=secretary)
    first.chapters.set([chapters[1]])
    second = CommitteeFactory(congress=congress, name="Komité 2")
    second.chapters.set([chapters[2], chapters[3]])
    author = delegate(congress)

    def submit(chapter, line_from, line_to):
        return amendment_submit(
            document=document,
            submitter=author,
            chapter=chapters[chapter],
            kind="replace",
            line_from=line_from,
            line_to=line_to,
            text="Ny tekst.",
            justification="",
        )

    return {
        "document": document,
        "secretary": secretary,
        "first": first,
        "second": second,
        "own": submit(1, 6, 7),
        "other": submit(2, 8, 9),
        "submit": submit,
    }


def _recommendation_post(**overrides):
    return {
        "recommendation": "adopt_amended",
        "recommendation_text": "Komiteens tekst.",
        "recommendation_reason": "Bedre slik.",
        "merged_into": "",
        **overrides,
    }


def test_a_secretary_records_the_recommendation_of_their_own_committee(client, work):
    client.force_login(work["secretary"])
    url = reverse("admin:committees_amendment_change", args=[work["own"].pk])
    response = client.post(url, _recommendation_post())
    assert response.status_code == 302
    assert response["Location"] == reverse("committees_staff:committee_work", args=[work["first"].pk])
    own = Amendment.objects.get(pk=work["own"].pk)
    assert (own.recommendation, own.recommendation_text, own.recommended_by) == (
        "adopt_amended",
        "Komiteens tekst.",
        work["secretary"],
    )
    assert own.history.count() == 2  # submitted, recommended


def test_a_secretary_cannot_change_another_committees_amendments(client, work):
    client.force_login(work["secretary"])
    url = reverse("admin:committees_amendment_change", args=[work["other"].pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="recommendation"' not in page.content  # read only
    assert client.post(url, _recommendation_post()).status_code == 403
    assert Amendment.objects.get(pk=work["other"].pk).recommendation == ""
    # and may not record the plenary outcome of their own either
    client.post(reverse("admin:committees_amendment_change", args=[work["own"].pk]), {"outcome": "adopted"})
    assert Amendment.objects.get(pk=work["own"].pk).outcome == ""


def test_bad_recommendations_are_refused_with_a_message(client, work):
    client.force_login(work["secretary"])
    url = reverse("admin:committees_amendment_change", args=[work["own"].pk])
    response = client.post(url, _recommendation_post(recommendation_text=""))
    assert response.status_code == 200
    assert "Write the text as the committee wants it." in response.content.decode()
    response = client.post(url, _recommendation_post(recommendation="merged", recommendation_text=""))
    assert "Choose the amendment this one is taken into." in response.content.decode()
    assert Amendment.objects.get(pk=work["own"].pk).recommendation == ""


def test_the_secretariat_records_the_plenary_outcome(client, work):
    client.force_login(SecretariatUserFactory())
    url = reverse("admin:committees_amendment_change", args=[work["other"].pk])
    response = client.post(
        url, {**_recommendation_post(recommendation="adopt", recommendation_text=""), "outcome": "adopted"}
    )
    assert response.status_code == 302
    other = Amendment.objects.get(pk=work["other"].pk)
    assert (other.recommendation, other.outcome, other.outcome_source) == ("adopt", "adopted", "hand")


def test_amendments_cannot_be_deleted_or_added_in_the_admin(client, work):
    client.force_login(SecretariatUserFactory())
    assert client.get(reverse("admin:committees_amendment_add")).status_code == 403
    assert (
        client.post(reverse("admin:committees_amendment_delete", args=[work["own"].pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Amendment.objects.count() == 2


@pytest.fixture
def regional():
    return regional_staff_user(email="region@ks.no")


def test_regional_staff_read_amendments_but_not_unpublished_recommendations(client, work, regional):
    amendment_recommend(amendment=work["own"], recommendation="reject", reason="Hemmelig begrunnelse.", user=None)
    client.force_login(regional)
    changelist = client.get(reverse("admin:committees_amendment_changelist"))
    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert '<td class="field-published_recommendation">-</td>' in html.replace("–", "-")
    assert "recommendation__exact" not in html  # a filter would reveal it
    detail = client.get(reverse("admin:committees_amendment_change", args=[work["own"].pk])).content.decode()
    assert "Hemmelig begrunnelse." not in detail
    assert client.post(reverse("admin:committees_amendment_change", args=[work["own"].pk]), {}).status_code == 403
    pdf = reverse("committees_staff:committee_recommendation_pdf", args=[work["first"].pk])
    assert client.get(pdf).status_code == 403
    voting_list = reverse("committees_staff:document_pdf", args=[work["document"].pk, "voting-list"])
    assert client.get(voting_list).status_code == 403

    Committee.objects.filter(pk=work["first"].pk).update(recommendation_published=True)
    changelist = client.get(reverse("admin:committees_amendment_changelist")).content.decode()
    assert '<td class="field-published_recommendation">Reject</td>' in changelist
    detail = client.get(reverse("admin:committees_amendment_change", args=[work["own"].pk])).content.decode()
    assert "Hemmelig begrunnelse." in detail


def test_the_committee_work_page_lists_amendments_in_document_order_and_flags_competing_ones(client, work):
    later = work["submit"](1, 1, 2)
    competing = work["submit"](1, 7, 7)
    client.force_login(work["secretary"])
    page = client.get(reverse("committees_staff:committee_work", args=[work["first"].pk]))
    html = page.content.decode()
    assert page.status_code == 200
    positions = [html.index(f'id="amendment-{a.number}"') for a in (later, work["own"], competing)]
    assert positions == sorted(positions)
    assert f'id="amendment-{work["other"].number}"' not in html  # another committee's chapter
    assert "competes with" in html
    assert "Record the recommendation" in html


def test_a_secretary_sees_only_their_own_committees(client, work):
    client.force_login(work["secretary"])
    html = client.get(reverse("admin:committees_committee_changelist")).content.decode()
    assert "Komité 1" in html
    assert "Komité 2" not in html
    assert client.get(reverse("committees_staff:committee_work", args=[work["second"].pk])).status_code == 404


def test_the_amendment_list_uses_a_fixed_number_of_queries(client, work, django_assert_max_num_queries):
    client.force_login(work["secretary"])
    url = reverse("admin:committees_amendment_changelist")
    for line in range(1, 6):
        work["submit"](1, line, line)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for _repeat in range(30):
        work["submit"](3, 13, 14)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- Loading the document and setting up committees ---------------------------------------------------------------


def test_the_secretariat_loads_a_document_from_a_file(client):
    congress = CongressFactory()
    client.force_login(SecretariatUserFactory())
    url = reverse("committees_staff:document_load_new")
    upload = SimpleUploadedFile("dokument.md", SAMPLE_DOCUMENT.encode("utf-8-sig"), content_type="text/markdown")
    response = client.post(url, {"congress": congress.pk, "text_format": "markdown", "line_length": 60, "file": upload})
    document = PoliticalDocument.objects.get(congress=congress)
    assert response.status_code == 302
    assert response["Location"] == reverse("committees_staff:document_lines", args=[document.pk])
    assert document.title == "Kommunesektorens politiske prioriteringer"
    lines = client.get(response["Location"]).content.decode()
    assert '<span class="ln">10</span><span class="text">Nye oppgaver skal være fullfinansiert.</span>' in lines


def test_a_document_that_cannot_be_loaded_shows_every_problem(client):
    congress = CongressFactory()
    client.force_login(SecretariatUserFactory())
    response = client.post(
        reverse("committees_staff:document_load_new"),
        {"congress": congress.pk, "text_format": "markdown", "line_length": 60, "text": "Bare tekst.\n\n## \n"},
    )
    assert response.status_code == 200
    assert 'class="errornote"' in response.content.decode()
    assert not PoliticalDocument.objects.exists()
    response = client.post(
        reverse("committees_staff:document_load_new"),
        {"congress": congress.pk, "text_format": "markdown", "line_length": 60},
    )
    assert "Choose a file or paste the text." in response.content.decode()


def test_loading_again_asks_for_confirmation_when_amendments_exist(client, work):
    client.force_login(SecretariatUserFactory())
    url = reverse("committees_staff:document_load", args=[work["document"].pk])
    page = client.get(url).content.decode()
    assert 'id="load-warning"' in page
    data = {"text_format": "markdown", "line_length": 60, "text": SAMPLE_DOCUMENT}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "2 amendments refer to the current line numbers" in response.content.decode()
    response = client.post(url, {**data, "amendments_confirmed": "on"})
    assert response.status_code == 302
    work["document"].refresh_from_db()
    assert work["document"].version == 2


def test_a_chapter_is_handled_by_one_committee_and_the_chair_is_a_member(client, work):
    client.force_login(SecretariatUserFactory())
    chapter_one = Chapter.objects.get(document=work["document"], number=1)
    member = delegate(work["document"].congress)
    outsider = delegate(work["document"].congress)
    response = client.post(
        reverse("admin:committees_committee_add"),
        {
            "congress": work["document"].congress.pk,
            "name": "Komité 3",
            "kind": "ordinary",
            "mandate": "",
            "chapters": [chapter_one.pk],
            "members": [member.pk],
            "chair": outsider.pk,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "is already handled by Komité 1" in html
    assert "The chair must be one of the members." in html
    assert not Committee.objects.filter(name="Komité 3").exists()


def test_the_secretary_publishes_the_committees_recommendation(client, work, regional):
    url = reverse("committees_staff:committee_publish", args=[work["first"].pk])
    client.force_login(regional)
    assert client.post(url, {"published": "1"}).status_code == 403
    client.force_login(work["secretary"])
    assert client.get(url).status_code == 403
    response = client.post(url, {"published": "1"})
    assert response.status_code == 302
    assert Committee.objects.get(pk=work["first"].pk).recommendation_published
    assert (
        client.post(
            reverse("committees_staff:committee_publish", args=[work["second"].pk]), {"published": "1"}
        ).status_code
        == 404
    )


# --- Statements ----------------------------------------------------------------------------------------------------


@pytest.fixture
def drafting(work):
    """The drafting committee of the work's congress with a secretary of its own, and a statement from a KS body."""
    secretary = StaffUserFactory(email="redaksjon@ks.no")
    secretary.groups.add(Group.objects.get(name=COMMITTEE_SECRETARY_GROUP))
    congress = work["document"].congress
    committee = CommitteeFactory(
        congress=congress, name="Redaksjonskomiteen", kind=Committee.Kind.DRAFTING, secretary=secretary
    )
    statement = statement_register(
        congress=congress,
        title="Ferjer",
        text="Ferjene må fornyes.",
        proposer_kind="ks_body",
        proposer_name="Hovedstyret",
    )
    return {"secretary": secretary, "committee": committee, "statement": statement}


def _statement_recommendation_post(**overrides):
    return {
        "recommendation": "adopt_amended",
        "final_text": "Komiteens tekst.",
        "recommendation_reason": "Bedre slik.",
        **overrides,
    }


def test_the_drafting_committees_secretary_records_the_recommendation_on_a_statement(client, work, drafting):
    url = reverse("admin:committees_statement_change", args=[drafting["statement"].pk])
    client.force_login(work["secretary"])  # the secretary of an ordinary committee
    assert b'name="recommendation"' not in client.get(url).content
    assert client.post(url, _statement_recommendation_post()).status_code == 403

    client.force_login(drafting["secretary"])
    response = client.post(url, _statement_recommendation_post(final_text=" "))
    assert response.status_code == 200
    assert "Write the text as the committee wants it." in response.content.decode()
    assert client.post(url, {**_statement_recommendation_post(), "outcome": "adopted"}).status_code == 302
    statement = Statement.objects.get(pk=drafting["statement"].pk)
    assert (statement.recommendation, statement.final_text, statement.recommended_by) == (
        "adopt_amended",
        "Komiteens tekst.",
        drafting["secretary"],
    )
    assert statement.outcome == ""  # the secretariat records the plenary outcome, not a secretary
    assert statement.history.count() == 2  # registered, recommended


def test_the_secretariat_registers_a_statement_that_came_by_letter_and_records_its_outcome(client, work, drafting):
    client.force_login(SecretariatUserFactory())
    add = reverse("admin:committees_statement_add")
    letter = {
        "congress": work["document"].congress.pk,
        "title": "Kraft",
        "text": "Kraftinntektene må bli i kommunene.",
        "justification": "",
        "proposer_kind": "ks_body",
        "proposer_name": "",
        "organisation": "",
    }
    response = client.post(add, letter)
    assert response.status_code == 200
    assert "Name the KS body that proposes the statement." in response.content.decode()
    assert client.post(add, {**letter, "proposer_name": "Landsstyret"}).status_code == 302
    registered = Statement.objects.get(title="Kraft")
    assert (registered.number, registered.proposer_label) == (2, "Landsstyret")

    url = reverse("admin:committees_statement_change", args=[registered.pk])
    decision = {"recommendation": "adopt", "final_text": "", "recommendation_reason": ""}
    response = client.post(url, {**decision, "outcome": "adopted_amended"})
    assert response.status_code == 200
    assert "The committee did not amend the text" in response.content.decode()
    assert client.post(url, {**decision, "outcome": "adopted"}).status_code == 302
    registered.refresh_from_db()
    assert (registered.recommendation, registered.outcome, registered.outcome_source) == ("adopt", "adopted", "hand")
    delete = reverse("admin:committees_statement_delete", args=[registered.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Statement.objects.count() == 2


def test_regional_staff_see_the_recommendation_on_a_statement_once_it_is_published(client, drafting, regional):
    statement = drafting["statement"]
    statement_recommend(statement=statement, recommendation="reject", reason="Hemmelig begrunnelse.", user=None)
    client.force_login(regional)
    changelist_url = reverse("admin:committees_statement_changelist")
    detail_url = reverse("admin:committees_statement_change", args=[statement.pk])
    html = client.get(changelist_url).content.decode()
    assert "Drafting committee&#x27;s recommendation" in html
    assert '<td class="field-published_recommendation">-</td>' in html.replace("–", "-")
    assert "recommendation__exact" not in html  # a filter would reveal it
    assert "Hemmelig begrunnelse." not in client.get(detail_url).content.decode()
    assert client.post(detail_url, {}).status_code == 403

    Committee.objects.filter(pk=drafting["committee"].pk).update(recommendation_published=True)
    assert '<td class="field-published_recommendation">Reject</td>' in client.get(changelist_url).content.decode()
    assert "Hemmelig begrunnelse." in client.get(detail_url).content.decode()
