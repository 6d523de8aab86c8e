"""The regulated record of one infusion for the care team (SPEC.md section 12), linked from the
session record page: whether the patient's treatment consent covers the infusion's day (and a
paper copy recorded), the pregnancy test (when the evaluation asks for one) and the medication
list with what each class means, with the check-in review ("no change" or a new version).

Each form calls the service the API calls, then back to the page; a refusal comes back beside its
field. Every read is audited by the services and in the patient-data access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from booking.models import Appointment
from clinical.infusion_rules import RECORD_ROLES
from clinical.models import ConsentDocument, PatientConsent
from clinical.services.consent import (
    consent_document_newest,
    consent_paper_record,
    consent_satisfied_on,
    consents_of_patient_read,
)
from clinical.services.medications import MedicationsAtCheckIn, medications_at_check_in_read, medications_review_record
from clinical.services.pregnancy import PregnancyTests, infusion_day, pregnancy_test_record, pregnancy_tests_read
from core.access_log import log_patient_reads
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from web.actor import actor_of
from web.forms import form_add_domain_error
from web.refusals import raise_as_http
from web.staff.regulated_forms import MedicationsForm, PaperConsentForm, PregnancyTestForm


@dataclass
class RegulatedPage:
    medications: MedicationsAtCheckIn
    pregnancy: PregnancyTests
    consents: list[PatientConsent]
    consent_covered: bool
    newest_consent: ConsentDocument | None


def _read(request: HttpRequest, appointment_id: UUID) -> RegulatedPage:
    actor, request_id = actor_of(request), request_id_of(request)
    try:
        medications = medications_at_check_in_read(actor=actor, appointment_id=appointment_id, request_id=request_id)
        pregnancy = pregnancy_tests_read(actor=actor, appointment_id=appointment_id, request_id=request_id)
    except DomainError as error:
        raise_as_http(error)
        raise
    patient_id = medications.record.patient_id
    consents = consents_of_patient_read(actor=actor, patient_id=patient_id, request_id=request_id)
    log_patient_reads(request, "page:infusion-regulated", [patient_id])
    covered = consent_satisfied_on(patient_id=patient_id, day=infusion_day(pregnancy.appointment))
    return RegulatedPage(medications, pregnancy, consents, covered, consent_document_newest())


def _render(
    request: HttpRequest, appointment_id: UUID, *, failed: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    page = _read(request, appointment_id)
    failed = failed or {}
    context = {
        "page": page,
        "appointment": page.pregnancy.appointment,
        "zone": page.pregnancy.appointment.appointment_type.clinic.zone,
        "pregnancy_form": failed.get("pregnancy") or PregnancyTestForm(prefix="pregnancy"),
        "medications_form": failed.get("medications") or MedicationsForm(prefix="medications"),
        "consent_form": failed.get("consent") or PaperConsentForm(prefix="consent"),
        "failed_form": next(iter(failed.values()), None),
    }
    return render(request, "web/staff/regulated.html", context, status=status)


def _back(appointment_id: UUID, anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("staff-infusion-regulated", args=[appointment_id]) + f"#{anchor}")


def _refused(
    request: HttpRequest, appointment_id: UUID, name: str, form: forms.Form, error: DomainError
) -> HttpResponse:
    raise_as_http(error)
    form_add_domain_error(form, error)
    return _render(request, appointment_id, failed={name: form}, status=error.status_code)


@require_GET
@role_required(*RECORD_ROLES)
def regulated_page(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    return _render(request, appointment_id)


@require_POST
@role_required(*RECORD_ROLES)
def regulated_pregnancy_test(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    form = PregnancyTestForm(request.POST, prefix="pregnancy")
    if not form.is_valid():
        return _render(request, appointment_id, failed={"pregnancy": form}, status=400)
    try:
        test = pregnancy_test_record(
            actor=actor_of(request),
            appointment_id=appointment_id,
            request_id=request_id_of(request),
            **form.cleaned_data,
        )
    except DomainError as error:
        return _refused(request, appointment_id, "pregnancy", form, error)
    if test.result == "positive":
        messages.warning(request, "Positive test recorded: the plan is suspended and a clinician is alerted.")
    else:
        messages.success(request, "Negative test recorded.")
    return _back(appointment_id, "pregnancy")


@require_POST
@role_required(*RECORD_ROLES)
def regulated_medications(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    form = MedicationsForm(request.POST, prefix="medications")
    if not form.is_valid():
        return _render(request, appointment_id, failed={"medications": form}, status=400)
    data = form.cleaned_data
    updated = data["review"] == "updated"
    try:
        medications_review_record(
            actor=actor_of(request),
            appointment_id=appointment_id,
            review=data["review"],
            medications=data["medication_list"] if updated else None,
            allergies=data["allergies"] if updated else "",
            allergies_none_known=data["allergies_none_known"] if updated else False,
            request_id=request_id_of(request),
        )
    except DomainError as error:
        return _refused(request, appointment_id, "medications", form, error)
    messages.success(request, "Medication review recorded.")
    return _back(appointment_id, "medications")


@require_POST
@role_required(*RECORD_ROLES)
def regulated_paper_consent(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    form = PaperConsentForm(request.POST, prefix="consent")
    if not form.is_valid():
        return _render(request, appointment_id, failed={"consent": form}, status=400)
    patient_id = Appointment.objects.filter(pk=appointment_id).values_list("patient_id", flat=True).first()
    if patient_id is None:
        raise Http404
    newest = consent_document_newest()
    if newest is None:
        form.add_error(None, "No treatment consent is published yet: an admin adds it first.")
        return _render(request, appointment_id, failed={"consent": form}, status=409)
    try:
        consent_paper_record(
            actor=actor_of(request),
            patient_id=patient_id,
            document_id=newest.pk,
            request_id=request_id_of(request),
            **form.cleaned_data,
        )
    except DomainError as error:
        return _refused(request, appointment_id, "consent", form, error)
    messages.success(request, "Paper consent recorded.")
    return _back(appointment_id, "consent")
