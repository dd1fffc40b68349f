"""The delegate's ballot: parse what was ticked into the arguments of ``services.ballot_cast``.

The form checks the shape of a ballot (one answer; candidate numbers; no more names than allowed; a blank ballot
only when asked for). Whether the candidates stand in this poll is checked by ``services.ballot_check``: on the vote
POST (the hot path) the form is built without the candidates, so that no query is spent on them twice. The
candidates are given to the form when it is shown.
"""

import re
from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from elections.models import Candidate, Poll
from elections.results import candidate_detail
from elections.services import RECEIPT_LENGTH

BLANK = "blank"
MAX_CHOICES_READ = 1000
YES_NO_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("abstain", _("Abstain"))]
ANSWER_LABELS = dict(YES_NO_CHOICES)


def _is_number(value) -> bool:
    """ASCII digits only ("²" and the digits of other scripts are not numbers here)."""
    text = str(value)
    return text.isascii() and text.isdigit()


class CandidateChoiceField(forms.ChoiceField):
    """A candidate (or ``blank``). Before the candidates are given, any candidate number passes."""

    open = True

    def valid_value(self, value) -> bool:
        if self.open:
            return value == BLANK or _is_number(value)
        return super().valid_value(value)


class CandidateMultipleChoiceField(forms.MultipleChoiceField):
    open = True

    def valid_value(self, value) -> bool:
        if self.open:
            return _is_number(value)
        return super().valid_value(value)


class BallotForm(forms.Form):
    """Yes / no / abstain; one candidate (radio, with an explicit blank ballot); or up to N candidates (checkboxes,
    where nothing ticked is a blank ballot only with "I want to vote blank" ticked)."""

    def __init__(self, *args, poll: Poll, candidates: Sequence[Candidate] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        if poll.kind == Poll.Kind.YES_NO:
            self.layout = "yes_no"
            self.fields["answer"] = forms.ChoiceField(
                label=_("Your answer"),
                choices=YES_NO_CHOICES,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose yes, no or abstain."),
                    "invalid_choice": _("Choose yes, no or abstain."),
                },
            )
        elif poll.max_choices == 1:
            self.layout = "one"
            self.fields["choice"] = CandidateChoiceField(
                label=_("Your vote"),
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose a candidate, or choose “Blank ballot”."),
                    "invalid_choice": _("Choose among the candidates of this vote."),
                },
            )
        else:
            self.layout = "several"
            self.fields["choices"] = CandidateMultipleChoiceField(
                label=_("Your vote"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": _("Choose among the candidates of this vote.")},
            )
            self.fields["blank"] = forms.BooleanField(label=_("I want to vote blank"), required=False)
        if candidates is not None:
            self.set_candidates(candidates)

    def set_candidates(self, candidates: Sequence[Candidate]) -> None:
        """Give the form the poll's candidates: they are shown, and only they pass."""
        self.candidates = list(candidates)
        choices = [(str(candidate.pk), candidate.full_name) for candidate in self.candidates]
        if self.layout == "one":
            self.fields["choice"].open = False
            self.fields["choice"].choices = [*choices, (BLANK, _("Blank ballot"))]
        elif self.layout == "several":
            self.fields["choices"].open = False
            self.fields["choices"].choices = choices

    def clean(self):
        data = super().clean()
        if self.layout != "several" or "choices" not in data:
            return data
        chosen, blank = data["choices"], data.get("blank")
        limit = self.poll.max_choices
        if len(chosen) > limit:
            self.add_error(
                "choices",
                ngettext(
                    "You can choose up to %(limit)d candidate; you ticked %(count)d.",
                    "You can choose up to %(limit)d candidates; you ticked %(count)d.",
                    limit,
                )
                % {"limit": limit, "count": len(chosen)},
            )
        elif chosen and blank:
            self.add_error(
                "blank",
                _("You ticked candidates and “I want to vote blank”. Untick the candidates or the blank ballot."),
            )
        elif not chosen and not blank:
            self.add_error(
                "choices",
                _("Tick the candidates you vote for. To vote blank, tick “I want to vote blank”."),
            )
        return data

    def ballot(self) -> dict:
        """The keyword arguments for ``services.ballot_cast``."""
        data = self.cleaned_data
        if self.layout == "yes_no":
            return {"answer": data["answer"]}
        if self.layout == "one":
            return {"choices": [] if data["choice"] == BLANK else [int(data["choice"])]}
        return {"choices": [int(value) for value in data["choices"]]}

    # --- For the template -------------------------------------------------------------------------------------

    def options(self) -> list[dict]:
        """The choices as the ballot shows them: value, name, detail (party, organisation, county), ticked."""
        if self.layout == "yes_no":
            selected = {self["answer"].value()}
            return [
                {"value": value, "label": label, "detail": "", "checked": value in selected}
                for value, label in YES_NO_CHOICES
            ]
        if self.layout == "one":
            selected = {str(self["choice"].value())}
        else:
            selected = {str(value) for value in self["choices"].value() or []}
        return [
            {
                "value": str(candidate.pk),
                "label": candidate.full_name,
                "detail": candidate_detail(candidate),
                "checked": str(candidate.pk) in selected,
            }
            for candidate in getattr(self, "candidates", [])
        ]

    @property
    def main_field(self) -> forms.BoundField:
        return self[{"yes_no": "answer", "one": "choice", "several": "choices"}[self.layout]]

    def first_option_id(self) -> str:
        """The id of the first box of the ballot, where the error summary leads."""
        options = self.options()
        if options:
            return f"ballot-{options[0]['value']}"
        return "ballot-blank"

    def blank_checked(self) -> bool:
        if self.layout == "one":
            return self["choice"].value() == BLANK
        if self.layout == "several":
            return bool(self["blank"].value())
        return False


def ballot_form_from_post(data) -> BallotForm | None:
    """The ballot form for a POST that carries the poll's kind and names per ballot, as the ballot page sends them
    (``poll_kind``, ``poll_max_choices``); None when it does not. The service checks the ballot against the poll
    itself: these only say how the boxes are read."""
    kind = data.get("poll_kind", "")
    try:
        max_choices = int(data.get("poll_max_choices", ""))
    except ValueError:
        return None
    if kind not in Poll.Kind.values or not 1 <= max_choices <= MAX_CHOICES_READ:
        return None
    return BallotForm(data, poll=Poll(kind=kind, max_choices=max_choices))


# --- Receipts --------------------------------------------------------------------------------------------------

RECEIPT_SPLIT = 4


def receipt_display(receipt: str) -> str:
    """ "7KQFM3XH9P" → "7KQF-M3XH9P": two groups, easier to read aloud and to copy by hand."""
    return f"{receipt[:RECEIPT_SPLIT]}-{receipt[RECEIPT_SPLIT:]}"


def receipt_normalise(text: str) -> str:
    """A receipt as typed (with or without the dash or spaces, any case) → as stored; "" when it cannot be one."""
    cleaned = re.sub(r"[\s\-–—]", "", text or "").upper()
    return cleaned if len(cleaned) == RECEIPT_LENGTH and cleaned.isalnum() and cleaned.isascii() else ""


class ReceiptLookupForm(forms.Form):
    kvittering = forms.CharField(
        label=_("Your receipt"),
        max_length=40,
        help_text=_("10 letters and digits, with or without the dash."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "input--code",
            }
        ),
    )
