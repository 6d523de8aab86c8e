"""The account and appointment pages without a browser: who reaches what, CSRF, and how a
service's refusal reaches the page (in words, never a 500)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import unquote_plus

import pytest
from django.test import Client
from django.utils import timezone

from booking.models import Appointment, AppointmentStatus, WaitlistEntry
from booking.services.appointments import appointment_book
from core.roles import Role
from notifications.models import ContactPreference
from scheduling.models import AppointmentType
from tests.clinical.plans import active_plan
from tests.factories import AppointmentFactory, UserFactory
from tests.web.clock import clinic_today, in_hours, weekday_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation_type(demo_clinic) -> AppointmentType:
    return AppointmentType.objects.select_related("clinic").get(code="evaluation")


@pytest.fixture
def booked(patient, evaluation_type) -> Appointment:
    return AppointmentFactory(patient=patient, appointment_type=evaluation_type, starts_at=weekday_at(3, 10))


def signed_in(user, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    return client


def offered_starts(html: str) -> set[datetime]:
    """The instants the page's time links lead to."""
    return {datetime.fromisoformat(unquote_plus(value)) for value in re.findall(r"[?&]start=([^\"&#]+)", html)}


def csrf_token_of(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def test_another_patients_appointment_answers_404_on_every_page_and_changes_nothing(other_patient, booked):
    client = signed_in(other_patient)
    base = f"/appointments/{booked.pk}"
    start = weekday_at(4, 11).isoformat()

    for url in ("/", "/cancel/", "/reschedule/", f"/reschedule/review/?start={start}", "/calendar.ics"):
        assert client.get(base + url).status_code == 404, url
    assert client.post(f"{base}/cancel/", {"reason": ""}).status_code == 404
    assert client.post(f"{base}/reschedule/confirm/", {"start": start}).status_code == 404
    assert client.post(f"{base}/readiness/", {"driver_arranged": "on"}).status_code == 404

    booked.refresh_from_db()
    assert (booked.status, booked.starts_at, booked.driver_arranged) == ("booked", weekday_at(3, 10), False)


def test_staff_are_refused_the_patient_pages(nurse_user, booked):
    client = signed_in(nurse_user)
    assert client.get("/account/").status_code == 403
    assert client.get(f"/appointments/{booked.pk}/cancel/").status_code == 403


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(patient, booked):
    client = signed_in(patient, enforce_csrf_checks=True)

    assert client.post(f"/appointments/{booked.pk}/cancel/", {"reason": ""}).status_code == 403
    assert client.post(f"/appointments/{booked.pk}/readiness/", {"driver_arranged": "on"}).status_code == 403
    assert client.post("/account/contact-preferences/", {"sms_enabled": "on"}).status_code == 403
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED
    assert not ContactPreference.objects.filter(user=patient).exists()

    # The same request with the page's token goes through: the refusal above was the token's.
    token = csrf_token_of(client.get(f"/appointments/{booked.pk}/cancel/").content.decode())
    response = client.post(f"/appointments/{booked.pk}/cancel/", {"reason": "", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    booked.refresh_from_db()
    assert (booked.status, booked.is_late_cancellation) == (AppointmentStatus.CANCELLED, False)


def test_the_cancel_question_warns_only_inside_24_hours(patient, evaluation_type):
    soon = AppointmentFactory(patient=patient, appointment_type=evaluation_type, starts_at=in_hours(5))
    later = AppointmentFactory(patient=patient, appointment_type=evaluation_type, starts_at=weekday_at(3, 10))
    client = signed_in(patient)

    assert "Late cancellation" in client.get(f"/appointments/{soon.pk}/cancel/").content.decode()
    assert "Late cancellation" not in client.get(f"/appointments/{later.pk}/cancel/").content.decode()


def test_cancelling_twice_answers_in_words_not_with_an_error_page(patient, booked):
    client = signed_in(patient)
    client.post(f"/appointments/{booked.pk}/cancel/", {"reason": "Feeling better"})

    response = client.post(f"/appointments/{booked.pk}/cancel/", {"reason": ""})

    assert response.status_code == 200
    assert "cannot be cancelled" in response.content.decode()
    assert booked.events.filter(action="cancelled").count() == 1


def test_a_time_taken_meanwhile_gives_a_message_and_fresh_times_and_nothing_moves(patient, booked, evaluation_type):
    target = weekday_at(5, 14)
    desk = UserFactory(role=Role.ADMIN)
    for _ in range(2):  # the demo clinic: 2 clinicians, 2 consult rooms
        appointment_book(actor=desk, patient=UserFactory(), appointment_type=evaluation_type, starts_at=target)
    client = signed_in(patient)

    response = client.post(f"/appointments/{booked.pk}/reschedule/confirm/", {"start": target.isoformat()}, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Sorry, that time has just been taken" in page
    assert 'id="times"' in page
    assert offered_starts(page)
    assert target not in offered_starts(page)
    booked.refresh_from_db()
    assert booked.starts_at == weekday_at(3, 10)


def test_the_reschedule_days_leave_out_the_current_time(patient, booked):
    client = signed_in(patient)
    day = booked.starts_at.date().isoformat()

    page = client.get(f"/appointments/{booked.pk}/reschedule/?day={day}").content.decode()

    assert weekday_at(3, 11) in offered_starts(page)  # its own time counts as free for the others
    assert booked.starts_at not in offered_starts(page)


def test_an_infeasible_series_shows_the_reason_in_words_and_books_nothing(patient, demo_clinic):
    active_plan(patient, signed_at=timezone.now() - timedelta(days=1), infusions_planned=6, window_days=4)
    client = signed_in(patient)
    first_day = (clinic_today() + timedelta(days=2)).isoformat()

    response = client.post("/account/series/", {"start_date": first_day, "preferred_time": "10:00", "confirm": "yes"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page
    assert "nothing was booked" in page
    assert not Appointment.objects.filter(patient=patient, appointment_type__code="infusion").exists()


def test_the_series_asks_to_check_the_answers_before_booking(patient, demo_clinic):
    active_plan(patient, signed_at=timezone.now() - timedelta(days=1), infusions_planned=2)
    client = signed_in(patient)
    first_day = weekday_at(2, 10).date()

    response = client.post("/account/series/", {"start_date": first_day.isoformat(), "preferred_time": "10:00"})

    page = response.content.decode()
    assert "Check your answers before booking" in page
    assert "10:00 AM Pacific Time" in page
    assert "csrfmiddlewaretoken=" not in page  # the "change" link carries the answers only
    assert not Appointment.objects.filter(patient=patient, appointment_type__code="infusion").exists()


def test_a_series_form_without_answers_names_each_missing_field(patient, demo_clinic):
    active_plan(patient, signed_at=timezone.now() - timedelta(days=1))

    page = signed_in(patient).post("/account/series/", {}).content.decode()

    assert 'href="#id_start_date"' in page
    assert 'href="#id_preferred_time"' in page
    assert 'aria-describedby="id_start_date_helptext id_start_date_error"' in page


def test_joining_the_waitlist_puts_a_refusal_beside_its_field(patient, demo_clinic):
    client = signed_in(patient)
    today = clinic_today()

    response = client.post(
        "/account/waitlist/",
        {"type": "evaluation", "date_from": (today + timedelta(days=9)).isoformat(), "date_to": today.isoformat()},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_date_to"' in page
    assert "The latest day must be the same as the earliest day or after it." in page
    assert not WaitlistEntry.objects.exists()

    response = client.post(
        "/account/waitlist/",
        {"type": "evaluation", "date_from": today.isoformat(), "date_to": (today + timedelta(days=9)).isoformat()},
    )
    assert response.status_code == 302
    entry = WaitlistEntry.objects.get(patient=patient)
    assert (entry.appointment_type.code, entry.date_from) == ("evaluation", today)


def test_contact_preferences_from_the_page_are_what_the_api_reads(patient, client_for):
    client = signed_in(patient)
    page = client.get("/account/").content.decode()
    assert re.search(r'<input type="checkbox" name="email_enabled"[^>]* checked', page)  # email on by default
    assert not re.search(r'<input type="checkbox" name="sms_enabled"[^>]* checked', page)

    response = client.post("/account/contact-preferences/", {"sms_enabled": "on"})

    assert response.status_code == 302
    assert client_for(patient).get("/api/v1/me/contact-preferences/").json() == {
        "email_enabled": False,
        "sms_enabled": True,
    }
    client_for(patient).patch("/api/v1/me/contact-preferences/", {"email_enabled": True}, format="json")
    assert ContactPreference.objects.get(user=patient).email_enabled is True


def test_a_readiness_answer_for_a_past_appointment_is_refused_in_words(patient, demo_clinic):
    plan = active_plan(patient, signed_at=timezone.now() - timedelta(days=5))
    infusion = AppointmentType.objects.get(code="infusion")
    past = AppointmentFactory(
        patient=patient,
        appointment_type=infusion,
        treatment_plan=plan,
        starts_at=timezone.now() - timedelta(hours=1),
    )

    response = signed_in(patient).post(f"/appointments/{past.pk}/readiness/", {"driver_arranged": "on"})

    assert response.status_code == 200
    assert "Readiness can be confirmed only for an upcoming booked appointment." in response.content.decode()
    past.refresh_from_db()
    assert past.readiness_confirmed_at is None


def test_the_plan_progress_counts_both_kinds_of_session(patient, demo_clinic):
    plan = active_plan(
        patient, signed_at=timezone.now() - timedelta(days=1), infusions_planned=6, integration_sessions_planned=2
    )
    AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="infusion"),
        treatment_plan=plan,
        starts_at=weekday_at(2, 10),
    )
    AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="integration"),
        treatment_plan=plan,
        starts_at=weekday_at(2, 10) - timedelta(days=10),
        status=AppointmentStatus.COMPLETED,
    )

    page = signed_in(patient).get("/account/").content.decode()

    assert "Infusion sessions: 6 planned, 1 booked, 0 done." in page
    assert "Integration sessions: 2 planned, 0 booked, 1 done." in page
    assert 'href="/book/?type=infusion"' in page
    assert 'href="/book/?type=integration"' in page


def _sessions(patient, plan, code: str, count: int, status: str, *, first_day_ago: int = 30) -> None:
    for number in range(count):
        AppointmentFactory(
            patient=patient,
            appointment_type=AppointmentType.objects.get(code=code),
            treatment_plan=plan,
            starts_at=weekday_at(2, 10) - timedelta(days=first_day_ago - 3 * number),
            status=status,
        )


def test_a_patient_whose_series_is_done_is_not_told_to_book_sessions(patient, demo_clinic):
    plan = active_plan(
        patient, signed_at=timezone.now() - timedelta(days=40), infusions_planned=2, integration_sessions_planned=1
    )
    _sessions(patient, plan, "infusion", 2, AppointmentStatus.COMPLETED)
    # A day after the last infusion: one patient is never in two visits at once (PostgreSQL's constraint).
    _sessions(patient, plan, "integration", 1, AppointmentStatus.COMPLETED, first_day_ago=26)

    page = signed_in(patient).get("/account/").content.decode()

    assert "Your treatment series is complete: every planned session is done." in page
    assert "book your treatment sessions" not in page


def test_a_patient_with_every_session_booked_is_pointed_to_them_not_told_to_book(patient, demo_clinic):
    plan = active_plan(
        patient, signed_at=timezone.now() - timedelta(days=40), infusions_planned=1, integration_sessions_planned=0
    )
    AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="infusion"),
        treatment_plan=plan,
        starts_at=weekday_at(2, 10),
    )

    page = signed_in(patient).get("/account/").content.decode()

    assert "Every session of your treatment plan is booked." in page
    assert "book your treatment sessions" not in page


def test_a_cancelled_visit_still_ahead_is_listed_as_cancelled_not_past(patient, booked):
    booked.status = AppointmentStatus.CANCELLED
    booked.save(update_fields=["status"])

    page = signed_in(patient).get("/account/")

    assert [a.pk for a in page.context["cancelled_ahead"]] == [booked.pk]
    assert (page.context["upcoming"], page.context["past"]) == ([], [])


def test_tomorrows_driver_and_fasting_question_leads_the_account_page(patient, demo_clinic):
    plan = active_plan(patient, signed_at=timezone.now() - timedelta(days=5))
    infusion_type = AppointmentType.objects.get(code="infusion")
    soon = AppointmentFactory(
        patient=patient, appointment_type=infusion_type, treatment_plan=plan, starts_at=in_hours(26)
    )
    AppointmentFactory(patient=patient, appointment_type=infusion_type, treatment_plan=plan, starts_at=in_hours(24 * 9))

    page = signed_in(patient).get("/account/").content.decode()

    asked = page.index(f'href="/appointments/{soon.pk}/#readiness"')
    assert asked < page.index('id="treatment-title"')  # before everything else on the page
    assert page.count("#readiness") == 1  # only the infusion in the next two days


def test_the_question_leaves_the_top_once_both_answers_are_given(patient, demo_clinic):
    plan = active_plan(patient, signed_at=timezone.now() - timedelta(days=5))
    AppointmentFactory(
        patient=patient,
        appointment_type=AppointmentType.objects.get(code="infusion"),
        treatment_plan=plan,
        starts_at=in_hours(26),
        driver_arranged=True,
        fasting_acknowledged=True,
        readiness_confirmed_at=timezone.now(),
    )

    assert "#readiness" not in signed_in(patient).get("/account/").content.decode()


def test_a_patient_with_an_evaluation_booked_is_led_to_it_not_to_weeks_without_times(patient, booked):
    page = signed_in(patient).get("/book/?type=evaluation").content.decode()

    assert f'href="/appointments/{booked.pk}/"' in page
    assert "See or move this appointment" in page
    assert "There are no open times" not in page
