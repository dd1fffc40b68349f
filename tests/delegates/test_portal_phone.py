"""Issue 13, item 5: the portal accepts phone numbers only (a participant's mobile is exported to spreadsheets)."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from delegates.models import Registration
from delegates.phone import phone_number_ok
from delegates.services.registration import registration_save
from tests.delegates.test_portal import congress, delegate, events, form_data, office, token

pytestmark = pytest.mark.django_db

__all__ = ["congress", "delegate", "events", "office", "token"]  # fixtures, imported for these tests

MESSAGE_NB = "Skriv telefonnummeret med 8 til 15 sifre"


@pytest.mark.parametrize(
    "number", ["", "91234567", "912 34 567", "+47 912 34 567", "+4791234567", "0047 912 34 567", "+46 70 123 45 67"]
)
def test_norwegian_and_international_numbers_are_accepted(number):
    assert phone_number_ok(number)


@pytest.mark.parametrize(
    "number",
    [
        "+cmd|' /C calc'!A0",
        "=1+1",
        "@SUM(1+1)",
        "-91234567",
        "912-34-567",
        "1234567",  # seven digits
        "+47 912 34 567 123 456",  # sixteen digits
        "47+91234567",
        "+ 47 912 34 567",
        "tlf 91234567",
    ],
)
def test_anything_else_is_refused(number):
    assert not phone_number_ok(number)


def test_the_portal_says_in_bokmal_what_a_phone_number_looks_like(client, delegate, token, events, congress):
    mobile = delegate.mobile
    response = client.post(
        reverse("portal:home", args=[token]), form_data(events, congress, mobile="+cmd|' /C calc'!A0")
    )

    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert MESSAGE_NB in body
    assert 'href="#id_mobile"' in body  # in the error summary, linked to the field
    assert not Registration.objects.filter(participant=delegate).exists()
    delegate.refresh_from_db()
    assert delegate.mobile == mobile


def test_the_registration_service_refuses_a_formula_as_mobile(delegate, events):
    with pytest.raises(ValidationError) as error:
        registration_save(
            participant=delegate,
            event_ids=[],
            hotel_nights=[],
            diet="",
            allergies="",
            accessibility="",
            arrival=None,
            departure=None,
            listed=False,
            mobile='=HYPERLINK("https://example.com")',
            link_url="https://example.com/p/x/",
        )
    assert "mobile" in error.value.message_dict
