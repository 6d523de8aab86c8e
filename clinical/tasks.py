"""Celery tasks of clinical: no arguments or ids only, a service called, safe to run twice."""

from celery import shared_task

from clinical.services.alerts import alerts_escalate_due


@shared_task(ignore_result=True)
def escalate_alerts() -> int:
    """Beat runs this every minute: alerts unacknowledged 15 minutes go to every clinician (each
    claimed once, so a second run, or two at once, escalate nothing twice)."""
    return len(alerts_escalate_due())
