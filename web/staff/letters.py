"""/staff/patients/<patient_id>/letters/: the patient's letters to their referring provider
(SPEC.md section 12), listed with the chart for nurses and clinicians (each read audited by the
service); a clinician writes one here, after a signed evaluation or a series over, and each letter's
PDF downloads at /staff/letters/<letter_id>/pdf/. The services are the API's.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from accounts.selectors import patient_for_staff
from clinical.api.letters import letter_pdf_download
from clinical.errors import ClinicalError, ClinicalPermissionError
from clinical.models import Evaluation, EvaluationStatus, LetterKind
from clinical.services.letters import (
    LETTER_STAFF_READER_ROLES,
    LETTER_WRITER_ROLES,
    letter_read,
    letter_write,
    letters_of_patient,
)
from core.access_log import log_patient_reads
from core.permissions import role_required
from core.request_id import request_id_of
from scheduling.selectors import clinic_zone
from web.actor import actor_of
from web.forms import PageForm, form_add_each_reason


class LetterForm(PageForm):
    evaluation_id = forms.ChoiceField(label="Evaluation")
    kind = forms.ChoiceField(label="Letter", choices=LetterKind.choices, widget=forms.RadioSelect)
    recommendations = forms.CharField(
        label="Recommendations, in your words",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


def _refusal(error: ClinicalError) -> Exception:
    return PermissionDenied(error.detail) if isinstance(error, ClinicalPermissionError) else Http404()


def _evaluation_choices(patient: User) -> list[tuple[str, str]]:
    rows = Evaluation.objects.filter(patient=patient, status=EvaluationStatus.SIGNED).order_by("-signed_at")
    zone = clinic_zone()
    return [(str(e.pk), f"Signed {e.signed_at.astimezone(zone):%Y-%m-%d}") for e in rows if e.signed_at is not None]


def _offer_evaluations(form: LetterForm, patient: User) -> None:
    field = form.fields["evaluation_id"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = _evaluation_choices(patient)


def _render(request: HttpRequest, patient: User, form: LetterForm | None, status: int = 200) -> HttpResponse:
    try:
        letters = letters_of_patient(actor=actor_of(request), patient_id=patient.pk, request_id=request_id_of(request))
    except ClinicalError as error:
        raise _refusal(error) from error
    log_patient_reads(request, "staff-letters", [patient.pk])
    if form is None and actor_of(request).role in LETTER_WRITER_ROLES:
        form = LetterForm(initial={"kind": LetterKind.EVALUATION})
    if form is not None:
        _offer_evaluations(form, patient)
    context: dict[str, Any] = {"patient": patient, "letters": letters, "form": form, "zone": clinic_zone()}
    return render(request, "web/staff/letters.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*LETTER_STAFF_READER_ROLES)
def patient_letters_page(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    patient = patient_for_staff(patient_id=patient_id)
    if patient is None:
        raise Http404
    if request.method == "GET":
        return _render(request, patient, None)
    if actor_of(request).role not in LETTER_WRITER_ROLES:
        raise PermissionDenied("Only clinicians write letters.")
    form = LetterForm(request.POST)
    _offer_evaluations(form, patient)
    if form.is_valid():
        data = form.cleaned_data
        try:
            letter_write(
                actor=actor_of(request),
                evaluation_id=UUID(data["evaluation_id"]),
                kind=data["kind"],
                recommendations=data["recommendations"],
                request_id=request_id_of(request),
            )
        except ClinicalError as error:
            if isinstance(error, ClinicalPermissionError) or error.code == "not_found":
                raise _refusal(error) from error
            form_add_each_reason(form, error)
        else:
            messages.success(request, "Letter written; it goes to the provider by email.")
            return redirect("staff-patient-letters", patient_id=patient.pk)
    return _render(request, patient, form, status=400)


@require_GET
@role_required(*LETTER_STAFF_READER_ROLES)
def letter_pdf_page(request: HttpRequest, letter_id: UUID) -> HttpResponse:
    try:
        letter = letter_read(actor=actor_of(request), letter_id=letter_id, request_id=request_id_of(request))
    except ClinicalError as error:
        raise _refusal(error) from error
    log_patient_reads(request, "staff-letter-pdf", [letter.patient_id])
    return letter_pdf_download(letter)
