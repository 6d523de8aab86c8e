"""Letters to the referring provider (SPEC.md section 12): the PDF read back (text extraction)
says the decision, the doses, the PHQ-9 baseline and latest and the adverse events; the email to the
provider carries the PDF and no clinical word nor the patient's name, in both languages; the
letter needs the patient's agreement and a signed evaluation or a series over; it never changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError, connection, transaction
from pypdf import PdfReader

from clinical.errors import ClinicalError
from clinical.models import ClinicalAccess, Letter
from clinical.services.letters import letter_read, letter_write, letters_of_patient
from core.append_only import AppendOnlyError
from core.roles import Role
from notifications.models import Kind, OutboxMessage
from notifications.services import outbox_send
from tests.clinical.infusion_fixtures import START
from tests.clinical.letter_fixtures import PROVIDER_EMAIL, evaluation_with_provider, series_over
from tests.factories import PatientFactory, UserFactory
from tests.notifications.test_messages import FORBIDDEN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_clinic")]
AFTER = START + timedelta(days=4)
RECOMMENDATIONS = "Continue sertraline 100 mg; consider maintenance infusions if symptoms return."


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(AFTER, tick=False):
        yield


@pytest.fixture
def clinician():
    return UserFactory(role=Role.CLINICIAN, first_name="Cleo", last_name="Park")


def pdf_text(letter: Letter) -> str:
    """The PDF's text as pypdf extracts it, runs of white space (a table's cells) as one space."""
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(bytes(letter.pdf))).pages)


def write(clinician, evaluation, kind: str = "series", **extra) -> Letter:
    return letter_write(
        actor=clinician, evaluation_id=evaluation.pk, kind=kind, recommendations=RECOMMENDATIONS, now=AFTER, **extra
    )


def test_the_series_letter_says_the_decision_doses_phq9_and_adverse_events(nurse_user, clinician):
    letter = write(clinician, series_over(nurse_user))
    text = pdf_text(letter)
    assert "Decision: Candidate" in text
    assert "Two adequate antidepressant trials without response." in text
    assert "2026-12-07 35.0 mg 35.0 mg" in text  # date, planned, given
    assert "2026-12-09 35.0 mg 30.0 mg" in text
    # Section 10's outcome: the baseline is the check-in PHQ-9 before the first infusion (9 here,
    # not the evaluation's 15), the latest one after an infusion was given (the second check-in's 9),
    # and remission is measured only from a baseline of 10 or more.
    assert "PHQ-9 baseline: 9" in text
    assert "PHQ-9 latest: 9" in text
    assert "Response: no. Remission: not measured." in text
    assert "Headache" in text
    assert "Grade 1" in text  # the CTCAE grade
    assert "(510) 555-0142" in text  # the clinic's phone as people read it
    assert "Paracetamol 1 g by mouth." in text
    assert RECOMMENDATIONS in text
    assert "To: Dr. Ngozi Okafor, Harbor Psychiatry" in text
    assert "Cleo Park" in text
    assert ClinicalAccess.objects.filter(object_id=letter.pk, action="create", actor=clinician).count() == 1


def test_the_evaluation_letter_says_the_decision_and_the_baseline(clinician):
    evaluation = evaluation_with_provider(PatientFactory(), signed_at=START)
    text = pdf_text(write(clinician, evaluation, kind="evaluation"))
    assert "Letter after the evaluation" in text
    assert "Decision: Candidate" in text
    assert "PHQ-9 baseline: 15" in text
    assert "PHQ-9 latest" not in text
    assert "Infusions given" not in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_email_to_the_provider_has_the_pdf_and_no_clinical_word_nor_the_name(nurse_user, clinician, language):
    letter = write(clinician, series_over(nurse_user, language=language))
    message = OutboxMessage.objects.get(letter=letter)
    assert (message.kind, message.channel) == (Kind.PROVIDER_LETTER, "email")

    assert outbox_send(message_id=message.pk, now=AFTER) == "sent"

    [email] = mail.outbox
    assert email.to == [PROVIDER_EMAIL]
    assert email.attachments == [("letter.pdf", bytes(letter.pdf), "application/pdf")]
    words = f"{email.subject}\n{email.body}"
    assert not FORBIDDEN.search(words), words
    assert "Linda" not in words
    assert "Marsh" not in words
    expected = "A letter from" if language == "en" else "Una carta de"
    assert email.subject.startswith(expected)


def test_without_the_patients_agreement_nothing_is_written(clinician):
    evaluation = evaluation_with_provider(PatientFactory(), agreed=None, signed_at=START)
    with pytest.raises(ClinicalError) as caught:
        letter_write(actor=clinician, evaluation_id=evaluation.pk, kind="series", recommendations=" ", now=AFTER)
    assert caught.value.code == "no_agreement"
    assert set(caught.value.fields) == {"agreement", "plan", "recommendations"}  # every reason at once
    assert not Letter.objects.exists()
    assert not OutboxMessage.objects.filter(kind=Kind.PROVIDER_LETTER).exists()


def test_a_series_letter_waits_for_the_series_to_be_over(clinician):
    evaluation = evaluation_with_provider(PatientFactory(), signed_at=START)
    with pytest.raises(ClinicalError) as caught:
        write(clinician, evaluation)
    assert (caught.value.code, caught.value.status_code) == ("series_not_over", 409)
    assert not Letter.objects.exists()


def test_a_nurse_writes_no_letter(nurse_user):
    evaluation = evaluation_with_provider(PatientFactory(), signed_at=START)
    with pytest.raises(ClinicalError) as caught:
        write(nurse_user, evaluation, kind="evaluation")
    assert caught.value.status_code == 403
    assert not Letter.objects.exists()


def test_a_correction_is_a_new_letter_and_the_first_never_changes(clinician):
    evaluation = evaluation_with_provider(PatientFactory(), signed_at=START)
    first = write(clinician, evaluation, kind="evaluation")
    second = write(clinician, evaluation, kind="evaluation", corrects_id=first.pk)
    assert second.corrects == first
    assert "This letter corrects our letter of 2026-12-11." in pdf_text(second)
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        Letter.objects.filter(pk=first.pk).update(recommendations="changed")


def test_the_patient_reads_their_own_letters_and_staff_reads_are_audited(clinician, nurse_user):
    evaluation = evaluation_with_provider(PatientFactory(), signed_at=START)
    letter = write(clinician, evaluation, kind="evaluation")
    patient = evaluation.patient
    assert letter_read(actor=patient, letter_id=letter.pk) == letter
    assert [item.pk for item in letters_of_patient(actor=patient, patient_id=patient.pk)] == [letter.pk]
    assert not ClinicalAccess.objects.filter(object_id=letter.pk, action="read").exists()

    letter_read(actor=nurse_user, letter_id=letter.pk)
    letters_of_patient(actor=clinician, patient_id=patient.pk)
    reads = ClinicalAccess.objects.filter(object_id=letter.pk, action="read")
    assert sorted(reads.values_list("actor_role", flat=True)) == ["clinician", "nurse"]

    other = PatientFactory()
    with pytest.raises(ClinicalError) as caught:
        letter_read(actor=other, letter_id=letter.pk)
    assert caught.value.status_code == 404
    with pytest.raises(ClinicalError) as caught:
        letters_of_patient(actor=other, patient_id=patient.pk)
    assert caught.value.status_code == 404
    with pytest.raises(ClinicalError) as caught:
        letter_read(actor=UserFactory(role=Role.THERAPIST), letter_id=letter.pk)
    assert caught.value.status_code == 403


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
@pytest.mark.parametrize(
    "statement", ["UPDATE clinical_letter SET recommendations = 'x'", "DELETE FROM clinical_letter"]
)
def test_raw_sql_cannot_change_a_letter_on_postgresql(clinician, statement):
    evaluation = evaluation_with_provider(PatientFactory(), signed_at=START)
    write(clinician, evaluation, kind="evaluation")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert Letter.objects.get().recommendations == RECOMMENDATIONS
