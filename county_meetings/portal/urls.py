from django.urls import path  # noqa: F401

app_name = "county_meetings_portal"

urlpatterns: list = []
