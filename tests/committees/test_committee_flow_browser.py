"""The issue's whole flow in Debian's Chromium: a delegate proposes an amendment on their phone, the committee's
secretary records the recommendation in the admin, and the committee's recommendation PDF lists the amendment with
the line numbers the delegate saw."""

import io
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from committees.apps import COMMITTEE_SECRETARY_GROUP
from committees.models import Amendment, Chapter, Paragraph
from core.groups import staff_groups_ensure
from delegates.services.links import personal_link_issue
from tests.accessibility import assert_no_axe_violations
from tests.committees.factories import CommitteeFactory, delegate, load_document
from tests.factories import PASSWORD, StaffUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_amendment_from_the_delegate_to_the_committees_recommendation_pdf(live_server, phone_page, page):
    staff_groups_ensure()
    document = load_document()
    congress = document.congress
    secretary = StaffUserFactory(email="sekretar@ks.no", first_name="Siri", last_name="Sekretær")
    secretary.groups.add(Group.objects.get(name=COMMITTEE_SECRETARY_GROUP))
    committee = CommitteeFactory(congress=congress, name="Komité for lokaldemokrati", secretary=secretary)
    committee.chapters.set([Chapter.objects.get(document=document, number=1)])
    me = delegate(congress, first_name="Ingrid", last_name="Aasen")
    _link, token = personal_link_issue(participant=me)
    paragraph = Paragraph.objects.get(document=document, first_line=6)
    seen_lines = [number for number, _line in paragraph.numbered_lines()]
    assert seen_lines == [6, 7]

    # The delegate, on a phone: from the numbered document to the form for that paragraph, and submits.
    phone = phone_page
    phone.goto(live_server.url + reverse("committees_portal:document", args=[token]))
    expect(phone.locator(".doc-line__number").nth(5)).to_have_text("6")
    phone.locator("a[href$='?kapittel=1&fra=6&til=7']").click()
    phone.locator("#id_text").fill("KS vil arbeide for at flere unge og flere kvinner stiller til valg.")
    phone.locator("#id_justification").fill("Kvinner er underrepresentert i kommunestyrene.")
    phone.locator("form.portal-form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/endringsforslag/1/$"))
    expect(phone.locator("main")).to_contain_text("6–7")
    assert_no_axe_violations(phone)
    amendment = Amendment.objects.get()
    assert (amendment.line_from, amendment.line_to, amendment.submitter) == (6, 7, me)

    # The committee's secretary signs in and records the recommendation from the committee's work page.
    page.goto(live_server.url + reverse("committees_staff:committee_work", args=[committee.pk]))
    page.locator("input[name=login]").fill(secretary.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).to_have_url(re.compile(rf"/admin/committees/committee/{committee.pk}/work/$"))
    row = page.locator("#amendment-1")
    expect(row).to_contain_text("6–7")
    row.locator(f"a[href$='/admin/committees/amendment/{amendment.pk}/change/']").click()
    page.locator("select[name=recommendation]").select_option("adopt_amended")
    page.locator("textarea[name=recommendation_text]").fill(
        "KS vil arbeide for at flere unge og flere kvinner stiller til valg til kommunestyrene."
    )
    page.locator("textarea[name=recommendation_reason]").fill("Komiteen presiserer hvilke valg det gjelder.")
    page.locator("input[name=_save]").click()
    expect(page).to_have_url(re.compile(rf"/admin/committees/committee/{committee.pk}/work/$"))
    expect(page.locator("#amendment-1")).to_contain_text("komiteens endringer")  # "Vedta med komiteens endringer"

    # The recommendation PDF, fetched with the secretary's session, lists the amendment with the same lines.
    href = page.locator("#recommendation-pdf").get_attribute("href")
    response = page.context.request.get(live_server.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "Endringsforslag 1" in text
    assert "linje 6–7" in text
    assert "Vedta med komiteens endringer" in text
    assert "til kommunestyrene" in text
    for number, line in paragraph.numbered_lines():
        assert re.search(rf"{number}\s*{re.escape(line.split()[0])}", text), (number, line)
