"""The clinic's home page and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.views.decorators.http import require_POST, require_safe

from accounts.services import user_set_language


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` a form carried, when it points inside this site; otherwise ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return target if target and allowed else fallback


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


def remember_language(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # "Lax" (settings)
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )
    return response


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the pages' language; a signed-in person keeps it for their messages too."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(safe_next(request, "/"))
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        user_set_language(user_id=request.user.pk, language=language)
    activate(language)
    return remember_language(response, language)
