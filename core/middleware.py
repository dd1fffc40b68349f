from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _


class StaffTwoFactorMiddleware:
    """With ``KS_REQUIRE_STAFF_MFA`` on, staff must set up an authenticator app before using staff pages."""

    protected_prefixes = ("/admin/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up_totp(request):
            messages.warning(request, _("Two-factor authentication is required for staff. Set it up to continue."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _must_set_up_totp(self, request) -> bool:
        if not settings.KS_REQUIRE_STAFF_MFA:
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return False
        if not request.path.startswith(self.protected_prefixes):
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
