"""Issue 14, item 8: the demo's letters and agenda say the right thing, and a span of days is written once."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from agenda.models import Congress
from agenda.printing import render_agenda
from core.dates import date_range, date_span
from delegates import demo
from delegates.letters import render_invitation_letters, sample_invitation_letter
from delegates.models import MailText, Participant, SeatAllocation
from tests.factories import CongressFactory, CountyFactory, DelegateKeyFactory
from tests.helpers import pdf_text

ONE_DAY = datetime.date(2027, 1, 31)


# --- A span of days, in one place ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "first", "last", "sentence", "heading"),
    [
        ("en", ONE_DAY, ONE_DAY, "on 31 January 2027", "31 January 2027"),
        ("nb", ONE_DAY, ONE_DAY, "31. januar 2027", "31. januar 2027"),
        (
            "en",
            datetime.date(2024, 2, 13),
            datetime.date(2024, 2, 14),
            "from 13 February 2024 to 14 February 2024",
            "13 February 2024 – 14 February 2024",
        ),
        (
            "nb",
            datetime.date(2024, 2, 13),
            datetime.date(2024, 2, 14),
            "fra 13. februar 2024 til 14. februar 2024",
            "13. februar 2024 – 14. februar 2024",
        ),
    ],
)
def test_a_span_of_days_reads_as_one_day_when_it_is_one(language, first, last, sentence, heading):
    with translation.override(language):
        assert date_span(first, last) == sentence
        assert date_range(first, last) == heading


def test_the_template_filters_take_a_congress_an_event_or_two_dates():
    congress = Congress(first_day=ONE_DAY, last_day=ONE_DAY)
    template = Template(
        "{% load date_spans %}{{ congress|date_span }}|{{ congress|date_range }}|{{ first|date_span:last }}"
    )
    with translation.override("en"):
        text = template.render(Context({"congress": congress, "first": ONE_DAY, "last": datetime.date(2027, 2, 1)}))
    assert text == "on 31 January 2027|31 January 2027|from 31 January 2027 to 1 February 2027"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "doubled"),
    [
        ("en", "held in Oslo on 31 January 2027", "from 31 January 2027 to 31 January 2027"),
        ("nb", "holdes i Oslo 31. januar 2027", "fra 31. januar 2027 til 31. januar 2027"),
    ],
)
def test_a_one_day_congress_letter_says_on_that_day(language, expected, doubled):
    congress = CongressFactory(
        city="Oslo", venue="", first_day=ONE_DAY, last_day=ONE_DAY, registration_deadline=ONE_DAY
    )
    text = pdf_text(sample_invitation_letter(congress=congress, language=language))
    assert expected in text
    assert doubled not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "The congress is held in Oslo on 31 January 2027."), ("nb", "Landstinget holdes i Oslo 31. januar 2027.")],
)
def test_a_one_day_congress_programme_page_says_on_that_day(client, language, expected):
    congress = CongressFactory(city="Oslo", first_day=ONE_DAY, last_day=ONE_DAY, registration_deadline=ONE_DAY)
    page = client.get(f"{reverse('agenda:programme')}?congress={congress.pk}", HTTP_ACCEPT_LANGUAGE=language)
    assert expected in page.content.decode()


# --- The demo ---------------------------------------------------------------------------------------------------


def test_the_extraordinary_congress_letter_names_its_own_congress(seeded_demo):
    upcoming = Congress.objects.get(name=demo.UPCOMING_CONGRESS["name"])
    delegate = Participant.objects.filter(congress=upcoming).order_by("pk").first()
    for language in ("nb", "en"):
        letter = pdf_text(render_invitation_letters([(delegate, "https://example.no/p/X/")], language=language)[0])
        sample = pdf_text(sample_invitation_letter(congress=upcoming, language=language))
        for text in (letter, sample):
            assert "Landstinget 2024" not in text
            assert "«Ekstraordinært landsting (demo)»" in text  # the travel agency is told this congress


def test_the_2024_agenda_pdf_shows_the_plenarys_decisions(seeded_demo):
    congress = Congress.objects.get(name=demo.DEMO_CONGRESS["name"])
    text = pdf_text(render_agenda(congress, language="en")[0])
    assert "9 items, 9 decided." in text
    assert "Not yet decided." not in text
    assert "Landstinget tok leders tale til orientering." in text


def test_the_upcoming_congress_agenda_is_not_decided_yet(seeded_demo):
    upcoming = Congress.objects.get(name=demo.UPCOMING_CONGRESS["name"])
    assert not upcoming.agenda_items.exclude(decision="").exists()


# --- The seat-override form -------------------------------------------------------------------------------------


@pytest.fixture
def override(db):
    key = DelegateKeyFactory(congress=CongressFactory(name="Landstinget 2028"))
    allocation = SeatAllocation.objects.create(
        key=key, county=CountyFactory(number="03", name="Oslo"), population=243081, computed_seats=9
    )
    return allocation, reverse("admin:delegates_seatallocation_change", args=[allocation.pk])


@pytest.mark.parametrize(("language", "figure"), [("nb", "243\xa0081"), ("en", "243,081")])
def test_the_override_form_shows_the_population_in_the_languages_style(
    db, secretariat_client, override, language, figure
):
    _allocation, url = override
    page = secretariat_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert figure in page
    assert "243081" not in page


def test_the_override_form_has_no_delete_button_and_leads_back_to_the_allocation_table(
    db, secretariat_client, override
):
    allocation, url = override
    table = reverse("delegates_staff:seat_allocation", args=[allocation.key_id])
    page = secretariat_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert reverse("admin:delegates_seatallocation_delete", args=[allocation.pk]) not in page
    breadcrumbs = page[page.index('class="breadcrumbs"') : page.index("</div>", page.index('class="breadcrumbs"'))]
    assert f'href="{table}"' in breadcrumbs
    assert "Seat allocation: Landstinget 2028" in breadcrumbs

    response = secretariat_client.post(url, {"override_seats": "8", "override_reason": "Fylkesmøtets ønske"})
    assert response.status_code == 302 and response.url == table


def test_the_allocation_list_offers_no_delete_action(db, secretariat_client, override):
    page = secretariat_client.get(reverse("admin:delegates_seatallocation_changelist")).content.decode()
    assert 'value="delete_selected"' not in page
    assert "243\xa0081" in page


# --- The mail texts' list -----------------------------------------------------------------------------------------


def test_the_mail_text_list_shows_every_built_in_text_in_use_and_how_to_customise_it(db, secretariat_client):
    congress = CongressFactory(
        name="Landstinget 2028", first_day=datetime.date(2028, 2, 1), last_day=datetime.date(2028, 2, 2)
    )
    MailText.objects.create(
        congress=congress, kind="reminder", language="nb", subject="Husk {congress}", body="Hei {first_name}: {link}"
    )
    page = secretariat_client.get(reverse("admin:delegates_mailtext_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()

    section = html[
        html.index('id="mail-texts-in-use"') : html.index("</section>", html.index('id="mail-texts-in-use"'))
    ]
    assert "The mails as they go out for Landstinget 2028" in section
    assert section.count("<tr>") == 1 + len(MailText.Kind.choices) * len(MailText.Language.choices)
    assert "Invitation to {congress}" in section  # the built-in subject
    assert "Husk {congress}" in section  # staff's own
    assert section.count("Built-in") == 9 and section.count("Customised") == 1
    add = reverse("admin:delegates_mailtext_add")
    assert f"{add}?congress={congress.pk}&amp;kind=invitation&amp;language=en" in section


def test_customising_a_built_in_text_starts_from_it(db, secretariat_client):
    congress = CongressFactory()
    page = secretariat_client.get(
        f"{reverse('admin:delegates_mailtext_add')}?congress={congress.pk}&kind=invitation&language=en",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert 'value="Invitation to {congress}"' in page
    assert "The invitation letter is attached." in page


def test_the_mail_text_list_without_customised_texts_does_not_read_as_if_no_mail_had_a_text(db, secretariat_client):
    CongressFactory()
    html = secretariat_client.get(reverse("admin:delegates_mailtext_changelist"), HTTP_ACCEPT_LANGUAGE="nb").text
    assert "0 e-posttekster" not in html
    assert "Ingen her: de innebygde tekstene ovenfor sendes." in html
    assert html.count("Innebygd") == 10
