import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from scheduling.models import AppointmentType, Room, StaffMember


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Appointments in these states hold their room, staff and patient time; the others free them.
BLOCKING_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.IN_PROGRESS,
    AppointmentStatus.COMPLETED,
)


class Appointment(models.Model):
    """A booked visit and the concrete resources it holds.

    The spans are copied from the appointment type when booked, so a later change to a type's
    durations never moves existing bookings: the patient and staff are held over
    [starts_at, ends_at), the room over [starts_at, room_released_at) (turnover included).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(help_text="When the patient leaves (recovery included).")
    staff_released_at = models.DateTimeField(help_text="When the exclusive staff member is free again.")
    room_released_at = models.DateTimeField(help_text="When the room is ready again (turnover included).")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments")
    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        help_text="The exclusive clinician or therapist.",
    )
    nurse = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="monitored_appointments"
    )
    supervising_clinician = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_appointments",
        help_text="The clinician on duty when the appointment was booked (not exclusive).",
    )
    treatment_plan = models.ForeignKey(
        "clinical.TreatmentPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    status = models.CharField(max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    is_late_cancellation = models.BooleanField(default=False)
    # Day-of readiness, confirmed by the patient after the preparation notice.
    driver_arranged = models.BooleanField(default=False)
    fasting_acknowledged = models.BooleanField(default=False)
    readiness_confirmed_at = models.DateTimeField(null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["patient", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at"))
                & Q(staff_released_at__gt=F("starts_at"))
                & Q(room_released_at__gte=F("ends_at")),
                name="appointment_spans_are_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type} at {self.starts_at:%Y-%m-%d %H:%M} UTC"


class AppointmentEvent(models.Model):
    """Append-only history of an appointment: who changed what, when and why.

    Services only ever insert rows here; on PostgreSQL a trigger refuses UPDATE and DELETE.
    """

    class Action(models.TextChoices):
        BOOKED = "booked", "Booked"
        RESCHEDULED = "rescheduled", "Rescheduled"
        CANCELLED = "cancelled", "Cancelled"
        CHECKED_IN = "checked_in", "Checked in"
        STARTED = "started", "Started"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=16)
    occurred_at = models.DateTimeField()
    from_status = models.CharField(max_length=16, choices=AppointmentStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=AppointmentStatus.choices)
    from_starts_at = models.DateTimeField(null=True, blank=True)
    to_starts_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["appointment", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    CLOSED = "closed", "Closed"


class WaitlistEntry(models.Model):
    """A patient waiting for a time of a type between two clinic-local dates."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.CASCADE, related_name="+")
    date_from = models.DateField()
    date_to = models.DateField()
    status = models.CharField(max_length=8, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["appointment_type", "status", "date_from"])]
        constraints = [
            models.CheckConstraint(condition=Q(date_to__gte=F("date_from")), name="waitlist_range_is_ordered"),
        ]

    def __str__(self) -> str:
        return f"Waitlist entry {self.pk}"


class StaffCalendarFeed(models.Model):
    """A staff member's own upcoming appointments as an .ics subscription behind a secret URL.

    Only the token's SHA-256 is stored: the URL is shown once, when it is made. Revoking sets
    ``revoked_at`` (the row stays, as a record); a person has at most one active feed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True, help_text="sha256 hex of the URL's token.")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_active_calendar_feed_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed {self.pk}"
