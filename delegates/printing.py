"""Printed documents for the participants: badges (A4 sheets and label stock), the participant list per county and
the name cards for the tables.

Every builder returns ``(pdf_bytes, pages)`` and renders one HTML document once (``core.pdf.render_pdf``).
Print CSS is designed for WeasyPrint's speed: every sheet is one block of fixed size with absolutely positioned cards
(CSS grid was measured at 56 s for 480 badges; see DESIGN.md §7 and ``bench/badges.py``), names get a font size class
computed here (WeasyPrint cannot fit text), and the QR code is a tiny PNG (see :func:`qr_code_png_data_uri`).

The pure part (``Badge``, ``LabelPreset``, ``render_badges``, ``name_size``) needs no database, so the bench can feed
it made-up people; ``build_*`` load the congress's participants and call it.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby

import qrcode
import qrcode.constants
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image
from pypdf import PdfReader

from agenda.models import Congress
from agenda.roles import Role
from core.pdf import render_pdf
from delegates.models import County, Participant, Registration, counties_label

Progress = Callable[[int], None]

BADGES_TEMPLATE = "delegates/pdf/badges.html"
PARTICIPANT_LIST_TEMPLATE = "delegates/pdf/participant_list.html"
NAME_CARDS_TEMPLATE = "delegates/pdf/name_cards.html"


# --- Layout of the sheets -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelPreset:
    """A sheet of cards or labels: the page, the card size, the grid and the margins, in millimetres."""

    key: str
    name: str
    label_width: float
    label_height: float
    columns: int
    rows: int
    margin_top: float
    margin_left: float
    gap_x: float = 0.0
    gap_y: float = 0.0
    page_width: float = 210.0
    page_height: float = 297.0
    cut_lines: bool = False  # a thin line around each card, for cutting plain paper

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def positions(self) -> list[tuple[float, float]]:
        """(left, top) of every card on a sheet, row by row."""
        return [
            (
                round(self.margin_left + column * (self.label_width + self.gap_x), 2),
                round(self.margin_top + row * (self.label_height + self.gap_y), 2),
            )
            for row in range(self.rows)
            for column in range(self.columns)
        ]


#: Badges printed on plain A4 and cut out: eight 90 x 55 mm cards, two across and four down, centred.
A4_SHEET = LabelPreset(
    key="a4_8",
    name=gettext_lazy("A4 sheet of eight, 90 × 55 mm"),
    label_width=90,
    label_height=55,
    columns=2,
    rows=4,
    margin_top=38.5,
    margin_left=15,
    cut_lines=True,
)

#: Label stock for badge holders. Add presets here; the key is what ``render_badges(preset=...)`` takes.
#: Avery L7418 (name badge labels, 86 x 55 mm, ten to an A4 sheet): check the first print against a real sheet and
#: adjust the margins here if the printer shifts it.
LABEL_PRESETS: dict[str, LabelPreset] = {
    "avery_l7418": LabelPreset(
        key="avery_l7418",
        name=gettext_lazy("Avery L7418, 86 × 55 mm, 10 a sheet"),
        label_width=86,
        label_height=55,
        columns=2,
        rows=5,
        margin_top=11,
        margin_left=17,
        gap_x=4,
        gap_y=0,
    ),
}
DEFAULT_LABEL_PRESET = "avery_l7418"


# --- Roles and names ------------------------------------------------------------------------------------------------

#: Role → colour group on the badge. Each group has its colour band (see badges.html).
ROLE_GROUPS: dict[str, str] = {
    Role.DELEGATE: "delegate",
    Role.SAMFUNNSBEDRIFTENE_DELEGATE: "delegate",
    Role.DEPUTY: "deputy",
    Role.BOARD_MEMBER: "board",
    Role.OBSERVER: "guest",
    Role.GUEST: "guest",
    Role.YOUTH_COUNCIL: "guest",
    Role.CHIEF_EXECUTIVE: "guest",
    Role.PRESS: "press",
    Role.STAFF: "staff",
}

#: (longest line in characters, longest word, size class) for a name on a badge, largest first. The text box is
#: about 78 mm wide and takes two lines of the name; DejaVu Sans Bold is about 0.62 em a character.
BADGE_NAME_SIZES = ((16, 16, "xl"), (40, 19, "l"), (50, 24, "m"), (64, 30, "s"))
#: The same for the name cards (about 260 mm wide, one or two lines).
CARD_NAME_SIZES = ((18, 18, "xl"), (26, 26, "l"), (44, 34, "m"), (60, 44, "s"))


def name_size(name: str, sizes: Sequence[tuple[int, int, str]] = BADGE_NAME_SIZES) -> str:
    """The size class for ``name``: the largest whose limits the whole name and its longest word keep within;
    "xs" for anything longer (the box clips what still does not fit, so a name never takes a second badge)."""
    length = len(name)
    longest_word = max((len(word) for word in name.split()), default=0)
    for max_length, max_word, size in sizes:
        if length <= max_length and longest_word <= max_word:
            return size
    return "xs"


def qr_code_png_data_uri(data: str) -> str:
    """The QR code of ``data`` as a PNG of one pixel a module, as a ``data:`` URI for ``<img>``.

    The same code as ``core.pdf.qr_code_svg`` (error correction M, 4-module quiet zone), but as an image:
    WeasyPrint parses and draws an inline SVG path point by point, about 10 ms a badge (a third of the time for
    1,000 badges), while a 29 x 29 pixel image costs next to nothing. The template draws it with
    ``image-rendering: pixelated``, so the PDF scales it without smoothing and the modules stay sharp.
    """
    # A fixed mask: every mask pattern decodes the same; choosing the "best" one costs qrcode 1.5 ms a code (1.5 s
    # for 1,000 badges) and only lowers a penalty score for large same-coloured areas.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=0)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    image = Image.new("1", (size, size))
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass(frozen=True)
class Badge:
    name: str
    organisation: str
    county: str
    role: str
    role_label: str
    code: str
    number: int | None = None  # the participant number, printed small above the QR code
    role_group: str = field(init=False)
    name_size: str = field(init=False)
    qr: str = field(init=False)  # data: URI of the QR code image

    def __post_init__(self):
        object.__setattr__(self, "role_group", ROLE_GROUPS.get(self.role, "guest"))
        object.__setattr__(self, "name_size", name_size(self.name))
        object.__setattr__(self, "qr", qr_code_png_data_uri(self.code) if self.code else "")


def badge_for(participant: Participant) -> Badge:
    return Badge(
        name=participant.full_name,
        organisation=participant.organisation.name if participant.organisation_id else "",
        county=participant.county.name if participant.county_id else "",
        role=participant.role,
        role_label=str(participant.get_role_display()),
        code=participant.badge_code,
        number=participant.number,
    )


# --- Rendering ------------------------------------------------------------------------------------------------------


def pdf_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _language(language: str | None) -> str:
    return language or settings.LANGUAGE_CODE


def _report(progress: Progress | None, percent: int) -> None:
    if progress is not None:
        progress(percent)


def _expect(progress: Progress | None, pages: int) -> None:
    """Tell a progress that can show "page n of m" how many pages the document will have."""
    expect = getattr(progress, "expect", None)
    if expect is not None:
        expect(pages)


def _chunks(items: Sequence, size: int) -> list[Sequence]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def render_badges(
    badges: Sequence[Badge],
    *,
    preset: LabelPreset = A4_SHEET,
    title: str = "",
    language: str | None = None,
    progress: Progress | None = None,
) -> tuple[bytes, int]:
    """One PDF with every badge, ``preset.per_sheet`` to a page, in the order given."""
    language = _language(language)
    positions = [f"p{number}" for number in range(preset.per_sheet)]
    with translation.override(language):
        html = render_to_string(
            BADGES_TEMPLATE,
            {
                "language": language,
                "title": title or _("Badges"),
                "preset": preset,
                "position_css": [(f"p{n}", left, top) for n, (left, top) in enumerate(preset.positions())],
                "sheets": [list(zip(sheet, positions, strict=False)) for sheet in _chunks(badges, preset.per_sheet)],
            },
        )
    _expect(progress, -(-len(badges) // preset.per_sheet))  # a page per sheet
    pdf = render_pdf(html)
    return pdf, pdf_pages(pdf)


class NoParticipants(ValueError):
    """Nothing to print: the document would be empty."""


# --- Reading the participants ---------------------------------------------------------------------------------------


def active_participants(congress: Congress, counties: Sequence[County] | None = None):
    """Active participants of the congress in the order of the hall: county, organisation, name.

    ``counties`` (a document for a regional office) keeps only their participants, and none without a county;
    ``None`` or empty: the whole congress."""
    participants = Participant.objects.filter(congress=congress, status=Participant.Status.ACTIVE)
    if counties:
        participants = participants.filter(county__in=counties)
    return participants.select_related("county", "organisation", "registration").order_by(
        "county__number", "organisation__name", "last_name", "first_name", "pk"
    )


def badge_participants(congress: Congress, counties: Sequence[County] | None = None) -> list[Participant]:
    """Those who get a badge and a name card: active, and not cancelled their registration."""
    return list(active_participants(congress, counties).exclude(registration__status=Registration.Status.CANCELLED))


def _title(title: str, counties: Sequence[County] | None) -> str:
    """A document's title, followed by the counties it is limited to."""
    label = counties_label(counties)
    return f"{title} – {label}" if label else title


def build_badges(
    congress: Congress,
    *,
    preset: LabelPreset = A4_SHEET,
    counties: Sequence[County] | None = None,
    language: str | None = None,
    progress: Progress | None = None,
) -> tuple[bytes, int]:
    language = _language(language)
    with translation.override(language):
        badges = [badge_for(participant) for participant in badge_participants(congress, counties)]
        if not badges:
            raise NoParticipants(_("There are no active participants to print."))
        _report(progress, 10)
        title = _title(_("Badges – %(congress)s") % {"congress": congress.name}, counties)
        return render_badges(badges, preset=preset, title=title, progress=progress)


def build_badges_a4(congress: Congress, **kwargs) -> tuple[bytes, int]:
    return build_badges(congress, preset=A4_SHEET, **kwargs)


def build_badges_labels(congress: Congress, *, preset: str = DEFAULT_LABEL_PRESET, **kwargs) -> tuple[bytes, int]:
    return build_badges(congress, preset=LABEL_PRESETS[preset], **kwargs)


@dataclass
class ListRow:
    number: int
    name: str
    organisation: str
    role_label: str
    party: str
    registration: str
    listed: bool


@dataclass
class ListDelegation:
    label: str
    rows: list[ListRow]


@dataclass
class ListCounty:
    label: str
    count: int
    delegations: list[ListDelegation]


def _registration_label(participant: Participant) -> tuple[str, bool]:
    registration: Registration | None = getattr(participant, "registration", None)
    if registration is None:
        return _("Not registered"), False
    if registration.status == Registration.Status.CANCELLED:
        return _("Cancelled"), False
    return _("Registered"), registration.listed


def participant_list_counties(participants: Iterable[Participant]) -> list[ListCounty]:
    """Participants by county (in county number order, those without a county last) and delegation."""
    elected_by_order = {value: number for number, value in enumerate(Participant.ElectedBy.values)}

    def county_key(p: Participant):
        return (p.county is None, p.county.number if p.county else "", p.county_id or 0)

    def delegation_key(p: Participant):
        return (elected_by_order.get(p.elected_by, len(elected_by_order)), p.elected_by)

    counties = []
    ordered = sorted(participants, key=lambda p: (county_key(p), delegation_key(p), p.last_name, p.first_name, p.pk))
    for _key, in_county in groupby(ordered, key=county_key):
        in_county = list(in_county)
        county = in_county[0].county
        delegations = []
        for (_order, elected_by), members in groupby(in_county, key=delegation_key):
            rows = []
            for p in members:
                registration, listed = _registration_label(p)
                rows.append(
                    ListRow(
                        number=p.number,
                        name=p.full_name,
                        organisation=p.organisation.name if p.organisation_id else "",
                        role_label=str(p.get_role_display()),
                        party=p.party,
                        registration=registration,
                        listed=listed,
                    )
                )
            label = str(Participant.ElectedBy(elected_by).label) if elected_by else _("Other participants")
            delegations.append(ListDelegation(label=label, rows=rows))
        label = f"{county.number} {county.name}" if county else _("Without a county")
        counties.append(ListCounty(label=label, count=len(in_county), delegations=delegations))
    return counties


def build_participant_list(
    congress: Congress,
    *,
    counties: Sequence[County] | None = None,
    language: str | None = None,
    progress: Progress | None = None,
) -> tuple[bytes, int]:
    """Every active participant once (of ``counties`` only, when given), by county and delegation, for staff in the
    hall; those who did not consent to a public list are marked."""
    language = _language(language)
    with translation.override(language):
        participants = list(active_participants(congress, counties))
        if not participants:
            raise NoParticipants(_("There are no active participants to print."))
        _report(progress, 10)
        html = render_to_string(
            PARTICIPANT_LIST_TEMPLATE,
            {
                "language": language,
                "congress": congress,
                "counties": participant_list_counties(participants),
                "total": len(participants),
                "counties_label": counties_label(counties),
                "printed_at": timezone.localtime(),
            },
        )
    pdf = render_pdf(html)
    return pdf, pdf_pages(pdf)


@dataclass(frozen=True)
class NameCard:
    name: str
    organisation: str
    county: str
    name_size: str
    number: int | None = None  # the participant number, small under the organisation


def name_card_for(participant: Participant) -> NameCard:
    return NameCard(
        name=participant.full_name,
        organisation=participant.organisation.name if participant.organisation_id else "",
        county=participant.county.name if participant.county_id else "",
        name_size=name_size(participant.full_name, CARD_NAME_SIZES),
        number=participant.number,
    )


def render_name_cards(cards: Sequence[NameCard], *, title: str = "", language: str | None = None) -> tuple[bytes, int]:
    """One A4 landscape page a card, folded along the middle: the upper half upside down, so that the name reads
    from both sides of the table."""
    language = _language(language)
    with translation.override(language):
        html = render_to_string(
            NAME_CARDS_TEMPLATE, {"language": language, "title": title or _("Name cards"), "cards": cards}
        )
    pdf = render_pdf(html)
    return pdf, pdf_pages(pdf)


def build_name_cards(
    congress: Congress,
    *,
    counties: Sequence[County] | None = None,
    language: str | None = None,
    progress: Progress | None = None,
) -> tuple[bytes, int]:
    language = _language(language)
    with translation.override(language):
        cards = [name_card_for(participant) for participant in badge_participants(congress, counties)]
        if not cards:
            raise NoParticipants(_("There are no active participants to print."))
        title = _title(_("Name cards – %(congress)s") % {"congress": congress.name}, counties)
    _report(progress, 10)
    _expect(progress, len(cards))  # a page a card
    return render_name_cards(cards, title=title, language=language)
