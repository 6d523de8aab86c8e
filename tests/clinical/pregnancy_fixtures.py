"""Infusions whose plan's evaluation asks for pregnancy tests, and tests recorded through the real
service (a positive one suspends the plan), for the pregnancy tests' service and page tests."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from accounts.models import User
from booking.models import Appointment
from clinical.models import PregnancyTest
from clinical.services.pregnancy import pregnancy_test_record
from tests.clinical.infusion_fixtures import CHECK_IN, START, infusion_appointment

DAY = START.date()


def infusion(patient: User | None = None, *, childbearing_potential: str = "yes") -> Appointment:
    """An infusion whose plan's signed evaluation says ``childbearing_potential``."""
    appointment = infusion_appointment(patient, starts_at=START, childbearing_potential=childbearing_potential)
    return Appointment.objects.select_related("appointment_type__clinic", "treatment_plan").get(pk=appointment.pk)


def plan_of(appointment: Appointment) -> UUID:
    assert appointment.treatment_plan_id is not None
    return appointment.treatment_plan_id


def record(appointment: Appointment, nurse: User, *, result: str = "negative", taken_on: date = DAY) -> PregnancyTest:
    return pregnancy_test_record(
        actor=nurse, appointment_id=appointment.pk, result=result, taken_on=taken_on, now=CHECK_IN
    )


def suspended_infusion(nurse: User, patient: User | None = None, *, taken_on: date = DAY) -> Appointment:
    """An infusion whose plan a positive test, recorded by ``nurse``, suspended."""
    appointment = infusion(patient)
    record(appointment, nurse, result="positive", taken_on=taken_on)
    return appointment
