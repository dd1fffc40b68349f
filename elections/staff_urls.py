"""The elections' staff pages (the officials' desk), under /admin/elections/ (ks_landsting/urls.py includes them
before the admin).

Every view here is a ``core.staff.staff_page``; tests/core/test_staff_pages.py checks it.
"""

from django.urls import path

from elections import staff_views

app_name = "elections_staff"

urlpatterns = [
    path("desk/", staff_views.desk, name="desk"),
    path("desk/decision/", staff_views.decision_create, name="decision_create"),
    path("desk/decision/open/", staff_views.decision_open, name="decision_open"),
    path("desk/election/<int:election_id>/vote/", staff_views.election_poll_create, name="election_poll_create"),
    path("desk/poll/<int:poll_id>/", staff_views.poll_page, name="poll"),
    path("desk/poll/<int:poll_id>/status.json", staff_views.poll_status, name="poll_status"),
    path("desk/poll/<int:poll_id>/open/", staff_views.poll_open, name="poll_open"),
    path("desk/poll/<int:poll_id>/close/", staff_views.poll_close, name="poll_close"),
    path("desk/poll/<int:poll_id>/tie/", staff_views.poll_tie, name="poll_tie"),
    path("desk/poll/<int:poll_id>/sign-off/", staff_views.poll_sign_off, name="poll_sign_off"),
    path("desk/poll/<int:poll_id>/publish/", staff_views.poll_publish, name="poll_publish"),
    path("desk/poll/<int:poll_id>/run-off/", staff_views.poll_runoff, name="poll_runoff"),
    path("desk/poll/<int:poll_id>/paper/", staff_views.poll_paper, name="poll_paper"),
    path("desk/projector/<int:congress_id>/", staff_views.projector, name="projector"),
    path("desk/projector/<int:congress_id>/state.json", staff_views.projector_state, name="projector_state"),
    path("desk/protocol.pdf", staff_views.protocol, name="protocol"),
]
