"""The clinical gate of the day's transitions (booking/visit_gate.py): an infusion starts only
with its baseline reading, readiness and no unacknowledged self-harm alert, and completes only
by its discharge (SPEC.md section 10).

Booking calls ``check_transition`` inside ``appointment_transition``'s transaction, with the
appointment's row locked (every write to the session record locks that row first), so what the
gate reads cannot change before the transition is written.

The start (409, ``fields.missing`` naming every missing thing; ``code`` the first of them):

- ``self_harm_acknowledgement`` (code ``self_harm_unacknowledged``): any self-harm alert of the
  patient still open, whichever questionnaire raised it;
- ``baseline_reading`` (``baseline_missing``): no reading in the 15 minutes before now;
- ``readiness`` (``readiness_missing``): neither the patient's confirmation (driver arranged and
  fasting acknowledged) nor the nurse's readiness record.

The completion of an infusion without its discharge: 409 ``discharge_required``.
"""

from __future__ import annotations

from datetime import datetime

from booking.models import Appointment, AppointmentEvent
from clinical.errors import ClinicalConflictError
from clinical.models import Alert, AlertKind, InfusionRecord, VitalsReading
from clinical.services.infusions import RECENT_READING

START_CODES = {
    "self_harm_acknowledgement": "self_harm_unacknowledged",
    "baseline_reading": "baseline_missing",
    "readiness": "readiness_missing",
}
START_WORDS = {
    "self_harm_acknowledgement": "a clinician's acknowledgement of the self-harm answer",
    "baseline_reading": "a baseline reading in the last 15 minutes",
    "readiness": "readiness (driver and fasting)",
}


def start_missing(*, appointment: Appointment, now: datetime) -> list[str]:
    """What the start of an infusion still needs, in a fixed order (empty: it may start)."""
    missing = []
    if Alert.objects.filter(
        patient_id=appointment.patient_id, kind=AlertKind.SELF_HARM, resolved_at__isnull=True
    ).exists():
        missing.append("self_harm_acknowledgement")
    record = InfusionRecord.objects.filter(appointment=appointment).first()
    has_baseline = (
        record is not None
        and VitalsReading.objects.filter(record=record, taken_at__gte=now - RECENT_READING, taken_at__lte=now).exists()
    )
    if not has_baseline:
        missing.append("baseline_reading")
    confirmed = appointment.driver_arranged and appointment.fasting_acknowledged
    if not confirmed and (record is None or record.readiness_checked_at is None):
        missing.append("readiness")
    return missing


class ClinicalVisitGate:
    def check_transition(self, *, appointment: Appointment, action: str, now: datetime) -> None:
        if action not in (AppointmentEvent.Action.STARTED, AppointmentEvent.Action.COMPLETED):
            return
        if not appointment.appointment_type.is_infusion:
            return
        if action == AppointmentEvent.Action.STARTED:
            missing = start_missing(appointment=appointment, now=now)
            if missing:
                raise ClinicalConflictError(
                    "The infusion cannot start without " + "; ".join(START_WORDS[item] for item in missing) + ".",
                    code=START_CODES[missing[0]],
                    fields={"missing": missing},
                )
            return
        discharged = InfusionRecord.objects.filter(appointment=appointment, discharged_at__isnull=False).exists()
        if not discharged:
            raise ClinicalConflictError(
                "An infusion is completed by its discharge.",
                code="discharge_required",
                fields={"missing": ["discharge"]},
            )
