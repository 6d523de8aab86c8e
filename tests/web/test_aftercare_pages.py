"""The scales page, the nurses' follow-up list and the call's page (web/staff/aftercare.py): the
service's refusals in words beside their fields, nothing written on a refusal, the board's count."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from clinical.models import AdverseEvent, FollowUpCall, ScaleAssessment
from clinical.services.infusions import infusion_discharge, infusion_record_update
from core.roles import Role
from tests.clinical.infusion_fixtures import (
    DISCHARGE_CHECKLIST,
    LA,
    START,
    infusion_appointment,
    reading,
    record_scales,
    start,
)
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

ENDED = START + timedelta(minutes=50)
NEXT_DAY = datetime(2026, 12, 8, 10, tzinfo=LA)
CADSS6 = {f"scales-cadss6_item_{number}": value for number, value in enumerate("012010", start=1)}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def nurse(demo_clinic) -> Any:
    return UserFactory(role=Role.NURSE, first_name="Nora", last_name="Quinn")


@pytest.fixture
def infusion(demo_clinic) -> Any:
    return infusion_appointment(PatientFactory(first_name="Rosa", last_name="Martín"))


def scales_url(appointment: Any) -> str:
    return f"/staff/infusions/{appointment.pk}/scales/"


def discharged(appointment: Any, nurse: Any) -> FollowUpCall:
    start(appointment, nurse)
    infusion_record_update(
        actor=nurse, appointment_id=appointment.pk, changes={"dose_given_mg": Decimal("35.0")}, now=START
    )
    recovered = START + timedelta(minutes=90)
    reading(appointment, nurse, at=recovered)
    record_scales(appointment, nurse, at=recovered)
    infusion_discharge(actor=nurse, appointment_id=appointment.pk, checklist=DISCHARGE_CHECKLIST, now=recovered)
    return FollowUpCall.objects.get(record__appointment=appointment)


def test_the_nurse_records_moaas_and_cadss6_on_their_page(infusion, nurse):
    with time_machine.travel(ENDED + timedelta(minutes=2), tick=False):
        start(infusion, nurse)
        client = signed_in(nurse)
        page = text_of(client.get(scales_url(infusion)))
        assert "5: Responds readily to name spoken in normal tone (alert)" in page
        assert "CADSS-6 item 6 (CADSS question 22)" in page
        done = client.post(scales_url(infusion), {"scales-moaas": "4", **CADSS6, "scales-assessed_at": "09:51"})
        assert done.status_code == 302
        shown = text_of(client.get(done["Location"]))
    assessment = ScaleAssessment.objects.get()
    assert (assessment.moaas, assessment.cadss6_items, assessment.cadss6_total) == (4, [0, 1, 2, 0, 1, 0], 4)
    assert assessment.assessed_at == START + timedelta(minutes=51)
    assert "Scales recorded." in shown
    assert "4 of 24" in shown


def test_a_half_scored_cadss6_is_refused_naming_each_item(infusion, nurse):
    with time_machine.travel(ENDED + timedelta(minutes=2), tick=False):
        start(infusion, nurse)
        refused = signed_in(nurse).post(
            scales_url(infusion), {"scales-cadss6_item_1": "2", "scales-cadss6_item_5": "1"}
        )
    assert refused.status_code == 400
    text = text_of(refused)
    for number in (2, 3, 4, 6):
        assert f"Item {number}: a whole number from 0 to 4." in text
    assert "Item 1:" not in text
    assert not ScaleAssessment.objects.exists()


def test_nothing_scored_is_refused(infusion, nurse):
    with time_machine.travel(ENDED + timedelta(minutes=2), tick=False):
        start(infusion, nurse)
        refused = signed_in(nurse).post(scales_url(infusion), {"scales-assessed_at": "09:51"})
    assert refused.status_code == 400
    assert "MOAA/S: Required without a CADSS-6." in text_of(refused)
    assert not ScaleAssessment.objects.exists()


def test_a_moaas_out_of_the_scale_is_refused_by_the_form(infusion, nurse):
    with time_machine.travel(ENDED + timedelta(minutes=2), tick=False):
        start(infusion, nurse)
        refused = signed_in(nurse).post(scales_url(infusion), {"scales-moaas": "7"})
    assert refused.status_code == 400
    assert not ScaleAssessment.objects.exists()


def test_the_board_counts_the_calls_and_the_list_shows_them_the_next_day(infusion, nurse):
    call = discharged(infusion, nurse)
    with time_machine.travel(NEXT_DAY, tick=False):
        client = signed_in(nurse)
        board = text_of(client.get("/staff/day/?date=2026-12-08"))
        assert "Follow-up calls to make: 1" in board
        assert "Follow-up calls to make: none" in text_of(client.get("/staff/day/?date=2026-12-07"))
        listed = text_of(client.get("/staff/follow-ups/?date=2026-12-08"))
    assert "Rosa Martín" in listed
    assert "To call" in listed
    assert call.due_on.isoformat() == "2026-12-08"


def test_the_calls_outcome_with_a_new_adverse_event(infusion, nurse):
    call = discharged(infusion, nurse)
    with time_machine.travel(NEXT_DAY, tick=False):
        client = signed_in(nurse)
        assert "Rosa Martín" in text_of(client.get(f"/staff/follow-ups/{call.pk}/"))
        done = client.post(
            f"/staff/follow-ups/{call.pk}/",
            {
                "reached": "yes",
                "patient_condition": "Headache last night, better now.",
                "event_code": "headache",
                "event_grade": "1",
                "event_serious": "no",
                "event_relatedness": "possible",
                "event_outcome": "resolving",
                "event_action": "none",
                "event_action_detail": "Advised fluids and rest.",
            },
        )
        assert done.status_code == 302
        assert done["Location"] == "/staff/follow-ups/?date=2026-12-08"
        after = text_of(client.get(done["Location"]))
    assert "The call's outcome is recorded." in after
    assert "Reached · adverse event recorded" in after
    event = AdverseEvent.objects.get()
    assert (event.record_id, event.code, event.grade, event.occurred_at) == (call.record_id, "headache", 1, NEXT_DAY)


def test_a_reached_call_without_the_patients_condition_is_refused_in_words(infusion, nurse):
    call = discharged(infusion, nurse)
    with time_machine.travel(NEXT_DAY, tick=False):
        refused = signed_in(nurse).post(f"/staff/follow-ups/{call.pk}/", {"reached": "yes", "event_code": "headache"})
    assert refused.status_code == 400
    text = text_of(refused)
    assert "How is the patient?: Required." in text
    assert "Grade (CTCAE): Required." in text  # the event's own problems, named at the same time
    assert FollowUpCall.objects.get(pk=call.pk).recorded_at is None
    assert not AdverseEvent.objects.exists()


def test_an_event_without_its_grade_is_refused_beside_each_field(infusion, nurse):
    call = discharged(infusion, nurse)
    with time_machine.travel(NEXT_DAY, tick=False):
        refused = signed_in(nurse).post(
            f"/staff/follow-ups/{call.pk}/",
            {
                "reached": "yes",
                "patient_condition": "Dizzy.",
                "event_code": "dizziness",
                "event_serious": "no",
                "event_relatedness": "possible",
                "event_outcome": "resolved",
                "event_action": "none",
            },
        )
    assert refused.status_code == 400
    text = text_of(refused)
    assert "Grade (CTCAE): Required." in text
    assert "Serious: Required." not in text
    assert FollowUpCall.objects.get(pk=call.pk).recorded_at is None


@pytest.mark.parametrize("role", [Role.ADMIN, Role.THERAPIST, Role.PATIENT])
def test_only_the_care_team_sees_the_calls(infusion, nurse, role):
    call = discharged(infusion, nurse)
    client = signed_in(UserFactory(role=role))
    assert client.get("/staff/follow-ups/").status_code == 403
    assert client.get(f"/staff/follow-ups/{call.pk}/").status_code == 403
