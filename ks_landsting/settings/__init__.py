"""Settings for ks-landsting, read from the environment.

Without any variables set this is the *embedded default*: SQLite, Celery tasks run eagerly in-process,
e-mail written to files under ``var/mail/``. ``DATABASE_URL``, ``REDIS_URL`` and ``EMAIL_URL`` switch to
PostgreSQL, a real Celery broker/cache on Redis and SMTP. Production hardening lives in ``production.py``.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("KS_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# Only ever used by the embedded default; production.py requires SECRET_KEY from the environment.
SECRET_KEY = env.str("SECRET_KEY", default="embedded-development-key-not-for-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "import_export",
    "core",
    "agenda",
    "delegates",
    "committees",
    "elections",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.StaffTwoFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ks_landsting.urls"
WSGI_APPLICATION = "ks_landsting.wsgi.application"
ASGI_APPLICATION = "ks_landsting.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
# An empty DATABASE_URL counts as unset.
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="ks_landsting")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Oslo"
CELERY_BEAT_SCHEDULE: dict = {
    # Mail outbox (core): a safety net for retries, and deleting old mail bodies (personal data).
    "outbox-retry-due": {"task": "core.tasks.retry_due_outbox_mail", "schedule": 60.0},
    "outbox-purge-bodies": {"task": "core.tasks.purge_outbox_bodies", "schedule": crontab(hour=3, minute=15)},
    # Registration (delegates): one reminder before the deadline; diet and accessibility answers deleted in time.
    "registration-reminders": {"task": "delegates.tasks.send_reminders", "schedule": crontab(hour=9, minute=0)},
    "registration-purge-health-data": {
        "task": "delegates.tasks.purge_health_data",
        "schedule": crontab(hour=3, minute=30),
    },
}

# --- E-mail ---------------------------------------------------------------------------------------------------
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="KS Landstinget <landstinget@ks.no>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Mail outbox: attempts before a temporarily failing mail is given up, and days the bodies of sent/failed mail are kept.
KS_OUTBOX_MAX_ATTEMPTS = env.int("KS_OUTBOX_MAX_ATTEMPTS", default=5)
KS_OUTBOX_BODY_RETENTION_DAYS = env.int("KS_OUTBOX_BODY_RETENTION_DAYS", default=90)

# --- Authentication (django-allauth) --------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/admin/"
ACCOUNT_ADAPTER = "core.adapters.StaffOnlyAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
# A password reset for an unknown address must not invite anyone to sign up (there is no sign-up).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "KS Landstinget"
# When true, a staff user without an authenticator is sent to set one up before using any staff page.
KS_REQUIRE_STAFF_MFA = env.bool("KS_REQUIRE_STAFF_MFA", default=False)

# Absolute links in mail and letters (personal links) are built on this address.
KS_PUBLIC_BASE_URL = env.str("KS_PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Admin tools ----------------------------------------------------------------------------------------------
# Exports are opened in spreadsheet programs: a name typed as "=HYPERLINK(...)" must stay text.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
# Restoring an old version would bypass the services (and the regional scoping of the current row).
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Languages ------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Oslo"
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_links": {"()": "ks_landsting.logging.MaskPersonalLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_personal_links"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request paths may hold a personal link: these go through the masking console handler only.
        **{
            name: {"handlers": ["console"], "filters": ["mask_personal_links"], "level": level, "propagate": False}
            for name, level in (("django.request", "WARNING"), ("django.server", "INFO"))
        },
        # WeasyPrint reports every rendering step at INFO; only its warnings are worth reading.
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
    },
}
