"""factory_boy factories for the calendar, users and appointments."""

from datetime import time, timedelta

import factory

from accounts.models import PatientProfile, User
from accounts.services import patient_search_text_refresh
from booking.models import Appointment, AppointmentStatus
from core.roles import Role
from scheduling.models import (
    AppointmentType,
    Clinic,
    ClinicClosure,
    ClinicHours,
    ClinicOpening,
    ClinicOpeningHours,
    OnlineBooking,
    Room,
    RoomKind,
    RoomOutage,
    StaffMember,
    TimeOff,
    WorkingHours,
)

TEST_PASSWORD = "correct-horse-battery-staple"


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = "Test Medical Suite"
    time_zone = "America/Los_Angeles"
    address = "1 Test Way"
    phone = "+15105550100"


class ClinicHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicHours

    clinic = factory.SubFactory(ClinicFactory)
    weekday = 0
    opens_at = time(8)
    closes_at = time(18)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    role = Role.PATIENT

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, password=kwargs.pop("password", TEST_PASSWORD), **kwargs)


class PatientFactory(UserFactory):
    role = Role.PATIENT
    profile = factory.RelatedFactory("tests.factories.PatientProfileFactory", factory_related_name="user")


class PatientProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatientProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    date_of_birth = "1985-06-01"
    phone = "+14155550123"

    @factory.post_generation
    def search_text(profile, create, extracted, **kwargs):
        # As patient_register does: the staff search reads this column.
        if create:
            patient_search_text_refresh(user_id=profile.user_id)


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    user = factory.SubFactory(UserFactory, role=Role.CLINICIAN)
    clinic = factory.SubFactory(ClinicFactory)


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    staff = factory.SubFactory(StaffMemberFactory)
    weekday = 0
    starts_at = time(9)
    ends_at = time(17)


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    staff = factory.SubFactory(StaffMemberFactory)
    reason = "leave"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    kind = RoomKind.CONSULT


class RoomOutageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoomOutage

    room = factory.SubFactory(RoomFactory)
    reason = "repairs"


class ClinicClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicClosure

    clinic = factory.SubFactory(ClinicFactory)


class ClinicOpeningFactory(factory.django.DjangoModelFactory):
    """An extra opening; pass ``staff=[...]`` to list who is on duty (the blocks: ClinicOpeningHoursFactory)."""

    class Meta:
        model = ClinicOpening
        skip_postgeneration_save = True

    clinic = factory.SubFactory(ClinicFactory)
    reason = "extra day"

    @factory.post_generation
    def staff(opening, create, extracted, **kwargs):
        if create and extracted:
            opening.staff.set(extracted)


class ClinicOpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicOpeningHours

    opening = factory.SubFactory(ClinicOpeningFactory)
    opens_at = time(10)
    closes_at = time(14)


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType
        django_get_or_create = ("code",)

    clinic = factory.SubFactory(ClinicFactory)
    code = "evaluation"
    name = "Ketamine Therapy Evaluation"
    duration_minutes = 60
    room_kind = RoomKind.CONSULT
    staff_role = Role.CLINICIAN
    online_booking = OnlineBooking.ANY_PATIENT


class AppointmentFactory(factory.django.DjangoModelFactory):
    """An appointment written directly, spans derived from its type (not through the booking service)."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    status = AppointmentStatus.BOOKED
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + timedelta(minutes=a.appointment_type.patient_minutes))
    staff_released_at = factory.LazyAttribute(
        lambda a: a.starts_at + timedelta(minutes=a.appointment_type.duration_minutes)
    )
    room_released_at = factory.LazyAttribute(lambda a: a.starts_at + timedelta(minutes=a.appointment_type.room_minutes))
