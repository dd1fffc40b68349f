from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agenda.models import Congress
from agenda.selectors import congresses_visible_to
from core.staff import ReadOnlyAdminMixin
from county_meetings.models import CountyMeeting, MeetingSeat, MemberReport, ReportedPerson
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
    readonly_fields = ("computed_at", "computed_by", "tie_resolution", "seats_published_at", "seats_published_by")
    inlines = [MeetingSeatInline]
    # The change form's object tools link to the meeting's own pages (templates/admin/county_meetings/countymeeting/).
    fieldsets = (
        (None, {"fields": ("congress", "county", "election_year", "report_deadline")}),
        (
            _("Representatives"),
            {"fields": ("seats", "min_seats", "county_municipality_seats", "method")},
        ),
        (_("Composition and elections"), {"fields": ("party_deviation_points", "county_board_seats")}),
        (
            _("Computed"),
            {"fields": ("computed_at", "computed_by", "tie_resolution", "seats_published_at", "seats_published_by")},
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        # A meeting stays with its congress and county once made; a published table's figures stay as published.
        fixed = ("congress", "county") if obj is not None else ()
        if obj is not None and obj.seats_published_at is not None:
            fixed = (*fixed, "seats", "min_seats", "county_municipality_seats", "method")
        return (*fixed, *self.readonly_fields)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "congress":
            # A congress of the kind "county meeting" that the user may see and that has no meeting yet.
            kwargs["queryset"] = congresses_visible_to(
                request.user, Congress.objects.filter(kind=Congress.Kind.COUNTY_MEETING, county_meeting__isnull=True)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- The members' reports (issue 16, part 3): written by the municipalities and on the report pages only ---------


class ReportedPersonInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportedPerson
    fields = ("role", "rank", "first_name", "last_name", "email", "mobile", "gender", "party", "participant")
    readonly_fields = fields
    extra = 0


@admin.register(MemberReport)
class MemberReportAdmin(RegionScopedAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: a report is written through the member's link or the regional office's report pages
    (``report_views``), where every rule is checked; here it is listed, filtered and shown with its history. The
    decision PDF is downloaded from the report's page, never from a media URL."""

    county_path = "meeting__county"
    list_display = ("organisation", "meeting", "status", "submitted_at", "entered_by", "reminders_sent", "report_page")
    list_filter = ("status", ("meeting", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("organisation", "meeting__congress", "entered_by")
    search_fields = ("organisation__name", "organisation__number")
    inlines = [ReportedPersonInline]
    exclude = ("decision_document",)

    @admin.display(description=_("report page"))
    def report_page(self, report: MemberReport) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("county_meetings_staff:report", args=[report.pk]), _("Open the report")
        )
