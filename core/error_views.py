"""The 403 page: the site's look, in the user's language, with a way back (``handler403``, ``CSRF_FAILURE_VIEW``).

Under ``/admin/`` a staff user sees it inside the admin (header, sidebar, a link to the admin's front page);
everyone else sees the public site's page with a link to the home page (and to the admin for staff). A form refused
by the CSRF check gets the same page, saying to go back, reload and send the form again.
"""

from django.contrib import admin
from django.http import HttpRequest, HttpResponseForbidden
from django.template import loader
from django.urls import reverse


def _forbidden(request: HttpRequest, *, csrf: bool) -> HttpResponseForbidden:
    user = getattr(request, "user", None)
    is_staff = bool(user is not None and user.is_active and user.is_staff)
    in_admin = request.path.startswith(reverse("admin:index"))
    context = {"csrf_failure": csrf, "is_staff": is_staff}
    if in_admin and is_staff:
        template = "admin/403.html"
        context |= admin.site.each_context(request)
    else:
        template = "403.html"
    return HttpResponseForbidden(loader.render_to_string(template, context, request=request))


def permission_denied(request: HttpRequest, exception=None) -> HttpResponseForbidden:
    return _forbidden(request, csrf=False)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponseForbidden:
    return _forbidden(request, csrf=True)
