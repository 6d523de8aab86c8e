"""The controlled-substance log's API (SPEC.md section 12), under /api/v1/controlled/.

Nurses and clinicians write (the services' rule: 403 for others); the stock list and the day's
counts are read by nurses, clinicians and the admin (no patient in them); the report and the
inventory by admins and clinicians, JSON or, with ``Accept: text/csv``, CSV (errors always JSON).
Patients reach none of it (403 by role). Each view parses, calls one service or selector, renders;
every answer that names a patient is put in the access log. A witness signs in the body
(``witness_email``, ``witness_password``, ``witness_otp``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from clinical.api.outcomes import AcceptHeaderNegotiation, JsonErrorsSchema
from controlled.api.serializers import (
    WITNESS_CODES,
    ContainerSerializer,
    ContainerWasteInputSerializer,
    CorrectionInputSerializer,
    CountInputSerializer,
    CountSerializer,
    CountStatusSerializer,
    CsvTextRenderer,
    DayQuerySerializer,
    DrawInputSerializer,
    EntrySerializer,
    InfusionKetamineSerializer,
    InventorySerializer,
    RangeQuerySerializer,
    ReceiveInputSerializer,
    ReportSerializer,
    WitnessInputSerializer,
    container_view,
    count_status_view,
    count_view,
    entry_view,
    infusion_view,
    inventory_view,
    report_view,
)
from controlled.exports import inventory_csv, report_csv
from controlled.report import controlled_inventory, controlled_report
from controlled.rules import STOCK_READER_ROLES
from controlled.selectors import count_status, infusion_ketamine, stock_on_hand
from controlled.services.counts import daily_count_record
from controlled.services.infusions import infusion_administration_record, infusion_draw
from controlled.services.stock import container_receive, container_waste, entry_correct
from controlled.witness import WitnessSignature
from core.access_log import log_patient_reads
from core.permissions import role_permission
from core.roles import CARE_TEAM_ROLES, REPORT_READER_ROLES
from core.schema import errors, rules_beyond_schema
from scheduling.selectors import clinic_today, clinic_zone


def _user(request: Request) -> User:
    assert isinstance(request.user, User)  # the role gate let only staff through
    return request.user


def _witness(request: Request, data: dict[str, Any]) -> WitnessSignature:
    http_request: HttpRequest = request._request  # django-axes counts a wrong password against the witness
    return WitnessSignature(
        email=data["witness_email"],
        password=data["witness_password"],
        otp=data["witness_otp"],
        request=http_request,
    )


def _infusion(request: Request, appointment_id: UUID, *, status_code: int = status.HTTP_200_OK) -> Response:
    ketamine = infusion_ketamine(appointment_id=appointment_id)
    log_patient_reads(request, "api:controlled-infusion", [ketamine.appointment.patient_id])
    return Response(infusion_view(ketamine), status=status_code)


class ContainersApi(APIView):
    permission_classes = [role_permission(*STOCK_READER_ROLES)]

    @extend_schema(responses={200: ContainerSerializer(many=True)}, description="Every container with mg left.")
    def get(self, request: Request) -> Response:
        return Response([container_view(row.container) for row in stock_on_hand(today=clinic_today())])

    @extend_schema(
        request=ReceiveInputSerializer,
        responses={201: ContainerSerializer(many=True)},
        extensions=rules_beyond_schema("content_not_exact", "received_on_in_future", "expired_on_receipt"),
        description="A receipt of `number` identical containers (nurses and clinicians).",
    )
    def post(self, request: Request) -> Response:
        payload = ReceiveInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        containers = container_receive(actor=_user(request), **payload.validated_data)
        return Response([container_view(container) for container in containers], status=status.HTTP_201_CREATED)


class ContainerWasteApi(APIView):
    permission_classes = [role_permission(*CARE_TEAM_ROLES)]

    @extend_schema(
        request=ContainerWasteInputSerializer,
        responses={201: EntrySerializer, **errors(409)},
        extensions=rules_beyond_schema(*WITNESS_CODES),
        description="An expired or damaged container wasted whole, before a witness.",
    )
    def post(self, request: Request, container_id: UUID) -> Response:
        payload = ContainerWasteInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        entry = container_waste(
            actor=_user(request),
            container_id=container_id,
            reason=data["reason"],
            note=data["note"],
            witness=_witness(request, data),
        )
        return Response(entry_view(entry), status=status.HTTP_201_CREATED)


class EntryCorrectionApi(APIView):
    permission_classes = [role_permission(*CARE_TEAM_ROLES)]

    @extend_schema(
        request=CorrectionInputSerializer,
        responses={201: EntrySerializer, **errors(409)},
        extensions=rules_beyond_schema("not_correctable", *WITNESS_CODES),
        description="A new entry naming the wrong one, with the change it makes to the balance.",
    )
    def post(self, request: Request, entry_id: int) -> Response:
        payload = CorrectionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        entry = entry_correct(
            actor=_user(request),
            entry_id=entry_id,
            change_mg=data["change_mg"],
            note=data["note"],
            witness=_witness(request, data),
        )
        log_patient_reads(request, "api:controlled-correction", [entry.patient_id])
        return Response(entry_view(entry), status=status.HTTP_201_CREATED)


class InfusionKetamineApi(APIView):
    permission_classes = [role_permission(*CARE_TEAM_ROLES)]

    @extend_schema(responses={200: InfusionKetamineSerializer})
    def get(self, request: Request, appointment_id: UUID) -> Response:
        return _infusion(request, appointment_id)


class InfusionDrawApi(APIView):
    permission_classes = [role_permission(*CARE_TEAM_ROLES)]

    @extend_schema(
        request=DrawInputSerializer,
        responses={201: InfusionKetamineSerializer, **errors(409)},
        extensions=rules_beyond_schema("container_unknown"),
        description="`mg` drawn from a container for this infusion (409 `insufficient_stock` when it holds less).",
    )
    def post(self, request: Request, appointment_id: UUID) -> Response:
        payload = DrawInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        infusion_draw(
            actor=_user(request),
            appointment_id=appointment_id,
            container_id=payload.validated_data["container"],
            mg=payload.validated_data["mg"],
        )
        return _infusion(request, appointment_id, status_code=status.HTTP_201_CREATED)


class InfusionAdministrationApi(APIView):
    permission_classes = [role_permission(*CARE_TEAM_ROLES)]

    @extend_schema(
        request=WitnessInputSerializer,
        responses={201: InfusionKetamineSerializer, **errors(409)},
        extensions=rules_beyond_schema(*WITNESS_CODES),
        description="The session record's dose given, as administered from the draws; the rest of them wasted, "
        "witnessed (no witness needed when nothing is left).",
    )
    def post(self, request: Request, appointment_id: UUID) -> Response:
        payload = WitnessInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        infusion_administration_record(
            actor=_user(request), appointment_id=appointment_id, witness=_witness(request, payload.validated_data)
        )
        return _infusion(request, appointment_id, status_code=status.HTTP_201_CREATED)


class CountsApi(APIView):
    permission_classes = [role_permission(*STOCK_READER_ROLES)]

    @extend_schema(parameters=[DayQuerySerializer], responses={200: CountStatusSerializer})
    def get(self, request: Request) -> Response:
        query = DayQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(count_status_view(count_status(day=query.validated_data["date"])))

    @extend_schema(
        request=CountInputSerializer,
        responses={201: CountSerializer, **errors(409)},
        extensions=rules_beyond_schema("container_not_open", "open_container_missing", *WITNESS_CODES),
        description="Today's count by two staff (nurses and clinicians); one that disagrees with the book raises a "
        "`count_discrepancy` alert.",
    )
    def post(self, request: Request) -> Response:
        payload = CountInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        count = daily_count_record(
            actor=_user(request),
            containers_counted=data["containers_counted"],
            open_ml={item["container"]: item["ml"] for item in data["open_ml"]},
            witness=_witness(request, data),
            note=data["note"],
        )
        return Response(count_view(count), status=status.HTTP_201_CREATED)


class _CsvOrJsonApi(APIView):
    schema = JsonErrorsSchema()
    content_negotiation_class = AcceptHeaderNegotiation
    permission_classes = [role_permission(*REPORT_READER_ROLES)]
    renderer_classes = [JSONRenderer, CsvTextRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)  # a refusal is JSON whatever was asked for
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    def wants_csv(self, request: Request) -> bool:
        return getattr(request.accepted_renderer, "format", "") == "csv"


class ReportApi(_CsvOrJsonApi):
    @extend_schema(
        parameters=[RangeQuerySerializer],
        responses={
            (200, "application/json"): ReportSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="The totals, each container's balances, then every entry."
            ),
        },
        extensions=rules_beyond_schema("invalid_date_range", "date_range_too_long"),
        description="Receipts, draws, administrations, waste and balances for clinic-local dates, both included.",
    )
    def get(self, request: Request) -> Response:
        query = RangeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = controlled_report(**query.validated_data)
        log_patient_reads(request, "api:controlled-report", report.patient_ids)
        zone = clinic_zone()
        return Response(report_csv(report, zone) if self.wants_csv(request) else report_view(report, zone))


class InventoryApi(_CsvOrJsonApi):
    @extend_schema(
        parameters=[DayQuerySerializer],
        responses={
            (200, "application/json"): InventorySerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One container a row, then the total."),
        },
        description="Everything on hand at the close of a clinic day.",
    )
    def get(self, request: Request) -> Response:
        query = DayQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        inventory = controlled_inventory(on=query.validated_data["date"])
        zone = clinic_zone()
        return Response(inventory_csv(inventory, zone) if self.wants_csv(request) else inventory_view(inventory, zone))
