"""The steps the demo writes, each through the product's services with the clock it would have had:
a patient's account, an evaluation visit signed with a plan, a check-in's questionnaires, a reading.

Shared by the treatment history (``demo.history``) and today's work (``demo.today``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from accounts.models import PatientProfile, User
from accounts.services import patient_search_text_refresh
from booking.models import Appointment, AppointmentEvent
from booking.services.appointments import appointment_book
from booking.services.lifecycle import appointment_transition
from clinical.models import Questionnaire, QuestionnaireKind
from clinical.services.evaluations import evaluation_create, evaluation_sign, evaluation_update
from clinical.services.infusions import infusion_vitals_record
from clinical.services.questionnaires import questionnaire_answer
from core.roles import Role
from demo.consent import demo_consent_sign
from scheduling.models import AppointmentType

CHECKLIST = {"alert_and_oriented": True, "escort_present": True, "walking_steadily": True, "instructions_given": True}
CALM = (122, 78, 72, 98)  # systolic, diastolic, heart rate, SpO2
HIGH_SYSTOLIC = 184  # past the default threshold of 180: raises an alert


@dataclass(frozen=True)
class Staff:
    admin: User
    nurse: User
    clinician: User


def demo_staff() -> Staff:
    """The demo clinic's logins (``seed_demo``) that write the demo's records."""
    return Staff(
        admin=User.objects.get(email="admin@example.com"),
        nurse=User.objects.get(email="nurse@example.com"),
        clinician=User.objects.get(email="clinician@example.com"),
    )


@dataclass(frozen=True)
class PatientDetails:
    email: str
    first_name: str
    last_name: str
    language: str
    date_of_birth: str
    phone: str


def patient_create(details: PatientDetails, *, password: str) -> User:
    """A patient account with its profile, findable by the staff search."""
    user = User.objects.create_user(
        email=details.email,
        password=password,
        first_name=details.first_name,
        last_name=details.last_name,
        role=Role.PATIENT,
        language=details.language,
    )
    PatientProfile.objects.create(user=user, date_of_birth=details.date_of_birth, phone=details.phone)
    patient_search_text_refresh(user_id=user.pk)
    return user


def evaluate(patient: User, staff: Staff, *, at: datetime, phq9: int, gad7: int) -> None:
    """An evaluation visit at ``at`` (booked five days before), signed by the clinician as a
    candidate with a plan of six infusions: the plan is active from the signature."""
    evaluation_type = AppointmentType.objects.get(code="evaluation")
    visit = appointment_book(
        actor=staff.admin, patient=patient, appointment_type=evaluation_type, starts_at=at, now=at - timedelta(days=5)
    )
    for action, moment in [
        (AppointmentEvent.Action.CHECKED_IN, at - timedelta(minutes=10)),
        (AppointmentEvent.Action.STARTED, at),
        (AppointmentEvent.Action.COMPLETED, at + timedelta(minutes=55)),
    ]:
        appointment_transition(actor=staff.nurse, appointment_id=visit.pk, action=action, now=moment)
    written = at + timedelta(minutes=58)
    evaluation = evaluation_create(actor=staff.clinician, appointment_id=visit.pk, now=written)
    evaluation_update(
        actor=staff.clinician,
        evaluation_id=evaluation.pk,
        changes={
            "phq9_total": phq9,
            "gad7_total": gad7,
            "systolic_bp": 126,
            "diastolic_bp": 80,
            "heart_rate": 74,
            "substance_use": "none",
            "childbearing_potential": "no",
            "contraindications": [],
            "decision": "candidate",
            "rationale": "Two adequate antidepressant trials without response; no contraindication found.",
        },
        plan_changes={
            "infusions_planned": 6,
            "min_days_between": 2,
            "window_days": 21,
            "dose_mg_per_kg": Decimal("0.50"),
            "route": "IV",
            "integration_sessions_planned": 2,
        },
        now=written,
    )
    evaluation_sign(actor=staff.clinician, evaluation_id=evaluation.pk, now=written + timedelta(minutes=5))
    demo_consent_sign(patient, at=written + timedelta(hours=3))  # on /account/, before the first infusion


def answer_forms(
    appointment: Appointment, patient: User, *, phq9: int, gad7: int, at: datetime, self_harm: bool = False
) -> None:
    """The patient answers the infusion's open PHQ-9 and GAD-7 with these totals; ``self_harm``
    answers PHQ-9 item 9 with 1, which raises a self-harm alert for a clinician."""
    totals = {QuestionnaireKind.PHQ9: (phq9, 9), QuestionnaireKind.GAD7: (gad7, 7)}
    for questionnaire in Questionnaire.objects.filter(appointment=appointment, closed_at__isnull=True):
        kind = QuestionnaireKind(questionnaire.kind)
        total, count = totals[kind]
        # Spread the total over the items; the last (PHQ-9 item 9) is 0 unless self-harm is meant.
        last = 1 if self_harm and kind == QuestionnaireKind.PHQ9 else 0
        items = [min(3, max(0, total - 3 * index)) for index in range(count - 1)] + [last]
        items[0] += total - sum(items)
        questionnaire_answer(actor=patient, questionnaire_id=questionnaire.pk, items=items, now=at)


def vitals(appointment: Appointment, nurse: User, *, at: datetime, systolic: int | None = None) -> None:
    """A reading taken at ``at``: calm, or with this systolic pressure."""
    calm_systolic, diastolic, heart_rate, spo2 = CALM
    infusion_vitals_record(
        actor=nurse,
        appointment_id=appointment.pk,
        systolic=systolic or calm_systolic,
        diastolic=diastolic,
        heart_rate=heart_rate,
        spo2=spo2,
        now=at,
    )
