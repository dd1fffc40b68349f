"""The secretariat builds a congress's survey here: the survey with its questions, and each choice question's choices.

Who answered, what was answered and the drafts have no admin pages: the answers are read only as results.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agenda.models import Event
from surveys.mail import INVITATION, REMINDER, survey_invitations_send, survey_mail_counts
from surveys.models import Choice, Question, Survey
from surveys.selectors import survey_is_open

#: The questions' texts in a table row: two short lines each, so the row fits the page.
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 24})}}


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("position", "kind", "text", "text_en", "required", "event")
    extra = 0
    show_change_link = True
    # Slightly narrower texts than on the question's page: the row fits a 1024 px screen.
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 21})}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        if db_field.name == "event" and object_id:
            # The events of the survey's own congress (a question of another congress's event is refused anyway).
            kwargs["queryset"] = Event.objects.filter(congress__survey__pk=object_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "event" and formfield is not None:
            # Without the event's add, change, delete and view links, the row fits a 1024 px screen.
            widget = formfield.widget
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return formfield


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("title", "congress", "opens_at", "closes_on", "answered", "results_list_link")
    list_select_related = ("congress",)
    search_fields = ("title", "congress__name")
    fields = (
        "congress",
        ("title", "title_en"),
        ("intro", "intro_en"),
        ("opens_at", "closes_on"),
        ("min_answers_for_free_text", "reminder_days_before"),
        "mails_sent",
        "results_link",
    )
    readonly_fields = ("mails_sent", "results_link")
    inlines = [QuestionInline]
    actions = ["send_invitations_now"]

    def get_queryset(self, request):
        # Sets of answers rather than respondents: an evaluation imported from an earlier tool has no respondents.
        return super().get_queryset(request).annotate(answer_set_count=Count("answer_sets"))

    @admin.display(description=_("answered"), ordering="answer_set_count")
    def answered(self, obj):
        return obj.answer_set_count

    @admin.display(description=_("results"))
    def results_list_link(self, obj):
        url = reverse("surveys_staff:results") + f"?congress={obj.congress_id}"
        return format_html('<a href="{}">{}</a>', url, _("See the results"))

    @admin.display(description=_("results"))
    def results_link(self, obj):
        # The results page (surveys/results_views.py), for those who may read the results.
        if obj is None or obj.pk is None:
            return "–"
        url = reverse("surveys_staff:results") + f"?congress={obj.congress_id}"
        return format_html('<a href="{}">{}</a>', url, _("Response rates, charts and free texts"))

    @admin.display(description=_("invitations and reminders"))
    def mails_sent(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        counts = survey_mail_counts(obj)
        line = _("%(sent)d sent, %(waiting)d waiting to be sent, %(failed)d failed")
        return format_html(
            "{}: {}<br>{}: {}",
            _("Invitations"),
            line % vars(counts[INVITATION]),
            _("Reminders"),
            line % vars(counts[REMINDER]),
        )

    @admin.action(
        permissions=["change"],
        description=_("Send the invitations now (to those not yet invited, while the survey is open)"),
    )
    def send_invitations_now(self, request, queryset):
        # The hourly run's service and rules: only an open survey, each participant once.
        for survey in queryset.select_related("congress"):
            if not survey_is_open(survey):
                self.message_user(
                    request,
                    _("%(survey)s is not open: no invitations were sent.") % {"survey": survey},
                    messages.WARNING,
                )
                continue
            sent = survey_invitations_send(survey=survey)
            self.message_user(
                request,
                ngettext("%(survey)s: %(count)d invitation queued.", "%(survey)s: %(count)d invitations queued.", sent)
                % {"survey": survey, "count": sent},
            )


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = ("position", "text", "text_en")
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "survey", "kind", "required", "event")
    list_filter = ("survey", "kind")
    list_select_related = ("survey", "event")
    fields = ("survey", "position", "kind", ("text", "text_en"), "required", "event", "compare_with")
    formfield_overrides = COMPACT_TEXT
    inlines = [ChoiceInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "compare_with":
            # The questions of other congresses' surveys, named with their congress (the model refuses a later one).
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            questions = Question.objects.select_related("survey__congress").order_by(
                "-survey__congress__first_day", "position", "pk"
            )
            if object_id:
                questions = questions.exclude(survey__questions__pk=object_id)
            kwargs["queryset"] = questions
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lambda question: (
                f"{question.survey.congress.name}: {Truncator(question.text).chars(60)}"
            )
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_inlines(self, request, obj):
        # Choices belong to the one-choice and several-choices questions only.
        return [ChoiceInline] if obj is None or obj.has_choices else []

    def get_readonly_fields(self, request, obj=None):
        return ("survey",) if obj is not None else ()
