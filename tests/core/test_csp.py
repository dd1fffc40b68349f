"""The Content-Security-Policy: on every response, per page type, and no inline code left in our templates that
would need an exception. The browser side (no violations, the pages' scripts still work) is in test_csp_browser.py."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.template.loader import get_template
from django.urls import reverse

from core.middleware import (
    THIRD_PARTY_EVENT_HANDLERS,
    THIRD_PARTY_STYLE_ATTRIBUTES,
    THIRD_PARTY_STYLE_ELEMENTS,
    source_hash,
)
from core.models import User
from delegates import demo
from delegates.models import DelegateKey, Participant
from delegates.services.links import personal_link_issue

PAGE_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in header.split(";")) if part}


def assert_page_policy(response) -> None:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} ({response.status_code}) has no Content-Security-Policy"
    policy = directives(header)
    for directive, sources in PAGE_DIRECTIVES.items():
        assert policy.get(directive) == sources, (response.request["PATH_INFO"], directive, policy.get(directive))
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    assert policy["script-src-attr"].split() == [
        "'unsafe-hashes'",
        *(source_hash(text) for text in THIRD_PARTY_EVENT_HANDLERS),
    ]
    assert policy["style-src"].startswith("'self'")
    assert policy["style-src"].removeprefix("'self'").split() == [
        source_hash(text) for text in THIRD_PARTY_STYLE_ELEMENTS
    ]


def assert_pdf_policy(response) -> None:
    assert response["Content-Type"].startswith("application/pdf"), response.request["PATH_INFO"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"%PDF")
    assert directives(response.headers["Content-Security-Policy"]) == {
        "default-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'none'",
        "frame-ancestors": "'none'",
    }


# --- Per page type ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("isolated_cache")
def test_public_pages_sign_in_health_and_errors_carry_the_policy(client):
    for url in ("/", reverse("agenda:programme"), reverse("account_login"), "/helse/", "/no-such-page/"):
        assert_page_policy(client.get(url))
    assert_page_policy(client.get("/admin/"))  # the redirect to sign in


def test_static_files_carry_the_policy(client, settings):
    # WhiteNoise answers before the rest of the middleware: the policy is set above it.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert_page_policy(response)


@pytest.mark.django_db
def test_the_redirect_to_https_carries_the_policy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/")
    assert response.status_code == 301
    assert_page_policy(response)


def secretariat_client(client):
    client.force_login(User.objects.get(email=demo.DEMO_SECRETARIAT_LOGIN[0]))
    return client


@pytest.mark.usefixtures("isolated_cache")
def test_admin_and_staff_pages_carry_the_policy(seeded_demo, client):
    secretariat_client(client)
    participant = Participant.objects.order_by("pk").first()
    key = DelegateKey.objects.order_by("pk").first()
    urls = [
        reverse("admin:index"),
        reverse("admin:delegates_participant_changelist") + "?status__exact=active&role__exact=delegate",
        reverse("admin:delegates_participant_change", args=[participant.pk]),
        reverse("admin:delegates_participant_history", args=[participant.pk]),
        reverse("admin:delegates_participant_import"),
        reverse("admin:delegates_participant_export"),
        reverse("admin:core_outboxmail_changelist"),
        reverse("delegates_staff:delegation_overview"),
        reverse("delegates_staff:registration_status"),
        reverse("delegates_staff:checkin"),
        reverse("delegates_staff:checkin_counts"),
        reverse("delegates_staff:documents"),
        reverse("delegates_staff:seat_allocation", args=[key.pk]),
        reverse("elections_staff:desk"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_page_policy(response)


@pytest.mark.usefixtures("isolated_cache")
def test_hall_pages_carry_the_policy(seeded_demo, client):
    from elections.models import Poll

    secretariat_client(client)
    poll = Poll.objects.order_by("pk").first()
    for url in (
        reverse("elections_staff:poll", args=[poll.pk]),
        reverse("elections_staff:poll_status", args=[poll.pk]),
        reverse("elections_staff:projector", args=[poll.congress_id]),
        reverse("elections_staff:projector_state", args=[poll.congress_id]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_page_policy(response)


@pytest.mark.usefixtures("isolated_cache")
def test_portal_pages_carry_the_policy(seeded_demo, client):
    participant = Participant.objects.filter(status=Participant.Status.ACTIVE).order_by("pk").first()
    _link, token = personal_link_issue(participant=participant)
    for url in (
        reverse("portal:home", args=[token]),
        reverse("portal:programme", args=[token]),
        reverse("portal:my_data", args=[token]),
        reverse("elections_portal:ballots", args=[token]),
        reverse("elections_portal:results", args=[token]),
        reverse("committees_portal:document", args=[token]),
        reverse("portal:lost_link"),
        reverse("portal:home", args=["x" * 43]),  # an unknown link: its own error page
    ):
        assert_page_policy(client.get(url))
    response = client.get(reverse("portal:programme_ics", args=[token]))
    assert response.status_code == 200
    assert_page_policy(response)


@pytest.mark.usefixtures("isolated_cache")
def test_pdf_downloads_get_the_strict_policy(seeded_demo, client):
    from committees.models import PoliticalDocument

    secretariat_client(client)
    document = PoliticalDocument.objects.order_by("pk").first()
    assert_pdf_policy(client.get(reverse("elections_staff:protocol")))
    assert_pdf_policy(client.get(reverse("committees_staff:document_pdf", args=[document.pk, "document"])))


@pytest.mark.django_db
def test_report_only_sends_the_same_policy_without_enforcing_it(client, settings):
    settings.KS_CONTENT_SECURITY_POLICY_REPORT_ONLY = True
    response = client.get("/")
    assert "Content-Security-Policy" not in response.headers
    assert directives(response.headers["Content-Security-Policy-Report-Only"])["script-src"] == "'self'"


def test_a_policy_the_view_set_itself_is_kept(rf, settings):
    from django.http import HttpResponse

    from core.middleware import ContentSecurityPolicyMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    assert ContentSecurityPolicyMiddleware(view)(rf.get("/"))["Content-Security-Policy"] == "default-src 'none'"


# --- No inline code in our templates ----------------------------------------------------------------------------

TEMPLATES_DIR = Path(django_settings.BASE_DIR) / "templates"
#: WeasyPrint renders these on the server; no browser ever sees them.
PDF_TEMPLATES = re.compile(r"(^|/)pdf(/|_)")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=|javascript:", re.I)


def our_browser_templates() -> list[Path]:
    return [
        path
        for path in sorted(TEMPLATES_DIR.rglob("*.html"))
        if not PDF_TEMPLATES.search(str(path.relative_to(TEMPLATES_DIR)))
    ]


def test_our_templates_have_no_inline_scripts_styles_or_event_handlers():
    offenders = []
    for path in our_browser_templates():
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER):
            offenders += [f"{path.relative_to(TEMPLATES_DIR)}: {match.group(0)!r}" for match in pattern.finditer(text)]
    assert offenders == []
    assert len(our_browser_templates()) > 50


def test_the_hashed_third_party_styles_still_stand_in_their_templates():
    """If Django or an admin add-on changes one of them, its hash in core.middleware must change with it."""
    change_list = get_template("admin/change_list.html").template.source
    for text in THIRD_PARTY_STYLE_ELEMENTS:
        assert f"<style>{text}</style>" in change_list
    export = get_template("admin/import_export/export.html").template.source
    history = get_template("simple_history/object_history_list.html").template.source
    for text in THIRD_PARTY_STYLE_ATTRIBUTES:
        assert f'style="{text}"' in export + history
    for text in THIRD_PARTY_EVENT_HANDLERS:
        assert f'onchange="{text}"' in export
