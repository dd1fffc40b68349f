from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form: a message about one of the form's fields next to that field, every other
    message at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class TieSettlementForm(forms.Form):
    """Staff record the drawing of lots that settles a tie for the last seat(s) of an apportionment: the Landsting's
    seats per county (``delegates``) and a county meeting's representatives per member (``county_meetings``). Its
    template part is ``admin/includes/tie_settlement_form.html``. A subclass says in its own words (counties,
    municipalities) that the number of winners chosen is wrong, with ``wrong_count_message``."""

    winners = forms.MultipleChoiceField(label=_("Won the drawing of lots"), widget=forms.CheckboxSelectMultiple)
    record = forms.CharField(
        label=_("How the lots were drawn"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who drew, who witnessed, when and how. Kept with the allocation."),
    )

    def __init__(self, *args, candidates: dict[str, str], seats: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = seats
        self.fields["winners"].choices = list(candidates.items())

    def wrong_count_message(self) -> str:
        raise NotImplementedError

    def clean_winners(self) -> list[str]:
        winners = self.cleaned_data["winners"]
        if len(winners) != self.seats:
            raise forms.ValidationError(self.wrong_count_message())
        return winners
