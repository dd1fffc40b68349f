"""Importing a county meeting's election results from CSV: stored per municipality and party, shown per party with
its share; every wrong line reported with its number and nothing stored; a municipality of another county refused;
another regional office kept out."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from county_meetings.models import ElectionResult
from county_meetings.services import election_results_replace
from tests.county_meetings.test_pages import make_region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

GOOD = """kommunenummer;kommunenavn;parti;stemmer
5601;Kommune 1;Arbeiderpartiet;600
5601;Kommune 1;Høyre;400
5602;Kommune 2;Arbeiderpartiet;1 000
5602;Kommune 2;Høyre;800
5602;Kommune 2;Senterpartiet;200
"""


@pytest.fixture
def ours():
    return make_region("56", "Finnmark", municipalities=2)


@pytest.fixture
def theirs():
    return make_region("11", "Rogaland")


def _upload(client, meeting, text: str, name: str = "valgresultat.csv"):
    url = reverse("county_meetings_staff:results", args=[meeting.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")})


def _stored(meeting) -> set[tuple[str, str, int]]:
    return set(ElectionResult.objects.filter(meeting=meeting).values_list("organisation__number", "party", "votes"))


def test_the_results_are_stored_and_shown_per_party_with_their_share(client, ours):
    client.force_login(ours.user)
    response = _upload(client, ours.meeting, GOOD)
    assert response.status_code == 302
    assert _stored(ours.meeting) == {
        ("5601", "Arbeiderpartiet", 600),
        ("5601", "Høyre", 400),
        ("5602", "Arbeiderpartiet", 1000),
        ("5602", "Høyre", 800),
        ("5602", "Senterpartiet", 200),
    }
    page = client.get(response["Location"]).content.decode()
    assert "5 results have been stored" in page
    table = page.split('id="results-table"')[1].split("</table>")[0]
    # 1 600 of 3 000 votes, 1 200, 200.
    assert 'Arbeiderpartiet</th><td class="num">1,600</td><td class="num">53.3 %</td>' in table
    assert 'Høyre</th><td class="num">1,200</td><td class="num">40.0 %</td>' in table
    assert 'Senterpartiet</th><td class="num">200</td><td class="num">6.7 %</td>' in table


def test_the_page_names_the_public_source(client, ours):
    client.force_login(ours.user)
    page = client.get(reverse("county_meetings_staff:results", args=[ours.meeting.pk])).content.decode()
    assert 'href="https://valgresultat.no/"' in page
    assert "Valgdirektoratet" in page


def test_the_source_given_with_the_import_is_kept_and_shown_with_the_figures_and_the_composition(client, ours):
    client.force_login(ours.user)
    url = reverse("county_meetings_staff:results", args=[ours.meeting.pk])
    upload = SimpleUploadedFile("valg.csv", GOOD.encode("utf-8"), content_type="text/csv")

    client.post(url, {"file": upload, "source": "  Invented   figures for a test "})

    ours.meeting.refresh_from_db()
    assert ours.meeting.results_source == "Invented figures for a test"
    assert "Invented figures for a test" in client.get(url).content.decode()
    composition = client.get(reverse("county_meetings_staff:composition", args=[ours.meeting.pk])).content.decode()
    assert "Source of the votes: Invented figures for a test." in composition


def test_every_wrong_line_is_reported_and_nothing_is_stored(client, ours, theirs):
    client.force_login(ours.user)
    _upload(client, ours.meeting, GOOD)
    before = _stored(ours.meeting)
    bad = """kommunenummer;parti;stemmer
5601;Arbeiderpartiet;700
1101;Høyre;300
5602;;12
5602;Høyre;mange
"""
    response = _upload(client, ours.meeting, bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file has 3 errors; nothing has been stored." in page
    assert "Line 3: Municipality 1101 is not one of the county&#x27;s municipalities." in page
    assert "Line 4: The party is missing." in page
    assert "Line 5: The number of votes “mange” is not a whole number" in page
    assert _stored(ours.meeting) == before


def test_a_new_file_replaces_the_meetings_results(client, ours):
    client.force_login(ours.user)
    _upload(client, ours.meeting, GOOD)
    _upload(client, ours.meeting, "municipality number,party,votes\n5601,Rødt,50\n")
    assert _stored(ours.meeting) == {("5601", "Rødt", 50)}
    page = client.get(reverse("county_meetings_staff:results", args=[ours.meeting.pk])).content.decode()
    assert "No results for:" in page and "Finnmark kommune 2" in page


def test_the_county_municipality_is_not_a_municipality_of_the_results():
    region = make_region("56", "Finnmark", municipalities=1)
    with pytest.raises(ValidationError) as refused:
        election_results_replace(meeting=region.meeting, data=b"kommunenummer;parti;stemmer\n56;H;1\n")
    assert refused.value.messages == [
        "Line 2: Municipality number “56” is not valid; it must have exactly four digits."
    ]
    assert not ElectionResult.objects.exists()


def test_another_office_cannot_read_nor_import_the_results(client, ours, theirs):
    client.force_login(ours.user)
    _upload(client, ours.meeting, GOOD)
    client.force_login(theirs.user)
    url = reverse("county_meetings_staff:results", args=[ours.meeting.pk])
    assert client.get(url).status_code == 404
    assert _upload(client, ours.meeting, "kommunenummer;parti;stemmer\n5601;Rødt;1\n").status_code == 404
    assert ("5601", "Rødt", 1) not in _stored(ours.meeting)
    assert len(_stored(ours.meeting)) == 5


def test_the_secretariat_reads_and_imports(client, ours):
    from tests.factories import SecretariatUserFactory

    client.force_login(SecretariatUserFactory())
    assert _upload(client, ours.meeting, GOOD).status_code == 302
    assert len(_stored(ours.meeting)) == 5
