"""What the infusion session record page shows (SPEC.md section 10), built from one read: the
session selector (``clinical.infusion_selectors.infusion_session``, the API's), put into words
(``infusion_words.py``) and forms. Who may do what and when is clinical's rule, imported.
Reading, rendering and the forms' one path: ``infusion_render.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from booking.models import Appointment, AppointmentStatus
from clinical import scoring
from clinical.alert_rules import NOTE_ALERT_KINDS, SELF_HARM_ALERT_ROLES
from clinical.discharge_rules import CHECKLIST
from clinical.infusion_rules import AT_THE_CLINIC, PREDOSE_OVERRIDE_ROLES, WRITABLE_STATUSES
from clinical.infusion_selectors import InfusionSession
from clinical.models import (
    AdverseEvent,
    Alert,
    AlertKind,
    ClinicThresholds,
    InfusionRecord,
    PredoseOverride,
    Questionnaire,
    ScaleAssessment,
    VitalsReading,
)
from clinical.questionnaire_rules import ON_BEHALF_ROLES, answer_refusal
from web import timefmt
from web.forms import PageForm
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
from web.staff.infusion_words import (
    BAND_WORDS,
    DUE_KIND_WORDS,
    DUE_STATUS_WORDS,
    alert_title,
    clock,
    reason_words,
    self_harm_details,
)

TEMPLATE = "web/staff/infusion.html"


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
    form: forms.Form | None  # "Record action" (vitals) or "Acknowledge" (every other kind, clinicians)


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
    latest_scales: ScaleAssessment | None = None  # the latest MOAA/S and CADSS-6 recorded
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


# -- the session in words -------------------------------------------------------------------------------


def _zone(session: InfusionSession) -> ZoneInfo:
    return session.appointment.appointment_type.clinic.zone


def _reading_rows(session: InfusionSession) -> list[ReadingRow]:
    zone = _zone(session)
    return [
        ReadingRow(
            reading=view.reading,
            time=clock(view.reading.taken_at, zone),
            past=[reason_words(reason, session.thresholds) for reason in view.past_thresholds],
        )
        for view in session.readings
    ]


def _due_rows(session: InfusionSession) -> list[DueRow]:
    zone = _zone(session)
    return [
        DueRow(
            kind=DUE_KIND_WORDS.get(row.kind, row.kind),
            time=clock(row.due_at, zone),
            status=row.status,
            status_words=DUE_STATUS_WORDS.get(row.status, row.status),
            done_at=clock(row.satisfied_by, zone),
        )
        for row in session.schedule
    ]


def alert_prefix(alert_id: object) -> str:
    return f"alert-{alert_id}"


def alert_form_class(alert: Alert) -> type[forms.Form]:
    """A clinician's note acknowledges every kind but a reading's, which takes the action taken."""
    return AcknowledgeForm if alert.kind in NOTE_ALERT_KINDS else AlertActionForm


def _alert_row(alert: Alert, session: InfusionSession, *, role: str, failed: dict[str, forms.Form]) -> AlertRow:
    zone = _zone(session)
    if alert.kind == AlertKind.SELF_HARM:
        details = self_harm_details(alert)
    else:
        details = [reason_words(reason, session.thresholds) for reason in alert.reasons or []]
    if alert.reading is not None:
        details.insert(0, f"Reading at {clock(alert.reading.taken_at, zone)}")
    raised_on_the_day = alert.raised_at.astimezone(zone).date() == session.appointment.starts_at.astimezone(zone).date()
    raised = clock(alert.raised_at, zone) if raised_on_the_day else timefmt.time_label(alert.raised_at, zone)
    form: forms.Form | None = None
    prefix = alert_prefix(alert.pk)
    may_resolve = alert.kind not in NOTE_ALERT_KINDS or role in SELF_HARM_ALERT_ROLES
    if alert.resolved_at is None and may_resolve:
        form = failed.get(prefix) or alert_form_class(alert)(prefix=prefix)
    return AlertRow(alert=alert, title=alert_title(alert), details=details, raised=raised, form=form)


def _questionnaire_state(questionnaire: Questionnaire, zone: ZoneInfo, now: datetime) -> str:
    if questionnaire.answered_at is not None and questionnaire.total is not None:
        band = scoring.questionnaire_band(questionnaire.kind, questionnaire.total)
        by = (
            f"entered by {questionnaire.answered_by.full_name} for the patient"
            if questionnaire.on_behalf and questionnaire.answered_by
            else "by the patient"
        )
        return f"Answered: total {questionnaire.total} ({BAND_WORDS.get(band, band)}), {by}"
    if questionnaire.opens_at > now:
        return f"Not open yet: opens {timefmt.time_label(questionnaire.opens_at, zone)}"
    return "Due: not answered yet"


def _questionnaire_rows(session: InfusionSession, *, role: str, now: datetime) -> list[QuestionnaireRow]:
    """The infusion's PHQ-9 and GAD-7 (open or answered; closed unanswered ones are gone), and
    whether staff may enter the answers now (clinical's rule, the one the service refuses by)."""
    appointment, zone = session.appointment, _zone(session)
    rows = []
    for questionnaire in session.questionnaires:
        refusal = answer_refusal(
            answered=questionnaire.answered_at is not None,
            closed=questionnaire.closed_at is not None,
            appointment_status=appointment.status,
            started=session.record.started_at is not None,
            opens_at=questionnaire.opens_at,
            now=now,
            on_behalf=role in ON_BEHALF_ROLES,
            visit_day=appointment.starts_at.astimezone(zone).date(),
            today=now.astimezone(zone).date(),
        )
        state = _questionnaire_state(questionnaire, zone, now)
        rows.append(QuestionnaireRow(questionnaire, questionnaire.get_kind_display(), state, refusal is None))
    return rows


def _blank_forms(record: InfusionRecord, zone: ZoneInfo) -> dict[str, forms.Form]:
    clock_now = timezone.now().astimezone(zone).time().replace(second=0, microsecond=0)
    dose = {"dose_given_mg": record.dose_given_mg or record.planned_dose_mg, "dose_reason": record.dose_reason}
    return {
        "weight": WeightForm(prefix="weight", initial={"weight_kg": record.weight_kg}),
        "dose": DoseForm(prefix="dose", initial=dose),
        "readiness": ReadinessCheckForm(prefix="readiness"),
        "medications": MedicationsReviewForm(prefix="medications"),
        "override": PredoseOverrideForm(prefix="override"),
        "end": InfusionEndForm(prefix="end", initial={"infusion_ended_at": clock_now}),
        "vitals": VitalsForm(prefix="vitals", initial={"taken_at": clock_now}),
        "event": AdverseEventForm(prefix="event", initial={"occurred_at": clock_now}),
        "discharge": DischargeForm(prefix="discharge", initial={item: getattr(record, item) for item in CHECKLIST}),
        "start": PageForm(prefix="start"),
    }


def infusion_page_build(
    session: InfusionSession, *, role: str, now: datetime, failed: dict[str, forms.Form]
) -> InfusionPage:
    """Everything the page shows, from the session alone; ``failed`` holds the refused bound forms."""
    appointment, zone = session.appointment, _zone(session)
    alert_rows = [_alert_row(alert, session, role=role, failed=failed) for alert in session.alerts]
    page = InfusionPage(
        appointment=appointment,
        record=session.record,
        zone=zone,
        session_number=session.session_number,
        sessions_planned=session.sessions_planned or None,
        thresholds=session.thresholds,
        readings=_reading_rows(session),
        schedule=_due_rows(session),
        alerts=[row for row in alert_rows if row.alert.resolved_at is None],
        resolved_alerts=[row for row in alert_rows if row.alert.resolved_at is not None],
        events=session.adverse_events,
        questionnaires=_questionnaire_rows(session, role=role, now=now),
        ends_at=session.infusion_ends_at,
        recovered_at=session.recovery_ends_at,
        overrides=session.predose_overrides,
        can_override=role in PREDOSE_OVERRIDE_ROLES and appointment.status == AppointmentStatus.CHECKED_IN,
        latest_scales=session.scale_assessments[-1] if session.scale_assessments else None,
    )
    page.forms = _blank_forms(session.record, zone)
    page.forms.update({name: form for name, form in failed.items() if name in page.forms})
    return page
