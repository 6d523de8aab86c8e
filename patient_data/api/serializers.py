"""The shape of the export, for the schema (the selector builds the body itself): every property,
its type and whether it may be null, so the schema test checks each answer against it."""

from __future__ import annotations

from rest_framework import serializers

from booking.models import AppointmentEvent, AppointmentStatus, WaitlistStatus
from clinical.api.questionnaire_serializers import BAND_CHOICES
from clinical.models import Decision, PlanStatus, QuestionnaireKind
from clinical.scoring import ITEM_RANGE
from core.api_fields import StrictCharField
from notifications.models import Channel, Kind


class ExportProfileSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    first_name = StrictCharField()
    last_name = StrictCharField()
    date_of_birth = serializers.DateField(allow_null=True)
    phone = StrictCharField(allow_null=True)
    language = StrictCharField()


class ExportContactPreferencesSerializer(serializers.Serializer):
    email_enabled = serializers.BooleanField()
    sms_enabled = serializers.BooleanField()


class ExportAppointmentEventSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=AppointmentEvent.Action.choices)
    at = serializers.DateTimeField()
    by = serializers.ChoiceField(choices=[("you", "You"), ("clinic", "The clinic")])
    from_status = serializers.ChoiceField(choices=AppointmentStatus.choices, allow_null=True)
    to_status = serializers.ChoiceField(choices=AppointmentStatus.choices)
    from_starts_at = serializers.DateTimeField(allow_null=True)
    to_starts_at = serializers.DateTimeField(allow_null=True)
    reason = StrictCharField(allow_null=True, help_text="Your own words; a staff member's reason is not given.")


class ExportAppointmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = StrictCharField()
    type_name = StrictCharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=AppointmentStatus.choices)
    is_late_cancellation = serializers.BooleanField()
    room = StrictCharField(allow_null=True)
    staff = StrictCharField(allow_null=True)
    driver_arranged = serializers.BooleanField()
    fasting_acknowledged = serializers.BooleanField()
    readiness_confirmed_at = serializers.DateTimeField(allow_null=True)
    booked_at = serializers.DateTimeField()
    history = ExportAppointmentEventSerializer(many=True)


class ExportEvaluationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    decision = serializers.ChoiceField(choices=Decision.choices)
    signed_on = serializers.DateField(help_text="The clinic's date.")


class ExportPlanProgressSerializer(serializers.Serializer):
    infusions_booked = serializers.IntegerField(min_value=0)
    infusions_completed = serializers.IntegerField(min_value=0)
    integration_sessions_booked = serializers.IntegerField(min_value=0)
    integration_sessions_completed = serializers.IntegerField(min_value=0)


class ExportPlanSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    infusions_planned = serializers.IntegerField(min_value=0)
    integration_sessions_planned = serializers.IntegerField(min_value=0)
    min_days_between = serializers.IntegerField(min_value=0)
    window_days = serializers.IntegerField(min_value=0)
    activated_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    progress = ExportPlanProgressSerializer()


class ExportOutcomeSerializer(serializers.Serializer):
    latest_phq9_total = serializers.IntegerField(min_value=0, max_value=27)
    phq9_max_total = serializers.IntegerField()
    compared_with = serializers.ChoiceField(
        choices=[("first_check_in", "Your first check-in of the plan")],
        allow_null=True,
        help_text="What the change is measured from: your own first PHQ-9 of the plan; none while the latest is it.",
    )
    change_whole_percent = serializers.IntegerField(
        min_value=0, allow_null=True, help_text="How far from your first check-in, unsigned."
    )
    direction = serializers.ChoiceField(
        choices=[("lower", "Lower (better)"), ("higher", "Higher"), ("same", "The same")], allow_null=True
    )
    response = serializers.BooleanField(help_text="At least 50% below your first check-in.")
    remission = serializers.BooleanField(
        help_text="The latest total is below 5, from a first check-in of 10 or more (SPEC.md section 10)."
    )


class ExportQuestionnaireSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=QuestionnaireKind.choices)
    appointment = serializers.UUIDField(help_text="The visit it came before.")
    items = serializers.ListField(child=serializers.IntegerField(min_value=ITEM_RANGE[0], max_value=ITEM_RANGE[1]))
    total = serializers.IntegerField(min_value=0, max_value=27)
    max_total = serializers.IntegerField()
    band = serializers.ChoiceField(choices=BAND_CHOICES)
    answered_at = serializers.DateTimeField()
    on_behalf = serializers.BooleanField(help_text="Entered by staff for you.")


class ExportWaitlistEntrySerializer(serializers.Serializer):
    type = StrictCharField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    status = serializers.ChoiceField(choices=WaitlistStatus.choices)


class ExportMessageSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    appointment = serializers.UUIDField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    confirmed = serializers.BooleanField(help_text="False when the provider never answered (it may have arrived).")


class ExportMessagesSerializer(serializers.Serializer):
    note = StrictCharField(help_text="Why only the kind, channel and time of each message are given.")
    sent = ExportMessageSerializer(many=True)


class PatientDataExportSerializer(serializers.Serializer):
    format_version = serializers.IntegerField(min_value=1)
    exported_at = serializers.DateTimeField()
    time_zone = StrictCharField(help_text="The clinic's zone: every instant carries its offset.")
    profile = ExportProfileSerializer()
    contact_preferences = ExportContactPreferencesSerializer()
    appointments = ExportAppointmentSerializer(many=True)
    evaluation = ExportEvaluationSerializer(allow_null=True, help_text="Your latest signed evaluation.")
    treatment_plan = ExportPlanSerializer(allow_null=True)
    treatment_outcome = ExportOutcomeSerializer(allow_null=True)
    questionnaires = ExportQuestionnaireSerializer(many=True, help_text="Answered ones, earliest first.")
    waitlist = ExportWaitlistEntrySerializer(many=True)
    messages = ExportMessagesSerializer()
