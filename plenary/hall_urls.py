"""The hall screen and the lower third behind the hall's screen key, under ``sal/`` (no sign-in: a projector's or a
streaming program's browser opens them)."""

from django.urls import path

from plenary import screen_views

app_name = "plenary_hall"

urlpatterns: list = [
    path("<str:key>/", screen_views.hall_screen, name="screen"),
    path("<str:key>/state.json", screen_views.hall_screen_state, name="screen_state"),
    path("<str:key>/lower-third/", screen_views.hall_lower_third, name="lower_third"),
]
