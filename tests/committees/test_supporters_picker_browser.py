"""Issue 14, item 8: the supporters of an amendment are ticked in a list of checkboxes that a search field narrows,
with the number chosen announced; it works on a phone, by keyboard, and without JavaScript. axe-core at 390 and
1280 px."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from committees.models import Amendment
from delegates.services.links import personal_link_issue
from tests.accessibility import assert_no_axe_violations
from tests.committees.factories import delegate, load_document
from tests.factories import CongressFactory, CountyFactory, OrganisationFactory
from tests.helpers import assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]

COUNTIES = [("18", "Nordland"), ("46", "Vestland"), ("50", "Trøndelag"), ("03", "Oslo")]


@pytest.fixture
def setting():
    today = timezone.localdate()
    congress = CongressFactory(
        name="Landstinget 2028",
        first_day=today + datetime.timedelta(days=40),
        last_day=today + datetime.timedelta(days=41),
        registration_deadline=today + datetime.timedelta(days=14),
    )
    load_document(congress)
    me = delegate(congress, first_name="Ingebjørg", last_name="Skjervheim")
    counties = [CountyFactory(number=number, name=name) for number, name in COUNTIES]
    others = [
        delegate(
            congress,
            first_name=f"Delegat{n:02d}",
            last_name="Hansen",
            organisation=OrganisationFactory(county=counties[n % len(counties)], name=f"Kommune {n:02d}"),
        )
        for n in range(40)
    ]
    ola = delegate(
        congress,
        first_name="Ola",
        last_name="Berg",
        organisation=OrganisationFactory(county=counties[2], name="Bodø kommune"),
    )
    _link, token = personal_link_issue(participant=me)
    return token, ola, others


def amendment_url(live_server, token):
    return live_server.url + reverse("committees_portal:amendment_new", args=[token]) + "?kapittel=1&fra=6&til=7"


def context_for(browser, width, **options):
    if width < 500:
        options.update(is_mobile=True, has_touch=True)
    context = browser.new_context(locale="nb-NO", viewport={"width": width, "height": 844}, **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_supporter_is_found_by_searching_and_ticked(live_server, browser, setting, width):
    token, ola, _others = setting
    context, page = context_for(browser, width)
    try:
        page.goto(amendment_url(live_server, token))
        picker = page.locator("[data-supporters-picker]")
        options = picker.locator(".picker__option")
        expect(options).to_have_count(41)
        search = picker.get_by_label("Søk etter navn, organisasjon eller fylke")
        expect(search).to_be_visible()
        assert_no_axe_violations(page)
        assert_no_horizontal_scroll(page)

        # Typed without accents and in lower case; the organisation matches too.
        search.fill("bodo")
        expect(options.filter(visible=True)).to_have_count(1)
        expect(picker.locator(".picker__status")).to_have_text("0 valgt. Viser 1 av 41 navn.")
        search.press("Enter")  # does not send the form
        assert not Amendment.objects.exists()
        # By keyboard: from the search field to the one box left, ticked with the space bar.
        search.press("Tab")
        expect(page.locator(f"input[name=supporters][value='{ola.pk}']")).to_be_focused()
        page.keyboard.press("Space")
        expect(picker.locator(".picker__status")).to_have_text("1 valgt. Viser 1 av 41 navn.")
        expect(picker.locator(".picker__chosen")).to_contain_text("Ola Berg (Bodø kommune)")
        # A county finds its delegates; nothing found is said so.
        search.fill("vestland")
        expect(options.filter(visible=True)).to_have_count(10)
        search.fill("ingen slik")
        expect(options.filter(visible=True)).to_have_count(0)
        expect(picker.locator(".picker__empty")).to_be_visible()
        assert_no_axe_violations(page)
        assert_no_horizontal_scroll(page)

        page.locator("#id_text").fill("KS vil arbeide for at flere unge og flere kvinner stiller til valg.")
        page.locator("form.portal-form button[type=submit]").click()
        expect(page.locator(".messages")).to_be_visible()
        assert list(Amendment.objects.get().supporters.all()) == [ola]
    finally:
        context.close()


def test_without_javascript_the_supporters_are_a_list_of_checkboxes(live_server, browser, setting):
    token, ola, others = setting
    context, page = context_for(browser, 390, java_script_enabled=False)
    try:
        page.goto(amendment_url(live_server, token))
        expect(page.locator(".picker__search")).to_be_hidden()
        page.get_by_label("Ola Berg (Bodø kommune)").check()
        page.get_by_label(f"{others[3].full_name} (Kommune 03)").check()
        page.locator("#id_text").fill("KS vil arbeide for at flere unge og flere kvinner stiller til valg.")
        page.locator("form.portal-form button[type=submit]").click()
        expect(page.locator(".messages")).to_be_visible()
        assert set(Amendment.objects.get().supporters.all()) == {ola, others[3]}
    finally:
        context.close()
