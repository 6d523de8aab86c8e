"""/staff/infusions/<appointment id>/: the infusion session record (SPEC.md section 10).

Nurses write it (a clinician may too); everyone else is refused, like the other staff pages.
The page shows the patient, "infusion k of N", the plan's mg/kg and route, the weight and the
planned dose before the start, the dose given, readiness, the PHQ-9 and GAD-7 of the infusion
(a nurse may enter the patient's answers for them on the day, before the start), the readings
schedule and the readings (values past the clinic's thresholds said in words), the open alerts
with "Record action" (a clinician acknowledges a self-harm answer here too), the adverse events,
and the next step: "Start", or "Discharge" with its checklist.

Every form posts to its own address and works without JavaScript; each calls one service of
``clinical.services`` (the ones the API calls), then sends the browser back to the page
(Post/Redirect/Get) with the outcome in words. A refusal comes back on the page with an error
summary (``role="alert"``) and the service's words beside the field it names; a refused start or
discharge lists everything that is missing.

Times are typed as a time of day on the clinic's clock ("Pacific Time") and placed on the
appointment's clinic day. No patient name in the title or the address: ids only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from http import HTTPStatus
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from booking.models import Appointment, AppointmentEvent, AppointmentStatus
from booking.services.appointments import appointment_transition
from clinical import scoring
from clinical.alert_selectors import alerts_of_infusion_filter
from clinical.board import SELF_HARM, threshold_alert_names
from clinical.infusion_rules import START_WORDS
from clinical.infusion_selectors import InfusionSession, infusion_session
from clinical.models import (
    AdverseEvent,
    Alert,
    AlertKind,
    ClinicThresholds,
    InfusionRecord,
    PredoseOverride,
    Questionnaire,
    VitalsReading,
)
from clinical.services.alerts import alert_acknowledge
from clinical.services.infusions import (
    AT_THE_CLINIC,
    RECORD_ROLES,
    WRITABLE_STATUSES,
    infusion_discharge,
    infusion_record_read,
    infusion_record_update,
    infusion_vitals_record,
    recovery_ends_at,
)
from clinical.services.questionnaires import ANSWERABLE_STATUSES, questionnaire_answer
from clinical.services.readings_schedule import DueKind, DueStatus
from core.access_log import log_patient_reads
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from core.roles import Role
from web import timefmt
from web.checkins import QuestionnaireForm
from web.forms import PageForm, form_add_domain_error
from web.staff.adverse_event_forms import AdverseEventForm
from web.staff.forms import (
    AcknowledgeForm,
    AlertActionForm,
    DischargeForm,
    DoseForm,
    InfusionEndForm,
    MedicationsReviewForm,
    PredoseOverrideForm,
    ReadinessCheckForm,
    VitalsForm,
    WeightForm,
)
from web.templatetags.board_words import alert_words

TEMPLATE = "web/staff/infusion.html"
SELF_HARM_ITEM = 9  # PHQ-9's item 9

# What a refused start or discharge is missing (``fields.missing`` of the 409), in words.
MISSING_WORDS = {
    **START_WORDS,
    "recovery_time": "The recovery time has not passed yet.",
    "recent_reading": "No reading in the last 15 minutes: record vitals first.",
    "reading_past_threshold": "The latest reading is past a threshold.",
    "open_alert": "An alert is waiting for its recorded action.",
    "dose_given": "The dose given is not recorded.",
    "discharge": "An infusion is completed by its discharge.",
}
CHECKLIST = ("alert_and_oriented", "escort_present", "walking_steadily")

DUE_KIND_WORDS = {
    DueKind.BASELINE: "Baseline, before the start",
    DueKind.INFUSION: "During the infusion",
    DueKind.RECOVERY: "Recovery",
    DueKind.DISCHARGE: "Before discharge",
}
DUE_STATUS_WORDS = {
    DueStatus.DONE: "Done",
    DueStatus.DUE: "Due",
    DueStatus.OVERDUE: "Overdue",
    DueStatus.MISSED: "Missed",
}


def reason_words(reason: str, thresholds: ClinicThresholds) -> str:
    """One reason an alert names, with the clinic's threshold ("Systolic at or above 180")."""
    words = {
        "systolic": f"Systolic at or above {thresholds.systolic_at_least}",
        "diastolic": f"Diastolic at or above {thresholds.diastolic_at_least}",
        "heart_rate_high": f"Heart rate at or above {thresholds.heart_rate_at_least}",
        "heart_rate_low": f"Heart rate at or below {thresholds.heart_rate_at_most}",
        "spo2_low": f"SpO2 below {thresholds.spo2_below}",
    }
    return words.get(reason, reason.replace("_", " ").capitalize())


def alert_title(alert: Alert) -> str:
    """What an alert is about, in the board's words."""
    if alert.kind != AlertKind.VITALS_THRESHOLD:
        return alert_words(SELF_HARM if alert.kind == AlertKind.SELF_HARM else alert.kind)
    return (
        "; ".join(alert_words(name) for name in threshold_alert_names(alert.reasons or []))
        or "Vital signs past threshold"
    )


BAND_WORDS = {"moderately_severe": "moderately severe"}


def _questionnaire_rows(session: InfusionSession, *, now: datetime) -> list[QuestionnaireRow]:
    """The infusion's PHQ-9 and GAD-7 (open or answered; closed unanswered ones are gone)."""
    record, appointment = session.record, session.appointment
    zone = appointment.appointment_type.clinic.zone
    on_the_day = appointment.starts_at.astimezone(zone).date() == now.astimezone(zone).date()
    before_start = appointment.status in ANSWERABLE_STATUSES and record.started_at is None
    rows = []
    for questionnaire in session.questionnaires:
        if questionnaire.answered_at is not None and questionnaire.total is not None:
            band = scoring.questionnaire_band(questionnaire.kind, questionnaire.total)
            by = (
                f"entered by {questionnaire.answered_by.full_name} for the patient"
                if questionnaire.on_behalf and questionnaire.answered_by
                else "by the patient"
            )
            state = f"Answered: total {questionnaire.total} ({BAND_WORDS.get(band, band)}), {by}"
            can_enter = False
        elif questionnaire.opens_at > now:
            state = f"Not open yet: opens {timefmt.time_label(questionnaire.opens_at, zone)}"
            can_enter = False
        else:
            state = "Due: not answered yet"
            can_enter = on_the_day and before_start
        rows.append(QuestionnaireRow(questionnaire, questionnaire.get_kind_display(), state, can_enter))
    return rows


def _self_harm_details(alert: Alert) -> list[str]:
    """What the care team reads of a self-harm alert: the answer to PHQ-9 item 9 (0-3)."""
    items = alert.questionnaire.items if alert.questionnaire is not None else None
    if not items or len(items) < SELF_HARM_ITEM:
        return []
    answer = items[SELF_HARM_ITEM - 1]
    return [f"PHQ-9 item {SELF_HARM_ITEM} (thoughts of being better off dead or of self-harm) answered {answer} of 3"]


# -- what the page shows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadingRow:
    reading: VitalsReading
    time: str
    past: list[str]  # the thresholds it is past, in words (empty: inside them all)


@dataclass(frozen=True)
class DueRow:
    kind: str
    time: str
    status: str
    status_words: str
    done_at: str


@dataclass(frozen=True)
class AlertRow:
    alert: Alert
    title: str
    details: list[str]
    raised: str
    form: forms.Form | None  # "Record action" (vitals) or "Acknowledge" (self-harm, clinicians)


@dataclass(frozen=True)
class QuestionnaireRow:
    questionnaire: Questionnaire
    name: str  # "PHQ-9"
    state: str  # in words
    can_enter: bool  # staff may enter the patient's answers now (the service decides at the end)


@dataclass
class InfusionPage:
    appointment: Appointment
    record: InfusionRecord
    zone: ZoneInfo
    session_number: int | None
    sessions_planned: int | None
    thresholds: ClinicThresholds
    readings: list[ReadingRow]
    schedule: list[DueRow]
    alerts: list[AlertRow]
    resolved_alerts: list[AlertRow]
    events: list[AdverseEvent]
    questionnaires: list[QuestionnaireRow]
    ends_at: datetime | None
    recovered_at: datetime | None
    overrides: list[PredoseOverride] = field(default_factory=list)  # the clinicians' pre-dose overrides
    can_override: bool = False  # a clinician, the patient checked in
    forms: dict[str, forms.Form] = field(default_factory=dict)

    @property
    def patient_confirmed(self) -> bool:
        return bool(self.appointment.driver_arranged and self.appointment.fasting_acknowledged)

    @property
    def day(self) -> date:
        return self.appointment.starts_at.astimezone(self.zone).date()

    @property
    def writable(self) -> bool:
        """The record takes writes until the discharge, unless the visit did not take place."""
        return self.record.discharged_at is None and self.appointment.status in WRITABLE_STATUSES

    @property
    def at_the_clinic(self) -> bool:
        """Readings and events are taken once the patient is checked in."""
        return self.appointment.status in AT_THE_CLINIC


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # role_required let only the care team through
    return request.user


def _raise_as_http(error: DomainError) -> None:
    if error.status_code == HTTPStatus.NOT_FOUND:
        raise Http404 from error
    if error.status_code == HTTPStatus.FORBIDDEN:
        raise PermissionDenied from error


def _read(request: HttpRequest, appointment_id: UUID) -> InfusionRecord:
    try:
        return infusion_record_read(
            actor=_actor(request), appointment_id=appointment_id, request_id=request_id_of(request)
        )
    except DomainError as error:
        _raise_as_http(error)
        raise


def _alerts_of(appointment: Appointment) -> QuerySet[Alert]:
    """This session's alerts (``clinical.alert_selectors``: not an earlier infusion's)."""
    return Alert.objects.filter(alerts_of_infusion_filter(appointment))


def _clock(instant: datetime | None, zone: ZoneInfo) -> str:
    return timefmt.clock_label(instant, zone) if instant is not None else ""


def _now_on_clock(zone: ZoneInfo) -> time:
    return timezone.now().astimezone(zone).time().replace(second=0, microsecond=0)


def _page(request: HttpRequest, record: InfusionRecord, failed: dict[str, forms.Form]) -> InfusionPage:
    """Everything the page shows (``clinical.infusion_selectors.infusion_session``), in words.
    ``failed`` holds the bound forms that were refused."""
    now = timezone.now()
    session = infusion_session(record=record, now=now)
    appointment, thresholds = session.appointment, session.thresholds
    zone = appointment.appointment_type.clinic.zone
    reading_rows = [
        ReadingRow(
            reading=view.reading,
            time=_clock(view.reading.taken_at, zone),
            past=[reason_words(reason, thresholds) for reason in view.past_thresholds],
        )
        for view in session.readings
    ]
    schedule = [
        DueRow(
            kind=DUE_KIND_WORDS.get(row.kind, row.kind),
            time=_clock(row.due_at, zone),
            status=row.status,
            status_words=DUE_STATUS_WORDS.get(row.status, row.status),
            done_at=_clock(row.satisfied_by, zone),
        )
        for row in session.schedule
    ]
    actor = _actor(request)
    open_rows: list[AlertRow] = []
    resolved_rows: list[AlertRow] = []
    for alert in session.alerts:
        if alert.kind == AlertKind.SELF_HARM:
            details = _self_harm_details(alert)
        else:
            details = [reason_words(reason, thresholds) for reason in alert.reasons or []]
        if alert.reading is not None:
            details.insert(0, f"Reading at {_clock(alert.reading.taken_at, zone)}")
        raised_on_the_day = alert.raised_at.astimezone(zone).date() == appointment.starts_at.astimezone(zone).date()
        raised = _clock(alert.raised_at, zone) if raised_on_the_day else timefmt.time_label(alert.raised_at, zone)
        form: forms.Form | None = None
        prefix = f"alert-{alert.pk}"
        if alert.resolved_at is None:
            if alert.kind == AlertKind.VITALS_THRESHOLD:
                form = failed.get(prefix) or AlertActionForm(prefix=prefix)
            elif actor.role == "clinician":
                form = failed.get(prefix) or AcknowledgeForm(prefix=prefix)
        row = AlertRow(alert=alert, title=alert_title(alert), details=details, raised=raised, form=form)
        (open_rows if alert.resolved_at is None else resolved_rows).append(row)
    page = InfusionPage(
        appointment=appointment,
        record=record,
        zone=zone,
        session_number=session.session_number,
        sessions_planned=session.sessions_planned or None,
        thresholds=thresholds,
        readings=reading_rows,
        schedule=schedule,
        alerts=open_rows,
        resolved_alerts=resolved_rows,
        events=session.adverse_events,
        questionnaires=_questionnaire_rows(session, now=now),
        ends_at=session.infusion_ends_at,
        recovered_at=session.recovery_ends_at,
        overrides=session.predose_overrides,
        can_override=actor.role == Role.CLINICIAN and appointment.status == AppointmentStatus.CHECKED_IN,
    )
    clock_now = _now_on_clock(zone)
    page.forms = {
        "weight": WeightForm(prefix="weight", initial={"weight_kg": record.weight_kg}),
        "dose": DoseForm(
            prefix="dose",
            initial={
                "dose_given_mg": record.dose_given_mg or record.planned_dose_mg,
                "dose_reason": record.dose_reason,
            },
        ),
        "readiness": ReadinessCheckForm(prefix="readiness"),
        "medications": MedicationsReviewForm(prefix="medications"),
        "override": PredoseOverrideForm(prefix="override"),
        "end": InfusionEndForm(prefix="end", initial={"infusion_ended_at": clock_now}),
        "vitals": VitalsForm(prefix="vitals", initial={"taken_at": clock_now}),
        "event": AdverseEventForm(prefix="event", initial={"occurred_at": clock_now}),
        "discharge": DischargeForm(prefix="discharge", initial={item: getattr(record, item) for item in CHECKLIST}),
        "start": PageForm(prefix="start"),
    }
    page.forms.update({name: form for name, form in failed.items() if name in page.forms})
    return page


def _render(
    request: HttpRequest, record: InfusionRecord, *, failed: str = "", form: forms.Form | None = None, status: int = 200
) -> HttpResponse:
    failed_forms = {failed: form} if failed and form is not None else {}
    page = _page(request, record, failed_forms)
    context: dict[str, Any] = {
        "page": page,
        "appointment": page.appointment,
        "record": page.record,
        "zone": page.zone,
        "forms": page.forms,
        "failed_form": form,
        "failed": failed,
        "can_write": _actor(request).role in RECORD_ROLES,
    }
    log_patient_reads(request, "staff-infusion", [record.patient_id])
    return render(request, TEMPLATE, context, status=status)


def _page_url(appointment_id: UUID, anchor: str = "") -> str:
    return reverse("staff-infusion", args=[appointment_id]) + (f"#{anchor}" if anchor else "")


def _on_the_day(record: InfusionRecord, value: time | None) -> datetime | None:
    """A time of day typed on the clinic's clock, on the appointment's clinic day."""
    if value is None:
        return None
    zone = record.appointment.appointment_type.clinic.zone
    day = record.appointment.starts_at.astimezone(zone).date()
    return datetime.combine(day, value.replace(tzinfo=None)).replace(tzinfo=zone)


def _refused(
    request: HttpRequest, record: InfusionRecord, name: str, form: forms.Form, error: DomainError
) -> HttpResponse:
    """The page again, the service's refusal beside its field and in the summary at the top."""
    _raise_as_http(error)
    missing = error.fields.get("missing") if isinstance(error.fields, dict) else None
    if isinstance(missing, list):
        for item in missing:
            words = MISSING_WORDS.get(str(item), str(item).replace("_", " "))
            if item == "recovery_time" and record.appointment is not None:
                recovered = recovery_ends_at(record, record.appointment)
                if recovered is not None:
                    words = f"The recovery time has not passed yet: discharge from {_clock(recovered, _zone(record))}."
            if item in form.fields:  # a checklist item: beside its box, named by its label
                form.add_error(item, "Not ticked yet.")
            else:
                form.add_error(None, words)
    else:
        form_add_domain_error(form, error)
    return _render(request, record, failed=name, form=form, status=error.status_code)


def _zone(record: InfusionRecord) -> ZoneInfo:
    return record.appointment.appointment_type.clinic.zone


# -- the page and its forms ----------------------------------------------------------------------------


@require_GET
@role_required(*RECORD_ROLES)
def infusion_page(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    return _render(request, _read(request, appointment_id))


def _update(
    request: HttpRequest,
    appointment_id: UUID,
    *,
    name: str,
    form: forms.Form,
    changes_of: Callable[[dict[str, Any], InfusionRecord], dict[str, Any]],
    done: str,
    anchor: str,
) -> HttpResponse:
    record = _read(request, appointment_id)
    if not form.is_valid():
        return _render(request, record, failed=name, form=form, status=400)
    try:
        infusion_record_update(
            actor=_actor(request),
            appointment_id=appointment_id,
            changes=changes_of(form.cleaned_data, record),
            request_id=request_id_of(request),
        )
    except DomainError as error:
        return _refused(request, record, name, form, error)
    messages.success(request, done)
    return HttpResponseRedirect(_page_url(appointment_id, anchor))


@require_POST
@role_required(*RECORD_ROLES)
def infusion_weight(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    return _update(
        request,
        appointment_id,
        name="weight",
        form=WeightForm(request.POST, prefix="weight"),
        changes_of=lambda data, _record: {"weight_kg": data["weight_kg"]},
        done="Weight recorded.",
        anchor="dose",
    )


@require_POST
@role_required(*RECORD_ROLES)
def infusion_dose(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    return _update(
        request,
        appointment_id,
        name="dose",
        form=DoseForm(request.POST, prefix="dose"),
        changes_of=lambda data, _record: {"dose_given_mg": data["dose_given_mg"], "dose_reason": data["dose_reason"]},
        done="Dose given recorded.",
        anchor="dose",
    )


@require_POST
@role_required(*RECORD_ROLES)
def infusion_readiness(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    return _update(
        request,
        appointment_id,
        name="readiness",
        form=ReadinessCheckForm(request.POST, prefix="readiness"),
        changes_of=lambda _data, _record: {"readiness_checked": True},
        done="Readiness recorded.",
        anchor="readiness",
    )


@require_POST
@role_required(*RECORD_ROLES)
def infusion_vitals(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    record = _read(request, appointment_id)
    form = VitalsForm(request.POST, prefix="vitals")
    if not form.is_valid():
        return _render(request, record, failed="vitals", form=form, status=400)
    data = form.cleaned_data
    try:
        recorded = infusion_vitals_record(
            actor=_actor(request),
            appointment_id=appointment_id,
            systolic=data["systolic"],
            diastolic=data["diastolic"],
            heart_rate=data["heart_rate"],
            spo2=data["spo2"],
            note=data["note"],
            taken_at=_on_the_day(record, data["taken_at"]),
            request_id=request_id_of(request),
        )
    except DomainError as error:
        return _refused(request, record, "vitals", form, error)
    if recorded.alert is not None:
        messages.warning(request, f"Reading recorded. {alert_title(recorded.alert)}: record the action taken.")
        return HttpResponseRedirect(_page_url(appointment_id, "alerts"))
    messages.success(request, "Reading recorded.")
    return HttpResponseRedirect(_page_url(appointment_id, "readings"))


@require_POST
@role_required(*RECORD_ROLES)
def infusion_alert(request: HttpRequest, appointment_id: UUID, alert_id: UUID) -> HttpResponse:
    """ "Record action" on a reading's alert; "Acknowledge" (a clinician) on a self-harm answer."""
    record = _read(request, appointment_id)
    alert = _alerts_of(record.appointment).filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    prefix = f"alert-{alert.pk}"
    form: forms.Form
    if alert.kind != AlertKind.VITALS_THRESHOLD:  # a clinician's note on every other kind
        form = AcknowledgeForm(request.POST, prefix=prefix)
    else:
        form = AlertActionForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _render(request, record, failed=prefix, form=form, status=400)
    try:
        alert_acknowledge(
            actor=_actor(request),
            alert_id=alert.pk,
            action=form.cleaned_data.get("action", ""),
            note=form.cleaned_data.get("note", ""),
            request_id=request_id_of(request),
        )
    except DomainError as error:
        return _refused(request, record, prefix, form, error)
    messages.success(request, "Action recorded." if alert.kind == AlertKind.VITALS_THRESHOLD else "Alert acknowledged.")
    return HttpResponseRedirect(_page_url(appointment_id, "alerts"))


@require_POST
@role_required(*RECORD_ROLES)
def infusion_end(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    """ "Record the end": the infusion stopped before its planned duration (recovery counts from it)."""
    return _update(
        request,
        appointment_id,
        name="end",
        form=InfusionEndForm(request.POST, prefix="end"),
        changes_of=lambda data, record: {"infusion_ended_at": _on_the_day(record, data["infusion_ended_at"])},
        done="End of the infusion recorded.",
        anchor="readings",
    )


STEPS = {
    "check-in": (AppointmentEvent.Action.CHECKED_IN, "Checked in."),
    "start": (AppointmentEvent.Action.STARTED, "Infusion started."),
}


@require_POST
@role_required(*RECORD_ROLES)
def infusion_step(request: HttpRequest, appointment_id: UUID, step: str) -> HttpResponse:
    """ "Check in" and "Start": booking's transition (the one the board and the API call). Its
    clinical gate (``clinical/services/start_gate.py``) refuses a start listing every missing thing."""
    if step not in STEPS:
        raise Http404
    action, done = STEPS[step]
    record = _read(request, appointment_id)
    form = PageForm(request.POST, prefix="start")
    try:
        appointment_transition(actor=_actor(request), appointment_id=appointment_id, action=action)
    except DomainError as error:
        form.is_valid()
        return _refused(request, record, "start", form, error)
    messages.success(request, done)
    return HttpResponseRedirect(_page_url(appointment_id, "readings" if step == "start" else "readiness"))


@require_POST
@role_required(*RECORD_ROLES)
def infusion_discharge_page(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    record = _read(request, appointment_id)
    form = DischargeForm(request.POST, prefix="discharge")
    if not form.is_valid():
        return _render(request, record, failed="discharge", form=form, status=400)
    try:
        infusion_discharge(
            actor=_actor(request),
            appointment_id=appointment_id,
            checklist={item: bool(form.cleaned_data.get(item)) for item in CHECKLIST},
            request_id=request_id_of(request),
        )
    except DomainError as error:
        return _refused(request, record, "discharge", form, error)
    messages.success(request, "Discharged. The infusion is completed.")
    return HttpResponseRedirect(_page_url(appointment_id))


# -- the patient's forms, entered on their behalf at check-in --------------------------------------------

QUESTIONNAIRE_TEMPLATE = "web/staff/infusion_questionnaire.html"


@require_http_methods(["GET", "POST"])
@role_required(*RECORD_ROLES)
def infusion_questionnaire(request: HttpRequest, appointment_id: UUID, questionnaire_id: UUID) -> HttpResponse:
    """A nurse (or clinician) enters the patient's PHQ-9 or GAD-7 answers for them, item by item,
    on the infusion's day before the start (``questionnaire_answer`` records it as on their
    behalf and decides whether it may be answered now)."""
    record = _read(request, appointment_id)
    questionnaire = Questionnaire.objects.filter(pk=questionnaire_id, appointment_id=appointment_id).first()
    if questionnaire is None:
        raise Http404
    form = QuestionnaireForm(request.POST if request.method == "POST" else None, kind=questionnaire.kind)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                answered = questionnaire_answer(
                    actor=_actor(request),
                    questionnaire_id=questionnaire.pk,
                    items=form.items(),
                    request_id=request_id_of(request),
                )
            except DomainError as error:
                _raise_as_http(error)
                status = error.status_code
                form.add_error(None, error.detail)
            else:
                name = answered.get_kind_display()
                if scoring.raises_self_harm_alert(answered.kind, answered.items or []):
                    messages.warning(
                        request,
                        f"{name} answers recorded (total {answered.total}). Self-harm answer: "
                        "a clinician must acknowledge it before the start.",
                    )
                else:
                    messages.success(request, f"{name} answers recorded (total {answered.total}).")
                return HttpResponseRedirect(_page_url(appointment_id, "questionnaires"))
    context = {
        "record": record,
        "appointment": record.appointment,
        "questionnaire": questionnaire,
        "form": form,
        "zone": _zone(record),
    }
    log_patient_reads(request, "staff-infusion-questionnaire", [record.patient_id])
    return render(request, QUESTIONNAIRE_TEMPLATE, context, status=status)
