"""Production settings: everything from the environment, nothing insecure by default.

Refuses to start without ``SECRET_KEY`` (django-environ raises ImproperlyConfigured) and passes
``manage.py check --deploy`` without warnings.
"""

from ks_landsting.settings import *  # noqa: F403
from ks_landsting.settings import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"https://{host}" for host in ALLOWED_HOSTS])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The container health check talks plain HTTP to gunicorn.
SECURE_REDIRECT_EXEMPT = [r"^helse/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
KS_REQUIRE_STAFF_MFA = env.bool("KS_REQUIRE_STAFF_MFA", default=True)

# Keep database connections between requests: opening one costs PostgreSQL about 12 ms of CPU, which nearly halved
# the ballots per second when the whole hall votes (bench/voting.py: 76 vs 140 ballots/s). Health checks drop a
# connection that the database closed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
