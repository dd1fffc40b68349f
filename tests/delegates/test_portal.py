"""The registration portal behind the personal link: register, change, cancel, bad links, lost link, my data."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agenda.models import Event
from core.models import OutboxMail
from delegates.mail_texts import default_text
from delegates.models import Participant, PersonalLink, Registration
from delegates.services.links import personal_link_issue, personal_link_revoke_all, personal_link_url
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory, RegionalOfficeFactory
from tests.helpers import nb

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def congress():
    return CongressFactory(
        first_day=TODAY + datetime.timedelta(days=30),
        last_day=TODAY + datetime.timedelta(days=31),
        registration_deadline=TODAY + datetime.timedelta(days=10),
    )


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def events(congress):
    day = congress.first_day
    landsting = Event.objects.create(
        congress=congress,
        title="Landsting, første dag",
        title_en="Landsting, first day",
        starts_at=at(day, 15, 30),
        ends_at=at(day, 17, 30),
        invited_roles=["delegate", "deputy"],
    )
    board = Event.objects.create(
        congress=congress,
        title="Hovedstyremøte",
        title_en="Board meeting",
        starts_at=at(day, 9),
        ends_at=at(day, 11),
        invited_roles=["board_member"],
    )
    return landsting, board


@pytest.fixture
def office():
    return RegionalOfficeFactory(name="KS Trøndelag", email="trondelag@ks.no")


@pytest.fixture
def delegate(congress, office):
    county = CountyFactory(number="50", name="Trøndelag", regional_office=office)
    return ParticipantFactory(
        congress=congress, county=county, first_name="Ingebjørg", last_name="Skjervheim", email="inge@example.no"
    )


@pytest.fixture
def deputy(delegate):
    return ParticipantFactory(
        congress=delegate.congress,
        county=delegate.county,
        elected_by=delegate.elected_by,
        role="deputy",
        deputy_rank=1,
        first_name="Vara",
        last_name="Varesen",
        email="vara@example.no",
    )


@pytest.fixture
def token(delegate):
    _link, token = personal_link_issue(participant=delegate)
    return token


def form_data(event_pair, congress, **changes):
    landsting, _board = event_pair
    night = congress.first_day - datetime.timedelta(days=1)
    data = {
        "mobile": "+47 912 34 567",
        "events": [str(landsting.pk)],
        "hotel_nights": [night.isoformat()],
        "diet": "vegetarian",
        "allergies": "Nøtter",
        "accessibility": "Rullestol",
        "arrival": f"{night.isoformat()}T18:00",
        "departure": f"{congress.last_day.isoformat()}T16:00",
        "listed": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post(client, url, data, capture):
    with capture(execute=True):
        return client.post(url, data)


def test_register_saves_the_answers_and_mails_a_confirmation_with_the_link(
    client, delegate, token, events, congress, django_capture_on_commit_callbacks, settings
):
    response = client.get(reverse("portal:home", args=[token]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ingebjørg Skjervheim" in body
    assert "Landsting, første dag" in body
    assert "Hovedstyremøte" not in body  # not invited: not offered
    assert "<fieldset" in body and "<legend>" in body

    response = post(
        client, reverse("portal:home", args=[token]), form_data(events, congress), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:done", args=[token])

    registration = Registration.objects.get(participant=delegate)
    assert registration.status == Registration.Status.REGISTERED
    assert [e.pk for e in registration.events.all()] == [events[0].pk]
    assert registration.hotel_nights == [(congress.first_day - datetime.timedelta(days=1)).isoformat()]
    assert registration.diet == "vegetarian" and registration.listed
    assert timezone.localtime(registration.arrival).hour == 18
    delegate.refresh_from_db()
    assert delegate.mobile == "+47 912 34 567"

    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == ["inge@example.no"]
    assert personal_link_url(token) in confirmation.body
    assert OutboxMail.objects.get(related_participant_id=delegate.pk).status == OutboxMail.Status.SENT

    done = client.get(response["Location"])
    assert done.status_code == 200
    text = done.content.decode()
    assert "Landsting, første dag" in text and "Nøtter" in text and "Rullestol" in text


def test_reopening_shows_the_saved_answers_and_a_change_is_saved(
    client, delegate, token, events, congress, django_capture_on_commit_callbacks
):
    url = reverse("portal:home", args=[token])
    post(client, url, form_data(events, congress), django_capture_on_commit_callbacks)

    page = client.get(url).content.decode()
    assert re.search(rf'value="{events[0].pk}"[^>]*checked', page)
    assert re.search(r'value="vegetarian"[^>]*checked', page)
    assert "Nøtter</textarea>" in page

    response = post(
        client,
        url,
        form_data(events, congress, diet="vegan", events=[], listed=None, no_events_confirmed="on"),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    registration = Registration.objects.get(participant=delegate)
    assert registration.diet == "vegan"
    assert not registration.events.exists()
    assert not registration.listed
    assert len(mail.outbox) == 2  # a confirmation for each change


def test_events_not_invited_to_are_refused(
    client, delegate, token, events, congress, django_capture_on_commit_callbacks
):
    _landsting, board = events
    response = post(
        client,
        reverse("portal:home", args=[token]),
        form_data(events, congress, events=[str(board.pk)]),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="error-summary"' in body
    assert 'href="#id_events_0"' in body
    assert not Registration.objects.filter(participant=delegate).exists()
    assert mail.outbox == []


def test_bad_input_is_reported_next_to_the_field_and_in_the_summary(client, token, events, congress):
    response = client.post(
        reverse("portal:home", args=[token]),
        form_data(events, congress, arrival=f"{congress.last_day}T18:00", departure=f"{congress.first_day}T08:00"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_departure"' in body
    assert 'aria-invalid="true"' in body
    assert 'id="id_departure_error"' in body


def test_after_the_deadline_the_page_is_read_only_and_a_post_is_refused(
    client, delegate, token, events, congress, django_capture_on_commit_callbacks
):
    url = reverse("portal:home", args=[token])
    post(client, url, form_data(events, congress), django_capture_on_commit_callbacks)
    congress.registration_deadline = TODAY - datetime.timedelta(days=1)
    congress.save()

    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert '<form class="form portal-form"' not in body
    assert "Nøtter" in body  # the saved answers are shown
    assert "can no longer be changed" in body or "kan ikke lenger endres" in body

    response = post(client, url, form_data(events, congress, diet="vegan"), django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert Registration.objects.get(participant=delegate).diet == "vegetarian"

    assert client.post(reverse("portal:cancel", args=[token])).status_code == 403
    delegate.refresh_from_db()
    assert delegate.status == Participant.Status.ACTIVE


def test_cancel_withdraws_the_delegate_the_deputy_takes_the_seat_and_the_office_is_told(
    client, delegate, deputy, token, events, congress, office, django_capture_on_commit_callbacks
):
    confirm = client.get(reverse("portal:cancel", args=[token]))
    assert confirm.status_code == 200
    assert "deputy" in confirm.content.decode() or "vara" in confirm.content.decode()

    response = post(client, reverse("portal:cancel", args=[token]), {}, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:cancelled", args=[token])

    delegate.refresh_from_db()
    deputy.refresh_from_db()
    assert delegate.status == Participant.Status.WITHDRAWN
    assert deputy.acting_for_id == delegate.pk
    assert Registration.objects.get(participant=delegate).status == Registration.Status.CANCELLED

    notice = OutboxMail.objects.get(related_participant_id=delegate.pk, purpose="cancellation_notice")
    assert notice.to == office.email
    assert any(office.email in m.to for m in mail.outbox)
    # The deputy is invited (the invitation task runs after the commit).
    assert OutboxMail.objects.filter(related_participant_id=deputy.pk, purpose="invitation").exists()
    assert any(m.to == ["vara@example.no"] for m in mail.outbox)

    assert client.get(response["Location"]).status_code == 200
    home = client.get(reverse("portal:home", args=[token])).content.decode()
    assert 'class="form portal-form"' not in home


@pytest.mark.parametrize("problem", ["malformed", "unknown", "revoked", "expired"])
def test_bad_links_get_a_clear_page_without_personal_data(client, delegate, token, problem):
    if problem == "malformed":
        bad, status = "not-a-token", 404
    elif problem == "unknown":
        bad, status = "A" * 43, 404
    elif problem == "revoked":
        personal_link_revoke_all(participant=delegate, user=None)  # only staff revoke links
        bad, status = token, 410
    else:
        PersonalLink.objects.filter(participant=delegate).update(expires_at=timezone.now() - datetime.timedelta(1))
        bad, status = token, 410
    for name in ("portal:home", "portal:my_data", "portal:cancel", "portal:done"):
        response = client.get(reverse(name, args=[bad]))
        assert response.status_code == status
        body = response.content.decode()
        assert "Skjervheim" not in body and "inge@example.no" not in body
        assert reverse("portal:lost_link") in body
        assert response["Referrer-Policy"] == "same-origin"
    assert client.post(reverse("portal:cancel", args=[bad])).status_code == status
    delegate.refresh_from_db()
    assert delegate.status == Participant.Status.ACTIVE


def test_issuing_a_new_link_keeps_the_old_one_working(client, delegate, token):
    _link, newer = personal_link_issue(participant=delegate)
    assert client.get(reverse("portal:home", args=[token])).status_code == 200
    assert client.get(reverse("portal:home", args=[newer])).status_code == 200
    assert PersonalLink.objects.valid().filter(participant=delegate).count() == 2


def test_portal_responses_carry_the_security_headers(client, token):
    for url in (reverse("portal:home", args=[token]), reverse("portal:lost_link")):
        response = client.get(url)
        assert response["Referrer-Policy"] == "same-origin"
        assert "no-store" in response["Cache-Control"]
        assert "noindex" in response["X-Robots-Tag"]


def _without_csrf(body: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body.decode())


def test_lost_link_answers_the_same_for_known_and_unknown_addresses(
    client, delegate, token, isolated_cache, django_capture_on_commit_callbacks
):
    url = reverse("portal:lost_link")
    PersonalLink.objects.filter(participant=delegate).update(mailed_at=timezone.now())  # the invitation went out
    assert client.get(url).status_code == 200
    known = post(client, url, {"email": "INGE@example.no"}, django_capture_on_commit_callbacks)
    unknown = post(client, url, {"email": "nobody@example.no"}, django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known.content) == _without_csrf(unknown.content)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["inge@example.no"]
    new_url = re.search(r"https?://\S+/p/[A-Za-z0-9_-]{43}/", mail.outbox[0].body).group(0)
    new_path = new_url.removeprefix(personal_link_url("x").removesuffix("/p/x/"))
    assert client.get(new_path).status_code == 200
    assert client.get(reverse("portal:home", args=[token])).status_code == 200  # the old link still works


def test_the_lost_link_page_and_mail_say_that_earlier_links_keep_working(client, client_prefers_english):
    page = client.get(reverse("portal:lost_link")).content.decode()
    assert "Links you already have keep working." in page
    assert "replaces" not in page
    _subject, body = default_text("lost_link", "en")
    assert "Links you have received before still work." in body
    assert "no longer work" not in body
    assert "virker ikke lenger" not in default_text("lost_link", "nb")[1]


def test_lost_link_is_rate_limited_per_address_and_per_ip(
    client, delegate, isolated_cache, django_capture_on_commit_callbacks
):
    url = reverse("portal:lost_link")
    link, _token = personal_link_issue(participant=delegate)
    PersonalLink.objects.filter(pk=link.pk).update(mailed_at=timezone.now())  # the invitation went out
    answers = [post(client, url, {"email": "inge@example.no"}, django_capture_on_commit_callbacks) for _ in range(5)]
    assert len(mail.outbox) == 3  # 3 per hour per address
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert len({_without_csrf(a.content) for a in answers[:3]}) == 1
    over = answers[3].content.decode()
    assert nb("Too many requests for a new link") in over  # said in words, not "check your e-mail"
    assert nb("Check your e-mail") not in over
    assert answers[3]["Retry-After"] == "3600"
    # Every request counts, known address or not: over its limit, an unknown address gets the very same answers.
    with django_capture_on_commit_callbacks(execute=True):
        unknown = [client.post(url, {"email": "nobody@example.no"}, REMOTE_ADDR="10.0.0.7") for _ in range(4)]
    assert [a.status_code for a in unknown] == [200, 200, 200, 429]
    assert _without_csrf(unknown[0].content) == _without_csrf(answers[0].content)
    assert _without_csrf(unknown[3].content) == _without_csrf(answers[3].content)

    # Other addresses from the same IP: the 5-per-15-minutes limit is already used up.
    other = ParticipantFactory(congress=delegate.congress, county=delegate.county, email="other@example.no")
    other_link, _token = personal_link_issue(participant=other)
    PersonalLink.objects.filter(pk=other_link.pk).update(mailed_at=timezone.now())
    post(client, url, {"email": other.email}, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3

    # From another IP the other address still works.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"email": other.email}, REMOTE_ADDR="10.0.0.9")
    assert len(mail.outbox) == 4


def test_lost_link_ignores_withdrawn_participants_and_past_congresses(
    client, delegate, isolated_cache, django_capture_on_commit_callbacks
):
    Participant.objects.filter(pk=delegate.pk).update(status=Participant.Status.WITHDRAWN)
    past = CongressFactory(first_day=TODAY - datetime.timedelta(days=400), last_day=TODAY - datetime.timedelta(399))
    ParticipantFactory(congress=past, email="old@example.no")
    url = reverse("portal:lost_link")
    post(client, url, {"email": "inge@example.no"}, django_capture_on_commit_callbacks)
    post(client, url, {"email": "old@example.no"}, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_lost_link_form_reports_a_bad_address(client, isolated_cache):
    response = client.post(reverse("portal:lost_link"), {"email": "not an address"})
    assert response.status_code == 400
    assert 'href="#id_email"' in response.content.decode()


def test_my_data_lists_the_record_registration_links_mails_and_deletion_date(
    client, delegate, token, events, congress, django_capture_on_commit_callbacks
):
    post(client, reverse("portal:home", args=[token]), form_data(events, congress), django_capture_on_commit_callbacks)
    response = client.get(reverse("portal:my_data", args=[token]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ingebjørg Skjervheim" in body and "+47 912 34 567" in body
    assert "Landsting, første dag" in body and "Rullestol" in body
    subject = OutboxMail.objects.get(related_participant_id=delegate.pk).subject
    assert subject in body
    assert token not in body.replace(reverse("portal:home", args=[token]), "").replace(f"/p/{token}/", "")
    assert PersonalLink.objects.get(participant=delegate).token_hash not in body
    from delegates.selectors import health_data_deletion_date

    deletion = health_data_deletion_date(congress)
    assert str(deletion.year) in body


def test_the_portal_page_needs_a_bounded_number_of_queries(
    client, delegate, token, events, congress, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for n in range(10):
        Event.objects.create(
            congress=congress,
            title=f"Økt {n}",
            starts_at=at(congress.first_day, 8) + datetime.timedelta(hours=n),
            ends_at=at(congress.first_day, 9) + datetime.timedelta(hours=n),
            invited_roles=["delegate"],
        )
    post(client, reverse("portal:home", args=[token]), form_data(events, congress), django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("portal:home", args=[token])).status_code == 200
    for n in range(10):
        OutboxMail.objects.create(
            to=delegate.email,
            subject=f"Melding {n}",
            body_text="…",
            purpose="other",
            related_participant_id=delegate.pk,
        )
        Participant.objects.get(pk=delegate.pk).save()  # a history row each
    with django_assert_max_num_queries(10):
        assert client.get(reverse("portal:my_data", args=[token])).status_code == 200


def test_english_labels_and_event_titles(client, delegate, token, events):
    Participant.objects.filter(pk=delegate.pk).update(language="en")  # the portal speaks the participant's language
    body = client.get(reverse("portal:home", args=[token])).content.decode()
    assert "Landsting, first day" in body
