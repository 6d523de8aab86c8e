"""The day's schedule API: the day's non-cancelled appointments by start, for the people who run
the day, with "infusion k of N" of the treatment plan (and its dose and route for the care team).
The rows come from ``clinical.schedule_selectors``; an appointment's own fields are rendered as
booking's API renders them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from booking.api.serializers import StaffAppointmentSerializer, appointment_representation
from clinical.schedule_selectors import ScheduleRow, schedule_of
from core.access_log import log_patient_reads
from core.api_fields import CalendarDateField, StrictCharField
from core.permissions import role_permission
from core.roles import CARE_TEAM_ROLES, STAFF_ROLES


class ScheduleQuerySerializer(serializers.Serializer):
    date = CalendarDateField(required=False, help_text="Today (clinic time) when left out.")


class SchedulePlanSerializer(serializers.Serializer):
    session_number = serializers.IntegerField(allow_null=True)
    sessions_planned = serializers.IntegerField(allow_null=True)
    dose_mg_per_kg = StrictCharField(required=False, allow_null=True, help_text="Nurses and clinicians only.")
    route = StrictCharField(required=False, help_text="Nurses and clinicians only.")


class ReadinessSerializer(serializers.Serializer):
    driver_arranged = serializers.BooleanField()
    fasting_acknowledged = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField(allow_null=True)


class ScheduleRowSerializer(StaffAppointmentSerializer):
    plan = SchedulePlanSerializer(allow_null=True, help_text="For sessions of a treatment plan: k of N.")
    readiness = ReadinessSerializer(allow_null=True, help_text="For visits that need preparation.")


class ScheduleSerializer(serializers.Serializer):
    date = serializers.DateField()
    timezone = StrictCharField()
    appointments = ScheduleRowSerializer(many=True)


def schedule_row_representation(row: ScheduleRow, *, care_team: bool) -> dict[str, Any]:
    """An appointment on the day's schedule: who, where, and for plan sessions "k of N" (with the
    plan's dose and route for the care team)."""
    body = appointment_representation(row.appointment, for_staff=True)
    plan = row.appointment.treatment_plan
    body["readiness"] = None
    if row.appointment.appointment_type.preparation_notice:
        # Who has not confirmed a driver yet: the nurses call them before the day.
        body["readiness"] = {
            "driver_arranged": row.appointment.driver_arranged,
            "fasting_acknowledged": row.appointment.fasting_acknowledged,
            "confirmed_at": row.appointment.readiness_confirmed_at.isoformat()
            if row.appointment.readiness_confirmed_at
            else None,
        }
    body["plan"] = None
    if plan is not None:
        body["plan"] = {"session_number": row.session_number, "sessions_planned": row.sessions_planned}
        if care_team:
            body["plan"]["dose_mg_per_kg"] = str(plan.dose_mg_per_kg) if plan.dose_mg_per_kg is not None else None
            body["plan"]["route"] = plan.route
    return body


class ScheduleApi(APIView):
    """The day's non-cancelled appointments by start, for the people who run the day."""

    permission_classes = [role_permission(*STAFF_ROLES)]

    @extend_schema(parameters=[ScheduleQuerySerializer], responses=ScheduleSerializer)
    def get(self, request: Request) -> Response:
        viewer = request.user
        assert isinstance(viewer, User)  # the role permission let only signed-in staff through
        query = ScheduleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        schedule = schedule_of(day=query.validated_data.get("date"))
        log_patient_reads(request, "api:schedule", [row.appointment.patient_id for row in schedule.rows])
        care_team = viewer.role in CARE_TEAM_ROLES  # dose and route are for the care team
        return Response(
            {
                "date": schedule.day.isoformat(),
                "timezone": str(schedule.zone),
                "appointments": [schedule_row_representation(row, care_team=care_team) for row in schedule.rows],
            }
        )
