"""One piece serves where there were two or more (issue 12): the staff pages' frame and congress picker, the
read-only admins, agenda items of the object's congress, the commands' file errors, the arrival/departure field,
the PDF page footer. The behaviour each test checks is the one the pages and services had before."""

import datetime
import pathlib
import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.urls import reverse

from agenda.models import AgendaItem
from core.models import OutboxMail
from tests.elections.factories import ElectionFactory
from tests.factories import CongressFactory

TEMPLATES = pathlib.Path(settings.BASE_DIR) / "templates"

#: Every staff page's template and the frame it extends (docs/DESIGN.md §5).
STAFF_TEMPLATES = {
    "admin/delegates/checkin.html": "admin/congress_page.html",
    "admin/delegates/overview.html": "admin/congress_page.html",
    "admin/delegates/documents.html": "admin/congress_page.html",
    "admin/delegates/registrations/base.html": "admin/congress_page.html",
    "admin/elections/desk.html": "admin/congress_page.html",
    "admin/delegates/delegatekey/allocation.html": "admin/staff_page.html",
    "admin/delegates/participant/withdraw.html": "admin/staff_page.html",
    "admin/delegates/participant/send_invitations.html": "admin/staff_page.html",
    "admin/committees/committee/work.html": "admin/staff_page.html",
    "admin/committees/politicaldocument/lines.html": "admin/staff_page.html",
    "admin/committees/politicaldocument/load.html": "admin/staff_page.html",
    "admin/elections/poll.html": "admin/staff_page.html",
    "admin/elections/confirm.html": "admin/staff_page.html",
}


@pytest.mark.parametrize(("template", "frame"), sorted(STAFF_TEMPLATES.items()))
def test_every_staff_page_extends_the_one_frame_and_writes_no_breadcrumbs_of_its_own(template, frame):
    source = (TEMPLATES / template).read_text(encoding="utf-8")

    assert source.startswith(f'{{% extends "{frame}" %}}')
    assert "{% block breadcrumbs %}" not in source
    assert 'class="breadcrumbs"' not in source


def test_the_congress_picker_is_written_once():
    pickers = [
        path.relative_to(TEMPLATES).as_posix()
        for path in TEMPLATES.rglob("*.html")
        # A select named "congress" (a hidden field of that name in a form with other selects is no picker).
        if re.search(r'<select[^>]*name="congress"', path.read_text(encoding="utf-8"))
    ]

    assert pickers == ["admin/includes/congress_picker.html"]


@pytest.mark.django_db
def test_the_staff_frame_leads_back_to_the_models_list_and_names_the_page(secretariat_client):
    CongressFactory()
    CongressFactory()

    page = secretariat_client.get(reverse("delegates_staff:checkin")).content.decode()

    breadcrumbs = page[page.index('class="breadcrumbs"') :].split("</div>", 1)[0]
    assert reverse("admin:index") in breadcrumbs
    assert reverse("admin:app_list", kwargs={"app_label": "delegates"}) in breadcrumbs
    assert reverse("admin:delegates_participant_changelist") in breadcrumbs
    assert 'id="checkin-congress"' in page  # the page's own picker id, through the shared include


@pytest.mark.django_db
def test_a_congress_page_without_a_congress_says_so(english, secretariat_client):
    for name in ("delegates_staff:checkin", "delegates_staff:documents", "elections_staff:desk"):
        page = secretariat_client.get(reverse(name)).content.decode()
        assert "There is no congress yet." in page


def test_the_read_only_admins_share_one_rule():
    from core.staff import ReadOnlyAdminMixin
    from delegates.models import Substitution
    from elections.models import Poll

    request = RequestFactory().get("/")
    for model in (OutboxMail, Substitution, Poll):
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, ReadOnlyAdminMixin)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


@pytest.mark.django_db
def test_an_elections_agenda_item_is_one_of_its_congress(secretariat_client):
    from agenda.staff import AgendaItemsOfItsCongressMixin
    from committees.models import PoliticalDocument
    from elections.models import Election

    election = ElectionFactory()
    ours = AgendaItem.objects.create(congress=election.congress, number=1, title="Valg")
    theirs = AgendaItem.objects.create(congress=CongressFactory(), number=1, title="Valg")

    page = secretariat_client.get(reverse("admin:elections_election_change", args=[election.pk]))

    choices = {value.value for value, _label in page.context["adminform"].form.fields["agenda_item"].choices if value}
    assert ours.pk in choices and theirs.pk not in choices
    for model in (Election, PoliticalDocument):
        assert isinstance(admin.site._registry[model], AgendaItemsOfItsCongressMixin)


def test_the_commands_say_the_same_when_a_file_cannot_be_read(english, tmp_path):
    from delegates.management.input_files import unreadable

    missing = tmp_path / "nothing.csv"

    assert unreadable(missing, FileNotFoundError()) == f"{missing}: no such file."
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_population", str(missing))
    with pytest.raises(CommandError, match="no such file"):
        call_command("apportion", str(missing), "--seats", "10", "--method", "sainte-lague")


def test_arrival_and_departure_are_one_kind_of_field():
    from delegates.portal.forms import DateTimeLocalField, RegistrationForm

    form = RegistrationForm.base_fields
    for name in ("arrival", "departure"):
        assert isinstance(form[name], DateTimeLocalField)
        assert not form[name].required
        assert form[name].widget.input_type == "datetime-local"
        assert form[name].clean("2024-02-12T10:30").replace(tzinfo=None) == datetime.datetime(2024, 2, 12, 10, 30)


def test_the_pdf_page_keeps_each_documents_footer():
    from django.template.loader import render_to_string

    agenda = render_to_string("includes/pdf_page.css", {"page_counter_css": "X"}).split()
    assert "string(doc-title);" in agenda and "X;" in agenda  # the reports' defaults
    programme = render_to_string(
        "includes/pdf_page.css", {"footer": "string(congress)", "counter": "counter(page)", "page_counter_css": "X"}
    ).split()
    assert "string(congress);" in programme and "counter(page);" in programme and "X;" not in programme
