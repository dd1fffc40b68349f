"""The check-in desk: badge scans, idempotent recording, the desk's mode, name search and the presence counts that
the elections rely on (present delegates with voting right)."""

import datetime
import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from delegates.checkin import (
    checkin_by_id,
    checkin_record,
    checkin_scan,
    checkin_search,
    normalise_badge_code,
    presence_counts,
)
from delegates.models import Attendance, Participant
from tests.factories import (
    CongressFactory,
    CountyFactory,
    OrganisationFactory,
    ParticipantFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    StaffUserFactory,
    regional_staff_user,
)
from tests.helpers import nb, sign_in_on_the_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_in_test", "client_prefers_english")]

IN, OUT = Attendance.Direction.IN, Attendance.Direction.OUT
DESK = "delegates_staff:checkin"
COUNTS = "delegates_staff:checkin_counts"


@pytest.fixture
def congress():
    return CongressFactory(first_day=datetime.date(2024, 2, 13), last_day=datetime.date(2024, 2, 14))


@pytest.fixture
def desk(client, secretariat):
    client.force_login(secretariat)
    return client


@pytest.fixture
def kari(congress):
    organisation = OrganisationFactory(name="Halden kommune", county=CountyFactory(number="31", name="Østfold"))
    return ParticipantFactory(
        congress=congress,
        first_name="Kari",
        last_name="Ødegård",
        organisation=organisation,
        county=organisation.county,
    )


def old_congress():
    return CongressFactory(
        year=2020,
        first_day=datetime.date(2020, 2, 11),
        last_day=datetime.date(2020, 2, 12),
        registration_deadline=datetime.date(2020, 1, 15),
    )


def scan(client, code: str, **query):
    url = reverse(DESK)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, {"action": "scan", "badge_code": code}, follow=True)


def feedback(response) -> str:
    return response.content.decode().split('id="checkin-feedback"', 1)[1].split("</div>", 1)[0]


# --- Scanning at the desk ----------------------------------------------------------------------------------------


def test_a_scan_records_arrival_and_shows_who_arrived(desk, secretariat, kari):
    response = scan(desk, f" {kari.badge_code.lower()}\n")  # a hand scanner may add whitespace; case is ignored

    assert response.status_code == 200
    attendance = Attendance.objects.get()
    assert (attendance.participant, attendance.direction, attendance.recorded_by) == (kari, IN, secretariat)
    shown = feedback(response)
    assert "Kari Ødegård" in shown
    assert "Halden kommune" in shown
    assert "Delegate" in shown
    assert f"Arrived {timezone.localtime(attendance.at):%H:%M}" in shown
    assert 'role="status"' in response.content.decode()


def test_an_unknown_code_shows_the_error_and_records_nothing(desk, kari):
    response = scan(desk, "NOSUCHBADGE")

    assert "Unknown badge" in feedback(response)
    assert "NOSUCHBADGE" in feedback(response)
    assert not Attendance.objects.exists()


def test_scanning_twice_records_once(desk, kari):
    scan(desk, kari.badge_code)
    response = scan(desk, kari.badge_code)

    assert Attendance.objects.count() == 1
    assert "Already registered as arrived" in feedback(response)


def test_departure_mode_is_kept_in_the_session_and_records_departures(desk, kari):
    scan(desk, kari.badge_code)

    response = desk.post(reverse(DESK), {"action": "mode", "direction": "out"}, follow=True)
    assert "Departure desk" in response.content.decode()
    scan(desk, kari.badge_code)
    response = scan(desk, kari.badge_code)  # still the departure desk; a second scan changes nothing

    assert list(Attendance.objects.order_by("at", "pk").values_list("direction", flat=True)) == [IN, OUT]
    assert desk.session["checkin_direction"] == OUT
    assert "Already registered as left" in feedback(response)
    assert presence_counts(congress=kari.congress)["present"] == 0

    desk.post(reverse(DESK), {"action": "mode", "direction": "in"})
    scan(desk, kari.badge_code)
    assert list(Attendance.objects.order_by("at", "pk").values_list("direction", flat=True)) == [IN, OUT, IN]


def test_a_withdrawn_participant_is_refused(desk, secretariat, kari):
    kari.status = Participant.Status.WITHDRAWN
    kari.save()

    response = scan(desk, kari.badge_code)

    assert "has withdrawn" in feedback(response)
    assert not Attendance.objects.exists()
    with pytest.raises(ValidationError, match="withdrawn"):
        checkin_record(participant=kari, direction=IN, user=secretariat)


def test_a_badge_of_another_congress_is_refused(desk, kari):
    other = ParticipantFactory(congress=old_congress())

    response = scan(desk, other.badge_code)

    assert "another congress" in feedback(response)
    assert not Attendance.objects.exists()


def test_checkin_record_is_idempotent_in_both_directions(secretariat, kari):
    first = checkin_record(participant=kari, direction=IN, user=secretariat)
    assert checkin_record(participant=kari, direction=IN, user=secretariat) == first
    left = checkin_record(participant=kari, direction=OUT, user=secretariat)
    assert checkin_record(participant=kari, direction=OUT, user=secretariat) == left
    assert Attendance.objects.count() == 2
    with pytest.raises(ValidationError):
        checkin_record(participant=kari, direction="sideways", user=secretariat)


def test_badge_codes_are_read_from_what_scanners_and_qr_codes_give():
    assert normalise_badge_code(" abc123\r\n") == "ABC123"
    assert normalise_badge_code("https://example.no/checkin/ABC123/") == "ABC123"
    assert normalise_badge_code("https://example.no/c?code=abc123") == "ABC123"
    assert normalise_badge_code("") == ""


def test_the_name_search_buttons_record_arrival_and_departure(desk, kari):
    url = reverse(DESK) + "?q=ødegård"
    response = desk.get(url)
    assert "Kari Ødegård" in response.content.decode()
    assert "Not arrived" in response.content.decode()

    response = desk.post(url, {"action": "record", "participant": kari.pk, "direction": "in"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("q=%C3%B8deg%C3%A5rd")
    assert "Present since" in response.content.decode()
    response = desk.post(url, {"action": "record", "participant": kari.pk, "direction": "out"}, follow=True)

    assert "Left " in feedback(response)
    assert list(Attendance.objects.order_by("at", "pk").values_list("direction", flat=True)) == [IN, OUT]


# --- Counting who is present ------------------------------------------------------------------------------------


def _present(participant, user):
    Attendance.objects.create(participant=participant, direction=IN, recorded_by=user)


def test_present_and_present_with_voting_right(congress, secretariat):
    county = CountyFactory(number="46", name="Vestland")

    def person(**kwargs):
        return ParticipantFactory(**{"congress": congress, "county": county, **kwargs})

    delegate = person(role="delegate")
    sb_delegate = person(role="samfunnsbedriftene_delegate", county=None, elected_by="samfunnsbedriftene")
    withdrawn = person(role="delegate", status=Participant.Status.WITHDRAWN)
    acting = person(role="deputy", deputy_rank=1, acting_for=withdrawn)
    idle_deputy = person(role="deputy", deputy_rank=2)
    guest = person(role="guest", elected_by="")
    absent_delegate = person(role="delegate")
    left_delegate = person(role="delegate")
    for participant in (delegate, sb_delegate, withdrawn, acting, idle_deputy, guest, left_delegate):
        _present(participant, secretariat)
    Attendance.objects.create(participant=left_delegate, direction=OUT, recorded_by=secretariat)
    ParticipantFactory(role="delegate")  # another congress
    assert absent_delegate.has_voting_right and not idle_deputy.has_voting_right and acting.has_voting_right

    counts = presence_counts(congress=congress)

    # present: delegate, SB delegate, acting deputy, idle deputy, guest (the withdrawn delegate is not counted)
    assert counts["present"] == 5
    # voting right: delegate, SB delegate, the deputy acting for the withdrawn delegate
    assert counts["present_voting"] == 3
    assert counts["total"] == 7  # active participants
    assert counts["voting_total"] == 5  # delegate, SB, acting deputy, absent and left delegates
    by_role = {row["role"]: row for row in counts["by_role"]}
    assert (by_role["delegate"]["present"], by_role["delegate"]["total"]) == (1, 3)
    assert (by_role["deputy"]["present"], by_role["deputy"]["present_voting"], by_role["deputy"]["total"]) == (2, 1, 2)
    assert by_role["guest"]["present_voting"] == 0
    assert by_role["delegate"]["label"] == "Delegate"


def test_the_latest_scan_decides_even_when_two_share_a_time(congress, secretariat, kari):
    at = timezone.now()
    Attendance.objects.create(participant=kari, direction=IN, at=at)
    Attendance.objects.create(participant=kari, direction=OUT, at=at)  # same instant, inserted later

    assert presence_counts(congress=congress)["present"] == 0


def _crowd(congress, n: int, user) -> None:
    county = CountyFactory(number="50", name="Trøndelag")
    roles = ["delegate", "guest", "observer", "samfunnsbedriftene_delegate"]
    people = Participant.objects.bulk_create(
        Participant(
            congress=congress,
            first_name="Per",
            last_name=f"Olsen{i}",
            email=f"p{i}@example.no",
            role=roles[i % len(roles)],
            county=county,
            status=Participant.Status.WITHDRAWN if i % 10 == 0 else Participant.Status.ACTIVE,
        )
        for i in range(n)
    )
    now = timezone.now()
    rows = [Attendance(participant=p, direction=IN, at=now - datetime.timedelta(hours=1)) for p in people[::2]]
    rows += [Attendance(participant=p, direction=OUT, at=now) for p in people[::4]]
    Attendance.objects.bulk_create(rows)


@pytest.mark.parametrize("n", [200, 2_000])
def test_counts_take_one_query_whatever_the_size(congress, secretariat, n):
    _crowd(congress, n, secretariat)

    with CaptureQueriesContext(connection) as queries:
        counts = presence_counts(congress=congress)

    assert len(queries) == 1
    # every second person came in, every fourth left again, every tenth withdrew: active and in are i % 4 == 2
    assert counts["present"] == sum(1 for i in range(n) if i % 4 == 2 and i % 10)
    assert counts["total"] == sum(1 for i in range(n) if i % 10)


def test_counts_json_for_polling(desk, kari, secretariat):
    checkin_record(participant=kari, direction=IN, user=secretariat)

    response = desk.get(reverse(COUNTS))

    assert response.status_code == 200
    data = response.json()
    assert (data["present"], data["present_voting"], data["total"], data["voting_total"]) == (1, 1, 1, 1)
    assert data["congress"] == kari.congress_id
    assert "no-cache" in response.headers["Cache-Control"] or "no-store" in response.headers["Cache-Control"]


def test_the_desk_chooses_the_newest_congress_or_the_one_asked_for(desk, kari, secretariat):
    old = old_congress()
    old_delegate = ParticipantFactory(congress=old)
    checkin_record(participant=old_delegate, direction=IN, user=secretariat)

    assert desk.get(reverse(COUNTS)).json()["present"] == 0
    assert desk.get(reverse(COUNTS) + f"?congress={old.pk}").json()["present"] == 1
    scan(desk, old_delegate.badge_code, congress=old.pk)  # the scan goes to the congress shown
    assert "Already registered as arrived" in feedback(scan(desk, old_delegate.badge_code, congress=old.pk))


def test_staff_without_the_change_permission_are_refused(client, congress):
    client.force_login(StaffUserFactory())

    assert client.get(reverse(DESK)).status_code == 403
    assert client.get(reverse(COUNTS)).status_code == 403
    assert client.post(reverse(DESK), {"action": "scan", "badge_code": "X"}).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, congress):
    response = client.get(reverse(COUNTS))
    assert response.status_code == 302


# --- Regional staff see their own counties only -----------------------------------------------------------------


@pytest.fixture
def regional(congress):
    office = RegionalOfficeFactory(name="KS Viken")
    user = regional_staff_user(office)
    own = CountyFactory(number="31", name="Østfold", regional_office=office)
    other = CountyFactory(number="46", name="Vestland", regional_office=RegionalOfficeFactory(name="KS Vest"))
    mine = ParticipantFactory(congress=congress, first_name="Berit", last_name="Aas", county=own)
    theirs = ParticipantFactory(congress=congress, first_name="Berit", last_name="Bø", county=other)
    return user, mine, theirs


def test_name_search_is_scoped_to_the_users_counties(client, congress, regional, secretariat):
    user, mine, theirs = regional

    assert [hit.participant for hit in checkin_search(congress=congress, query="berit", user=user)] == [mine]
    found = {hit.participant for hit in checkin_search(congress=congress, query="BERIT", user=secretariat)}
    assert found == {mine, theirs}

    client.force_login(user)
    page = client.get(reverse(DESK) + "?q=Berit").content.decode()
    assert "Berit Aas" in page
    assert "Berit Bø" not in page


def test_regional_staff_cannot_check_in_another_offices_participant(client, congress, regional):
    user, mine, theirs = regional

    with pytest.raises(ValidationError):
        checkin_by_id(congress=congress, participant_id=theirs.pk, direction=IN, user=user)
    with pytest.raises(ValidationError, match="No participant in your counties"):
        checkin_scan(congress=congress, badge_code=theirs.badge_code, direction=IN, user=user)
    client.force_login(user)
    client.post(reverse(DESK), {"action": "record", "participant": theirs.pk, "direction": "in"})
    assert not Attendance.objects.exists()

    scan(client, mine.badge_code)
    assert Attendance.objects.get().participant == mine


def test_a_regional_desk_learns_nothing_of_badges_outside_its_counties(client, congress, regional):
    """Another region's badge, another congress's badge in the user's own county and a code nobody has get the same
    answer: nothing names the person or confirms that the code exists."""
    user, mine, theirs = regional
    earlier = ParticipantFactory(congress=old_congress(), first_name="Berit", last_name="Aas", county=mine.county)
    client.force_login(user)

    answers = {}
    for label, code in (("other region", theirs.badge_code), ("other congress", earlier.badge_code)):
        response = scan(client, code)
        assert response.status_code == 200
        answers[label] = feedback(response).replace(code, "CODE")
        assert "Bø" not in answers[label] and "Berit" not in answers[label]
    unknown = "0123456789ABCDEF"
    answers["unknown"] = feedback(scan(client, unknown)).replace(unknown, "CODE")

    assert len(set(answers.values())) == 1, answers
    assert "No participant in your counties at this congress has the badge “CODE”." in answers["unknown"]
    assert not Attendance.objects.exists()


def test_search_gives_at_most_twenty_with_presence(congress, secretariat):
    people = [ParticipantFactory(congress=congress, first_name="Sølvi", last_name=f"Lie{i:02d}") for i in range(25)]
    checkin_record(participant=people[0], direction=IN, user=secretariat)

    hits = checkin_search(congress=congress, query="sølvi lie", user=secretariat)

    assert len(hits) == 20
    assert [hit.present for hit in hits[:2]] == [True, False]
    assert hits[0].since is not None
    assert checkin_search(congress=congress, query="  ", user=secretariat) == []


@pytest.mark.django_db(transaction=True)
def test_the_same_badge_scanned_at_two_desks_at_once_is_recorded_once():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite database is not shared between threads")
    congress = CongressFactory()
    kari = ParticipantFactory(congress=congress)
    user = SecretariatUserFactory()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def desk_scans():
        try:
            barrier.wait(timeout=10)
            checkin_scan(congress=congress, badge_code=kari.badge_code, direction=IN, user=user)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=desk_scans) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Attendance.objects.filter(participant=kari).count() == 1


# --- In the browser ---------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.usefixtures("transactional_db", "isolated_cache")
def test_desk_in_the_browser_scanner_counts_search_and_departure(live_server, page):
    from playwright.sync_api import expect

    from tests.accessibility import assert_no_axe_violations

    SecretariatUserFactory(email="skranke@ks.no")
    congress = CongressFactory()
    organisation = OrganisationFactory(name="Halden kommune", county=CountyFactory(number="31", name="Østfold"))
    kari = ParticipantFactory(
        congress=congress, first_name="Kari", last_name="Ødegård", organisation=organisation, county=organisation.county
    )
    ola = ParticipantFactory(congress=congress, first_name="Ola", last_name="Nordmann")
    desk_url = reverse(DESK)

    login_url = f"{live_server.url}{reverse('account_login')}?next={desk_url}"
    sign_in_on_the_form(page, login_url, "skranke@ks.no", lands_on=f"{live_server.url}{desk_url}")

    present = page.locator("#checkin-present")
    expect(present).to_have_text("0")
    field = page.get_by_label(nb("Badge code"))
    expect(field).to_be_focused()  # ready for the hand scanner
    expect(page.get_by_role("button", name=nb("Scan with camera"))).to_be_hidden()  # no BarcodeDetector here

    # A hand scanner types the code and presses Enter.
    page.keyboard.type(kari.badge_code)
    page.keyboard.press("Enter")

    status = page.get_by_role("status")
    expect(status).to_contain_text("Kari Ødegård")
    expect(status).to_contain_text("Halden kommune")
    arrived = Attendance.objects.get(participant=kari)
    expect(status).to_contain_text(nb("Arrived %(time)s") % {"time": f"{timezone.localtime(arrived.at):%H:%M}"})
    expect(present).to_have_text("1")
    expect(page.locator("#checkin-present-voting")).to_have_text("1")
    expect(field).to_be_focused()  # ready for the next badge

    # Another desk registers Ola; the poll brings the new count without reloading.
    Attendance.objects.create(participant=ola, direction=IN)
    expect(present).to_have_text("2", timeout=10_000)

    # Find Kari by name and register her departure.
    page.get_by_role("searchbox", name=nb("Name or participant number")).fill("ødegård")
    page.get_by_role("searchbox", name=nb("Name or participant number")).press("Enter")
    results = page.locator("#checkin-results")
    expect(results).to_contain_text("Kari Ødegård")
    results.get_by_role("button", name=re.compile(rf"^{nb('Left')}\W+Kari Ødegård$")).click()

    expect(status).to_contain_text("Kari Ødegård")
    left = Attendance.objects.filter(participant=kari).order_by("-at").first()
    assert left.direction == OUT
    expect(status).to_contain_text(nb("Left %(time)s") % {"time": f"{timezone.localtime(left.at):%H:%M}"})
    expect(present).to_have_text("1")
    assert_no_axe_violations(page, context="#content-main")
