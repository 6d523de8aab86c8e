from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.models import User
from clinical.audit import clinical_audit
from clinical.models import AdverseEvent, Alert, ClinicalAccess, ClinicThresholds, InfusionRecord, VitalsReading
from core.admin import PatientReadsLogged, ReadOnlyAdmin
from core.request_id import request_id_of


@admin.register(ClinicalAccess)
class ClinicalAccessAdmin(ReadOnlyAdmin):
    """The audit trail of evaluation records, for admins to read; nobody edits it.

    Evaluations themselves are not in the admin on purpose: every read of one goes through the
    API, which records it here.
    """

    list_display = ["occurred_at", "actor", "actor_role", "action", "object_type", "object_id", "request_id"]
    list_filter = ["action", "actor_role", "object_type"]
    search_fields = ["object_id", "request_id"]
    list_select_related = ["actor"]


@admin.register(ClinicThresholds)
class ClinicThresholdsAdmin(admin.ModelAdmin):
    """The clinic's clinical limits: vital signs alert thresholds (SPEC.md section 10), dose
    limits per route and the single-dose cap (section 4); SPEC.md's defaults until changed."""

    list_display = [
        "clinic",
        "systolic_at_least",
        "diastolic_at_least",
        "heart_rate_at_least",
        "heart_rate_at_most",
        "spo2_below",
        "iv_dose_min_mg_per_kg",
        "iv_dose_max_mg_per_kg",
        "im_dose_min_mg_per_kg",
        "im_dose_max_mg_per_kg",
        "single_dose_cap_mg",
    ]
    fieldsets = [
        (
            "Vital signs alert thresholds",
            {
                "fields": [
                    "clinic",
                    "systolic_at_least",
                    "diastolic_at_least",
                    "heart_rate_at_least",
                    "heart_rate_at_most",
                    "spo2_below",
                ]
            },
        ),
        (
            "Pre-dose limits (the baseline before the start)",
            {
                "fields": [
                    "predose_systolic_at_least",
                    "predose_diastolic_at_least",
                    "predose_heart_rate_at_least",
                    "predose_heart_rate_below",
                    "predose_spo2_below",
                ]
            },
        ),
        (
            "Discharge limits (back near the patient's own baseline)",
            {"fields": ["discharge_rise_percent", "discharge_heart_rate_below", "discharge_spo2_at_least"]},
        ),
        (
            "Dose limits",
            {
                "fields": [
                    ("iv_dose_min_mg_per_kg", "iv_dose_max_mg_per_kg"),
                    ("im_dose_min_mg_per_kg", "im_dose_max_mg_per_kg"),
                    "single_dose_cap_mg",
                ]
            },
        ),
    ]


class AuditedReadOnlyAdmin(PatientReadsLogged, ReadOnlyAdmin):
    """Session records are written only by the services; opening one here is a staff read of a
    patient's clinical data, so it is audited like the API's (the list shows no clinical values),
    and, like every admin page that shows patients, in the patient-data access log."""

    def audited_object(self, obj: Any) -> models.Model:
        """The object the audit trail names (its id is a UUID): the record itself by default."""
        model: models.Model = obj
        return model

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, object_id) if request.method == "GET" else None
        if obj is not None and isinstance(request.user, User):
            clinical_audit(
                request.user,
                ClinicalAccess.Action.READ,
                self.audited_object(obj),
                request_id=request_id_of(request),
                at=timezone.now(),
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(InfusionRecord)
class InfusionRecordAdmin(AuditedReadOnlyAdmin):
    list_display = ["id", "appointment", "started_at", "discharged_at"]
    list_select_related = ["appointment__appointment_type"]


def _record_patient(obj: Any) -> list[UUID | None]:
    return [obj.record.patient_id]


@admin.register(VitalsReading)
class VitalsReadingAdmin(AuditedReadOnlyAdmin):
    list_display = ["id", "record", "taken_at"]
    list_select_related = ["record"]
    patient_ids_of = staticmethod(_record_patient)

    def audited_object(self, obj: Any) -> models.Model:
        record: models.Model = obj.record
        return record


@admin.register(AdverseEvent)
class AdverseEventAdmin(AuditedReadOnlyAdmin):
    list_display = ["id", "record", "occurred_at", "grade", "serious"]
    list_filter = ["code", "grade", "serious"]
    list_select_related = ["record"]
    patient_ids_of = staticmethod(_record_patient)

    def audited_object(self, obj: Any) -> models.Model:
        record: models.Model = obj.record
        return record


@admin.register(Alert)
class AlertAdmin(AuditedReadOnlyAdmin):
    list_display = ["id", "kind", "raised_at", "resolved_at"]
    list_filter = ["kind"]


# The regulated record's admin (consent documents) lives in its own module.
from clinical import admin_regulated  # noqa: E402, F401
