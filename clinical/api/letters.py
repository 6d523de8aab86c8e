"""Letters to the referring provider (SPEC.md section 12): a clinician writes one; the patient
reads their own, nurses and clinicians any (every staff read audited); the PDF downloads as
``application/pdf``. Each view parses, calls one service, renders."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from clinical.models import Letter, LetterKind
from clinical.services.letters import LETTER_WRITER_ROLES, letter_read, letter_write, letters_of_patient
from core.access_log import log_patient_reads
from core.permissions import role_permission
from core.request_id import request_id_of
from core.schema import errors, rules_beyond_schema


class LetterInputSerializer(serializers.Serializer):
    evaluation_id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=LetterKind.choices)
    recommendations = serializers.CharField(max_length=5000, allow_blank=True)
    corrects_id = serializers.UUIDField(required=False, allow_null=True)


class LetterSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    patient_id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=LetterKind.choices)
    evaluation_id = serializers.UUIDField()
    plan_id = serializers.UUIDField(allow_null=True)
    corrects_id = serializers.UUIDField(allow_null=True)
    provider_name = serializers.CharField()
    recommendations = serializers.CharField()
    written_by = serializers.CharField()
    written_at = serializers.DateTimeField()


def letter_view(letter: Letter) -> dict[str, Any]:
    return LetterSerializer(
        {
            "id": letter.pk,
            "patient_id": letter.patient_id,
            "kind": letter.kind,
            "evaluation_id": letter.evaluation_id,
            "plan_id": letter.plan_id,
            "corrects_id": letter.corrects_id,
            "provider_name": letter.provider_name,
            "recommendations": letter.recommendations,
            "written_by": letter.written_by.full_name,
            "written_at": letter.written_at,
        }
    ).data


def letter_pdf_download(letter: Letter) -> HttpResponse:
    """The letter's PDF as kept and sent, as a file to save: the one download of the API, the
    staff page and the patient's page."""
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="letter.pdf"'
    return response


def _user(request: Request) -> User:
    assert isinstance(request.user, User)  # the permission let only real users through
    return request.user


class LetterCreateApi(APIView):
    permission_classes = [role_permission(*LETTER_WRITER_ROLES)]

    @extend_schema(
        request=LetterInputSerializer,
        responses={201: LetterSerializer, **errors(404, 409)},
        extensions=rules_beyond_schema("recommendations_required", "provider_email_missing", "invalid"),
    )
    def post(self, request: Request) -> Response:
        payload = LetterInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        letter = letter_write(actor=_user(request), request_id=request_id_of(request), **payload.validated_data)
        return Response(letter_view(letter), status=status.HTTP_201_CREATED)


class PatientLettersApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: LetterSerializer(many=True), **errors(403, 404)})
    def get(self, request: Request, patient_id: UUID) -> Response:
        letters = letters_of_patient(actor=_user(request), patient_id=patient_id, request_id=request_id_of(request))
        log_patient_reads(request, "api:letters", [patient_id])
        return Response([letter_view(letter) for letter in letters])


class LetterDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: LetterSerializer, **errors(403, 404)})
    def get(self, request: Request, letter_id: UUID) -> Response:
        letter = letter_read(actor=_user(request), letter_id=letter_id, request_id=request_id_of(request))
        log_patient_reads(request, "api:letter", [letter.patient_id])
        return Response(letter_view(letter))


class LetterPdfApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The letter as sent."),
            **errors(403, 404),
        }
    )
    def get(self, request: Request, letter_id: UUID) -> HttpResponse:
        letter = letter_read(actor=_user(request), letter_id=letter_id, request_id=request_id_of(request))
        log_patient_reads(request, "api:letter-pdf", [letter.patient_id])
        return letter_pdf_download(letter)
