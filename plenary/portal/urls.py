"""The delegates' request for the floor on the personal page: included under ``p/<str:token>/``."""

from django.urls import path

from plenary.portal import views

app_name = "plenary_portal"

urlpatterns = [
    path("ordet/", views.floor, name="floor"),
    path("ordet/tilstand/", views.floor_state, name="floor_state"),
]
