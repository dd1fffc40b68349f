import base64
import hashlib

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class StaffTwoFactorMiddleware:
    """With ``KS_REQUIRE_STAFF_MFA`` on, staff must set up an authenticator app before using staff pages.

    The check runs in ``process_view`` rather than ``__call__`` so that it sees the messages framework no matter
    where this middleware sits in ``MIDDLEWARE``. Signing out of the admin stays possible; the pages that set up
    two-factor authentication live under ``/konto/`` and are never protected, so there is no redirect loop.
    """

    protected_prefixes = ("/admin/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not self._must_set_up_totp(request):
            return None
        messages.warning(request, _("Two-factor authentication is required for staff. Set it up to continue."))
        return redirect("mfa_activate_totp")

    def _must_set_up_totp(self, request) -> bool:
        if not getattr(settings, "KS_REQUIRE_STAFF_MFA", False):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return False
        path = request.path_info
        if not path.startswith(self.protected_prefixes) or path in self._exempt_paths():
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    @staticmethod
    def _exempt_paths() -> set[str]:
        return {reverse("admin:logout")}


# --- Content-Security-Policy ------------------------------------------------------------------------------------

#: The few inline styles and the one event handler left in templates that are not ours (Django's admin and two admin
#: add-ons), allowed by their hashes alone (for attributes with 'unsafe-hashes', which allows exactly these values and
#: nothing else); tests/core/test_csp.py checks that each still stands in the installed template. Ours have none:
#: every script and style is a file under static/.
THIRD_PARTY_STYLE_ELEMENTS = (
    # django/contrib/admin/templates/admin/change_list.html, on a list without actions.
    "\n      #changelist table thead th:first-child {width: inherit}\n    ",
)
THIRD_PARTY_STYLE_ATTRIBUTES = (
    "padding: 0;",  # import_export/templates/admin/import_export/export.html
    "font-weight: bold;",  # import_export/templates/admin/import_export/export.html
    "border-top: 0",  # simple_history/templates/simple_history/object_history_list.html
)
THIRD_PARTY_EVENT_HANDLERS = (
    "onSelectToggleChange(event)",  # import_export/templates/admin/import_export/export.html, "Select all"
)


def source_hash(text: str) -> str:
    """A CSP hash source for an inline ``<style>`` element's text or a ``style`` or event handler attribute's value."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


def page_policy() -> dict[str, list[str]]:
    """``KS_CONTENT_SECURITY_POLICY`` with the hashes of the third-party inline styles and handler above."""
    policy = {directive: list(sources) for directive, sources in settings.KS_CONTENT_SECURITY_POLICY.items()}
    policy["style-src"] = [*policy.get("style-src", ["'self'"]), *map(source_hash, THIRD_PARTY_STYLE_ELEMENTS)]
    policy["style-src-attr"] = ["'unsafe-hashes'", *map(source_hash, THIRD_PARTY_STYLE_ATTRIBUTES)]
    policy["script-src-attr"] = ["'unsafe-hashes'", *map(source_hash, THIRD_PARTY_EVENT_HANDLERS)]
    return policy


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every response: ``KS_CONTENT_SECURITY_POLICY`` for pages (and everything else the
    site serves), ``KS_CONTENT_SECURITY_POLICY_PDF`` for PDFs. A response that already has the header keeps it.

    With ``KS_CONTENT_SECURITY_POLICY_REPORT_ONLY`` the browser only reports what the policy would block. Django's
    own error pages in DEBUG (with their inline styles and scripts) are left without a policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.page = policy_header(page_policy())
        self.pdf = policy_header(settings.KS_CONTENT_SECURITY_POLICY_PDF)
        self.header = (
            "Content-Security-Policy-Report-Only"
            if settings.KS_CONTENT_SECURITY_POLICY_REPORT_ONLY
            else "Content-Security-Policy"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        if self.header not in response:
            is_pdf = response.get("Content-Type", "").split(";")[0].strip().lower() == "application/pdf"
            response[self.header] = self.pdf if is_pdf else self.page
        return response


class RequestBodyLimitMiddleware:
    """Refuse a request whose body is larger than ``MAX_REQUEST_BODY_BYTES`` before anything reads it.

    The CSRF check reads the whole form, uploads included, before a view can look at a file's size; without a proxy
    in front of the application server nothing else stops a body of any size. The limit sits above the largest upload
    a form accepts (a council's decision, 10 MB), whose own check gives the message by the field. Answered 413 in the
    user's language, so it belongs after ``LocaleMiddleware`` and before ``CsrfViewMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            text = _("The request is too large: at most %(megabytes)d MB can be sent at once.") % {
                "megabytes": limit // (1024 * 1024)
            }
            return HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
