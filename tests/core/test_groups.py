"""The staff groups hold exactly what the apps grant them, refreshed on every migrate."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from committees.apps import COMMITTEE_SECRETARY_GROUP
from committees.models import StatementSettings
from core.groups import REGIONAL_OFFICE_GROUP, staff_groups_ensure
from delegates.models import RegistrationSettings
from tests.factories import CongressFactory, StaffUserFactory, regional_staff_user

pytestmark = pytest.mark.django_db


def test_a_permission_no_app_grants_is_taken_away_on_the_next_refresh():
    staff_groups_ensure()
    regional = Group.objects.get(name=REGIONAL_OFFICE_GROUP)
    stray = Permission.objects.filter(
        content_type__app_label__in=["core", "auth"], codename__in=["view_outboxmail", "change_user"]
    )
    regional.permissions.add(*stray)

    staff_groups_ensure()

    assert stray.count() == 2
    assert not regional.permissions.filter(pk__in=stray).exists()


def test_regional_staff_read_the_congress_settings_on_the_congress_page(client):
    congress = CongressFactory()
    RegistrationSettings.objects.create(congress=congress, travel_information="Reis med tog fra Oslo S.")
    StatementSettings.objects.create(
        congress=congress, statement_deadline=timezone.now() + datetime.timedelta(days=9), statement_min_supporters=7
    )
    client.force_login(regional_staff_user())

    response = client.get(reverse("admin:agenda_congress_change", args=[congress.pk]))

    assert "Reis med tog fra Oslo S." in response.content.decode()
    assert {RegistrationSettings, StatementSettings} <= _inline_models(response)


def test_a_committee_secretary_reads_the_statement_deadline_on_the_congress_page(client):
    congress = CongressFactory()
    StatementSettings.objects.create(congress=congress, statement_min_supporters=7)
    staff_groups_ensure()
    secretary = StaffUserFactory()
    secretary.groups.add(Group.objects.get(name=COMMITTEE_SECRETARY_GROUP))
    client.force_login(secretary)

    response = client.get(reverse("admin:agenda_congress_change", args=[congress.pk]))

    assert response.status_code == 200
    assert StatementSettings in _inline_models(response)


def _inline_models(response) -> set:
    return {inline.formset.model for inline in response.context["inline_admin_formsets"]}
