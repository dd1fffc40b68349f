"""The form of a member's report: the municipality's, behind its link, and the regional office's when it enters or
corrects a report on the member's behalf (``report_views``). One flat form: each person's fields are named
``<role>_<place>_<field>`` (``reports.person_field``), the same keys a refusal of ``reports.report_save`` uses, so
every message lands next to its field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from county_meetings.models import MemberReport, ReportedPerson
from county_meetings.reports import PERSON_FIELDS, PersonInput, ReportInput, person_field, report_document_check
from delegates.models import Participant

REPRESENTATIVE = ReportedPerson.Role.REPRESENTATIVE
DEPUTY = ReportedPerson.Role.DEPUTY
#: The most deputy rows the form shows (a member rarely has more than a handful).
MAX_DEPUTIES = 30


def _person_fields() -> dict[str, forms.Field]:
    return {
        "first_name": forms.CharField(
            label=gettext_lazy("First name"),
            required=False,
            max_length=100,
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
        ),
        "last_name": forms.CharField(
            label=gettext_lazy("Last name"),
            required=False,
            max_length=100,
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
        ),
        "email": forms.CharField(
            label=gettext_lazy("E-mail"),
            required=False,
            max_length=254,
            widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
        ),
        "mobile": forms.CharField(
            label=gettext_lazy("Mobile"),
            required=False,
            max_length=20,
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
        ),
        "gender": forms.ChoiceField(
            label=gettext_lazy("Gender"),
            required=False,
            choices=[("", gettext_lazy("Choose…")), *Participant.Gender.choices],
        ),
        "party": forms.CharField(label=gettext_lazy("Party"), required=False, max_length=60),
    }


class ReportForm(forms.Form):
    """``seats``: the member's number of representatives; ``deputies``: how many deputy rows to show."""

    decision_date = forms.DateField(
        label=gettext_lazy("Date of the council's decision"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter the date as day.month.year, such as 24.10.2023.")},
    )
    decision_document = forms.FileField(
        label=gettext_lazy("The council's decision (PDF, at most 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    remove_document = forms.BooleanField(label=gettext_lazy("Remove the uploaded decision"), required=False)
    contact_name = forms.CharField(label=gettext_lazy("Your name"), required=False, max_length=200)
    contact_email = forms.EmailField(
        label=gettext_lazy("Your e-mail"),
        required=False,
        error_messages={"invalid": gettext_lazy("Enter a valid e-mail address, such as name@kommune.no.")},
    )
    deputy_count = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=MAX_DEPUTIES)

    #: Input widths for the regional office's table of people (``compact``), in characters.
    COMPACT_SIZES = {"first_name": 10, "last_name": 11, "email": 18, "mobile": 10, "party": 5}

    def __init__(self, *args, seats: int, deputies: int, compact: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = seats
        self.deputies = max(0, min(deputies, MAX_DEPUTIES))
        self.fields["decision_date"].input_formats = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"]
        self.fields["deputy_count"].initial = self.deputies
        if self.is_bound:  # the rows shown now, one more after "Add a deputy"
            self.data = self.data.copy()
            self.data["deputy_count"] = str(self.deputies)
        for role, count in ((REPRESENTATIVE, seats), (DEPUTY, self.deputies)):
            for index in range(1, count + 1):
                for name, field in _person_fields().items():
                    if compact and name in self.COMPACT_SIZES:
                        field.widget.attrs["size"] = self.COMPACT_SIZES[name]
                    self.fields[person_field(role, index, name)] = field

    @classmethod
    def initial_for(cls, report: MemberReport | None) -> dict:
        if report is None:
            return {}
        initial = {
            "decision_date": report.decision_date,
            "contact_name": report.contact_name,
            "contact_email": report.contact_email,
        }
        for person in report.people.all():
            for name in PERSON_FIELDS:
                initial[person_field(person.role, person.rank, name)] = getattr(person, name)
        return initial

    def clean_decision_document(self):
        document = self.cleaned_data.get("decision_document")
        if document:
            report_document_check(document)
        return document

    def _person(self, role: str, index: int) -> PersonInput:
        return PersonInput(
            **{name: self.cleaned_data.get(person_field(role, index, name)) or "" for name in PERSON_FIELDS}
        )

    def report_input(self) -> ReportInput:
        return ReportInput(
            representatives=[self._person(REPRESENTATIVE, i) for i in range(1, self.seats + 1)],
            deputies=[self._person(DEPUTY, i) for i in range(1, self.deputies + 1)],
            decision_date=self.cleaned_data.get("decision_date"),
            contact_name=self.cleaned_data.get("contact_name") or "",
            contact_email=self.cleaned_data.get("contact_email") or "",
        )

    def people(self) -> list[dict]:
        """The people's rows for the template: a legend and the bound fields of each place."""
        rows = []
        for role, count in ((REPRESENTATIVE, self.seats), (DEPUTY, self.deputies)):
            for index in range(1, count + 1):
                rows.append(
                    {
                        "role": role,
                        "index": index,
                        "legend": _place_label(role, index),
                        "fields": [self[person_field(role, index, name)] for name in PERSON_FIELDS],
                    }
                )
        return rows

    def representatives(self) -> list[dict]:
        return [row for row in self.people() if row["role"] == REPRESENTATIVE]

    def deputy_rows(self) -> list[dict]:
        return [row for row in self.people() if row["role"] == DEPUTY]

    def error_items(self) -> list[tuple[str, str]]:
        """The errors for the summary at the top: (the field's id or "", the message with its person named)."""
        items: list[tuple[str, str]] = [("", str(error)) for error in self.non_field_errors()]
        for name, field in self.fields.items():
            if name not in self.errors or isinstance(field.widget, forms.HiddenInput):
                continue
            bound = self[name]
            parts = name.split("_", 2)
            if len(parts) == 3 and parts[0] in (REPRESENTATIVE, DEPUTY) and parts[1].isdigit():
                label = f"{_place_label(parts[0], int(parts[1]))}, {str(field.label).lower()}"
            else:
                label = str(field.label)
            for error in bound.errors:
                items.append((bound.auto_id, f"{label}: {error}"))
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.HiddenInput) and name in self.errors:
                items.extend(("", str(error)) for error in self.errors[name])
        return items

    def add_service_error(self, error: ValidationError) -> None:
        """A refusal of ``reports.report_save``: each message next to its field, the rest at the top."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


def _place_label(role: str, index: int) -> str:
    if role == REPRESENTATIVE:
        return _("Representative %(number)d") % {"number": index}
    return _("Deputy %(number)d") % {"number": index}


def deputies_wanted(report: MemberReport | None, data=None) -> int:
    """How many deputy rows to show: as many as the form had (one more after "Add a deputy"), else as many as the
    report holds, at least one."""
    if data is not None:
        try:
            count = int(data.get("deputy_count", ""))
        except ValueError:
            count = 1
        if data.get("action") == "add_deputy":
            count += 1
        return max(0, min(count, MAX_DEPUTIES))
    held = report.people.filter(role=DEPUTY).count() if report is not None and report.pk else 0
    return max(held, 1)
