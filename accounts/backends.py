"""The lockout's authentication backend (django-axes', for sign-ins that come with a request) and
the client address axes records."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked account before any password is checked. A check without a request (a
    management command, the shell) is nobody guessing over the network: axes would raise, so it
    is let through to the password check alone."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        super().authenticate(request, *args, **kwargs)
        return None


def client_address(request: HttpRequest) -> str:
    """The client's address as the "auth" throttle reads it (DRF, behind settings.NUM_PROXIES
    proxies), so axes records the same one."""
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]  # it reads only META
