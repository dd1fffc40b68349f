import contextlib
import io
import os
import uuid

import pytest
from django.conf import global_settings
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import translation

from delegates.services.links import personal_link_issue
from ks_landsting import settings as base_settings
from tests.factories import SecretariatUserFactory, regional_staff_user
from tests.snapshot import snapshot_restore_or_build

# Debian's Chromium, driven through Playwright's sync API (never `playwright install`).
CHROMIUM_EXECUTABLE = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Norwegian users' browsers ask for bokmål; without this Chromium would send en-US and get English pages.
BROWSER_LOCALE = "nb-NO"
BROWSER_TIMEOUT_MS = 15_000


def pytest_xdist_auto_num_workers(config):
    """``make test`` runs ``-n auto``: in one process when a real Celery worker is expected (``.ci/run``).

    That worker reads the test database by its name, ``test_<name>``; each pytest-xdist worker would make a database
    of its own (``test_<name>_gw0``, ...), where the Celery worker would not see the rows a test commits.
    """
    if os.environ.get("KS_EXPECT_CELERY_WORKER"):
        return 0
    return None


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Run tasks in-process even when REDIS_URL is set: a worker cannot see a test's uncommitted rows.

    Tests marked ``real_services`` talk to the real worker instead.
    """
    with celery_for_one_test(eager=not request.node.get_closest_marker("real_services")):
        yield


@contextlib.contextmanager
def celery_for_one_test(*, eager: bool):
    """Tasks run eagerly (in-process) or not during the test; afterwards Celery's process-wide state is put back.

    Besides the eager settings, that state holds Celery's flag for "inside a task", which refuses ``result.get()``: it
    is set while an eager task runs, and eager tasks run in several threads at once (a test of simultaneous
    withdrawals invites deputies) can leave it set, failing a later test that waits for a result.
    """
    from celery import current_app
    from celery._state import _set_task_join_will_block, task_join_will_block

    conf = current_app.conf
    previous = conf.task_always_eager, conf.task_eager_propagates, task_join_will_block()
    if eager:
        conf.task_always_eager, conf.task_eager_propagates = True, True
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_eager_propagates = previous[:2]
        _set_task_join_will_block(previous[2])


@pytest.fixture
def isolated_cache(settings):
    """A private in-memory cache for one test: allauth keeps rate limits and used TOTP codes in the cache."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }


# --- Playwright (Debian's Chromium) -----------------------------------------------------------------------


BROWSER_FIXTURES = {"browser", "page", "phone_page"}


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last (after pytest-django's own ordering, which this stable sort keeps).

    Once Playwright's sync API has started, an asyncio loop counts as running in the main thread until the end of
    the session, and Django then refuses ORM calls unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. Running the
    browser tests last keeps that variable out of every other test, including the subprocesses they start
    (``manage.py check --deploy`` reports it as an error).
    """
    items.sort(
        key=lambda item: (
            item.get_closest_marker("browser") is not None
            or bool(BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())))
        )
    )


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls from it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM_EXECUTABLE, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


def _new_page(browser, **context_options):
    context = browser.new_context(locale=BROWSER_LOCALE, **context_options)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    """A desktop-sized page in a fresh browser context (no cookies shared between tests)."""
    context, page = _new_page(browser, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (390 by 844 CSS pixels, touch) in a fresh browser context."""
    context, page = _new_page(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=3
    )
    yield page
    context.close()


# --- Two-factor authentication ----------------------------------------------------------------------------


@pytest.fixture
def totp_code():
    """Return a function that gives the authenticator-app code for a TOTP secret right now.

    Uses allauth's own HOTP helpers. Near the end of a 30-second window it waits for the next window, so the code
    is still valid when the server checks it.
    """
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    def code_for(secret: str) -> str:
        period = app_settings.TOTP_PERIOD
        remaining = period - time.time() % period
        if remaining < 3:
            time.sleep(remaining + 0.05)
        return format_hotp_value(hotp_value(secret, int(time.time()) // period))

    return code_for


# --- Passwords ----------------------------------------------------------------------------------------------


@pytest.fixture
def production_password_hasher(settings):
    """Hash passwords as production does, for the tests of hashing and signing in.

    The suite's settings (``ks_landsting.settings.test``) use a fast hasher: PBKDF2 at Django's million iterations
    costs 0.2 s for every user a factory makes. ``ks_landsting.settings`` is what production builds on.
    """
    settings.PASSWORD_HASHERS = getattr(base_settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)


# --- Language -----------------------------------------------------------------------------------------------
# The site speaks bokmål by default, while most assertions read the English source strings. A test module turns on
# what it needs with ``pytestmark = pytest.mark.usefixtures(...)``: the three are separate because they do different
# things (the pages' default language, text translated in the test's own thread, the language the client asks for).


@pytest.fixture
def english_site(settings):
    """English is the site's language: pages, mails and messages use it when nothing asks for another."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def english_in_test():
    """Text translated in the test itself (a service's or form's message, a command's output, gettext) is English."""
    with translation.override("en"):
        yield


@pytest.fixture
def english(english_site, english_in_test):
    """Both: the site's language and the test's own translations are English."""


@pytest.fixture
def client_prefers_english(client):
    """``client`` asks for English pages (``Accept-Language: en``), as a browser set to English does."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


# --- People -------------------------------------------------------------------------------------------------


@pytest.fixture
def secretariat():
    """A member of the secretariat: sees and runs everything."""
    return SecretariatUserFactory()


@pytest.fixture
def secretariat_client(client, secretariat):
    client.force_login(secretariat)
    return client


@pytest.fixture
def regional_user():
    """A regional office's staff member, on the staff of an office of their own."""
    return regional_staff_user()


@pytest.fixture
def token(me):
    """The token of ``me``'s personal link: ``me`` is the participant the test acts as in the portal."""
    _link, token = personal_link_issue(participant=me)
    return token


# --- The demo congress --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _run_directory(tmp_path_factory):
    """A directory of this test run that its pytest-xdist workers share (each has its own below it)."""
    directory = tmp_path_factory.getbasetemp()
    return directory.parent if os.environ.get("PYTEST_XDIST_WORKER") else directory


@pytest.fixture
def seeded_demo(db, _run_directory):
    """The database as ``manage.py seed_demo`` leaves it, with the test's own database access (``db``, or
    ``transactional_db`` where the test asks for it).

    The first such test of the run seeds for real and keeps a copy of every table; the next ones, in any worker, get
    the copy put back (``seed_demo`` takes 10 to 15 s). Request it before any fixture that writes to the database: it
    replaces every table's rows. The demo stores text in the site's language (a run-off's title), not in the active one.
    """
    copy = _run_directory / f"seeded-demo-{django_settings.LANGUAGE_CODE}.pickle"
    snapshot_restore_or_build(copy, lambda: call_command("seed_demo", stdout=io.StringIO()))
    yield
    # A rolled-back test leaves the content types as they were before the copy was put back.
    ContentType.objects.clear_cache()
