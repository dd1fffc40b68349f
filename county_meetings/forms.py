"""The forms of the county meetings' staff pages: creating a meeting, the seats table (drawing of lots, override) and
the election results' upload. The rules are the services'; a form's refusal comes from them
(``core.forms.add_service_errors``) except for what a form alone can say."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.forms import TieSettlementForm
from delegates.models import County, DelegateKey
from delegates.selectors import counties_visible_to

#: The largest election results file accepted (the biggest county has some 60 municipalities and 20 parties).
MAX_RESULTS_FILE_BYTES = 2 * 1024 * 1024


#: The create form's first group of fields, the meeting itself; the rest are its representatives.
MEETING_FIELDS = ("county", "election_year", "first_day", "last_day", "registration_deadline", "city", "venue")


class CountyMeetingCreateForm(forms.Form):
    """A new county meeting and its congress (``services.county_meeting_create``), for a county the user may see."""

    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.none())
    election_year = forms.IntegerField(
        label=_("Election year"),
        min_value=2019,
        max_value=2100,
        help_text=_("The year of the municipal and county elections the meeting follows."),
    )
    first_day = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    registration_deadline = forms.DateField(
        label=_("Registration deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    city = forms.CharField(label=_("City"), max_length=100)
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    seats = forms.IntegerField(
        label=_("Representatives in all"),
        min_value=1,
        max_value=1000,
        help_text=_("The meeting's members from the municipalities and the county municipality together."),
    )
    min_seats = forms.IntegerField(
        label=_("Minimum per municipality"),
        min_value=1,
        max_value=20,
        initial=1,
        help_text=_("Every municipality gets at least this many representatives."),
    )
    county_municipality_seats = forms.IntegerField(
        label=_("Representatives of the county municipality"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_("A fixed number; the municipalities share the rest by population."),
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=DelegateKey.Method.choices, initial=DelegateKey.Method.SAINTE_LAGUE
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties_visible_to(user).order_by("number")
        if "election_year" not in self.initial:
            self.initial["election_year"] = datetime.date.today().year

    def meeting_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in MEETING_FIELDS]

    def seat_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in MEETING_FIELDS]


class MeetingSeatsTieForm(TieSettlementForm):
    """The drawing of lots for a tie among municipalities for the last representative(s)."""

    def wrong_count_message(self) -> str:
        return ngettext(
            "Choose exactly %(count)d municipality: the tie is for %(count)d representative.",
            "Choose exactly %(count)d municipalities: the tie is for %(count)d representatives.",
            self.seats,
        ) % {"count": self.seats}


class MeetingSeatOverrideForm(forms.Form):
    """Staff's own number of representatives for one member, with the reason (``services.meeting_seat_override``);
    an empty number goes back to the computed one."""

    override_seats = forms.IntegerField(
        label=_("Representatives"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("Leave empty to go back to the computed number."),
    )
    override_reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Why the computed number does not apply. Kept in the table's history."),
    )


class ElectionResultsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Election results (CSV)"),
        help_text=_(
            "One row per municipality and party, with the columns “kommunenummer”, “parti” and “stemmer” (or "
            "“municipality number”, “party” and “votes”), separated by semicolons or commas."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        initial="valgresultat.no (Valgdirektoratet)",
        help_text=_("Where the figures come from: shown with them, on this page and with the composition."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_RESULTS_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB; an election results file is far smaller."))
        return upload
