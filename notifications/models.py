"""The outbox: every message is a row first, written in the transaction of the change that
causes it; a worker sends each row once (claimed by a conditional update, handed over as in
notifications.delivery) and records the result."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class Kind(models.TextChoices):
    CONFIRMATION = "confirmation", "Booking confirmation"
    REMINDER_24H = "reminder_24h", "Reminder, 24 hours before"
    REMINDER_2H = "reminder_2h", "Reminder, 2 hours before"
    PREPARATION = "preparation", "Preparation notice, 48 hours before"
    CANCELLATION = "cancellation", "Cancellation notice"
    RESCHEDULE = "reschedule", "Reschedule notice"
    RESULT_READY = "result_ready", "Result ready"
    WAITLIST_OFFER = "waitlist_offer", "A time has opened up"
    QUESTIONNAIRE = "questionnaire", "Check-in form open, 72 hours before an infusion"
    # To the referring provider (clinical's letters, SPEC.md section 12), the letter's PDF attached.
    PROVIDER_LETTER = "provider_letter", "Letter to the referring provider"
    CLINICIAN_ALERT = "clinician_alert", "A patient needs a clinician's review (to the clinician responsible)"
    ALERT_ESCALATION = "alert_escalation", "Still unacknowledged after 15 minutes (to every clinician)"


# Kinds that announce a future moment: pointless once it is past, and re-checked at send time.
REMINDER_KINDS = (Kind.REMINDER_24H, Kind.REMINDER_2H, Kind.PREPARATION, Kind.QUESTIONNAIRE)
# Kinds sent to a clinician about an alert (SPEC.md section 10): ``patient`` is then the
# clinician who receives it, ``alert`` the alert, and no appointment is named.
ALERT_KINDS = (Kind.CLINICIAN_ALERT, Kind.ALERT_ESCALATION)
# The kinds written to the patient: not a provider's letter (to the referring provider, by email
# only) nor an alert's message (to a clinician).
PATIENT_KINDS = tuple(kind for kind in Kind if kind != Kind.PROVIDER_LETTER and kind not in ALERT_KINDS)


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"  # claimed by a worker; nothing the provider could act on yet
    DELIVERING = "delivering", "Handed over, awaiting the provider"  # never to be sent again
    SENT = "sent", "Sent"
    # The worker stopped between the hand-over and the provider's answer: delivered or not,
    # nobody knows, and it is not resent. Staff see it on the appointment's notifications.
    UNCONFIRMED = "unconfirmed", "Unconfirmed (check with the patient)"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    SKIPPED = "skipped", "Skipped (too late)"


class ContactPreference(models.Model):
    """Which channels a patient wants; email on and text messages off until they opt in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_preference")
    email_enabled = models.BooleanField(default=True)
    sms_enabled = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Contact preference of {self.user_id}"


class OutboxMessage(models.Model):
    # The recipient: a patient, or for ALERT_KINDS a clinician.
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey(
        "booking.Appointment", on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    alert = models.ForeignKey(
        "clinical.Alert", on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # The appointment start this message speaks of: a moved appointment no longer matches it.
    # (For a waitlist offer: the freed time of the cancelled appointment.)
    regarding_start = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    # A letter to the referring provider: sent to the provider's address, its PDF attached.
    letter = models.ForeignKey("clinical.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="outbox_pending_due"),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="outbox_sending_claimed"),
            models.Index(fields=["claimed_at"], condition=Q(status="delivering"), name="outbox_delivering_claimed"),
        ]
        constraints = [
            # One message of a kind, on a channel, about one start of one appointment: never two.
            models.UniqueConstraint(
                fields=["patient", "appointment", "kind", "channel", "regarding_start"], name="one_message_per_moment"
            ),
            models.UniqueConstraint(fields=["letter"], name="one_message_per_letter"),
            # One message of a kind about an alert, on a channel, to one clinician: never two.
            models.UniqueConstraint(
                fields=["alert", "patient", "kind", "channel"],
                condition=Q(alert__isnull=False),
                name="one_alert_message_per_clinician",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["clinician_alert", "alert_escalation"], alert__isnull=False)
                | (~Q(kind__in=["clinician_alert", "alert_escalation"]) & Q(alert__isnull=True)),
                name="alert_message_names_its_alert",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.channel} ({self.status})"
