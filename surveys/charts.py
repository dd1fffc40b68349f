"""The survey's charts: one question's answers as horizontal bars, an SVG element for the results page and the PDF.

Drawn with matplotlib's object API (``matplotlib.figure.Figure`` on the SVG canvas; never ``pyplot``, no figure kept
between calls). matplotlib is imported only here, inside the functions: it is slow to import and the rest of the site
has no use for it. The SVG keeps its text as text (``svg.fonttype = "none"``), so it stays sharp, searchable and read
by screen readers; its ids are fixed (``svg.hashsalt``) and prefixed with the question's number, so one page can hold
many charts and a chart is the same every time it is drawn.

The page's Content-Security-Policy allows no ``style`` attribute and no ``<style>`` element: the styles matplotlib
writes are turned into SVG's presentation attributes (``fill="…"``), which mean the same to browsers and WeasyPrint.
Labels are staff-written text: they are set as plain text (no mathtext) and escaped by the XML serializer.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import textwrap
import threading
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from surveys.results import Bar, QuestionResult

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

#: About 170 mm: the text width of an A4 page with 20 mm margins; 643 px on a screen.
WIDTH_INCHES = 6.7
FONT_SIZE = 9
CURRENT_COLOUR = "#1f4e79"
EARLIER_COLOUR = "#6f93c0"
MEAN_COLOUR = "#b35c00"
TEXT_COLOUR = "#1c2430"
MUTED_TEXT_COLOUR = "#4a5565"
GRID_COLOUR = "#d5dbe3"
LABEL_WIDTH = 34
LABEL_LINES = 4

#: A white box behind a bar's figures, so that a mean's line does not run through them.
_UNDERLAY = {"facecolor": "white", "edgecolor": "none", "pad": 2.5, "alpha": 1}

#: matplotlib's rcParams are global: the few a chart needs are set for the drawing alone, one chart at a time.
_DRAWING = threading.Lock()
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "ks-landsting-survey-chart",
    "svg.id": None,
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial"],
    "font.size": FONT_SIZE,
    "text.color": TEXT_COLOUR,
    "axes.edgecolor": GRID_COLOUR,
    "xtick.color": MUTED_TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "path.simplify": False,
}


def _config_dir_ensure() -> None:
    """matplotlib writes a font cache to ``MPLCONFIGDIR`` (else to the home directory, and warns when it cannot).
    A container may have no writable home: then a directory of the site's own in the temporary directory."""
    if os.environ.get("MPLCONFIGDIR"):
        return
    home = os.path.expanduser("~")
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    if os.access(config if os.path.isdir(config) else home, os.W_OK):
        return
    path = os.path.join(tempfile.gettempdir(), f"ks-landsting-matplotlib-{os.getuid()}")
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.environ["MPLCONFIGDIR"] = path


# --- Words ----------------------------------------------------------------------------------------------------------


def _rounded(value: float, places: int) -> Decimal:
    """Rounded as people do (3.75 to 3.8, 12.5 to 13), not to the even digit."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent_text(share: float) -> str:
    """ "34 %" in bokmål, "34%" in English: a whole percent."""
    return _("%(percent)s%%") % {"percent": formats.number_format(_rounded(share * 100, 0), 0)}


def mean_text(mean: float) -> str:
    return formats.number_format(_rounded(mean, 1), 1)


def bar_text(bar: Bar) -> str:
    """ "12 (34 %)": the count and the share."""
    return _("%(count)s (%(percent)s)") % {"count": bar.count, "percent": percent_text(bar.share)}


def _series_words(result: QuestionResult) -> str:
    bars = "; ".join(
        _("%(label)s: %(count)s (%(percent)s)")
        % {"label": bar.label, "count": bar.count, "percent": percent_text(bar.share)}
        if bar.offered
        else _("%(label)s: not asked") % {"label": bar.label}
        for bar in result.bars
    )
    words = _("%(n)s answered: %(bars)s.") % {"n": result.n, "bars": bars}
    if result.mean is not None:
        words += " " + _("Mean: %(mean)s.") % {"mean": mean_text(result.mean)}
    return words


def question_chart_description(result: QuestionResult) -> str:
    """The chart in words (its text alternative), in the active language."""
    if result.is_free_text:
        return _("%(n)s answered.") % {"n": result.n}
    words = _series_words(result)
    if result.is_scale:
        words = _("On the scale from 1 to 5, %(rest)s") % {"rest": words}
    if result.several_choices:
        words += " " + _("Several choices could be made, so the shares may add up to more than 100 percent.")
    if result.earlier is not None:
        words += " " + _("For comparison, %(congress)s: %(rest)s") % {
            "congress": result.earlier_congress_name,
            "rest": _series_words(result.earlier),
        }
    return words


# --- The chart ------------------------------------------------------------------------------------------------------


def _label(text: str) -> str:
    lines = textwrap.wrap(text, LABEL_WIDTH, break_long_words=True) or [""]
    if len(lines) > LABEL_LINES:
        lines = [
            *lines[: LABEL_LINES - 1],
            textwrap.shorten(" ".join(lines[LABEL_LINES - 1 :]), LABEL_WIDTH, placeholder=" …"),
        ]
    return "\n".join(lines)


def _series_name(congress: str | None, n: int) -> str:
    return _("%(congress)s (%(n)s answered)") % {"congress": congress or _("This survey"), "n": n}


def _draw(result: QuestionResult) -> str:
    """The chart as matplotlib writes it (an SVG document)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    labels = [_label(bar.label) for bar in result.bars]
    earlier = result.earlier
    lines = sum(max(1, label.count("\n") + 1) for label in labels)
    per_row = 0.34 if earlier is None else 0.5
    height = 0.45 + max(per_row * len(labels), 0.2 * lines) + (0.35 if earlier is not None else 0)
    figure = Figure(figsize=(WIDTH_INCHES, height), layout="constrained", facecolor="white")
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    rows = list(range(len(labels)))
    thickness = 0.7 if earlier is None else 0.38
    offset = 0 if earlier is None else 0.2
    current_name = _series_name(_congress_name(result), result.n)
    axes.barh(
        [row - offset for row in rows],
        [bar.share * 100 for bar in result.bars],
        height=thickness,
        color=CURRENT_COLOUR,
        label=current_name,
    )
    for row, bar in zip(rows, result.bars, strict=True):
        axes.text(
            bar.share * 100 + 1, row - offset, bar_text(bar), va="center", ha="left", color=TEXT_COLOUR, bbox=_UNDERLAY
        )
    if earlier is not None:
        axes.barh(
            [row + offset for row in rows],
            [bar.share * 100 for bar in earlier.bars],
            height=thickness,
            color=EARLIER_COLOUR,
            label=_series_name(result.earlier_congress_name, earlier.n),
        )
        for row, bar in zip(rows, earlier.bars, strict=True):
            text = bar_text(bar) if bar.offered else _("not asked")
            axes.text(
                bar.share * 100 + 1,
                row + offset,
                text,
                va="center",
                ha="left",
                color=MUTED_TEXT_COLOUR,
                fontsize=8,
                bbox=_UNDERLAY,
            )
    if result.mean is not None:
        earlier_mean = earlier.mean if earlier is not None else None
        # Of two means, the upper one's words go above its line and the lower one's below, so they never overlap.
        current_below = earlier_mean is not None and result.mean > earlier_mean
        words = _("Mean %(mean)s") % {"mean": mean_text(result.mean)}
        _mean_line(axes, result.mean, words, MEAN_COLOUR, "--", below=current_below, bold=True)
        if earlier_mean is not None:
            name = result.earlier_congress_name or ""
            words = _("%(congress)s: %(mean)s") % {"congress": name, "mean": mean_text(earlier_mean)}
            _mean_line(axes, earlier_mean, words, MUTED_TEXT_COLOUR, ":", below=not current_below)
    axes.set_yticks(rows, labels)
    axes.set_ylim(len(rows) - 0.5, -0.5)
    axes.set_xlim(0, 128)
    axes.set_xticks([0, 25, 50, 75, 100], [percent_text(tick / 100) for tick in (0, 25, 50, 75, 100)])
    axes.tick_params(axis="both", length=0, labelsize=FONT_SIZE)
    axes.tick_params(axis="x", labelsize=8)
    axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    if earlier is not None:
        axes.legend(
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            ncols=2,
            frameon=False,
            fontsize=8,
            handlelength=1.2,
            borderaxespad=0.2,
        )
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _congress_name(result: QuestionResult) -> str | None:
    survey = result.question.survey
    return survey.congress.name if survey is not None else None


def _mean_line(axes, mean: float, words: str, colour: str, style: str, *, below: bool, bold: bool = False) -> None:
    row = mean - 1  # the bars of 1 … 5 stand on rows 0 … 4
    # Behind the bars and their figures (which have a white underlay), so the line never crosses a number.
    axes.axhline(row, color=colour, linestyle=style, linewidth=1.2, xmax=100 / 128, zorder=0.8)
    axes.text(
        100.5,
        row,
        words,
        va="top" if below else "bottom",
        ha="left",
        color=colour,
        fontsize=8,
        fontweight="bold" if bold else "normal",
    )


# --- The SVG for a page ---------------------------------------------------------------------------------------------

_STYLE_DECLARATION = re.compile(r"\s*([-a-z]+)\s*:\s*([^;]+?)\s*(?:;|$)")


def _presentation_attributes(element: ET.Element) -> None:
    """The element's ``style`` as presentation attributes (the page's CSP allows no style attributes)."""
    style = element.attrib.pop("style", None)
    if style:
        for name, value in _STYLE_DECLARATION.findall(style):
            element.set(name, value)


def _clean(document: str, prefix: str) -> ET.Element:
    """matplotlib's SVG document as an element for a page: no declaration, metadata or style element, styles as
    attributes, ids prefixed so that several charts can share a page, path data on one line."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(document)  # noqa: S314 (matplotlib's own output, not untrusted)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{SVG_NS}}}metadata", f"{{{SVG_NS}}}style"):
                parent.remove(child)
    href = f"{{{XLINK_NS}}}href"
    for element in root.iter():
        _presentation_attributes(element)
        if "id" in element.attrib:
            element.set("id", f"{prefix}{element.get('id')}")
        if element.get(href, "").startswith("#"):
            element.set(href, f"#{prefix}{element.get(href)[1:]}")
        if "clip-path" in element.attrib:
            element.set("clip-path", element.get("clip-path").replace("url(#", f"url(#{prefix}"))
        if "d" in element.attrib:
            element.set("d", " ".join(element.get("d").split()))
    # What matplotlib's style element said for every element; each element's own attributes still win.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    root.set("class", "survey-chart")
    root.set("focusable", "false")
    return root


def question_chart_svg(result: QuestionResult) -> str:
    """The question's answers as a horizontal bar chart: an ``<svg>`` element (no XML declaration), safe to insert
    as it is (``mark_safe``). With the earlier survey's figures as a second, lighter series, and the mean marked on a
    scale. Empty for a free-text question and a choice question without choices. It is an image (``role="img"``)
    labelled by the text alternative, which ``question_chart_description`` gives for the page to show as well."""
    if result.is_free_text or not result.bars:
        return ""
    _config_dir_ensure()
    import matplotlib

    with _DRAWING, matplotlib.rc_context(_RC):
        document = _draw(result)
    root = _clean(document, prefix=f"chart-{result.question.pk}-")
    root.set("role", "img")
    root.set("aria-label", question_chart_description(result))
    return ET.tostring(root, encoding="unicode")
