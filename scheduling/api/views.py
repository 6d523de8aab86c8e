from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scheduling.api.serializers import AppointmentTypeSerializer
from scheduling.selectors import appointment_types_offered


class AppointmentTypeListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=AppointmentTypeSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(AppointmentTypeSerializer(appointment_types_offered(), many=True).data)
