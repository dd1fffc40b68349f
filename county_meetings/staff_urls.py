from django.urls import path

from county_meetings import (
    composition_views,
    election_views,
    report_views,
    results_views,
    seats_views,
    staff_views,
)

app_name = "county_meetings_staff"

urlpatterns: list = [
    # meetings, seats, election results and composition
    path("", staff_views.meetings, name="meetings"),
    path("ny/", staff_views.meeting_create, name="meeting_create"),
    path("<int:pk>/", staff_views.meeting, name="meeting"),
    path("<int:pk>/mandater/", seats_views.seats, name="seats"),
    path("<int:pk>/mandater/csv/", seats_views.seats_csv, name="seats_csv"),
    path("<int:pk>/mandater/<int:seat_pk>/overstyr/", seats_views.seat_override, name="seat_override"),
    path("<int:pk>/valgresultat/", results_views.results, name="results"),
    path("<int:pk>/sammensetning/", composition_views.composition, name="composition"),
    # reports
    path("<int:pk>/rapporter/", report_views.reports, name="reports"),
    path("<int:pk>/rapporter/send/", report_views.reports_send, name="reports_send"),
    path("<int:pk>/rapporter/paminn/", report_views.reports_remind, name="reports_remind"),
    path("<int:pk>/rapporter/ny/<int:organisation_pk>/", report_views.report_enter, name="report_enter"),
    path("rapport/<int:pk>/", report_views.report_detail, name="report"),
    path("rapport/<int:pk>/endre/", report_views.report_edit, name="report_edit"),
    path("rapport/<int:pk>/vedtak/", report_views.report_document, name="report_document"),
    # elections and transfer
    path("<int:pk>/valg/", election_views.elections, name="elections"),
    path("<int:pk>/overforing/", election_views.transfer, name="transfer"),
    # amendments forwarded
]
