"""Every staff page looks finished at 1280 and 1024 px in Chromium, for the secretariat and for a regional office.

The pages are not a hand list: the walk starts at the admin's front page, every app's index and every registered
model's list and add form, and every staff page of the URLconf (core.staff); it follows the links it meets to a
sample of every other admin or staff page (a model's change form, a key's allocation table, a poll's page, ...).
A staff page with URL parameters that no visited page links to gets a sample object by its parameter's name
(``pk`` after ``/<model>/``, ``<model>_id``). On each page ``admin_layout_check.js`` looks for a sideways scroll of
the page, words broken inside, the title under a button, labels over their values, controls over each other, and a
control or column heading beyond the viewport or behind a sideways scroll.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from core.models import OutboxMail
from delegates import demo
from tests.helpers import sign_in_on_the_form

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]

WIDTHS = (1280, 1024)
HEIGHT = 900
CHECK = (Path(__file__).with_name("admin_layout_check.js")).read_text(encoding="utf-8")
# The admin's own routes that are not pages to look at: signing out, the site's JavaScript catalogue, the
# autocomplete's JSON, "view on site" (a redirect), and Django's own history and delete confirmations.
NOT_PAGES = re.compile(r"^admin:(logout|jsi18n|autocomplete|view_on_site|.*_history|.*_delete)$")
# Every address a page leads to (links, forms, live JSON), each once.
LINKS = """() => [...new Set([...document.querySelectorAll('a[href], form[action], [data-live-url]')].map(
    (e) => e.getAttribute('href') ?? e.getAttribute('action') ?? e.getAttribute('data-live-url')))]"""
# What lays the page out is there: its style sheets and images (the check runs without waiting for anything else).
LOADED = """() => [...document.querySelectorAll('link[rel=stylesheet]')].every((link) => link.sheet)
    && [...document.images].every((image) => image.complete)"""


def _walk(patterns, prefix="", namespaces=()) -> Iterator[tuple[str, tuple[str, ...], URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = (pattern.namespace,) if pattern.namespace else ()
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), namespaces + namespace)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespaces, pattern


def staff_routes() -> dict[str, str]:
    """{"namespace:name": route} of every page under /admin/ that the admin site does not make (core.staff)."""
    return {
        f"{':'.join(namespaces)}:{pattern.name}": route
        for route, namespaces, pattern in _walk(get_resolver().url_patterns)
        if route.startswith("admin/") and namespaces[:1] != ("admin",)
    }


def start_paths() -> list[str]:
    """The admin's front page, every app's index, and every registered model's list and add form."""
    paths = [reverse("admin:index")]
    app_labels = sorted({model._meta.app_label for model in admin.site._registry})
    paths += [reverse("admin:app_list", kwargs={"app_label": label}) for label in app_labels]
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label):
        info = model._meta.app_label, model._meta.model_name
        paths += [reverse("admin:{}_{}_changelist".format(*info)), reverse("admin:{}_{}_add".format(*info))]
    return paths


def _sample_object(app_label: str, name: str):
    """The first object of the model of ``app_label`` called ``name`` (or ending in it: ``document`` is
    ``generateddocument``), else of any app."""
    name = name.replace("_", "")
    models = sorted(
        apps.get_models(), key=lambda model: (model._meta.app_label != app_label, len(model._meta.model_name))
    )
    for model in models:
        if model._meta.model_name == name or model._meta.model_name.endswith(name):
            return model._default_manager.order_by("pk").first()
    return None


def sample_path(name: str, route: str) -> str | None:
    """A path of the staff page ``name`` with sample values for its parameters; None when there is no sample."""
    app_label = name.split(":")[0].removesuffix("_staff")
    kwargs = {}
    for match in re.finditer(r"<(?:(\w+):)?(\w+)>", route):
        parameter = match.group(2)
        if parameter == "pk":
            model_name = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        elif parameter.endswith("_id"):
            model_name = parameter.removesuffix("_id")
        elif parameter == "language":
            kwargs[parameter] = settings.LANGUAGE_CODE
            continue
        else:
            return None
        sample = _sample_object(app_label, model_name)
        if sample is None:
            return None
        kwargs[parameter] = sample.pk
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _route_name(path: str) -> str | None:
    """The page's route name; an app's index is one page per app."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name == "admin:app_list":
        return f"admin:app_list:{match.kwargs['app_label']}"
    return match.view_name


class Walk:
    """The pages one user sees, and what the check finds on each at each width."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.pages: dict[str, str] = {}  # route name -> the path visited (the first one met)
        self.not_pages: dict[str, str] = {}  # route name -> why it is not a page to look at (JSON, PDF, POST only)
        self.problems: dict[str, list[str]] = {}

    def server_errors(self) -> dict[str, str]:
        return {name: why for name, why in self.not_pages.items() if why.startswith("5")}

    def _wanted(self, path: str) -> str | None:
        if not path.startswith("/admin/"):
            return None
        name = _route_name(path)
        if name is None or NOT_PAGES.match(name) or name in self.pages or name in self.not_pages:
            return None
        return name

    def _look(self, page, name: str, path: str) -> list[str]:
        """Open the page and check it at every width: first the viewport's, then the others (resized, as loaded)."""
        try:
            response = page.goto(self.base_url + path, wait_until="domcontentloaded")
        except PlaywrightError:
            # An empty answer (405 to a GET of a POST-only address) is no page for Chromium.
            response = page.request.get(self.base_url + path)
        content_type = response.headers.get("content-type", "") if response else ""
        if response is None or response.status != 200 or not content_type.startswith("text/html"):
            self.not_pages[name] = f"{response.status if response else '-'} {content_type}"
            return []
        if urlsplit(page.url).path != urlsplit(path).path:
            self.not_pages[name] = f"redirected to {page.url}"
            return []
        self.pages[name] = path
        page.wait_for_function(LOADED)
        links = page.evaluate(LINKS)
        current = page.viewport_size["width"]
        for width in [current, *(width for width in WIDTHS if width != current)]:
            if width != current:
                page.set_viewport_size({"width": width, "height": HEIGHT})
            for problem in page.evaluate(CHECK):
                self.problems.setdefault(f"{width} px {path}", []).append(problem)
        return links

    def crawl(self, page) -> None:
        """Visit the start pages, the staff pages and every admin or staff page linked from them, once each."""
        routes = staff_routes()
        queue = start_paths()
        seen = set(queue)
        queue += [sample for name, route in routes.items() if (sample := sample_path(name, route)) and "<" not in route]
        while True:
            if not queue:
                # Staff pages no visited page links to: a sample object by the parameters' names.
                queue = [
                    sample
                    for name, route in routes.items()
                    if name not in self.pages
                    and name not in self.not_pages
                    and (sample := sample_path(name, route))
                    and self._wanted(sample)
                ]
                if not queue:
                    break
            path = urlsplit(queue.pop(0)).path
            name = self._wanted(path)
            if name is None:
                continue
            if name.endswith("_download") or path.endswith((".json", ".pdf", ".csv")):
                # A file: fetched for its type only, not opened in the page.
                response = page.request.get(self.base_url + path)
                self.not_pages[name] = f"{response.status} {response.headers.get('content-type', '')}"
                continue
            for link in self._look(page, name, path):
                if link and not link.startswith(("#", "javascript:", "mailto:")):
                    absolute = urlsplit(link if "://" in link else f"{self.base_url}/{link.lstrip('/')}")
                    if absolute.netloc == urlsplit(self.base_url).netloc and absolute.path not in seen:
                        seen.add(absolute.path)
                        queue.append(absolute.path)


def walk_admin(browser, base_url: str, login: tuple[str, str]) -> Walk:
    """Sign in once and walk every page, checking each at every width."""
    walk = Walk(base_url)
    context = browser.new_context(locale="nb-NO", viewport={"width": WIDTHS[0], "height": HEIGHT})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in_on_the_form(page, f"{base_url}/admin/", *login)
        walk.crawl(page)
    finally:
        context.close()
    return walk


def _report(walk: Walk) -> str:
    return "\n".join(f"{where}:\n    " + "\n    ".join(found) for where, found in sorted(walk.problems.items()))


@pytest.fixture
def mail_in_the_outbox(seeded_demo):
    """The demo's outbox is empty until someone invites: a sent invitation and a failed reminder, as staff meet them."""
    now = timezone.now()
    OutboxMail.objects.create(
        to="kari.nordmann@halden.kommune.no",
        subject="Innkalling til Ekstraordinært landsting (demo) – din personlige lenke",
        body_text="…",
        purpose="invitation",
        status=OutboxMail.Status.SENT,
        attempts=1,
        sent_at=now,
    )
    OutboxMail.objects.create(
        to="ola.nordmann@sarpsborg.kommune.no",
        subject="Påminnelse: påmeldingsfristen nærmer seg for Ekstraordinært landsting (demo)",
        body_text="…",
        purpose="reminder",
        status=OutboxMail.Status.FAILED,
        attempts=5,
        last_error="SMTPRecipientsRefused: {'ola.nordmann@sarpsborg.kommune.no': (550, b'5.1.1 mailbox unavailable')}",
    )


def test_every_staff_page_looks_finished_for_the_secretariat(live_server, browser, seeded_demo, mail_in_the_outbox):
    walk = walk_admin(browser, live_server.url, demo.DEMO_SECRETARIAT_LOGIN)

    routes = staff_routes()
    unvisited = set(routes) - set(walk.pages) - set(walk.not_pages)
    # A page about an object the demo has none of (a finished document) cannot be shown; any other must be reached.
    missing = {name for name in unvisited if sample_path(name, routes[name])}
    assert not missing, f"staff pages the walk did not reach: {sorted(missing)}"
    assert len(walk.pages) > 60, sorted(walk.pages)
    assert not walk.server_errors(), walk.server_errors()
    assert not walk.problems, f"{sum(map(len, walk.problems.values()))} layout defects:\n{_report(walk)}"


def test_every_staff_page_looks_finished_for_a_regional_office(live_server, browser, seeded_demo):
    walk = walk_admin(browser, live_server.url, demo.DEMO_REGIONAL_LOGIN)

    assert "admin:delegates_participant_changelist" in walk.pages
    assert "delegates_staff:delegation_overview" in walk.pages
    assert not walk.server_errors(), walk.server_errors()
    assert not walk.problems, f"{sum(map(len, walk.problems.values()))} layout defects:\n{_report(walk)}"
