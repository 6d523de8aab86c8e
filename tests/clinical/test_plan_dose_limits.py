"""The plan's dose terms (SPEC.md section 4): the clinic's mg/kg range per route at the plan (on a
change of the draft and again at signing), the single-dose cap's setting, the infusion minutes and
the rate in mg/min they give."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client

from clinical.dosing import infusion_rate_mg_per_min, plan_rate_mg_per_min, planned_dose
from clinical.errors import ClinicalError
from clinical.models import ClinicThresholds, Evaluation, TreatmentPlan
from clinical.services.evaluations import evaluation_create, evaluation_sign, evaluation_update
from core.roles import Role
from tests.accounts.otp import enrolled
from tests.clinical.evaluation_fixtures import RATIONALE, SCREENING, evaluation_appointment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 3, 14, tzinfo=LA)
CANDIDATE = {**SCREENING, "substance_use": "none", "decision": "candidate", "rationale": RATIONALE}


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def draft(demo_clinic, patient, clinician_user) -> Evaluation:
    visit = evaluation_appointment(patient, starts_at=NOW - timedelta(hours=4))
    return evaluation_create(actor=clinician_user, appointment_id=visit.pk)


def plan_change(draft: Evaluation, clinician: Any, **plan: Any) -> TreatmentPlan:
    evaluation_update(actor=clinician, evaluation_id=draft.pk, changes=CANDIDATE, plan_changes=plan)
    return TreatmentPlan.objects.get(evaluation=draft)


def refused_change(draft: Evaluation, clinician: Any, **plan: Any) -> ClinicalError:
    with pytest.raises(ClinicalError) as refused:
        evaluation_update(actor=clinician, evaluation_id=draft.pk, changes={"heart_rate": 99}, plan_changes=plan)
    draft.refresh_from_db()
    assert draft.heart_rate != 99, "the evaluation's own change was written anyway"
    return refused.value


def test_the_clinics_limits_default_to_section_4s_and_the_cap_to_100_mg():
    limits = ClinicThresholds()
    assert (limits.iv_dose_min_mg_per_kg, limits.iv_dose_max_mg_per_kg) == (Decimal("0.10"), Decimal("1.00"))
    assert (limits.im_dose_min_mg_per_kg, limits.im_dose_max_mg_per_kg) == (Decimal("0.10"), Decimal("1.00"))
    assert limits.single_dose_cap_mg == Decimal("100.0")


@pytest.mark.parametrize("route", ["IV", "IM"])
@pytest.mark.parametrize("dose", ["0.10", "1.00"])
def test_each_routes_ends_are_allowed(draft, clinician_user, route, dose):
    plan = plan_change(draft, clinician_user, route=route, dose_mg_per_kg=Decimal(dose))

    assert (plan.route, plan.dose_mg_per_kg) == (route, Decimal(dose))
    assert evaluation_sign(actor=clinician_user, evaluation_id=draft.pk).status == "signed"


@pytest.mark.parametrize("route", ["IV", "IM"])
@pytest.mark.parametrize("dose", ["0.09", "1.01"])
def test_just_outside_a_routes_range_is_refused_and_nothing_is_written(draft, clinician_user, route, dose):
    plan_change(draft, clinician_user, route=route, dose_mg_per_kg=Decimal("0.50"))

    error = refused_change(draft, clinician_user, route=route, dose_mg_per_kg=Decimal(dose))

    assert (error.status_code, error.code) == (400, "dose_out_of_range")
    assert error.fields == {"plan.dose_mg_per_kg": [f"For {route}, the clinic's dose is 0.10 to 1.00 mg/kg."]}
    assert TreatmentPlan.objects.get(evaluation=draft).dose_mg_per_kg == Decimal("0.50")


def test_a_route_changed_under_a_dose_is_checked_against_the_new_route(draft, clinician_user, demo_clinic):
    ClinicThresholds.objects.create(clinic=demo_clinic, im_dose_max_mg_per_kg=Decimal("0.75"))
    plan_change(draft, clinician_user, route="IV", dose_mg_per_kg=Decimal("0.80"))

    error = refused_change(draft, clinician_user, route="IM")

    assert error.fields == {"plan.dose_mg_per_kg": ["For IM, the clinic's dose is 0.10 to 0.75 mg/kg."]}
    assert TreatmentPlan.objects.get(evaluation=draft).route == "IV"


def test_a_clinics_own_limits_apply_at_their_edges(draft, clinician_user, demo_clinic):
    ClinicThresholds.objects.create(
        clinic=demo_clinic, iv_dose_min_mg_per_kg=Decimal("0.20"), iv_dose_max_mg_per_kg=Decimal("0.80")
    )
    for allowed in ("0.20", "0.80"):
        assert plan_change(draft, clinician_user, route="IV", dose_mg_per_kg=Decimal(allowed)).dose_mg_per_kg == (
            Decimal(allowed)
        )
    for refused in ("0.19", "0.81"):
        error = refused_change(draft, clinician_user, dose_mg_per_kg=Decimal(refused))
        assert error.fields == {"plan.dose_mg_per_kg": ["For IV, the clinic's dose is 0.20 to 0.80 mg/kg."]}


def test_limits_narrowed_after_the_draft_refuse_the_signature(draft, clinician_user, demo_clinic):
    plan_change(draft, clinician_user, route="IV", dose_mg_per_kg=Decimal("0.90"))
    ClinicThresholds.objects.create(clinic=demo_clinic, iv_dose_max_mg_per_kg=Decimal("0.80"))

    with pytest.raises(ClinicalError) as refused:
        evaluation_sign(actor=clinician_user, evaluation_id=draft.pk)

    assert (refused.value.code, refused.value.fields) == (
        "dose_out_of_range",
        {"plan.dose_mg_per_kg": ["For IV, the clinic's dose is 0.10 to 0.80 mg/kg."]},
    )
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_database_refuses_incoherent_limits(demo_clinic):
    for wrong in (
        {"iv_dose_min_mg_per_kg": Decimal("0.60"), "iv_dose_max_mg_per_kg": Decimal("0.50")},
        {"im_dose_max_mg_per_kg": Decimal("2.10")},
        {"iv_dose_min_mg_per_kg": Decimal("0.04")},
        {"single_dose_cap_mg": Decimal("0.0")},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ClinicThresholds.objects.create(clinic=demo_clinic, **wrong)


# -- infusion minutes and the rate ---------------------------------------------------------------------------


def test_an_iv_plan_runs_40_minutes_unless_told(draft, clinician_user):
    assert plan_change(draft, clinician_user, route="IV", dose_mg_per_kg=Decimal("0.50")).infusion_minutes == 40


@pytest.mark.parametrize("minutes", [20, 120])
def test_iv_minutes_from_20_to_120(draft, clinician_user, minutes):
    plan = plan_change(draft, clinician_user, route="IV", dose_mg_per_kg=Decimal("0.50"), infusion_minutes=minutes)
    assert plan.infusion_minutes == minutes


@pytest.mark.parametrize("minutes", [19, 121])
def test_iv_minutes_outside_20_to_120_are_refused(draft, clinician_user, minutes):
    error = refused_change(draft, clinician_user, route="IV", infusion_minutes=minutes)
    assert (error.code, error.fields) == ("out_of_range", {"infusion_minutes": ["Must be between 20 and 120."]})
    assert not TreatmentPlan.objects.filter(evaluation=draft).exists()


def test_an_im_plan_has_no_minutes(draft, clinician_user):
    plan_change(draft, clinician_user, route="IV", dose_mg_per_kg=Decimal("0.50"), infusion_minutes=60)

    assert plan_change(draft, clinician_user, route="IM").infusion_minutes is None
    error = refused_change(draft, clinician_user, infusion_minutes=40)

    assert (error.code, error.fields) == (
        "infusion_minutes_not_applicable",
        {"plan.infusion_minutes": ["Not for an IM injection: leave it empty."]},
    )
    assert evaluation_sign(actor=clinician_user, evaluation_id=draft.pk).status == "signed"


def test_the_rate_is_the_planned_dose_over_the_minutes_to_a_hundredth():
    assert infusion_rate_mg_per_min(dose_mg=Decimal("35.0"), minutes=40) == Decimal("0.88")  # 0.875, half up
    assert infusion_rate_mg_per_min(dose_mg=Decimal("35.0"), minutes=20) == Decimal("1.75")
    assert planned_dose(dose_mg_per_kg=Decimal("0.35"), weight_kg=Decimal("81.3")) == Decimal("28.5")  # 28.455
    assert plan_rate_mg_per_min(
        dose_mg_per_kg=Decimal("0.35"), weight_kg=Decimal("81.3"), route="IV", minutes=40
    ) == Decimal("0.71")  # 28.5 mg / 40 = 0.7125


@pytest.mark.parametrize(
    ("dose", "weight", "route", "minutes"),
    [
        (Decimal("0.50"), Decimal("70.0"), "IM", None),
        (Decimal("0.50"), None, "IV", 40),
        (None, Decimal("70.0"), "IV", 40),
    ],
)
def test_no_rate_for_im_or_while_a_term_is_missing(dose, weight, route, minutes):
    assert plan_rate_mg_per_min(dose_mg_per_kg=dose, weight_kg=weight, route=route, minutes=minutes) is None


def test_an_admin_sets_the_clinics_dose_limits_and_cap_and_incoherent_ones_are_refused(demo_clinic):
    admin_user = enrolled(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    client = Client()
    client.force_login(admin_user)
    limits = ClinicThresholds.objects.create(clinic=demo_clinic)
    form = {
        "clinic": demo_clinic.pk,
        "systolic_at_least": 180,
        "diastolic_at_least": 110,
        "heart_rate_at_least": 130,
        "heart_rate_at_most": 45,
        "spo2_below": 92,
        # The pre-dose limits (section 10's start gate) at their defaults: the form sends every field.
        "predose_systolic_at_least": 160,
        "predose_diastolic_at_least": 100,
        "predose_heart_rate_at_least": 110,
        "predose_heart_rate_below": 50,
        "predose_spo2_below": 94,
        "discharge_rise_percent": 20,
        "discharge_heart_rate_below": 110,
        "discharge_spo2_at_least": 94,
        "iv_dose_min_mg_per_kg": "0.20",
        "iv_dose_max_mg_per_kg": "0.80",
        "im_dose_min_mg_per_kg": "0.25",
        "im_dose_max_mg_per_kg": "0.75",
        "single_dose_cap_mg": "90.0",
    }
    url = f"/admin/clinical/clinicthresholds/{limits.pk}/change/"

    assert client.post(url, form).status_code == 302
    limits.refresh_from_db()
    assert (limits.iv_dose_min_mg_per_kg, limits.iv_dose_max_mg_per_kg) == (Decimal("0.20"), Decimal("0.80"))
    assert (limits.im_dose_min_mg_per_kg, limits.im_dose_max_mg_per_kg) == (Decimal("0.25"), Decimal("0.75"))
    assert limits.single_dose_cap_mg == Decimal("90.0")

    refused = client.post(url, {**form, "iv_dose_min_mg_per_kg": "0.90"})
    assert refused.status_code == 200
    assert "Each route&#x27;s lowest dose is at most its highest" in refused.content.decode()
    limits.refresh_from_db()
    assert limits.iv_dose_min_mg_per_kg == Decimal("0.20")
