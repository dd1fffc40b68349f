"""A delegate on a phone, in Debian's Chromium: opens the link from the invitation mail, registers, changes an
answer, cancels; every portal page passes axe-core (WCAG 2.1 AA) and nothing scrolls sideways at 390 px."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from agenda.models import Event
from core.models import OutboxMail
from delegates.models import Participant, Registration
from delegates.services.links import personal_link_issue, personal_link_url
from delegates.services.mail import participant_mail_queue
from tests.accessibility import assert_no_axe_violations
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory, RegionalOfficeFactory
from tests.helpers import assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def test_delegate_registers_changes_and_cancels_on_a_phone(live_server, phone_page, settings):
    settings.KS_PUBLIC_BASE_URL = live_server.url
    page = phone_page
    today = timezone.localdate()
    congress = CongressFactory(
        name="Landstinget 2028",
        first_day=today + datetime.timedelta(days=40),
        last_day=today + datetime.timedelta(days=41),
        registration_deadline=today + datetime.timedelta(days=14),
    )
    office = RegionalOfficeFactory(name="KS Trøndelag", email="trondelag@ks.no")
    county = CountyFactory(number="50", name="Trøndelag", regional_office=office)
    delegate = ParticipantFactory(
        congress=congress, county=county, first_name="Ingebjørg", last_name="Skjervheim", email="inge@example.no"
    )
    deputy = ParticipantFactory(
        congress=congress, county=county, role="deputy", deputy_rank=1, email="vara@example.no", first_name="Vara"
    )
    Event.objects.create(
        congress=congress,
        title="Kommunalpolitisk toppmøte",
        title_en="Municipal policy summit",
        starts_at=at(congress.first_day, 8, 45),
        ends_at=at(congress.first_day, 15),
        invited_roles=["delegate", "deputy"],
    )
    Event.objects.create(
        congress=congress,
        title="Landsting",
        title_en="Landsting",
        starts_at=at(congress.first_day, 15, 30),
        ends_at=at(congress.first_day, 17, 30),
        invited_roles=["delegate", "deputy"],
    )
    Event.objects.create(
        congress=congress,
        title="Hovedstyremøte",
        starts_at=at(congress.first_day - datetime.timedelta(days=1), 12),
        ends_at=at(congress.first_day - datetime.timedelta(days=1), 16),
        invited_roles=["board_member"],
    )

    # The invitation mail, the way the regional office sends it: the link is taken from the received mail.
    _link, token = personal_link_issue(participant=delegate)
    participant_mail_queue(participant=delegate, kind="invitation", link_url=personal_link_url(token))
    invitation = next(m for m in mail.outbox if m.to == ["inge@example.no"])
    link = re.search(r"https?://\S+/p/[A-Za-z0-9_-]{43}/", invitation.body).group(0)
    assert link.startswith(live_server.url)

    # The form.
    page.goto(link)
    expect(page.locator("h1")).to_contain_text("Landstinget 2028")
    expect(page.get_by_text("Ingebjørg Skjervheim")).to_be_visible()
    expect(page.get_by_text("Hovedstyremøte")).to_have_count(0)  # not invited
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)

    page.get_by_label(re.compile("^Kommunalpolitisk toppmøte")).check()
    page.locator("#id_hotel_nights_1").check()
    page.locator("input[name=diet][value=vegetarian]").check()
    page.locator("#id_allergies").fill("Nøtter")
    page.locator("#id_listed").check()
    page.locator("form.portal-form button[type=submit]").click()

    # The confirmation.
    expect(page.locator(".alert--success h1")).to_be_visible()
    expect(page.locator(".answers")).to_contain_text("Kommunalpolitisk toppmøte")
    expect(page.locator(".answers")).to_contain_text("Nøtter")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
    confirmation = [m for m in mail.outbox if m.to == ["inge@example.no"] and m is not invitation]
    assert confirmation and link in confirmation[-1].body

    # Change an answer: the form shows the saved answers.
    page.goto(link)
    expect(page.locator("input[name=diet][value=vegetarian]")).to_be_checked()
    expect(page.get_by_label(re.compile("^Kommunalpolitisk toppmøte"))).to_be_checked()
    page.locator("input[name=diet][value=vegan]").check()
    page.locator("form.portal-form button[type=submit]").click()
    expect(page.locator(".alert--success h1")).to_be_visible()
    assert Registration.objects.get(participant=delegate).diet == "vegan"

    # A mistake is announced in the error summary, which links to the field.
    page.goto(link)
    page.locator("#id_arrival").fill(f"{congress.last_day.isoformat()}T18:00")
    page.locator("#id_departure").fill(f"{congress.first_day.isoformat()}T08:00")
    page.locator("form.portal-form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_focused()
    page.locator("#error-summary a[href='#id_departure']").click()
    expect(page.locator("#id_departure")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)

    # English through the language switch, on the same personal page.
    page.get_by_label(re.compile("^(Språk|Language)$")).select_option("en")
    page.locator(".language-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label(re.compile("^Municipal policy summit"))).to_be_visible()

    # Everything stored about them.
    page.locator(".portal-nav a[href$='/mine-data/']").click()
    confirmed = OutboxMail.objects.filter(related_participant_id=delegate.pk, purpose="confirmation").first()
    expect(page.locator("main")).to_contain_text(confirmed.subject)
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)

    # Cancel.
    page.locator(".portal-nav a[href$='/avmelding/']").click()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main")).to_contain_text("deputy")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
    page.locator("form button.button--danger").click()
    expect(page.locator(".alert--success h1")).to_be_visible()
    assert_no_axe_violations(page)
    delegate.refresh_from_db()
    deputy.refresh_from_db()
    assert delegate.status == Participant.Status.WITHDRAWN
    assert deputy.acting_for_id == delegate.pk
    assert any(m.to == ["trondelag@ks.no"] for m in mail.outbox)

    # An invalid link: a clear page without personal data.
    response = page.goto(f"{live_server.url}/p/{'A' * 43}/")
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text("Skjervheim")
    expect(page.locator("main a[href='/p/ny-lenke/']")).to_be_visible()
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)

    # The lost-link form.
    page.locator("main a[href='/p/ny-lenke/']").click()
    page.locator("#id_email").fill("inge@example.no")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .alert h1")).to_be_visible()
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)

    # Over the limit (three an hour for one address) the page says so in words; it passes axe too.
    for _attempt in range(3):
        page.goto(f"{live_server.url}/p/ny-lenke/")
        page.locator("#id_email").fill("inge@example.no")
        page.locator("main form button[type=submit]").click()
    expect(page.locator("main .alert[role=alert] h1")).to_be_visible()
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
