"""The clinic's calendar: who and what exists, when it works, and what can be booked.

Weekly hours are local wall-clock times (a 09:00-17:00 day stays 09:00-17:00 across daylight
saving); exceptions (time off, room outages) are instants in UTC; closures are local dates; an
extra opening is a local date with its own blocks and staff, and replaces that day's schedule.
"""

import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from scheduling.openings import block_problems


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(f"{value!r} is not a known time zone.") from error


def default_time_zone() -> str:
    return str(settings.CLINIC_TIME_ZONE)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Clinic(models.Model):
    name = models.CharField(max_length=120, help_text="Neutral name used in messages to patients.")
    time_zone = models.CharField(max_length=64, default=default_time_zone, validators=[validate_time_zone])
    address = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    # Changes in the same transaction as any edit of the calendar (scheduling.calendar_version):
    # searches cache the calendar under it. A fresh random value, not a counter, so that a rolled
    # back transaction can never bring an old number back with other data behind it.
    calendar_version = models.UUIDField(default=uuid.uuid4, editable=False)

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class ClinicHours(models.Model):
    """One opening block of a weekday, local time; a day may have several."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name_plural = "clinic hours"
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="clinic_hours_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class ClinicClosure(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="closures")
    closed_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["closed_on"]
        constraints = [models.UniqueConstraint(fields=["clinic", "closed_on"], name="one_closure_per_clinic_day")]

    def __str__(self) -> str:
        return f"Closed {self.closed_on}"


class RoomKind(models.TextChoices):
    CONSULT = "consult", "Consult room"
    INFUSION = "infusion", "Infusion room"


class Room(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=16, choices=RoomKind.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name"], name="unique_room_name_per_clinic")]

    def __str__(self) -> str:
        return self.name


class RoomOutage(models.Model):
    """A room out of service (maintenance, repairs) for a range of instants."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="outages")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["ends_at", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="room_outage_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.room} out of service from {self.starts_at:%Y-%m-%d %H:%M}"


class StaffMember(models.Model):
    """A bookable person. Their role (nurse, clinician, therapist) is the user's role."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_member")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="staff")
    is_active = models.BooleanField(default=True)
    # E.164; a clinician's alerts (SPEC.md section 10) come by text message here too.
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +14155550123")

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return str(self.user)


class WorkingHours(models.Model):
    """One working block of a weekday, local time; a day may have several."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts_at"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="working_hours_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class TimeOff(models.Model):
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "time off"
        indexes = [models.Index(fields=["ends_at", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="time_off_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} off from {self.starts_at:%Y-%m-%d %H:%M}"


class ClinicOpening(models.Model):
    """An extra opening (a clinic exception): on ``opens_on`` the clinic is open for this opening's
    blocks, and only the staff listed work, for those blocks.

    The opening is the whole schedule of its date, on a closed day (a weekday without clinic hours,
    or a date with a closure: the opening wins, as the later, more specific decision) and on an
    ordinary clinic day alike (list the usual staff and hours as well to extend one): the weekly
    clinic hours and every staff member's weekly hours do not apply that date. Time off and room
    outages still do. Blocks are local wall-clock times inside the date (00:00 to 23:59); a block
    that begins or ends at a local time that does not exist that day (clocks going forward) is
    refused, so no start inside the gap is ever offered.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="openings")
    opens_on = models.DateField(help_text="The local date the clinic opens.")
    staff = models.ManyToManyField(
        StaffMember,
        related_name="openings",
        blank=True,
        help_text="The staff on duty that day, for every block; nobody else works that date.",
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["opens_on"]
        constraints = [models.UniqueConstraint(fields=["clinic", "opens_on"], name="one_opening_per_clinic_day")]

    def __str__(self) -> str:
        return f"Open {self.opens_on}"


class ClinicOpeningHours(models.Model):
    """One block of an extra opening, local time on the opening's date; an opening may have several."""

    opening = models.ForeignKey(ClinicOpening, on_delete=models.CASCADE, related_name="hours")
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["opens_at"]
        verbose_name_plural = "clinic opening hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="clinic_opening_hours_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opens_at:%H:%M}-{self.closes_at:%H:%M}"

    def clean(self) -> None:
        try:
            opening = self.opening  # possibly not saved yet (the admin's add page)
        except ClinicOpening.DoesNotExist:
            return
        if self.opens_at is None or self.closes_at is None or opening.opens_on is None or not opening.clinic_id:
            return
        problems = block_problems(day=opening.opens_on, block=(self.opens_at, self.closes_at), zone=opening.clinic.zone)
        if problems:
            raise ValidationError(problems)


class StaffRole(models.TextChoices):
    """The roles that can be booked (a subset of accounts.Role)."""

    NURSE = "nurse", "Nurse"
    CLINICIAN = "clinician", "Clinician"
    THERAPIST = "therapist", "Therapist"


class OnlineBooking(models.TextChoices):
    ANY_PATIENT = "any_patient", "Any registered patient"
    ACTIVE_PLAN = "active_plan", "Patients with an active treatment plan"
    STAFF_ONLY = "staff_only", "Staff only"


class PlanCounter(models.TextChoices):
    INFUSIONS = "infusions", "The plan's infusions"
    INTEGRATION_SESSIONS = "integration_sessions", "The plan's integration sessions"


class AppointmentType(models.Model):
    """What can be booked and what it needs. Times:

    - the patient is at the clinic for ``duration + recovery`` minutes;
    - the exclusive staff member (clinician or therapist) is busy for ``duration``;
    - the nurse monitors, and the supervising clinician is on duty, for ``duration + recovery``;
    - the room is held for ``duration + recovery + turnover`` (cleaning after the patient leaves).
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="appointment_types")
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=80, help_text="Shown to patients in the app, never in messages.")
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(5), MaxValueValidator(480)])
    recovery_minutes = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(480)])
    turnover_minutes = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(240)])
    room_kind = models.CharField(max_length=16, choices=RoomKind.choices, blank=True)
    staff_role = models.CharField(
        max_length=16, choices=StaffRole.choices, blank=True, help_text="Role of the exclusive staff member, if any."
    )
    nurse_capacity = models.PositiveSmallIntegerField(
        default=0, help_text="Patients one nurse may monitor at once; 0 means no nurse is needed."
    )
    needs_supervising_clinician = models.BooleanField(
        default=False, help_text="A clinician must be on duty (not exclusively booked)."
    )
    grid_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    min_notice_minutes = models.PositiveIntegerField(default=12 * 60, help_text="Online booking only.")
    horizon_days = models.PositiveSmallIntegerField(default=60, help_text="Online booking only.")
    online_booking = models.CharField(max_length=16, choices=OnlineBooking.choices, default=OnlineBooking.ANY_PATIENT)
    counts_against_plan = models.CharField(
        max_length=24,
        choices=PlanCounter.choices,
        blank=True,
        help_text="Booking it needs an active treatment plan and uses one of the plan's planned sessions.",
    )
    preparation_notice = models.BooleanField(
        default=False, help_text="Send the preparation notice (fasting, driver) 48 hours before."
    )
    max_future_per_patient = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many future appointments of this type a patient may hold; empty: no limit.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grid_minutes__gt=0) & Q(duration_minutes__gt=0), name="appointment_type_positive_times"
            ),
            # Exactly one resource decides the visit's span at least: a room or a staff member.
            models.CheckConstraint(
                condition=~Q(room_kind="") | ~Q(staff_role=""), name="appointment_type_needs_a_resource"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_infusion(self) -> bool:
        """An infusion: it uses one of a treatment plan's infusions (SPEC.md sections 4 and 10)."""
        return self.counts_against_plan == PlanCounter.INFUSIONS

    @property
    def patient_minutes(self) -> int:
        return self.duration_minutes + self.recovery_minutes

    @property
    def room_minutes(self) -> int:
        return self.duration_minutes + self.recovery_minutes + self.turnover_minutes
