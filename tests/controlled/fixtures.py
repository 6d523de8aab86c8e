"""The controlled-substance log's test world: vials received through the service, an infusion
under way (checked in and started through the real services), a witness who signs with their own
password and the current code of their authenticator (tests/accounts/otp.py computes it as the
app would)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.test import RequestFactory

from accounts.models import User
from booking.models import Appointment
from clinical.services.infusions import infusion_record_update
from controlled.models import Container
from controlled.services.stock import container_receive
from controlled.witness import WitnessSignature
from core.roles import Role
from tests.accounts.otp import enrolled, totp_code
from tests.clinical.infusion_fixtures import START, infusion_appointment, start
from tests.factories import TEST_PASSWORD, UserFactory

DAY = START.date()  # Monday 2026-12-07, the clinic's day
DURING = START + timedelta(minutes=20)  # the infusion under way


def staff(role: str = Role.NURSE, **fields: Any) -> User:
    return enrolled(UserFactory(role=role, **fields))


def vial(actor: User, *, number: int = 1, expires_on: date = date(2027, 6, 30), **terms: Any) -> Container:
    """A 500 mg / 10 mL vial (50 mg/mL) received today; the first of ``number``."""
    values = {
        "product": "Ketamine hydrochloride injection, USP",
        "lot": "KX2291",
        "expires_on": expires_on,
        "concentration_mg_per_ml": Decimal("50.00"),
        "volume_ml": Decimal("10.00"),
        "received_on": DAY,
        "supplier": "Harbor Medical Supply",
        "invoice_number": "INV-40112",
        **terms,
    }
    return container_receive(actor=actor, number=number, now=START - timedelta(hours=2), **values)[0]


def under_way(nurse: User, *, patient: User | None = None, at=START) -> Appointment:
    appointment = infusion_appointment(patient, starts_at=at)
    start(appointment, nurse, at=at)
    return appointment


def dose_given(nurse: User, appointment: Appointment, mg: str, *, weight: str = "70.0") -> None:
    changes: dict[str, Any] = {"weight_kg": Decimal(weight), "dose_given_mg": Decimal(mg)}
    if Decimal(mg) < Decimal(weight) / 2:
        changes["dose_reason"] = "Patient asked to stop early."
    infusion_record_update(actor=nurse, appointment_id=appointment.pk, changes=changes)


def signature(witness: User, *, password: str = TEST_PASSWORD, otp: str | None = None) -> WitnessSignature:
    return WitnessSignature(
        email=witness.email,
        password=password,
        otp=totp_code(witness) if otp is None else otp,
        request=RequestFactory().post("/staff/controlled/"),
    )
