"""The patient-data access log (SPEC.md section 11, issue 13 item 5): each staff read of a
patient's data writes exactly one row naming the patients read (actor, role, what, request id);
a patient's own reads write none; the write costs one INSERT whatever the number of rows; admins
read the log, read-only, by patient, actor and date."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booking.models import Appointment
from booking.services.calendar_feeds import calendar_feed_create
from clinical.models import TreatmentPlan
from core.access_log import patient_data_read
from core.models import PatientDataAccess
from core.roles import Role
from scheduling.models import AppointmentType
from tests.clinical.infusion_fixtures import CHECK_IN, check_in, infusion_appointment
from tests.clinical.plans import active_plan, signed_evaluation
from tests.clinical.questionnaire_fixtures import infusion_with_questionnaires, plan_of
from tests.conftest import demo_staff
from tests.factories import AppointmentFactory, PatientFactory, PatientProfileFactory, UserFactory
from tests.web.test_day_board import DAY, HX, board_url, fill_day

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
REQUEST_ID = "access-log-test-0001"


def signed_in(user: Any) -> Client:
    client = Client(headers={"X-Request-ID": REQUEST_ID})
    client.force_login(user)
    return client


def api(client_for: Any, user: Any) -> Any:
    client = client_for(user)
    client.credentials(**client._credentials, HTTP_X_REQUEST_ID=REQUEST_ID)
    return client


def the_one_row(actor: Any, what: str) -> PatientDataAccess:
    rows = list(PatientDataAccess.objects.all())
    assert len(rows) == 1, [(row.what, row.patient_ids) for row in rows]
    row = rows[0]
    assert (row.actor_id, row.actor_role, row.what, row.request_id) == (actor.pk, actor.role, what, REQUEST_ID)
    return row


def ids(*patients: Any) -> set[str]:
    return {str(patient.pk) for patient in patients}


def day_appointments(count: int, day: date = DAY, *, every: timedelta = timedelta(minutes=15)) -> list[Appointment]:
    """``count`` evaluation visits on ``day`` from 8:00, ``every`` apart, each of its own patient."""
    evaluation = AppointmentType.objects.get(code="evaluation")
    return [
        AppointmentFactory(
            appointment_type=evaluation,
            starts_at=datetime(day.year, day.month, day.day, 8, tzinfo=LA) + every * n,
        )
        for n in range(count)
    ]


# -- the writer ---------------------------------------------------------------------------------


def test_the_writer_records_staff_only_and_only_reads_that_showed_someone(demo_clinic, nurse_user, patient):
    assert patient_data_read(actor=patient, what="api:appointment", patient_ids=[patient.pk], request_id="r") is None
    assert patient_data_read(actor=nurse_user, what="staff-day", patient_ids=[], request_id="r") is None
    at = datetime(2026, 12, 7, 9, tzinfo=LA)
    row = patient_data_read(
        actor=nurse_user, what="staff-day", patient_ids=[patient.pk, patient.pk, None], request_id="r", at=at
    )
    assert row is not None
    assert (row.patient_ids, row.occurred_at, row.actor_role) == ([str(patient.pk)], at, Role.NURSE)
    assert PatientDataAccess.objects.count() == 1


# -- the API --------------------------------------------------------------------------------------


def test_the_appointment_list_names_the_patients_of_its_page(demo_clinic, client_for, nurse_user):
    shown = day_appointments(3)
    assert api(client_for, nurse_user).get("/api/v1/appointments/").status_code == 200
    row = the_one_row(nurse_user, "api:appointments")
    assert set(row.patient_ids) == ids(*(a.patient for a in shown))


def test_a_patients_own_list_and_appointment_write_nothing(demo_clinic, client_for, patient):
    mine = AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=datetime(2026, 12, 7, 9, tzinfo=LA),
    )
    client = api(client_for, patient)
    assert client.get("/api/v1/appointments/").status_code == 200
    assert client.get(f"/api/v1/appointments/{mine.pk}/").status_code == 200
    assert not PatientDataAccess.objects.exists()


@pytest.mark.parametrize("role", [Role.NURSE, Role.CLINICIAN, Role.ADMIN])
def test_one_appointment_names_its_patient(demo_clinic, client_for, role):
    (appointment,) = day_appointments(1)
    staff = UserFactory(role=role)
    assert api(client_for, staff).get(f"/api/v1/appointments/{appointment.pk}/").status_code == 200
    assert set(the_one_row(staff, "api:appointment").patient_ids) == ids(appointment.patient)


def test_the_notifications_of_an_appointment_name_its_patient(demo_clinic, client_for, admin_user):
    (appointment,) = day_appointments(1)
    assert api(client_for, admin_user).get(f"/api/v1/appointments/{appointment.pk}/notifications/").status_code == 200
    assert set(the_one_row(admin_user, "api:appointment-notifications").patient_ids) == ids(appointment.patient)


def test_an_unknown_appointment_writes_nothing(demo_clinic, client_for, nurse_user):
    client = api(client_for, nurse_user)
    assert client.get("/api/v1/appointments/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert not PatientDataAccess.objects.exists()


def _schedule_queries(client: Any, day: date) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/v1/schedule/?date={day}").status_code == 200
    return len(queries)


def test_the_schedule_names_its_patients_in_one_insert_whatever_their_number(demo_clinic, client_for, therapist_user):
    client = api(client_for, therapist_user)
    empty = _schedule_queries(client, DAY - timedelta(days=7))
    assert not PatientDataAccess.objects.exists()  # nobody shown: nothing to record
    ten = day_appointments(10)
    assert _schedule_queries(client, DAY) == empty + 1
    assert set(the_one_row(therapist_user, "api:schedule").patient_ids) == ids(*(a.patient for a in ten))
    day_appointments(50, DAY + timedelta(days=1))
    assert _schedule_queries(client, DAY + timedelta(days=1)) == empty + 1
    assert [len(row.patient_ids) for row in PatientDataAccess.objects.order_by("id")] == [10, 50]


def test_the_evaluation_names_its_patient_for_staff_and_nothing_for_the_patient(demo_clinic, client_for, patient):
    evaluation = signed_evaluation(patient, signed_at=datetime(2026, 11, 2, 12, tzinfo=LA))
    clinician = UserFactory(role=Role.CLINICIAN)
    assert api(client_for, patient).get(f"/api/v1/evaluations/{evaluation.pk}/").status_code == 200
    assert not PatientDataAccess.objects.exists()
    assert api(client_for, clinician).get(f"/api/v1/evaluations/{evaluation.pk}/").status_code == 200
    assert set(the_one_row(clinician, "api:evaluation").patient_ids) == ids(patient)


def test_the_session_record_names_its_patient(demo_clinic, client_for, nurse_user):
    infusion = infusion_appointment()
    with time_machine.travel(CHECK_IN, tick=False):
        check_in(infusion, nurse_user)
        assert api(client_for, nurse_user).get(f"/api/v1/infusions/{infusion.pk}/").status_code == 200
    assert set(the_one_row(nurse_user, "api:infusion-record").patient_ids) == ids(infusion.patient)


def test_a_plans_outcome_names_its_patient(demo_clinic, client_for, clinician_user, patient):
    plan: TreatmentPlan = active_plan(patient, signed_at=datetime(2026, 11, 2, 12, tzinfo=LA))
    assert api(client_for, clinician_user).get(f"/api/v1/treatment-plans/{plan.pk}/outcome/").status_code == 200
    assert set(the_one_row(clinician_user, "api:treatment-plan-outcome").patient_ids) == ids(patient)


# -- the pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX], ids=["full page", "refresh"])
def test_the_day_board_names_the_days_patients(demo_clinic, nurse_user, headers):
    fill_day(DAY, 12)
    midnight = datetime(DAY.year, DAY.month, DAY.day, tzinfo=LA)
    on_the_day = Appointment.objects.filter(starts_at__gte=midnight, starts_at__lt=midnight + timedelta(days=1))
    expected = {str(a.patient_id) for a in on_the_day}
    assert signed_in(nurse_user).get(board_url(DAY), headers=headers).status_code == 200
    assert set(the_one_row(nurse_user, "staff-day").patient_ids) == expected


def test_a_304_refresh_writes_nothing_more(demo_clinic, nurse_user):
    fill_day(DAY, 3)
    client = signed_in(nurse_user)
    etag = client.get(board_url(DAY), headers=HX)["ETag"]
    assert client.get(board_url(DAY), headers={**HX, "If-None-Match": etag}).status_code == 304
    assert PatientDataAccess.objects.count() == 1  # the 200 that showed them


def test_the_patient_search_names_the_matches_and_the_chart_its_patient(demo_clinic, admin_user):
    rosas = [PatientProfileFactory(user__first_name="Rosa").user for _ in range(2)]
    PatientProfileFactory(user__first_name="Otto")
    client = signed_in(admin_user)
    assert client.post("/staff/patients/", {"q": "rosa"}).status_code == 200
    assert set(the_one_row(admin_user, "staff-patients").patient_ids) == ids(*rosas)
    PatientDataAccess.objects.all().delete()
    assert client.get(f"/staff/patients/{rosas[0].pk}/").status_code == 200
    assert set(the_one_row(admin_user, "staff-patient").patient_ids) == ids(rosas[0])


def test_the_evaluation_page_names_its_patient(demo_clinic, clinician_user, patient):
    evaluation = signed_evaluation(patient, signed_at=datetime(2026, 11, 2, 12, tzinfo=LA))
    assert signed_in(clinician_user).get(f"/staff/evaluations/{evaluation.pk}/").status_code == 200
    assert set(the_one_row(clinician_user, "staff-evaluation").patient_ids) == ids(patient)


def test_the_session_record_page_names_its_patient(demo_clinic, nurse_user):
    infusion = infusion_appointment()
    with time_machine.travel(CHECK_IN, tick=False):
        assert signed_in(nurse_user).get(f"/staff/infusions/{infusion.pk}/").status_code == 200
    assert set(the_one_row(nurse_user, "staff-infusion").patient_ids) == ids(infusion.patient)


def test_a_clinicians_home_names_the_patients_of_their_day(demo_clinic):
    clinician = demo_staff("clinician@example.com")
    with time_machine.travel(datetime(2026, 12, 7, 7, tzinfo=LA), tick=False):
        mine = day_appointments(2, every=timedelta(hours=2))  # one clinician: apart
        day_appointments(1)  # someone else's visit: not on this home
        Appointment.objects.filter(pk__in=[a.pk for a in mine]).update(staff=clinician)
        assert signed_in(clinician.user).get("/staff/").status_code == 200
    assert set(the_one_row(clinician.user, "staff-home").patient_ids) == ids(*(a.patient for a in mine))


def test_the_questionnaire_page_names_its_patient(demo_clinic, nurse_user):
    appointment, phq9, _gad7 = infusion_with_questionnaires(plan_of(PatientFactory()))
    with time_machine.travel(CHECK_IN, tick=False):
        check_in(appointment, nurse_user)
        url = f"/staff/infusions/{appointment.pk}/questionnaires/{phq9.pk}/"
        assert signed_in(nurse_user).get(url).status_code == 200
    assert set(the_one_row(nurse_user, "staff-infusion-questionnaire").patient_ids) == ids(appointment.patient)


@pytest.mark.parametrize("page", ["move", "cancel"])
def test_an_appointment_page_of_the_chart_names_its_patient(demo_clinic, admin_user, page):
    (appointment,) = day_appointments(1)
    url = f"/staff/patients/{appointment.patient_id}/appointments/{appointment.pk}/{page}/"
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=LA), tick=False):
        assert signed_in(admin_user).get(url).status_code == 200
    assert set(the_one_row(admin_user, f"staff-patient-{page}").patient_ids) == ids(appointment.patient)


def test_a_staff_calendar_feed_is_read_as_its_owner(demo_clinic):
    clinician = demo_staff("clinician@example.com")
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=LA), tick=False):
        mine = day_appointments(2, every=timedelta(hours=2))  # one clinician: apart
        Appointment.objects.filter(pk__in=[a.pk for a in mine]).update(staff=clinician)
        token = calendar_feed_create(actor=clinician.user)
        response = Client(headers={"X-Request-ID": REQUEST_ID}).get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert set(the_one_row(clinician.user, "calendar-feed").patient_ids) == ids(*(a.patient for a in mine))


def test_the_list_pays_one_insert_for_ten_or_fifty_appointments(demo_clinic, client_for, nurse_user):
    client = api(client_for, nurse_user)
    counts = []
    for count, day in ((10, DAY), (50, DAY + timedelta(days=1))):
        day_appointments(count, day)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/appointments/?date={day}")
        assert response.json()["count"] == count
        counts.append(len(queries))
        inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
        assert len(inserts) == 1
    assert counts[0] == counts[1]
    assert sorted(len(row.patient_ids) for row in PatientDataAccess.objects.all()) == [10, 50]


# -- the admin ------------------------------------------------------------------------------------


def test_the_admin_reads_the_log_with_its_filters_and_changes_nothing(demo_clinic, nurse_user, clinician_user):
    first, second = PatientFactory(), PatientFactory()
    early = datetime(2026, 12, 1, 9, tzinfo=LA)
    by_nurse = patient_data_read(actor=nurse_user, what="staff-day", patient_ids=[first.pk], request_id="a", at=early)
    by_clinician = patient_data_read(
        actor=clinician_user,
        what="api:evaluation",
        patient_ids=[second.pk],
        request_id="b",
        at=early + timedelta(days=3),
    )
    assert by_nurse is not None
    assert by_clinician is not None
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client = signed_in(admin)
    url = "/admin/core/patientdataaccess/"

    def listed(query: str) -> set[int]:
        response = client.get(url + query)
        assert response.status_code == 200
        return {row.pk for row in response.context["cl"].result_list}

    assert listed("") == {by_nurse.pk, by_clinician.pk}
    assert listed(f"?patient={first.pk}") == {by_nurse.pk}
    assert listed(f"?actor__id__exact={clinician_user.pk}") == {by_clinician.pk}
    assert listed("?occurred_at__day=1&occurred_at__month=12&occurred_at__year=2026") == {by_nurse.pk}
    assert client.get(url + "add/").status_code == 403
    assert client.post(f"{url}{by_nurse.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"{url}{by_nurse.pk}/change/", {"what": "edited"})
    by_nurse.refresh_from_db()
    assert by_nurse.what == "staff-day"
    assert PatientDataAccess.objects.count() == 2
