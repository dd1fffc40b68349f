"""PDF rendering (core.pdf) and the invitation letter template (issue 4, item 2)."""

import datetime
import io
import logging
import re
import socket
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template.loader import get_template, render_to_string
from pypdf import PdfReader

from core.pdf import qr_code_data_uri, qr_code_svg, render_pdf, render_pdf_batch, safe_url_fetcher
from delegates.printing import qr_code_png_data_uri

OSLO = ZoneInfo("Europe/Oslo")
NAME = "Åse Ødegård Bækken"
LINK = "https://landsting.ks.no/registrering/3q2-fZ8xkP0vY7mQw1sLrT4uHc9bNaEe6JdGiKoUlSg/"


def letter_context(full_name=NAME, registration_url=LINK, language="en", **overrides):
    context = {
        "congress": {
            "name": "Landstinget 2024",
            "city": "Trondheim",
            "venue": "Trondheim Spektrum",
            "first_day": datetime.date(2024, 2, 12),
            "last_day": datetime.date(2024, 2, 14),
        },
        "participant": {
            "full_name": full_name,
            "role_label": "delegate",
            "organisation_name": "Nordre Follo kommune",
            "county_name": "Akershus",
        },
        "invited_events": [
            {
                "title": "Kommunalpolitisk toppmøte",
                "starts": datetime.datetime(2024, 2, 13, 8, 45, tzinfo=OSLO),
                "ends": datetime.datetime(2024, 2, 13, 15, 0, tzinfo=OSLO),
                "venue": "Trondheim Spektrum",
            },
            {
                "title": "Landstinget, day 1: the leader's speech and general political debate",
                "starts": datetime.datetime(2024, 2, 13, 15, 30, tzinfo=OSLO),
                "ends": datetime.datetime(2024, 2, 13, 17, 30, tzinfo=OSLO),
                "venue": "Trondheim Spektrum",
            },
            {
                "title": "Landstinget, day 2: political decisions and elections",
                "starts": datetime.datetime(2024, 2, 14, 9, 15, tzinfo=OSLO),
                "ends": datetime.datetime(2024, 2, 14, 15, 0, tzinfo=OSLO),
                "venue": "Trondheim Spektrum",
            },
        ],
        "registration_url": registration_url,
        "qr_image": qr_code_png_data_uri(registration_url),
        "registration_deadline": datetime.date(2024, 1, 10),
        "travel_information": (
            "Book your travel through KS' travel agency, Berg-Hansen, on +47 22 00 00 00 or by e-mail; quote "
            "«Landstinget 2024». KS pays travel for delegates by the cheapest reasonable means.\n\n"
            "Hotel rooms are reserved at Scandic Lerkendal and Clarion Hotel Trondheim from 12 to 14 February. "
            "Choose your nights when you register; rooms not claimed by the deadline are released.\n\n"
            "Questions about travel: landsting@ks.no"
        ),
        "sender": "KS Viken",
        "letter_date": datetime.date(2023, 12, 12),
        "language": language,
    }
    context.update(overrides)
    return context


def render_letter(**kwargs):
    return render_to_string("delegates/pdf/invitation_letter.html", letter_context(**kwargs))


def pdf_pages(pdf: bytes):
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf)).pages


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pdf_pages(pdf))


def first_page_text_runs(pdf: bytes) -> list[tuple[str, float]]:
    """(text, y) of each run of text on the first page; y grows down the page."""
    runs = []

    def visit(text, _cm, tm, _font, _size):
        if text.strip():
            runs.append((text.strip(), tm[5]))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return runs


def same_line(runs: list[tuple[str, float]], first: str, second: str) -> bool:
    """Whether the runs starting with ``first`` and ``second`` stand on one line (within a fifth of a line)."""
    y = {start: next(y for text, y in runs if text.startswith(start)) for start in (first, second)}
    return abs(y[first] - y[second]) < 3


def squeeze(text: str) -> str:
    """Text without whitespace: the link wraps over lines in the letter."""
    return "".join(text.split())


@pytest.fixture
def no_network(monkeypatch):
    """Fail loudly if anything tries to open a network connection."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted while rendering a PDF")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_letter_has_name_deadline_and_link_on_one_page(no_network):
    pdf = render_pdf(render_letter())

    assert len(pdf_pages(pdf)) == 1
    text = pdf_text(pdf)
    assert NAME in text
    assert "Register by 10 January 2024" in text
    assert LINK in squeeze(text)
    assert "Kommunalpolitisk toppmøte" in text
    assert "Hotel rooms are reserved" in text


def test_letter_follows_the_language(no_network):
    text = pdf_text(render_pdf(render_letter(language="nb")))

    assert "10. januar 2024" in text  # the deadline, formatted for bokmål
    assert "Tirsdag 13. februar 2024" in text


def test_long_name_and_link_still_fit_one_page(no_network):
    name = "Kari-Marie Åsheim Østensjø-Bækkevold Fjellheim"
    link = LINK + "x" * 80
    pdf = render_pdf(render_letter(full_name=name, registration_url=link))

    assert len(pdf_pages(pdf)) == 1
    assert link in squeeze(pdf_text(pdf))


def test_letterhead_puts_the_sender_beside_the_organisation(no_network):
    runs = first_page_text_runs(render_pdf(render_letter()))

    assert same_line(runs, "The Norwegian Association", "KS Viken")


# The rules of the shared letterhead (not a template's own additions such as the letter's .letterhead__sender).
LETTERHEAD_RULE = re.compile(r"^\s*\.(?:letterhead(?:__org|__date)?|logo)(?![\w-])", re.MULTILINE)


def test_the_letterhead_css_is_written_once():
    """Every PDF template takes the letterhead from includes/pdf_letterhead.css; none keeps a copy of its own."""
    defining = {
        str(path.relative_to(directory))
        for directory in map(Path, settings.TEMPLATES[0]["DIRS"])
        for path in directory.rglob("*")
        if path.is_file() and LETTERHEAD_RULE.search(path.read_text(encoding="utf-8"))
    }

    assert defining == {"includes/pdf_letterhead.css"}
    for template in ("delegates/pdf/invitation_letter.html", "agenda/pdf/agenda.html", "includes/pdf_style.html"):
        source = Path(get_template(template).origin.name).read_text(encoding="utf-8")
        assert '{% include "includes/pdf_letterhead.css" %}' in source, template


def test_user_text_is_escaped():
    html = render_letter(full_name="<b>Per</b>", travel_information="<script>x</script>")

    assert "<b>Per</b>" not in html
    assert "&lt;b&gt;Per&lt;/b&gt;" in html
    assert "<script>" not in html


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x.png",
        "file:///etc/passwd",
        "file:///static/../../etc/passwd",
        "file://otherhost/static/css/site.css",
    ],
)
def test_fetcher_refuses_external_urls_and_other_files(url, no_network):
    with pytest.raises(ValueError, match="Refused"):
        safe_url_fetcher(url)


def test_fetcher_allows_data_urls_and_static_files(settings, no_network):
    response = safe_url_fetcher("data:text/plain;base64,aGVq")
    assert response.read() == b"hej"

    site_css = settings.STATICFILES_DIRS[0] / "css" / "site.css"
    for url in ("file:///static/css/site.css", site_css.as_uri()):
        response = safe_url_fetcher(url)
        assert response.read() == site_css.read_bytes()
        assert response.content_type == "text/css"


def test_document_with_external_and_local_file_references_renders_without_them(no_network, caplog):
    html = (
        "<html><head><link rel='stylesheet' href='http://example.com/evil.css'></head><body>"
        "<p>Before</p><img src='http://example.com/x.png' alt='remote'>"
        "<img src='file:///etc/passwd' alt='local'><img src='../../etc/passwd' alt='relative'>"
        "<p>After</p></body></html>"
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(html)

    text = pdf_text(pdf)
    assert "Before" in text
    assert "After" in text
    refused = caplog.text
    assert "http://example.com/x.png" in refused
    assert "http://example.com/evil.css" in refused
    assert "/etc/passwd" in refused
    assert "root:" not in text


def test_batch_returns_one_single_page_pdf_per_letter_in_order(no_network):
    names = [f"{NAME} {number:02d}" for number in range(50)]
    documents = [
        render_letter(full_name=name, registration_url=f"{LINK}{number}", language="nb" if number % 3 else "en")
        for number, name in enumerate(names)
    ]

    pdfs = render_pdf_batch(documents)

    assert len(pdfs) == 50
    for number, (name, pdf) in enumerate(zip(names, pdfs, strict=True)):
        assert len(pdf_pages(pdf)) == 1
        text = pdf_text(pdf)
        assert name in text
        others = [other for other in names if other != name]
        assert not any(other in text for other in others)
        assert f"{LINK}{number}" in squeeze(text)


def test_batch_keeps_multi_page_documents_together_and_mixed_heads_in_order(no_network):
    long_travel = "\n\n".join(f"Paragraph {number} of a long travel text. " * 6 for number in range(40))
    documents = [
        render_letter(full_name="Første Person"),
        render_letter(full_name="Andre Person", travel_information=long_travel),
        "<html><head><style>p { color: red }</style></head><body><p>Another template</p></body></html>",
        render_letter(full_name="Tredje Person"),
    ]

    pdfs = render_pdf_batch(documents)

    page_counts = [len(pdf_pages(pdf)) for pdf in pdfs]
    assert page_counts[0] == 1
    assert page_counts[1] > 1
    assert page_counts[2:] == [1, 1]
    assert "Første Person" in pdf_text(pdfs[0])
    assert "Paragraph 39" in pdf_text(pdfs[1])
    assert "Another template" in pdf_text(pdfs[2])
    assert "Tredje Person" in pdf_text(pdfs[3])


def test_batch_of_nothing_is_an_empty_list():
    assert render_pdf_batch([]) == []


def test_batch_sets_each_title():
    pdfs = render_pdf_batch([render_letter(), render_letter()])

    assert PdfReader(io.BytesIO(pdfs[0])).metadata.title == "Invitation to Landstinget 2024"


def test_qr_code_is_a_deterministic_svg_path():
    svg = qr_code_svg(LINK)

    assert svg.startswith("<svg")
    assert "<path" in svg
    assert "<?xml" not in svg
    assert qr_code_svg(LINK) == svg
    assert qr_code_svg(LINK + "other") != svg
    assert qr_code_data_uri(LINK).startswith("data:image/svg+xml;base64,")
