"""Fixtures the clinical API tests share."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import User


@pytest.fixture
def clients(users: dict[str, User], client_for: Callable[[User], APIClient]) -> dict[str, APIClient]:
    """A signed-in client per role of the module's ``users`` (made when the test's clock says, so
    the tokens are fresh), plus "anonymous"."""
    made = {role: client_for(user) for role, user in users.items()}
    made["anonymous"] = APIClient()
    return made
