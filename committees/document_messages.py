"""Translated, user-facing sentences for the problems found by :mod:`committees.document_text` (parsing a
document) and :mod:`committees.amending` (amendment line ranges and competing amendments)."""

from collections.abc import Iterable, Mapping

from django.utils.text import get_text_list
from django.utils.translation import gettext


def _chapter(params: Mapping[str, object]) -> str:
    title = params.get("chapter_title")
    if title:
        return gettext("chapter “%(title)s”") % {"title": title}
    return gettext("this chapter")


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _heading_advice(params: Mapping[str, object]) -> str:
    if params.get("text_format") == "plain":
        return gettext(
            "Put each chapter heading on a line of its own with blank lines around it, such as "
            "“Kapittel 3 Arbeidsgiver” or “3. Arbeidsgiver”."
        )
    return gettext("Start each chapter with a heading (“## Title” in Markdown).")


def describe_document_problem(code: str, params: Mapping[str, object]) -> str:
    """What is wrong with a document's text, and how to put it right, in the active language."""
    line = params.get("source_line")
    if code == "empty":
        return gettext("The document is empty. Paste or upload the text of the document.")
    if code == "no_chapters":
        return gettext("No chapter headings were found. %(advice)s") % {"advice": _heading_advice(params)}
    if code == "text_before_first_chapter":
        return gettext("Line %(line)d: text before the first chapter heading. %(advice)s") % {
            "line": line,
            "advice": _heading_advice(params),
        }
    if code == "empty_chapter":
        return gettext(
            "Line %(line)d: chapter “%(title)s” has no text. Add its text below the heading, or remove the heading."
        ) % {"line": line, "title": params.get("title", "")}
    if code == "empty_heading":
        return gettext("Line %(line)d: the heading has no text. Write the heading, or remove the line.") % {
            "line": line
        }
    if code == "unknown_format":
        return gettext("Unknown text format “%(format)s”: choose Markdown or plain text.") % {
            "format": params.get("text_format", "")
        }
    if code == "width_too_small":
        return gettext("A line width of %(width)d characters is too small: use at least %(minimum)d.") % {
            "width": params["width"],
            "minimum": params["minimum"],
        }
    return gettext("The document cannot be read (%(code)s).") % {"code": code}


def describe_range_problem(code: str, params: Mapping[str, object]) -> str:
    """What is wrong with an amendment's line numbers, and which would be right, in the active language."""
    line_from, line_to = params.get("line_from"), params.get("line_to")
    if code == "unknown_kind":
        return gettext("Unknown kind of amendment “%(kind)s”.") % {"kind": params.get("kind", "")}
    if code == "reversed":
        return gettext("The last line (%(last)d) comes before the first line (%(first)d): swap them.") % {
            "first": line_from,
            "last": line_to,
        }
    if code == "single_line_expected":
        return gettext("An insertion or a new paragraph refers to one line only: give the same first and last line.")
    one = line_from == line_to
    first, last = params.get("first"), params.get("last")
    mapping = {"line": line_from, "line_from": line_from, "line_to": line_to, "first": first, "last": last}
    if code == "missing":
        if first is None:
            return gettext("The document has no numbered lines yet.")
        if one:
            return gettext("Line %(line)d does not exist: the document has lines %(first)d–%(last)d.") % mapping
        if line_from > last or line_to < first:
            return (
                gettext("Lines %(line_from)d–%(line_to)d do not exist: the document has lines %(first)d–%(last)d.")
                % mapping
            )
        return (
            gettext("Lines %(line_from)d–%(line_to)d do not all exist: the document has lines %(first)d–%(last)d.")
            % mapping
        )
    if code == "outside_chapter":
        mapping["chapter"] = _chapter(params)
        if first is None:
            return _capitalized(
                gettext("%(chapter)s has no numbered lines, so no amendment can refer to its lines.") % mapping
            )
        if one:
            return gettext("Line %(line)d is not in %(chapter)s, which has lines %(first)d–%(last)d.") % mapping
        return (
            gettext("Lines %(line_from)d–%(line_to)d are not all in %(chapter)s, which has lines %(first)d–%(last)d.")
            % mapping
        )
    if code == "spans_chapters":
        return (
            gettext(
                "Lines %(line_from)d–%(line_to)d belong to more than one chapter: "
                "an amendment may change only one chapter, so split it."
            )
            % mapping
        )
    return gettext("Lines %(line_from)d–%(line_to)d cannot be amended (%(code)s).") % {**mapping, "code": code}


def describe_conflict(numbers: Iterable[int]) -> str:
    """One sentence naming amendments that change the same text, so that only one of them can be adopted."""
    names = get_text_list([str(number) for number in numbers], gettext("and"))
    return gettext(
        "Amendments %(numbers)s change the same text, so they cannot all be adopted as they stand: "
        "adopt at most one of them, or combine them into one amendment."
    ) % {"numbers": names}
