"""The outcome API: one plan's outcome (clinicians and nurses) and the outcome report (clinicians
and the clinic admin), in JSON or, with ``Accept: text/csv``, as CSV. Who may read is the
service's rule (clinical/services/outcomes.py); errors are always JSON."""

from types import SimpleNamespace
from typing import Any
from uuid import UUID

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from clinical.api.outcome_serializers import (
    OutcomeReportCsvRenderer,
    OutcomeReportSerializer,
    PlanOutcomeSerializer,
    ReportQuerySerializer,
    outcome_report_representation,
    plan_outcome_representation,
)
from clinical.models import TreatmentPlan
from clinical.services.outcomes import outcome_report_read, treatment_plan_outcome_read
from core.access_log import log_patient_reads
from core.permissions import role_permission
from core.request_id import request_id_of
from core.roles import REPORT_READER_ROLES
from core.schema import ClinicAutoSchema, errors, rules_beyond_schema


def _user(request: Request) -> User:
    assert isinstance(request.user, User)  # the permission classes let only real users through
    return request.user


class TreatmentPlanOutcomeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PlanOutcomeSerializer, **errors(403)})
    def get(self, request: Request, plan_id: UUID) -> Response:
        outcome = treatment_plan_outcome_read(actor=_user(request), plan_id=plan_id, request_id=request_id_of(request))
        # The outcome names its plan, not the patient: one look-up for the access log.
        patients = TreatmentPlan.objects.filter(pk=plan_id).values_list("patient_id", flat=True)
        log_patient_reads(request, "api:treatment-plan-outcome", patients)
        return Response(plan_outcome_representation(outcome))


class AcceptHeaderNegotiation(DefaultContentNegotiation):
    """The Accept header alone chooses JSON or CSV (SPEC.md section 10): DRF's ``?format=``
    override is off here, so a stray ``format`` in the query is ignored rather than a 404."""

    # The one setting DefaultContentNegotiation reads; the stubs type it as DRF's own settings.
    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)  # type: ignore[assignment]


class JsonErrorsSchema(ClinicAutoSchema):
    """Success in either media type (chosen by the Accept header, no ``format`` parameter); every
    error in JSON only (see ``handle_exception``)."""

    def _get_format_parameters(self) -> list[dict[str, Any]]:
        return []

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        bodies = super()._get_response_bodies(direction)
        for status_code, body in bodies.items():
            if not status_code.startswith("2") and "content" in body:
                body["content"] = {name: media for name, media in body["content"].items() if name == "application/json"}
        return bodies


class OutcomeReportApi(APIView):
    schema = JsonErrorsSchema()
    content_negotiation_class = AcceptHeaderNegotiation
    permission_classes = [role_permission(*REPORT_READER_ROLES)]
    renderer_classes = [JSONRenderer, OutcomeReportCsvRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        # A refusal is the JSON error body whatever the client asked for.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        parameters=[ReportQuerySerializer],
        responses={
            (200, "application/json"): OutcomeReportSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="`figure,value` rows: the same figures, one a row."
            ),
        },
        extensions=rules_beyond_schema("invalid_date_range", "date_range_too_long"),
        description="Clinic-local dates, both included, at most a year. JSON, or CSV with `Accept: text/csv`.",
    )
    def get(self, request: Request) -> Response:
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = outcome_report_read(
            actor=_user(request), date_from=query.validated_data["date_from"], date_to=query.validated_data["date_to"]
        )
        body: Any = outcome_report_representation(report)
        return Response(body)
