"""The text of a political document: parsing it into chapters and paragraphs, and numbering its lines.

A pure module: standard library only, no Django.

Amendments refer to line numbers, and those must be the same on screen, in the printed PDF and in every
amendment, whatever the reader's screen or font. So the server wraps each paragraph once, into lines of at most
``width`` characters (:func:`wrap_lines`), stores the lines and numbers them continuously through the document
(:func:`number_lines`), like OpenSlides' line numbering. Nothing is ever re-wrapped for display.

Wrapping keeps every character of the (normalised) paragraph: the space at a break stays at the end of the
earlier line, so ``"".join(lines)`` is the paragraph's text again.

Parsing (:func:`parse_document`) accepts Markdown or plain text and reports every problem it finds at once
(:class:`DocumentTextError` with ``problems``), each with the 1-based ``source_line`` of the input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "FORMATS",
    "MIN_WIDTH",
    "PARAGRAPH_KINDS",
    "DocumentTextError",
    "ParsedChapter",
    "ParsedDocument",
    "ParsedParagraph",
    "normalize_whitespace",
    "number_lines",
    "parse_document",
    "strip_inline_markdown",
    "wrap_lines",
]

MIN_WIDTH = 20
FORMATS = ("markdown", "plain")
PARAGRAPH_KINDS = ("heading", "text", "list_item")

_WHITESPACE = re.compile(r"\s+")  # str patterns are Unicode-aware: this includes NBSP, tabs, newlines


class DocumentTextError(ValueError):
    """A document text that cannot be used, or a bad argument.

    ``problems`` lists every problem found, as ``(code, params)`` pairs in the order of the input; ``code`` and
    ``params`` are the first one's. Problems about a place in the text carry its 1-based ``source_line``.
    ``str(error)`` is a plain English summary; :mod:`committees.document_messages` has translated sentences.

    Codes: ``empty``, ``no_chapters``, ``text_before_first_chapter``, ``empty_chapter`` (params ``title``),
    ``empty_heading``, ``unknown_format`` (params ``text_format``, ``choices``), ``width_too_small`` (params
    ``width``, ``minimum``).
    """

    def __init__(
        self,
        code: str,
        params: Mapping[str, object] | None = None,
        *,
        problems: Sequence[tuple[str, Mapping[str, object]]] | None = None,
    ) -> None:
        self.code = code
        self.params: dict = dict(params or {})
        self.problems: list[tuple[str, dict]] = (
            [(c, dict(p)) for c, p in problems] if problems else [(self.code, self.params)]
        )
        super().__init__(" ".join(_english(c, p) for c, p in self.problems))

    def __repr__(self) -> str:
        return f"DocumentTextError(code={self.code!r}, params={self.params!r}, problems={self.problems!r})"


def _english(code: str, params: Mapping[str, object]) -> str:
    sentences = {
        "empty": "the document is empty.",
        "no_chapters": "no chapter headings were found.",
        "text_before_first_chapter": "text before the first chapter heading.",
        "empty_chapter": f"chapter {params.get('title')!r} has no text.",
        "empty_heading": "the heading has no text.",
        "unknown_format": f"unknown text format {params.get('text_format')!r}.",
        "width_too_small": f"a line width of {params.get('width')} is below the minimum {params.get('minimum')}.",
    }
    sentence = sentences.get(code, f"{code}.")
    if "source_line" in params:
        return f"Line {params['source_line']}: {sentence}"
    return sentence[0].upper() + sentence[1:]


# --- Whitespace and lines -----------------------------------------------------------------------------------


def normalize_whitespace(text: str) -> str:
    """``text`` with every run of whitespace (spaces, tabs, newlines, NBSP, …) made one space, and stripped."""
    return _WHITESPACE.sub(" ", text).strip(" ")


def wrap_lines(text: str, width: int) -> list[str]:
    """The normalised ``text`` cut into lines of at most ``width`` characters, filled greedily.

    The space at a break stays at the end of the earlier line, so ``"".join(lines) == normalize_whitespace(text)``
    and ``len(line.rstrip(" ")) <= width``. A word longer than ``width`` is cut into ``width``-sized pieces
    (without a hyphen, so that the round trip still holds). Empty text has no lines.
    """
    if width < MIN_WIDTH:
        raise DocumentTextError("width_too_small", {"width": width, "minimum": MIN_WIDTH})
    text = normalize_whitespace(text)
    if not text:
        return []
    lines: list[str] = []
    current = ""  # the line being filled, without the space that will end it
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) <= width:
            current += " " + word
            continue
        if current:
            lines.append(current + " ")
        while len(word) > width:
            lines.append(word[:width])
            word = word[width:]
        current = word
    lines.append(current)
    return lines


def number_lines(paragraph_texts: Sequence[str], *, width: int, first_line: int = 1) -> list[tuple[int, list[str]]]:
    """Each paragraph's first line number and lines, numbered continuously from ``first_line``.

    A paragraph whose text is empty gets no lines (and the next paragraph starts at the same number).
    """
    numbered: list[tuple[int, list[str]]] = []
    number = first_line
    for text in paragraph_texts:
        lines = wrap_lines(text, width)
        numbered.append((number, lines))
        number += len(lines)
    return numbered


# --- Parsed document ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedParagraph:
    kind: str  # "heading" (a sub-heading inside a chapter), "text" or "list_item"
    text: str  # normalised, without markup
    source_line: int  # 1-based line of the input where the paragraph starts


@dataclass(frozen=True)
class ParsedChapter:
    title: str
    source_line: int
    paragraphs: tuple[ParsedParagraph, ...]


@dataclass(frozen=True)
class ParsedDocument:
    title: str  # "" when the text has no document title
    chapters: tuple[ParsedChapter, ...]


@dataclass
class _Block:
    """A heading or a paragraph found in the input, before chapters are known."""

    kind: str  # "heading", "text" or "list_item"
    source_line: int
    lines: list[str]
    level: int = 0  # headings: 1 for the most important

    @property
    def raw(self) -> str:
        return " ".join(self.lines)


def parse_document(text: str, *, text_format: str) -> ParsedDocument:
    """Chapters and paragraphs of a document written in ``text_format`` ("markdown" or "plain").

    Raises :class:`DocumentTextError` listing every problem found.
    """
    if text_format not in FORMATS:
        raise DocumentTextError("unknown_format", {"text_format": text_format, "choices": FORMATS})
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks = _markdown_blocks(text) if text_format == "markdown" else _plain_blocks(text)
    if not blocks:
        raise DocumentTextError("empty", {"source_line": 1})
    return _assemble(blocks, text_format)


def _assemble(blocks: list[_Block], text_format: str) -> ParsedDocument:
    headings = [block for block in blocks if block.kind == "heading"]
    if not headings:
        raise DocumentTextError("no_chapters", {"source_line": blocks[0].source_line, "text_format": text_format})

    top = min(heading.level for heading in headings)
    title_block: _Block | None = None
    chapter_level = top
    if text_format == "markdown":
        # Chapters are the most important heading level, unless a single heading of that level opens the
        # document and less important headings follow: that one is the document's title ("# Title", "## …").
        at_top = [heading for heading in headings if heading.level == top]
        if len(at_top) == 1 and blocks[0] is at_top[0] and len(headings) > 1:
            title_block = at_top[0]
            chapter_level = min(heading.level for heading in headings[1:])
    elif blocks[0].kind == "text" and len(blocks[0].lines) == 1:
        # Plain text: a one-line first paragraph that is not a heading, with headings after it, is the title.
        title_block = blocks[0]

    problems: list[tuple[str, dict]] = []
    title = ""
    if title_block is not None:
        title = _block_text(title_block, text_format)
        if not title:
            problems.append(("empty_heading", {"source_line": title_block.source_line}))

    chapters: list[tuple[str, int, list[ParsedParagraph]]] = []
    for block in blocks:
        if block is title_block:
            continue
        content = _block_text(block, text_format)
        if block.kind == "heading" and not content:
            problems.append(("empty_heading", {"source_line": block.source_line}))
            continue
        if block.kind == "heading" and block.level <= chapter_level:
            chapters.append((content, block.source_line, []))
            continue
        if not chapters:
            problems.append(
                ("text_before_first_chapter", {"source_line": block.source_line, "text_format": text_format})
            )
            continue
        if content:  # e.g. an image without alt text, or an empty list item, leaves nothing
            chapters[-1][2].append(ParsedParagraph(kind=block.kind, text=content, source_line=block.source_line))

    for chapter_title, source_line, paragraphs in chapters:
        if not paragraphs:
            problems.append(("empty_chapter", {"source_line": source_line, "title": chapter_title}))
    if not chapters and not problems:
        problems.append(("no_chapters", {"source_line": blocks[0].source_line, "text_format": text_format}))
    if problems:
        problems.sort(key=lambda problem: problem[1]["source_line"])
        code, params = problems[0]
        raise DocumentTextError(code, params, problems=problems)
    return ParsedDocument(
        title=title,
        chapters=tuple(
            ParsedChapter(title=chapter_title, source_line=source_line, paragraphs=tuple(paragraphs))
            for chapter_title, source_line, paragraphs in chapters
        ),
    )


def _block_text(block: _Block, text_format: str) -> str:
    if text_format == "markdown":
        return normalize_whitespace(strip_inline_markdown(block.raw))
    return normalize_whitespace(block.raw)


# --- Markdown -----------------------------------------------------------------------------------------------

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BULLET_ITEM = re.compile(r"^[ \t]*[-*+](?:[ \t]+|$)(.*)$")
_ORDERED_ITEM = re.compile(r"^[ \t]*(\d{1,9}[.)])(?:[ \t]+|$)(.*)$")
_BLOCKQUOTE = re.compile(r"^ {0,3}> ?")


def _markdown_blocks(text: str) -> list[_Block]:
    # Comments become blank lines, keeping the line numbers of everything after them.
    text = _COMMENT.sub(lambda match: "\n" * match.group().count("\n"), text)
    blocks: list[_Block] = []
    open_block: _Block | None = None  # a paragraph or list item that the next line may continue

    for number, line in enumerate(text.split("\n"), start=1):
        while _BLOCKQUOTE.match(line):
            line = _BLOCKQUOTE.sub("", line, count=1)
        line = _drop_hard_break(line)
        if not line.strip():
            open_block = None
            continue
        if open_block is not None and open_block.kind == "text" and (underline := _SETEXT_UNDERLINE.match(line)):
            open_block.kind = "heading"
            open_block.level = 1 if underline.group(1).startswith("=") else 2
            open_block = None
            continue
        if _THEMATIC_BREAK.match(line):
            open_block = None
            continue
        if heading := _ATX_HEADING.match(line):
            blocks.append(_Block("heading", number, [heading.group(2) or ""], level=len(heading.group(1))))
            open_block = None
            continue
        if item := _BULLET_ITEM.match(line):
            open_block = _Block("list_item", number, [item.group(1)])
            blocks.append(open_block)
            continue
        if item := _ORDERED_ITEM.match(line):
            open_block = _Block("list_item", number, [f"{item.group(1)} {item.group(2)}"])
            blocks.append(open_block)
            continue
        if open_block is not None:  # a continuation line (indented or lazy)
            open_block.lines.append(line)
            continue
        open_block = _Block("text", number, [line])
        blocks.append(open_block)
    return blocks


def _drop_hard_break(line: str) -> str:
    """A backslash at the end of a line is a hard line break; the line break itself becomes a space."""
    stripped = line.rstrip()
    backslashes = len(stripped) - len(stripped.rstrip("\\"))
    return stripped[:-1] if backslashes % 2 else line


_ESCAPABLE = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_PROTECTED_BASE = 0xF0000  # Supplementary Private Use Area-A: stands in for escaped characters while parsing
_PROTECTED = re.compile("[\U000f0000-\U000f007f]")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]+)>")
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_EMPHASIS = (
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"),
    re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)"),
    re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"),
    # Underscores inside a word (snake_case, file_name) are not emphasis.
    re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"),
)


def _protect(text: str) -> str:
    return "".join(chr(_PROTECTED_BASE + ord(char)) if char in _ESCAPABLE else char for char in text)


def strip_inline_markdown(text: str) -> str:
    """``text`` without Markdown inline markup: emphasis, code spans, links and images keep only their text."""
    text = _PROTECTED.sub("", text)
    text = _ESCAPE.sub(lambda match: _protect(match.group(1)), text)
    text = _CODE_SPAN.sub(lambda match: _protect(match.group(2).strip(" ")), text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _LINE_BREAK_TAG.sub(" ", text)
    previous = None
    while previous != text:  # emphasis may be nested: ***x***, **a *b* c**
        previous = text
        for pattern in _EMPHASIS:
            text = pattern.sub(r"\1", text)
    return _PROTECTED.sub(lambda match: chr(ord(match.group()) - _PROTECTED_BASE), text)


# --- Plain text ---------------------------------------------------------------------------------------------

_PLAIN_ITEM = re.compile(r"^[ \t]*[-•*][ \t]+(.*)$")
_CHAPTER_WORD = re.compile(r"^(?:kapittel|kap\.|chapter)[ \t]*\d+\b", re.IGNORECASE)
_CHAPTER_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)(?:[.)]|\s|$)")
_MAX_NUMBERED_HEADING = 100


def _plain_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    open_block: _Block | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            open_block = None
            continue
        if item := _PLAIN_ITEM.match(line):
            open_block = _Block("list_item", number, [item.group(1)])
            blocks.append(open_block)
        elif open_block is not None:
            open_block.lines.append(line)
        else:
            open_block = _Block("text", number, [line])
            blocks.append(open_block)

    for block in blocks:
        if block.kind == "text" and len(block.lines) == 1:
            level = _plain_heading_level(normalize_whitespace(block.lines[0]))
            if level:
                block.kind, block.level = "heading", level
    return blocks


def _plain_heading_level(line: str) -> int:
    """1 for "Kapittel 3 …" or "3. …", 2 for "3.1 …" and so on; 0 when ``line`` does not look like a heading."""
    if _CHAPTER_WORD.match(line):
        return 1
    match = _CHAPTER_NUMBER.match(line)
    if match and len(line) <= _MAX_NUMBERED_HEADING and not line.endswith("."):
        return match.group(1).count(".") + 1
    return 0
