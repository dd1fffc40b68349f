import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from committees.amending import (
    AmendmentConflict,
    AmendmentRangeError,
    Change,
    DocumentParagraph,
    ResultParagraph,
    apply_changes,
    competing_groups,
    lines_with_text,
    overlaps,
    range_problem,
)
from committees.document_messages import describe_conflict, describe_range_problem
from committees.document_text import normalize_whitespace, number_lines

# Two chapters, five paragraphs, lines 1 to 11:
#
#  arb  p1  1  KS skal være en sterk og
#           2  tydelig arbeidsgiverorganisasjon
#           3  for kommunesektoren.
#       p2  4  Lønnsdannelsen skal bidra til          (list item)
#           5  god rekruttering.
#       p3  6  Kommunene skal ha handlingsrom
#           7  i lokale lønnsforhandlinger.
#  dem  p4  8  Lokaldemokratiet er grunnmuren
#           9  i det norske folkestyret.
#       p5 10  Færre øremerkede tilskudd gir
#          11  mer makt til innbyggerne.
DOCUMENT = [
    DocumentParagraph(
        "p1",
        "arb",
        "text",
        1,
        ("KS skal være en sterk og ", "tydelig arbeidsgiverorganisasjon ", "for kommunesektoren."),
    ),
    DocumentParagraph("p2", "arb", "list_item", 4, ("Lønnsdannelsen skal bidra til ", "god rekruttering.")),
    DocumentParagraph("p3", "arb", "text", 6, ("Kommunene skal ha handlingsrom ", "i lokale lønnsforhandlinger.")),
    DocumentParagraph("p4", "dem", "text", 8, ("Lokaldemokratiet er grunnmuren ", "i det norske folkestyret.")),
    DocumentParagraph("p5", "dem", "text", 10, ("Færre øremerkede tilskudd gir ", "mer makt til innbyggerne.")),
]


def unchanged(key: str) -> ResultParagraph:
    paragraph = next(p for p in DOCUMENT if p.key == key)
    return ResultParagraph(paragraph.chapter, paragraph.kind, paragraph.text, (), key)


def test_document_paragraph_properties():
    assert DOCUMENT[0].last_line == 3
    assert DOCUMENT[0].text == "KS skal være en sterk og tydelig arbeidsgiverorganisasjon for kommunesektoren."


# --- Applying adopted amendments ----------------------------------------------------------------------------


def test_applying_adopted_amendments_produces_the_final_text():
    changes = [
        Change(1, "replace", 2, 2, "samlende arbeidsgiverorganisasjon"),
        Change(2, "insert", 4, 4, "likelønn og"),
        Change(3, "delete", 6, 7, ""),
        Change(4, "new_paragraph", 8, 8, "Statlig styring skal skje gjennom rammer, ikke detaljer."),
        Change(5, "replace", 11, 11, ", ikke mindre."),
    ]
    assert apply_changes(DOCUMENT, changes) == [
        ResultParagraph(
            "arb", "text", "KS skal være en sterk og samlende arbeidsgiverorganisasjon for kommunesektoren.", (1,), "p1"
        ),
        ResultParagraph("arb", "list_item", "Lønnsdannelsen skal bidra til likelønn og god rekruttering.", (2,), "p2"),
        unchanged("p4"),
        ResultParagraph("dem", "text", "Statlig styring skal skje gjennom rammer, ikke detaljer.", (4,), None),
        ResultParagraph("dem", "text", "Færre øremerkede tilskudd gir, ikke mindre.", (5,), "p5"),
    ]


def test_no_changes_give_the_original_document():
    assert apply_changes(DOCUMENT, []) == [unchanged(p.key) for p in DOCUMENT]


def test_a_replace_across_paragraphs_joins_them_and_splits_at_blank_lines():
    change = Change(7, "replace", 5, 6, "god rekruttering og lokalt handlingsrom.\r\n\r\n  Det gjelder også")
    assert apply_changes(DOCUMENT, [change])[:3] == [
        unchanged("p1"),
        ResultParagraph(
            "arb", "list_item", "Lønnsdannelsen skal bidra til god rekruttering og lokalt handlingsrom.", (7,), "p2"
        ),
        ResultParagraph("arb", "text", "Det gjelder også i lokale lønnsforhandlinger.", (7,), None),
    ]


def test_a_replace_across_paragraphs_without_blank_lines_makes_one_paragraph():
    result = apply_changes(DOCUMENT, [Change(1, "replace", 5, 6, "alle, og kommunene skal ha\nhandlingsrom")])
    assert result[1] == ResultParagraph(
        "arb",
        "list_item",
        "Lønnsdannelsen skal bidra til alle, og kommunene skal ha handlingsrom i lokale lønnsforhandlinger.",
        (1,),
        "p2",
    )
    assert [p.original_key for p in result] == ["p1", "p2", "p4", "p5"]


def test_a_delete_across_paragraphs_keeps_what_is_left():
    result = apply_changes(DOCUMENT, [Change(1, "delete", 3, 4, "")])
    assert result[0] == ResultParagraph(
        "arb", "text", "KS skal være en sterk og tydelig arbeidsgiverorganisasjon god rekruttering.", (1,), "p1"
    )
    # Nothing is left of p2 but a piece of p3: that piece is still p3, with p3's kind.
    result = apply_changes(DOCUMENT, [Change(1, "delete", 4, 6, "")])
    assert result[1] == ResultParagraph("arb", "text", "i lokale lønnsforhandlinger.", (1,), "p3")


def test_a_deleted_paragraph_disappears():
    assert apply_changes(DOCUMENT, [Change(1, "delete", 4, 5, "")]) == [
        unchanged("p1"),
        unchanged("p3"),
        unchanged("p4"),
        unchanged("p5"),
    ]


def test_an_insert_with_a_blank_line_splits_the_paragraph():
    assert apply_changes(DOCUMENT, [Change(1, "insert", 1, 1, "aktiv\n\nDen skal være")])[:2] == [
        ResultParagraph("arb", "text", "KS skal være en sterk og aktiv", (1,), "p1"),
        ResultParagraph(
            "arb", "text", "Den skal være tydelig arbeidsgiverorganisasjon for kommunesektoren.", (1,), None
        ),
    ]


def test_new_paragraphs_after_the_last_line_of_a_chapter_stay_in_that_chapter():
    result = apply_changes(DOCUMENT, [Change(1, "new_paragraph", 6, 6, "Første.\n\n\n\nAndre.")])
    assert result[3:5] == [
        ResultParagraph("arb", "text", "Første.", (1,), None),
        ResultParagraph("arb", "text", "Andre.", (1,), None),
    ]
    assert result[5] == unchanged("p4")


def test_an_insert_and_a_new_paragraph_at_the_same_paragraph_do_not_compete():
    result = apply_changes(
        DOCUMENT, [Change(1, "new_paragraph", 11, 11, "Ny."), Change(2, "insert", 11, 11, "Og til fylkene.")]
    )
    assert result[-2:] == [
        ResultParagraph(
            "dem", "text", "Færre øremerkede tilskudd gir mer makt til innbyggerne. Og til fylkene.", (2,), "p5"
        ),
        ResultParagraph("dem", "text", "Ny.", (1,), None),
    ]


# --- Line ranges --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chapter", "kind", "line_from", "line_to", "expected"),
    [
        ("arb", "replace", 1, 7, None),
        ("arb", "delete", 5, 5, None),
        ("dem", "insert", 11, 11, None),
        ("dem", "new_paragraph", 8, 8, None),
        (None, "replace", 6, 6, None),
        ("arb", "rewrite", 1, 2, ("unknown_kind", {"kind": "rewrite"})),
        ("arb", "replace", 5, 4, ("reversed", {})),
        ("arb", "insert", 4, 5, ("single_line_expected", {})),
        ("arb", "new_paragraph", 4, 5, ("single_line_expected", {})),
        ("arb", "replace", 300, 310, ("missing", {"first": 1, "last": 11})),
        ("dem", "replace", 10, 12, ("missing", {"first": 1, "last": 11})),
        ("arb", "insert", 0, 0, ("missing", {"first": 1, "last": 11})),
        ("arb", "replace", 6, 8, ("outside_chapter", {"first": 1, "last": 7})),
        ("dem", "insert", 3, 3, ("outside_chapter", {"first": 8, "last": 11})),
        ("nope", "delete", 3, 3, ("outside_chapter", {"first": None, "last": None})),
        (None, "delete", 7, 8, ("spans_chapters", {})),
    ],
)
def test_range_problem(chapter, kind, line_from, line_to, expected):
    problem = range_problem(DOCUMENT, chapter=chapter, kind=kind, line_from=line_from, line_to=line_to)
    if expected is None:
        assert problem is None
        return
    code, params = problem
    assert code == expected[0]
    assert expected[1].items() <= params.items()
    assert params["line_from"] == line_from
    assert params["line_to"] == line_to


def test_amendment_ranges_that_no_longer_exist():
    """The document was loaded again, shorter and with different chapters: old ranges are checked again."""
    reloaded = [
        DocumentParagraph(key, chapter, "text", first_line, tuple(lines))
        for key, chapter, (first_line, lines) in zip(
            ["q1", "q2"],
            ["arb", "dem"],
            number_lines(["KS skal være en sterk arbeidsgiverorganisasjon.", "Lokaldemokratiet er viktig."], width=30),
            strict=True,
        )
    ]
    assert [(p.first_line, p.last_line) for p in reloaded] == [(1, 2), (3, 3)]
    assert range_problem(reloaded, chapter="dem", kind="replace", line_from=10, line_to=11) == (
        "missing",
        {"line_from": 10, "line_to": 11, "first": 1, "last": 3},
    )
    assert range_problem(reloaded, chapter="dem", kind="replace", line_from=2, line_to=3) == (
        "outside_chapter",
        {"line_from": 2, "line_to": 3, "first": 3, "last": 3},
    )
    assert range_problem(reloaded, chapter="arb", kind="replace", line_from=1, line_to=2) is None


def test_apply_changes_rejects_a_bad_range_naming_the_amendment():
    with pytest.raises(AmendmentRangeError) as caught:
        apply_changes(DOCUMENT, [Change(1, "replace", 1, 1, "x"), Change(9, "delete", 10, 20, "")])
    assert (caught.value.code, caught.value.number) == ("missing", 9)
    assert caught.value.params["last"] == 11
    with pytest.raises(AmendmentRangeError) as caught:
        apply_changes(DOCUMENT, [Change(4, "replace", 7, 8, "x")])
    assert (caught.value.code, caught.value.number) == ("spans_chapters", 4)


# --- Competing amendments -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "with_paragraphs", "expected"),
    [
        (("replace", 2, 4), ("delete", 4, 5), True, True),
        (("replace", 2, 3), ("replace", 4, 5), True, False),
        (("insert", 5, 5), ("delete", 3, 5), True, True),  # inserting after a deleted line
        (("insert", 4, 4), ("replace", 4, 6), True, True),
        (("insert", 3, 3), ("replace", 4, 6), True, False),  # inserting before a replaced line
        (("insert", 3, 3), ("insert", 3, 3), True, True),
        (("insert", 3, 3), ("insert", 4, 4), True, False),
        (("new_paragraph", 8, 8), ("new_paragraph", 9, 9), True, True),  # both after p4
        (("new_paragraph", 8, 8), ("new_paragraph", 9, 9), False, False),
        (("new_paragraph", 8, 8), ("new_paragraph", 8, 8), False, True),
        (("new_paragraph", 6, 6), ("delete", 7, 7), True, True),  # after p3, whose last line is deleted
        (("new_paragraph", 6, 6), ("delete", 6, 6), True, False),
        (("new_paragraph", 5, 5), ("insert", 5, 5), True, False),
    ],
)
def test_overlaps(a, b, with_paragraphs, expected):
    first, second = Change(1, *a, "x"), Change(2, *b, "y")
    paragraphs = DOCUMENT if with_paragraphs else None
    assert overlaps(first, second, paragraphs) is expected
    assert overlaps(second, first, paragraphs) is expected


def test_two_amendments_to_the_same_lines():
    first = Change(3, "replace", 2, 3, "tydelig organisasjon for kommunene.")
    second = Change(8, "delete", 3, 3, "")
    assert overlaps(first, second)
    assert competing_groups([first, second, Change(5, "insert", 7, 7, "og regionalt")]) == [(3, 8)]
    with pytest.raises(AmendmentConflict) as caught:
        apply_changes(DOCUMENT, [second, Change(5, "insert", 7, 7, "og regionalt"), first])
    assert caught.value.numbers == (3, 8)
    assert caught.value.code == "conflict"


def test_competing_groups_are_connected_and_sorted():
    changes = [
        Change(6, "replace", 8, 9, "a"),
        Change(3, "delete", 2, 3, ""),
        Change(1, "replace", 1, 2, "b"),
        Change(2, "insert", 3, 3, "c"),
        Change(4, "insert", 5, 5, "d"),
        Change(5, "insert", 5, 5, "e"),
        Change(7, "new_paragraph", 10, 10, "f"),
    ]
    # 1 and 2 do not overlap, but both compete with 3.
    assert competing_groups(changes) == [(1, 2, 3), (4, 5)]
    with pytest.raises(AmendmentConflict) as caught:
        apply_changes(DOCUMENT, changes)
    assert caught.value.numbers == (1, 2, 3)
    assert caught.value.groups == [(1, 2, 3), (4, 5)]


# --- Properties ---------------------------------------------------------------------------------------------

WORDS = st.builds(
    lambda word, end: word + end,
    st.text(alphabet="abcdefghijklmnoprstuvæøåKS", min_size=1, max_size=26),
    st.sampled_from(["", "", "", ".", ","]),
)
TEXTS = st.lists(WORDS, min_size=1, max_size=20).map(" ".join)
KINDS = st.sampled_from(["text", "text", "list_item", "heading"])


@st.composite
def documents(draw) -> list[DocumentParagraph]:
    width = draw(st.integers(min_value=20, max_value=40))
    chapters = draw(st.lists(st.lists(st.tuples(KINDS, TEXTS), min_size=1, max_size=4), min_size=1, max_size=3))
    paragraphs: list[DocumentParagraph] = []
    next_line = 1
    for index, chapter in enumerate(chapters):
        numbered = number_lines([text for _, text in chapter], width=width, first_line=next_line)
        for (kind, _), (first_line, lines) in zip(chapter, numbered, strict=True):
            paragraphs.append(DocumentParagraph(len(paragraphs), f"kapittel {index}", kind, first_line, tuple(lines)))
        next_line = paragraphs[-1].last_line + 1
    return paragraphs


def chapter_lines(paragraphs: list[DocumentParagraph], chapter: object) -> tuple[int, int]:
    own = [p for p in paragraphs if p.chapter == chapter]
    return own[0].first_line, own[-1].last_line


@st.composite
def documents_and_changes(draw) -> tuple[list[DocumentParagraph], list[Change]]:
    """A document and changes to it that are each valid and that do not compete."""
    paragraphs = draw(documents())
    chapters = list(dict.fromkeys(p.chapter for p in paragraphs))
    changes: list[Change] = []
    for number in range(1, draw(st.integers(min_value=0, max_value=8)) + 1):
        first, last = chapter_lines(paragraphs, draw(st.sampled_from(chapters)))
        kind = draw(st.sampled_from(["replace", "insert", "delete", "new_paragraph"]))
        line_from = draw(st.integers(min_value=first, max_value=last))
        line_to = draw(st.integers(min_value=line_from, max_value=last)) if kind in ("replace", "delete") else line_from
        text = draw(st.one_of(TEXTS, st.builds(lambda a, b: f"{a}\n\n{b}", TEXTS, TEXTS)))
        change = Change(number, kind, line_from, line_to, "" if kind == "delete" else text)
        if not any(overlaps(change, other, paragraphs) for other in changes):
            changes.append(change)
    return paragraphs, changes


@given(paragraphs=documents())
def test_no_changes_is_the_identity(paragraphs):
    assert apply_changes(paragraphs, []) == [ResultParagraph(p.chapter, p.kind, p.text, (), p.key) for p in paragraphs]


@given(paragraphs=documents(), data=st.data())
def test_replacing_lines_by_their_own_text_changes_no_text(paragraphs, data):
    chapter = data.draw(st.sampled_from([p.chapter for p in paragraphs]))
    first, last = chapter_lines(paragraphs, chapter)
    line_from = data.draw(st.integers(min_value=first, max_value=last))
    line_to = data.draw(st.integers(min_value=line_from, max_value=last))
    lines = {number: (p, line) for p in paragraphs for number, line in enumerate(p.lines, start=p.first_line)}
    # Only at a space does a boundary fall between words (a word longer than a line is cut without one).
    starts_a_word = lines[line_from][0].first_line == line_from or lines[line_from - 1][1].endswith(" ")
    ends_a_word = lines[line_to][0].last_line == line_to or lines[line_to][1].endswith(" ")
    if not (starts_a_word and ends_a_word):
        return
    pieces: dict[object, str] = {}
    for number in range(line_from, line_to + 1):
        paragraph, line = lines[number]
        pieces[paragraph.key] = pieces.get(paragraph.key, "") + line
    same_text = "\n\n".join(pieces.values())

    result = apply_changes(paragraphs, [Change(1, "replace", line_from, line_to, same_text)])
    assert [r.text for r in result] == [p.text for p in paragraphs]
    assert [r.chapter for r in result] == [p.chapter for p in paragraphs]
    assert {r.original_key for r in result if r.changed_by == ()} == {
        p.key for p in paragraphs if p.last_line < line_from or p.first_line > line_to
    }


@given(paragraphs=documents(), data=st.data())
def test_deleting_every_line_of_a_paragraph_removes_exactly_that_paragraph(paragraphs, data):
    doomed = data.draw(st.sampled_from(paragraphs))
    result = apply_changes(paragraphs, [Change(1, "delete", doomed.first_line, doomed.last_line)])
    assert result == [ResultParagraph(p.chapter, p.kind, p.text, (), p.key) for p in paragraphs if p is not doomed]


@given(document_and_changes=documents_and_changes())
def test_changes_that_do_not_compete_apply_and_are_accounted_for(document_and_changes):
    paragraphs, changes = document_and_changes
    result = apply_changes(paragraphs, changes)  # never raises

    by_key = {p.key: p for p in paragraphs}
    numbers = {change.number for change in changes}
    listed = {number for r in result for number in r.changed_by}
    assert listed <= numbers
    for r in result:
        if r.changed_by:
            assert r.text == normalize_whitespace(r.text) != ""
        else:
            original = by_key[r.original_key]
            assert (r.chapter, r.kind, r.text) == (original.chapter, original.kind, original.text)

    deleted = {
        number
        for change in changes
        if change.kind == "delete"
        for number in range(change.line_from, change.line_to + 1)
    }
    for change in changes:
        touched = [
            p
            for p in paragraphs
            if p.first_line <= change.line_to and change.line_from <= p.last_line and change.kind != "new_paragraph"
        ]
        # A paragraph a change touched never comes out unchanged ...
        for paragraph in touched:
            assert not any(r.original_key == paragraph.key and not r.changed_by for r in result)
        # ... and the change is listed, unless deletes took away every line of the paragraphs it touched.
        all_deleted = all(
            number in deleted
            for paragraph in touched
            for number in range(paragraph.first_line, paragraph.last_line + 1)
        )
        if change.kind != "delete" or not all_deleted:
            assert change.number in listed


CHANGES = st.builds(
    Change,
    number=st.integers(min_value=1, max_value=5),
    kind=st.sampled_from(["replace", "insert", "delete", "new_paragraph"]),
    line_from=st.integers(min_value=1, max_value=12),
    line_to=st.integers(min_value=1, max_value=12),
    text=st.just("x"),
)


@given(a=CHANGES, b=CHANGES, with_paragraphs=st.booleans())
def test_overlaps_is_symmetric(a, b, with_paragraphs):
    paragraphs = DOCUMENT if with_paragraphs else None
    assert overlaps(a, b, paragraphs) == overlaps(b, a, paragraphs)


# --- Messages -----------------------------------------------------------------------------------------------


def test_range_problems_are_described_in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        assert (
            describe_range_problem("missing", {"line_from": 300, "line_to": 310, "first": 1, "last": 245})
            == "Lines 300–310 do not exist: the document has lines 1–245."
        )
        assert (
            describe_range_problem("missing", {"line_from": 300, "line_to": 300, "first": 1, "last": 245})
            == "Line 300 does not exist: the document has lines 1–245."
        )
        assert (
            describe_range_problem(
                "outside_chapter",
                {"line_from": 40, "line_to": 52, "first": 30, "last": 48, "chapter_title": "Arbeidsgiver"},
            )
            == "Lines 40–52 are not all in chapter “Arbeidsgiver”, which has lines 30–48."
        )
        assert describe_conflict([3, 8]).startswith("Amendments 3 and 8 change the same text")


def test_every_range_problem_has_its_own_sentence(settings):
    settings.LANGUAGE_CODE = "en"
    cases = [
        (None, "replace", 1, 20),
        (None, "rewrite", 1, 2),
        (None, "replace", 5, 4),
        (None, "insert", 4, 5),
        ("arb", "replace", 6, 8),
        ("nope", "replace", 6, 8),
        (None, "replace", 6, 8),
    ]
    with translation.override("en"):
        sentences = []
        for chapter, kind, line_from, line_to in cases:
            problem = range_problem(DOCUMENT, chapter=chapter, kind=kind, line_from=line_from, line_to=line_to)
            assert problem is not None
            sentences.append(describe_range_problem(*problem))
    assert len(set(sentences)) == len(cases)
    for sentence in sentences:
        assert "cannot be amended" not in sentence  # the fallback for unknown codes
        assert sentence.endswith(".")


# --- Finding lines by their words (forwarding a county meeting's amendments) ------------------------------------


def test_lines_with_text_finds_a_range_within_a_paragraph_and_across_paragraphs():
    from committees.selectors import lines_text

    assert lines_with_text(DOCUMENT, "tydelig arbeidsgiverorganisasjon for kommunesektoren.") == [(2, 3)]
    across = lines_text(DOCUMENT, 5, 6)
    assert across == "god rekruttering.\n\nKommunene skal ha handlingsrom"
    assert lines_with_text(DOCUMENT, across) == [(5, 6)]
    assert lines_with_text(DOCUMENT, "i det norske folkestyret.") == [(9, 9)]


def test_lines_with_text_finds_nothing_for_words_not_on_whole_lines_or_not_there():
    assert lines_with_text(DOCUMENT, "sterk og tydelig") == []  # starts in the middle of a line
    assert lines_with_text(DOCUMENT, "Lokaldemokratiet er grunnmuren i det norske") == []  # ends in the middle
    assert lines_with_text(DOCUMENT, "Ingenting her.") == []
    assert lines_with_text(DOCUMENT, "") == []


def test_lines_with_text_finds_every_place_of_repeated_words():
    repeated = [*DOCUMENT, DocumentParagraph("p6", "dem", "text", 12, ("i det norske folkestyret.",))]
    assert lines_with_text(repeated, "i det norske folkestyret.") == [(9, 9), (12, 12)]


@given(st.integers(min_value=1, max_value=11), st.integers(min_value=0, max_value=4))
def test_lines_with_text_finds_every_range_read_with_lines_text(first, length):
    from committees.selectors import lines_text

    last = min(11, first + length)
    assert (first, last) in lines_with_text(DOCUMENT, lines_text(DOCUMENT, first, last))
