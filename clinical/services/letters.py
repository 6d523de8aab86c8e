"""Letters to the referring provider (SPEC.md section 12).

``letter_write``: with the patient's agreement recorded on the evaluation, a clinician writes a
letter after a signed evaluation (``kind="evaluation"``) or after a completed or ended series
(``kind="series"``), with recommendations in their own words. The letter is a PDF drawn from the
record (clinical/letter_pdf.py), kept with the chart and never changed; a correction is a new
letter (``corrects_id``). Writing it publishes ``LetterWritten``: notifications emails the PDF to
the provider through the outbox. A refusal names every reason at once and writes nothing.

``letter_read`` / ``letters_of_patient``: the patient reads their own letters; nurses and
clinicians read any, each read audited; everyone else is refused (403), another patient's letter
is not found (404).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clinical.audit import clinical_audit
from clinical.errors import ClinicalConflictError, ClinicalError, ClinicalPermissionError
from clinical.events import LetterWritten
from clinical.letter_content import letter_content
from clinical.letter_pdf import letter_pdf
from clinical.models import ClinicalAccess, Evaluation, EvaluationStatus, Letter, LetterKind, PlanStatus
from core.events import publish
from core.roles import CARE_TEAM_ROLES, Role

LETTER_WRITER_ROLES = (Role.CLINICIAN,)
LETTER_STAFF_READER_ROLES = CARE_TEAM_ROLES
SERIES_OVER = (PlanStatus.COMPLETED, PlanStatus.DISCONTINUED)
# The refusals' codes, weightiest first: the first that applies names the refusal.
_STATE_CODES = ("no_agreement", "evaluation_not_signed", "series_not_over")


def _problems(
    evaluation: Evaluation, *, kind: str, recommendations: str, corrects: Letter | None, corrects_id: UUID | None
) -> dict[str, tuple[str, str]]:
    """field -> (code, words) for each reason the letter cannot be written."""
    problems: dict[str, tuple[str, str]] = {}
    if evaluation.referring_provider_write_back_agreed is not True:
        problems["agreement"] = ("no_agreement", "The patient has not agreed to the clinic writing to the provider.")
    if evaluation.status != EvaluationStatus.SIGNED:
        problems["evaluation"] = ("evaluation_not_signed", "The evaluation is not signed yet.")
    if kind == LetterKind.SERIES:
        plan = getattr(evaluation, "plan", None)
        if plan is None or plan.status not in SERIES_OVER:
            problems["plan"] = ("series_not_over", "The series is neither completed nor ended.")
    elif kind != LetterKind.EVALUATION:
        problems["kind"] = ("invalid", "Either evaluation or series.")
    if not evaluation.referring_provider_email:
        problems["provider_email"] = ("provider_email_missing", "The evaluation names no provider's email.")
    if not recommendations.strip():
        problems["recommendations"] = ("recommendations_required", "Required.")
    if corrects_id is not None and (corrects is None or corrects.evaluation_id != evaluation.pk):
        problems["corrects_id"] = ("invalid", "A letter of this evaluation.")
    return problems


def _refuse(problems: dict[str, tuple[str, str]]) -> ClinicalError:
    codes = [code for code, _ in problems.values()]
    fields = {name: [words] for name, (_, words) in problems.items()}
    state = [code for code in _STATE_CODES if code in codes]
    if state:
        return ClinicalConflictError("The letter cannot be written yet.", code=state[0], fields=fields)
    return ClinicalError("The letter is not complete.", code=codes[0], fields=fields)


def letter_write(
    *,
    actor: User,
    evaluation_id: UUID,
    kind: str,
    recommendations: str,
    corrects_id: UUID | None = None,
    request_id: str = "",
    now: datetime | None = None,
) -> Letter:
    now = now or timezone.now()
    if actor.role not in LETTER_WRITER_ROLES:
        raise ClinicalPermissionError("Only clinicians write letters.")
    with transaction.atomic():
        evaluation = (
            Evaluation.objects.select_for_update(of=("self",))
            .select_related("appointment__appointment_type__clinic", "patient", "plan")
            .filter(pk=evaluation_id)
            .first()
        )
        if evaluation is None:
            raise ClinicalError("No such evaluation.", code="not_found", status_code=404)
        corrects = Letter.objects.filter(pk=corrects_id).first() if corrects_id is not None else None
        problems = _problems(
            evaluation, kind=kind, recommendations=recommendations, corrects=corrects, corrects_id=corrects_id
        )
        if problems:
            raise _refuse(problems)
        plan = getattr(evaluation, "plan", None) if kind == LetterKind.SERIES else None
        zone = evaluation.appointment.appointment_type.clinic.zone
        content = letter_content(
            evaluation=evaluation,
            plan=plan,
            kind=kind,
            recommendations=recommendations.strip(),
            clinician_name=actor.full_name,
            written_on=now.astimezone(zone).date(),
            corrects_written_on=corrects.written_at.astimezone(zone).date() if corrects is not None else None,
        )
        letter = Letter.objects.create(
            patient=evaluation.patient,
            kind=kind,
            evaluation=evaluation,
            plan=plan,
            corrects=corrects,
            provider_name=evaluation.referring_provider_name,
            provider_email=evaluation.referring_provider_email,
            recommendations=recommendations.strip(),
            pdf=letter_pdf(content),
            written_by=actor,
            written_at=now,
        )
        clinical_audit(actor, ClinicalAccess.Action.CREATE, letter, request_id=request_id, at=now)
        publish(LetterWritten(letter_id=letter.pk, occurred_at=now))
    return letter


def _check_reader(actor: User, letter_patient_id: object) -> bool:
    """True for a staff read (audited); raises for anyone else; the owner reads unaudited."""
    if actor.role in LETTER_STAFF_READER_ROLES:
        return True
    if actor.role == Role.PATIENT and actor.pk == letter_patient_id:
        return False
    if actor.role == Role.PATIENT:
        raise ClinicalError("No such letter.", code="not_found", status_code=404)
    raise ClinicalPermissionError("Only the care team and the patient read letters.")


def letter_read(*, actor: User, letter_id: UUID, request_id: str = "", now: datetime | None = None) -> Letter:
    now = now or timezone.now()
    letter = Letter.objects.select_related("written_by").filter(pk=letter_id).first()
    if letter is None:
        if actor.role not in (*LETTER_STAFF_READER_ROLES, Role.PATIENT):
            raise ClinicalPermissionError("Only the care team and the patient read letters.")
        raise ClinicalError("No such letter.", code="not_found", status_code=404)
    if _check_reader(actor, letter.patient_id):
        clinical_audit(actor, ClinicalAccess.Action.READ, letter, request_id=request_id, at=now)
    return letter


def letters_of_patient(
    *, actor: User, patient_id: UUID, request_id: str = "", now: datetime | None = None
) -> list[Letter]:
    """A patient's letters, oldest first (the chart's list)."""
    now = now or timezone.now()
    staff = _check_reader(actor, patient_id)
    letters = list(Letter.objects.filter(patient_id=patient_id).select_related("written_by").defer("pdf"))
    if staff:
        with transaction.atomic():
            for letter in letters:
                clinical_audit(actor, ClinicalAccess.Action.READ, letter, request_id=request_id, at=now)
    return letters
