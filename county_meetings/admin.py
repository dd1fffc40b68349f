from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agenda.models import Congress
from agenda.selectors import congresses_visible_to
from core.staff import ReadOnlyAdminMixin
from county_meetings.models import CountyMeeting, MeetingSeat
from delegates.admin_scoping import RegionScopedAdminMixin


class MeetingSeatInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = MeetingSeat
    fields = ("organisation", "population", "computed_seats", "seats_by_lot", "override_seats", "override_reason")
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("Representatives per member")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


@admin.register(CountyMeeting)
class CountyMeetingAdmin(RegionScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("congress", "county", "election_year", "seats", "computed_at")
    list_filter = ("election_year", "county")
    list_select_related = ("congress", "county")
    search_fields = ("congress__name", "county__name")
    readonly_fields = ("computed_at", "computed_by", "tie_resolution")
    inlines = [MeetingSeatInline]
    fieldsets = (
        (None, {"fields": ("congress", "county", "election_year")}),
        (
            _("Representatives"),
            {"fields": ("seats", "min_seats", "county_municipality_seats", "method")},
        ),
        (_("Computed"), {"fields": ("computed_at", "computed_by", "tie_resolution")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # A meeting stays with its congress and county once made.
        fixed = ("congress", "county") if obj is not None else ()
        return (*fixed, *self.readonly_fields)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "congress":
            # A congress of the kind "county meeting" that the user may see and that has no meeting yet.
            kwargs["queryset"] = congresses_visible_to(
                request.user, Congress.objects.filter(kind=Congress.Kind.COUNTY_MEETING, county_meeting__isnull=True)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
