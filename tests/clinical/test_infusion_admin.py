"""The admin: thresholds are the clinic's to edit; session records, readings, adverse events and
alerts are read-only, and opening one is an audited read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from clinical.models import ClinicalAccess, ClinicThresholds, InfusionRecord, VitalsReading
from core.roles import Role
from tests.accounts.otp import enrolled
from tests.clinical.infusion_fixtures import NORMAL, START, infusion_appointment, reading, start
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The dose limits and the cap, as the change form holds them (SPEC.md's defaults).
DOSE_LIMITS = {
    "iv_dose_min_mg_per_kg": "0.10",
    "iv_dose_max_mg_per_kg": "1.00",
    "im_dose_min_mg_per_kg": "0.10",
    "im_dose_max_mg_per_kg": "1.00",
    "single_dose_cap_mg": "100.0",
}


@pytest.fixture
def admin_client(demo_clinic) -> tuple[Client, object]:
    admin_user = enrolled(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    client = Client()
    client.force_login(admin_user)
    return client, admin_user


def test_an_admin_changes_the_clinics_thresholds(admin_client, demo_clinic):
    client, _ = admin_client
    thresholds = ClinicThresholds.objects.create(clinic=demo_clinic)
    response = client.post(
        f"/admin/clinical/clinicthresholds/{thresholds.pk}/change/",
        {
            "clinic": demo_clinic.pk,
            "systolic_at_least": 170,
            "diastolic_at_least": 105,
            "heart_rate_at_least": 125,
            "heart_rate_at_most": 48,
            "spo2_below": 93,
            "predose_systolic_at_least": 150,
            "predose_diastolic_at_least": 100,
            "predose_heart_rate_at_least": 110,
            "predose_heart_rate_below": 50,
            "predose_spo2_below": 94,
            "discharge_rise_percent": 20,
            "discharge_heart_rate_below": 110,
            "discharge_spo2_at_least": 94,
            **DOSE_LIMITS,
        },
    )
    assert response.status_code == 302
    thresholds.refresh_from_db()
    assert (thresholds.systolic_at_least, thresholds.spo2_below, thresholds.predose_systolic_at_least) == (170, 93, 150)


def test_session_records_are_read_only_and_opening_one_is_audited(admin_client, nurse_user):
    client, admin_user = admin_client
    appointment = infusion_appointment()
    record = start(appointment, nurse_user)
    reading(appointment, nurse_user, at=START + timedelta(minutes=10), **{**NORMAL, "systolic": 190})
    for model in ("infusionrecord", "vitalsreading", "adverseevent", "alert"):
        assert client.get(f"/admin/clinical/{model}/add/").status_code == 403
        assert client.get(f"/admin/clinical/{model}/").status_code == 200
    reading_id = VitalsReading.objects.order_by("-id").values_list("pk", flat=True)[0]
    assert client.get(f"/admin/clinical/infusionrecord/{record.pk}/change/").status_code == 200
    assert client.get(f"/admin/clinical/vitalsreading/{reading_id}/change/").status_code == 200
    response = client.post(f"/admin/clinical/infusionrecord/{record.pk}/change/", {"dose_reason": "x"})
    assert response.status_code == 403
    assert InfusionRecord.objects.get(pk=record.pk).dose_reason == ""
    reads = ClinicalAccess.objects.filter(actor=admin_user, action="read").values_list("object_type", "object_id")
    assert list(reads.order_by("id")) == [("infusionrecord", record.pk), ("infusionrecord", record.pk)]
