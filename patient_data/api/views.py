"""``GET /api/v1/me/export/``: the signed-in patient's own data as JSON (SPEC.md section 11).
Patients only: staff read a patient's data through their own audited pages."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.permissions import role_permission
from core.roles import Role
from patient_data.api.serializers import PatientDataExportSerializer
from patient_data.selectors import patient_data_export


class MyDataExportApi(APIView):
    permission_classes = [role_permission(Role.PATIENT)]

    @extend_schema(
        responses=PatientDataExportSerializer,
        description="Your profile, contact preferences, appointments with their history, the outcome of "
        "your evaluation, your plan and how it is going, your answered questionnaires, your waitlist "
        "entries and the messages sent to you (kind, channel and time: their text is not kept).",
    )
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)  # the role gate let only patients through
        return Response(patient_data_export(patient=request.user, now=timezone.now()))
