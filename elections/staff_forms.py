"""Forms of the officials' desk. They only parse and check what a person typed; the services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.decisions import Subject
from elections.models import Candidate, Poll

NOT_NEGATIVE = _("A count cannot be negative.")


def _count_field(label, *, required: bool = True, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100_000,
        required=required,
        help_text=help_text,
        error_messages={
            "min_value": NOT_NEGATIVE,
            "required": _("Enter a number (0 if none)."),
            "invalid": _("Enter a whole number."),
        },
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric", "class": "count"}),
    )


class ModeField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Ballots"),
            choices=Poll.Mode.choices,
            initial=Poll.Mode.ELECTRONIC,
            widget=forms.RadioSelect,
            **kwargs,
        )


class ElectionPollForm(forms.Form):
    """Create the vote of an election: electronic or paper ballots."""

    mode = ModeField()


class DecisionPollForm(forms.Form):
    """A yes / no / abstain vote, optionally on an amendment or statement the committees registered."""

    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Empty: the name of the subject chosen below."),
    )
    majority = forms.ChoiceField(
        label=_("Majority needed"),
        choices=Poll.Majority.choices,
        initial=Poll.Majority.SIMPLE,
        widget=forms.RadioSelect,
    )
    subject = forms.ChoiceField(
        label=_("Decides on"),
        required=False,
        help_text=_("The amendment or statement whose outcome the published result records."),
        error_messages={
            "invalid_choice": _("This subject has been decided or already has a vote; choose another."),
        },
    )
    mode = ModeField()

    def __init__(self, *args, subjects: list[Subject], **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = {subject.key: subject for subject in subjects}
        groups: dict[str, list[tuple[str, str]]] = {}
        for subject in subjects:
            groups.setdefault(str(subject.group), []).append((subject.key, subject.label))
        self.fields["subject"].choices = [("", _("Nothing registered (a free-standing vote)")), *groups.items()]

    def clean(self):
        data = super().clean()
        subject = self.subjects.get(data.get("subject") or "")
        data["subject_key"] = subject.key if subject else ""
        data["subject_label"] = str(subject.label) if subject else ""
        if not (data.get("title") or "").strip():
            if subject is None:
                self.add_error("title", _("Give the vote a title, or choose what it decides on."))
            else:
                data["title"] = str(subject.label)
        return data


class TieForm(forms.Form):
    """The drawing of lots that settles a tie: who won, who drew, who witnessed."""

    winners = forms.TypedMultipleChoiceField(
        label=_("Drawn"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick the candidates the lots fell on.")},
    )
    drawn_by = forms.CharField(
        label=_("Drawn by"), max_length=200, help_text=_("Who drew the lots, e.g. the chair of the congress.")
    )
    witnesses = forms.CharField(label=_("Witnesses"), max_length=300, required=False)

    def __init__(self, *args, tied: list[Candidate], places: int, runoff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = places
        self.fields["winners"].choices = [(candidate.pk, candidate.full_name) for candidate in tied]
        if runoff:
            self.fields["winners"].help_text = ngettext(
                "Tick the %(places)d candidate who goes to the run-off.",
                "Tick the %(places)d candidates who go to the run-off.",
                places,
            ) % {"places": places}
        else:
            self.fields["winners"].help_text = ngettext(
                "Tick the %(places)d candidate who takes the seat.",
                "Tick the %(places)d candidates who take the seats.",
                places,
            ) % {"places": places}

    def clean_winners(self):
        winners = self.cleaned_data["winners"]
        if len(winners) != self.places:
            raise forms.ValidationError(
                ngettext(
                    "Tick exactly %(places)d candidate; you ticked %(ticked)d.",
                    "Tick exactly %(places)d candidates; you ticked %(ticked)d.",
                    self.places,
                ),
                params={"places": self.places, "ticked": len(winners)},
            )
        return winners


YES_NO_LABELS = {"yes": _("Yes"), "no": _("No"), "abstain": _("Abstain")}


class PaperCountForm(forms.Form):
    """The counts of the paper ballots: per candidate (or yes / no / abstain), blank and rejected ballots, and for
    several seats the number of ballots that name candidates."""

    def __init__(self, *args, poll: Poll, candidates: list[Candidate], previous: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        previous = previous or {}
        counts = previous.get("counts") or {}
        self.count_fields: list[tuple[str, str | int]] = []
        if poll.kind == Poll.Kind.YES_NO:
            for answer, label in YES_NO_LABELS.items():
                name = f"answer_{answer}"
                self.fields[name] = _count_field(label)
                self.fields[name].initial = counts.get(answer)
                self.count_fields.append((name, answer))
        else:
            for candidate in candidates:
                name = f"candidate_{candidate.pk}"
                self.fields[name] = _count_field(candidate.full_name)
                self.fields[name].initial = counts.get(str(candidate.pk))
                self.count_fields.append((name, candidate.pk))
        if poll.kind != Poll.Kind.YES_NO:
            self.fields["blank"] = _count_field(_("Blank ballots"), help_text=_("Ballots that name nobody."))
            self.fields["blank"].initial = previous.get("blank")
        if poll.kind == Poll.Kind.MULTI_SEAT:
            self.fields["valid_ballots"] = _count_field(
                _("Ballots that name candidates"),
                help_text=ngettext(
                    "Each of them names at most %(max)d candidate.",
                    "Each of them names at most %(max)d candidates.",
                    poll.max_choices,
                )
                % {"max": poll.max_choices},
            )
            self.fields["valid_ballots"].initial = previous.get("valid")
        self.fields["rejected"] = _count_field(
            _("Rejected ballots"), help_text=_("Ballots that could not be counted; they are reported, not counted.")
        )
        self.fields["rejected"].initial = previous.get("rejected")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        counts = {key: data[name] for name, key in self.count_fields}
        if self.poll.kind == Poll.Kind.MULTI_SEAT:
            valid = data["valid_ballots"]
            if any(count > valid for count in counts.values()):
                self.add_error(
                    "valid_ballots",
                    _("A candidate cannot have more votes than there are ballots that name candidates (%(valid)d).")
                    % {"valid": valid},
                )
            elif sum(counts.values()) < valid:
                self.add_error(
                    "valid_ballots",
                    _(
                        "%(valid)d ballots name candidates, but the candidates have only %(votes)d votes between "
                        "them: each of these ballots names at least one."
                    )
                    % {"valid": valid, "votes": sum(counts.values())},
                )
            elif sum(counts.values()) > valid * self.poll.max_choices:
                self.add_error(
                    "valid_ballots",
                    _(
                        "%(valid)d ballots of at most %(max)d names each hold at most %(most)d votes, but the "
                        "candidates have %(votes)d between them."
                    )
                    % {
                        "valid": valid,
                        "max": self.poll.max_choices,
                        "most": valid * self.poll.max_choices,
                        "votes": sum(counts.values()),
                    },
                )
        data["counts"] = counts
        return data

    @property
    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "counts": data["counts"],
            # a yes/no vote has no blank ballot apart from abstaining
            "blank": data.get("blank", 0),
            "rejected": data["rejected"],
            "valid_ballots": data.get("valid_ballots"),
        }
