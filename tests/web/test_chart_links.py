"""The staff chart leads to each infusion's session record (for the roles that read them), and
shows the patient's phone as people write it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from booking.models import AppointmentStatus
from scheduling.models import AppointmentType
from tests.clinical.plans import active_plan
from tests.factories import AppointmentFactory
from tests.web.clock import weekday_at

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def infusions(demo_clinic, patient):
    plan = active_plan(patient, signed_at=timezone.now() - timedelta(days=20))
    infusion_type = AppointmentType.objects.get(code="infusion")
    common = {"patient": patient, "appointment_type": infusion_type, "treatment_plan": plan}
    done = AppointmentFactory(**common, starts_at=weekday_at(2, 10) - timedelta(days=10), status="completed")
    ahead = AppointmentFactory(**common, starts_at=weekday_at(2, 10))
    cancelled = AppointmentFactory(**common, starts_at=weekday_at(4, 10), status=AppointmentStatus.CANCELLED)
    return done, ahead, cancelled


def test_a_nurse_opens_each_infusions_session_record_from_the_chart(nurse_user, patient, infusions):
    done, ahead, cancelled = infusions
    client = signed_in(nurse_user)

    chart = client.get(f"/staff/patients/{patient.pk}/").content.decode()

    assert f'href="/staff/infusions/{done.pk}/"' in chart
    assert f'href="/staff/infusions/{ahead.pk}/"' in chart
    assert f'href="/staff/infusions/{cancelled.pk}/"' not in chart
    assert client.get(f"/staff/infusions/{done.pk}/").status_code == 200


def test_an_admin_who_may_not_read_session_records_gets_no_link(admin_user, patient, infusions):
    chart = signed_in(admin_user).get(f"/staff/patients/{patient.pk}/").content.decode()

    assert "/staff/infusions/" not in chart


def test_the_chart_shows_the_phone_as_people_write_it(nurse_user, patient):
    patient.patient_profile.phone = "+15105550142"
    patient.patient_profile.save(update_fields=["phone"])

    chart = signed_in(nurse_user).get(f"/staff/patients/{patient.pk}/").content.decode()

    assert "<dd>(510) 555-0142</dd>" in chart
