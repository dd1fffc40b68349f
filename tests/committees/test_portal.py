"""The committee work on the delegate's personal page: the numbered document, amendments and statements."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from committees.models import Amendment, Paragraph, Statement, StatementSettings
from committees.selectors import document_paragraphs, lines_text
from committees.services import amendment_recommend, statement_recommend, statement_submit
from delegates.models import Participant
from delegates.services.links import personal_link_issue
from tests.committees.factories import (
    CommitteeFactory,
    StatementSettingsFactory,
    chapter_of,
    delegate,
    load_document,
    submit_amendment,
)
from tests.factories import CongressFactory, CountyFactory, OrganisationFactory, ParticipantFactory
from tests.helpers import queries_of_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]

TODAY = datetime.date.today()


@pytest.fixture
def congress():
    congress = CongressFactory(
        first_day=TODAY + datetime.timedelta(days=30),
        last_day=TODAY + datetime.timedelta(days=31),
        registration_deadline=TODAY + datetime.timedelta(days=10),
    )
    StatementSettingsFactory(
        congress=congress,
        statement_deadline=timezone.localdate() + datetime.timedelta(days=10),
        statement_min_supporters=2,
    )
    return congress


@pytest.fixture
def document(congress):
    return load_document(congress)


@pytest.fixture
def me(congress):
    county = CountyFactory(number="50", name="Trøndelag")
    return delegate(
        congress,
        first_name="Ingebjørg",
        last_name="Skjervheim",
        organisation=OrganisationFactory(name="Trondheim kommune", county=county),
    )


@pytest.fixture
def others(congress):
    west = CountyFactory(number="46", name="Vestland")
    north = CountyFactory(number="18", name="Nordland")
    return [
        delegate(
            congress, first_name="Ola", last_name="Berg", organisation=OrganisationFactory(name="Bergen", county=west)
        ),
        delegate(
            congress, first_name="Kari", last_name="Dal", organisation=OrganisationFactory(name="Bodø", county=north)
        ),
        delegate(
            congress, first_name="Per", last_name="Eide", organisation=OrganisationFactory(name="Voss", county=west)
        ),
    ]


def url(name, token, *args):
    return reverse(f"committees_portal:{name}", args=[token, *args])


def form_data(**changes):
    data = {
        "chapter": "1",
        "kind": "replace",
        "line_from": "6",
        "line_to": "7",
        "text": "KS vil arbeide for at flere unge og flere kvinner stiller til valg.",
        "justification": "Kvinner er underrepresentert.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def field_errors(body: str, field: str) -> str:
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', body, re.S)
    return html.unescape(match.group(1)) if match else ""


def error_summary(body: str) -> str:
    match = re.search(r'<div class="alert alert--error error-summary".*?</div>', body, re.S)
    return html.unescape(match.group(0)) if match else ""


# --- The document -------------------------------------------------------------------------------------------------


def test_the_document_page_shows_the_stored_lines_with_their_numbers(client, document, token, others):
    submit_amendment(document, others[0])
    response = client.get(url("document", token))
    assert response.status_code == 200
    body = response.content.decode()
    assert document.title in body
    assert "1. Lokaldemokrati og tillit" in body and "3. Arbeidsgiverpolitikk" in body

    shown = [
        (int(number), html.unescape(text))
        for number, text in re.findall(
            r'<span class="doc-line__number">(\d+)</span> <span class="doc-line__text">(.*?)</span>', body
        )
    ]
    stored = [
        line for p in Paragraph.objects.filter(document=document).order_by("position") for line in p.numbered_lines()
    ]
    assert shown == stored
    assert [number for number, _text in shown] == list(range(1, 17))

    # One link per paragraph to the prefilled form, and the count of amendments per chapter.
    first = Paragraph.objects.filter(document=document).order_by("position").first()
    link = f"{url('amendment_new', token)}?kapittel=1&amp;fra={first.first_line}&amp;til={first.last_line}"
    assert link in body
    assert f"Propose an amendment to lines {first.first_line}–{first.last_line}" in body
    assert "1 amendment proposed" in body
    assert body.count("No amendments proposed.") == 2
    assert "You can propose amendments up to and including" in body


def test_list_items_and_headings_keep_their_kind(client, congress, token):
    text = "# Dok\n\n## Kapittel\n\n### Underoverskrift\n\nTekst her.\n\n- Punkt en\n- Punkt to\n"
    load_document(congress, text=text)
    body = client.get(url("document", token)).content.decode()
    assert re.search(r'<h3 class="doc-text doc-text--heading">.*Underoverskrift', body, re.S)
    assert re.search(r'<ul class="doc-list">\s*<li class="doc-paragraph">.*Punkt en.*Punkt to.*</ul>', body, re.S)


def test_without_a_document_the_page_says_so(client, token):
    response = client.get(url("document", token))
    assert response.status_code == 200
    assert "is not published here yet" in response.content.decode()
    assert client.get(url("amendment_new", token)).status_code == 200


def test_before_the_form_opens_there_are_no_links_to_propose(client, congress, token):
    load_document(congress, open_for_days=None)
    body = client.get(url("document", token)).content.decode()
    assert "Not open" in body
    assert "Propose an amendment" not in body


def test_every_page_carries_the_portal_headers(client, document, token, me):
    amendment = submit_amendment(document, me)
    names = [("document",), ("amendments",), ("amendment_new",), ("amendment", amendment.number), ("statements",)]
    names += [("amendment", 999), ("statement_new",)]
    for name, *args in names:
        response = client.get(url(name, token, *args))
        assert response.status_code in (200, 404)
        assert response["Referrer-Policy"] == "same-origin"
        assert "no-store" in response["Cache-Control"]
        assert "noindex" in response["X-Robots-Tag"]


def test_a_bad_link_gets_the_portal_link_page(client, document):
    response = client.get(url("document", "x" * 43))
    assert response.status_code == 404
    assert "Lokaldemokrati" not in response.content.decode()


# --- Proposing an amendment ---------------------------------------------------------------------------------------


def test_the_form_is_prefilled_from_the_link_and_shows_the_lines_being_changed(client, document, token, me, others):
    response = client.get(url("amendment_new", token) + "?kapittel=1&fra=6&til=7")
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'<option value="1" selected>1\. Lokaldemokrati og tillit</option>', body)
    assert 'name="line_from" value="6"' in body
    assert 'name="line_to" value="7"' in body
    assert re.search(r'value="replace"[^>]*checked', body)
    current = lines_text(document_paragraphs(document), 6, 7)
    assert "The text of lines 6–7 now" in body
    assert html.escape(current.split("\n")[0]) in body
    # Supporters: the other delegates grouped by county, never the proposer.
    supporters = re.search(r'<div class="picker__list".*?<p class="picker__empty"', body, re.S).group(0)
    assert "<legend>Vestland</legend>" in supporters and "<legend>Nordland</legend>" in supporters
    assert "Ola Berg (Bergen)" in supporters
    assert f'name="supporters" value="{me.pk}"' not in supporters and "Skjervheim" not in supporters


@pytest.mark.parametrize(
    ("kind", "line_from", "line_to", "text", "expected_to", "label"),
    [
        ("replace", "6", "7", "Ny tekst om unge folkevalgte.", 7, "lines 6–7"),
        ("insert", "6", "", " og lokalt", 6, "line 6"),
        ("delete", "6", "7", "", 7, "lines 6–7"),
        ("new_paragraph", "7", "", "KS vil styrke folkevalgtes vern.", 7, "line 7"),
    ],
)
def test_a_delegate_submits_each_kind_of_amendment(
    client, document, token, me, others, kind, line_from, line_to, text, expected_to, label
):
    data = form_data(
        kind=kind, line_from=line_from, line_to=line_to, text=text, supporters=[others[0].pk, others[1].pk]
    )
    response = client.post(url("amendment_new", token), data)
    amendment = Amendment.objects.get(document=document)
    assert response.status_code == 302
    assert response["Location"] == url("amendment", token, amendment.number)
    assert (amendment.kind, amendment.line_from, amendment.line_to) == (kind, int(line_from), expected_to)
    assert amendment.submitter == me
    assert amendment.text == text.strip()
    assert amendment.justification == "Kvinner er underrepresentert."
    assert set(amendment.supporters.all()) == {others[0], others[1]}
    assert amendment.original_text == lines_text(document_paragraphs(document), int(line_from), expected_to)

    body = client.get(response["Location"]).content.decode()
    assert f"Your amendment was submitted as amendment {amendment.number}." in body
    assert label in body
    assert "Ola Berg, Bergen" in body


def test_lines_outside_the_chapter_are_refused_next_to_the_field(client, document, token):
    response = client.post(url("amendment_new", token), form_data(line_from="9", line_to="10"))
    assert response.status_code == 400
    body = response.content.decode()
    message = "Lines 9–10 are not all in chapter “Lokaldemokrati og tillit”, which has lines 1–7."
    assert message in field_errors(body, "line_from")
    assert message in error_summary(body)
    assert 'href="#id_line_from"' in body
    assert 'aria-invalid="true"' in body
    assert "You can propose amendments up to and including" in body
    assert not Amendment.objects.exists()
    # The form keeps what was typed.
    assert "flere kvinner" in body


def test_lines_beyond_the_document_and_reversed_lines_are_refused(client, document, token):
    body = client.post(url("amendment_new", token), form_data(line_from="40", line_to="41")).content.decode()
    assert "do not exist" in field_errors(body, "line_from")
    body = client.post(url("amendment_new", token), form_data(line_from="7", line_to="6")).content.decode()
    assert "comes before the first line" in field_errors(body, "line_from")
    assert not Amendment.objects.exists()


def test_the_form_checks_what_it_can_before_the_service(client, document, token):
    data = form_data(chapter="", kind="", line_from="seks", text="x" * 5001, justification="y" * 5001)
    response = client.post(url("amendment_new", token), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose the chapter the lines are in." in field_errors(body, "chapter")
    assert "Enter a line number." in field_errors(body, "line_from")
    assert "5000" in field_errors(body, "text")
    assert "5000" in field_errors(body, "justification")
    assert 'href="#id_kind_0"' in body
    assert not Amendment.objects.exists()


def test_replacing_without_text_is_refused(client, document, token):
    body = client.post(url("amendment_new", token), form_data(text="")).content.decode()
    assert "Write the text you propose." in field_errors(body, "text")
    assert not Amendment.objects.exists()


def test_supporters_must_be_delegates_of_the_congress(client, document, token, congress):
    deputy = ParticipantFactory(congress=congress, role="deputy", deputy_rank=1)
    stranger = delegate(CongressFactory())
    for pk in (deputy.pk, stranger.pk):
        response = client.post(url("amendment_new", token), form_data(supporters=[pk]))
        assert response.status_code == 400
        assert "Choose supporters among the delegates in the list." in field_errors(
            response.content.decode(), "supporters"
        )
    assert not Amendment.objects.exists()


def test_a_document_loaded_again_since_the_form_was_opened_is_noticed(client, document, token):
    response = client.post(url("amendment_new", token), form_data(version=str(document.version - 1 or 99)))
    assert response.status_code == 400
    assert "loaded again" in field_errors(response.content.decode(), "line_from")
    assert not Amendment.objects.exists()


def test_after_the_deadline_the_form_is_closed_and_a_post_is_refused(client, document, token):
    deadline = timezone.localdate() - datetime.timedelta(days=1)
    document.amendment_deadline = deadline
    document.save(update_fields=["amendment_deadline"])
    response = client.get(url("amendment_new", token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "The deadline for amendments was" in body
    assert 'name="line_from"' not in body
    response = client.post(url("amendment_new", token), form_data())
    assert response.status_code == 403
    assert "Nothing was saved." in response.content.decode()
    assert not Amendment.objects.exists()
    assert "Propose an amendment to" not in client.get(url("document", token)).content.decode()


@pytest.mark.parametrize("who", ["deputy", "withdrawn", "observer"])
def test_a_participant_without_the_right_to_vote_cannot_propose(client, document, congress, who):
    if who == "deputy":
        participant = ParticipantFactory(congress=congress, role="deputy", deputy_rank=1)
        expected = "As a deputy you can propose amendments and statements only when you have taken"
    elif who == "withdrawn":
        participant = delegate(congress, status=Participant.Status.WITHDRAWN)
        expected = "You have cancelled your participation"
    else:
        participant = ParticipantFactory(congress=congress, role="guest")
        expected = "Only delegates with the right to vote can propose"
    _link, token = personal_link_issue(participant=participant)
    response = client.get(url("amendment_new", token))
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert 'name="line_from"' not in response.content.decode()
    assert client.post(url("amendment_new", token), form_data()).status_code == 403
    assert not Amendment.objects.exists()
    assert expected in client.get(url("document", token)).content.decode()
    assert client.post(url("statement_new", token), {"title": "T", "text": "T"}).status_code == 403
    assert not Statement.objects.exists()


# --- One amendment; withdrawing -----------------------------------------------------------------------------------


def test_the_amendment_page_shows_the_lines_as_they_were_and_the_proposal(client, document, token, me, others):
    amendment = submit_amendment(document, me, supporters=[others[1]], justification="Fordi unge trengs.")
    body = client.get(url("amendment", token, amendment.number)).content.decode()
    assert "lines 6–7" in body
    assert "1. Lokaldemokrati og tillit" in body
    assert "Replace lines" in body
    assert html.escape(amendment.original_text.split("\n")[0]) in body
    assert "Ny tekst." in body
    assert "Fordi unge trengs." in body
    assert "Kari Dal, Bodø" in body
    assert "Submitted" in body
    assert f"Withdraw amendment {amendment.number}" in body


def test_an_unknown_amendment_is_not_found(client, document, token):
    response = client.get(url("amendment", token, 42))
    assert response.status_code == 404
    assert "There is no amendment number 42." in response.content.decode()
    assert client.post(url("amendment_withdraw", token, 42)).status_code == 404


def test_the_proposer_withdraws_before_the_deadline(client, document, token, me):
    amendment = submit_amendment(document, me)
    response = client.get(url("amendment_withdraw", token, amendment.number))
    assert response.status_code == 200
    assert f"Yes, withdraw amendment {amendment.number}" in response.content.decode()
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.SUBMITTED  # looking at the question changes nothing

    response = client.post(url("amendment_withdraw", token, amendment.number))
    assert response.status_code == 302
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.WITHDRAWN
    body = client.get(response["Location"]).content.decode()
    assert f"Amendment {amendment.number} is withdrawn." in body
    assert "Withdrawn by the proposer" in body
    assert f"Withdraw amendment {amendment.number}</a>" not in body


def test_nobody_can_withdraw_someone_elses_amendment(client, document, token, others):
    amendment = submit_amendment(document, others[0])
    body = client.get(url("amendment", token, amendment.number)).content.decode()
    assert "Withdraw amendment" not in body
    response = client.post(url("amendment_withdraw", token, amendment.number))
    assert response.status_code == 403
    assert "Only the delegate who proposed an amendment can withdraw it." in response.content.decode()
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.SUBMITTED


def test_after_the_deadline_the_proposer_cannot_withdraw(client, document, token, me):
    amendment = submit_amendment(document, me)
    document.amendment_deadline = timezone.localdate() - datetime.timedelta(days=1)
    document.save(update_fields=["amendment_deadline"])
    assert "Withdraw amendment" not in client.get(url("amendment", token, amendment.number)).content.decode()
    response = client.post(url("amendment_withdraw", token, amendment.number))
    assert response.status_code == 403
    assert "only be withdrawn in the plenary session" in response.content.decode()
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.SUBMITTED


# --- The list of amendments; recommendations ---------------------------------------------------------------------


def test_the_list_shows_own_and_all_amendments_in_document_order(client, document, token, me, others):
    later = submit_amendment(document, me, chapter=3, line_from=13, line_to=13, text="Ny setning.")
    first = submit_amendment(document, others[0], line_from=6, line_to=7, supporters=[others[1], others[2]])
    competing = submit_amendment(document, others[1], line_from=7, line_to=7, text="Annen tekst.")
    withdrawn = submit_amendment(document, me, chapter=2, line_from=9, line_to=9)
    withdrawn.status = Amendment.Status.WITHDRAWN
    withdrawn.save()
    Amendment.objects.filter(pk=later.pk).update(range_problem=Amendment.RangeProblem.CHANGED)

    body = client.get(url("amendments", token)).content.decode()
    own = body.split('id="own-title"')[1].split('id="all-title"')[0]
    everything = body.split('id="all-title"')[1]
    assert f"Amendment {later.number}</a>" in own and f"Amendment {withdrawn.number}</a>" in own
    assert "Withdrawn by the proposer" in own
    assert f"Amendment {first.number}</a>" not in own

    order = [int(n) for n in re.findall(r'id="endringsforslag-(\d+)"', everything)]
    assert order == [first.number, competing.number, later.number]  # by line; the withdrawn one is left out
    assert f"Competes with amendment {competing.number} for the same lines" in everything
    assert f"Competes with amendment {first.number} for the same lines" in everything
    assert "Check the lines: The text of the lines has changed" in everything
    assert "Ola Berg, Bergen" in everything
    assert re.search(r"<dt>Supporters</dt>\s*<dd>2</dd>", everything)


def test_recommendations_are_hidden_until_the_committee_publishes(client, document, token, others):
    target = submit_amendment(document, others[0], line_from=2, line_to=3)
    amendment = submit_amendment(document, others[1])
    amendment_recommend(amendment=target, recommendation="adopt", user=None)
    amendment_recommend(
        amendment=amendment, recommendation="merged", merged_into=target, reason="Samme sak.", user=None
    )
    committee = CommitteeFactory(congress=document.congress)
    committee.chapters.add(chapter_of(document, 1))

    listing = client.get(url("amendments", token)).content.decode()
    detail = client.get(url("amendment", token, amendment.number)).content.decode()
    for body in (listing, detail):
        assert "The committee recommends" not in body and "recommendation" not in body
        assert "Samme sak." not in body

    committee.recommendation_published = True
    committee.save()
    listing = client.get(url("amendments", token)).content.decode()
    detail = client.get(url("amendment", token, amendment.number)).content.decode()
    assert "The committee recommends" in listing
    assert f"Taken into another amendment (amendment {target.number})" in listing
    assert "The committee&#x27;s recommendation" in detail or "The committee's recommendation" in detail
    assert f"taken into amendment {target.number}" in detail
    assert "Samme sak." in detail


def test_the_plenary_outcome_is_shown_once_recorded(client, document, token, others):
    amendment = submit_amendment(document, others[0])
    Amendment.objects.filter(pk=amendment.pk).update(outcome=Amendment.Outcome.REJECTED)
    body = client.get(url("amendment", token, amendment.number)).content.decode()
    assert "Decision of the Landsting" in body and "Rejected" in body


def test_the_list_of_amendments_needs_the_same_queries_for_5_or_40(
    client, document, token, me, others, django_assert_max_num_queries
):
    committee = CommitteeFactory(congress=document.congress, recommendation_published=True)
    committee.chapters.add(chapter_of(document, 1), chapter_of(document, 2))
    lines = [(n, 1, n) for n in range(1, 8)] + [(n, 2, n) for n in range(8, 13)] + [(n, 3, n) for n in range(13, 17)]

    def add(count):
        for i in range(count):
            line, number, _ = lines[i % len(lines)]
            submitter = (me, *others)[i % 4]
            supporters = [p for p in others if p != submitter][: i % 3]
            amendment = submit_amendment(
                document, submitter, chapter=number, line_from=line, line_to=line, supporters=supporters
            )
            if i % 2:
                amendment_recommend(amendment=amendment, recommendation="reject", user=None, reason="Nei.")

    add(5)
    with django_assert_max_num_queries(10):
        few = queries_of_page(client, url("amendments", token))
    add(35)
    assert Amendment.objects.count() == 40
    with django_assert_max_num_queries(10):
        many = queries_of_page(client, url("amendments", token))
    assert many == few, (few, many)
    with django_assert_max_num_queries(10):
        assert client.get(url("document", token)).status_code == 200


# --- Statements ---------------------------------------------------------------------------------------------------


def statement_data(**changes):
    data = {
        "title": "Fastlegeordningen må reddes",
        "text": "Landstinget krever at staten tar ansvar for fastlegeordningen.",
        "justification": "Mange innbyggere mangler fastlege.",
    }
    data.update(changes)
    return data


def test_a_statement_needs_the_configured_number_of_supporters(client, congress, token, others):
    response = client.get(url("statement_new", token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "name at least 2 delegates who support it" in body
    assert "<legend>Vestland</legend>" in body

    response = client.post(url("statement_new", token), statement_data(supporters=[others[0].pk]))
    assert response.status_code == 400
    message = field_errors(response.content.decode(), "supporters")
    assert "at least 2 supporters" in message and "you named 1" in message
    assert not Statement.objects.exists()

    response = client.post(url("statement_new", token), statement_data(supporters=[others[0].pk, others[2].pk]))
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("statement", token, statement.number)
    assert set(statement.supporters.all()) == {others[0], others[2]}
    assert statement.proposer_kind == Statement.ProposerKind.DELEGATES
    body = client.get(response["Location"]).content.decode()
    assert f"Your statement was submitted as statement {statement.number}." in body
    assert "Fastlegeordningen må reddes" in body
    assert "Ola Berg, Bergen" in body and "Per Eide, Voss" in body


def test_the_statement_form_checks_required_fields(client, congress, token, others):
    response = client.post(url("statement_new", token), statement_data(title="", text="", supporters=[]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the statement a title." in field_errors(body, "title")
    assert "Write the text of the statement." in field_errors(body, "text")
    assert not Statement.objects.exists()


def test_after_the_statement_deadline_the_form_is_closed(client, congress, token, others):
    StatementSettings.objects.filter(congress=congress).update(
        statement_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = client.get(url("statement_new", token))
    assert response.status_code == 200
    assert "The deadline for statements was" in response.content.decode()
    assert 'name="title"' not in response.content.decode()
    response = client.post(url("statement_new", token), statement_data(supporters=[p.pk for p in others]))
    assert response.status_code == 403
    assert not Statement.objects.exists()


def test_statements_list_and_drafting_committee_recommendation(client, congress, token, me, others):
    mine = statement_submit(
        congress=congress, submitter=me, title="Min uttalelse", text="Tekst.", justification="", supporters=others[:2]
    )
    theirs = statement_submit(
        congress=congress,
        submitter=others[0],
        title="Deres uttalelse",
        text="Tekst.",
        justification="",
        supporters=others[1:],
    )
    statement_recommend(
        statement=theirs, recommendation="adopt_amended", final_text="Bedre tekst.", reason="Kortere.", user=None
    )
    drafting = CommitteeFactory(congress=congress, kind="drafting")

    body = client.get(url("statements", token)).content.decode()
    assert "Min uttalelse" in body.split('id="own-title"')[1].split('id="all-title"')[0]
    assert "Deres uttalelse" in body.split('id="all-title"')[1]
    assert "<dt>The drafting committee recommends</dt>" not in body
    detail = client.get(url("statement", token, theirs.number)).content.decode()
    assert "Bedre tekst." not in detail and "Kortere." not in detail
    assert "Withdraw statement" not in detail
    assert f"Withdraw statement {mine.number}" in client.get(url("statement", token, mine.number)).content.decode()

    drafting.recommendation_published = True
    drafting.save()
    body = client.get(url("statements", token)).content.decode()
    assert "<dt>The drafting committee recommends</dt>" in body and "Adopt as amended by the committee" in body
    detail = client.get(url("statement", token, theirs.number)).content.decode()
    assert "Bedre tekst." in detail and "Kortere." in detail


def test_withdrawing_a_statement(client, congress, token, me, others):
    mine = statement_submit(
        congress=congress, submitter=me, title="Min", text="Tekst.", justification="", supporters=others[:2]
    )
    theirs = statement_submit(
        congress=congress, submitter=others[0], title="Deres", text="Tekst.", justification="", supporters=others[1:]
    )
    response = client.post(url("statement_withdraw", token, theirs.number))
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == Statement.Status.SUBMITTED

    assert client.get(url("statement_withdraw", token, mine.number)).status_code == 200
    response = client.post(url("statement_withdraw", token, mine.number))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == Statement.Status.WITHDRAWN
    assert client.get(url("statement", token, 77)).status_code == 404


def test_the_statements_list_needs_a_bounded_number_of_queries(
    client, congress, token, me, others, django_assert_max_num_queries
):
    for n in range(12):
        statement_submit(
            congress=congress,
            submitter=others[n % 3],
            title=f"U{n}",
            text="T.",
            justification="",
            supporters=[p for p in (me, *others) if p != others[n % 3]][:2],
        )
    with django_assert_max_num_queries(10):
        assert client.get(url("statements", token)).status_code == 200


def test_the_portal_navigation_links_to_the_committee_pages(client, token):
    body = client.get(reverse("portal:home", args=[token])).content.decode()
    assert f'href="{url("document", token)}"' in body
    assert f'href="{url("statements", token)}"' in body
