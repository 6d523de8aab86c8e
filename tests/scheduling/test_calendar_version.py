"""The cached calendar snapshot: every kind of calendar edit changes the clinic's calendar version
in the edit's own transaction, so that the next search, even inside that transaction, sees it."""

from datetime import time

import pytest
from django.db import transaction

from core.roles import Role
from scheduling.calendar_version import forget_snapshots
from scheduling.models import Clinic, ClinicHours, RoomKind, WorkingHours
from scheduling.services import clinic_opening_save
from tests.factories import (
    ClinicClosureFactory,
    ClinicOpeningFactory,
    ClinicOpeningHoursFactory,
    RoomOutageFactory,
    TimeOffFactory,
)
from tests.scheduling.conftest import at, local_starts, quarter_hours
from tests.scheduling.test_availability import MONDAY, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation_clinic(calendar):
    """Open 08-18 every day, one clinician 09-17, one consult room, one-hour evaluations."""
    calendar.open()
    calendar.clinician = calendar.staff(Role.CLINICIAN)
    calendar.consult_rooms = calendar.rooms(RoomKind.CONSULT)
    calendar.type = calendar.evaluation_type()
    return calendar


def shorter_clinic_hours(calendar):
    hours = ClinicHours.objects.get(clinic=calendar.clinic, weekday=MONDAY.weekday())
    hours.closes_at = time(12)
    hours.save()


def clinic_hours_removed(calendar):
    ClinicHours.objects.get(clinic=calendar.clinic, weekday=MONDAY.weekday()).delete()


def shorter_working_hours(calendar):
    hours = WorkingHours.objects.get(staff=calendar.clinician, weekday=MONDAY.weekday())
    hours.ends_at = time(12)
    hours.save()


def time_off(calendar):
    TimeOffFactory(staff=calendar.clinician, starts_at=at(MONDAY, 8), ends_at=at(MONDAY, 13))


def closure(calendar):
    ClinicClosureFactory(clinic=calendar.clinic, closed_on=MONDAY)


def opening_by_the_service(calendar):
    clinic_opening_save(clinic=calendar.clinic, day=MONDAY, blocks=[(time(9), time(11))], staff=[calendar.clinician])


def opening_as_the_admin_saves_it(calendar):
    # The opening, then its staff list, then its block: each write on its own, as the admin's inlines.
    opening = ClinicOpeningFactory(clinic=calendar.clinic, opens_on=MONDAY)
    opening.staff.add(calendar.clinician)
    ClinicOpeningHoursFactory(opening=opening, opens_at=time(13), closes_at=time(15))


def room_out_of_service(calendar):
    room = calendar.consult_rooms[0]
    room.is_active = False
    room.save()


def room_outage(calendar):
    RoomOutageFactory(room=calendar.consult_rooms[0], starts_at=at(MONDAY, 8), ends_at=at(MONDAY, 14))


def staff_member_inactive(calendar):
    calendar.clinician.is_active = False
    calendar.clinician.save()


def staff_role_changed(calendar):
    user = calendar.clinician.user
    user.role = Role.NURSE
    user.save(update_fields=["role"])


def type_changed(calendar):
    calendar.type.duration_minutes = 120
    calendar.type.save()


EDITS = [
    shorter_clinic_hours,
    clinic_hours_removed,
    shorter_working_hours,
    time_off,
    closure,
    opening_by_the_service,
    opening_as_the_admin_saves_it,
    room_out_of_service,
    room_outage,
    staff_member_inactive,
    staff_role_changed,
    type_changed,
]


def version_of(calendar):
    return Clinic.objects.values_list("calendar_version", flat=True).get(pk=calendar.clinic.pk)


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__)
def test_each_calendar_edit_changes_the_version_and_the_next_search_in_its_transaction(evaluation_clinic, edit):
    before = search(evaluation_clinic.type, MONDAY)  # now cached under the current version
    assert local_starts(before) == quarter_hours("09:00", "16:00")

    with transaction.atomic():
        version = version_of(evaluation_clinic)
        edit(evaluation_clinic)
        assert version_of(evaluation_clinic) != version
        after = search(evaluation_clinic.type, MONDAY)
        forget_snapshots()
        rebuilt = search(evaluation_clinic.type, MONDAY)

    assert local_starts(after) == local_starts(rebuilt)
    assert local_starts(after) != local_starts(before)


def test_a_search_with_an_unchanged_calendar_reuses_the_snapshot(evaluation_clinic, django_assert_num_queries):
    forget_snapshots()
    with django_assert_num_queries(3):  # busy times and version, then the calendar's two
        first = search(evaluation_clinic.type, MONDAY)
    with django_assert_num_queries(1):  # busy times and version only
        again = search(evaluation_clinic.type, MONDAY)
    assert local_starts(again) == local_starts(first) == quarter_hours("09:00", "16:00")


def test_the_rooms_of_another_kind_are_not_in_the_version_key_but_their_edits_still_count(
    evaluation_clinic,
):
    search(evaluation_clinic.type, MONDAY)
    version = version_of(evaluation_clinic)
    evaluation_clinic.rooms(RoomKind.INFUSION)
    assert version_of(evaluation_clinic) != version
