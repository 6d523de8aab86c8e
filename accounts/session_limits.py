"""How long a sign-in lasts (SPEC.md section 11), for page sessions (accounts.middleware) and the
API's refresh tokens (accounts.tokens) alike: 15 minutes idle for staff, 30 for patients, and 12
hours from the sign-in in any case (SESSION_IDLE_*_SECONDS, SESSION_ABSOLUTE_SECONDS)."""

from __future__ import annotations

from django.conf import settings

from core.roles import Role


def session_idle_limit(role: str) -> int:
    """Seconds a sign-in of this role may go unused."""
    return settings.SESSION_IDLE_PATIENT_SECONDS if role == Role.PATIENT else settings.SESSION_IDLE_STAFF_SECONDS


def session_absolute_limit() -> int:
    """Seconds a sign-in lasts however busy."""
    return int(settings.SESSION_ABSOLUTE_SECONDS)
