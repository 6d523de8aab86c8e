"""Who reads outcomes, and the record of each staff read (SPEC.md sections 10 and 11).

- One plan's outcome (``treatment_plan_outcome_read``): clinicians and nurses, who read the whole
  clinical record. Not the front desk or therapists (403), and not through the API for patients
  (403): the baseline is a screening value of the evaluation, which a patient never sees
  (section 4); a patient reads their own answers and totals at ``/api/v1/me/questionnaires/``.
  Every read is in the clinical access log.
- The outcome report (``outcome_report_read``): clinicians and the clinic admin. It counts plans
  and events, not one patient's record, so it is not an access of a record and is not logged.
  The range: clinic-local dates, ``date_to`` not before ``date_from`` (400
  ``invalid_date_range``), at most a year (366 days) in all (400 ``date_range_too_long``).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from django.utils import timezone

from accounts.models import User
from clinical.audit import clinical_audit
from clinical.errors import ClinicalError, ClinicalPermissionError
from clinical.models import ClinicalAccess, TreatmentPlan
from clinical.outcome_selectors import OutcomeReport, PlanOutcome, outcome_report, plan_outcome
from core.roles import CARE_TEAM_ROLES, REPORT_READER_ROLES
from scheduling.selectors import clinic_zone

# The care team reads a plan's outcome. The name stays while web/staff/patients.py, rewritten on
# another branch, imports it; new code asks CARE_TEAM_ROLES.
OUTCOME_READER_ROLES = CARE_TEAM_ROLES
MAX_REPORT_DAYS = 366


def treatment_plan_outcome_read(
    *, actor: User, plan_id: UUID, request_id: str = "", now: datetime | None = None
) -> PlanOutcome:
    now = now or timezone.now()
    if actor.role not in CARE_TEAM_ROLES:
        raise ClinicalPermissionError("Your role does not read treatment outcomes.")
    plan = TreatmentPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise ClinicalError("No such treatment plan.", code="not_found", status_code=404)
    clinical_audit(actor, ClinicalAccess.Action.READ, plan, request_id=request_id, at=now)
    return plan_outcome(plan)


def report_range_check(*, date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise ClinicalError(
            "The range ends before it begins.", code="invalid_date_range", fields={"date_to": ["Before date_from."]}
        )
    if (date_to - date_from).days + 1 > MAX_REPORT_DAYS:
        raise ClinicalError(
            "A report covers at most a year.",
            code="date_range_too_long",
            fields={"date_to": [f"At most {MAX_REPORT_DAYS} days in all."]},
        )


def outcome_report_read(*, actor: User, date_from: date, date_to: date) -> OutcomeReport:
    if actor.role not in REPORT_READER_ROLES:
        raise ClinicalPermissionError("Your role does not read the outcome report.")
    report_range_check(date_from=date_from, date_to=date_to)
    return outcome_report(date_from=date_from, date_to=date_to, zone=clinic_zone())
