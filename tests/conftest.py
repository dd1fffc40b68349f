import os
import uuid

import pytest

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


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Run tasks in-process even when REDIS_URL is set: a worker cannot see a test's uncommitted rows.

    Tests marked ``real_services`` talk to the real worker instead.
    """
    if request.node.get_closest_marker("real_services"):
        yield
        return
    from celery import current_app

    conf = current_app.conf
    previous = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = previous


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
