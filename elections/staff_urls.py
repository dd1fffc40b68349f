"""The officials' desk, under /admin/elections/desk/ (see ks_landsting/urls.py)."""

from django.urls import path

from elections import staff_views

app_name = "elections_staff"

urlpatterns = [
    path("", staff_views.desk_view, name="desk"),
    path("decision/", staff_views.decision_create_view, name="decision_create"),
    path("election/<int:election_id>/vote/", staff_views.election_poll_create_view, name="election_poll_create"),
    path("poll/<int:poll_id>/", staff_views.poll_view, name="poll"),
    path("poll/<int:poll_id>/status.json", staff_views.poll_status_view, name="poll_status"),
    path("poll/<int:poll_id>/open/", staff_views.poll_open_view, name="poll_open"),
    path("poll/<int:poll_id>/close/", staff_views.poll_close_view, name="poll_close"),
    path("poll/<int:poll_id>/tie/", staff_views.poll_tie_view, name="poll_tie"),
    path("poll/<int:poll_id>/sign-off/", staff_views.poll_sign_off_view, name="poll_sign_off"),
    path("poll/<int:poll_id>/publish/", staff_views.poll_publish_view, name="poll_publish"),
    path("poll/<int:poll_id>/run-off/", staff_views.poll_runoff_view, name="poll_runoff"),
    path("poll/<int:poll_id>/paper/", staff_views.poll_paper_view, name="poll_paper"),
    path("projector/<int:congress_id>/", staff_views.projector_view, name="projector"),
    path("projector/<int:congress_id>/state.json", staff_views.projector_state_view, name="projector_state"),
    path("protocol.pdf", staff_views.protocol_view, name="protocol"),
]
