from rest_framework import serializers

from accounts.models import User
from core.api_fields import CalendarDateField


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    first_name = serializers.CharField(max_length=80)
    last_name = serializers.CharField(max_length=80)
    date_of_birth = CalendarDateField(help_text="In the past.")
    phone = serializers.CharField(max_length=32, help_text="A valid phone number; US numbers need no country code.")


class ProfileSerializer(serializers.ModelSerializer):
    date_of_birth = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "date_of_birth", "phone"]
        read_only_fields = fields

    def _profile(self, user: User):  # type: ignore[no-untyped-def]
        return getattr(user, "patient_profile", None)

    def get_date_of_birth(self, user: User) -> str | None:
        profile = self._profile(user)
        return profile.date_of_birth.isoformat() if profile else None

    def get_phone(self, user: User) -> str | None:
        profile = self._profile(user)
        return profile.phone if profile else None
