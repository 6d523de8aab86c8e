"""/staff/infusions/<appointment id>/: the infusion session record (SPEC.md section 10).

Nurses write it (a clinician may too); everyone else is refused, like the other staff pages.
The page shows the patient, "infusion k of N", the plan's mg/kg and route, the weight and the
planned dose before the start, the dose given, readiness, the PHQ-9 and GAD-7 of the infusion
(a nurse may enter the patient's answers for them on the day, before the start), the readings
schedule and the readings (values past the clinic's thresholds said in words), the open alerts
with "Record action" (a clinician acknowledges the other kinds here too), the adverse events
(recorded through ``web/staff/adverse_events.py``), and the next step: "Start", or "Discharge"
with its checklist. It is built in ``web/staff/infusion_page.py`` from the session selector, the
API's.

Every form posts to its own address and works without JavaScript; each calls one service (the
one the API calls) first, through ``infusion_page.submit``, then sends the browser back to the
page (Post/Redirect/Get) with the outcome in words. A refusal comes back on the page with an
error summary (``role="alert"``) and the service's words beside the field it names; a refused
start or discharge lists everything that is missing. Times are typed as a time of day on the
clinic's clock ("Pacific Time"); the service places them on the appointment's clinic day.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from booking.models import AppointmentEvent
from booking.services.lifecycle import appointment_transition
from clinical import scoring
from clinical.alert_rules import NOTE_ALERT_KINDS
from clinical.discharge_rules import CHECKLIST
from clinical.infusion_rules import RECORD_ROLES
from clinical.infusion_selectors import is_infusion_appointment, session_alert, session_questionnaire
from clinical.models import Questionnaire
from clinical.services.alerts import alert_acknowledge
from clinical.services.infusion_discharge import infusion_discharge
from clinical.services.infusions import infusion_record_update, infusion_vitals_record
from clinical.services.questionnaires import questionnaire_answer
from core.access_log import log_patient_reads
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from web.actor import actor_of
from web.checkins import QuestionnaireForm
from web.forms import PageForm
from web.refusals import raise_as_http
from web.staff.forms import (
    DischargeForm,
    DoseForm,
    InfusionEndForm,
    ReadinessCheckForm,
    VitalsForm,
    WeightForm,
)
from web.staff.infusion_page import alert_form_class, alert_prefix
from web.staff.infusion_render import (
    Done,
    page_render,
    page_url,
    record_read,
    submit,
)
from web.staff.infusion_words import alert_title


@require_GET
@role_required(*RECORD_ROLES)
def infusion_page(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    return page_render(request, appointment_id)


def record_update(request: HttpRequest, appointment_id: UUID, changes: dict[str, Any], done: str, anchor: str) -> Done:
    """``infusion_record_update`` with the page's changes; what the page says once done."""
    infusion_record_update(
        actor=actor_of(request), appointment_id=appointment_id, changes=changes, request_id=request_id_of(request)
    )
    return Done(done, anchor)


@require_POST
@role_required(*RECORD_ROLES)
def infusion_weight(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    def write(data: dict[str, Any]) -> Done:
        return record_update(request, appointment_id, {"weight_kg": data["weight_kg"]}, "Weight recorded.", "dose")

    return submit(request, appointment_id, name="weight", form=WeightForm(request.POST, prefix="weight"), write=write)


@require_POST
@role_required(*RECORD_ROLES)
def infusion_dose(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    def write(data: dict[str, Any]) -> Done:
        changes = {"dose_given_mg": data["dose_given_mg"], "dose_reason": data["dose_reason"]}
        return record_update(request, appointment_id, changes, "Dose given recorded.", "dose")

    return submit(request, appointment_id, name="dose", form=DoseForm(request.POST, prefix="dose"), write=write)


@require_POST
@role_required(*RECORD_ROLES)
def infusion_readiness(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    def write(_data: dict[str, Any]) -> Done:
        return record_update(request, appointment_id, {"readiness_checked": True}, "Readiness recorded.", "readiness")

    form = ReadinessCheckForm(request.POST, prefix="readiness")
    return submit(request, appointment_id, name="readiness", form=form, write=write)


@require_POST
@role_required(*RECORD_ROLES)
def infusion_end(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    """ "Record the end": the infusion stopped before its planned duration (recovery counts from it)."""

    def write(data: dict[str, Any]) -> Done:
        changes = {"infusion_ended_at": data["infusion_ended_at"]}  # a time of day: the service places it
        return record_update(request, appointment_id, changes, "End of the infusion recorded.", "readings")

    return submit(request, appointment_id, name="end", form=InfusionEndForm(request.POST, prefix="end"), write=write)


@require_POST
@role_required(*RECORD_ROLES)
def infusion_vitals(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    def write(data: dict[str, Any]) -> Done:
        recorded = infusion_vitals_record(
            actor=actor_of(request),
            appointment_id=appointment_id,
            systolic=data["systolic"],
            diastolic=data["diastolic"],
            heart_rate=data["heart_rate"],
            spo2=data["spo2"],
            note=data["note"],
            taken_at=data["taken_at"],
            request_id=request_id_of(request),
        )
        if recorded.alert is not None:
            words = f"Reading recorded. {alert_title(recorded.alert)}: record the action taken."
            return Done(words, "alerts", messages.WARNING)
        return Done("Reading recorded.", "readings")

    return submit(request, appointment_id, name="vitals", form=VitalsForm(request.POST, prefix="vitals"), write=write)


@require_POST
@role_required(*RECORD_ROLES)
def infusion_alert(request: HttpRequest, appointment_id: UUID, alert_id: UUID) -> HttpResponse:
    """ "Record action" on a reading's alert; "Acknowledge" (a clinician) on a self-harm answer.
    One query more than the API's: the alert must be one this session's page shows."""
    alert = session_alert(appointment_id=appointment_id, alert_id=alert_id)
    if alert is None:
        raise Http404
    prefix = alert_prefix(alert.pk)

    def write(data: dict[str, Any]) -> Done:
        alert_acknowledge(
            actor=actor_of(request),
            alert_id=alert_id,
            action=data.get("action", ""),
            note=data.get("note", ""),
            request_id=request_id_of(request),
        )
        return Done("Alert acknowledged." if alert.kind in NOTE_ALERT_KINDS else "Action recorded.", "alerts")

    form = alert_form_class(alert)(request.POST, prefix=prefix)
    return submit(request, appointment_id, name=prefix, form=form, write=write)


STEPS = {
    "check-in": (AppointmentEvent.Action.CHECKED_IN, Done("Checked in.", "readiness")),
    "start": (AppointmentEvent.Action.STARTED, Done("Infusion started.", "readings")),
}


@require_POST
@role_required(*RECORD_ROLES)
def infusion_step(request: HttpRequest, appointment_id: UUID, step: str) -> HttpResponse:
    """ "Check in" and "Start": booking's transition (the one the board and the API call). Its
    clinical gate (``clinical/services/start_gate.py``) refuses a start listing every missing thing."""
    if step not in STEPS or not is_infusion_appointment(appointment_id):  # booking's transition takes any type
        raise Http404
    action, done = STEPS[step]

    def write(_data: dict[str, Any]) -> Done:
        appointment_transition(actor=actor_of(request), appointment_id=appointment_id, action=action)
        return done

    return submit(request, appointment_id, name="start", form=PageForm(request.POST, prefix="start"), write=write)


@require_POST
@role_required(*RECORD_ROLES)
def infusion_discharge_page(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    def write(data: dict[str, Any]) -> Done:
        infusion_discharge(
            actor=actor_of(request),
            appointment_id=appointment_id,
            checklist={item: bool(data.get(item)) for item in CHECKLIST},
            request_id=request_id_of(request),
        )
        return Done("Discharged. The infusion is completed.")

    form = DischargeForm(request.POST, prefix="discharge")
    return submit(request, appointment_id, name="discharge", form=form, write=write)


# -- the patient's forms, entered on their behalf at check-in --------------------------------------------

QUESTIONNAIRE_TEMPLATE = "web/staff/infusion_questionnaire.html"


def _answered_words(answered: Questionnaire) -> tuple[int, str]:
    name = answered.get_kind_display()
    if scoring.raises_self_harm_alert(answered.kind, answered.items or []):
        return messages.WARNING, (
            f"{name} answers recorded (total {answered.total}). Self-harm answer: "
            "a clinician must acknowledge it before the start."
        )
    return messages.SUCCESS, f"{name} answers recorded (total {answered.total})."


@require_http_methods(["GET", "POST"])
@role_required(*RECORD_ROLES)
def infusion_questionnaire(request: HttpRequest, appointment_id: UUID, questionnaire_id: UUID) -> HttpResponse:
    """A nurse (or clinician) enters the patient's PHQ-9 or GAD-7 answers for them, item by item,
    on the infusion's day before the start (``questionnaire_answer`` records it as on their
    behalf and decides whether it may be answered now). The answers are written first; the
    record is read (audited) only to show the form."""
    questionnaire = session_questionnaire(appointment_id=appointment_id, questionnaire_id=questionnaire_id)
    if questionnaire is None:
        raise Http404
    form = QuestionnaireForm(request.POST if request.method == "POST" else None, kind=questionnaire.kind)
    status = 400 if form.is_bound else 200
    if form.is_bound and form.is_valid():
        try:
            answered = questionnaire_answer(
                actor=actor_of(request),
                questionnaire_id=questionnaire.pk,
                items=form.items(),
                difficulty=form.difficulty(),
                request_id=request_id_of(request),
            )
        except DomainError as error:
            raise_as_http(error)
            status = error.status_code
            form.add_error(None, error.detail)
        else:
            messages.add_message(request, *_answered_words(answered))
            return HttpResponseRedirect(page_url(appointment_id, "questionnaires"))
    record = record_read(request, appointment_id)
    context = {
        "record": record,
        "appointment": record.appointment,
        "questionnaire": questionnaire,
        "form": form,
        "zone": record.appointment.appointment_type.clinic.zone,
    }
    log_patient_reads(request, "staff-infusion-questionnaire", [record.patient_id])
    return render(request, QUESTIONNAIRE_TEMPLATE, context, status=status)
