from django.urls import path

from county_meetings.portal import views

app_name = "county_meetings_portal"

urlpatterns: list = [
    path("<str:token>/", views.report, name="report"),
]
