"""The survey's form behind the personal link: one field per question asked of the participant, in their language.

The form only carries the answers: every rule (a value on the scale, a choice of the question's own, the length of a
text, a required answer) is checked by ``surveys.services`` when a draft is saved or the answers are submitted, and
its refusals come back on the fields named as the services key them (``question_field``).
"""

from __future__ import annotations

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from surveys.models import Question
from surveys.services import FREE_TEXT_LIMIT, SCALE, question_field


class _AnswerChoiceField(forms.ChoiceField):
    """One choice, as given: the service checks it."""

    def validate(self, value) -> None:
        pass


class _AnswerChoicesField(forms.MultipleChoiceField):
    """Several choices, as given: the service checks them."""

    def validate(self, value) -> None:
        pass


class SurveyForm(forms.Form):
    def __init__(self, *args, questions: list[Question], language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.language = language
        for question in questions:
            self.fields[question_field(question)] = self._field(question, language)

    @staticmethod
    def _field(question: Question, language: str) -> forms.Field:
        label = question.text_in(language)
        kind = question.kind
        if kind == Question.Kind.SCALE_1_5:
            return _AnswerChoiceField(
                label=label, required=False, choices=[(n, str(n)) for n in SCALE], widget=forms.RadioSelect
            )
        if kind == Question.Kind.FREE_TEXT:
            return forms.CharField(
                label=label,
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text=_("At most %(limit)s characters.")
                % {"limit": formats.number_format(FREE_TEXT_LIMIT, force_grouping=True)},
            )
        choices = [(choice.pk, choice.text_in(language)) for choice in question.choices.all()]
        if kind == Question.Kind.MULTIPLE_CHOICE:
            return _AnswerChoicesField(
                label=label,
                required=False,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Tick all that apply."),
            )
        return _AnswerChoiceField(label=label, required=False, choices=choices, widget=forms.RadioSelect)

    def answers(self) -> dict:
        """The answers as given, keyed as the services key them (an empty one is left for them to judge)."""
        return {name: self.cleaned_data.get(name) for name in self.fields}

    def rows(self) -> list[dict]:
        """Each question with its field and the title of its event (in the form's language), in order."""
        return [
            {
                "question": question,
                "field": self[question_field(question)],
                "event_title": question.event.title_in(self.language) if question.event_id else "",
            }
            for question in self.questions
        ]
