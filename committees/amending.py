"""Amendments to a line-numbered document: checking their line ranges, finding competing ones, applying them.

A pure module: standard library only, no Django (it shares :func:`~committees.document_text.normalize_whitespace`
with the equally pure :mod:`committees.document_text`).

The document is a sequence of :class:`DocumentParagraph`, in document order, whose lines were numbered once
(see :func:`committees.document_text.number_lines`). A :class:`Change` is one amendment's effect, always in the
ORIGINAL numbering:

- ``replace``: lines ``line_from`` to ``line_to`` are replaced by ``text``;
- ``delete``: lines ``line_from`` to ``line_to`` are removed (a paragraph left without text disappears);
- ``insert``: ``text`` is added at the end of line ``line_from``, in the same paragraph;
- ``new_paragraph``: ``text`` becomes a new paragraph after the paragraph that holds line ``line_from``.

A blank line in ``text`` is a paragraph break. A replaced or deleted range may cross paragraph boundaries
within a chapter: what is left of the first paragraph, the new text and what is left of the last paragraph
then become one paragraph (split again at the blank lines of ``text``), just as when a selection spanning
several paragraphs is overwritten in a word processor.

Two changes *compete* (:func:`overlaps`) when applying one would change what the other refers to, or when their
order would be ambiguous; competing changes can't be applied together (:class:`AmendmentConflict`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from committees.document_text import normalize_whitespace

__all__ = [
    "CHANGE_KINDS",
    "AmendmentConflict",
    "AmendmentRangeError",
    "Change",
    "DocumentParagraph",
    "ResultParagraph",
    "apply_changes",
    "competing_groups",
    "lines_with_text",
    "overlaps",
    "range_problem",
]

REPLACE, INSERT, DELETE, NEW_PARAGRAPH = "replace", "insert", "delete", "new_paragraph"
CHANGE_KINDS = (REPLACE, INSERT, DELETE, NEW_PARAGRAPH)
_RANGE_KINDS = (REPLACE, DELETE)  # kinds that take away lines
_POINT_KINDS = (INSERT, NEW_PARAGRAPH)  # kinds that refer to one line and take nothing away

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# New text starting with one of these attaches to the text before it, without a space.
_CLOSING_PUNCTUATION = frozenset(",.;:!?)]}»”’…%")


class NumberedLines:
    """Stored lines numbered from ``first_line``: a paragraph here, and the stored paragraph (``models.Paragraph``)."""

    first_line: int
    lines: Sequence[str]

    @property
    def last_line(self) -> int:
        return self.first_line + len(self.lines) - 1

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass(frozen=True)
class DocumentParagraph(NumberedLines):
    key: object  # the caller's identifier (e.g. a primary key), handed back in ResultParagraph.original_key
    chapter: object
    kind: str
    first_line: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Change:
    number: int  # the amendment's number, used in conflicts and in ResultParagraph.changed_by
    kind: str  # one of CHANGE_KINDS
    line_from: int
    line_to: int
    text: str = ""


@dataclass(frozen=True)
class ResultParagraph:
    chapter: object
    kind: str
    text: str
    changed_by: tuple[int, ...]  # amendment numbers that changed this paragraph, ascending; () if unchanged
    original_key: object | None  # the key of the paragraph it came from; None for a new paragraph


class AmendmentRangeError(ValueError):
    """Amendment number ``number`` refers to lines it can't: ``code`` and ``params`` as from :func:`range_problem`."""

    def __init__(self, code: str, params: Mapping[str, object] | None = None, number: int | None = None) -> None:
        self.code = code
        self.params: dict = dict(params or {})
        self.number = number
        super().__init__(f"Amendment {number}: {code} {self.params}")


class AmendmentConflict(ValueError):
    """Some amendments compete for the same text and can't all be applied.

    ``numbers`` are the amendment numbers of the first group of competing amendments, ``groups`` all such
    groups (see :func:`competing_groups`).
    """

    code = "conflict"

    def __init__(self, numbers: Iterable[int], groups: Iterable[Iterable[int]] | None = None) -> None:
        self.numbers: tuple[int, ...] = tuple(numbers)
        self.groups: list[tuple[int, ...]] = [tuple(group) for group in groups] if groups else [self.numbers]
        self.params = {"numbers": self.numbers}
        super().__init__(f"Amendments {', '.join(map(str, self.numbers))} change the same text.")


# --- Line ranges --------------------------------------------------------------------------------------------


def _line_span(paragraphs: Iterable[DocumentParagraph]) -> tuple[int | None, int | None]:
    numbered = [paragraph for paragraph in paragraphs if paragraph.lines]
    if not numbered:
        return None, None
    return min(p.first_line for p in numbered), max(p.last_line for p in numbered)


class _Numbering:
    """The paragraphs that have lines, by line number, for looking up ranges quickly."""

    def __init__(self, paragraphs: Sequence[DocumentParagraph]) -> None:
        self.paragraphs = paragraphs
        self.numbered = sorted((p for p in paragraphs if p.lines), key=lambda p: p.first_line)
        self.starts = [p.first_line for p in self.numbered]

    def touched(self, line_from: int, line_to: int) -> list[DocumentParagraph]:
        """The paragraphs with a line from ``line_from`` to ``line_to``, in order."""
        index = max(bisect.bisect_right(self.starts, line_from) - 1, 0)
        found = []
        for paragraph in self.numbered[index:]:
            if paragraph.first_line > line_to:
                break
            if paragraph.last_line >= line_from:
                found.append(paragraph)
        return found

    def covers(self, line_from: int, line_to: int) -> bool:
        """Whether every line from ``line_from`` to ``line_to`` exists (the numbering may, in principle, have gaps)."""
        needed = line_from
        for paragraph in self.touched(line_from, line_to):
            if paragraph.first_line > needed:
                return False
            needed = max(needed, paragraph.last_line + 1)
        return needed > line_to

    def range_problem(
        self, *, chapter: object | None, kind: str, line_from: int, line_to: int
    ) -> tuple[str, dict] | None:
        params: dict = {"line_from": line_from, "line_to": line_to}
        if kind not in CHANGE_KINDS:
            return "unknown_kind", {**params, "kind": kind, "choices": CHANGE_KINDS}
        if line_to < line_from:
            return "reversed", params
        if kind in _POINT_KINDS and line_to != line_from:
            return "single_line_expected", params
        if not self.covers(line_from, line_to):
            first, last = _line_span(self.paragraphs)
            return "missing", {**params, "first": first, "last": last}

        # For a new paragraph, only the paragraph holding the line matters.
        touched = self.touched(line_from, line_from if kind == NEW_PARAGRAPH else line_to)
        if chapter is not None:
            if any(paragraph.chapter != chapter for paragraph in touched):
                first, last = _line_span(p for p in self.paragraphs if p.chapter == chapter)
                return "outside_chapter", {**params, "first": first, "last": last}
        elif any(paragraph.chapter != touched[0].chapter for paragraph in touched):
            return "spans_chapters", params
        return None


def range_problem(
    paragraphs: Sequence[DocumentParagraph],
    *,
    chapter: object | None,
    kind: str,
    line_from: int,
    line_to: int,
) -> tuple[str, dict] | None:
    """``None`` when a change of ``kind`` may refer to lines ``line_from`` to ``line_to``, else ``(code, params)``.

    Codes: ``unknown_kind``; ``reversed`` (``line_to`` before ``line_from``); ``single_line_expected`` (insert
    and new paragraph refer to one line); ``missing`` (a line does not exist; ``first``/``last`` are the
    document's lines); ``outside_chapter`` (not all in ``chapter``; ``first``/``last`` are the chapter's lines,
    ``None`` if it has none); ``spans_chapters`` (only when ``chapter`` is ``None``: the range covers lines of
    more than one chapter, which no change may do). Every params has ``line_from`` and ``line_to``.
    """
    return _Numbering(paragraphs).range_problem(chapter=chapter, kind=kind, line_from=line_from, line_to=line_to)


def lines_with_text(paragraphs: Sequence[DocumentParagraph], text: str) -> list[tuple[int, int]]:
    """Every line range ``(first, last)`` whose words are exactly ``text``, in document order.

    The words of a range are read as ``committees.selectors.lines_text`` reads them (and as an amendment's
    ``original_text`` was stored): within a paragraph the lines joined and stripped, paragraphs separated by a blank
    line. Used to find the lines an amendment to one version of a document changes in another version.
    """
    if not text:
        return []
    lines = [
        (index, paragraph.first_line + offset, line)
        for index, paragraph in enumerate(sorted((p for p in paragraphs if p.lines), key=lambda p: p.first_line))
        for offset, line in enumerate(paragraph.lines)
    ]
    found = []
    for start, (paragraph, number, line) in enumerate(lines):
        if not line.strip() or not text.startswith(line.strip()):
            continue
        done: list[str] = []
        current: list[str] = []
        current_paragraph = paragraph
        for next_paragraph, last, next_line in lines[start:]:
            if next_paragraph != current_paragraph:
                if piece := "".join(current).strip():
                    done.append(piece)
                current, current_paragraph = [], next_paragraph
            current.append(next_line)
            words = "\n\n".join(piece for piece in (*done, "".join(current).strip()) if piece)
            if words == text:
                found.append((number, last))
                break
            if len(words) > len(text):
                break
    return found


# --- Competing changes --------------------------------------------------------------------------------------


def _last_line_index(paragraphs: Sequence[DocumentParagraph]) -> dict[int, int]:
    """Line number -> the last line of the paragraph holding it."""
    return {line: p.last_line for p in paragraphs for line in range(p.first_line, p.last_line + 1)}


def _overlaps(a: Change, b: Change, last_lines: Mapping[int, int] | None) -> bool:
    if a.kind in _RANGE_KINDS and b.kind in _RANGE_KINDS:
        return a.line_from <= b.line_to and b.line_from <= a.line_to
    if a.kind in _RANGE_KINDS or b.kind in _RANGE_KINDS:
        ranged, point = (a, b) if a.kind in _RANGE_KINDS else (b, a)
        return ranged.line_from <= _point(point, last_lines) <= ranged.line_to
    if a.kind != b.kind:  # an insert inside a paragraph and a new paragraph after it: the order is clear
        return False
    return _point(a, last_lines) == _point(b, last_lines)


def _point(change: Change, last_lines: Mapping[int, int] | None) -> int:
    """The line a point change sits at: an insert at its line, a new paragraph at the end of its paragraph."""
    if change.kind == NEW_PARAGRAPH and last_lines is not None:
        return last_lines.get(change.line_from, change.line_from)
    return change.line_from


def overlaps(a: Change, b: Change, paragraphs: Sequence[DocumentParagraph] | None = None) -> bool:
    """Whether ``a`` and ``b`` compete, so that at most one of them can be applied as it stands.

    They do when their replaced/deleted ranges share a line, when an insert's line lies in the other's range
    (its last line included: the insert would extend text that is gone), when both insert at the same line, or
    when both add a new paragraph after the same paragraph (whose order would be arbitrary). A new paragraph
    also competes with a range that covers the last line of its paragraph. Without ``paragraphs`` a new
    paragraph is taken to sit at its own ``line_from``, which is exact only for a paragraph's last line.
    """
    return _overlaps(a, b, _last_line_index(paragraphs) if paragraphs is not None else None)


def competing_groups(
    changes: Sequence[Change], paragraphs: Sequence[DocumentParagraph] | None = None
) -> list[tuple[int, ...]]:
    """The groups (two or more) of amendment numbers connected by :func:`overlaps`, each and all sorted."""
    last_lines = _last_line_index(paragraphs) if paragraphs is not None else None
    parent = {change.number: change.number for change in changes}

    def root(number: int) -> int:
        while parent[number] != number:
            parent[number] = parent[parent[number]]
            number = parent[number]
        return number

    for i, a in enumerate(changes):
        for b in changes[i + 1 :]:
            if _overlaps(a, b, last_lines):
                parent[root(a.number)] = root(b.number)
    groups: dict[int, set[int]] = {}
    for number in parent:
        groups.setdefault(root(number), set()).add(number)
    return sorted(tuple(sorted(group)) for group in groups.values() if len(group) > 1)


# --- Applying changes ---------------------------------------------------------------------------------------


@dataclass
class _Builder:
    """A result paragraph being put together."""

    chapter: object
    kind: str
    original_key: object | None
    text: str = ""  # while no change has touched it, exactly the original lines joined
    changed_by: set[int] = field(default_factory=set)
    pending_join: bool = False  # text was taken away or added since the last original line

    def add_line(self, line: str) -> None:
        if self.pending_join:
            self.text = _join(self.text, line)
            self.pending_join = False
        else:
            self.text += line

    def add_text(self, text: str, number: int) -> None:
        self.changed_by.add(number)
        self.text = _join(self.text, text)
        self.pending_join = True

    def result(self) -> ResultParagraph | None:
        if not self.changed_by:
            return ResultParagraph(self.chapter, self.kind, self.text, (), self.original_key)
        text = normalize_whitespace(self.text)
        if not text:
            return None
        return ResultParagraph(self.chapter, self.kind, text, tuple(sorted(self.changed_by)), self.original_key)


def _join(left: str, right: str) -> str:
    """``left`` and ``right`` with one space between them, or none before closing punctuation."""
    if not right.strip():
        return left
    if not left.strip():
        return right.lstrip()
    right = right.lstrip()
    separator = "" if right[0] in _CLOSING_PUNCTUATION else " "
    return left.rstrip() + separator + right


def _split_paragraphs(text: str) -> list[str]:
    return _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").replace("\r", "\n").strip())


def apply_changes(paragraphs: Sequence[DocumentParagraph], changes: Sequence[Change]) -> list[ResultParagraph]:
    """The document after all ``changes``, which refer to the original numbering, have been applied together.

    ``paragraphs`` must be in document order. Raises :class:`AmendmentRangeError` for a change whose range
    :func:`range_problem` rejects, and :class:`AmendmentConflict` if any two changes compete. Paragraphs no change
    touches come back with their exact original text, ``changed_by=()`` and their key.
    """
    numbering = _Numbering(paragraphs)
    for change in changes:
        problem = numbering.range_problem(
            chapter=None, kind=change.kind, line_from=change.line_from, line_to=change.line_to
        )
        if problem is not None:
            raise AmendmentRangeError(*problem, number=change.number)
    groups = competing_groups(changes, paragraphs)
    if groups:
        raise AmendmentConflict(groups[0], groups)

    starts = {change.line_from: change for change in changes if change.kind in _RANGE_KINDS}
    inserts = {change.line_from: change for change in changes if change.kind == INSERT}
    last_lines = _last_line_index(paragraphs)
    new_paragraphs = {last_lines[change.line_from]: change for change in changes if change.kind == NEW_PARAGRAPH}

    results: list[ResultParagraph] = []
    current: _Builder | None = None
    active: Change | None = None  # the replace or delete whose range we are in

    def finish() -> None:
        if current is not None and (result := current.result()) is not None:
            results.append(result)

    def add_text(text: str, number: int) -> None:
        """Add ``text`` to the current paragraph; each of its paragraph breaks starts a new "text" paragraph."""
        nonlocal current
        assert current is not None
        first, *others = _split_paragraphs(text)
        current.add_text(first, number)
        for part in others:
            finish()
            current = _Builder(current.chapter, "text", None, changed_by={number}, pending_join=True)
            current.add_text(part, number)

    for paragraph in paragraphs:
        if active is None:
            finish()
            current = _Builder(paragraph.chapter, paragraph.kind, paragraph.key)
        elif current is not None and not current.text.strip():
            # A range that began in an earlier paragraph and left nothing of it: what survives belongs to this one.
            current.chapter, current.kind, current.original_key = paragraph.chapter, paragraph.kind, paragraph.key
        assert current is not None
        for number, line in enumerate(paragraph.lines, start=paragraph.first_line):
            if number in starts:
                active = starts[number]
                add_text(active.text if active.kind == REPLACE else "", active.number)
            if active is None:
                current.add_line(line)
            elif number == active.line_to:
                active = None
            if number in inserts:
                add_text(inserts[number].text, inserts[number].number)
        if paragraph.lines and paragraph.last_line in new_paragraphs:
            change = new_paragraphs[paragraph.last_line]
            for part in _split_paragraphs(change.text):
                finish()
                current = _Builder(paragraph.chapter, "text", None)
                current.add_text(part, change.number)
    finish()
    return results
