"""The regulated record's answers to the start gate (``clinical/regulated_gate.py``): a consent
that covers the infusion's day, and the pregnancy test. Registered by ClinicalConfig.ready()."""

from __future__ import annotations

from booking.models import Appointment
from clinical.regulated_rules import PregnancyStatus
from clinical.services.consent import consent_satisfied_on
from clinical.services.pregnancy import infusion_day, pregnancy_status_of


class ConsentAndPregnancyGate:
    def consent_satisfied(self, appointment: Appointment) -> bool:
        return consent_satisfied_on(patient_id=appointment.patient_id, day=infusion_day(appointment))

    def pregnancy_test_status(self, appointment: Appointment) -> PregnancyStatus:
        return pregnancy_status_of(appointment)
