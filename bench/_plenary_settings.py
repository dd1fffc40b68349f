"""Settings for ``bench/plenary_hall.py``: production's as they are (middleware, DEBUG off, CONN_MAX_AGE 60, the cache
on Redis when ``REDIS_URL`` is set) and the project's own URLs. Only the static files differ: WhiteNoise serves from an
empty directory without the manifest (the bench asks for no static file), so no ``collectstatic`` is needed."""

from ks_landsting.settings.production import *  # noqa: F403
from ks_landsting.settings.production import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
