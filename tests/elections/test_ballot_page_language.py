"""The shared ballot page speaks its voter's language, as every page behind the personal link does (issue 14, item
9): the page kept for one language is never served to a voter of the other."""

import pytest
from django.urls import reverse

from delegates.models import Participant
from delegates.services.links import personal_link_issue
from elections.portal.ballot_page import forget_kept_pages
from elections.services import poll_create_decision, poll_open
from tests.elections.factories import present_delegates
from tests.factories import CongressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_kept_pages():
    forget_kept_pages()
    yield
    forget_kept_pages()


def test_the_ballot_page_is_in_each_voters_language_whatever_the_browser_asks(client):
    congress = CongressFactory(name="Landstinget 2028")
    norwegian, english = present_delegates(congress, 2)
    Participant.objects.filter(pk=english.pk).update(language="en")
    poll = poll_open(poll=poll_create_decision(congress=congress, title="Kontingent 2029"), user=None)

    pages = {}
    for voter, browser in ((norwegian, "en"), (english, "nb"), (norwegian, "en")):
        token = personal_link_issue(participant=voter)[1]
        response = client.get(reverse("elections_portal:ballot", args=[token, poll.pk]), HTTP_ACCEPT_LANGUAGE=browser)
        assert response.status_code == 200
        pages.setdefault(voter.pk, []).append((response["Content-Language"], response.content.decode()))

    assert [language for language, _page in pages[norwegian.pk]] == ["nb", "nb"]
    assert [language for language, _page in pages[english.pk]] == ["en"]
    assert all('<html lang="nb">' in page for _language, page in pages[norwegian.pk])  # the kept page, too
    assert '<html lang="en">' in pages[english.pk][0][1]
