from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
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
