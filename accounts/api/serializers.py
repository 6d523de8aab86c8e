from rest_framework import serializers

from accounts.models import User
from core.api_fields import CalendarDateField, StrictCharField


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(max_length=128, write_only=True, trim_whitespace=False)
    first_name = StrictCharField(max_length=80)
    last_name = StrictCharField(max_length=80)
    date_of_birth = CalendarDateField(help_text="In the past.")
    phone = StrictCharField(max_length=32, help_text="A valid phone number; US numbers need no country code.")


class RegisterConfirmInputSerializer(serializers.Serializer):
    token = StrictCharField(
        max_length=1000, help_text="The last part of the emailed link (`/signup/confirm/<token>/`)."
    )
    password = StrictCharField(
        max_length=128,
        write_only=True,
        trim_whitespace=False,
        help_text="The password chosen at the sign-up that sent this link (400 `signup_password_mismatch` when not).",
    )


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


class TokenObtainInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(max_length=128, write_only=True, trim_whitespace=False)
    otp = StrictCharField(
        max_length=32,
        required=False,
        help_text="The 6-digit code of the authenticator app, or a one-time recovery code. Required for staff "
        "and for patients who turned the second factor on (401 `otp_required` without it, `otp_invalid` when wrong "
        "or used already).",
    )


class TokenPairSerializer(serializers.Serializer):
    access = StrictCharField(help_text="Send as `Authorization: Bearer <access>`; lives 10 minutes.")
    refresh = StrictCharField(
        help_text="Trade for a new pair at /auth/token/refresh/, once: it lasts 15 minutes unused for staff, "
        "30 for patients, and never past 12 hours from the sign-in."
    )


class LogoutInputSerializer(serializers.Serializer):
    refresh = StrictCharField(max_length=2000, help_text="The refresh token to revoke.")
    everywhere = serializers.BooleanField(
        default=False, help_text="Also end every other session and token of this account."
    )


class PasswordResetInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInputSerializer(serializers.Serializer):
    uid = StrictCharField(max_length=64, help_text="The `uid` part of the emailed link.")
    token = StrictCharField(max_length=128, help_text="The `token` part of the emailed link.")
    new_password = StrictCharField(max_length=128, write_only=True, trim_whitespace=False)


class DetailSerializer(serializers.Serializer):
    detail = StrictCharField()
