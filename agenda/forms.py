from django import forms
from django.utils.translation import gettext_lazy as _

from agenda.models import Event
from agenda.roles import Role


class EventForm(forms.ModelForm):
    invited_roles = forms.MultipleChoiceField(
        label=_("invited roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Event
        fields = [
            "congress",
            "title",
            "title_en",
            "kind",
            "starts_at",
            "ends_at",
            "venue",
            "room",
            "invited_roles",
            "registration_required",
            "capacity",
        ]
