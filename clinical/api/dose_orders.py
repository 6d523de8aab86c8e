"""The dose orders API (SPEC.md section 12): clinicians write and co-sign, nurses and clinicians
read (every read audited), patients never. Each view parses, calls one service, renders."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from clinical.dose_order_rules import DOSE_ORDER_READER_ROLES, DOSE_ORDER_WRITER_ROLES, DoseOrderScope
from clinical.models import DoseOrder
from clinical.services.dose_orders import (
    Cosignature,
    DoseOrderTerms,
    dose_order_cosign,
    dose_order_create,
    dose_orders_read,
)
from core.access_log import log_patient_reads
from core.permissions import role_permission
from core.request_id import request_id_of
from core.schema import errors, rules_beyond_schema


class DoseOrderInputSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=DoseOrderScope.choices)
    dose_mg_per_kg = serializers.DecimalField(max_digits=4, decimal_places=2, required=False, allow_null=True)
    fixed_dose_mg = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    appointment_id = serializers.UUIDField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=2000, allow_blank=True)
    over_cap_reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class CosignInputSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, allow_blank=True, trim_whitespace=False)
    otp = serializers.CharField(max_length=16, allow_blank=True)


class DoseOrderSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    plan_id = serializers.UUIDField()
    scope = serializers.ChoiceField(choices=DoseOrderScope.choices)
    dose_mg_per_kg = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    fixed_dose_mg = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    appointment_id = serializers.UUIDField(allow_null=True)
    reason = serializers.CharField()
    over_cap_reason = serializers.CharField()
    status = serializers.ChoiceField(choices=[("in_force", "In force"), ("pending", "Waiting for a co-signature")])
    signed_by = serializers.CharField()
    signed_at = serializers.DateTimeField()
    cosigned_by = serializers.CharField(allow_null=True)
    cosigned_at = serializers.DateTimeField(allow_null=True)


def dose_order_view(order: DoseOrder) -> dict[str, Any]:
    cosignature = getattr(order, "cosignature", None)
    pending = order.needs_cosignature and cosignature is None
    return DoseOrderSerializer(
        {
            "id": order.pk,
            "plan_id": order.plan_id,
            "scope": order.scope,
            "dose_mg_per_kg": order.dose_mg_per_kg,
            "fixed_dose_mg": order.fixed_dose_mg,
            "appointment_id": order.appointment_id,
            "reason": order.reason,
            "over_cap_reason": order.over_cap_reason,
            "status": "pending" if pending else "in_force",
            "signed_by": order.signed_by.full_name,
            "signed_at": order.signed_at,
            "cosigned_by": cosignature.cosigned_by.full_name if cosignature else None,
            "cosigned_at": cosignature.cosigned_at if cosignature else None,
        }
    ).data


def _user(request: Request) -> User:
    assert isinstance(request.user, User)  # the role gate let only staff through
    return request.user


class TreatmentPlanDoseOrdersApi(APIView):
    def get_permissions(self) -> list[Any]:
        roles = DOSE_ORDER_WRITER_ROLES if self.request.method == "POST" else DOSE_ORDER_READER_ROLES
        return [role_permission(*roles)()]

    @extend_schema(responses={200: DoseOrderSerializer(many=True), **errors(404)})
    def get(self, request: Request, plan_id: UUID) -> Response:
        plan, orders = dose_orders_read(actor=_user(request), plan_id=plan_id, request_id=request_id_of(request))
        log_patient_reads(request, "api:dose-orders", [plan.patient_id])
        return Response([dose_order_view(order) for order in orders])

    @extend_schema(
        request=DoseOrderInputSerializer,
        responses={201: DoseOrderSerializer, **errors(404, 409)},
        extensions=rules_beyond_schema("dose_out_of_range", "over_cap_reason_required", "invalid"),
    )
    def post(self, request: Request, plan_id: UUID) -> Response:
        payload = DoseOrderInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        order = dose_order_create(
            actor=_user(request),
            plan_id=plan_id,
            terms=DoseOrderTerms(**payload.validated_data),
            request_id=request_id_of(request),
        )
        return Response(dose_order_view(order), status=status.HTTP_201_CREATED)


class DoseOrderCosignApi(APIView):
    permission_classes = [role_permission(*DOSE_ORDER_WRITER_ROLES)]

    @extend_schema(
        request=CosignInputSerializer,
        responses={200: DoseOrderSerializer, **errors(404, 409)},
        extensions=rules_beyond_schema("cosigner_is_author", "cosignature_required", "password_invalid", "otp_invalid"),
    )
    def post(self, request: Request, order_id: UUID) -> Response:
        payload = CosignInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        order = dose_order_cosign(
            actor=_user(request),
            order_id=order_id,
            signature=Cosignature(request=request._request, **payload.validated_data),
            request_id=request_id_of(request),
        )
        return Response(dose_order_view(order))
