"""Issue 14, item 6: a printed document shows its progress while it is made and says "ready" when it is.

On the embedded default (eager Celery) ordering ran the render inside the click (8.5 s for the demo's badges) and the
page then said the document was queued although it was finished. Now the order answers at once (the job runs in a
thread of the web process, ``core.eager_jobs``), and the row says what is true: queued, being made (page n of m),
ready with the download, or failed with the reason.
"""

import threading
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from core.pdf_progress import LAYOUT, PREPARING, WRITING, PdfStep, parse_step
from delegates import printing
from delegates.document_progress import DocumentStep, RenderProgress, document_step
from delegates.models import GeneratedDocument
from delegates.services.documents import document_render
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory

pytestmark = pytest.mark.usefixtures("english")

Status = GeneratedDocument.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def congress():
    return CongressFactory(year=2024)


@pytest.fixture
def people(congress):
    county = CountyFactory(number="50", name="Trøndelag")
    names = [("Åse", "Ødegård"), ("Bjørn", "Bækken"), ("Kari", "Nordmann")]
    return [
        ParticipantFactory(congress=congress, first_name=first, last_name=last, county=county) for first, last in names
    ]


def _job_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("ks-job-")]


# --- The page tells the truth ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_finished_document_is_ready_on_the_page_never_queued_or_being_printed(client, congress, people, secretariat):
    """Eager and in the request (the tests' setting, committed as a request is): finished when the page answers, and
    the page says so."""
    client.force_login(secretariat)
    url = reverse("delegates_staff:documents")
    response = client.post(url, {"congress": congress.pk, "kind": "badges_a4"}, follow=True)
    document = GeneratedDocument.objects.get()
    assert document.status == Status.DONE, document.error
    content = response.content.decode()
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [f"{document} is ready: download it from the list below."]
    row = content[content.index(f'id="document-{document.pk}"') :].split("</tr>")[0]
    assert "Ready" in row and "Queued" not in row and "Rendering" not in row and "being" not in row.lower()
    assert reverse("delegates_staff:document_download", args=[document.pk]) in row

    status = client.get(reverse("delegates_staff:document_status", args=[document.pk])).json()
    assert status["status_label"] == "Ready" and status["ready"] and status["done"]
    assert status["announcement"] == f"{document} is ready."


@pytest.mark.django_db
def test_a_document_being_made_says_which_page_it_is_at(client, congress, secretariat):
    document = GeneratedDocument.objects.create(
        congress=congress, kind="badges_a4", created_by=secretariat, status=Status.RENDERING, progress=42
    )
    client.force_login(secretariat)
    status_url = reverse("delegates_staff:document_status", args=[document.pk])

    assert client.get(status_url).json()["status_label"] == "Being made: 42 %"  # no step known: the percentage

    progress = RenderProgress(document.pk)
    progress.expect(57)
    progress.step(PdfStep(LAYOUT, 20))
    status = client.get(status_url).json()
    assert status["status_label"] == "Being made: page 20 of 57"
    assert status["progress"] == 20 + int(60 * 20 / 57)
    assert not status["done"] and not status["ready"] and status["download_url"] == ""
    assert "page 20 of 57" in client.get(reverse("delegates_staff:documents")).content.decode()

    progress.step(PdfStep(WRITING))
    assert client.get(status_url).json()["status_label"] == "Being made: writing the PDF file"


@pytest.mark.django_db(transaction=True)
def test_a_failed_document_says_so_with_the_reason(client, congress, secretariat, monkeypatch):
    def broken(congress, **kwargs):
        raise RuntimeError("The printer ran out of ink")

    monkeypatch.setattr(printing, "build_name_cards", broken)
    client.force_login(secretariat)
    response = client.post(reverse("delegates_staff:documents"), {"congress": congress.pk, "kind": "name_cards"})
    document = GeneratedDocument.objects.get()
    assert document.status == Status.FAILED
    messages = [str(message) for message in client.get(response["Location"]).context["messages"]]
    assert messages == [f"{document} could not be made: The printer ran out of ink"]
    status = client.get(reverse("delegates_staff:document_status", args=[document.pk])).json()
    assert status["status_label"] == "Failed" and status["error"] == "The printer ran out of ink"
    assert document_step(document.pk) is None


# --- Progress follows WeasyPrint ------------------------------------------------------------------------------------


def test_weasyprint_steps_are_read_from_its_progress_messages():
    assert parse_step("Step 1 - Fetching and parsing HTML - HTML string") == PdfStep(PREPARING)
    assert parse_step("Step 5 - Creating layout - Page 12") == PdfStep(LAYOUT, 12)
    assert parse_step("Step 5 - Creating layout - Page 3 (up-to-date)") == PdfStep(LAYOUT, 3)
    assert parse_step("Step 6 - Creating PDF") == PdfStep(WRITING)
    assert parse_step("something else") is None


@pytest.mark.django_db
def test_rendering_reports_each_page_of_a_known_number_and_the_percentage_only_grows(
    congress, people, secretariat, monkeypatch
):
    steps, percents = [], []
    original = RenderProgress._advance

    def recording(self, percent, step, *, force=False):
        steps.append(step)
        percents.append(max(self.percent, percent))
        return original(self, percent, step, force=force)

    monkeypatch.setattr(RenderProgress, "_advance", recording)
    document = GeneratedDocument.objects.create(congress=congress, kind="name_cards", created_by=secretariat)
    document_render(document_id=document.pk)
    document.refresh_from_db()

    assert document.status == Status.DONE and document.progress == 100
    assert DocumentStep("layout", page=3, pages=3) in steps  # a name card is a page: page 3 of 3
    assert [step.stage for step in steps][-1] == "writing"
    assert percents == sorted(percents) and percents[-1] < 95
    assert document_step(document.pk) is None  # the step is gone once the document is made


# --- The embedded default: the order answers at once ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_in_eager_mode_the_order_answers_before_the_document_is_made(
    client, congress, people, secretariat, settings, monkeypatch
):
    settings.KS_EAGER_JOBS_IN_THREAD = True
    release = threading.Event()
    real_build = printing.build_badges_a4

    def slow_build(congress, **kwargs):
        assert release.wait(30), "the test never let the render finish"
        return real_build(congress, **kwargs)

    monkeypatch.setattr(printing, "build_badges_a4", slow_build)
    client.force_login(secretariat)
    started = time.monotonic()
    response = client.post(reverse("delegates_staff:documents"), {"congress": congress.pk, "kind": "badges_a4"})
    answered = time.monotonic() - started
    try:
        assert response.status_code == 302 and answered < 3
        document = GeneratedDocument.objects.get()
        status = client.get(reverse("delegates_staff:document_status", args=[document.pk])).json()
        assert status["status"] in ("queued", "rendering") and not status["done"] and not status["download_url"]
        assert status["status_label"].startswith(("Queued", "Being made"))
        messages = [str(message) for message in client.get(response["Location"]).context["messages"]]
        assert messages == [
            f"{document} is ordered. The list below shows how far it has come, and the link when it is ready."
        ]
    finally:
        release.set()
        for thread in _job_threads():
            thread.join(60)

    document.refresh_from_db()
    assert document.status == Status.DONE, document.error
    status = client.get(reverse("delegates_staff:document_status", args=[document.pk])).json()
    assert status["ready"] and status["status_label"] == "Ready"
    assert status["download_url"] == reverse("delegates_staff:document_download", args=[document.pk])


def test_the_step_is_kept_in_the_cache_between_processes(db, congress):
    document = GeneratedDocument.objects.create(congress=congress, kind="name_cards")
    progress = RenderProgress(document.pk)
    progress.expect(3)
    progress.step(PdfStep(LAYOUT, 2))
    assert document_step(document.pk) == DocumentStep("layout", page=2, pages=3)
    cache.clear()
    assert document_step(document.pk) is None
