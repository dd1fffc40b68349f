"""Translated, user-facing sentences for the errors, bases and ties of :mod:`elections.counting`."""

from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext

from elections.counting import (
    BASE_NON_BLANK_BALLOTS,
    BASE_NON_BLANK_VOTES,
    BASE_YES_PLUS_NO,
    CountingError,
    Tie,
)


def _names(names) -> str:
    return get_text_list([str(name) for name in names], gettext("and"))


def _choices(choices) -> str:
    return ", ".join(f"“{choice}”" for choice in choices)


def describe_counting_error(error: CountingError) -> str:
    """One sentence, in the active language, saying what is wrong and what would be right."""
    params = error.params
    code = error.code
    if code == "no_candidates":
        return gettext("The poll has no candidates.")
    if code == "duplicate_candidate":
        return gettext("%(candidate)s is listed more than once among the candidates.") % {
            "candidate": params["candidate"]
        }
    if code == "no_seats":
        return gettext("At least one seat must be filled; %(seats)d is too few.") % {"seats": params["seats"]}
    if code == "bad_max_choices":
        return ngettext(
            "A ballot may name from 1 to %(candidates)d candidate, not %(max_choices)d.",
            "A ballot may name from 1 to %(candidates)d candidates, not %(max_choices)d.",
            params["candidates"],
        ) % {"candidates": params["candidates"], "max_choices": params["max_choices"]}
    if code == "unknown_candidate":
        return gettext("Ballot %(position)d names “%(candidate)s”, who is not a candidate in this poll.") % {
            "position": params["position"],
            "candidate": params["candidate"],
        }
    if code == "duplicate_choice":
        return gettext("Ballot %(position)d names %(candidate)s more than once.") % {
            "position": params["position"],
            "candidate": params["candidate"],
        }
    if code == "too_many_choices":
        return ngettext(
            "Ballot %(position)d names %(choices)d candidates, but at most %(max_choices)d is allowed.",
            "Ballot %(position)d names %(choices)d candidates, but at most %(max_choices)d are allowed.",
            params["max_choices"],
        ) % {"position": params["position"], "choices": params["choices"], "max_choices": params["max_choices"]}
    if code == "unknown_answer":
        return gettext("Ballot %(position)d answers “%(answer)s”; the answer must be one of %(choices)s.") % {
            "position": params["position"],
            "answer": params["answer"],
            "choices": _choices(params["choices"]),
        }
    if code == "unknown_majority":
        return gettext("Unknown majority “%(majority)s”; choose one of %(choices)s.") % {
            "majority": params["majority"],
            "choices": _choices(params["choices"]),
        }
    if code == "invalid_lot_winners":
        if not params.get("candidates"):
            return gettext("There is no tie to settle, so no winners of a drawing of lots are needed.")
        return ngettext(
            "The drawing of lots must have exactly %(places)d winner among %(candidates)s; got %(winners)s.",
            "The drawing of lots must have exactly %(places)d different winners among %(candidates)s; got %(winners)s.",
            params["places"],
        ) % {
            "places": params["places"],
            "candidates": _names(params["candidates"]),
            "winners": _names(params["winners"]) if params["winners"] else gettext("none"),
        }
    if code == "no_runoff":
        return gettext("This poll does not call for a run-off.")
    if code == "unknown_gender":
        return gettext("Member %(position)d has the gender “%(gender)s”; it must be one of %(choices)s.") % {
            "position": params["position"],
            "gender": params["gender"],
            "choices": _choices(params["choices"]),
        }
    if code == "bad_minimum":
        return gettext("The minimum share per gender (%(minimum)s) must be above 0 and at most 1/2.") % {
            "minimum": params["minimum"]
        }
    # A code this module does not know yet: the English sentence is still better than nothing.
    return str(error)


def describe_base(code: str, base: int) -> str:
    """One sentence saying what the percentages of a result are computed from (``result.base_label``)."""
    if code == BASE_NON_BLANK_VOTES:
        return ngettext(
            "Percentages of the %(base)d vote for candidates (blank ballots not counted).",
            "Percentages of the %(base)d votes for candidates (blank ballots not counted).",
            base,
        ) % {"base": base}
    if code == BASE_NON_BLANK_BALLOTS:
        return ngettext(
            "Percentages of the %(base)d ballot that names candidates (blank ballots not counted; "
            "a ballot may name several candidates, so the percentages may add up to more than 100).",
            "Percentages of the %(base)d ballots that name candidates (blank ballots not counted; "
            "a ballot may name several candidates, so the percentages may add up to more than 100).",
            base,
        ) % {"base": base}
    if code == BASE_YES_PLUS_NO:
        return ngettext(
            "Percentages of the %(base)d yes or no vote (abstentions not counted).",
            "Percentages of the %(base)d yes and no votes (abstentions not counted).",
            base,
        ) % {"base": base}
    raise ValueError(f"unknown base {code!r}")


def describe_tie(tie: Tie) -> str:
    """One sentence naming the tied candidates and what is to be decided among them by lot."""
    params = {"candidates": _names(tie.candidates), "places": tie.places}
    if tie.runoff:
        return (
            ngettext(
                "%(candidates)s are tied; a drawing of lots decides %(places)d place in the run-off.",
                "%(candidates)s are tied; a drawing of lots decides %(places)d places in the run-off.",
                tie.places,
            )
            % params
        )
    return (
        ngettext(
            "%(candidates)s are tied; a drawing of lots decides %(places)d seat among them.",
            "%(candidates)s are tied; a drawing of lots decides %(places)d seats among them.",
            tie.places,
        )
        % params
    )
