"""Who is acting on a page: the signed-in user, once ``role_required`` has let them through."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User


def actor_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # role_required lets only a signed-in user with a role through
    return request.user
