"""A delegate on a phone, in Debian's Chromium: opens the political document from the personal link, proposes an
amendment to a paragraph, corrects a mistake and sees the amendment; every page passes axe-core (WCAG 2.1 AA) and
nothing scrolls sideways at 390 px."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from committees.models import Amendment, Paragraph
from delegates.services.links import personal_link_issue
from tests.accessibility import assert_no_axe_violations
from tests.committees.factories import StatementSettingsFactory, delegate, load_document
from tests.factories import CongressFactory, CountyFactory, OrganisationFactory
from tests.helpers import assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]


def test_delegate_reads_the_document_and_proposes_an_amendment_on_a_phone(live_server, phone_page):
    page = phone_page
    today = timezone.localdate()
    congress = CongressFactory(
        name="Landstinget 2028",
        first_day=today + datetime.timedelta(days=40),
        last_day=today + datetime.timedelta(days=41),
        registration_deadline=today + datetime.timedelta(days=14),
    )
    StatementSettingsFactory(
        congress=congress,
        statement_deadline=timezone.localdate() + datetime.timedelta(days=14),
        statement_min_supporters=1,
    )
    document = load_document(congress)
    west = CountyFactory(number="46", name="Vestland")
    me = delegate(congress, first_name="Ingebjørg", last_name="Skjervheim")
    supporter = delegate(congress, first_name="Ola", last_name="Berg", organisation=OrganisationFactory(county=west))
    _link, token = personal_link_issue(participant=me)

    # The document, from the personal page's navigation.
    page.goto(live_server.url + reverse("portal:home", args=[token]))
    page.locator(f".portal-nav a[href='{reverse('committees_portal:document', args=[token])}']").click()
    expect(page.locator("h1")).to_have_text(document.title)
    stored = [
        str(number)
        for p in Paragraph.objects.filter(document=document).order_by("position")
        for number, _ in p.numbered_lines()
    ]
    expect(page.locator(".doc-line__number")).to_have_text(stored)
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)

    # "Propose an amendment to lines 6-7", under the second paragraph of chapter 1.
    paragraph = Paragraph.objects.get(document=document, first_line=6)
    assert paragraph.last_line == 7
    page.locator("a[href$='?kapittel=1&fra=6&til=7']").click()
    expect(page.locator("#id_chapter")).to_have_value("1")
    expect(page.locator("#id_line_from")).to_have_value("6")
    expect(page.locator("#id_line_to")).to_have_value("7")
    expect(page.locator("input[name=kind][value=replace]")).to_be_checked()
    expect(page.locator(".current-lines")).to_contain_text("KS vil arbeide for at flere unge stiller til valg")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)

    # A mistake first: no text for a replacement. The summary gets the focus and links to the field.
    page.locator("#id_justification").fill("Flere kvinner bør stille til valg.")
    page.locator("form.portal-form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_focused()
    page.locator("#error-summary a[href='#id_text']").click()
    expect(page.locator("#id_text")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_justification")).to_have_value("Flere kvinner bør stille til valg.")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
    assert not Amendment.objects.exists()

    page.locator("#id_text").fill("KS vil arbeide for at flere unge og flere kvinner stiller til valg.")
    page.get_by_label("Ola Berg", exact=False).check()
    page.locator("form.portal-form button[type=submit]").click()

    # The amendment, with the right line numbers.
    amendment = Amendment.objects.get()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("committees_portal:amendment", args=[token, amendment.number])) + "$")
    )
    assert (amendment.kind, amendment.line_from, amendment.line_to) == ("replace", 6, 7)
    assert list(amendment.supporters.all()) == [supporter]
    expect(page.locator(".messages")).to_contain_text(str(amendment.number))
    expect(page.locator("h1")).to_contain_text("6–7")
    expect(page.locator(".compare")).to_contain_text("flere kvinner")
    expect(page.locator(".compare")).to_contain_text("KS vil arbeide for at flere unge stiller til valg")
    expect(page.locator("main")).to_contain_text("Ola Berg")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)

    # The list of amendments.
    page.goto(live_server.url + reverse("committees_portal:amendments", args=[token]))
    expect(page.locator(f"#endringsforslag-{amendment.number}")).to_contain_text("6–7")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)

    # Withdrawing asks first.
    page.goto(live_server.url + reverse("committees_portal:amendment_withdraw", args=[token, amendment.number]))
    expect(page.locator("form button.button--danger")).to_be_visible()
    assert_no_axe_violations(page)

    # Statements: the list and the form, with the minimum of supporters explained.
    page.locator(f".portal-nav a[href='{reverse('committees_portal:statements', args=[token])}']").click()
    assert_no_axe_violations(page)
    page.goto(live_server.url + reverse("committees_portal:statement_new", args=[token]))
    page.locator("form.portal-form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
