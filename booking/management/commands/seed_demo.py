"""The demo clinic of SPEC.md section 2, with one login per role. Safe to run twice."""

from datetime import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import PatientProfile, User
from accounts.services import patient_search_text_refresh
from accounts.services.second_factor import totp_enrol_confirmed, totp_secret_base32
from core.roles import Role
from scheduling.models import (
    AppointmentType,
    Clinic,
    ClinicHours,
    OnlineBooking,
    PlanCounter,
    Room,
    RoomKind,
    StaffMember,
    WorkingHours,
)

DEFAULT_PASSWORD = "demo-clinic-2026"  # noqa: S105 - demo data only; refused in production
WEEKDAYS = range(0, 5)  # Monday to Friday

STAFF = [
    # email, first name, last name, role, (start, end) of each weekday
    ("clinician@example.com", "Maya", "Okafor", Role.CLINICIAN, (time(9), time(17))),
    ("clinician2@example.com", "Daniel", "Reyes", Role.CLINICIAN, (time(9), time(17))),
    ("nurse@example.com", "Priya", "Shah", Role.NURSE, (time(8), time(18))),
    ("nurse2@example.com", "Tom", "Keller", Role.NURSE, (time(8), time(18))),
    ("nurse3@example.com", "Ana", "Lima", Role.NURSE, (time(8), time(18))),
    ("therapist@example.com", "Jonah", "Weiss", Role.THERAPIST, (time(10), time(18))),
]

APPOINTMENT_TYPES: list[dict[str, Any]] = [
    {
        "code": "evaluation",
        "name": "Ketamine Therapy Evaluation",
        "duration_minutes": 60,
        "room_kind": RoomKind.CONSULT,
        "staff_role": Role.CLINICIAN,
        "online_booking": OnlineBooking.ANY_PATIENT,
        "max_future_per_patient": 1,
    },
    {
        "code": "infusion",
        "name": "Infusion session",
        "duration_minutes": 50,
        "recovery_minutes": 40,
        "turnover_minutes": 15,
        "room_kind": RoomKind.INFUSION,
        "nurse_capacity": 2,
        "needs_supervising_clinician": True,
        "online_booking": OnlineBooking.ACTIVE_PLAN,
        "counts_against_plan": PlanCounter.INFUSIONS,
        "preparation_notice": True,
    },
    {
        "code": "integration",
        "name": "Integration therapy",
        "duration_minutes": 50,
        "room_kind": RoomKind.CONSULT,
        "staff_role": Role.THERAPIST,
        "online_booking": OnlineBooking.ACTIVE_PLAN,
        "counts_against_plan": PlanCounter.INTEGRATION_SESSIONS,
    },
]


class Command(BaseCommand):
    help = "Load the demo clinic (rooms, staff, hours, appointment types) and one login per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password of every demo login.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when a clinic already exists.")

    def handle(self, *args: Any, password: str, if_empty: bool, **options: Any) -> None:
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("seed_demo refuses to run under production settings.")
        if if_empty and Clinic.objects.exists():
            self.stdout.write("The database already holds a clinic; demo data left as it is.")
        else:
            with transaction.atomic():
                seed_demo_clinic(password=password)
            self.stdout.write(self.style.SUCCESS("Demo clinic loaded."))
        self.stdout.write("Demo logins (password: %s):" % ("as given" if password != DEFAULT_PASSWORD else password))
        # Staff sign in with a second factor: each staff login is followed by its TOTP secret (base32),
        # to type into an authenticator app.
        for email in ["admin@example.com", *(staff[0] for staff in STAFF)]:
            user = User.objects.get(email=email)
            self.stdout.write(f"  {email} totp: {totp_secret_base32(device=totp_enrol_confirmed(user=user))}")
        self.stdout.write("  patient@example.com")


def _user(email: str, first_name: str, last_name: str, role: str, password: str, **extra: Any) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, "role": role, **extra}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def seed_demo_clinic(*, password: str) -> Clinic:
    clinic, _ = Clinic.objects.get_or_create(
        name="Harbor View Medical Suite",
        defaults={"address": "1200 Harbor Way, Suite 300, Oakland, CA 94607", "phone": "+15105550142"},
    )
    for weekday in WEEKDAYS:
        ClinicHours.objects.get_or_create(clinic=clinic, weekday=weekday, opens_at=time(8), closes_at=time(18))
    for number in (1, 2):
        Room.objects.get_or_create(clinic=clinic, name=f"Consult {number}", defaults={"kind": RoomKind.CONSULT})
    for number in range(1, 7):
        Room.objects.get_or_create(clinic=clinic, name=f"Infusion {number}", defaults={"kind": RoomKind.INFUSION})

    for email, first_name, last_name, role, (starts_at, ends_at) in STAFF:
        user = _user(email, first_name, last_name, role, password)
        staff, _ = StaffMember.objects.get_or_create(user=user, defaults={"clinic": clinic})
        for weekday in WEEKDAYS:
            WorkingHours.objects.get_or_create(staff=staff, weekday=weekday, starts_at=starts_at, ends_at=ends_at)

    admin = _user("admin@example.com", "Front", "Desk", Role.ADMIN, password, is_staff=True, is_superuser=True)
    # Staff are enrolled in the second factor from the start (the command prints their secrets).
    for staff_user in User.objects.filter(pk__in=[admin.pk, *StaffMember.objects.values_list("user_id", flat=True)]):
        totp_enrol_confirmed(user=staff_user)
    patient = _user("patient@example.com", "Alex", "Morgan", Role.PATIENT, password)
    PatientProfile.objects.get_or_create(
        user=patient, defaults={"date_of_birth": "1988-04-12", "phone": "+15105550199"}
    )
    patient_search_text_refresh(user_id=patient.pk)  # so the front desk finds the demo patient

    for fields in APPOINTMENT_TYPES:
        AppointmentType.objects.get_or_create(code=fields["code"], defaults={"clinic": clinic, **fields})
    return clinic
