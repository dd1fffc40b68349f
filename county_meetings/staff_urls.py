from django.urls import path  # noqa: F401

app_name = "county_meetings_staff"

urlpatterns: list = [
    # meetings, seats, election results and composition
    # reports
    # elections and transfer
    # amendments forwarded
]
