"""The invitation letter's cost (issue 13, item 10a: 1,000 invitations within 45 s): the QR code is a small image, each
letter of a batch carries only its own, the floats of the letter do not make WeasyPrint measure every line, and the
first batch handed to the workers is small."""

import base64
import datetime
import io

import pytest
import weasyprint.layout.inline
from django.template.loader import render_to_string
from PIL import Image
from pypdf import PdfReader

from core.pdf import render_pdf_batch
from delegates.letters import LETTER_TEMPLATE, render_invitation_letters
from delegates.printing import qr_code_png_data_uri
from delegates.services import invitations
from delegates.services.invitations import invitation_batches, invitations_queue
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
