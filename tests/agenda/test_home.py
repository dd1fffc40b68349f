"""The front page (agenda.views.home): the current congress and the ways in."""

import datetime

import pytest
from django.urls import resolve, reverse

from agenda import views
from tests.factories import CongressFactory

pytestmark = pytest.mark.django_db


def test_the_front_page_shows_the_congress_that_starts_last(client):
    CongressFactory(
        name="Landstinget 2020",
        year=2020,
        city="Oslo",
        first_day=datetime.date(2020, 2, 11),
        last_day=datetime.date(2020, 2, 12),
        registration_deadline=datetime.date(2020, 1, 15),
    )
    current = CongressFactory(
        name="Landstinget 2024",
        city="Trondheim",
        venue="Trondheim Spektrum",
        first_day=datetime.date(2024, 2, 12),
        last_day=datetime.date(2024, 2, 14),
    )

    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    text = response.text
    assert "Landstinget 2024" in text
    assert "Trondheim, Trondheim Spektrum" in text
    assert "Landstinget 2020" not in text
    assert f"{reverse('agenda:programme')}?congress={current.pk}" in text


def test_the_front_page_without_a_congress(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "No congress has been set up yet." in response.text
    assert "?congress=" not in response.text  # no link to a congress's programme


def test_the_front_page_belongs_to_the_agenda_app():
    """core must not import agenda (issue 12): the view that shows the congress lives in agenda."""
    assert resolve("/").func is views.home
    assert reverse("home") == "/"
