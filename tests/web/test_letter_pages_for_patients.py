"""The patient's letters page (SPEC.md section 12): /account/ leads to /account/letters/, which lists
the patient's own letters to their referring doctor (the day sent on the clinic's calendar, to
whom, after what) in their language, each with the PDF the doctor received; another patient's
letter is not found and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from io import BytesIO

import pytest
import time_machine
from django.test import Client
from pypdf import PdfReader

from clinical.models import ClinicalAccess, Letter
from clinical.services.letters import letter_write
from core.models import PatientDataAccess
from core.roles import Role
from tests.clinical.infusion_fixtures import LA, START
from tests.clinical.letter_fixtures import evaluation_with_provider
from tests.factories import PatientFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_clinic")]

# A Friday evening in California: already Saturday in UTC, so the day shown must be the clinic's.
WRITTEN_AT = datetime(2026, 12, 11, 18, 30, tzinfo=LA)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(WRITTEN_AT + timedelta(hours=1), tick=False):
        yield


def signed_in(user, *, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def letter_for(patient, *, kind: str = "evaluation", corrects: Letter | None = None) -> Letter:
    evaluation = corrects.evaluation if corrects else evaluation_with_provider(patient, signed_at=START)
    return letter_write(
        actor=UserFactory(role=Role.CLINICIAN),
        evaluation_id=evaluation.pk,
        kind=kind,
        recommendations="Continue sertraline 100 mg.",
        corrects_id=corrects.pk if corrects else None,
        now=WRITTEN_AT,
    )


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(content)).pages)


def test_the_account_page_leads_to_the_patients_own_letters_and_no_one_elses(patient, other_patient):
    first = letter_for(patient)
    correction = letter_for(patient, corrects=first)
    elses = letter_for(other_patient)
    client = signed_in(patient)
    account = client.get("/account/").content.decode()
    assert "Letters to your doctor" in account
    assert 'href="/account/letters/"' in account

    response = client.get("/account/letters/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<strong>Letter after your evaluation</strong>") == 2
    assert page.count("Sent on Friday, December 11, 2026 to Dr. Ngozi Okafor.") == 2
    assert page.count("It corrects an earlier letter.") == 1
    assert f'href="/account/letters/{first.pk}/pdf/"' in page
    assert f'href="/account/letters/{correction.pk}/pdf/"' in page
    assert str(elses.pk) not in page
    assert "written in English" in page


def test_a_patient_without_letters_is_told_so(patient):
    page = signed_in(patient).get("/account/letters/").content.decode()
    assert "No letter has been sent to your doctor yet." in page


def test_the_pdf_is_the_letter_as_sent_the_same_as_the_staff_download(patient, nurse_user):
    letter = letter_for(patient)
    response = signed_in(patient).get(f"/account/letters/{letter.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert response.content == bytes(letter.pdf)
    assert response.content == signed_in(nurse_user).get(f"/staff/letters/{letter.pk}/pdf/").content
    text = pdf_text(response.content)
    assert "Letter after the evaluation" in text
    assert "To: Dr. Ngozi Okafor, Harbor Psychiatry" in text
    assert "Continue sertraline 100 mg." in text


def test_another_patients_letter_is_not_found_and_nothing_is_written(patient, other_patient):
    elses = letter_for(other_patient)
    accesses, reads = ClinicalAccess.objects.count(), PatientDataAccess.objects.count()
    client = signed_in(patient)
    assert client.get(f"/account/letters/{elses.pk}/pdf/").status_code == 404
    assert client.get("/account/letters/00000000-0000-0000-0000-000000000001/pdf/").status_code == 404
    assert (ClinicalAccess.objects.count(), PatientDataAccess.objects.count()) == (accesses, reads)
    assert signed_in(other_patient).get(f"/account/letters/{elses.pk}/pdf/").status_code == 200  # its owner's


def test_staff_are_refused_the_patients_letters_page(patient, nurse_user, clinician_user):
    letter = letter_for(patient)
    for user in (nurse_user, clinician_user):
        client = signed_in(user)
        assert client.get("/account/letters/").status_code == 403
        assert client.get(f"/account/letters/{letter.pk}/pdf/").status_code == 403
    assert not ClinicalAccess.objects.filter(object_id=letter.pk, action="read").exists()


def test_a_spanish_patient_reads_the_page_in_spanish():
    rosa = PatientFactory(first_name="Rosa", last_name="Martínez", language="es")
    letter_for(rosa, kind="evaluation")
    client = signed_in(rosa, language="es")
    assert "Cartas a su médico" in client.get("/account/").content.decode()
    page = client.get("/account/letters/").content.decode()
    assert '<html lang="es">' in page
    assert "Carta después de su evaluación" in page
    assert "Enviada el viernes, 11 de diciembre de 2026. Destinatario: Dr. Ngozi Okafor." in page
    assert "Descargar PDF" in page
    assert "está escrita en inglés" in page
