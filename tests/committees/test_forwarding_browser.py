"""Issue 16, part 5, in Debian's Chromium: the county meeting's regional office sends the meeting's adopted amendments
to the Landsting (dry run, leaving out the one that does not fit, confirmation), the Landsting's committee work page
shows the meeting as proposer and filters by it, and a delegate's phone shows the meeting's proposal (axe-checked)."""

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from committees.models import Amendment
from committees.services import proposal_record_outcome
from core.groups import staff_groups_ensure
from county_meetings.models import CountyMeeting
from delegates.services.links import personal_link_issue
from tests.accessibility import assert_no_axe_violations
from tests.committees.factories import SAMPLE_DOCUMENT, CommitteeFactory, chapter_of, delegate, load_document
from tests.committees.factories import submit_amendment as submit
from tests.factories import (
    CongressFactory,
    CountyFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    regional_staff_user,
)
from tests.helpers import assert_no_horizontal_scroll, nb, sign_in_on_the_form

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]

MEETING = "Fylkesmøtet i Finnmark 2023"
#: Screenshots for a person to look at, when the variable names a directory.
SHOTS = os.environ.get("KS_SCREENSHOTS")


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_the_regional_office_sends_the_adopted_amendments_and_the_landsting_sees_the_meeting(
    live_server, page, phone_page
):
    staff_groups_ensure()
    office = RegionalOfficeFactory(name="KS Nord")
    county = CountyFactory(name="Finnmark", regional_office=office)
    congress = CongressFactory(
        name=MEETING,
        year=2023,
        kind="county_meeting",
        first_day=datetime.date(2023, 11, 7),
        last_day=datetime.date(2023, 11, 8),
        registration_deadline=datetime.date(2023, 10, 20),
    )
    CountyMeeting.objects.create(congress=congress, county=county, election_year=2023, seats=30)
    source = load_document(congress)
    landsting = CongressFactory(name="Landstinget 2024")
    # The Landsting's draft has a new first paragraph, and chapter 3's first sentence was rewritten.
    target_text = SAMPLE_DOCUMENT.replace(
        "## Lokaldemokrati og tillit\n\n", "## Lokaldemokrati og tillit\n\nEn ny innledning fra hovedstyret.\n\n"
    ).replace("Kommunesektoren er landets største arbeidsgiver.", "Kommunesektoren er en stor arbeidsgiver.")
    target = load_document(landsting, text=target_text)
    committee = CommitteeFactory(congress=landsting, name="Komité for lokaldemokrati")
    committee.chapters.set([chapter_of(target, 1)])
    submit(target, delegate(landsting, first_name="Delegat", last_name="Landsting"), line_from=1, line_to=1)
    author = delegate(congress)
    for kwargs in (
        {"line_from": 6, "line_to": 7, "text": "KS vil arbeide for at flere unge og flere kvinner stiller til valg."},
        {"chapter": 3, "line_from": 13, "line_to": 13, "text": "Kommunesektoren er den største arbeidsgiveren."},
    ):
        proposal_record_outcome(proposal=submit(source, author, **kwargs), outcome="adopted", user=None)
    user = regional_staff_user(office, email="nord@ks.no")

    # The regional office opens the page, sees the dry run, and first confirms without leaving out the problem.
    url = live_server.url + reverse("committees_staff:amendments_forward", args=[source.pk])
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_on_the_form(page, url, user.email)
    expect(page.locator("#forward-1")).to_contain_text("7–8")
    expect(page.locator("#forward-problem-list li")).to_have_count(1)
    expect(page.locator("#forward-problem-list")).to_contain_text("Kommunesektoren er landets største arbeidsgiver.")
    shoot(page, "forward-dry-run-1280")
    page.set_viewport_size({"width": 1024, "height": 800})
    assert_no_horizontal_scroll(page)
    shoot(page, "forward-dry-run-1024")
    page.locator(".submit-row input[type=submit]").click()
    expect(page.locator(".errornote")).to_contain_text(
        nb("Nothing was forwarded, because some adopted amendments do not fit the Landsting's document:")
    )
    assert not Amendment.objects.filter(document=target, proposed_by_congress__isnull=False).exists()
    shoot(page, "forward-refused-1024")

    page.locator("#id_leave_out_confirmed").check()
    page.locator(".submit-row input[type=submit]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("#forward-already-list li")).to_have_count(1)
    expect(page.locator("#forward-list")).to_have_count(0)
    shoot(page, "forward-done-1024")
    copy = Amendment.objects.get(document=target, proposed_by_congress=congress)
    assert (copy.number, copy.line_from, copy.line_to) == (2, 7, 8)

    # The secretariat's committee work page: the meeting as proposer, and the filter.
    secretariat = SecretariatUserFactory(email="sekretariat@ks.no")
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    work = live_server.url + reverse("committees_staff:committee_work", args=[committee.pk])
    sign_in_on_the_form(page, work, secretariat.email)
    expect(page.locator("#amendment-2")).to_contain_text(MEETING)
    shoot(page, "committee-work-1280")
    page.locator("#proposer-filter a", has_text=nb("Proposed by a county meeting")).click()
    expect(page.locator("#amendment-2")).to_be_visible()
    expect(page.locator("#amendment-1")).to_have_count(0)
    page.set_viewport_size({"width": 1024, "height": 800})
    shoot(page, "committee-work-filtered-1024")

    # The amendment's admin page names the meeting and links to the amendment it adopted.
    page.goto(live_server.url + reverse("admin:committees_amendment_change", args=[copy.pk]))
    expect(page.locator(".field-proposer")).to_contain_text(MEETING)
    expect(page.locator(".field-forwarded_from_link a")).to_have_attribute(
        "href", reverse("admin:committees_amendment_change", args=[copy.forwarded_from_id])
    )
    shoot(page, "amendment-admin-1024")

    # A delegate of the Landsting on a phone sees the meeting's proposal, not as their own.
    _link, token = personal_link_issue(participant=delegate(landsting))
    phone_page.goto(live_server.url + reverse("committees_portal:amendment", args=[token, 2]))
    expect(phone_page.locator("main")).to_contain_text(MEETING)
    assert_no_axe_violations(phone_page)
    assert_no_horizontal_scroll(phone_page)
    shoot(phone_page, "portal-amendment-390")
