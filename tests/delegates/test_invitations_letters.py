"""The invitation letter's cost (issue 13, item 10a: 1,000 invitations within 45 s): the QR code is a small image, each
letter of a batch carries only its own, the floats of the letter do not make WeasyPrint measure every line, and the
first batch handed to the workers is small."""

import base64
import collections
import datetime
import io
from pathlib import Path

import pytest
import weasyprint
import weasyprint.css
import weasyprint.layout.inline
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from PIL import Image
from pypdf import PdfReader

from agenda.models import Event
from core.models import OutboxMail
from core.pdf import lean_user_agent_css, render_pdf, render_pdf_batch
from delegates.letters import LETTER_TEMPLATE, invitation_letter_context, render_invitation_letters
from delegates.printing import qr_code_png_data_uri
from delegates.services import invitations
from delegates.services.invitations import invitation_batches, invitations_queue, invitations_send
from tests.factories import CongressFactory, CountyFactory, ParticipantFactory, RegionalOfficeFactory

URL = "https://landsting.example.no/p/{}-fZ8xkP0vY7mQw1sLrT4uHc9bNaEe6JdGiKoUl/"


@pytest.fixture
def delegates(db):
    congress = CongressFactory(
        registration_deadline=datetime.date(2030, 1, 15),
        first_day=datetime.date(2030, 2, 12),
        last_day=datetime.date(2030, 2, 13),
    )
    county = CountyFactory(number="50", name="Trøndelag")
    county.regional_office = RegionalOfficeFactory(name="KS Trøndelag", email="trondelag@ks.no")
    county.save()
    return ParticipantFactory.create_batch(3, congress=congress, county=county)


def _grey(image: Image.Image) -> bytes:
    return image.convert("L").tobytes()


def test_each_letter_of_a_batch_carries_only_its_own_qr_code(delegates):
    urls = [URL.format(number) for number in range(len(delegates))]

    pdfs = render_invitation_letters(list(zip(delegates, urls, strict=True)))

    for pdf, url in zip(pdfs, urls, strict=True):
        [page] = PdfReader(io.BytesIO(pdf)).pages
        [image] = page.images  # WeasyPrint shares one resource dictionary among the pages of the batch
        expected = Image.open(io.BytesIO(base64.b64decode(qr_code_png_data_uri(url).split(",", 1)[1])))
        assert image.image.size == expected.size
        assert _grey(image.image) == _grey(expected)
    assert max(map(len, pdfs)) < 30 * 1024  # with the batch's three codes: more; with every code of 20: 11 KiB more


def test_the_letters_floats_do_not_make_every_line_be_measured(delegates, monkeypatch):
    """While a float of the same block formatting context is known, WeasyPrint measures each line's min-content width
    before placing it (a Pango layout per line): with the letterhead's floats in the page's context that was every
    line after the letterhead, and in a batch every line of the letters after the first (about 15 ms a letter)."""
    measured = []
    original = weasyprint.layout.inline.inline_min_content_width

    def counting(*args, **kwargs):
        measured.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(weasyprint.layout.inline, "inline_min_content_width", counting)
    urls = [URL.format(number) for number in range(len(delegates))]
    documents = [
        render_to_string(
            LETTER_TEMPLATE,
            {
                "congress": delegates[0].congress,
                "participant": {"full_name": delegate.full_name, "role_label": "delegat"},
                "invited_events": [
                    {
                        "title": f"Landstinget, dag {day}",
                        "starts": datetime.datetime(2030, 2, 11 + day, 9, tzinfo=datetime.UTC),
                        "ends": datetime.datetime(2030, 2, 11 + day, 15, tzinfo=datetime.UTC),
                        "venue": "Trondheim Spektrum",
                    }
                    for day in (1, 2)
                ],
                "registration_url": url,
                "qr_image": qr_code_png_data_uri(url),
                "registration_deadline": datetime.date(2030, 1, 15),
                "travel_information": "Bestill reisen hos KS' reisebyrå.\n\nHotellrom er reservert.",
                "sender": "KS Trøndelag",
                "letter_date": datetime.date(2029, 12, 1),
                "language": "nb",
            },
        )
        for delegate, url in zip(delegates, urls, strict=True)
    ]

    render_pdf_batch(documents)

    # Only the lines beside a float are measured: the letterhead's, the events' and the registration box's.
    assert len(measured) <= 10 * len(documents)  # 21 a letter when the floats were in the page's context


def test_the_first_batch_is_small_and_the_others_full():
    assert invitation_batches([]) == []
    assert invitation_batches([1, 2, 3]) == [[1, 2, 3]]
    ids = list(range(47))
    batches = invitation_batches(ids)
    assert [len(batch) for batch in batches] == [5, 20, 20, 2]
    assert [pk for batch in batches for pk in batch] == ids


def test_the_first_batch_is_never_larger_than_the_others(monkeypatch):
    monkeypatch.setattr(invitations, "INVITATION_BATCH_SIZE", 2)
    assert [len(batch) for batch in invitation_batches(list(range(5)))] == [2, 2, 1]


def test_invitations_are_queued_as_a_small_first_job_then_full_ones(delegates, monkeypatch):
    more = ParticipantFactory.create_batch(
        invitations.INVITATION_FIRST_BATCH_SIZE + 1, congress=delegates[0].congress, county=delegates[0].county
    )
    queued = []
    monkeypatch.setattr(invitations, "jobs_queue", lambda *, task, calls: queued.extend(calls))

    invitations_queue(participants=[*delegates, *more], user=None)

    assert [len(ids) for ids, _user, _request in queued] == [
        invitations.INVITATION_FIRST_BATCH_SIZE,
        len(delegates) + 1,
    ]
    assert len({request for _ids, _user, request in queued}) == 1


def _letters_of(delegates) -> list[str]:
    return [
        render_to_string(
            LETTER_TEMPLATE,
            invitation_letter_context(participant=delegate, registration_url=URL.format(number), language=language),
        )
        for number, delegate in enumerate(delegates)
        for language in ("nb", "en")
    ]


def test_no_element_of_a_letter_gets_footnote_or_marker_styles(delegates, monkeypatch):
    """WeasyPrint's own stylesheet has six rules for pseudo-elements of any element (::marker, ::footnote-call, …):
    each gave every element six styles to compute, 10 % of a letter's cost. Markers are for list items only now, and
    no document of ours has footnotes."""
    computed = collections.Counter()
    original = weasyprint.css.StyleFor.set_computed_styles

    def counting(self, element, parent, root=None, pseudo_type=None, **kwargs):
        computed[pseudo_type] += 1
        return original(self, element, parent, root=root, pseudo_type=pseudo_type, **kwargs)

    monkeypatch.setattr(weasyprint.css.StyleFor, "set_computed_styles", counting)

    render_pdf_batch(_letters_of(delegates))

    assert not {"marker", "footnote-call", "footnote-marker", "note-call", "note-marker"} & set(computed)


def test_lists_keep_their_numbers_and_bullets():
    pdf = render_pdf("<html><body><ol><li>Første</li><li>Andre</li></ol><ul><li>Punkt</li></ul></body></html>")

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "1." in text and "2." in text and "•" in text


def test_the_installed_weasyprint_has_the_rules_the_lean_stylesheet_changes():
    """Another WeasyPrint with other rules renders with its own stylesheet (and a warning): this test says so."""
    stock = (Path(weasyprint.__file__).parent / "css" / "html5_ua.css").read_text(encoding="utf-8")

    lean = lean_user_agent_css(stock)

    assert lean is not None
    assert "li::marker {" in lean and "::footnote-call" not in lean


def test_the_events_of_a_letter_are_laid_out_once(delegates, monkeypatch):
    """The events' date column was an inline block beside the title: laid out twice, about 10 ms a letter."""
    inline_blocks = []
    original = weasyprint.layout.inline.inline_block_box_layout

    def counting(*args, **kwargs):
        inline_blocks.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(weasyprint.layout.inline, "inline_block_box_layout", counting)
    for day in (1, 2):
        Event.objects.create(
            congress=delegates[0].congress,
            title=f"Landstinget, dag {day}",
            title_en=f"Landstinget, day {day}",
            kind=Event.Kind.LANDSTING_SESSION,
            starts_at=datetime.datetime(2030, 2, 11 + day, 14, 30, tzinfo=datetime.UTC),
            ends_at=datetime.datetime(2030, 2, 11 + day, 16, 30, tzinfo=datetime.UTC),
            invited_roles=["delegate"],
        )

    pdfs = render_pdf_batch(_letters_of(delegates))

    assert inline_blocks == []
    text = PdfReader(io.BytesIO(pdfs[1])).pages[0].extract_text()
    assert "Landstinget, day 1" in text and "15:30–17:30" in text


def test_a_batch_of_invitations_costs_a_fixed_number_of_queries_and_one_per_letter(delegates):
    """The letters' events, the mail text and the outbox rows are read and written once a batch: 9 queries a letter
    before (issue 13)."""
    congress, county = delegates[0].congress, delegates[0].county
    few = ParticipantFactory.create_batch(2, congress=congress, county=county)
    many = ParticipantFactory.create_batch(8, congress=congress, county=county)

    def queries_for(participants) -> int:
        with CaptureQueriesContext(connection) as queries:
            invitations_send(participants=participants, user=None)
        return len(queries)

    assert OutboxMail.objects.count() == 0
    extra = queries_for(many) - queries_for(few)
    assert OutboxMail.objects.count() == 10
    assert extra <= 1 * (len(many) - len(few))  # the personal link's row
