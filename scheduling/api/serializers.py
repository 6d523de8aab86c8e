from rest_framework import serializers

from scheduling.models import AppointmentType


class AppointmentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppointmentType
        fields = [
            "code",
            "name",
            "duration_minutes",
            "recovery_minutes",
            "grid_minutes",
            "min_notice_minutes",
            "horizon_days",
            "online_booking",
        ]
        read_only_fields = fields
