"""The session record (GET /api/v1/infusions/{id}/) shows its MOAA/S and CADSS-6 assessments,
oldest first, and costs the same fixed number of queries however many it holds."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinical.models import ScaleAssessment
from tests.clinical.infusion_fixtures import START, infusion_appointment, infusion_url, reading, record_scales, start

pytestmark = pytest.mark.django_db

NOW = START + timedelta(minutes=95)
# Sign-in (the token's user), the audited read (the appointment locked, the record, the audit
# row) and the session selector's reads, the scale assessments' one among them.
RECORD_QUERIES = 16


def test_the_record_shows_its_scale_assessments_oldest_first(demo_clinic, patient, nurse_user, client_for):
    with time_machine.travel(NOW, tick=False):
        appointment = infusion_appointment(patient)
        start(appointment, nurse_user)
        record_scales(appointment, nurse_user, at=START + timedelta(minutes=55), moaas=4, cadss6=(1, 0, 2, 0, 0, 1))
        record_scales(appointment, nurse_user, at=START + timedelta(minutes=50), moaas=3, cadss6=(2, 2, 2, 2, 2, 2))
        body = client_for(nurse_user).get(infusion_url(appointment)).json()
    shown = [
        (
            datetime.fromisoformat(row["assessed_at"]),
            row["moaas"],
            row["cadss6_items"],
            row["cadss6_total"],
            row["recorded_by"],
        )
        for row in body["scale_assessments"]
    ]
    assert shown == [
        (START + timedelta(minutes=50), 3, [2, 2, 2, 2, 2, 2], 12, str(nurse_user.pk)),
        (START + timedelta(minutes=55), 4, [1, 0, 2, 0, 0, 1], 4, str(nurse_user.pk)),
    ]
    ids = [row["id"] for row in body["scale_assessments"]]
    assert ids == [str(pk) for pk in ScaleAssessment.objects.order_by("assessed_at").values_list("pk", flat=True)]


def record_queries(client, appointment) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(infusion_url(appointment)).status_code == 200
    return len(queries)


def test_the_record_costs_the_same_queries_with_one_and_many_assessments(demo_clinic, patient, nurse_user, client_for):
    counts = []
    with time_machine.travel(NOW, tick=False):
        client = client_for(nurse_user)
        appointment = infusion_appointment(patient)
        start(appointment, nurse_user)
        for minutes in range(50, 95, 5):
            reading(appointment, nurse_user, at=START + timedelta(minutes=minutes))
            record_scales(appointment, nurse_user, at=START + timedelta(minutes=minutes))
            counts.append(record_queries(client, appointment))
    assert ScaleAssessment.objects.count() == 9
    assert counts == [RECORD_QUERIES] * 9
