from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agenda.forms import EventForm
from agenda.models import Congress, Event


class EventInline(admin.StackedInline):
    model = Event
    form = EventForm
    extra = 0
    show_change_link = True


@admin.register(Congress)
class CongressAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "city", "first_day", "last_day", "registration_deadline", "status")
    list_filter = ("status", "year")
    search_fields = ("name", "city")
    date_hierarchy = "first_day"
    inlines = [EventInline]
    fieldsets = (
        (None, {"fields": ("name", "year", "city", "venue", "first_day", "last_day", "status")}),
        (
            _("Invitations and registration"),
            {
                "fields": (
                    "registration_deadline",
                    "link_validity_days",
                    "reminder_days_before_deadline",
                    "travel_information",
                    "travel_information_en",
                )
            },
        ),
        (_("Personal data"), {"fields": ("health_data_retention_days",)}),
    )


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventForm
    list_display = ("title", "congress", "kind", "starts_at", "ends_at", "venue", "registration_required")
    list_filter = ("congress", "kind")
    list_select_related = ("congress",)
    fields = EventForm.Meta.fields
