"""Input and output of the infusion session record and of alerts (SPEC.md section 10).

Ranges the services refuse (weight, readings) are stated in the schema from the same constants;
the services answer 400 ``out_of_range`` naming the fields, as for evaluations. Decimals travel
as strings (mg to 0.1, kg to 0.1, mg/kg to 0.01).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from booking.api.serializers import PersonSerializer
from booking.models import AppointmentStatus
from clinical.api.adverse_event_serializers import AdverseEventSerializer
from clinical.api.serializers import WEIGHT_PATTERN, IsoDateTimeField
from clinical.infusion_rules import VITALS_RANGES
from clinical.infusion_selectors import InfusionSession
from clinical.models import AlertAction, AlertKind, MedicationsReview, Route
from clinical.models.infusions import DOSE_GIVEN_MG_RANGE
from clinical.readings_schedule import DueKind, DueStatus
from core.api_fields import (
    OffsetDateTimeField,
    RuledDecimalField,
    RuledIntegerField,
    StrictBooleanField,
    StrictCharField,
)

# 0.1 to 99999.9 mg with at most one decimal (the column's width; the plan decides the rest).
DOSE_MG_PATTERN = r"^(0\.[1-9]|[1-9][0-9]{0,4}(\.[0-9])?)$"

# -- input ------------------------------------------------------------------------------------------


class InfusionRecordUpdateSerializer(serializers.Serializer):
    weight_kg = RuledDecimalField(
        pattern=WEIGHT_PATTERN, max_digits=4, decimal_places=1, required=False, allow_null=True,
        help_text="Measured today; the planned dose follows.",
    )  # fmt: skip
    dose_given_mg = RuledDecimalField(
        pattern=DOSE_MG_PATTERN, rule=DOSE_GIVEN_MG_RANGE, max_digits=6, decimal_places=1, required=False,
        allow_null=True,
        help_text="At most the planned dose; less needs dose_reason.",
    )  # fmt: skip
    dose_reason = StrictCharField(max_length=500, required=False, allow_blank=True)
    readiness_checked = StrictBooleanField(
        required=False, help_text="The nurse's own readiness record (driver and fasting), before the start."
    )
    medications_review = serializers.ChoiceField(
        choices=MedicationsReview.choices,
        required=False,
        allow_blank=True,
        help_text="The nurse's check-in review of the medication list, before the start; blank clears it.",
    )
    infusion_ended_at = OffsetDateTimeField(
        required=False, allow_null=True, help_text="When the infusion was stopped: after the start, not in the future."
    )


def _vital(name: str, **kwargs: Any) -> RuledIntegerField:
    return RuledIntegerField(rule=VITALS_RANGES[name], **kwargs)


class VitalsInputSerializer(serializers.Serializer):
    taken_at = OffsetDateTimeField(required=False, help_text="Now when left out; not in the future.")
    systolic = _vital("systolic")
    diastolic = _vital("diastolic", help_text="Below the systolic.")
    heart_rate = _vital("heart_rate")
    spo2 = _vital("spo2")
    note = StrictCharField(max_length=500, required=False, allow_blank=True)


class DischargeInputSerializer(serializers.Serializer):
    """The checklist; an item left out counts as not ticked (and the refusal names it)."""

    alert_and_oriented = StrictBooleanField(required=False, default=False)
    escort_present = StrictBooleanField(required=False, default=False, help_text="An adult escort is present.")
    walking_steadily = StrictBooleanField(required=False, default=False)
    instructions_given = StrictBooleanField(
        required=False, default=False, help_text="Written discharge instructions were given."
    )


class PredoseOverrideInputSerializer(serializers.Serializer):
    note = StrictCharField(max_length=2000, help_text="Why the infusion may start with this baseline.")


class AlertAcknowledgeSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=AlertAction.choices, required=False, help_text="For a reading's alert: the action taken."
    )
    note = StrictCharField(
        max_length=2000, required=False, allow_blank=True, help_text="Required for a self-harm alert."
    )


# -- output -------------------------------------------------------------------------------------------


class AlertSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=AlertKind.choices)
    appointment = serializers.UUIDField(
        source="appointment_id", allow_null=True, help_text="None for a controlled-substance count discrepancy."
    )
    reasons = serializers.ListField(child=StrictCharField())
    raised_at = IsoDateTimeField()
    resolved_at = IsoDateTimeField(allow_null=True)
    resolved_by = serializers.UUIDField(source="resolved_by_id", allow_null=True)
    action = serializers.ChoiceField(choices=AlertAction.choices, allow_blank=True)
    note = StrictCharField(allow_blank=True)


class PredoseOverrideSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    note = StrictCharField()
    recorded_by = serializers.UUIDField(source="recorded_by_id")
    recorded_at = IsoDateTimeField()


class ReadingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="reading.pk")
    taken_at = IsoDateTimeField(source="reading.taken_at")
    systolic = serializers.IntegerField(source="reading.systolic")
    diastolic = serializers.IntegerField(source="reading.diastolic")
    heart_rate = serializers.IntegerField(source="reading.heart_rate")
    spo2 = serializers.IntegerField(source="reading.spo2")
    note = StrictCharField(source="reading.note", allow_blank=True)
    recorded_by = serializers.UUIDField(source="reading.recorded_by_id")
    past_thresholds = serializers.ListField(
        child=StrictCharField(), help_text="What was past the clinic's thresholds; empty when nothing."
    )


class DueReadingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[DueKind.BASELINE, DueKind.INFUSION, DueKind.RECOVERY, DueKind.DISCHARGE])
    due_at = IsoDateTimeField()
    status = serializers.ChoiceField(choices=[DueStatus.DONE, DueStatus.DUE, DueStatus.OVERDUE, DueStatus.MISSED])
    satisfied_by = IsoDateTimeField(allow_null=True, help_text="When the reading that counts for it was taken.")


class ScaleAssessmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    assessed_at = IsoDateTimeField()
    moaas = serializers.IntegerField(allow_null=True)
    cadss6_items = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    cadss6_total = serializers.IntegerField(allow_null=True)
    recorded_by = serializers.UUIDField(source="recorded_by_id")
    recorded_at = IsoDateTimeField()


class ThresholdsSerializer(serializers.Serializer):
    systolic_at_least = serializers.IntegerField()
    diastolic_at_least = serializers.IntegerField()
    heart_rate_at_least = serializers.IntegerField()
    heart_rate_at_most = serializers.IntegerField()
    spo2_below = serializers.IntegerField()


class InfusionRecordSerializer(serializers.Serializer):
    """The session record, for nurses and clinicians."""

    appointment = serializers.UUIDField(source="appointment.pk")
    status = serializers.ChoiceField(choices=AppointmentStatus.choices, source="appointment.status")
    starts_at = IsoDateTimeField(source="appointment.starts_at", help_text="The booked start.")
    patient = PersonSerializer(source="appointment.patient")
    plan = serializers.UUIDField(source="record.plan_id")
    session_number = serializers.IntegerField(allow_null=True, help_text="Infusion k of the plan's N.")
    sessions_planned = serializers.IntegerField()
    route = serializers.ChoiceField(choices=Route.choices, allow_blank=True, source="appointment.treatment_plan.route")
    weight_kg = serializers.DecimalField(source="record.weight_kg", max_digits=4, decimal_places=1, allow_null=True)
    weight_measured_on = serializers.DateField(
        source="record.weight_measured_on", allow_null=True, help_text="Clinic-local date of the weighing."
    )
    weight_measured_today = serializers.BooleanField(help_text="False: taken over from an earlier visit.")
    dose_mg_per_kg = serializers.DecimalField(
        source="record.dose_mg_per_kg", max_digits=4, decimal_places=2, allow_null=True
    )
    planned_dose_mg = serializers.DecimalField(
        source="record.planned_dose_mg", max_digits=6, decimal_places=1, allow_null=True
    )
    dose_given_mg = serializers.DecimalField(
        source="record.dose_given_mg", max_digits=6, decimal_places=1, allow_null=True
    )
    dose_reason = StrictCharField(source="record.dose_reason", allow_blank=True)
    driver_arranged = serializers.BooleanField(source="appointment.driver_arranged")
    fasting_acknowledged = serializers.BooleanField(source="appointment.fasting_acknowledged")
    readiness_confirmed_by_patient = serializers.BooleanField()
    readiness_checked_at = IsoDateTimeField(source="record.readiness_checked_at", allow_null=True)
    readiness_checked_by = serializers.UUIDField(source="record.readiness_checked_by_id", allow_null=True)
    medications_review = serializers.ChoiceField(
        choices=MedicationsReview.choices, allow_blank=True, source="record.medications_review"
    )
    medications_reviewed_at = IsoDateTimeField(source="record.medications_reviewed_at", allow_null=True)
    predose_overrides = PredoseOverrideSerializer(many=True)
    started_at = IsoDateTimeField(source="record.started_at", allow_null=True)
    infusion_ended_at = IsoDateTimeField(source="record.infusion_ended_at", allow_null=True)
    infusion_ends_at = IsoDateTimeField(allow_null=True, help_text="Recorded, or planned from the start.")
    recovery_ends_at = IsoDateTimeField(allow_null=True, help_text="The earliest discharge.")
    alert_and_oriented = serializers.BooleanField(source="record.alert_and_oriented")
    escort_present = serializers.BooleanField(source="record.escort_present")
    walking_steadily = serializers.BooleanField(source="record.walking_steadily")
    instructions_given = serializers.BooleanField(source="record.instructions_given")
    discharged_at = IsoDateTimeField(source="record.discharged_at", allow_null=True)
    discharged_by = serializers.UUIDField(source="record.discharged_by_id", allow_null=True)
    readings = ReadingSerializer(many=True)
    schedule = DueReadingSerializer(many=True, help_text="Every due reading from the real start; empty before it.")
    adverse_events = AdverseEventSerializer(many=True)
    alerts = AlertSerializer(many=True)
    scale_assessments = ScaleAssessmentSerializer(many=True, help_text="MOAA/S and CADSS-6, oldest first.")
    thresholds = ThresholdsSerializer()


def infusion_session_view(session: InfusionSession) -> dict[str, Any]:
    data: dict[str, Any] = InfusionRecordSerializer(session).data
    return data
