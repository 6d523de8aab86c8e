"""A clinician meets section 4's rules on the evaluation form: the suicide-risk assessment appears
once PHQ-9 item 9 is answered above 0, a pregnancy ticked for a candidate is refused with every
other reason at once, beside each field and in the summary, and the corrected record signs with
its rate shown. Every page visited passes axe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from booking.models import Appointment, AppointmentStatus
from clinical.models import Alert, Evaluation, EvaluationStatus
from scheduling.models import AppointmentType
from tests.conftest import demo_staff
from tests.factories import TEST_PASSWORD, AppointmentFactory, PatientFactory

pytestmark = pytest.mark.browser

HARD_STOP = "Pregnancy: a hard stop, no override reason allows a candidate decision."
RISK = "Required: PHQ-9 item 9 is above 0."


@pytest.fixture
def clinician_with_visit(clinic):
    clinician = demo_staff("clinician@example.com")
    clinician.user.set_password(TEST_PASSWORD)
    clinician.user.save(update_fields=["password"])
    visit: Appointment = AppointmentFactory(
        patient=PatientFactory(first_name="Lena", last_name="Ortiz"),
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=timezone.now() - timedelta(minutes=30),
        status=AppointmentStatus.CHECKED_IN,
        staff=clinician,
    )
    return clinician.user, visit


def test_a_clinician_is_refused_every_reason_at_once_then_signs_the_assessment(
    page: Page, sign_in, axe, clinician_with_visit
):
    clinician, visit = clinician_with_visit
    sign_in(page, clinician)
    page.get_by_role("button", name="Write evaluation for Lena Ortiz").click()
    level = page.get_by_role("group", name="Suicide-risk level")
    expect(level).to_be_hidden()

    page.get_by_text("Enter PHQ-9 item by item").click()
    for number in range(1, 9):
        page.get_by_label(f"{number}. ", exact=False).first.select_option("1")
    item_9 = page.get_by_label("9. Thoughts that you would be better off dead or of hurting yourself in some way")
    item_9.select_option("0")
    expect(level).to_be_hidden()
    item_9.select_option("2")
    expect(level).to_be_visible()
    expect(page.get_by_label("Suicide-risk assessment note")).to_be_visible()
    axe(page)

    page.get_by_label("GAD-7 total").fill("8")
    page.get_by_label("Blood pressure, systolic (mmHg)").fill("184")
    page.get_by_label("Blood pressure, diastolic (mmHg)").fill("92")
    page.get_by_label("Heart rate (beats per minute)").fill("76")
    page.get_by_label("Weight (kg)").fill("64.0")
    page.get_by_label("None", exact=True).check()
    page.get_by_label("Pregnancy").check()
    page.get_by_label("Candidate", exact=True).check()
    page.get_by_label("Rationale").fill("Two failed trials; severe symptoms.")
    page.get_by_label("Dose (mg/kg)").fill("0.5")
    page.get_by_label("IV (intravenous)").check()
    page.get_by_role("button", name="Sign evaluation").click()
    page.get_by_role("button", name="Sign evaluation").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(f"Contraindications: {HARD_STOP}")
    expect(summary).to_contain_text("Blood pressure, systolic (mmHg): At or above 180/110")
    expect(summary).to_contain_text(f"Suicide-risk level: {RISK}")
    expect(summary).to_contain_text(f"Suicide-risk assessment note: {RISK}")
    expect(page.get_by_label("Suicide-risk assessment note")).to_have_accessible_description(
        f"What was assessed and agreed. {RISK}"
    )
    axe(page)
    assert Evaluation.objects.get(appointment=visit).status == EvaluationStatus.DRAFT

    page.get_by_label("Pregnancy").uncheck()
    page.get_by_label("Uncontrolled hypertension").check()
    page.get_by_label("Override reason").fill("Cardiology review: proceed with blood pressure monitoring.")
    page.get_by_label("Moderate", exact=True).check()
    page.get_by_label("Suicide-risk assessment note").fill("Passive thoughts, no plan; safety plan agreed.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Rate at the evaluation's weight: 0.80 mg/min (32.0 mg over 40 minutes).")).to_be_visible()
    page.get_by_role("button", name="Sign evaluation").click()
    page.get_by_role("button", name="Sign evaluation").click()

    expect(page.get_by_role("status")).to_contain_text("Evaluation signed.")
    expect(page.get_by_text("Moderate risk. Passive thoughts, no plan; safety plan agreed.")).to_be_visible()
    axe(page)
    assert Alert.objects.get(evaluation__appointment=visit).resolved_by == clinician
