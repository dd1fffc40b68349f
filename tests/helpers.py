"""Small helpers that tests in several apps share: reading a PDF, our strings in bokmål, signing in in the browser, a
page's width on a phone."""

import io
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.factories import PASSWORD


def pdf_text(pdf: bytes) -> str:
    """All the text of the PDF, whitespace collapsed (pypdf breaks lines where the layout does)."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def nb(message: str) -> str:
    """Our own strings as a Norwegian page shows them (English until the .po file has them)."""
    with translation.override("nb"):
        return translation.gettext(message)


def queries_of_page(client, url: str) -> int:
    """How many database queries the page at ``url`` takes (it must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def sign_in_on_the_form(page, url: str, email: str, password: str = PASSWORD, *, lands_on: str | None = None) -> None:
    """Open ``url`` in the browser, sign in on the (bokmål) login form, land on ``lands_on`` (``url`` by default)."""
    page.goto(url)
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    expect(page).to_have_url(lands_on or url)


def assert_no_horizontal_scroll(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px viewport: {page.url}"
