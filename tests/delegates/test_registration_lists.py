import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from agenda.models import Event
from delegates.models import Participant, PersonalLink, Registration
from delegates.registration_lists import (
    accessibility_list,
    catering_list,
    registration_status_by_county,
    retention_overview,
    rooming_list,
)
from tests.factories import (
    CongressFactory,
    CountyFactory,
    OrganisationFactory,
    ParticipantFactory,
    RegionalOfficeFactory,
    RegistrationSettingsFactory,
    StaffUserFactory,
    regional_staff_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_in_test", "client_prefers_english")]

DIET = Registration.Diet
NOW = timezone.now()
_tokens = iter(range(1, 1_000_000))


@pytest.fixture
def congress():
    congress = CongressFactory(first_day=datetime.date(2024, 2, 13), last_day=datetime.date(2024, 2, 14))
    RegistrationSettingsFactory(congress=congress, health_data_retention_days=30)
    return congress


@pytest.fixture
def office():
    return RegionalOfficeFactory(name="KS Viken")


@pytest.fixture
def regional_user(office):
    return regional_staff_user(office)


@pytest.fixture
def ostfold(office):
    return CountyFactory(number="31", name="Østfold", regional_office=office)


@pytest.fixture
def vestland():
    return CountyFactory(number="46", name="Vestland", regional_office=RegionalOfficeFactory(name="KS Vest"))


@pytest.fixture
def events(congress):
    day = datetime.datetime(2024, 2, 13, 10, tzinfo=datetime.UTC)
    return [
        Event.objects.create(
            congress=congress, title="Landsting dag 1", starts_at=day, ends_at=day + datetime.timedelta(hours=6)
        ),
        Event.objects.create(
            congress=congress,
            title="Festmiddag",
            kind=Event.Kind.DINNER,
            starts_at=day + datetime.timedelta(hours=9),
            ends_at=day + datetime.timedelta(hours=12),
        ),
    ]


def person(congress, county, **fields):
    return ParticipantFactory(congress=congress, county=county, **fields)


def link(participant, *, mailed=True, opened=False, revoked=False):
    return PersonalLink.objects.create(
        participant=participant,
        token_hash=f"{next(_tokens):064x}",
        expires_at=NOW + datetime.timedelta(days=90),
        mailed_at=NOW if mailed else None,
        first_opened_at=NOW if opened else None,
        revoked_at=NOW if revoked else None,
    )


def register(participant, *, events=(), status=Registration.Status.REGISTERED, **fields):
    registration = Registration.objects.create(participant=participant, status=status, **fields)
    registration.events.set(events)
    return registration


def outbox(participant, status, *, purpose="invitation", created_at=None, **fields):
    from core.models import OutboxMail

    return OutboxMail.objects.create(
        to=participant.email if participant else "someone@example.no",
        subject="Invitasjon",
        body_text="Hei",
        purpose=purpose,
        status=status,
        related_participant_id=participant.pk if participant else None,
        created_at=created_at or NOW,
        **fields,
    )


# --- Status per county -------------------------------------------------------------------------------------------


def test_status_counts_each_step_per_county(congress, secretariat, ostfold, vestland):
    person(congress, ostfold)  # not invited yet
    invited = person(congress, ostfold)
    link(invited)
    opened = person(congress, ostfold)
    link(opened, opened=True)
    registered = person(congress, ostfold)
    link(registered, opened=True, revoked=True)  # an older link, replaced by a reminder's
    link(registered)
    register(registered)
    cancelled = person(congress, ostfold, status=Participant.Status.WITHDRAWN)
    link(cancelled, opened=True)
    register(cancelled, status=Registration.Status.CANCELLED)
    failed = person(congress, ostfold, first_name="Feil", last_name="Adresse")
    link(failed)
    outbox(failed, "sent", created_at=NOW - datetime.timedelta(days=2))
    outbox(failed, "failed", last_error="550 No such user")
    retried_ok = person(congress, ostfold)
    link(retried_ok)
    outbox(retried_ok, "failed", created_at=NOW - datetime.timedelta(days=2))
    outbox(retried_ok, "sent")  # the latest invitation went through
    reminder_failed = person(congress, ostfold)
    link(reminder_failed)
    outbox(reminder_failed, "failed", purpose="reminder")  # not an invitation
    person(congress, ostfold, status=Participant.Status.WITHDRAWN)  # withdrew before being invited
    withdrawn_by_staff = person(congress, ostfold, status=Participant.Status.WITHDRAWN)
    link(withdrawn_by_staff)
    register(withdrawn_by_staff)  # the registration stands, but the participant no longer takes part
    person(congress, vestland)
    samfunnsbedriftene = person(congress, None, role="samfunnsbedriftene_delegate", elected_by="samfunnsbedriftene")
    link(samfunnsbedriftene)
    other_congress = person(CongressFactory(), ostfold)
    link(other_congress)

    status = registration_status_by_county(congress=congress, user=secretariat)

    assert [f.label for f in status.counties] == ["31 Østfold", "46 Vestland", status.counties[2].label]
    ost = status.counties[0]
    assert (ost.participants, ost.invited, ost.opened, ost.registered, ost.cancelled, ost.mail_failed) == (
        10,
        8,
        3,
        1,
        1,
        1,
    )
    assert ost.not_invited == 1  # the withdrawn participant without a link needs no invitation
    assert [(f.name, f.error) for f in status.failed] == [("Feil Adresse", "550 No such user")]
    assert (status.counties[1].participants, status.counties[1].not_invited) == (1, 1)
    assert status.counties[2].county is None and status.counties[2].invited == 1
    assert (status.total.participants, status.total.invited, status.total.not_invited) == (12, 9, 2)


def test_regional_staff_see_status_only_for_their_counties(congress, regional_user, ostfold, vestland):
    person(congress, ostfold)
    link(person(congress, vestland))
    person(congress, None, role="samfunnsbedriftene_delegate")

    status = registration_status_by_county(congress=congress, user=regional_user)

    assert [f.label for f in status.counties] == ["31 Østfold"]
    assert (status.total.participants, status.total.invited, status.total.not_invited) == (1, 0, 1)
    assert not status.sees_all


# --- Catering, rooming and accessibility ---------------------------------------------------------------------------


def test_catering_counts_diets_in_total_and_per_event(congress, secretariat, ostfold, events):
    landsting, dinner = events
    register(person(congress, ostfold), events=[landsting, dinner], diet=DIET.VEGETARIAN)
    register(person(congress, ostfold), events=[landsting, dinner], diet=DIET.VEGAN, allergies="Nøtter")
    register(person(congress, ostfold), events=[landsting], diet=DIET.VEGETARIAN)
    register(person(congress, ostfold), events=[dinner], allergies="Gluten")
    register(person(congress, ostfold), events=[dinner], diet=DIET.VEGAN, status=Registration.Status.CANCELLED)
    register(person(congress, ostfold, status=Participant.Status.WITHDRAWN), events=[dinner], diet=DIET.VEGAN)

    catering = catering_list(congress=congress, user=secretariat)

    assert len(catering.rows) == 4
    assert {d.diet: d.count for d in catering.diets} == {"": 1, "vegetarian": 2, "vegan": 1, "other": 0}
    assert catering.with_allergies == 2
    by_title = {e.title: e for e in catering.events}
    assert by_title["Festmiddag"].total == 3
    assert {d.diet: d.count for d in by_title["Festmiddag"].diets} == {"": 1, "vegetarian": 1, "vegan": 1, "other": 0}
    assert by_title["Festmiddag"].allergies == 2
    assert by_title["Landsting dag 1"].total == 3
    vegan = next(r for r in catering.rows if r.diet == DIET.VEGAN)
    assert (vegan.diet_label, vegan.allergies, vegan.events) == ("Vegan", "Nøtter", ["Landsting dag 1", "Festmiddag"])


def test_catering_shows_deleted_health_data_as_deleted(congress, secretariat, ostfold, events):
    deleted_at = datetime.datetime(2024, 3, 15, 2, 0, tzinfo=datetime.UTC)
    register(person(congress, ostfold), events=events, health_data_deleted_at=deleted_at)

    catering = catering_list(congress=congress, user=secretariat)

    (row,) = catering.rows
    assert row.health_data_deleted_on == datetime.date(2024, 3, 15)
    assert (row.diet_label, row.allergies) == ("", "")
    assert sum(d.count for d in catering.diets) == 0
    assert catering.deleted == 1 and catering.health_data_deleted_on == datetime.date(2024, 3, 15)


def test_rooming_counts_each_night(congress, secretariat, ostfold):
    arrival = datetime.datetime(2024, 2, 12, 15, 0, tzinfo=datetime.UTC)
    register(
        person(congress, ostfold, first_name="Ada"),
        hotel_nights=["2024-02-12", "2024-02-13"],
        arrival=arrival,
        departure=arrival + datetime.timedelta(days=2),
    )
    register(person(congress, ostfold, first_name="Bo"), hotel_nights=["2024-02-13"])
    register(person(congress, ostfold, first_name="Cy"))  # no hotel
    register(person(congress, ostfold), hotel_nights=["2024-02-13"], status=Registration.Status.CANCELLED)

    rooming = rooming_list(congress=congress, user=secretariat)

    assert [(n.night, n.count) for n in rooming.nights] == [
        (datetime.date(2024, 2, 12), 1),
        (datetime.date(2024, 2, 13), 2),
    ]
    assert rooming.room_nights == 3
    assert [r.person.name.split()[0] for r in rooming.rows] == ["Ada", "Bo"]
    assert rooming.rows[0].arrival == timezone.localtime(arrival)


def test_accessibility_list_holds_only_those_who_gave_needs(congress, secretariat, ostfold, events):
    register(person(congress, ostfold, first_name="Rullestol"), accessibility="Rullestol, trenger rampe", events=events)
    register(person(congress, ostfold), accessibility="")
    register(person(congress, ostfold), accessibility="   ")
    register(person(congress, ostfold), accessibility="Teleslynge", status=Registration.Status.CANCELLED)
    register(person(congress, ostfold), health_data_deleted_at=datetime.datetime(2024, 3, 15, tzinfo=datetime.UTC))

    result = accessibility_list(congress=congress, user=secretariat)

    assert [(r.person.name.split()[0], r.accessibility) for r in result.rows] == [
        ("Rullestol", "Rullestol, trenger rampe")
    ]
    assert result.rows[0].events == ["Landsting dag 1", "Festmiddag"]
    assert result.deleted == 1 and result.health_data_deleted_on == datetime.date(2024, 3, 15)


# --- The pages and their downloads ------------------------------------------------------------------------------------

PAGES = [
    "delegates_staff:registration_status",
    "delegates_staff:registration_catering",
    "delegates_staff:registration_rooming",
    "delegates_staff:registration_accessibility",
    "delegates_staff:registration_retention",
]


def url(name, congress, **params):
    query = "&".join(f"{k}={v}" for k, v in {"congress": congress.pk, **params}.items())
    return f"{reverse(name)}?{query}"


def parse_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def parse_xlsx(response):
    from openpyxl import load_workbook

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def two_offices(congress, ostfold, vestland, events):
    mine = person(congress, ostfold, first_name="Mine", last_name="Egen", mobile="90000001")
    register(
        mine,
        events=events,
        diet=DIET.VEGAN,
        allergies='=HYPERLINK("http://evil")',
        accessibility="Førerhund",
        hotel_nights=["2024-02-12", "2024-02-13"],
        arrival=datetime.datetime(2024, 2, 12, 16, 30, tzinfo=datetime.UTC),
    )
    link(mine, opened=True)
    secret = person(congress, vestland, first_name="Hemmelig", last_name="Annen")
    register(
        secret,
        events=events,
        diet=DIET.VEGETARIAN,
        allergies="Skalldyr",
        accessibility="Rullestol",
        hotel_nights=["2024-02-13"],
    )
    link(secret)
    return mine, secret


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_the_view_participant_permission(client, congress, name):
    assert client.get(url(name, congress)).status_code == 302  # not signed in: to the login
    client.force_login(StaffUserFactory())
    assert client.get(url(name, congress)).status_code == 403
    assert client.get(url(name, congress, format="csv")).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_regional_staff_pages_leave_out_other_offices_counties(client, regional_user, two_offices, name):
    client.force_login(regional_user)

    html = client.get(url(name, two_offices[0].congress)).content.decode()

    assert "Hemmelig" not in html and "Vestland" not in html and "Skalldyr" not in html
    if name != "delegates_staff:registration_retention":
        assert reverse("delegates_staff:registration_retention") in html


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("delegates_staff:registration_status", "31 Østfold"),
        ("delegates_staff:registration_catering", "Vegan"),
        ("delegates_staff:registration_rooming", "Mine Egen"),
        ("delegates_staff:registration_accessibility", "Førerhund"),
    ],
)
def test_regional_staff_downloads_leave_out_other_offices_counties(client, regional_user, two_offices, name, expected):
    client.force_login(regional_user)
    congress = two_offices[0].congress

    rows = parse_csv(client.get(url(name, congress, format="csv")))
    sheet = parse_xlsx(client.get(url(name, congress, format="xlsx")))

    for table in (rows, [[("" if v is None else str(v)) for v in row] for row in sheet]):
        text = repr(table)
        assert expected in text
        assert "Hemmelig" not in text and "Vestland" not in text and "Skalldyr" not in text and "Rullestol" not in text


def test_status_page_shows_figures_and_links_to_the_lists(client, secretariat, two_offices):
    client.force_login(secretariat)

    response = client.get(url("delegates_staff:registration_status", two_offices[0].congress))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="status-31"' in html and 'id="status-46"' in html
    for name in PAGES[1:]:
        assert reverse(name) in html
    assert "format=csv" in html and "format=xlsx" in html


def test_status_downloads_have_a_row_per_county_and_the_total(client, secretariat, two_offices):
    client.force_login(secretariat)
    congress = two_offices[0].congress

    rows = parse_csv(client.get(url("delegates_staff:registration_status", congress, format="csv")))
    sheet = parse_xlsx(client.get(url("delegates_staff:registration_status", congress, format="xlsx")))

    assert rows[0][:5] == ["County", "Participants", "Invited", "Opened the link", "Registered"]
    assert rows[1:] == [
        ["31 Østfold", "1", "1", "1", "1", "0", "0", "0"],
        ["46 Vestland", "1", "1", "0", "1", "0", "0", "0"],
        ["Total", "2", "2", "1", "2", "0", "0", "0"],
    ]
    assert sheet[0] == rows[0]
    assert sheet[1:] == [
        ["31 Østfold", 1, 1, 1, 1, 0, 0, 0],
        ["46 Vestland", 1, 1, 0, 1, 0, 0, 0],
        ["Total", 2, 2, 1, 2, 0, 0, 0],
    ]


def test_catering_downloads_parse_back_without_formulas(client, secretariat, two_offices):
    client.force_login(secretariat)
    congress = two_offices[0].congress

    rows = parse_csv(client.get(url("delegates_staff:registration_catering", congress, format="csv")))
    sheet = parse_xlsx(client.get(url("delegates_staff:registration_catering", congress, format="xlsx")))

    assert rows[0] == ["Name", "County", "Organisation", "Role", "Diet", "Allergies and food intolerances", "Events"]
    assert [r[0] for r in rows[1:]] == ["Mine Egen", "Hemmelig Annen"]
    assert rows[1][4:] == ["Vegan", '\'=HYPERLINK("http://evil")', "Landsting dag 1, Festmiddag"]
    assert sheet[0] == rows[0]
    assert sheet[1][4:] == ["Vegan", '=HYPERLINK("http://evil")', "Landsting dag 1, Festmiddag"]
    from openpyxl import load_workbook

    response = client.get(url("delegates_staff:registration_catering", congress, format="xlsx"))
    assert load_workbook(io.BytesIO(response.content)).active["F2"].data_type == "s"  # text, not a formula


def test_catering_page_says_when_answers_were_deleted(client, secretariat, congress, ostfold):
    register(person(congress, ostfold), health_data_deleted_at=datetime.datetime(2024, 3, 15, 3, tzinfo=datetime.UTC))
    client.force_login(secretariat)

    html = client.get(url("delegates_staff:registration_catering", congress)).content.decode()
    rows = parse_csv(client.get(url("delegates_staff:registration_catering", congress, format="csv")))

    assert "were deleted on 15 March 2024" in html
    assert "Deleted on 15 March 2024" in html
    assert rows[1][4] == "Deleted on 15 Mar 2024"


def test_rooming_page_shows_rooms_per_night(client, secretariat, two_offices):
    client.force_login(secretariat)

    html = client.get(url("delegates_staff:registration_rooming", two_offices[0].congress)).content.decode()

    assert "Night from Monday 12 Feb 2024 to Tuesday 13 Feb 2024" in html
    night = html[html.index('id="night-2024-02-13"') :]
    assert '<td class="num">2</td>' in night[: night.index("</tr>")]
    assert "Room nights in total" in html


def test_rooming_downloads_have_nights_and_times(client, secretariat, two_offices):
    client.force_login(secretariat)
    congress = two_offices[0].congress

    rows = parse_csv(client.get(url("delegates_staff:registration_rooming", congress, format="csv")))
    sheet = parse_xlsx(client.get(url("delegates_staff:registration_rooming", congress, format="xlsx")))

    assert rows[0][:9] == [
        "Name",
        "County",
        "Organisation",
        "Mobile",
        "E-mail",
        "Hotel nights",
        "Number of nights",
        "Arrival",
        "Departure",
    ]
    assert rows[0][9:] == ["Night 12 Feb 2024–13 Feb 2024", "Night 13 Feb 2024–14 Feb 2024"]
    mine = rows[1]
    assert mine[0] == "Mine Egen" and mine[3] == "90000001"
    assert mine[5:] == [
        "12 Feb 2024, 13 Feb 2024",
        "2",
        timezone.localtime(datetime.datetime(2024, 2, 12, 16, 30, tzinfo=datetime.UTC)).strftime("%Y-%m-%d %H:%M"),
        "",
        "1",
        "1",
    ]
    assert rows[2][0] == "Hemmelig Annen" and rows[2][9:] == ["", "1"]
    assert sheet[1][7] == timezone.localtime(datetime.datetime(2024, 2, 12, 16, 30, tzinfo=datetime.UTC)).replace(
        tzinfo=None
    )
    assert sheet[1][6] == 2 and sheet[2][9:] == [None, 1]


def test_accessibility_downloads_list_the_needs(client, secretariat, two_offices):
    client.force_login(secretariat)
    congress = two_offices[0].congress

    rows = parse_csv(client.get(url("delegates_staff:registration_accessibility", congress, format="csv")))
    sheet = parse_xlsx(client.get(url("delegates_staff:registration_accessibility", congress, format="xlsx")))

    assert rows[0][6] == "Accessibility needs"
    assert [(r[0], r[6]) for r in rows[1:]] == [("Mine Egen", "Førerhund"), ("Hemmelig Annen", "Rullestol")]
    assert [(r[0], r[6]) for r in sheet[1:]] == [("Mine Egen", "Førerhund"), ("Hemmelig Annen", "Rullestol")]


def test_an_unknown_format_is_not_found(client, secretariat, congress):
    client.force_login(secretariat)

    assert client.get(url("delegates_staff:registration_catering", congress, format="pdf")).status_code == 404


def test_column_titles_follow_the_language(client, secretariat, two_offices):
    client.force_login(secretariat)

    response = client.get(
        url("delegates_staff:registration_catering", two_offices[0].congress, format="csv"), HTTP_ACCEPT_LANGUAGE="nb"
    )

    with translation.override("nb"):
        expected = [translation.gettext("Name"), translation.gettext("County")]
    rows = parse_csv(response)
    assert rows[0][:2] == expected
    assert len(rows) == 3


# --- Retention ---------------------------------------------------------------------------------------------------


def test_retention_tells_when_answers_and_mail_texts_go(client, secretariat, congress, ostfold, settings):
    settings.KS_OUTBOX_BODY_RETENTION_DAYS = 60
    register(person(congress, ostfold), diet=DIET.VEGAN)
    register(person(congress, ostfold), accessibility="Rullestol", allergies="Melk")
    register(person(congress, ostfold))  # nothing health-related
    participant = person(congress, ostfold)
    oldest = timezone.make_aware(datetime.datetime(2024, 1, 10, 12, 0))
    outbox(participant, "sent", created_at=oldest)
    outbox(participant, "failed", created_at=oldest + datetime.timedelta(days=3))
    outbox(participant, "queued", created_at=oldest - datetime.timedelta(days=30))  # kept until sent
    outbox(participant, "sent", created_at=oldest - datetime.timedelta(days=90), body_purged_at=NOW)

    retention = retention_overview(congress=congress, user=secretariat, today=datetime.date(2024, 1, 20))

    health = retention.health_data
    assert health.deletion_date == datetime.date(2024, 3, 15)
    assert (health.holding, health.with_diet, health.with_allergies, health.with_accessibility) == (2, 1, 1, 1)
    assert not health.overdue and health.deleted == 0
    assert (retention.mail.retention_days, retention.mail.stored, retention.mail.waiting) == (60, 3, 1)
    assert retention.mail.oldest_deleted_by == datetime.date(2024, 3, 11)  # 10 January + 60 days, by the next night

    client.force_login(secretariat)
    html = client.get(url("delegates_staff:registration_retention", congress)).content.decode()
    assert '<time datetime="2024-03-15">15 March 2024</time>, 30 days after the last day' in html
    assert "Right now 2 registrations hold such answers" in html
    assert "for 60 days after it was written" in html
    assert "Right now the text of 3 e-mails is stored." in html
    assert "1 of them has not been sent yet" in html


def test_retention_default_period_and_already_deleted_answers(client, secretariat, congress, ostfold, settings):
    del settings.KS_OUTBOX_BODY_RETENTION_DAYS
    register(person(congress, ostfold), health_data_deleted_at=datetime.datetime(2024, 3, 15, 3, tzinfo=datetime.UTC))
    client.force_login(secretariat)

    html = client.get(url("delegates_staff:registration_retention", congress)).content.decode()

    assert "for 90 days after it was written" in html
    assert 'The answers of 1 registration were deleted on <time datetime="2024-03-15">15 March 2024</time>.' in html
    assert "No e-mail text is stored now." in html


def test_regional_staff_retention_counts_only_their_counties(regional_user, congress, ostfold, vestland):
    mine = person(congress, ostfold)
    register(mine, diet=DIET.VEGAN)
    theirs = person(congress, vestland)
    register(theirs, diet=DIET.VEGAN)
    outbox(mine, "sent")
    outbox(theirs, "sent")
    outbox(None, "sent")

    retention = retention_overview(congress=congress, user=regional_user)

    assert retention.health_data.holding == 1
    assert retention.mail.stored == 1 and not retention.mail.all_mail


# --- A fixed number of queries --------------------------------------------------------------------------------------


def _bulk(congress, counties, events, count):
    from core.models import OutboxMail

    people = Participant.objects.bulk_create(
        [
            Participant(
                congress=congress,
                county=counties[i % len(counties)],
                organisation=None,
                role="delegate",
                elected_by="county_meeting",
                first_name="Kari",
                last_name=f"Bulk{i}",
                email=f"bulk{i}@example.no",
            )
            for i in range(count)
        ]
    )
    PersonalLink.objects.bulk_create(
        [
            PersonalLink(
                participant=p,
                token_hash=f"{next(_tokens):064x}",
                expires_at=NOW + datetime.timedelta(days=90),
                mailed_at=NOW,
                first_opened_at=NOW if i % 2 else None,
            )
            for i, p in enumerate(people)
        ]
    )
    OutboxMail.objects.bulk_create(
        [
            OutboxMail(
                to=p.email,
                subject="Invitasjon",
                body_text="Hei",
                purpose="invitation",
                status="failed" if i % 10 == 0 else "sent",
                related_participant_id=p.pk,
            )
            for i, p in enumerate(people)
        ]
    )
    registrations = Registration.objects.bulk_create(
        [
            Registration(
                participant=p,
                diet=[DIET.NONE, DIET.VEGAN, DIET.VEGETARIAN][i % 3],
                allergies="Nøtter" if i % 5 == 0 else "",
                accessibility="Rullestol" if i % 7 == 0 else "",
                hotel_nights=["2024-02-12", "2024-02-13"][: i % 3],
            )
            for i, p in enumerate(people)
            if i % 4
        ]
    )
    Registration.events.through.objects.bulk_create(
        [Registration.events.through(registration_id=r.pk, event_id=e.pk) for r in registrations for e in events]
    )


def _queries(client, name, congress, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(name, congress, **params))
    assert response.status_code == 200
    return len(queries)


QUERY_COUNTED = [(name, {}) for name in PAGES] + [
    (name, {"format": f}) for name in PAGES if name != "delegates_staff:registration_retention" for f in ("csv", "xlsx")
]


@pytest.mark.parametrize(("name", "params"), QUERY_COUNTED)
def test_pages_and_downloads_use_a_fixed_number_of_queries(
    client, regional_user, congress, office, events, name, params, django_assert_max_num_queries
):
    counties = [CountyFactory(number=f"{10 + i}", name=f"Fylke {i}", regional_office=office) for i in range(5)]
    OrganisationFactory(county=counties[0])
    client.force_login(regional_user)
    _bulk(congress, counties, events, 200)
    with_200 = _queries(client, name, congress, **params)

    Participant.objects.filter(congress=congress).delete()
    _bulk(congress, counties, events, 2000)

    with django_assert_max_num_queries(20):
        response = client.get(url(name, congress, **params))
    assert response.status_code == 200
    assert _queries(client, name, congress, **params) == with_200
