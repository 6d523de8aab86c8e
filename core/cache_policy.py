"""No cache keeps what the app answers (SPEC.md section 11, issue 18): every response made here
(pages, the API's JSON and CSV, calendars, redirects, errors) says ``Cache-Control: no-store``,
so a patient's chart, answers or export never stays in a browser's cache or a shared one.

One rule at the root rather than a decorator per view: a view added tomorrow is covered. Static
files are served by whitenoise before this middleware and keep their long cache. A view that
answers something no one's data is in and wants it cached says so with ``public`` in its own
``Cache-Control``; none does today. A view's own ``no-cache`` (the day board revalidates by ETag)
stays beside ``no-store``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "public" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True)
        return response
