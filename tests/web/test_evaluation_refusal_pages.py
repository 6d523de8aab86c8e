"""The evaluation form with section 4's rules (Django's test client): the new fields with their
labels and ranges, the official PHQ-9 wording, the rate once saved, and each refusal of the
service in words beside its field and in the error summary, every reason at once."""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from booking.models import AppointmentStatus
from clinical.models import Alert, ClinicThresholds, Evaluation, EvaluationStatus, TreatmentPlan
from clinical.services.evaluations import evaluation_create
from scheduling.models import AppointmentType
from tests.conftest import demo_staff
from tests.factories import AppointmentFactory, PatientFactory
from web import checkins

pytestmark = pytest.mark.django_db

HARD_STOP = "a hard stop, no override reason allows a candidate decision."
BLOOD_PRESSURE = "At or above 180/110: tick uncontrolled hypertension (and give an override reason) for a candidate."
RISK = "Required: PHQ-9 item 9 is above 0."


@pytest.fixture
def clinician(demo_clinic):
    return demo_staff("clinician@example.com").user


@pytest.fixture
def draft(demo_clinic, clinician) -> Evaluation:
    visit = AppointmentFactory(
        patient=PatientFactory(),
        appointment_type=AppointmentType.objects.get(code="evaluation"),
        starts_at=timezone.now() - timedelta(hours=1),
        status=AppointmentStatus.CHECKED_IN,
        staff=clinician.staff_member,
    )
    return evaluation_create(actor=clinician, appointment_id=visit.pk)


@pytest.fixture
def client(clinician) -> Client:
    signed_in = Client()
    signed_in.force_login(clinician)
    return signed_in


def page(evaluation: Evaluation) -> str:
    return f"/staff/evaluations/{evaluation.pk}/"


def candidate(**values: object) -> dict[str, object]:
    """A complete candidate with a 0.50 mg/kg IV plan, as the browser posts it, changed by ``values``."""
    body: dict[str, object] = {
        "phq9_total": "14",
        "gad7_total": "9",
        "systolic_bp": "128",
        "diastolic_bp": "82",
        "heart_rate": "72",
        "substance_use": "none",
        "decision": "candidate",
        "rationale": "Two failed antidepressant trials.",
        "infusions_planned": "6",
        "min_days_between": "2",
        "window_days": "21",
        "integration_sessions_planned": "0",
        "dose_mg_per_kg": "0.50",
        "route": "IV",
        "medication_rows": "3",
        "action": "save",
    }
    body.update(values)
    return body


def shown(response) -> str:
    return html.unescape(response.content.decode())


def test_the_form_shows_every_new_field_with_its_label_and_range(client, draft):
    body = shown(client.get(page(draft)))

    for label in (
        "Weight (kg)",
        "Medication 1: name",
        "Medication 1: dose",
        "Medication 1: how often",
        "Medication 1: class",
        "Takes no medication",
        "Allergies",
        "No known allergies",
        "Childbearing potential",
        "Referring provider's name",
        "Practice",
        "The patient agrees to the clinic writing back to them",
        "Suicide-risk level",
        "Suicide-risk assessment note",
        "Infusion minutes",
        "Aneurysmal vascular disease (aneurysm or arteriovenous malformation)",
        "History of intracerebral hemorrhage",
        "Severe hepatic impairment",
    ):
        assert label in body, label
    assert "From 25.0 to 350.0, to 0.1 kg." in body
    assert "IV only: from 20 to 120, 40 when left empty. Leave it empty for IM." in body
    assert "The clinic's limits: IV: 0.10 to 1.00 mg/kg; IM: 0.10 to 1.00 mg/kg." in body
    assert 'name="infusion_minutes" min="20" max="120"' in body
    assert "Not recorded counts as unknown." in body


def test_the_phq9_items_read_in_the_check_in_forms_official_wording(client, draft):
    body = shown(client.get(page(draft)))

    official = checkins.ITEMS["phq9"]
    assert str(official[8]) == "Thoughts that you would be better off dead or of hurting yourself in some way"
    for number, text in enumerate(official, start=1):
        assert f">{number}. {text}</label>" in body
    for number, text in enumerate(checkins.ITEMS["gad7"], start=1):
        assert f">{number}. {text}</label>" in body


def test_the_rate_shows_once_dose_minutes_and_weight_are_saved(client, draft):
    response = client.post(page(draft), candidate(weight_kg="70.0", infusion_minutes="40"))
    assert response.status_code == 302

    assert "Rate at the evaluation's weight: 0.88 mg/min (35.0 mg over 40 minutes)." in shown(client.get(page(draft)))


def test_a_dose_outside_the_clinics_limits_is_refused_beside_the_dose_on_save(client, draft, demo_clinic):
    ClinicThresholds.objects.create(clinic=demo_clinic, iv_dose_max_mg_per_kg=Decimal("0.80"))

    response = client.post(page(draft), candidate(dose_mg_per_kg="0.81", heart_rate="90"))

    body = shown(response)
    assert response.status_code == 400
    assert 'id="id_dose_mg_per_kg_error"' in body
    assert 'href="#id_dose_mg_per_kg">Dose (mg/kg): For IV, the clinic\'s dose is 0.10 to 0.80 mg/kg.' in body
    draft.refresh_from_db()
    assert draft.heart_rate is None
    assert not TreatmentPlan.objects.filter(evaluation=draft).exists()


def test_each_signing_refusal_is_said_beside_its_fields_and_all_at_once_in_the_summary(client, draft):
    client.post(
        page(draft),
        candidate(
            systolic_bp="182",
            contraindications=["pregnancy", "active_substance_misuse"],
            phq9_total="",
            **{f"phq9_item_{n}": "1" for n in range(1, 10)},
        ),
    )

    response = client.post(f"{page(draft)}sign/")

    body = shown(response)
    assert response.status_code == 400
    summary = body[body.index('class="error-summary"') : body.index("</ul>", body.index('class="error-summary"'))]
    for link, words in (
        ("id_suicide_risk_level_0", f"Suicide-risk level: {RISK}"),
        ("id_suicide_risk_note", f"Suicide-risk assessment note: {RISK}"),
        ("id_systolic_bp", f"Blood pressure, systolic (mmHg): {BLOOD_PRESSURE}"),
        ("id_substance_use_0", "Substance use: Says none, but active substance misuse is ticked."),
        ("id_contraindications_0", f"Contraindications: Pregnancy: {HARD_STOP}"),
        (
            "id_contraindications_0",
            "Contraindications: Active substance misuse is ticked, but substance use says otherwise.",
        ),
        ("id_contraindications_0", "Contraindications: Uncontrolled hypertension is not ticked."),
    ):
        assert f'<a href="#{link}">{words}</a>' in summary, words
    for field in ("suicide_risk_level", "suicide_risk_note", "systolic_bp", "substance_use", "contraindications"):
        assert f'id="id_{field}_error"' in body, field
    draft.refresh_from_db()
    assert draft.status == EvaluationStatus.DRAFT
    assert not Alert.objects.exists()


def test_the_assessment_signs_and_the_record_shows_it(client, draft):
    items = {f"phq9_item_{n}": "0" for n in range(1, 9)}
    client.post(
        page(draft),
        candidate(
            phq9_total="",
            phq9_item_9="1",
            suicide_risk_level="low",
            suicide_risk_note="Passive thoughts, no plan; safety plan agreed.",
            medication_1_name="Sertraline",
            medication_1_dose="100 mg",
            medication_1_frequency="Once a day",
            medication_1_drug_class="other",
            allergies_none_known="on",
            childbearing_potential="no",
            referring_provider_name="Dr. Ana Ruiz",
            referring_provider_phone="(415) 555-0134",
            referring_provider_write_back="yes",
            **items,
        ),
    )

    assert client.post(f"{page(draft)}sign/").status_code == 302

    draft.refresh_from_db()
    assert (draft.status, draft.phq9_total, draft.phq9_items) == ("signed", 1, [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert draft.medications == [
        {"name": "Sertraline", "dose": "100 mg", "frequency": "Once a day", "drug_class": "other"}
    ]
    assert (draft.allergies_none_known, draft.referring_provider_write_back_agreed) == (True, True)
    assert Alert.objects.get().resolved_at is not None
    record = shown(client.get(page(draft)))
    assert "Low risk. Passive thoughts, no plan; safety plan agreed." in record
    assert "Sertraline, 100 mg, Once a day (Other)" in record
    assert "None known" in record
    assert draft.referring_provider_phone == "+14155550134"  # stored in E.164
    assert "(415) 555-0134" in record  # shown as people write it


def test_a_medication_row_half_filled_is_named_beside_its_fields(client, draft):
    response = client.post(
        page(draft),
        candidate(medication_2_name="Lorazepam", medication_2_dose="0.5 mg", medication_2_frequency="As needed"),
    )

    body = shown(response)
    assert response.status_code == 400
    assert '<a href="#id_medication_2_drug_class">Medication 2: class: Choose a class from the list.</a>' in body


def test_a_dose_outside_limits_narrowed_since_the_draft_is_refused_at_signing(client, draft, demo_clinic):
    client.post(page(draft), candidate(dose_mg_per_kg="0.90"))
    ClinicThresholds.objects.create(clinic=demo_clinic, iv_dose_max_mg_per_kg=Decimal("0.80"))

    response = client.post(f"{page(draft)}sign/")

    body = shown(response)
    assert response.status_code == 400
    assert '<a href="#id_dose_mg_per_kg">Dose (mg/kg): For IV, the clinic\'s dose is 0.10 to 0.80 mg/kg.</a>' in body
    assert 'id="id_dose_mg_per_kg_error"' in body
    assert 'value="0.90"' in body  # the saved draft, shown as it is
