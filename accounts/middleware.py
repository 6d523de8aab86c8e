"""Page sessions end after a while idle (15 minutes for staff, 30 for patients) and after 12
hours in any case (SPEC.md section 11, accounts.session_limits); the API's refresh tokens follow
the same limits (accounts.tokens)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.session_limits import session_absolute_limit, session_idle_limit
from core.roles import Role

SIGNED_IN_AT = "signed_in_at"  # epoch seconds of the sign-in
LAST_SEEN_AT = "last_seen_at"  # epoch seconds of the latest request
# The last-seen time is written at most this often, so a page that polls (the day board every
# 20 s) does not write its session on every request; the idle limit is exact to within it.
WRITE_EVERY_SECONDS = 30
# A request a page makes by itself (the day board's refresh sends this header through htmx's
# hx-headers) is not activity: a board left open does not keep a session alive.
BACKGROUND_HEADER = "X-Background-Refresh"


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(timezone.now().timestamp())
            session = request.session
            signed_in_at = int(session.get(SIGNED_IN_AT, now))
            last_seen_at = int(session.get(LAST_SEEN_AT, now))
            idle_limit = session_idle_limit(getattr(user, "role", Role.PATIENT))
            if now - last_seen_at >= idle_limit or now - signed_in_at >= session_absolute_limit():
                logout(request)  # the request goes on signed out: a gated page sends it to sign in
            else:
                if SIGNED_IN_AT not in session:
                    session[SIGNED_IN_AT] = now
                # Only a read can be "background": a button pressed inside the board still counts.
                background = request.method == "GET" and request.headers.get(BACKGROUND_HEADER) == "1"
                if LAST_SEEN_AT not in session or (not background and now - last_seen_at >= WRITE_EVERY_SECONDS):
                    session[LAST_SEEN_AT] = now
        return self.get_response(request)
