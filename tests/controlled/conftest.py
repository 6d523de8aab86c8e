from collections.abc import Iterator

import pytest
import time_machine

from accounts.models import User
from core.roles import Role
from tests.controlled.fixtures import DURING, staff


@pytest.fixture
def during() -> Iterator[None]:
    """The clock at 9:20 AM Pacific on the infusion's day, ticking (TOTP codes move with it)."""
    with time_machine.travel(DURING, tick=True):
        yield


@pytest.fixture
def nurse(db) -> User:
    return staff(Role.NURSE, first_name="Nora", last_name="Quinn")


@pytest.fixture
def witness(db) -> User:
    return staff(Role.NURSE, first_name="Wes", last_name="Ito")


@pytest.fixture
def clinician(db) -> User:
    return staff(Role.CLINICIAN, first_name="Cleo", last_name="Park")
