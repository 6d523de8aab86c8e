"""No 500 from a bad date or number anywhere (issue 18, SPEC.md sections 6 and 9): every route of
the URL configuration, called as a role that reaches its view (tests/test_route_permissions.py's
table), with each of its query parameters and body fields replaced in turn by malformed, far or
impossible values, answers a client error, a page or a redirect, never a server error.

Pages also get the query parameters the pages read (``date``, ``day``, ``from``, ``start``,
``date_from``, ``date_to``) added all at once with each bad value: a view reads its own. The
requests are built by tests/route_world.py as for the permission matrix.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
import time_machine

from tests.route_world import NOW, Call, MatrixWorld, request_for
from tests.test_route_permissions import (
    EXPECTED,
    ROLES,
    methods,
    routes,
    send,
    world,  # noqa: F401 (the permission matrix's world, a fixture)
)

pytestmark = pytest.mark.django_db

BAD_DATES = ["2026-13-09", "9999-12-31", "0001-01-01"]
BAD_INSTANTS = [
    "2026-13-09T10:00:00-08:00",  # the issue's: month 13
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
    "2026-12-01T10:00:00",  # no offset
]
BAD_NUMBERS = ["0", "-1", "1e309", "NaN", "99999999999999999999"]
BAD_TIMES = BAD_DATES + BAD_INSTANTS
PAGE_QUERY = ("date", "day", "from", "start", "date_from", "date_to")
TIME_WORDS = ("date", "day", "from", "_to", "start", "_at", "time")
REFUSED_ROLES = {"login", 401, 403, 404, 405}


def first_role_reaching_the_view(pattern: str, method: str) -> str | None:
    """The first role (anonymous first) the permission table lets through to the view."""
    row = EXPECTED.get(pattern, {}).get(method)
    if row is None:
        return None
    for role, cell in zip(ROLES, row, strict=True):
        if cell in REFUSED_ROLES or (isinstance(cell, str) and cell.startswith("→/admin/login")):
            continue
        return role
    return None


def _with_query(url: str, query: dict[str, str]) -> str:
    return f"{url.partition('?')[0]}?{urlencode(query)}" if query else url.partition("?")[0]


def bad_values(name: str) -> list[str]:
    """Dates and instants for a parameter named like one, numbers for the others."""
    return BAD_TIMES if any(word in name for word in TIME_WORDS) else BAD_NUMBERS


def variants(call: Call) -> Iterator[tuple[str, Call]]:
    """The call with one parameter made bad at a time; for pages, also every date parameter the
    pages read set to the same bad value at once (a range from and to one far day)."""
    query = dict(parse_qsl(call.url.partition("?")[2]))
    for name in query:
        for value in bad_values(name):
            yield f"?{name}={value}", Call(call.method, _with_query(call.url, {**query, name: value}), call.body)
    for name, original in (call.body or {}).items():
        if isinstance(original, list | dict):
            continue
        for value in bad_values(name):
            assert call.body is not None
            yield f"{name}={value}", Call(call.method, call.url, {**call.body, name: value})
    if call.method == "GET" and not call.url.startswith("/api/"):
        for value in BAD_TIMES:
            every = dict.fromkeys(PAGE_QUERY, value)
            yield f"?date...={value}", Call(call.method, _with_query(call.url, {**query, **every}), call.body)


def test_no_bad_date_or_number_in_any_route_gives_a_server_error(world: MatrixWorld) -> None:  # noqa: F811
    failures: list[str] = []
    walked = 0
    with time_machine.travel(NOW, tick=False):
        for pattern in routes():
            if pattern == "/admin/":
                continue  # Django's own admin site (its change views have their own tests)
            for method in methods(pattern):
                role = first_role_reaching_the_view(pattern, method)
                if role is None:
                    continue
                call = request_for(world, pattern, method, role)
                for label, bad in variants(call):
                    response: Any = send(world, role, bad)
                    walked += 1
                    if response.status_code >= 500:
                        failures.append(f"{bad.method} {pattern} as {role} with {label}: {response.status_code}")
    assert walked > 800
    assert failures == []
