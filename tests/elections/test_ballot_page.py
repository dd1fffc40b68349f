"""The ballot page is cheap: the whole hall opens it within a minute (issue 13, item 1).

One query for a yes/no vote (the link, the voter and the poll), two for an election (its candidates); the link is
not written to. The page is rendered once per poll and shared, with each voter's own secret and CSRF token put in:
these tests check that no voter ever gets another's, and that the shared page is the page as rendered for them.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from delegates.models import PersonalLink
from delegates.services.links import personal_link_issue
from elections.models import VoteCast
from elections.portal.ballot_page import TOKEN_PLACEHOLDER, forget_kept_pages
from elections.services import ballot_cast, poll_create_decision, poll_create_for_election, poll_open
from tests.elections.factories import CandidateFactory, ElectionFactory, present_delegates, sealed_ballots
from tests.factories import CongressFactory, CountyFactory, OrganisationFactory, RegionalOfficeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _no_kept_pages():
    forget_kept_pages()
    yield
    forget_kept_pages()


@pytest.fixture
def congress():
    return CongressFactory(name="Landstinget 2028")


def ballot_url(token, poll):
    return reverse("elections_portal:ballot", args=[token, poll.pk])


def decision(congress):
    return poll_open(poll=poll_create_decision(congress=congress, title="Kontingent 2029"), user=None)


def election(congress):
    chosen = ElectionFactory(congress=congress, seats=2, method="multi_seat", office="hovedstyre_member")
    for name in ("Gunn", "Bjørn", "Marit"):
        CandidateFactory(election=chosen, first_name=name)
    return poll_open(poll=poll_create_for_election(election=chosen), user=None)


def voters_with_links(congress, count):
    voters = present_delegates(congress, count)
    return voters, [personal_link_issue(participant=voter)[1] for voter in voters]


@pytest.mark.parametrize(("kind", "expected"), [("decision", 1), ("election", 2)])
def test_the_ballot_page_takes_one_query_and_one_for_the_candidates_and_does_not_write_to_the_link(
    client, congress, kind, expected
):
    _voters, tokens = voters_with_links(congress, 3)
    poll = decision(congress) if kind == "decision" else election(congress)
    client.get(ballot_url(tokens[0], poll))  # the first renders the page
    for token in tokens[1:]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ballot_url(token, poll))
        assert response.status_code == 200
        assert len(queries.captured_queries) == expected, [query["sql"] for query in queries.captured_queries]
        assert not any(query["sql"].lstrip().upper().startswith("UPDATE") for query in queries.captured_queries)
    assert not PersonalLink.objects.filter(last_opened_at__isnull=False).exists()
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "same-origin"


def test_each_voter_gets_the_page_with_their_own_secret_and_csrf_token_and_can_vote_from_it(congress):
    _voters, tokens = voters_with_links(congress, 3)
    poll = election(congress)
    pages = []
    for token in tokens:
        browser = Client(enforce_csrf_checks=True)
        response = browser.get(ballot_url(token, poll))
        body = response.content.decode()
        pages.append(body)
        assert TOKEN_PLACEHOLDER not in body and "\x00" not in body
        assert all(other not in body for other in tokens if other != token)
        assert body.count(token) >= 5  # the form, the cast address, the navigation, the language switch
        csrf = CSRF_INPUT.findall(body)
        assert len(csrf) == 2 and "csrftoken" in response.cookies
        candidate = poll.candidates.order_by("position").first()
        cast = browser.post(ballot_url(token, poll), {"csrfmiddlewaretoken": csrf[0], "choices": [str(candidate.pk)]})
        assert cast.status_code == 200, cast.content.decode()[:500]
    assert VoteCast.objects.filter(poll=poll).count() == 3
    assert len(sealed_ballots(poll)) == 3
    # Apart from the secret and the CSRF token, every voter got the very page the first one got.
    shared = [CSRF_INPUT.sub("", page).replace(token, "TOKEN") for page, token in zip(pages, tokens, strict=True)]
    assert shared[0] == shared[1] == shared[2]


def test_the_shared_page_is_the_page_as_rendered_for_the_voter(client, congress):
    _voters, tokens = voters_with_links(congress, 2)
    poll = election(congress)
    first = client.get(ballot_url(tokens[0], poll)).content.decode()
    forget_kept_pages()
    fresh = client.get(ballot_url(tokens[1], poll)).content.decode()  # rendered for this voter
    kept = client.get(ballot_url(tokens[1], poll)).content.decode()  # the page kept from the rendering
    assert CSRF_INPUT.sub("", kept) == CSRF_INPUT.sub("", fresh)
    assert CSRF_INPUT.sub("", first).replace(tokens[0], tokens[1]) == CSRF_INPUT.sub("", kept)


def test_voters_of_other_regional_offices_see_their_own_in_the_help_box(client, congress):
    tokens = {}
    for office_name in ("KS Nord", "KS Sør"):
        office = RegionalOfficeFactory(name=office_name, email=f"{office_name[3:].lower()}@ks.no")
        county = CountyFactory(regional_office=office)
        (voter,) = present_delegates(congress, 1, organisation=OrganisationFactory(county=county))
        tokens[office_name] = personal_link_issue(participant=voter)[1]
    poll = decision(congress)
    pages = {name: client.get(ballot_url(token, poll)).content.decode() for name, token in tokens.items()}
    assert "KS Nord" in pages["KS Nord"] and "KS Sør" not in pages["KS Nord"]
    assert "KS Sør" in pages["KS Sør"] and "KS Nord" not in pages["KS Sør"]


def test_a_link_that_does_not_open_or_a_vote_not_to_fill_in_gets_its_page_as_before(client, congress):
    voters, tokens = voters_with_links(congress, 3)
    poll = decision(congress)
    client.get(ballot_url(tokens[0], poll))  # a page kept for this poll
    PersonalLink.objects.filter(participant=voters[1]).update(revoked_at=timezone.now())
    assert client.get(ballot_url(tokens[1], poll)).status_code == 410
    assert client.get(ballot_url("A" * 43, poll)).status_code == 404
    ballot_cast(poll_id=poll.pk, participant_id=voters[2].pk, answer="yes")
    voted = client.get(ballot_url(tokens[2], poll))
    assert voted.status_code == 200 and 'name="answer"' not in voted.content.decode()
    assert client.get(reverse("elections_portal:ballot", args=[tokens[0], poll.pk + 1000])).status_code == 404


def prepared_statements(*, containing: str) -> list[tuple[int, int]]:
    """(generic plans, custom plans) of each statement prepared on this connection whose text holds ``containing``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{containing}%"],
        )
        return cursor.fetchall()


def test_the_ballot_pages_one_query_is_prepared_once_per_connection_and_not_planned_for_every_voter(client, congress):
    """The hall opens the page within a minute: on PostgreSQL its one statement is bound by the server and prepared
    on the connection, so that after the first few voters it is neither parsed nor planned again (issue 13)."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; SQLite reads the page with Django's cursor")
    _voters, tokens = voters_with_links(congress, 10)
    poll = decision(congress)
    for token in tokens:
        assert client.get(ballot_url(token, poll)).status_code == 200
    statements = prepared_statements(containing=PersonalLink._meta.db_table)
    assert len(statements) == 1, statements
    generic, custom = statements[0]
    assert generic + custom == len(tokens)  # every voter's page read by the one prepared statement
    assert generic > 0  # PostgreSQL settled on one plan: the later voters' pages were not planned again
