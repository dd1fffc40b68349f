from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agenda.forms import EventForm
from agenda.models import AgendaDocument, AgendaItem, Congress, Event
from agenda.selectors import congresses_visible_to
from agenda.staff import VisibleCongressFilter


class EventInline(admin.StackedInline):
    model = Event
    form = EventForm
    extra = 0
    show_change_link = True


@admin.register(Congress)
class CongressAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "year", "city", "first_day", "last_day", "registration_deadline", "status")
    list_filter = ("kind", "status", "year")
    search_fields = ("name", "city")
    date_hierarchy = "first_day"
    fieldsets = (
        (None, {"fields": ("name", "kind", "year", "city", "venue", "first_day", "last_day", "status")}),
        (_("Invitations and registration"), {"fields": ("registration_deadline",)}),
    )
    #: The apps above agenda keep their own settings for a congress in a one-to-one model and add its inline here
    #: from their admin module (``CongressAdmin.settings_inlines.append(...)``): agenda never imports them.
    settings_inlines: list[type[admin.options.InlineModelAdmin]] = []

    def get_inlines(self, request, obj):
        return [*self.settings_inlines, EventInline]

    def get_queryset(self, request):
        return congresses_visible_to(request.user, super().get_queryset(request))


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventForm
    list_display = ("title", "congress", "kind", "starts_at", "ends_at", "venue", "registration_required")
    list_filter = (("congress", VisibleCongressFilter), "kind")
    list_select_related = ("congress",)
    fields = EventForm.Meta.fields


class _DownloadLink:
    """What the file widget shows as the current file: its name, linking to the download view."""

    def __init__(self, name: str, url: str):
        self.name, self.url = name, url

    def __str__(self) -> str:
        return self.name


class AgendaDocumentFileInput(AdminFileWidget):
    """The current file links to the download view with its permission check (``agenda.staff_views``), never to
    ``MEDIA_URL``, which production does not serve."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        document = getattr(value, "instance", None)
        if self.is_initial(value) and document is not None and document.pk:
            url = reverse("agenda_staff:document_download", args=[document.pk])
            context["widget"]["value"] = _DownloadLink(value.name.rsplit("/", 1)[-1], url)
        return context


class AgendaDocumentInline(admin.TabularInline):
    model = AgendaDocument
    fields = ("order", "title", "file")
    extra = 1
    formfield_overrides = {models.FileField: {"widget": AgendaDocumentFileInput}}


class AgendaItemAdminForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = [
            "congress",
            "session",
            "number",
            "title",
            "title_en",
            "kind",
            "rapporteur",
            "planned_start",
            "planned_minutes",
            "decision",
        ]

    def clean(self):
        cleaned = super().clean()
        congress, session = cleaned.get("congress"), cleaned.get("session")
        if congress and session and session.congress_id != congress.pk:
            self.add_error("session", _("The session must belong to the same congress."))
        return cleaned


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    form = AgendaItemAdminForm
    list_display = ("number", "title", "kind", "session", "rapporteur", "planned_start")
    list_display_links = ("number", "title")
    list_filter = (("congress", VisibleCongressFilter), "kind")
    list_select_related = ("session",)
    search_fields = ("title", "title_en", "rapporteur")
    ordering = ("congress", "number")
    #: Inlines of the apps above agenda for an item's own settings (the plenary's speaking times), appended from
    #: their admin module like ``CongressAdmin.settings_inlines``.
    settings_inlines: list[type[admin.options.InlineModelAdmin]] = []
    fieldsets = (
        (None, {"fields": ("congress", "session", "number", "title", "title_en", "kind")}),
        (_("Rapporteur and planned time"), {"fields": ("rapporteur", "planned_start", "planned_minutes")}),
        (_("After the meeting"), {"fields": ("decision",)}),
    )

    def get_inlines(self, request, obj):
        return [AgendaDocumentInline, *self.settings_inlines]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session":
            kwargs["queryset"] = Event.objects.filter(kind=Event.Kind.LANDSTING_SESSION).select_related("congress")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "session":
            field.label_from_instance = lambda event: f"{event.congress} – {event.title}"
        return field
