"""Settings for ``bench/live_transport.py``: production's, with the prototype's URLs beside the project's.

Static files are served by WhiteNoise from an empty directory without the manifest (nothing the bench asks for is a
static file), so no ``collectstatic`` is needed.
"""

import os

from ks_landsting.settings.production import *  # noqa: F403
from ks_landsting.settings.production import STORAGES

ROOT_URLCONF = "bench._live_urls"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
LIVE_PUBSUB_URL = os.environ.get("BENCH_LIVE_PUBSUB_URL", "")
