"""Translated, user-facing sentences for the errors of :mod:`county_meetings.election_results`."""

from django.utils.text import get_text_list
from django.utils.translation import gettext

from county_meetings.election_results import COLUMNS, ResultError


def _columns(columns) -> str:
    """The columns by their bokmål and English header names: “kommunenummer” (“municipality number”) and …"""
    names = [
        gettext("“%(name)s” (or “%(other)s”)") % {"name": COLUMNS[column][0], "other": COLUMNS[column][1]}
        for column in columns
    ]
    return get_text_list(names, gettext("and"))


def describe_result_error(error: ResultError) -> str:
    """What is wrong, in the active language, without the line number (see :func:`describe_result_error_line`)."""
    params = error.params
    code = error.code
    if code == "empty":
        return gettext("The file is empty.")
    if code == "workbook":
        return gettext(
            "The file is a spreadsheet workbook, not CSV; save it as CSV (semicolon or comma separated) and try again."
        )
    if code == "not_text":
        return gettext("The file is not text in UTF-8 or Windows-1252; save it as CSV and try again.")
    if code == "not_csv":
        return gettext("The file is not valid CSV (%(reason)s).") % {"reason": params.get("reason", "")}
    if code == "too_many_cells":
        return gettext("The row has %(found)d cells, but the header has only %(expected)d.") % {
            "found": params["found"],
            "expected": params["expected"],
        }
    if code == "missing_columns":
        return gettext("The header lacks the column(s) %(columns)s.") % {"columns": _columns(params["columns"])}
    if code == "duplicate_columns":
        return gettext("The header has the column(s) %(columns)s more than once.") % {
            "columns": _columns(params["columns"])
        }
    if code == "no_rows":
        return gettext("The file has no election results, only a header.")
    if code == "municipality_number_missing":
        return gettext("The municipality number is missing.")
    if code == "municipality_number_leading_zero":
        return gettext(
            "Municipality number “%(value)s” must have exactly four digits; did a spreadsheet drop the leading "
            "zero of “%(suggestion)s”?"
        ) % {"value": params["value"], "suggestion": params["suggestion"]}
    if code == "municipality_number_format":
        return gettext("Municipality number “%(value)s” is not valid; it must have exactly four digits.") % {
            "value": params["value"]
        }
    if code == "unknown_municipality":
        return gettext("Municipality %(number)s is not one of the county's municipalities.") % {
            "number": params["number"]
        }
    if code == "party_missing":
        return gettext("The party is missing.")
    if code == "votes_missing":
        return gettext("The number of votes is missing.")
    if code == "votes_negative":
        return gettext("The number of votes “%(value)s” is negative.") % {"value": params["value"]}
    if code == "votes_not_whole":
        return gettext(
            "The number of votes “%(value)s” is not a whole number (digits only, spaces allowed between thousands, "
            "as in “1 234”)."
        ) % {"value": params["value"]}
    if code == "votes_too_large":
        return gettext("The number of votes “%(value)s” is too large.") % {"value": params["value"]}
    if code == "duplicate_row":
        return gettext("Municipality %(number)s already has a result for “%(party)s” on line %(first_line)d.") % {
            "number": params["number"],
            "party": params["party"],
            "first_line": params["first_line"],
        }
    return gettext("The file cannot be read.")


def describe_result_error_line(error: ResultError) -> str:
    """The error with its line, “Line 4: …”; an error of the whole file (line 0) without one."""
    message = describe_result_error(error)
    if not error.line:
        return message
    return gettext("Line %(line)d: %(message)s") % {"line": error.line, "message": message}
