from django.contrib import admin

from agenda.models import Congress


@admin.register(Congress)
class CongressAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "city", "first_day", "last_day", "registration_deadline", "status")
    list_filter = ("status", "year")
    search_fields = ("name", "city")
    date_hierarchy = "first_day"
