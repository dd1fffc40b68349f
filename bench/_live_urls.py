"""The project's URLs and the live-state prototype's (``bench/_live_views.py``), for ``bench/live_transport.py``."""

from django.urls import path

from bench import _live_views
from ks_landsting.urls import handler403  # noqa: F401
from ks_landsting.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench-live/<int:congress_id>/state/", _live_views.state, name="bench_live_state"),
    path("bench-live/<int:congress_id>/state-mw/", _live_views.state_middleware, name="bench_live_state_mw"),
    path("bench-live/<int:congress_id>/events/", _live_views.events, name="bench_live_events"),
    path("bench-live/ok/", _live_views.ok, name="bench_live_ok"),
    *project_urlpatterns,
]
