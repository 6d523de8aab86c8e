"""A plan is completed when its last planned infusion is: clinical listens to booking's
appointment changes (``core.events``) inside the same transaction."""

from __future__ import annotations

from booking.events import AppointmentChanged
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from clinical.models import PlanStatus, TreatmentPlan
from scheduling.models import PlanCounter


def plan_complete_when_done(event: object) -> None:
    if not isinstance(event, AppointmentChanged) or event.action != AppointmentEvent.Action.COMPLETED:
        return
    appointment = Appointment.objects.select_related("treatment_plan", "appointment_type").get(pk=event.appointment_id)
    plan = appointment.treatment_plan
    if plan is None or not appointment.appointment_type.is_infusion:
        return
    done = Appointment.objects.filter(
        treatment_plan=plan,
        appointment_type__counts_against_plan=PlanCounter.INFUSIONS,
        status=AppointmentStatus.COMPLETED,
    ).count()
    if done >= plan.infusions_planned:
        TreatmentPlan.objects.filter(pk=plan.pk, status=PlanStatus.ACTIVE).update(
            status=PlanStatus.COMPLETED, ended_at=event.occurred_at, ended_reason="All planned infusions completed."
        )
