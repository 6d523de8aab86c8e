"""The staff pages of dose orders and letters (SPEC.md section 12): the same services as the API,
a refusal shown beside its field with nothing written, the list on the plan and on the chart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from clinical.models import ClinicalAccess, DoseOrder, DoseOrderCosignature, Letter
from tests.clinical.dose_order_fixtures import clinician, cosignature, order, planned, series, weigh
from tests.clinical.infusion_fixtures import START
from tests.clinical.letter_fixtures import evaluation_with_provider
from tests.factories import PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_clinic")]


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(START - timedelta(hours=1), tick=True):
        yield


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_clinician_signs_a_dose_order_on_the_plans_page_and_the_planned_dose_follows(nurse_user):
    author = clinician()
    first, *_ = series()
    weigh(first, nurse_user)
    url = f"/staff/plans/{first.treatment_plan_id}/dose-orders/"
    response = signed_in(author).post(
        url, {"scope": "remaining", "dose_mg_per_kg": "0.60", "reason": "Little response at 0.50 mg/kg."}
    )
    assert (response.status_code, response["Location"]) == (302, url)
    assert planned(first) == Decimal("42.0")
    page = signed_in(nurse_user).get(url)
    assert page.status_code == 200
    assert "0.60 mg/kg for the remaining infusions" in page.content.decode()
    assert "Write a dose order" not in page.content.decode()  # nurses read only
    assert ClinicalAccess.objects.filter(actor=nurse_user, action="read", object_type="doseorder").count() == 1


def test_a_dose_outside_the_limits_comes_back_on_the_page_and_nothing_is_written(nurse_user):
    first, *_ = series()
    url = f"/staff/plans/{first.treatment_plan_id}/dose-orders/"
    response = signed_in(clinician()).post(url, {"scope": "remaining", "dose_mg_per_kg": "1.50", "reason": ""})
    assert response.status_code == 400
    assert "For IV, the clinic&#x27;s dose is 0.10 to 1.00 mg/kg." in response.content.decode()
    assert not DoseOrder.objects.exists()
    assert signed_in(nurse_user).post(url, {"scope": "remaining"}).status_code == 403


def test_a_second_clinician_cosigns_on_the_page_the_author_cannot(nurse_user):
    author, second = clinician(), clinician()
    first, *_ = series()
    weigh(first, nurse_user)
    pending = order(
        author, first, scope="one", fixed_dose_mg="110.0", appointment_id=first.pk, over_cap_reason="Large patient."
    )
    url = f"/staff/dose-orders/{pending.pk}/cosign/"
    signature = cosignature(author)
    signed_in(author).post(url, {"password": signature.password, "otp": signature.otp})
    assert not DoseOrderCosignature.objects.exists()
    signature = cosignature(second)
    response = signed_in(second).post(url, {"password": signature.password, "otp": signature.otp})
    assert response.status_code == 302
    assert DoseOrderCosignature.objects.get().cosigned_by == second
    assert planned(first) == Decimal("110.0")


def test_a_clinician_writes_a_letter_on_the_chart_and_downloads_its_pdf(nurse_user):
    evaluation = evaluation_with_provider(PatientFactory(), signed_at=START - timedelta(days=1))
    url = f"/staff/patients/{evaluation.patient_id}/letters/"
    author = clinician()
    body = {"evaluation_id": str(evaluation.pk), "kind": "evaluation", "recommendations": "Continue sertraline."}
    response = signed_in(author).post(url, body)
    assert (response.status_code, response["Location"]) == (302, url)
    letter = Letter.objects.get()
    listing = signed_in(nurse_user).get(url).content.decode()
    assert f"/staff/letters/{letter.pk}/pdf/" in listing
    download = signed_in(nurse_user).get(f"/staff/letters/{letter.pk}/pdf/")
    assert download["Content-Type"] == "application/pdf"
    assert download.content == bytes(letter.pdf)
    assert ClinicalAccess.objects.filter(actor=nurse_user, action="read", object_id=letter.pk).count() == 2


def test_a_letter_without_the_patients_agreement_is_refused_on_the_page(nurse_user):
    evaluation = evaluation_with_provider(PatientFactory(), agreed=False, signed_at=START - timedelta(days=1))
    url = f"/staff/patients/{evaluation.patient_id}/letters/"
    body = {"evaluation_id": str(evaluation.pk), "kind": "evaluation", "recommendations": "Continue sertraline."}
    response = signed_in(clinician()).post(url, body)
    assert response.status_code == 400
    assert "The patient has not agreed" in response.content.decode()
    assert not Letter.objects.exists()
