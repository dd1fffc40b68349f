"""The answer of a live state document (docs/DESIGN.md §7): the version as the ETag, and 304 without building the
document when the browser already holds that version."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control


def state_response(request: HttpRequest, *, tag: str, document: Callable[[], dict]) -> HttpResponse:
    etag = f'"{tag}"'
    if etag in [value.strip() for value in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = JsonResponse(document())
    response["ETag"] = etag
    # Every browser asks again each time (no-cache) and keeps nothing for others (private, no shared caching).
    patch_cache_control(response, no_cache=True, private=True)
    return response
