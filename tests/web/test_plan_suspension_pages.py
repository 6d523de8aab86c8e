"""A plan a positive pregnancy test suspended, on the patient's chart (SPEC.md section 12): the care
team reads why and since when, the front desk only that it waits for a clinician; a clinician
resumes it or ends it there through the API's services. A refusal (not suspended, another active
plan, not a clinician's to do) writes nothing and comes back in words, or as the page's 403."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booking.models import Appointment, AppointmentStatus
from booking.services.appointments import appointment_book
from clinical.models import ClinicalAccess, PlanStatus, TreatmentPlan
from clinical.services.pregnancy import treatment_plan_resume
from core.errors import DomainError
from scheduling.models import AppointmentType
from tests.clinical.infusion_fixtures import CHECK_IN, START
from tests.clinical.plans import active_plan
from tests.clinical.pregnancy_fixtures import infusion, plan_of, suspended_infusion
from tests.web.test_infusion_page_costs import API_SIGN_IN, PAGE_SIGN_IN, page_client, shape

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_clinic")]

NOTICE = "Plan suspended after a positive pregnancy test on Monday, December 7, 2026."
NOT_SUSPENDED = "This plan is not suspended, so there is nothing to resume"


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(CHECK_IN, tick=True):
        yield


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def chart(appointment: Appointment) -> str:
    return f"/staff/patients/{appointment.patient_id}/"


def status_of(appointment: Appointment) -> str:
    return TreatmentPlan.objects.get(pk=plan_of(appointment)).status


def changes() -> int:
    """Audited changes of the clinical record (reads are audited too, and are not changes)."""
    return ClinicalAccess.objects.exclude(action=ClinicalAccess.Action.READ).count()


def book_another_infusion(appointment: Appointment, actor) -> Appointment:
    return appointment_book(
        actor=actor,
        patient=appointment.patient,
        appointment_type=AppointmentType.objects.get(code="infusion"),
        starts_at=START + timedelta(days=3),
        now=CHECK_IN,
    )


def test_a_clinician_resumes_the_plan_from_the_chart_and_booking_is_no_longer_refused(
    nurse_user, clinician_user, admin_user
):
    appointment = suspended_infusion(nurse_user)
    client = signed_in(clinician_user)

    page = client.get(chart(appointment)).content.decode()
    assert NOTICE in page
    assert ">Resume the plan</button>" in page
    assert ">End the plan</button>" in page
    test_read = ClinicalAccess.objects.filter(actor=clinician_user, action="read", object_type="pregnancytest")
    assert test_read.count() == 1  # the test behind the notice, read and audited
    with pytest.raises(DomainError) as refused:
        book_another_infusion(appointment, admin_user)
    assert refused.value.code == "plan_suspended"

    response = client.post(f"/staff/plans/{plan_of(appointment)}/resume/")

    assert (response.status_code, response["Location"]) == (302, chart(appointment))
    assert status_of(appointment) == PlanStatus.ACTIVE
    back = client.get(response["Location"]).content.decode()
    assert "Plan resumed: infusions can be booked and started again." in back
    assert "Plan suspended" not in back
    assert book_another_infusion(appointment, admin_user).status == AppointmentStatus.BOOKED


def test_a_nurse_sees_the_notice_without_the_buttons_and_her_posts_are_refused(nurse_user):
    appointment = suspended_infusion(nurse_user)
    client = signed_in(nurse_user)
    before = changes()

    page = client.get(chart(appointment)).content.decode()
    resume = client.post(f"/staff/plans/{plan_of(appointment)}/resume/")
    end = client.post(f"/staff/plans/{plan_of(appointment)}/end/", {"end-reason": "Pregnant.", "end-confirm": "on"})

    assert NOTICE in page
    assert "Resume the plan" not in page
    assert "End the plan" not in page
    assert (resume.status_code, end.status_code) == (403, 403)
    assert status_of(appointment) == PlanStatus.SUSPENDED
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.BOOKED
    assert changes() == before


def test_the_front_desk_reads_that_the_plan_waits_for_a_clinician_but_not_why(nurse_user, admin_user):
    appointment = suspended_infusion(nurse_user)

    page = signed_in(admin_user).get(chart(appointment)).content.decode()

    assert "Plan suspended until a clinician reviews it." in page
    assert "pregnancy" not in page.lower()
    assert "Resume the plan" not in page
    assert signed_in(admin_user).post(f"/staff/plans/{plan_of(appointment)}/resume/").status_code == 403
    assert status_of(appointment) == PlanStatus.SUSPENDED


def test_resuming_a_plan_that_is_not_suspended_shows_the_refusal_on_the_chart_and_writes_nothing(clinician_user):
    appointment = infusion()  # its plan active: no positive test
    before = changes()

    response = signed_in(clinician_user).post(f"/staff/plans/{plan_of(appointment)}/resume/")

    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert 'class="error-summary" role="alert"' in page
    assert f"{NOT_SUSPENDED}: it may have been resumed or ended already. Nothing was changed." in page
    assert status_of(appointment) == PlanStatus.ACTIVE
    assert changes() == before


def test_a_plan_is_not_resumed_while_another_plan_of_the_patient_is_active(nurse_user, clinician_user):
    appointment = suspended_infusion(nurse_user)
    other = active_plan(appointment.patient, signed_at=CHECK_IN - timedelta(days=1))
    before = changes()

    response = signed_in(clinician_user).post(f"/staff/plans/{plan_of(appointment)}/resume/")

    assert response.status_code == 409
    assert "The patient has another active plan, so this one cannot be resumed." in response.content.decode()
    assert (status_of(appointment), TreatmentPlan.objects.get(pk=other.pk).status) == ("suspended", "active")
    assert changes() == before


def test_a_clinician_ends_the_plan_only_with_a_reason_and_the_tick(nurse_user, clinician_user):
    appointment = suspended_infusion(nurse_user)
    client = signed_in(clinician_user)
    url = f"/staff/plans/{plan_of(appointment)}/end/"
    before = changes()

    unconfirmed = client.post(url, {"end-reason": "Pregnant: the series stops."})
    unexplained = client.post(url, {"end-reason": "  ", "end-confirm": "on"})

    assert (unconfirmed.status_code, unexplained.status_code) == (400, 400)
    assert "Tick the box to confirm that the plan ends." in unconfirmed.content.decode()
    assert "Write why the plan ends." in unexplained.content.decode()
    assert (status_of(appointment), changes()) == (PlanStatus.SUSPENDED, before)

    ended = client.post(url, {"end-reason": "Pregnant: the series stops.", "end-confirm": "on"})

    assert (ended.status_code, ended["Location"]) == (302, chart(appointment))
    plan = TreatmentPlan.objects.get(pk=plan_of(appointment))
    assert (plan.status, plan.ended_reason) == (PlanStatus.DISCONTINUED, "Pregnant: the series stops.")
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CANCELLED
    after = client.get(chart(appointment)).content.decode()
    assert "Plan ended: its upcoming booked appointments are cancelled." in after
    again = client.post(url, {"end-reason": "Twice.", "end-confirm": "on"})
    assert again.status_code == 409
    assert "This plan has ended already" in again.content.decode()


def test_resuming_on_the_page_costs_the_services_statements_as_through_the_api(nurse_user, clinician_user, client_for):
    """The page calls the service first and builds nothing on success (the API then shows the plan's
    evaluation); each channel's sign-in set aside."""
    through_page, through_api, alone = (suspended_infusion(nurse_user) for _ in range(3))
    page, api = page_client(clinician_user), client_for(clinician_user)  # each signed in beforehand

    with CaptureQueriesContext(connection) as service:
        treatment_plan_resume(actor=clinician_user, plan_id=plan_of(alone))
    with CaptureQueriesContext(connection) as on_page:
        assert page.post(f"/staff/plans/{plan_of(through_page)}/resume/").status_code == 302
    with CaptureQueriesContext(connection) as on_api:
        assert api.post(f"/api/v1/treatment-plans/{plan_of(through_api)}/resume/").status_code == 200

    written = [shape(query["sql"]) for query in service]
    assert [shape(query["sql"]) for query in on_page] == PAGE_SIGN_IN + written
    assert [shape(query["sql"]) for query in on_api][: len(API_SIGN_IN) + len(written)] == API_SIGN_IN + written
