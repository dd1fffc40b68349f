"""The secretariat builds a congress's survey here: the survey with its questions, and each choice question's choices.

Who answered, what was answered and the drafts have no admin pages: the answers are read only as results.
"""

from django import forms
from django.contrib import admin
from django.db import models

from agenda.models import Event
from surveys.models import Choice, Question, Survey

#: The questions' texts in a table row: two short lines each, so the row fits the page.
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 24})}}


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("position", "kind", "text", "text_en", "required", "event")
    extra = 0
    show_change_link = True
    formfield_overrides = COMPACT_TEXT

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        if db_field.name == "event" and object_id:
            # The events of the survey's own congress (a question of another congress's event is refused anyway).
            kwargs["queryset"] = Event.objects.filter(congress__survey__pk=object_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("title", "congress", "opens_at", "closes_on")
    list_select_related = ("congress",)
    search_fields = ("title", "congress__name")
    fields = (
        "congress",
        ("title", "title_en"),
        ("intro", "intro_en"),
        ("opens_at", "closes_on"),
        "min_answers_for_free_text",
    )
    inlines = [QuestionInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = ("position", "text", "text_en")
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "survey", "kind", "required", "event")
    list_filter = ("survey", "kind")
    list_select_related = ("survey", "event")
    fields = ("survey", "position", "kind", ("text", "text_en"), "required", "event")
    formfield_overrides = COMPACT_TEXT
    inlines = [ChoiceInline]

    def get_inlines(self, request, obj):
        # Choices belong to the one-choice and several-choices questions only.
        return [ChoiceInline] if obj is None or obj.has_choices else []

    def get_readonly_fields(self, request, obj=None):
        return ("survey",) if obj is not None else ()
