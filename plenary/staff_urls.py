"""The plenary's staff pages, under ``admin/plenary/``."""

from django.urls import path

from plenary import console_views, report_views, screen_views

app_name = "plenary_staff"

urlpatterns: list = []
# Each page module adds its paths below (console, hall screen, statistics and minutes).
urlpatterns += [
    path("console/", console_views.console, name="console"),
    path("console/<int:congress_id>/action/", console_views.console_action, name="console_action"),
    path("console/<int:congress_id>/state.json", console_views.console_state, name="console_state"),
]
urlpatterns += [
    path("screen/", screen_views.screen_links, name="screen_links"),
    path("screen/<int:congress_id>/", screen_views.screen, name="screen"),
    path("screen/<int:congress_id>/lower-third/", screen_views.lower_third, name="lower_third"),
    path("screen/<int:congress_id>/state.json", screen_views.screen_state, name="screen_state"),
]
urlpatterns += [
    path("statistics/", report_views.speaking_statistics, name="statistics"),
    path("minutes.pdf", report_views.minutes, name="minutes"),
]
