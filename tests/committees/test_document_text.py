import itertools

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from committees.document_messages import describe_document_problem
from committees.document_text import (
    DocumentTextError,
    ParsedChapter,
    ParsedDocument,
    ParsedParagraph,
    normalize_whitespace,
    number_lines,
    parse_document,
    wrap_lines,
)

# --- Whitespace and wrapping --------------------------------------------------------------------------------


def test_normalize_whitespace_collapses_every_kind_of_whitespace():
    assert normalize_whitespace("  Kommune\t og\n\nfylke\xa0kommune \r\n ") == "Kommune og fylke kommune"
    assert normalize_whitespace(" \n\t\xa0") == ""


def test_wrap_lines_fills_each_line_greedily():
    text = "Kommunene skal ha økt handlingsrom og færre øremerkede tilskudd."
    # "Kommunene skal ha" is 17 characters; with " økt" it would be 21.
    # "økt handlingsrom og" is 19; with " færre" 25. "færre øremerkede" is 16; with " tilskudd." 26.
    assert wrap_lines(text, 20) == [
        "Kommunene skal ha ",
        "økt handlingsrom og ",
        "færre øremerkede ",
        "tilskudd.",
    ]


def test_wrap_lines_uses_the_whole_width():
    # "Lønn og likestilling" is exactly 20 characters.
    assert wrap_lines("Lønn og likestilling i kommunene", 20) == ["Lønn og likestilling ", "i kommunene"]


def test_wrap_lines_normalises_first():
    assert wrap_lines("  Fylkes-\n kommunene\t\ter  viktige  ", 20) == ["Fylkes- kommunene er ", "viktige"]


def test_a_word_longer_than_the_width_is_cut_into_pieces():
    word = "Kommunesektorensinteresseogarbeidsgiverorganisasjon"  # 51 characters
    assert wrap_lines(f"KS er {word} her", 20) == [
        "KS er ",
        "Kommunesektorensinte",
        "resseogarbeidsgivero",
        "rganisasjon her",
    ]


def test_empty_text_has_no_lines():
    assert wrap_lines("", 40) == []
    assert wrap_lines(" \n\xa0 ", 40) == []


def test_a_width_below_20_is_an_error():
    with pytest.raises(DocumentTextError) as caught:
        wrap_lines("tekst", 19)
    assert caught.value.code == "width_too_small"
    assert caught.value.params == {"width": 19, "minimum": 20}
    assert wrap_lines("tekst", 20) == ["tekst"]


TEXTS = st.text(alphabet=st.sampled_from("abcæøå KS.,-\n\t\xa0\u2003"), max_size=300)


@given(text=TEXTS, width=st.integers(min_value=20, max_value=90))
def test_wrap_lines_round_trips_and_respects_the_width(text, width):
    lines = wrap_lines(text, width)
    assert "".join(lines) == normalize_whitespace(text)
    for line in lines:
        assert line
        assert not line.startswith(" ")
        assert len(line.rstrip(" ")) <= width
    for previous, following in itertools.pairwise(lines):
        if previous.endswith(" "):  # a break between words: the next word did not fit
            assert len(previous) + len(following.split(" ")[0]) > width


def test_number_lines_continues_across_paragraphs():
    numbered = number_lines(
        ["Kommunene skal ha økt handlingsrom og færre øremerkede tilskudd.", "Kort avsnitt.", "", "Siste."],
        width=20,
        first_line=10,
    )
    assert numbered == [
        (10, ["Kommunene skal ha ", "økt handlingsrom og ", "færre øremerkede ", "tilskudd."]),
        (14, ["Kort avsnitt."]),
        (15, []),
        (15, ["Siste."]),
    ]


@given(
    texts=st.lists(TEXTS, max_size=8),
    width=st.integers(min_value=20, max_value=60),
    first_line=st.integers(min_value=1, max_value=500),
)
def test_number_lines_numbers_continuously(texts, width, first_line):
    numbered = number_lines(texts, width=width, first_line=first_line)
    assert len(numbered) == len(texts)
    expected = first_line
    for text, (number, lines) in zip(texts, numbered, strict=True):
        assert number == expected
        assert lines == wrap_lines(text, width)
        expected += len(lines)


# --- Markdown -----------------------------------------------------------------------------------------------

MARKDOWN = """\
# Politisk plattform for KS 2024–2028

## Kapittel 1: KS som arbeidsgiverorganisasjon

KS skal være en **sterk** og *tydelig*
arbeidsgiverorganisasjon for hele sektoren.

- Likelønn og likestilling
- Heltidskultur i
  hele sektoren
1. Rekruttering av fagfolk

### Lønnsdannelse

Lønnsoppgjørene skal ta hensyn til [kommuneøkonomien](https://www.ks.no/a_(b)).

## Kapittel 2: Lokaldemokrati

<!-- Ny tekst fra styret,
     vedtatt i juni -->
Lokaldemokratiet er _grunnmuren_ i folkestyret.
"""


def test_markdown_document():
    assert parse_document(MARKDOWN, text_format="markdown") == ParsedDocument(
        title="Politisk plattform for KS 2024–2028",
        chapters=(
            ParsedChapter(
                title="Kapittel 1: KS som arbeidsgiverorganisasjon",
                source_line=3,
                paragraphs=(
                    ParsedParagraph(
                        "text", "KS skal være en sterk og tydelig arbeidsgiverorganisasjon for hele sektoren.", 5
                    ),
                    ParsedParagraph("list_item", "Likelønn og likestilling", 8),
                    ParsedParagraph("list_item", "Heltidskultur i hele sektoren", 9),
                    ParsedParagraph("list_item", "1. Rekruttering av fagfolk", 11),
                    ParsedParagraph("heading", "Lønnsdannelse", 13),
                    ParsedParagraph("text", "Lønnsoppgjørene skal ta hensyn til kommuneøkonomien.", 15),
                ),
            ),
            ParsedChapter(
                title="Kapittel 2: Lokaldemokrati",
                source_line=17,
                paragraphs=(ParsedParagraph("text", "Lokaldemokratiet er grunnmuren i folkestyret.", 21),),
            ),
        ),
    )


def test_windows_line_endings_and_a_byte_order_mark_change_nothing():
    windows = "\ufeff" + MARKDOWN.replace("\n", "\r\n")
    assert parse_document(windows, text_format="markdown") == parse_document(MARKDOWN, text_format="markdown")


def test_without_second_level_headings_the_first_level_are_chapters():
    text = "# Arbeidsgiver\n\nTekst om lønn.\n\n# Økonomi\n\nTekst om penger.\n"
    document = parse_document(text, text_format="markdown")
    assert document.title == ""
    assert [(chapter.title, chapter.source_line) for chapter in document.chapters] == [
        ("Arbeidsgiver", 1),
        ("Økonomi", 5),
    ]


def test_a_title_with_a_single_chapter():
    document = parse_document("# Plattform\n\n## Økonomi\n\nTekst.\n", text_format="markdown")
    assert document.title == "Plattform"
    assert [chapter.title for chapter in document.chapters] == ["Økonomi"]


def test_a_single_heading_is_a_chapter_not_a_title():
    document = parse_document("# Økonomi\n\nTekst.\n", text_format="markdown")
    assert document.title == ""
    assert [chapter.title for chapter in document.chapters] == ["Økonomi"]


def test_setext_headings_rules_and_closing_hashes():
    text = "Plattform\n=========\n\nØkonomi\n-------\n\nTekst.\n\n---\n\n## Skole ##\n\n***\n\nMer tekst.\n"
    document = parse_document(text, text_format="markdown")
    assert document.title == "Plattform"
    assert [(chapter.title, [p.text for p in chapter.paragraphs]) for chapter in document.chapters] == [
        ("Økonomi", ["Tekst."]),
        ("Skole", ["Mer tekst."]),
    ]


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("**fet** og __fet__", "fet og fet"),
        ("*kursiv* og _kursiv_", "kursiv og kursiv"),
        ("***begge*** og **a *b* c**", "begge og a b c"),
        ("snake_case_navn og fil_navn", "snake_case_navn og fil_navn"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("`kode *ikke* kursiv`", "kode *ikke* kursiv"),
        ('[KS](https://www.ks.no/ "KS") og ![logo](logo.png)', "KS og logo"),
        ("\\*ikke kursiv\\* og \\_heller ikke\\_", "*ikke kursiv* og _heller ikke_"),
        ("før <!-- skjult --> etter", "før etter"),
        ("linje\\\nbrudd og <br> tag", "linje brudd og tag"),
        ("> sitat fra\n> loven", "sitat fra loven"),
        ("<https://www.ks.no/>", "https://www.ks.no/"),
    ],
)
def test_inline_markup_is_stripped(markdown, text):
    document = parse_document(f"## Kapittel\n\n{markdown}\n", text_format="markdown")
    assert [paragraph.text for paragraph in document.chapters[0].paragraphs] == [text]


# --- Plain text ---------------------------------------------------------------------------------------------

PLAIN = """\
Politisk plattform 2024–2028

Kapittel 1: Arbeidsgiver

KS skal være en sterk
arbeidsgiverorganisasjon.

- Likelønn
• Heltid i
  hele sektoren
* Rekruttering

1.1 Lønnsdannelse

Lønnsoppgjørene skal ta hensyn til økonomien.

2. Lokaldemokrati

Lokaldemokratiet er grunnmuren i folkestyret.

Chapter 3 Økonomi

Tekst.
"""


def test_plain_document():
    assert parse_document(PLAIN, text_format="plain") == ParsedDocument(
        title="Politisk plattform 2024–2028",
        chapters=(
            ParsedChapter(
                title="Kapittel 1: Arbeidsgiver",
                source_line=3,
                paragraphs=(
                    ParsedParagraph("text", "KS skal være en sterk arbeidsgiverorganisasjon.", 5),
                    ParsedParagraph("list_item", "Likelønn", 8),
                    ParsedParagraph("list_item", "Heltid i hele sektoren", 9),
                    ParsedParagraph("list_item", "Rekruttering", 11),
                    ParsedParagraph("heading", "1.1 Lønnsdannelse", 13),
                    ParsedParagraph("text", "Lønnsoppgjørene skal ta hensyn til økonomien.", 15),
                ),
            ),
            ParsedChapter(
                title="2. Lokaldemokrati",
                source_line=17,
                paragraphs=(ParsedParagraph("text", "Lokaldemokratiet er grunnmuren i folkestyret.", 19),),
            ),
            ParsedChapter(
                title="Chapter 3 Økonomi", source_line=21, paragraphs=(ParsedParagraph("text", "Tekst.", 23),)
            ),
        ),
    )


@pytest.mark.parametrize(
    ("line", "is_heading"),
    [
        ("Kapittel 3 Arbeidsgiver", True),
        ("Kapittel 3: Arbeidsgiver", True),
        ("kap. 3 Arbeidsgiver", True),
        ("Chapter 3 Employer", True),
        ("3. Arbeidsgiver", True),
        ("3) Arbeidsgiver", True),
        ("3 Arbeidsgiver", True),
        ("3. Kommunene skal ha større handlingsrom.", False),  # ends with a full stop: a sentence
        ("3. " + "lang " * 25, False),  # longer than 100 characters
        ("12,5 milliarder til skole", False),
        ("Arbeidsgiver", False),
    ],
)
def test_plain_chapter_headings(line, is_heading):
    text = f"1. Innledning\n\nTekst.\n\n{line}\n\nMer tekst.\n"
    chapters = parse_document(text, text_format="plain").chapters
    assert len(chapters) == (2 if is_heading else 1)


# --- Problems -----------------------------------------------------------------------------------------------


def problems(text: str, text_format: str = "markdown") -> list[tuple[str, dict]]:
    with pytest.raises(DocumentTextError) as caught:
        parse_document(text, text_format=text_format)
    error = caught.value
    assert (error.code, error.params) == error.problems[0]
    assert isinstance(error, ValueError)
    return error.problems


@pytest.mark.parametrize("text_format", ["markdown", "plain"])
@pytest.mark.parametrize("text", ["", "\ufeff \r\n\t\n", "<!-- bare en kommentar -->"])
def test_empty(text, text_format):
    if text_format == "plain" and text.startswith("<!--"):
        return  # plain text has no comments
    assert problems(text, text_format) == [("empty", {"source_line": 1})]


def test_no_chapters_in_markdown():
    assert problems("\nBare tekst.\n\nOg mer tekst.\n") == [
        ("no_chapters", {"source_line": 2, "text_format": "markdown"})
    ]


def test_no_chapters_in_plain_text():
    assert problems("Bare tekst.\n\nOg mer tekst.\n", "plain") == [
        ("no_chapters", {"source_line": 1, "text_format": "plain"})
    ]


def test_all_problems_are_collected_in_order():
    text = "Innledning uten overskrift.\n\nMer innledning.\n\n# Arbeidsgiver\n\n# Økonomi\n\nTekst.\n\n#\n"
    assert problems(text) == [
        ("text_before_first_chapter", {"source_line": 1, "text_format": "markdown"}),
        ("text_before_first_chapter", {"source_line": 3, "text_format": "markdown"}),
        ("empty_chapter", {"source_line": 5, "title": "Arbeidsgiver"}),
        ("empty_heading", {"source_line": 11}),
    ]


def test_text_between_title_and_first_chapter():
    text = "# Plattform\n\nInnledning.\n\n## Arbeidsgiver\n\nTekst.\n"
    assert problems(text) == [("text_before_first_chapter", {"source_line": 3, "text_format": "markdown"})]


def test_plain_text_before_the_first_chapter_after_the_title():
    text = "Plattform\n\nInnledning over\nto linjer.\n\nKapittel 1 Arbeidsgiver\n\nTekst.\n\nKapittel 2 Tom\n"
    assert problems(text, "plain") == [
        ("text_before_first_chapter", {"source_line": 3, "text_format": "plain"}),
        ("empty_chapter", {"source_line": 10, "title": "Kapittel 2 Tom"}),
    ]


def test_duplicate_chapter_titles_are_allowed():
    document = parse_document("## Mål\n\nTekst.\n\n## Mål\n\nMer.\n", text_format="markdown")
    assert [chapter.title for chapter in document.chapters] == ["Mål", "Mål"]


def test_unknown_format():
    with pytest.raises(DocumentTextError) as caught:
        parse_document("## Tekst\n\nTekst.", text_format="docx")
    assert caught.value.code == "unknown_format"
    assert caught.value.params["text_format"] == "docx"


# --- Messages -----------------------------------------------------------------------------------------------


def test_problems_are_described_in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        assert describe_document_problem(
            "text_before_first_chapter", {"source_line": 4, "text_format": "markdown"}
        ) == (
            "Line 4: text before the first chapter heading. Start each chapter with a heading (“## Title” in Markdown)."
        )
        assert describe_document_problem("empty_chapter", {"source_line": 7, "title": "Økonomi"}) == (
            "Line 7: chapter “Økonomi” has no text. Add its text below the heading, or remove the heading."
        )
        assert "“3. Arbeidsgiver”" in describe_document_problem(
            "no_chapters", {"source_line": 1, "text_format": "plain"}
        )


def test_every_problem_code_has_its_own_sentence(settings):
    settings.LANGUAGE_CODE = "en"
    params = {"source_line": 3, "title": "Mål", "text_format": "plain", "width": 10, "minimum": 20}
    codes = ["empty", "no_chapters", "text_before_first_chapter", "empty_chapter", "empty_heading"]
    codes += ["unknown_format", "width_too_small"]
    with translation.override("en"):
        sentences = [describe_document_problem(code, params) for code in codes]
    assert len(set(sentences)) == len(codes)
    for sentence in sentences:
        assert "cannot be read" not in sentence  # the fallback for unknown codes
        assert sentence.endswith(".")
        assert "\n" not in sentence
