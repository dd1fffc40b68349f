"""Issue 14, item 6 in Chromium: on the embedded default, ordering badges answers at once, the row shows the document
being made (page n of m), then "ready" with the download link, without reloading the page."""

import logging
import re
import threading
import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from delegates import printing
from delegates.models import GeneratedDocument
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory, SecretariatUserFactory
from tests.helpers import sign_in_on_the_form

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]

STEP = 1.5  # seconds between the made-up render's steps: long enough for the page's polling (every second) to see them


@pytest.fixture
def slow_badges(monkeypatch, settings, tmp_path):
    """The embedded default's thread, and a badge render that takes its time and reports its pages as WeasyPrint
    does (three sheets), so the steps can be seen; the PDF itself is the real one."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KS_EAGER_JOBS_IN_THREAD = True
    real_build = printing.build_badges_a4

    def build(congress, *, progress=None, **kwargs):
        pdf = real_build(congress)  # before announcing the made-up steps, so its own do not mix in
        progress(10)
        progress.expect(3)
        weasyprint = logging.getLogger("weasyprint.progress")
        for page in (1, 2, 3):
            weasyprint.info("Step 5 - Creating layout - Page %d", page)
            time.sleep(STEP)
        weasyprint.info("Step 6 - Creating PDF")
        time.sleep(STEP)
        return pdf

    monkeypatch.setattr(printing, "build_badges_a4", build)
    yield
    for thread in threading.enumerate():  # the render finishes before the test's database goes away
        if thread.name.startswith("ks-job-"):
            thread.join(60)


def test_ordering_badges_shows_progress_then_ready_and_the_download(live_server, page, slow_badges):
    congress = CongressFactory(name="Landstinget 2024")
    county = CountyFactory(number="50", name="Trøndelag")
    for first, last in [("Åse", "Ødegård"), ("Bjørn", "Bækken"), ("Kari", "Nordmann")]:
        ParticipantFactory(congress=congress, first_name=first, last_name=last, county=county)
    user = SecretariatUserFactory(email="sekretariat@example.no")
    url = f"{live_server.url}{reverse('delegates_staff:documents')}?congress={congress.pk}"
    sign_in_on_the_form(page, url, user.email)

    started = time.monotonic()
    page.get_by_role("button", name="Navneskilt, A4-ark med åtte per ark").click()
    expect(page.locator(".messagelist .success")).to_contain_text("er bestilt")
    assert time.monotonic() - started < 4 * STEP, "the order waited for the render"

    document = GeneratedDocument.objects.get()
    row = page.locator(f"#document-{document.pk}")
    status = row.locator('[data-field="status"]')
    # Being made, page by page (the page never reloads: the row follows the document).
    expect(status).to_contain_text(re.compile(r"Lages: side [123] av 3"), timeout=4 * STEP * 1000)
    expect(row.get_by_role("link", name="Last ned PDF")).to_have_count(0)
    expect(status).to_contain_text("Lages: skriver PDF-filen", timeout=5 * STEP * 1000)
    # Then ready, with the link, announced in the status line above the table.
    expect(status).to_contain_text("Klar", timeout=15_000)
    expect(page.locator("#documents-announce")).to_have_text(f"{document} er klar.")
    link = row.get_by_role("link", name="Last ned PDF")
    expect(link).to_have_attribute("href", reverse("delegates_staff:document_download", args=[document.pk]))
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"badges-a4-2024-{document.pk}.pdf"
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"  # noqa: SIM115
