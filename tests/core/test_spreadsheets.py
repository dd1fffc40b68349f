"""The one rule for text in spreadsheet files (core.spreadsheets): formulas escaped without losing a character, and
CSV files read as people save them."""

import codecs
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.spreadsheets import (
    CsvWriter,
    UnreadableFile,
    csv_bytes,
    csv_cell,
    csv_escape,
    csv_unescape,
    read_csv,
    xlsx_bytes,
)

ATTACKS = ["=SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"]
ATTACKS += ["'=already quoted", "''+47"]


@pytest.mark.parametrize("text", ATTACKS)
def test_a_formula_is_escaped_with_an_apostrophe_and_nothing_is_lost(text):
    escaped = csv_escape(text)

    assert escaped == "'" + text
    assert csv_unescape(escaped) == text


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("\t=1+1", "'\t'=1+1"),  # a tab starts a cell itself, and so does what follows it
        ("\r=1+1", "'\r'=1+1"),
        ("Ola;@SUM(1)", "Ola;'@SUM(1)"),  # a comma-separated file opened where the separator is ";"
        ("-2+3;@SUM(1),=HYPERLINK(x)", "'-2+3;'@SUM(1),'=HYPERLINK(x)"),
        ("nøtter\n=1+1", "nøtter\n'=1+1"),
        ("a;'@b", "a;''@b"),
    ],
)
def test_a_formula_after_a_separator_inside_the_cell_is_escaped_too(text, escaped):
    assert csv_escape(text) == escaped
    assert csv_unescape(escaped) == text


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_no_piece_of_an_exported_line_starts_a_formula_whatever_the_separator(separator):
    text = _written_by_csv_writer([["Ola", "-2+3;@SUM(1)", "x,=1+1", "y\t+cmd", "z"]])

    for line in text.splitlines():
        for piece in line.split(separator):
            assert not piece.strip('"').startswith(("=", "+", "-", "@")), (separator, piece)


def _written_by_csv_writer(rows) -> str:
    buffer = io.StringIO()
    CsvWriter(buffer).writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize("text", ["Kari", "", "'s-Hertogenbosch", "41234567", "Tromsø", "a=b", "'", "x-y"])
def test_plain_text_is_left_alone(text):
    assert csv_escape(text) == text
    assert csv_unescape(text) == text


def test_a_phone_number_stays_readable():
    assert csv_escape("+47 912 34 567") == "'+47 912 34 567"
    assert csv_escape("-") == "'-"


@given(st.text())
def test_unescape_gives_back_every_text(text):
    assert csv_unescape(csv_escape(text)) == text
    assert not csv_escape(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_cells_keep_numbers_and_escape_texts():
    assert csv_cell(-5) == -5
    assert csv_cell(None) == ""
    assert csv_cell("-5") == "'-5"

    buffer = io.StringIO()
    CsvWriter(buffer, lineterminator="\n").writerow(["=1+1", 3, "ok"])
    assert buffer.getvalue() == "'=1+1,3,ok\n"


def test_csv_export_reads_back_unchanged():
    rows = [[text, str(number)] for number, text in enumerate(ATTACKS)] + [["Åse Ørn", "+47 912 34 567"]]

    data = csv_bytes(["navn", "mobil"], rows)

    assert data.startswith(codecs.BOM_UTF8)
    assert b"\n=" not in data and b",+" not in data
    assert read_csv(data) == (["navn", "mobil"], rows)


def test_xlsx_writes_texts_as_strings_never_as_formulas():
    texts = [text for text in ATTACKS if "\r" not in text]  # XML itself turns a carriage return into a line feed
    data = xlsx_bytes("Deltakere", ["navn"], [[text] for text in texts])

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == texts
    assert {cell.data_type for cell in cells} == {"s"}


def test_windows_1252_with_semicolons_is_read():
    data = "fornavn;etternavn;mobil\r\nÅse;Ørnes;+47 912 34 567\r\n\r\n".encode("cp1252")

    assert read_csv(data) == (["fornavn", "etternavn", "mobil"], [["Åse", "Ørnes", "+47 912 34 567"]])


def test_short_rows_are_filled_and_extra_cells_refused():
    assert read_csv(b"a,b,c\n1,2\n") == (["a", "b", "c"], [["1", "2", ""]])

    with pytest.raises(UnreadableFile) as error:
        read_csv(b"a,b\n1,2\n1,2,3\n")
    assert error.value.code == "too_many_cells"
    assert error.value.params == {"line": 3, "found": 3, "expected": 2}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"PK\x03\x04rest of a zip", "workbook"),
        ("navn\nKari\x00".encode("utf-16-le"), "not_text"),
        (b'a,b\n"unclosed,2\n', "not_csv"),
    ],
)
def test_unreadable_files_say_why(data, code):
    with pytest.raises(UnreadableFile) as error:
        read_csv(data)
    assert error.value.code == code
