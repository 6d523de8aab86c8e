"""Reads of alerts (SPEC.md section 10): which alerts an infusion shows, the clinicians' queue, and
the API's list. Reads only; raising and resolving are ``clinical.services.alerts``.

An alert belongs to its infusion: it shows on that infusion's record and board row. A self-harm
answer blocks the start of every infusion of the patient until a clinician acknowledges it, so an
open one shows on its own infusion and on the patient's later ones, never on earlier ones (an
answer given before infusion 5 is not part of infusion 4's record).
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet

from booking.models import Appointment
from clinical.alert_rules import NOTE_ALERT_KINDS
from clinical.models import Alert, AlertKind

ALERT_ROWS = ("patient", "appointment__appointment_type", "questionnaire", "reading", "adverse_event", "resolved_by")


def infusion_alerts_filter(*, appointment_id: object, patient_id: object, starts_at: object) -> Q:
    """The infusion's alerts, and the patient's open self-harm alerts of it or of an earlier one
    (each argument a value, or an expression such as a ``Subquery``, so the caller's one query
    can find them)."""
    return Q(appointment_id=appointment_id) | Q(
        patient_id=patient_id,
        kind=AlertKind.SELF_HARM,
        resolved_at__isnull=True,
        appointment__starts_at__lte=starts_at,
    )


def alerts_of_infusion_filter(appointment: Appointment) -> Q:
    """This infusion's alerts, and the patient's open self-harm alerts of it or of an earlier one."""
    return infusion_alerts_filter(
        appointment_id=appointment.pk, patient_id=appointment.patient_id, starts_at=appointment.starts_at
    )


def open_self_harm_for_board_row() -> QuerySet[Alert]:
    """For a correlated EXISTS over the day's appointments (``OuterRef``): the row's patient has an
    open self-harm alert of this infusion or an earlier one."""
    return Alert.objects.filter(
        patient_id=OuterRef("patient_id"),
        kind=AlertKind.SELF_HARM,
        resolved_at__isnull=True,
        appointment__starts_at__lte=OuterRef("starts_at"),
    )


def alerts_for_clinicians() -> list[Alert]:
    """The clinicians' queue: every open alert, oldest first, with what its row shows loaded (one
    query). A clinician acknowledges those of ``NOTE_ALERT_KINDS`` here; a reading's alert is
    resolved from its session record with the action taken."""
    return list(Alert.objects.select_related(*ALERT_ROWS).filter(resolved_at__isnull=True).order_by("raised_at", "id"))


def clinician_acknowledges(alert: Alert) -> bool:
    return alert.kind in NOTE_ALERT_KINDS


def alerts_list(*, open_only: bool) -> QuerySet[Alert]:
    """Alerts for the API, newest first: the open ones, or all."""
    rows = Alert.objects.order_by("-raised_at", "-id")
    return rows.filter(resolved_at__isnull=True) if open_only else rows
