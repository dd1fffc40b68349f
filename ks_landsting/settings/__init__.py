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
    "county_meetings",
    "surveys",
    "plenary",
]

MIDDLEWARE = [
    # First, so that every response has the policy: SecurityMiddleware's redirects to HTTPS, WhiteNoise's files.
    "core.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.RequestBodyLimitMiddleware",
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
    # core.cache: Redis with short socket timeouts that, while Redis cannot be reached, logs and serves from a
    # process-local memory cache instead of failing the request (rate limits then count per process).
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
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
# A task is acknowledged when it has finished, so a worker that dies (kill -9, out of memory, a lost container) puts
# it back: the Redis broker hands an unacknowledged task to another worker after KS_CELERY_VISIBILITY_TIMEOUT seconds
# (Celery's default is an hour), and a pool process that dies mid-task has its task requeued at once. Every task is
# therefore safe to run twice (the outbox and invitations under row locks and dedupe keys, jobs claimed under a
# lock). A task still running after the timeout is handed out a second time, so the timeout stays well above the
# longest task (a batch of letters takes seconds, a large PDF a minute or two), and countdowns longer than the timeout
# are not used: the outbox leaves such retries to beat (core.tasks.send_outbox_mail).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
KS_CELERY_VISIBILITY_TIMEOUT = env.int("KS_CELERY_VISIBILITY_TIMEOUT", default=300)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": KS_CELERY_VISIBILITY_TIMEOUT,
    # How often a worker looks for tasks whose worker died: every tenth of the timeout, at most every 10 s.
    "unacked_restore_interval": max(1, min(10, KS_CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
}
# Handing a task to the broker never makes a request wait (issue 13): publishing is not retried, a connection
# attempt gives up after a second and a Redis that accepts but does not answer after 1.5 s (Celery's defaults retried
# for up to 19 s with Redis down, and would wait for ever on a hung one). The work itself is
# already stored, as a core.Job row or an outbox mail, and beat hands it over once the broker is back.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS.update({"max_retries": 0, "socket_connect_timeout": 1, "socket_timeout": 1.5})
# Results are stored only where something reads them (core.tasks.ping, ignore_result=False): the jobs keep their
# outcome in their database row, and stored results nobody read piled up in Redis (4,041 keys after four benches).
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
# Background jobs (core.Job): a job handed to the broker and not started after KS_JOB_RESEND_AFTER seconds is handed
# over again (the broker may have lost it); one RUNNING for KS_JOB_RUNNING_TIMEOUT seconds lost its worker and runs
# again; finished jobs are deleted after KS_JOB_RETENTION_DAYS. The running timeout is the broker's redelivery time by
# default: both say "a task still unfinished after this long lost its worker", and a longer one would only delay the
# job of a killed worker (its redelivered message finds the job still "running" and leaves it to this sweep).
KS_JOB_RESEND_AFTER = env.int("KS_JOB_RESEND_AFTER", default=120)
KS_JOB_RUNNING_TIMEOUT = env.int("KS_JOB_RUNNING_TIMEOUT", default=KS_CELERY_VISIBILITY_TIMEOUT)
KS_JOB_RETENTION_DAYS = env.int("KS_JOB_RETENTION_DAYS", default=7)
# The embedded default (eager Celery) runs jobs in a thread of the web process after the response, so a page can
# show a document being made instead of holding the click until it is done (core.eager_jobs). The tests turn it off.
KS_EAGER_JOBS_IN_THREAD = env.bool("KS_EAGER_JOBS_IN_THREAD", default=True)
# A worker heartbeat older than this makes the health check report the worker as late.
KS_WORKER_HEARTBEAT_LATE_AFTER = env.int("KS_WORKER_HEARTBEAT_LATE_AFTER", default=120)
# Priorities on the Redis broker: 0 is taken first. Sending mail (core.tasks.send_outbox_mail, priority 0) goes ahead of
# everything else (this default), so mail leaves while a batch of letters is still being rendered (issue 13).
CELERY_TASK_DEFAULT_PRIORITY = 5
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Oslo"
CELERY_BEAT_SCHEDULE: dict = {
    # Mail outbox (core): a safety net for retries, and deleting old mail bodies (personal data).
    "outbox-retry-due": {
        "task": "core.tasks.retry_due_outbox_mail",
        "schedule": env.float("KS_OUTBOX_SWEEP_SECONDS", default=60.0),
    },
    "outbox-purge-bodies": {"task": "core.tasks.purge_outbox_bodies", "schedule": crontab(hour=3, minute=15)},
    # Registration (delegates): one reminder before the deadline; diet and accessibility answers deleted in time.
    "registration-reminders": {"task": "delegates.tasks.send_reminders", "schedule": crontab(hour=9, minute=0)},
    "registration-purge-health-data": {
        "task": "delegates.tasks.purge_health_data",
        "schedule": crontab(hour=3, minute=30),
    },
    # The evaluation survey (surveys): the invitations when a survey opens, and its one reminder before it closes.
    "survey-mails": {"task": "surveys.tasks.send_survey_mails", "schedule": crontab(minute=5)},
    "survey-drafts-purge": {"task": "surveys.tasks.purge_survey_drafts", "schedule": crontab(hour=3, minute=40)},
}

CELERY_BEAT_SCHEDULE.update(
    {
        # Background jobs (core): hand over what never reached a worker; the heartbeat the health check reads.
        "jobs-resend-stale": {"task": "core.tasks.resend_stale_jobs", "schedule": 30.0},
        "worker-heartbeat": {"task": "core.tasks.worker_heartbeat", "schedule": 30.0},
        "jobs-purge": {"task": "core.tasks.purge_jobs", "schedule": crontab(hour=3, minute=45)},
    }
)

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
# A mail left in "sending" this many seconds was interrupted (its worker died): beat sends it again, with a new
# personal link if it carried one (core.services.outbox_resolve_interrupted).
KS_OUTBOX_SENDING_TIMEOUT = env.int("KS_OUTBOX_SENDING_TIMEOUT", default=300)

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
# The TLS proxies in front of the site (addresses or networks, comma-separated in TRUSTED_PROXIES). Only a request
# from one of them has its X-Forwarded-For read, from the right, for the client's address that every rate limit keys
# on (core.client_ip; allauth through core.adapters). Empty: REMOTE_ADDR, and X-Forwarded-For is never trusted.
KS_TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "KS Landstinget"
# When true, a staff user without an authenticator is sent to set one up before using any staff page.
KS_REQUIRE_STAFF_MFA = env.bool("KS_REQUIRE_STAFF_MFA", default=False)

# Secret ballots are stored encrypted while their poll is open, with keys derived from this secret (elections.sealing;
# docs/DESIGN.md, "Threat model: secret ballots"). Empty: derived from SECRET_KEY. It must not change while a poll is
# open; an earlier value in KS_BALLOT_KEY_FALLBACKS (comma-separated) still opens the ballots sealed with it.
KS_BALLOT_KEY = env.str("KS_BALLOT_KEY", default="")
KS_BALLOT_KEY_FALLBACKS = env.list("KS_BALLOT_KEY_FALLBACKS", default=[])

# Absolute links in mail and letters (personal links) are built on this address.
KS_PUBLIC_BASE_URL = env.str("KS_PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Content-Security-Policy (core.middleware.ContentSecurityPolicyMiddleware) ---------------------------------
# Scripts, styles, images and fonts from the site itself only: no inline code (every script and style is a file under
# static/), no plug-ins, no framing, forms post to the site only. The middleware adds to style-src the hashes of the
# few inline styles in Django's and the admin add-ons' templates. PDFs may load nothing at all.
KS_CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
KS_CONTENT_SECURITY_POLICY_PDF = {
    "default-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'none'"],
}
# True: sent as Content-Security-Policy-Report-Only, to try a change without breaking pages.
KS_CONTENT_SECURITY_POLICY_REPORT_ONLY = env.bool("KS_CONTENT_SECURITY_POLICY_REPORT_ONLY", default=False)

# --- Admin tools ----------------------------------------------------------------------------------------------
# Exports are opened in spreadsheet programs: a name typed as "=HYPERLINK(...)" must stay text. The library's own
# escaping removes the "=" (it changes the data); core.import_export_formats escapes without losing a character.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
# An upload up to this size stays in memory; a larger one Django writes to the temporary folder for the length of the
# request. The participant import takes at most core.import_export_formats.MAX_IMPORT_BYTES (5 MB): names and phone
# numbers never touch the disk, not even when a worker is killed in the middle of the request.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A request body above this is refused (413) before anything reads it: the largest form upload is 10 MB.
MAX_REQUEST_BODY_BYTES = 12 * 1024 * 1024
# Restoring an old version would bypass the services (and the regional scoping of the current row).
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Languages ------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Oslo"
USE_TZ = True
# One date and time style per language, 24-hour in both: English's formats are ours (bokmål's are Django's).
FORMAT_MODULE_PATH = ["ks_landsting.formats"]
# A refused form (CSRF) gets the site's 403 page in the user's language, with a way back.
CSRF_FAILURE_VIEW = "core.error_views.csrf_failure"

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
