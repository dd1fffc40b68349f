"""Forms of the delegates' committee pages. They only parse; the rules live in ``committees.services``."""

from collections.abc import Iterable, Sequence

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from committees.models import Amendment, Chapter
from delegates.models import Participant

TEXT_MAX_LENGTH = 5000
JUSTIFICATION_MAX_LENGTH = 5000
STATEMENT_TITLE_MAX_LENGTH = 300
STATEMENT_TEXT_MAX_LENGTH = 10000


class LineNumberInput(forms.TextInput):
    """A short text box that brings up the number keyboard on phones (no spinner, no scroll-wheel changes)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 6, **(attrs or {})})


def supporter_label(participant: Participant) -> str:
    if participant.organisation_id:
        return f"{participant.full_name} ({participant.organisation.name})"
    return participant.full_name


def supporter_choices(participants: Iterable[Participant]) -> list[tuple[str, list[tuple[int, str]]]]:
    """The participants grouped by county, in the order given, for a select with <optgroup>s."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for participant in participants:
        group = participant.county.name if participant.county_id else str(_("Without a county"))
        groups.setdefault(group, []).append((participant.pk, supporter_label(participant)))
    return list(groups.items())


class SupportersMixin:
    """Checkboxes of the delegates who may support a proposal, grouped by county; cleans to Participant objects.

    The page shows them with ``committees/portal/_supporters_picker.html``: a list that works without JavaScript,
    which ``static/js/supporters-picker.js`` narrows by a search field and whose chosen names it counts aloud.
    """

    def _set_supporters(self, participants: Sequence[Participant]) -> None:
        self._supporters = {participant.pk: participant for participant in participants}
        self.fields["supporters"].choices = supporter_choices(participants)

    def supporter_groups(self) -> list[dict]:
        """The choices for the page: per county its options, each with its id (``id_supporters_<n>``, numbered
        through the whole list, as the error summary links to the first) and whether it is ticked."""
        chosen = {str(value) for value in (self["supporters"].value() or [])}
        groups, index = [], 0
        for group, options in self.fields["supporters"].choices:
            items = []
            for value, label in options:
                items.append(
                    {"id": f"id_supporters_{index}", "value": value, "label": label, "checked": str(value) in chosen}
                )
                index += 1
            groups.append({"name": group, "options": items})
        return groups

    def chosen_supporters(self) -> list[str]:
        """The labels of the ticked delegates, for the page's "chosen" line."""
        return [
            option["label"] for group in self.supporter_groups() for option in group["options"] if option["checked"]
        ]

    def clean_supporters(self) -> list[Participant]:
        return [self._supporters[pk] for pk in self.cleaned_data["supporters"] if pk in self._supporters]


def supporters_field(*, help_text) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=_("Supporters"),
        coerce=int,
        required=False,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose supporters among the delegates in the list.")},
    )


class AmendmentForm(SupportersMixin, forms.Form):
    chapter = forms.TypedChoiceField(
        label=_("Chapter"),
        coerce=int,
        empty_value=None,
        error_messages={
            "required": _("Choose the chapter the lines are in."),
            "invalid_choice": _("Choose a chapter of the document."),
        },
    )
    kind = forms.ChoiceField(
        label=_("What do you propose?"),
        choices=Amendment.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what you propose: to replace, insert or delete text, or a new paragraph.")
        },
    )
    line_from = forms.IntegerField(
        label=_("From line"),
        min_value=1,
        widget=LineNumberInput,
        help_text=_(
            "The first line you want to change. For an insertion or a new paragraph: the line after which it goes."
        ),
        error_messages={"required": _("Give the number of the first line."), "invalid": _("Enter a line number.")},
    )
    line_to = forms.IntegerField(
        label=_("To line"),
        min_value=1,
        required=False,
        widget=LineNumberInput,
        help_text=_("The last line you want to replace or delete. Leave it empty for one line."),
        error_messages={"invalid": _("Enter a line number.")},
    )
    text = forms.CharField(
        label=_("Proposed text"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The new wording of the lines, or the text to insert. Not needed when you propose to delete lines."
        ),
    )
    justification = forms.CharField(
        label=_("Justification"),
        max_length=JUSTIFICATION_MAX_LENGTH,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why you propose the change. The committee and the other delegates read it."),
    )
    supporters = supporters_field(
        help_text=_("Delegates who support your amendment. Tick their names; search to find a name quickly.")
    )
    # The document version the line numbers were read from; the page writes the current one.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, chapters: Sequence[Chapter], supporters: Sequence[Participant], **kwargs):
        super().__init__(*args, **kwargs)
        self._chapters = {chapter.number: chapter for chapter in chapters}
        self.fields["chapter"].choices = [("", _("Choose a chapter")), *[(c.number, str(c)) for c in chapters]]
        self._set_supporters(supporters)

    def clean_chapter(self) -> Chapter | None:
        number = self.cleaned_data["chapter"]
        return self._chapters.get(number) if number is not None else None


class StatementForm(SupportersMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=STATEMENT_TITLE_MAX_LENGTH,
        error_messages={"required": _("Give the statement a title.")},
    )
    text = forms.CharField(
        label=_("Text of the statement"),
        max_length=STATEMENT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Write the text of the statement.")},
    )
    justification = forms.CharField(
        label=_("Justification"),
        max_length=JUSTIFICATION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the Landsting should adopt the statement."),
    )
    supporters = supporters_field(help_text="")

    def __init__(self, *args, supporters: Sequence[Participant], needed: int, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_supporters(supporters)
        self.fields["supporters"].help_text = ngettext(
            "A statement needs at least %(needed)d delegate who supports it besides you. Tick their names; search"
            " to find a name quickly.",
            "A statement needs at least %(needed)d delegates who support it besides you. Tick their names; search"
            " to find a name quickly.",
            needed,
        ) % {"needed": needed}
