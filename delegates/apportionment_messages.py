"""Translated, user-facing sentences for the errors and ties of :mod:`delegates.apportionment`."""

from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext

from delegates.apportionment import ApportionmentError, Tie


def _names(names) -> str:
    return get_text_list([str(name) for name in names], gettext("and"))


def describe_apportionment_error(error: ApportionmentError) -> str:
    """One sentence, in the active language, saying what is wrong and what would be right."""
    params = error.params
    code = error.code
    if code == "no_units":
        return gettext("There are no units to share the seats among.")
    if code == "empty_name":
        return gettext("Unit number %(position)d has no name.") % {"position": params["position"]}
    if code == "duplicate_name":
        return gettext("%(name)s appears more than once; every name must be unique.") % {"name": params["name"]}
    if code == "missing_population":
        return gettext("The population of %(name)s is missing.") % {"name": params["name"]}
    if code == "negative_population":
        return gettext("The population of %(name)s (%(population)d) is negative.") % {
            "name": params["name"],
            "population": params["population"],
        }
    if code == "negative_seats":
        return gettext("The number of seats (%(seats)d) is negative.") % {"seats": params["seats"]}
    if code == "negative_minimum":
        return gettext("The minimum number of seats per unit (%(minimum)d) is negative.") % {
            "minimum": params["minimum"]
        }
    if code == "too_few_seats":
        return gettext("%(seats)d seats are too few: the minimums need %(needed)d (%(units)d units × %(minimum)d).") % {
            "seats": params["seats"],
            "needed": params["needed"],
            "units": params["units"],
            "minimum": params["minimum"],
        }
    if code == "no_population":
        return ngettext(
            "The total population is 0, so the %(seats)d seat beyond the minimums cannot be shared.",
            "The total population is 0, so the %(seats)d seats beyond the minimums cannot be shared.",
            params["seats"],
        ) % {"seats": params["seats"]}
    if code == "unknown_method":
        return gettext("Unknown method “%(method)s”; choose one of %(choices)s.") % {
            "method": params["method"],
            "choices": ", ".join(params["choices"]),
        }
    if code == "invalid_tie_winners":
        if not params.get("candidates"):
            return gettext("There is no tie to settle, so no winners of a drawing are needed.")
        return ngettext(
            "The drawing must have exactly %(seats)d winner among %(candidates)s; got %(winners)s.",
            "The drawing must have exactly %(seats)d different winners among %(candidates)s; got %(winners)s.",
            params["seats"],
        ) % {
            "seats": params["seats"],
            "candidates": _names(params["candidates"]),
            "winners": _names(params["winners"]) if params["winners"] else gettext("none"),
        }
    # A code this module does not know yet: the English sentence is still better than nothing.
    return str(error)


def describe_tie(tie: Tie) -> str:
    """One sentence naming the tied units and how many seats among them are undecided."""
    return ngettext(
        "%(seats)d seat is undecided: %(candidates)s are tied for it.",
        "%(seats)d seats are undecided: %(candidates)s are tied for them.",
        tie.seats,
    ) % {"candidates": _names(tie.candidates), "seats": tie.seats}
