"""``/favicon.ico``: browsers ask for it at the site's root whatever the page links to; it is a static file."""

from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=24 * 60 * 60, public=True)
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Redirect to the icon among the static files (its address carries a hash in production, so not permanently)."""
    return HttpResponseRedirect(static("favicon.ico"))
