"""The participant number (issue 15, item 3): a short number per congress, given on creation however the participant
is created, never reused, printed, searched at the check-in desk and in the admin, exported read-only."""

import datetime
import io
import threading

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from pypdf import PdfReader
from simple_history.utils import bulk_create_with_history

from delegates import printing
from delegates.checkin import checkin_search
from delegates.forms import ParticipantAdminForm
from delegates.models import Participant
from delegates.resources import ParticipantResource
from delegates.selectors import participant_by_number, participant_number_in
from delegates.services.participants import participant_withdraw
from tests.factories import (
    CongressFactory,
    CountyFactory,
    OrganisationFactory,
    ParticipantFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    regional_staff_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_in_test", "client_prefers_english")]


@pytest.fixture
def congress():
    return CongressFactory(year=2024)


def numbers(congress) -> list[int]:
    return list(Participant.objects.filter(congress=congress).order_by("number").values_list("number", flat=True))


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


# --- Given on creation, unique, never reused ----------------------------------------------------------------------


def test_each_new_participant_gets_the_next_number_of_their_congress(congress):
    first, second, third = (ParticipantFactory(congress=congress) for _ in range(3))
    other = ParticipantFactory(congress=CongressFactory(year=2027))
    assert [first.number, second.number, third.number] == [1, 2, 3]
    assert other.number == 1  # every congress counts from 1
    assert Participant.objects.get(pk=third.pk).number == 3


def test_a_withdrawn_participant_keeps_the_number_and_it_is_not_given_again(congress):
    delegate = ParticipantFactory(congress=congress)
    ParticipantFactory(congress=congress, role="deputy", deputy_rank=1, county=delegate.county)
    participant_withdraw(participant=delegate, user=None, reason="Forfall")
    delegate.refresh_from_db()
    assert delegate.status == Participant.Status.WITHDRAWN and delegate.number == 1
    middle = ParticipantFactory(congress=congress, role="guest")
    assert middle.number == 3
    assert ParticipantFactory(congress=congress).number == 4
    # Saving again, or removing someone in the middle, renumbers nobody.
    middle.delete()
    delegate.save()
    assert numbers(congress) == [1, 2, 4]
    assert ParticipantFactory(congress=congress).number == 5


def test_created_in_bulk_the_participants_are_numbered_in_the_given_order(congress):
    ParticipantFactory(congress=congress)
    county = CountyFactory()
    made = Participant.objects.bulk_create(
        Participant(congress=congress, first_name="Kari", last_name=f"Bulk {n}", role="guest", county=county)
        for n in range(3)
    )
    assert [p.number for p in made] == [2, 3, 4]
    with_history = bulk_create_with_history(
        [Participant(congress=congress, first_name="Ola", last_name="Historie", role="guest", county=county)],
        Participant,
    )
    assert with_history[0].number == 5
    assert Participant.history.get(id=with_history[0].pk).number == 5  # the history has it too
    assert numbers(congress) == [1, 2, 3, 4, 5]


def test_the_database_refuses_a_number_twice_in_one_congress(congress):
    first = ParticipantFactory(congress=congress)
    second = ParticipantFactory(congress=congress)
    ParticipantFactory(congress=CongressFactory(year=2027), number=first.number)  # another congress: allowed
    second.number = first.number
    with pytest.raises(ValidationError) as error:
        second.validate_constraints()
    assert error.value.messages == ["Another participant of this congress has this number."]
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_moving_a_participant_to_another_congress_gives_a_number_there(congress):
    kari = ParticipantFactory(congress=congress)
    ParticipantFactory(congress=congress)
    later = CongressFactory(year=2027)
    ParticipantFactory(congress=later)
    data = {field: getattr(kari, field) for field in ("first_name", "last_name", "email", "role", "elected_by")}
    form = ParticipantAdminForm(
        data={**data, "congress": later.pk, "county": kari.county_id, "language": "nb"}, instance=kari
    )
    assert form.is_valid(), form.errors
    form.save()
    kari.refresh_from_db()
    assert (kari.congress, kari.number) == (later, 2)


@pytest.mark.django_db(transaction=True)
def test_two_participants_added_at_the_same_moment_both_get_a_number():
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    congress = CongressFactory()
    county = CountyFactory()
    ParticipantFactory(congress=congress, county=county)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def add(n: int) -> None:
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                if n % 2:
                    Participant.objects.create(
                        congress=congress, first_name="Kari", last_name=f"Samtidig {n}", role="guest", county=county
                    )
                else:
                    Participant.objects.bulk_create(
                        Participant(congress=congress, first_name="Ola", last_name=f"Bunke {n}{m}", role="guest")
                        for m in range(2)
                    )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert numbers(congress) == list(range(1, 8))


# --- The migration ------------------------------------------------------------------------------------------------

BEFORE = [("delegates", "0011_generated_document_counties")]
AFTER = [("delegates", "0014_participant_number_required")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_existing_participants_in_the_printed_order():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        # The other apps as far as they do not build on the number (an app whose migrations need it, such as the
        # county meetings', is left out of the old state: its tables were taken back with it).
        graph = executor.loader.graph
        numbered = set(graph.forwards_plan(AFTER[0])) - set(graph.forwards_plan(BEFORE[0]))
        others = [leaf for leaf in leaves if leaf[0] != "delegates" and not numbered & set(graph.forwards_plan(leaf))]
        old = MigrationExecutor(connection).loader.project_state(BEFORE + others).apps
        Congress = old.get_model("agenda", "Congress")
        County = old.get_model("delegates", "County")
        OldParticipant = old.get_model("delegates", "Participant")

        def congress(year):
            day = datetime.date(year, 2, 1)
            return Congress.objects.create(
                name=f"Landstinget {year}",
                year=year,
                city="Oslo",
                first_day=day,
                last_day=day,
                registration_deadline=day,
            )

        first, second = congress(2024), congress(2027)
        agder, oslo = County.objects.create(number="42", name="Agder"), County.objects.create(number="03", name="Oslo")

        def person(congress, last, county=None, role="delegate", rank=None, elected_by="county_meeting"):
            return OldParticipant.objects.create(
                congress=congress,
                first_name="Kari",
                last_name=last,
                county=county,
                role=role,
                deputy_rank=rank,
                elected_by=elected_by,
            )

        people = [
            person(first, "Uten fylke", role="guest", elected_by=""),
            person(first, "Vara 2", agder, role="deputy", rank=2),
            person(first, "Berg", agder),
            person(first, "Vara 1", agder, role="deputy", rank=1),
            person(first, "Aas", agder),
            person(first, "Fylkesting", agder, elected_by="county_council"),
            person(first, "Oslo", oslo),
            person(second, "Andre landsting", agder),
        ]
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER + others).apps
        number = dict(new.get_model("delegates", "Participant").objects.values_list("last_name", "number"))
        expected = ["Oslo", "Fylkesting", "Aas", "Berg", "Vara 1", "Vara 2", "Uten fylke"]
        assert [name for name, _n in sorted(number.items(), key=lambda item: item[1]) if name in expected] == expected
        assert [number[name] for name in expected] == [1, 2, 3, 4, 5, 6, 7]
        assert number["Andre landsting"] == 1
        assert len(people) == len(number)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(leaves)


# --- Finding a participant by number --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [("17", 17), (" 17 ", 17), ("nr 17", 17), ("Nr. 17", 17), ("#17", 17), ("# 17", 17), ("no. 17", 17)],
)
def test_a_number_as_people_type_it(text, number):
    assert participant_number_in(text) == number


@pytest.mark.parametrize("text", ["", "Kari", "17 Kari", "nr", "-17", "1.5", "nr17x"])
def test_not_a_number(text):
    assert participant_number_in(text) is None


def test_the_selector_finds_the_participant_of_the_congress_by_number(congress):
    kari, ola = ParticipantFactory(congress=congress), ParticipantFactory(congress=congress)
    ParticipantFactory(congress=CongressFactory(year=2027))
    assert participant_by_number(congress=congress, number=ola.number) == ola
    assert participant_by_number(congress=congress, number=kari.number) == kari
    assert participant_by_number(congress=congress, number=99) is None


@pytest.mark.parametrize("query", ["12", "nr 12", "#12", "Nr. 12"])
def test_checkin_search_by_number_finds_that_participant_first(congress, secretariat, query):
    people = [ParticipantFactory(congress=congress, first_name="Sølvi", last_name=f"Lie{i:02d}") for i in range(14)]
    hits = checkin_search(congress=congress, query=query, user=secretariat)
    assert hits[0].participant == people[11]
    assert people[11].number == 12
    # "Lie12" has the digits in the name: found too, after the number.
    assert all(hit.participant.number != 12 for hit in hits[1:])


def test_checkin_search_by_number_is_scoped_to_the_users_counties(congress, secretariat):
    office = RegionalOfficeFactory()
    user = regional_staff_user(office)
    mine = ParticipantFactory(congress=congress, county=CountyFactory(number="31", regional_office=office))
    theirs = ParticipantFactory(congress=congress, county=CountyFactory(number="46"))
    assert [hit.participant for hit in checkin_search(congress=congress, query=f"#{mine.number}", user=user)] == [mine]
    assert checkin_search(congress=congress, query=f"#{theirs.number}", user=user) == []
    assert [hit.participant for hit in checkin_search(congress=congress, query=str(theirs.number), user=secretariat)][
        :1
    ] == [theirs]


def test_the_desk_shows_the_number_in_the_results(client, congress, secretariat):
    ParticipantFactory(congress=congress)
    kari = ParticipantFactory(congress=congress, first_name="Kari", last_name="Ødegård")
    client.force_login(secretariat)
    page = client.get(reverse("delegates_staff:checkin") + "?q=nr+2").content.decode()
    assert "Find by name or number" in page
    assert '<td class="num">2</td>' in page
    assert "Kari Ødegård" in page and kari.number == 2


def test_a_scanned_badge_shows_the_number_in_the_feedback(client, congress, secretariat):
    ParticipantFactory(congress=congress)
    kari = ParticipantFactory(congress=congress, first_name="Kari", last_name="Ødegård")
    client.force_login(secretariat)
    page = client.post(
        reverse("delegates_staff:checkin"), {"action": "scan", "badge_code": kari.badge_code}, follow=True
    ).content.decode()
    feedback = page.split('id="checkin-feedback"', 1)[1].split("</div>", 1)[0]
    assert "Kari Ødegård</span> (No. 2)" in feedback


# --- Admin ------------------------------------------------------------------------------------------------------


def test_the_admin_shows_the_number_read_only_and_finds_by_it(client, congress, secretariat):
    people = [
        ParticipantFactory(congress=congress, last_name=f"Nordmann{letter}", email=f"{letter}@example.no")
        for letter in "ABC"
    ]
    client.force_login(secretariat)
    listing = reverse("admin:delegates_participant_changelist")
    for query in ("2", "nr 2", "#2"):
        page = client.get(listing, {"q": query}).content.decode()
        assert "NordmannB" in page and "NordmannA" not in page and "NordmannC" not in page, query
    assert "NordmannA" in client.get(listing, {"q": "NordmannA"}).content.decode()
    assert '<td class="field-number_column">3</td>' in client.get(listing).content.decode()

    change = client.get(reverse("admin:delegates_participant_change", args=[people[2].pk])).content.decode()
    assert 'name="number"' not in change  # not editable by hand
    assert "Participant number" in change and '<div class="readonly">3</div>' in change


def test_a_participant_added_in_the_admin_gets_a_number(client, congress, secretariat):
    ParticipantFactory(congress=congress)
    county = CountyFactory()
    client.force_login(secretariat)
    data = {
        "congress": congress.pk,
        "first_name": "Ny",
        "last_name": "Deltaker",
        "email": "ny@example.no",
        "county": county.pk,
        "role": "guest",
        "language": "nb",
        "number": "77",  # ignored: not a field of the form
        "registration-TOTAL_FORMS": "0",
        "registration-INITIAL_FORMS": "0",
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
    }
    client.post(reverse("admin:delegates_participant_add"), data)
    assert Participant.objects.get(email="ny@example.no").number == 2


# --- Export and import ------------------------------------------------------------------------------------------


def test_the_export_has_the_number_first_and_an_import_ignores_it(congress):
    county = CountyFactory(number="42")
    people = [ParticipantFactory(congress=congress, county=county, role="guest") for _ in range(2)]
    exported = ParticipantResource().export(queryset=Participant.objects.filter(congress=congress).order_by("number"))
    assert exported.headers[0] == "nr"
    assert [row[0] for row in exported] == ["1", "2"] or [row[0] for row in exported] == [1, 2]

    data = tablib.Dataset(headers=exported.headers)
    for row in exported:
        data.append(row)
    row = list(data[0])
    row[0] = "40"  # a changed number is not imported
    data[0] = row
    data.append(["99", "2024", "Ny", "Person", "ny@example.no", "", "", "", "", "42", "", "gjest", "", "", "", ""])
    result = ParticipantResource().import_data(data, dry_run=False, raise_errors=True)
    assert not result.has_validation_errors()
    assert [p.number for p in people] == [1, 2] and numbers(congress) == [1, 2, 3]
    assert Participant.objects.get(email="ny@example.no").number == 3


# --- Printed ------------------------------------------------------------------------------------------------------


@pytest.fixture
def printed(congress):
    county = CountyFactory(number="50", name="Trøndelag")
    organisation = OrganisationFactory(name="Bærum kommune", county=county)
    for _ in range(15):
        ParticipantFactory(congress=congress, county=county, organisation=organisation)
    return ParticipantFactory(congress=congress, first_name="Kari", last_name="Nordmann", county=county)


def test_the_number_is_on_the_badge(congress, printed):
    text = pdf_text(printing.build_badges_a4(congress)[0])
    assert printed.number == 16
    assert "Nr. 16" in text and "Nr. 1 " in text  # the congress's language, bokmål


def test_the_number_is_on_the_name_card(congress, printed):
    pdf, _pages = printing.render_name_cards([printing.name_card_for(printed)])
    assert pdf_text(pdf).count("Nr. 16") == 2  # on both halves


def test_the_number_is_a_column_of_the_participant_list(congress, printed):
    text = pdf_text(printing.build_participant_list(congress)[0])
    assert "Nr. Navn" in text
    assert "16 Kari Nordmann" in text


# --- In the browser ---------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.usefixtures("transactional_db", "isolated_cache")
def test_the_desk_finds_by_number_in_the_browser_and_the_admin_list_shows_it(live_server, page):
    from playwright.sync_api import expect

    from tests.helpers import assert_no_horizontal_scroll, nb, sign_in_on_the_form

    SecretariatUserFactory(email="skranke@ks.no")
    congress = CongressFactory()
    organisation = OrganisationFactory(name="Halden kommune", county=CountyFactory(number="31", name="Østfold"))
    for n in range(11):
        ParticipantFactory(congress=congress, first_name="Ola", last_name=f"Nordmann{chr(65 + n)}")
    kari = ParticipantFactory(
        congress=congress, first_name="Kari", last_name="Ødegård", organisation=organisation, county=organisation.county
    )
    desk_url = reverse("delegates_staff:checkin")
    login_url = f"{live_server.url}{reverse('account_login')}?next={desk_url}"
    sign_in_on_the_form(page, login_url, "skranke@ks.no", lands_on=f"{live_server.url}{desk_url}")

    search = page.get_by_role("searchbox", name=nb("Name or participant number"))
    search.fill("nr 12")
    search.press("Enter")
    first = page.locator("#checkin-results tbody tr").first
    expect(first).to_contain_text("Kari Ødegård")
    expect(first.locator("td.num")).to_have_text("12")
    assert kari.number == 12
    assert_no_horizontal_scroll(page)

    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(f"{live_server.url}{reverse('admin:delegates_participant_changelist')}?q=%2312")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td.field-number_column")).to_have_text("12")
    expect(page.locator("#result_list thead")).to_contain_text(nb("No."))
    assert_no_horizontal_scroll(page)
