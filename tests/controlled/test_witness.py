"""The witness of a waste (SPEC.md section 12): a second member of staff signs on the same screen
with their own password and the current code of their second factor. Each refusal has its code
and writes nothing to the log."""

from __future__ import annotations

from decimal import Decimal

import pytest
from axes.models import AccessAttempt

from accounts.services.second_factor import SecondFactorError, second_factor_verify
from controlled.errors import ControlledError
from controlled.models import Container, LedgerEntry
from controlled.services.infusions import infusion_administration_record, infusion_draw
from controlled.witness import WitnessSignature
from tests.accounts.otp import enrolled, totp_code
from tests.controlled.fixtures import dose_given, signature, under_way, vial
from tests.factories import TEST_PASSWORD, PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("during")]


@pytest.fixture
def waste_due(nurse, demo_clinic):
    """An infusion that drew 40.0 mg and gave 35.0 mg: 5.0 mg to waste."""
    container = vial(nurse)
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("40.0"))
    dose_given(nurse, infusion, "35.0")
    return infusion


def refused_code(nurse, infusion, witness_signature) -> str:
    before = list(LedgerEntry.objects.values_list("pk", flat=True))
    with pytest.raises(ControlledError) as refused:
        infusion_administration_record(actor=nurse, appointment_id=infusion.pk, witness=witness_signature)
    assert list(LedgerEntry.objects.values_list("pk", flat=True)) == before, "a refusal wrote to the log"
    assert Container.objects.get().balance_mg == Decimal("460.0")
    return refused.value.code


def test_the_person_wasting_cannot_witness_it(nurse, waste_due):
    assert refused_code(nurse, waste_due, signature(nurse)) == "witness_same_person"


def test_a_wrong_password_is_refused_and_counted_against_the_witness_account(nurse, witness, waste_due):
    assert refused_code(nurse, waste_due, signature(witness, password="not-the-password")) == "witness_password_invalid"
    failures = AccessAttempt.objects.filter(username=witness.email).values_list("failures_since_start", flat=True)
    assert list(failures) == [1]


def test_a_wrong_code_is_refused(nurse, witness, waste_due):
    right = totp_code(witness)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert refused_code(nurse, waste_due, signature(witness, otp=wrong)) == "witness_otp_invalid"


def test_a_code_used_once_is_refused_the_second_time(nurse, witness, waste_due):
    code = totp_code(witness)
    second_factor_verify(user=witness, code=code)  # the witness used this code a moment ago (a sign-in)
    assert refused_code(nurse, waste_due, signature(witness, otp=code)) == "witness_otp_invalid"


def test_a_patient_cannot_witness(nurse, waste_due):
    patient = enrolled(PatientFactory())  # even a patient with a second factor
    assert refused_code(nurse, waste_due, signature(patient)) == "witness_not_staff"


def test_an_unknown_email_answers_as_a_wrong_password(nurse, waste_due):
    unknown = WitnessSignature(email="nobody@example.com", password=TEST_PASSWORD, otp="123456")
    assert refused_code(nurse, waste_due, unknown) == "witness_password_invalid"


def test_the_right_witness_signs_and_their_code_is_then_used(nurse, witness, waste_due):
    code = totp_code(witness)
    infusion_administration_record(actor=nurse, appointment_id=waste_due.pk, witness=signature(witness, otp=code))
    assert LedgerEntry.objects.get(kind="waste").witness == witness
    with pytest.raises(SecondFactorError):
        second_factor_verify(user=witness, code=code)
