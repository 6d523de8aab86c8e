"""Error pages: the API answers in JSON (core.errors), the pages in HTML, by path."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core import errors as api_errors
from web.query import BadQueryValue


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api_errors.json_bad_request(request, exception)
    bad_value = isinstance(exception, BadQueryValue)  # a date or time in the address (web/query.py)
    return render(request, "web/error.html", {"status": 400, "bad_value": bad_value}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api_errors.json_permission_denied(request, exception)
    return render(request, "web/error.html", {"status": 403}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api_errors.json_not_found(request, exception)
    return render(request, "web/error.html", {"status": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return api_errors.json_server_error(request)
    # No context processors here: the database may be what failed.
    return render(request, "web/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "web/error.html", {"status": 403, "csrf": True}, status=403)
