"""The patient-data access log's one writer (SPEC.md section 11): every staff read of a
patient's data, through the API or the pages, is recorded: who, role, what, which patients,
when, request id.

Views call ``log_patient_reads`` once, after their selector returned, with the ids of the
patients they show (taken from the rows they already have: no query per row). It costs one
INSERT per request whatever the number of patients, and nothing at all for a patient's own
reads or for a read that showed nobody (an empty board or search names no one).

The clinical record keeps its own, finer trail (clinical.models.ClinicalAccess, written by
clinical/audit.py: each read and change of an evaluation, plan, session record, questionnaire);
this log is the coarser one across everything a staff member sees.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from core.models import PatientDataAccess
from core.request_id import request_id_of
from core.roles import STAFF_ROLES


def patient_data_read(
    *, actor: Any, what: str, patient_ids: Iterable[UUID | str | None], request_id: str, at: datetime | None = None
) -> PatientDataAccess | None:
    """Record that ``actor`` read the data of ``patient_ids`` through ``what`` (one INSERT).

    Only staff reads are recorded (a patient reading their own data is no access to log), and
    only reads that showed someone.
    """
    if getattr(actor, "role", None) not in STAFF_ROLES:
        return None
    patients = sorted({str(UUID(str(patient_id))) for patient_id in patient_ids if patient_id is not None})
    if not patients:
        return None
    return PatientDataAccess.objects.create(
        actor=actor,
        actor_role=actor.role,
        what=what,
        patient_ids=patients,
        occurred_at=at or timezone.now(),
        request_id=request_id,
    )


def log_patient_reads(request: HttpRequest, what: str, patient_ids: Iterable[UUID | str | None]) -> None:
    """The view's one call: ``request``'s user and request id, now."""
    patient_data_read(actor=request.user, what=what, patient_ids=patient_ids, request_id=request_id_of(request))


def accesses_naming(queryset: QuerySet[PatientDataAccess], patient_id: UUID) -> QuerySet[PatientDataAccess]:
    """The accesses that read ``patient_id``: a JSON containment test where the database has one
    (PostgreSQL), else a match on the stored text (an id's canonical string is unambiguous)."""
    if connection.features.supports_json_field_contains:
        return queryset.filter(patient_ids__contains=[str(patient_id)])
    return queryset.filter(patient_ids__icontains=f'"{patient_id}"')
