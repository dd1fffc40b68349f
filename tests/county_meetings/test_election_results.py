"""Reading a county's election results from CSV (county_meetings.election_results) and its messages."""

import ast
import io
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.spreadsheets import CsvWriter
from county_meetings import election_results
from county_meetings.composition import party_balance, party_key
from county_meetings.election_results import (
    ResultError,
    ResultRow,
    missing_municipalities,
    parse_election_results,
    votes_by_party,
)
from county_meetings.election_results_messages import describe_result_error, describe_result_error_line

# Oslo and the first municipalities of Akershus (2024 numbers).
KNOWN = {"0301", "3201", "3203", "3205", "3207"}


def parse(text: str, encoding: str = "utf-8", known=KNOWN):
    return parse_election_results(text.encode(encoding), known_municipalities=known)


def codes(result) -> list[tuple[int, str]]:
    return [(error.line, error.code) for error in result.errors]


# --- Reading: hand-checked ----------------------------------------------------------------------------------------


def test_a_plain_comma_file():
    result = parse("kommunenummer,parti,stemmer\n0301,Arbeiderpartiet,1234\n0301,Høyre,987\n3201,Høyre,0\n")
    assert result.ok
    assert result.rows == (
        ResultRow(line=2, municipality_number="0301", party="Arbeiderpartiet", votes=1234),
        ResultRow(line=3, municipality_number="0301", party="Høyre", votes=987),
        ResultRow(line=4, municipality_number="3201", party="Høyre", votes=0),
    )


def test_semicolons_windows_1252_and_english_headers_in_any_order_and_case():
    text = "Votes;PARTY;Municipality Number;kommunenavn\r\n1 234;Høyre;0301;Oslo\r\n12\u00a0345;Rødt;3201;Bærum\r\n"
    result = parse(text, encoding="cp1252")
    assert codes(result) == []
    assert [(row.municipality_number, row.party, row.votes) for row in result.rows] == [
        ("0301", "Høyre", 1234),
        ("3201", "Rødt", 12345),
    ]


def test_utf8_with_byte_order_mark_and_underscored_header():
    text = "\ufeffMunicipality_number;Party;Votes\n0301;Senterpartiet;12 345 678\n"
    result = parse(text)
    assert result.ok
    assert result.rows[0].votes == 12_345_678


def test_party_names_are_trimmed_and_their_inner_spaces_collapsed():
    result = parse("kommunenummer,parti,stemmer\n0301,  Kristelig   Folkeparti ,5\n")
    assert result.rows[0].party == "Kristelig Folkeparti"


def test_blank_lines_and_a_quoted_line_break_keep_the_line_numbers_right():
    text = '\nkommunenummer;parti;stemmer\n\n0301;"Lokal\nliste";5\n\n0301;Høyre;x\n'
    result = parse(text)
    assert codes(result) == [(7, "votes_not_whole")]
    text = '\nkommunenummer;parti;stemmer\n\n0301;"Lokal\nliste";5\n\n0301;Høyre;7\n'
    result = parse(text)
    assert [row.line for row in result.rows] == [4, 7]


def test_an_extra_empty_cell_from_a_spreadsheet_is_fine():
    result = parse("kommunenummer;parti;stemmer;\n0301;Høyre;7;\n")
    assert result.ok


# --- Reading: errors with line numbers ----------------------------------------------------------------------------


def test_every_row_error_with_its_line():
    text = "\n".join(
        [
            "kommunenummer;parti;stemmer",
            "301;Høyre;10",  # 2: leading zero dropped
            "03010;Høyre;10",  # 3: five digits
            "9999;Høyre;10",  # 4: not in the county
            ";Høyre;10",  # 5: no number
            "0301;;10",  # 6: no party
            "0301;Rødt;",  # 7: no votes
            "0301;SV;-5",  # 8: negative
            "0301;KrF;12,5",  # 9: not whole
            "0301;V;12 34",  # 10: spaces not between thousands
            "0301;MDG;1.234",  # 11: a dot is not a thousands separator
            "0301;FrP;99999999999",  # 12: too large
            "0301;Høyre;10",  # 13: fine
            "0301;HØYRE ;11",  # 14: same party again in the same municipality
            "3201;Høyre;12",  # 15: fine, another municipality
        ]
    )
    result = parse(text)
    assert result.rows == ()
    assert codes(result) == [
        (2, "municipality_number_leading_zero"),
        (3, "municipality_number_format"),
        (4, "unknown_municipality"),
        (5, "municipality_number_missing"),
        (6, "party_missing"),
        (7, "votes_missing"),
        (8, "votes_negative"),
        (9, "votes_not_whole"),
        (10, "votes_not_whole"),
        (11, "votes_not_whole"),
        (12, "votes_too_large"),
        (14, "duplicate_row"),
    ]
    errors = {error.line: error for error in result.errors}
    assert errors[2].params == {"value": "301", "suggestion": "0301"}
    assert errors[4].params == {"number": "9999"}
    assert errors[14].params == {"number": "0301", "party": "HØYRE", "first_line": 13}


def test_one_row_can_have_several_errors():
    result = parse("kommunenummer,parti,stemmer\n12,,abc\n")
    assert codes(result) == [(2, "municipality_number_format"), (2, "party_missing"), (2, "votes_not_whole")]


def test_missing_and_duplicated_columns_are_errors_of_the_header():
    result = parse("\nkommune;parti;antall\n0301;Høyre;1\n")
    assert codes(result) == [(2, "missing_columns")]
    assert result.errors[0].params == {"columns": ["municipality_number", "votes"]}
    result = parse("kommunenummer;parti;party;stemmer\n0301;Høyre;Høyre;1\n")
    assert codes(result) == [(1, "duplicate_columns")]
    assert result.errors[0].params == {"columns": ["party"]}


def test_a_header_alone_has_no_rows():
    assert codes(parse("kommunenummer;parti;stemmer\n\n")) == [(1, "no_rows")]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", (0, "empty", {})),
        (b"  \n\n", (0, "empty", {})),
        (b"PK\x03\x04rest of a workbook", (0, "workbook", {})),
        (b"kommunenummer;parti\x00;stemmer\n", (0, "not_text", {})),
        (b'kommunenummer;parti;stemmer\n0301;"H"x;1\n', (2, "not_csv", {"reason": ...})),
        (b"kommunenummer;parti;stemmer\n0301;H;1;extra\n", (2, "too_many_cells", {"found": 4, "expected": 3})),
    ],
)
def test_unreadable_files(data, expected):
    result = parse_election_results(data, known_municipalities=KNOWN)
    (error,) = result.errors
    line, code, params = expected
    assert (error.line, error.code) == (line, code)
    if params.get("reason") is ...:
        assert error.params["reason"]
    else:
        assert error.params == params


def test_the_module_imports_only_core_spreadsheets_and_its_own_pure_module():
    tree = ast.parse(Path(election_results.__file__).read_text())
    ours = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and not node.module.startswith(("collections", "dataclasses", "__future__"))
        ):
            ours.add(node.module)
        elif isinstance(node, ast.Import):
            ours |= {alias.name for alias in node.names}
    assert ours == {"csv", "io", "re", "unicodedata", "core.spreadsheets", "county_meetings.composition"}


# --- Summing ------------------------------------------------------------------------------------------------------


def test_votes_by_party_over_a_set_of_municipalities():
    rows = parse(
        "kommunenummer;parti;stemmer\n0301;Høyre;100\n0301;Ap;50\n3201;HØYRE;10\n3201;Ap;5\n3203;Ap;1\n3203;Lokalt;2\n"
    ).rows
    assert votes_by_party(rows, {"3201", "3203"}) == {"HØYRE": 10, "Ap": 6, "Lokalt": 2}
    assert votes_by_party(rows) == {"Høyre": 110, "Ap": 56, "Lokalt": 2}
    assert votes_by_party(rows, set()) == {}
    assert missing_municipalities(rows, KNOWN) == ["3205", "3207"]
    # Straight into the composition check.
    balance = party_balance(["Høyre", "Ap"], votes_by_party(rows))
    assert balance.of("høyre").votes == 110


# --- Properties ---------------------------------------------------------------------------------------------------

NUMBERS = sorted({f"{n:04d}" for n in [101, 301, 1101, 1103, 3201, 3203, 4601, 5001, 5501, 5601]})
# Letters of both encodings, spaces, and the characters a CSV or a formula escape must survive.
PARTY_ALPHABET = "abcxyzABCXYZæøåÆØÅéü 0123456789-=+@'\",;"
parties = (
    st.text(alphabet=PARTY_ALPHABET, min_size=1, max_size=25).map(lambda text: " ".join(text.split())).filter(bool)
)
result_rows = st.lists(
    st.tuples(st.sampled_from(NUMBERS), parties, st.integers(min_value=0, max_value=10**9)),
    max_size=30,
    unique_by=lambda row: (row[0], party_key(row[1])),
)


def _thousands(votes: int) -> str:
    return f"{votes:,}".replace(",", " ")


@given(
    result_rows,
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    st.sampled_from([("kommunenummer", "parti", "stemmer"), ("Municipality number", "Party", "VOTES")]),
    st.booleans(),
    st.booleans(),
)
def test_reading_a_written_file_gives_the_rows_back(rows, delimiter, encoding, headers, spaced, crlf):
    buffer = io.StringIO(newline="")
    writer = CsvWriter(buffer, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(headers)
    for number, party, votes in rows:
        writer.writerow([number, party, _thousands(votes) if spaced else str(votes)])
    result = parse_election_results(buffer.getvalue().encode(encoding), known_municipalities=NUMBERS)
    if not rows:
        assert [error.code for error in result.errors] == ["no_rows"]
        return
    assert result.errors == ()
    assert [(row.municipality_number, row.party, row.votes) for row in result.rows] == rows
    assert [row.line for row in result.rows] == list(range(2, len(rows) + 2))


@given(result_rows, st.sets(st.sampled_from(NUMBERS)))
def test_votes_by_party_sums_every_vote_of_the_chosen_municipalities(rows, chosen):
    parsed = [ResultRow(line, number, party, votes) for line, (number, party, votes) in enumerate(rows, start=2)]
    totals = votes_by_party(parsed, chosen)
    assert sum(totals.values()) == sum(votes for number, _, votes in rows if number in chosen)
    assert len({party_key(name) for name in totals}) == len(totals)


# --- Messages -----------------------------------------------------------------------------------------------------

ALL_ERRORS = [
    ResultError(0, "empty"),
    ResultError(0, "workbook"),
    ResultError(0, "not_text"),
    ResultError(3, "not_csv", {"reason": "',' expected after '\"'"}),
    ResultError(3, "too_many_cells", {"found": 4, "expected": 3}),
    ResultError(1, "missing_columns", {"columns": ["municipality_number", "votes"]}),
    ResultError(1, "duplicate_columns", {"columns": ["party"]}),
    ResultError(1, "no_rows"),
    ResultError(2, "municipality_number_missing"),
    ResultError(2, "municipality_number_leading_zero", {"value": "301", "suggestion": "0301"}),
    ResultError(2, "municipality_number_format", {"value": "03010"}),
    ResultError(2, "unknown_municipality", {"number": "9999"}),
    ResultError(2, "party_missing"),
    ResultError(2, "votes_missing"),
    ResultError(2, "votes_negative", {"value": "-5"}),
    ResultError(2, "votes_not_whole", {"value": "12,5"}),
    ResultError(2, "votes_too_large", {"value": "99999999999"}),
    ResultError(14, "duplicate_row", {"number": "0301", "party": "HØYRE", "first_line": 13}),
]


def test_every_code_the_parser_documents_has_a_message():
    documented = parse_election_results.__doc__
    for error in ALL_ERRORS:
        assert f"``{error.code}``" in documented
    with translation.override("en"):
        unknown = describe_result_error(ResultError(0, "no_such_code"))
        for error in ALL_ERRORS:
            assert describe_result_error(error) != unknown, error.code


def test_messages_in_english():
    with translation.override("en"):
        assert describe_result_error_line(ALL_ERRORS[9]) == (
            "Line 2: Municipality number “301” must have exactly four digits; did a spreadsheet drop the leading "
            "zero of “0301”?"
        )
        assert describe_result_error_line(ALL_ERRORS[0]) == "The file is empty."
        assert describe_result_error(ALL_ERRORS[5]) == (
            "The header lacks the column(s) “kommunenummer” (or “municipality number”) and “stemmer” (or “votes”)."
        )


def test_messages_in_bokmal():
    with translation.override("nb"):
        for error in ALL_ERRORS:
            with translation.override("en"):
                english = describe_result_error_line(error)
            assert describe_result_error_line(error) != english, error.code
        assert describe_result_error_line(ALL_ERRORS[-1]) == (
            "Linje 14: Kommune 0301 har allerede et resultat for «HØYRE» på linje 13."
        )
        assert describe_result_error(ALL_ERRORS[6]) == (
            "Overskriftsraden har kolonnen(e) «parti» (eller «party») mer enn én gang."
        )


@given(result_rows.filter(bool), st.data())
def test_line_numbers_count_blank_lines(rows, data):
    """Blank lines anywhere (a spreadsheet's empty rows) are skipped, and every row keeps the line it is on."""
    buffer = io.StringIO(newline="")
    writer = CsvWriter(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["kommunenummer", "parti", "stemmer"])
    writer.writerows(rows)
    lines = buffer.getvalue().splitlines()
    blanks = data.draw(st.lists(st.integers(min_value=0, max_value=3), min_size=len(lines), max_size=len(lines)))
    text, expected = "", []
    for index, (line, blank) in enumerate(zip(lines, blanks, strict=True)):
        text += "\n" * blank
        if index:
            expected.append(text.count("\n") + 1)
        text += line + "\n"
    result = parse_election_results(text.encode(), known_municipalities=NUMBERS)
    assert result.errors == ()
    assert [row.line for row in result.rows] == expected
