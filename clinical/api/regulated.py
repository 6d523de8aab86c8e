"""The regulated record's API (SPEC.md section 12): the patient's own consent (read, sign), staff's
record of a paper copy and read of a patient's consents, pregnancy tests and the medication list
at an infusion, and a suspended plan's resumption. Each view parses, calls one service, renders;
every staff read is in the patient-data access log (and the clinical access log, by the service)."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from clinical.api.regulated_serializers import (
    ConsentPaperInputSerializer,
    ConsentSignInputSerializer,
    MedicationsAtCheckInSerializer,
    MedicationsReviewInputSerializer,
    MyConsentSerializer,
    PatientConsentSerializer,
    PregnancyTestInputSerializer,
    PregnancyTestsSerializer,
    consent_document_view,
    consent_view,
    medications_view,
    pregnancy_tests_view,
)
from clinical.api.serializers import EvaluationSerializer, evaluation_full_view
from clinical.infusion_rules import RECORD_ROLES
from clinical.services.consent import (
    CONSENT_STAFF_ROLES,
    consent_paper_record,
    consent_sign,
    consent_to_sign,
    consents_of_patient_own,
    consents_of_patient_read,
)
from clinical.services.medications import medications_at_check_in_read, medications_review_record
from clinical.services.pregnancy import pregnancy_test_record, pregnancy_tests_read, treatment_plan_resume
from core.access_log import log_patient_reads
from core.permissions import role_permission
from core.request_id import request_id_of
from core.roles import Role
from core.schema import errors, rules_beyond_schema


def _user(request: Request) -> User:
    assert isinstance(request.user, User)  # the role gate let only these roles through
    return request.user


def _my_consent(patient: User) -> dict[str, object]:
    document = consent_to_sign(patient_id=patient.pk)
    return {
        "to_sign": consent_document_view(document, patient.language) if document is not None else None,
        "signed": [consent_view(consent) for consent in consents_of_patient_own(patient=patient)],
    }


class MyConsentApi(APIView):
    """The signed-in patient's consent: the one to sign now (in their language) and what they signed."""

    permission_classes = [role_permission(Role.PATIENT)]

    @extend_schema(responses=MyConsentSerializer)
    def get(self, request: Request) -> Response:
        return Response(_my_consent(_user(request)))


class MyConsentSignApi(APIView):
    permission_classes = [role_permission(Role.PATIENT)]

    @extend_schema(
        request=ConsentSignInputSerializer,
        responses={201: PatientConsentSerializer, **errors(409)},
        extensions=rules_beyond_schema("invalid", "agreement_required", "not_found"),
        description="Sign the newest treatment consent: the full name as on the account, `agree` true. "
        "409 `consent_version_superseded`, `consent_already_signed`.",
    )
    def post(self, request: Request) -> Response:
        patient = _user(request)
        payload = ConsentSignInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        consent = consent_sign(
            actor=patient,
            document_id=data["document_id"],
            typed_name=data["typed_name"],
            agreed=data["agree"],
            language=data.get("language") or patient.language,
            request_id=request_id_of(request),
        )
        return Response(consent_view(consent), status=status.HTTP_201_CREATED)


class PatientConsentsApi(APIView):
    """A patient's consents for staff (read), and a signed paper copy on file (record)."""

    permission_classes = [role_permission(*CONSENT_STAFF_ROLES)]

    @extend_schema(responses={200: PatientConsentSerializer(many=True)})
    def get(self, request: Request, patient_id: UUID) -> Response:
        consents = consents_of_patient_read(
            actor=_user(request), patient_id=patient_id, request_id=request_id_of(request)
        )
        log_patient_reads(request, "api:patient-consents", [patient_id])
        return Response([consent_view(consent) for consent in consents])

    @extend_schema(
        request=ConsentPaperInputSerializer,
        responses={201: PatientConsentSerializer, **errors(409)},
        extensions=rules_beyond_schema("invalid", "not_found"),
        description="A signed paper copy of a version is on file. 409 `consent_version_superseded`, "
        "`consent_already_signed`.",
    )
    def post(self, request: Request, patient_id: UUID) -> Response:
        payload = ConsentPaperInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        consent = consent_paper_record(
            actor=_user(request), patient_id=patient_id, request_id=request_id_of(request), **payload.validated_data
        )
        return Response(consent_view(consent), status=status.HTTP_201_CREATED)


class InfusionPregnancyTestsApi(APIView):
    permission_classes = [role_permission(*RECORD_ROLES)]

    @extend_schema(responses={200: PregnancyTestsSerializer})
    def get(self, request: Request, appointment_id: UUID) -> Response:
        found = pregnancy_tests_read(
            actor=_user(request), appointment_id=appointment_id, request_id=request_id_of(request)
        )
        log_patient_reads(request, "api:infusion-pregnancy-tests", [found.appointment.patient_id])
        return Response(pregnancy_tests_view(found))

    @extend_schema(
        request=PregnancyTestInputSerializer,
        responses={201: PregnancyTestsSerializer, **errors(409)},
        extensions=rules_beyond_schema("taken_on_out_of_range"),
        description="A result recorded at this infusion. A positive one suspends the plan and alerts a clinician.",
    )
    def post(self, request: Request, appointment_id: UUID) -> Response:
        actor = _user(request)
        payload = PregnancyTestInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        request_id = request_id_of(request)
        pregnancy_test_record(
            actor=actor, appointment_id=appointment_id, request_id=request_id, **payload.validated_data
        )
        found = pregnancy_tests_read(actor=actor, appointment_id=appointment_id, request_id=request_id)
        return Response(pregnancy_tests_view(found), status=status.HTTP_201_CREATED)


class InfusionMedicationsApi(APIView):
    permission_classes = [role_permission(*RECORD_ROLES)]

    @extend_schema(responses={200: MedicationsAtCheckInSerializer, **errors(409)})
    def get(self, request: Request, appointment_id: UUID) -> Response:
        found = medications_at_check_in_read(
            actor=_user(request), appointment_id=appointment_id, request_id=request_id_of(request)
        )
        log_patient_reads(request, "api:infusion-medications", [found.record.patient_id])
        return Response(medications_view(found))

    @extend_schema(
        request=MedicationsReviewInputSerializer,
        responses={200: MedicationsAtCheckInSerializer, **errors(409)},
        extensions=rules_beyond_schema("invalid"),
        description="The check-in review: `no_change`, or `updated` with the whole new list and the allergies "
        "(a new version). 409 `infusion_started`, `record_discharged`.",
    )
    def post(self, request: Request, appointment_id: UUID) -> Response:
        payload = MedicationsReviewInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        found = medications_review_record(
            actor=_user(request),
            appointment_id=appointment_id,
            request_id=request_id_of(request),
            **payload.validated_data,
        )
        return Response(medications_view(found))


class TreatmentPlanResumeApi(APIView):
    permission_classes = [role_permission(Role.CLINICIAN)]

    @extend_schema(
        request=None,
        responses={200: EvaluationSerializer, **errors(404, 409)},
        description="A clinician resumes a suspended plan. 409 `invalid_status`, `active_plan_exists`.",
    )
    def post(self, request: Request, plan_id: UUID) -> Response:
        plan = treatment_plan_resume(actor=_user(request), plan_id=plan_id, request_id=request_id_of(request))
        return Response(evaluation_full_view(plan.evaluation))
