"""A series of three infusions of one active plan (0.50 mg/kg IV, the demo clinic's cap 100 mg),
two clinicians enrolled in the second factor, and dose orders written through the service."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.test import RequestFactory

from accounts.models import User
from booking.models import Appointment
from clinical.models import DoseOrder, DoseOrderCosignature, InfusionRecord
from clinical.services.dose_orders import Cosignature, DoseOrderTerms, dose_order_create
from clinical.services.infusions import infusion_record_update
from core.roles import Role
from tests.accounts.otp import enrolled, totp_code
from tests.clinical.infusion_fixtures import START, infusion_appointment
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory


def clinician(**fields: Any) -> User:
    return enrolled(UserFactory(role=Role.CLINICIAN, **fields))


def series(patient: User | None = None) -> list[Appointment]:
    """Infusions on Monday, Wednesday and Friday at 9:00 of one fresh active plan."""
    patient = patient or PatientFactory()
    return [infusion_appointment(patient, starts_at=START + timedelta(days=2 * k)) for k in range(3)]


def weigh(appointment: Appointment, nurse: User, *, kg: str = "70.0", at=None) -> InfusionRecord:
    infusion_record_update(
        actor=nurse, appointment_id=appointment.pk, changes={"weight_kg": Decimal(kg)}, now=at or START
    )
    return InfusionRecord.objects.get(appointment=appointment)


def planned(appointment: Appointment) -> Decimal | None:
    return InfusionRecord.objects.filter(appointment=appointment).values_list("planned_dose_mg", flat=True).first()


def order(author: User, appointment: Appointment, *, at=None, **terms: Any) -> DoseOrder:
    assert appointment.treatment_plan_id is not None
    values: dict[str, Any] = {"scope": "remaining", "reason": "Little response at 0.50 mg/kg.", **terms}
    return dose_order_create(
        actor=author, plan_id=appointment.treatment_plan_id, terms=DoseOrderTerms(**values), now=at or START
    )


def cosignature(user: User, *, password: str = TEST_PASSWORD, otp: str | None = None) -> Cosignature:
    return Cosignature(
        password=password,
        otp=totp_code(user) if otp is None else otp,
        request=RequestFactory().post("/api/v1/dose-orders/"),
    )


def snapshot() -> tuple[list[Any], list[Any], list[Any]]:
    return (
        list(DoseOrder.objects.values_list("id", flat=True)),
        list(DoseOrderCosignature.objects.values_list("id", flat=True)),
        list(InfusionRecord.objects.order_by("id").values_list("id", "planned_dose_mg", "dose_mg_per_kg")),
    )
