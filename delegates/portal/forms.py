"""Forms of the registration portal. They only parse; the rules live in ``delegates.services``."""

import datetime
from collections.abc import Sequence

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from agenda.models import Event
from delegates.models import Registration
from delegates.phone import validate_phone_number

DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL_FORMAT)


class DateTimeLocalField(forms.DateTimeField):
    """An optional date and time from the browser's date-and-time picker."""

    widget = DateTimeLocalInput

    def __init__(self, **kwargs):
        super().__init__(required=False, input_formats=[DATETIME_LOCAL_FORMAT], **kwargs)


def _day(value: datetime.date) -> str:
    """Weekday and date in the active language, e.g. "tirsdag 13. februar" / "Tuesday February 13"."""
    return f"{formats.date_format(value, 'l')} {formats.date_format(value, 'MONTH_DAY_FORMAT')}"


def _time(value: datetime.datetime) -> str:
    return formats.time_format(value, "TIME_FORMAT")


def event_label(event: Event, language: str) -> str:
    """The event's title in ``language`` with its day, local times and venue."""
    starts, ends = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    if starts.date() == ends.date():
        when = f"{_day(starts)}, {_time(starts)}\u2013{_time(ends)}"
    else:
        when = f"{_day(starts)} {_time(starts)} \u2013 {_day(ends)} {_time(ends)}"
    where = f", {event.venue}" if event.venue else ""
    return f"{event.title_in(language)} ({when}{where})"


def night_label(night: datetime.date) -> str:
    morning = night + datetime.timedelta(days=1)
    return _("Night from %(evening)s to %(morning)s") % {"evening": _day(night), "morning": _day(morning)}


class RegistrationForm(forms.Form):
    """The registration answers. Choices come from the participant's invitation and the congress week."""

    mobile = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        help_text=_("Used only for practical messages during the congress."),
        validators=[validate_phone_number],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    events = forms.TypedMultipleChoiceField(
        label=_("Events you will attend"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("You can only register for events you are invited to.")},
    )
    hotel_nights = forms.TypedMultipleChoiceField(
        label=_("Hotel nights"),
        coerce=datetime.date.fromisoformat,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the nights you need a hotel room. Leave all unticked if you do not need one."),
        error_messages={"invalid_choice": _("Choose hotel nights during the congress week.")},
    )
    diet = forms.ChoiceField(
        label=_("Diet"), choices=Registration.Diet.choices, required=False, widget=forms.RadioSelect
    )
    allergies = forms.CharField(
        label=_("Allergies and food intolerances"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accessibility = forms.CharField(
        label=_("Accessibility needs"),
        max_length=1000,
        required=False,
        help_text=_("For example wheelchair access, hearing loop, sign language interpreter or an escort."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    arrival = DateTimeLocalField(label=_("Arrival"), help_text=_("Date and time you expect to arrive."))
    departure = DateTimeLocalField(label=_("Departure"), help_text=_("Date and time you expect to leave."))
    listed = forms.BooleanField(
        label=_("My name, organisation and county may appear in the participant list."),
        required=False,
    )
    # Asked only when no event is ticked (the page shows it then): a registration for nothing is never made by
    # mistake, e.g. by someone who overlooked the events.
    no_events_confirmed = forms.BooleanField(
        label=_("Yes, register me without attending any event."),
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "id_events_error"}),
    )

    def __init__(
        self,
        *args,
        events: Sequence[Event],
        nights: Sequence[datetime.date],
        language: str,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = [(event.pk, event_label(event, language)) for event in events]
        self.fields["hotel_nights"].choices = [(night.isoformat(), night_label(night)) for night in nights]
        self.needs_confirmation = False

    def clean(self):
        cleaned = super().clean()
        arrival, departure = cleaned.get("arrival"), cleaned.get("departure")
        if arrival and departure and departure < arrival:
            self.add_error("departure", _("Departure cannot be before arrival."))
        # A registration for no event, although there are events to choose, needs the confirmation (unless
        # another error about the events, a choice not offered, is said first).
        self.needs_confirmation = (
            bool(self.fields["events"].choices)
            and "events" in cleaned
            and not cleaned["events"]
            and not cleaned.get("no_events_confirmed")
        )
        if self.needs_confirmation:
            self.add_error(
                "events",
                _(
                    "You have not ticked any event. Tick the events you will attend, or confirm below that you"
                    " register without attending any event."
                ),
            )
        return cleaned

    @staticmethod
    def initial_from(
        *, participant, registration: Registration | None, event_ids: Sequence[int], events: Sequence[Event] = ()
    ) -> dict:
        """The saved answers; before the first registration, the congress itself (its Landsting sessions) ticked."""
        initial = {"mobile": participant.mobile, "diet": Registration.Diet.NONE}
        if registration is None:
            return {**initial, "events": [event.pk for event in events if event.kind == Event.Kind.LANDSTING_SESSION]}
        return {
            **initial,
            "events": list(event_ids),
            "hotel_nights": list(registration.hotel_nights),
            "diet": registration.diet,
            "allergies": registration.allergies,
            "accessibility": registration.accessibility,
            "arrival": timezone.localtime(registration.arrival) if registration.arrival else None,
            "departure": timezone.localtime(registration.departure) if registration.departure else None,
            "listed": registration.listed,
        }


class LostLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("The address the invitation was sent to."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
