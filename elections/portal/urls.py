"""The delegates' voting pages on the personal page: included under ``p/<str:token>/``."""

from django.urls import path

from elections.portal import views

app_name = "elections_portal"

urlpatterns = [
    path("stemmegivning/", views.ballots, name="ballots"),
    path("stemmegivning/tilstand/", views.ballots_state, name="ballots_state"),
    path("stemmegivning/<int:poll_id>/", views.ballot, name="ballot"),
    path("stemmegivning/<int:poll_id>/avgi/", views.ballot_cast_api, name="cast"),
    path("resultater/", views.results, name="results"),
    path("resultater/<int:poll_id>/", views.result, name="result"),
]
