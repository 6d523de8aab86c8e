"""``Cache-Control: no-store`` on every answer that can carry a patient's data (issue 18, SPEC.md
section 11): no page, API answer (JSON, CSV, a calendar), redirect or error of the app is kept by
the browser's cache or a shared one. Set once for every response (core/cache_policy.py); static
files are served before it (whitenoise) and stay cacheable.

Walks every route of the URL configuration as built for the permission matrix
(tests/route_world.py): GET and the other methods, as a patient, a clinician, a nurse and nobody.
"""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from tests.route_world import NOW, MatrixWorld, request_for
from tests.test_route_permissions import (
    ENDS_ACCESS,
    fresh_user,
    methods,
    routes,
    send,
    world,  # noqa: F401 (the permission matrix's world, a fixture)
)

pytestmark = pytest.mark.django_db

WALKED_ROLES = ("anonymous", "patient", "nurse", "clinician")


def test_every_answer_of_every_route_says_no_store(world: MatrixWorld) -> None:  # noqa: F811
    stored: list[str] = []
    walked = 0
    with time_machine.travel(NOW, tick=False):
        for pattern in routes():
            for method in methods(pattern):
                for role in WALKED_ROLES:
                    user = fresh_user(role) if pattern in ENDS_ACCESS and role != "anonymous" else None
                    response: Any = send(world, role, request_for(world, pattern, method, role), user=user)
                    walked += 1
                    policy = response.get("Cache-Control", "")
                    if "no-store" not in policy:
                        stored.append(f"{method} {pattern} as {role}: {response.status_code} {policy!r}")
    assert walked > 400
    assert stored == []


def test_the_patients_export_and_chart_say_no_store_and_nothing_else_caches_them(world: MatrixWorld) -> None:  # noqa: F811
    patient_page = send(world, "patient", request_for(world, "/account/", "GET", "patient"))
    export = send(world, "patient", request_for(world, "/api/v1/me/export/", "GET", "patient"))
    chart = send(world, "nurse", request_for(world, "/staff/patients/<uuid:patient_id>/", "GET", "nurse"))

    for response in (patient_page, export, chart):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
        assert "max-age" not in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
