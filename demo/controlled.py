"""The demo history's controlled-substance log (SPEC.md section 12), written through its services
as the nurse would have, step by step with each step's clock:

- a box of vials received before the first evaluation (50 mg/mL x 10 mL, one vial per patient, so
  each vial's entries come in the order they happened);
- for every infusion the history gives, a draw just after the start and, once the dose given is on
  the session record, the administration; the nurse draws the dose exactly, except on two
  infusions, where the rest of a rounded-up draw is wasted before the clinician as witness, who
  signs with their password and a code of their authenticator;
- no count today: the day board shows today's count due.

The witness's codes are computed from the clinician's enrolled device as their app would
(django-otp's own TOTP); a device takes each 30-second step once, so the demo keeps to two wastes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from booking.models import Appointment
from clinical.models import InfusionRecord
from controlled.models import Container
from controlled.services.infusions import infusion_administration_record, infusion_draw
from controlled.services.stock import container_receive
from controlled.witness import WitnessSignature

FIVE_MG = Decimal("5")  # a draw rounded up to the next 0.1 mL of a 50 mg/mL vial


@dataclass
class ControlledDemo:
    nurse: User
    witness: User
    password: str  # the staff's password (seed_demo's), which the witness signs with
    waste_on: set[tuple[str, int]]  # (patient email, infusion number) whose draw is rounded up
    vials: dict[str, Container] = field(default_factory=dict)
    codes_used: int = 0

    def receive(self, *, emails: list[str], on: date, at: datetime) -> None:
        received = container_receive(
            actor=self.nurse,
            product="Ketamine hydrochloride injection, USP",
            lot="KX2291",
            expires_on=on + timedelta(days=540),
            concentration_mg_per_ml=Decimal("50.00"),
            volume_ml=Decimal("10.00"),
            received_on=on,
            supplier="Harbor Medical Supply",
            invoice_number="INV-40112",
            number=len(emails),
            now=at,
        )
        self.vials = dict(zip(emails, received, strict=True))

    def draw(self, appointment: Appointment, *, email: str, number: int, at: datetime) -> None:
        planned = InfusionRecord.objects.values_list("planned_dose_mg", flat=True).get(appointment=appointment)
        assert planned is not None  # the weight was recorded before the start
        mg = planned
        if (email, number) in self.waste_on:
            mg = ((planned / FIVE_MG).to_integral_value(rounding=ROUND_CEILING) + 1) * FIVE_MG
        infusion_draw(actor=self.nurse, appointment_id=appointment.pk, container_id=self.vials[email].pk, mg=mg, now=at)

    def administer(self, appointment: Appointment, *, email: str, number: int, at: datetime) -> None:
        witness = self._signature() if (email, number) in self.waste_on else None
        infusion_administration_record(actor=self.nurse, appointment_id=appointment.pk, witness=witness, now=at)

    def _signature(self) -> WitnessSignature:
        return WitnessSignature(email=self.witness.email, password=self.password, otp=self._next_code())

    def _next_code(self) -> str:
        """The code of the step before now, then of now: the two a device takes in one moment."""
        device = TOTPDevice.objects.get(user=self.witness, confirmed=True)
        # The steps on the clock, not the device's learnt drift (which moves with each code taken).
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, drift=self.codes_used - 1)
        self.codes_used += 1
        return f"{totp.token():0{device.digits}d}"
