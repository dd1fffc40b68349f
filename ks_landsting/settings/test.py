"""Settings for the test suite: the embedded default or the environment's services (see ``__init__.py``), with a
fast password hasher.

PBKDF2 at Django's million iterations costs 0.2 s for every user a test makes, a third of the suite's time. The
tests of hashing and signing in ask for the production hasher back (the ``production_password_hasher`` fixture).
"""

import os

from ks_landsting.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Eager tasks run inside the request that queued them, so a test sees the work done when the request returns; the
# tests of core.eager_jobs turn the thread on.
KS_EAGER_JOBS_IN_THREAD = False

# Each pytest-xdist worker keeps its own keys in a shared cache (Redis on CI): allauth's and the portal's rate limits
# count per address, and one worker's requests must not use up another's.
if os.environ.get("PYTEST_XDIST_WORKER"):
    CACHES = {
        alias: {**cache, "KEY_PREFIX": f"test-{os.environ['PYTEST_XDIST_WORKER']}"}
        for alias, cache in CACHES.items()  # noqa: F405
    }
