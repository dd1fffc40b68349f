"""Issue 14 item 4: every word in the user's language, and one date and time style per language, 24-hour in both.

Bokmål admin pages had English left from Django and allauth ("Start typing to filter…", "Show counts",
"MFA/Authenticators") and from our models ("Recommended by:", "Outcome recorded by:"); the outbox showed purpose codes;
a percentage had a decimal point in bokmål; English dates were US numeric with a.m./p.m.; the 403 page was bare.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from agenda.models import Event
from core.services import outbox_queue
from delegates.overview import delegation_overview
from delegates.portal.forms import event_label
from tests.committees.factories import delegate, load_document, submit_amendment
from tests.delegates.test_overview import COUNCIL, MEETING, allocate, county_of, delegation, make_county
from tests.factories import CongressFactory, DelegateKeyFactory, SecretariatUserFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
MOMENT = datetime.datetime(2026, 12, 2, 5, 48, tzinfo=OSLO)
AFTERNOON = datetime.datetime(2027, 1, 30, 15, 0, tzinfo=OSLO)


@pytest.fixture
def staff_client(client):
    client.force_login(SecretariatUserFactory(is_superuser=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "nb"
    return client


# --- Bokmål in the admin ----------------------------------------------------------------------------------------


def test_the_admins_own_words_are_in_bokmal(staff_client):
    outbox_queue(to="a@example.com", subject="Innkalling", body_text="Hei", purpose="invitation")
    page = staff_client.get(reverse("admin:core_outboxmail_changelist")).text
    assert "Skriv for å filtrere …" in page
    assert "Vis antall" in page
    assert "Start typing to filter" not in page and "Show counts" not in page


def test_the_two_factor_app_is_named_in_bokmal(staff_client):
    page = staff_client.get(reverse("admin:index")).text
    assert "Tofaktorautentisering" in page
    assert "Autentiserere" in page
    assert ">MFA<" not in page and "Authenticators" not in page


def test_the_outbox_shows_what_a_mail_is_for_in_words(staff_client):
    outbox_queue(to="a@example.com", subject="Innkalling", body_text="Hei", purpose="invitation")
    outbox_queue(to="b@example.com", subject="Ny lenke", body_text="Hei", purpose="lost_link")
    outbox_queue(to="c@example.com", subject="Annet", body_text="Hei", purpose="something_else")
    page = staff_client.get(reverse("admin:core_outboxmail_changelist")).text
    assert '<td class="field-purpose_display">Innkalling</td>' in page
    assert '<td class="field-purpose_display">Ny lenke</td>' in page
    assert '<td class="field-purpose_display">something_else</td>' in page  # nobody registered a label
    assert ">invitation<" not in page and ">lost_link<" not in page
    # The filter too: labels, not codes.
    assert 'title="Innkalling">Innkalling</a>' in page or ">Innkalling</a>" in page
    filtered = staff_client.get(reverse("admin:core_outboxmail_changelist") + "?purpose=lost_link").text
    assert "b@example.com" in filtered and "a@example.com" not in filtered


def test_who_recommended_and_who_recorded_the_outcome_are_labelled_in_bokmal(staff_client):
    document = load_document()
    amendment = submit_amendment(document, delegate(document.congress))
    page = staff_client.get(reverse("admin:committees_amendment_change", args=[amendment.pk])).text
    assert "Innstilt av:" in page
    assert "Vedtaket registrert av:" in page
    assert "Recommended by" not in page and "Outcome recorded by" not in page


def test_a_percentage_in_a_warning_has_the_languages_decimal_sign(secretariat):
    key = DelegateKeyFactory(split_rule="fixed", county_municipality_seats=2, samfunnsbedriftene_seats=3)
    county = make_county("11", "Rogaland")
    allocate(key, county, 2 + 3)
    delegation(key.congress, county, COUNCIL, "FM", 2)
    delegation(key.congress, county, MEETING, "FMM", 3)  # 1 of 3 is a woman: 33.3 %
    with translation.override("nb"):
        overview = delegation_overview(congress=key.congress, user=secretariat)
    warnings = county_of(overview, "11").delegations[1].warnings
    assert any("33,3 %" in w for w in warnings), warnings
    assert not any("33.3" in w for w in warnings)
    with translation.override("en"):
        overview = delegation_overview(congress=key.congress, user=secretariat)
    assert any("33.3 %" in w for w in county_of(overview, "11").delegations[1].warnings)


# --- One date and time style per language, 24-hour ------------------------------------------------------------------


def test_english_dates_and_times_are_24_hour_and_day_first():
    with translation.override("en"):
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == "2 Dec 2026 05:48"
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == "2 December 2026 05:48"
        assert formats.date_format(AFTERNOON.date(), "DATE_FORMAT") == "30 January 2027"
        assert formats.date_format(AFTERNOON.date(), "SHORT_DATE_FORMAT") == "30 Jan 2027"
        assert formats.time_format(AFTERNOON, "TIME_FORMAT") == "15:00"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
    with translation.override("nb"):
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == "02.12.2026 05:48"
        assert formats.date_format(AFTERNOON.date(), "DATE_FORMAT") == "30. januar 2027"
        assert formats.time_format(AFTERNOON, "TIME_FORMAT") == "15:00"


def test_dates_and_times_typed_in_either_language_are_read():
    for language in ("nb", "en"):
        with translation.override(language):
            date_field, datetime_field, time_field = forms.DateField(), forms.DateTimeField(), forms.TimeField()
            for typed in ("2027-01-17", "17.01.2027"):
                assert date_field.clean(typed) == datetime.date(2027, 1, 17), (language, typed)
            moment = datetime_field.clean("17.01.2027 14:30").replace(tzinfo=None)
            assert moment == datetime.datetime(2027, 1, 17, 14, 30), language
            assert time_field.clean("14:30") == datetime.time(14, 30)
            # What a form shows (and the admin's calendar writes) reads back the same.
            shown = forms.DateField().widget.format_value(datetime.date(2027, 1, 17))
            assert date_field.clean(shown) == datetime.date(2027, 1, 17)
    with translation.override("en"):
        assert forms.DateField().clean("17/01/2027") == datetime.date(2027, 1, 17)
        assert forms.DateField().clean("17 January 2027") == datetime.date(2027, 1, 17)


def test_the_admins_calendar_widget_gets_the_first_input_format_and_monday_first(client):
    client.force_login(SecretariatUserFactory())
    catalog = client.get(reverse("admin:jsi18n"), HTTP_ACCEPT_LANGUAGE="en").text
    assert re.search(r'"DATE_INPUT_FORMATS": \[\s*"%Y-%m-%d",', catalog)
    assert re.search(r'"DATETIME_INPUT_FORMATS": \[\s*"%Y-%m-%d %H:%M:%S",', catalog)
    assert '"TIME_FORMAT": "H:i"' in catalog
    assert '"FIRST_DAY_OF_WEEK": 1' in catalog


def test_the_registration_forms_events_have_the_programmes_24_hour_times():
    congress = CongressFactory(
        first_day=datetime.date(2027, 1, 30),
        last_day=datetime.date(2027, 1, 31),
        registration_deadline=datetime.date(2027, 1, 17),
    )
    event = Event.objects.create(
        congress=congress,
        title="Landstinget åpner",
        starts_at=datetime.datetime(2027, 1, 30, 10, 0, tzinfo=OSLO),
        ends_at=datetime.datetime(2027, 1, 30, 15, 0, tzinfo=OSLO),
    )
    with translation.override("en"):
        assert "(Saturday 30 January, 10:00–15:00" in event_label(event, "en")
    with translation.override("nb"):
        assert "(lørdag 30. januar, 10:00–15:00" in event_label(event, "nb")


# --- The 403 page -----------------------------------------------------------------------------------------------------


def test_a_staff_user_without_permission_gets_the_admins_403_page_in_bokmal_with_a_way_back(client):
    client.force_login(StaffUserFactory())
    response = client.get(reverse("admin:core_outboxmail_changelist"), HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 403
    page = response.text
    assert "Ingen tilgang" in page
    assert "Du har ikke tilgang til denne siden" in page
    assert f'href="{reverse("admin:index")}"' in page
    assert 'id="site-name"' in page  # the admin's header
    assert "403 Forbidden" not in page


def test_the_403_page_is_in_english_for_an_english_user(client):
    client.force_login(StaffUserFactory())
    page = client.get(reverse("admin:core_outboxmail_changelist"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Access denied" in page and "You do not have permission to see this page" in page


def test_a_refused_form_gets_the_sites_403_page_with_a_way_home():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "x@example.com"}, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 403
    page = response.text
    assert "Ingen tilgang" in page
    assert "Skjemaet kunne ikke sendes" in page
    assert f'href="{reverse("home")}"' in page
    assert 'class="site-header"' in page  # the site's look
