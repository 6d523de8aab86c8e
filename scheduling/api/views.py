from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scheduling.api.serializers import AppointmentTypeSerializer
from scheduling.models import AppointmentType


class AppointmentTypeListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=AppointmentTypeSerializer(many=True))
    def get(self, request: Request) -> Response:
        types = AppointmentType.objects.filter(is_active=True).order_by("code")
        return Response(AppointmentTypeSerializer(types, many=True).data)
