"""The questionnaire API: a patient's due and answered questionnaires, and answering one (the
patient, or a nurse or clinician on the patient's behalf on the visit's day). Who may answer
which questionnaire when is the service's rule (clinical/services/questionnaires.py)."""

from uuid import UUID

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from clinical.api.questionnaire_serializers import (
    MyQuestionnairesSerializer,
    QuestionnaireAnswersInputSerializer,
    QuestionnaireSerializer,
    questionnaire_representation,
)
from clinical.questionnaire_selectors import PatientQuestionnaire, questionnaires_of_patient
from clinical.services.questionnaires import questionnaire_answer
from core.idempotency import idempotent
from core.permissions import role_permission
from core.request_id import request_id_of
from core.roles import Role
from core.schema import IDEMPOTENCY_KEY_PARAMETER, errors, rules_beyond_schema


def _user(request: Request) -> User:
    assert isinstance(request.user, User)  # the permission classes let only real users through
    return request.user


class MyQuestionnairesApi(APIView):
    """The signed-in patient's questionnaires: those due now and those answered."""

    permission_classes = [role_permission(Role.PATIENT)]

    @extend_schema(responses=MyQuestionnairesSerializer)
    def get(self, request: Request) -> Response:
        rows = questionnaires_of_patient(patient_id=_user(request).pk, now=timezone.now())
        return Response(
            {
                "due": [questionnaire_representation(row) for row in rows if row.state == "due"],
                "answered": [questionnaire_representation(row) for row in rows if row.state == "answered"],
            }
        )


class QuestionnaireAnswersApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=QuestionnaireAnswersInputSerializer,
        responses={201: QuestionnaireSerializer, **errors(403, 409)},
        extensions=rules_beyond_schema("invalid_answers"),
        description="Every answer at once, once. 409 `already_answered`, `questionnaire_not_open`, "
        "`questionnaire_closed` (the visit started, or was cancelled or moved), `not_today` (staff "
        "enter answers only on the visit's day). A PHQ-9 item 9 above 0 alerts the clinicians, and so "
        "does a PHQ-9 5 or more above the patient's previous one, or 20 and above.",
    )
    def post(self, request: Request, questionnaire_id: UUID) -> Response:
        actor = _user(request)
        payload = QuestionnaireAnswersInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)

        def create() -> Response:
            questionnaire = questionnaire_answer(
                actor=actor,
                questionnaire_id=questionnaire_id,
                items=payload.validated_data["items"],
                difficulty=payload.validated_data.get("difficulty", ""),
                request_id=request_id_of(request),
            )
            body = questionnaire_representation(PatientQuestionnaire(questionnaire, "answered"))
            return Response(body, status=status.HTTP_201_CREATED)

        return idempotent(
            request, user_id=actor.pk, endpoint=f"questionnaires.answer.{questionnaire_id}", create=create
        )
