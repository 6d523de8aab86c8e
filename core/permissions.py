"""Role gates for whole areas, the same for the API and the pages.

A gate answers one question: may someone of this role come in at all (the staff pages, the
outbox of an appointment)? What a role may do to one object (a nurse may not sign, a patient
sees only their own) is the service's or selector's rule and is checked there, once; an area
whose service checks the role needs no gate here.

API views use ``role_permission(...)`` as a DRF permission class; page views use
``RoleRequiredMixin`` (class-based) or ``role_required(...)`` (function views). Both read the
role groups of ``core.roles``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from core.roles import STAFF_ROLES


def has_role(user: object, roles: Iterable[str]) -> bool:
    """A signed-in, active user whose role is one of ``roles``."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in set(roles)


def role_permission(*roles: str) -> type[BasePermission]:
    """A DRF permission class letting in signed-in users of ``roles`` (401 before sign-in, 403 after)."""

    class RolePermission(BasePermission):
        message = "Your role may not do this."

        def has_permission(self, request: Request, view: APIView) -> bool:
            return has_role(request.user, roles)

    RolePermission.__name__ = f"RolePermission[{','.join(roles)}]"
    return RolePermission


def second_factor_passed(user: object) -> bool:
    """A page session of staff counts only once the second factor passed in it (django-otp's
    OTPMiddleware gives ``user.is_verified()``). Patients are let through: for those who turned
    the factor on, the sign-in itself asks for it before any session begins."""
    if getattr(user, "role", None) not in STAFF_ROLES:
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def _gate(request: HttpRequest, roles: Iterable[str]) -> HttpResponse | None:
    """None to go on; otherwise the answer: sign in first (also staff whose session has not passed
    the second factor), or 403 for a role that may not come in."""
    if not request.user.is_authenticated or not second_factor_passed(request.user):
        return redirect_to_login(request.get_full_path())
    if not has_role(request.user, roles):
        raise PermissionDenied
    return None


class RoleRequiredMixin:
    """For page views: ``allowed_roles`` may come in; others are sent to sign in or refused."""

    allowed_roles: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = _gate(request, self.allowed_roles)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def role_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The same gate for function page views."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refusal = _gate(request, roles)
            return refusal if refusal is not None else view(request, *args, **kwargs)

        return gated

    return decorate
