from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.forms import TieSettlementForm as BaseTieSettlementForm
from delegates.models import Participant, SeatAllocation


class TieSettlementForm(BaseTieSettlementForm):
    """Staff record the drawing of lots that settles a tie for the last seat(s) of the allocation per county."""

    def wrong_count_message(self) -> str:
        return ngettext(
            "Choose exactly %(count)d county: the tie is for %(count)d seat.",
            "Choose exactly %(count)d counties: the tie is for %(count)d seats.",
            self.seats,
        ) % {"count": self.seats}


class SeatOverrideForm(forms.ModelForm):
    class Meta:
        model = SeatAllocation
        fields = ["override_seats", "override_reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("override_seats") is not None and not (cleaned.get("override_reason") or "").strip():
            self.add_error("override_reason", _("Give a reason for overriding the computed number."))
        return cleaned


class WithdrawForm(forms.Form):
    replacement = forms.ModelChoiceField(
        label=_("Deputy who takes the seat"),
        queryset=None,
        required=False,
        empty_label=_("The next deputy in rank"),
        help_text=_("Choose another deputy only for a good reason, and write it below."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, deputies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = Participant.objects.filter(pk__in=[d.pk for d in deputies]).order_by(
            "deputy_rank"
        )
        self.fields["replacement"].label_from_instance = lambda p: f"{p.deputy_rank}. {p.full_name}"


class ParticipantAdminForm(forms.ModelForm):
    """The admin's participant form. Regional office staff must give a county (one of their own)."""

    county_required = False

    class Meta:
        model = Participant
        fields = [
            "congress",
            "first_name",
            "last_name",
            "email",
            "mobile",
            "gender",
            "party",
            "position",
            "language",
            "county",
            "organisation",
            "role",
            "deputy_rank",
            "elected_by",
            "elected_on",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:  # left out: as it was (a new participant: the default, bokmål)
            self.fields["language"].required = False

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or self.instance.language

    def save(self, commit=True):
        if self.instance.pk is not None and "congress" in self.changed_data:
            self.instance.number = None  # moved to another congress: the next free number there
        return super().save(commit)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        if self.county_required and not cleaned.get("county") and not self.has_error("county"):
            organisation = cleaned.get("organisation")
            if organisation is None or organisation.county_id is None:
                self.add_error("county", _("Choose the county the participant represents."))
        return cleaned
