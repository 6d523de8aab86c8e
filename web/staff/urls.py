"""The staff pages (SPEC.md section 9), each area in its own module of web/staff/."""

from django.urls import path

from web import booking_flow as flow
from web.booking_flow.audience import STAFF_FOR_PATIENT
from web.staff import (
    adverse_events,
    aftercare,
    controlled_urls,
    day,
    dose_orders,
    evaluations,
    feed,
    home,
    infusion_start,
    infusions,
    letters,
    patients,
    plan_decisions,
    regulated_urls,
    reports,
)

urlpatterns = [
    path("", home.staff_home, name="staff-home"),
    # -- day board routes --
    path("day/", day.day_board, name="staff-day"),
    path("day/appointments/<uuid:appointment_id>/<slug:step>/", day.day_board_step, name="staff-day-step"),
    # -- evaluation routes --
    path("evaluations/start/<uuid:appointment_id>/", evaluations.evaluation_start, name="staff-evaluation-start"),
    path("evaluations/<uuid:evaluation_id>/", evaluations.evaluation_page, name="staff-evaluation"),
    path("evaluations/<uuid:evaluation_id>/sign/", evaluations.evaluation_sign_page, name="staff-evaluation-sign"),
    path(
        "evaluations/<uuid:evaluation_id>/addenda/", evaluations.evaluation_addendum, name="staff-evaluation-addendum"
    ),
    # -- patient and feed routes --
    path("patients/", patients.patient_search_page, name="staff-patients"),
    path("patients/<uuid:patient_id>/", patients.patient_chart, name="staff-patient"),
    path(
        "patients/<uuid:patient_id>/book/",
        flow.ChooseTime.as_view(audience=STAFF_FOR_PATIENT),
        name="staff-patient-book",
    ),
    path(
        "patients/<uuid:patient_id>/book/review/",
        flow.ReviewBooking.as_view(audience=STAFF_FOR_PATIENT),
        name="staff-patient-book-review",
    ),
    path(
        "patients/<uuid:patient_id>/book/confirm/",
        flow.ConfirmBooking.as_view(audience=STAFF_FOR_PATIENT),
        name="staff-patient-book-confirm",
    ),
    path(
        "patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/move/",
        flow.ChooseNewTime.as_view(audience=STAFF_FOR_PATIENT),
        name="staff-patient-move",
    ),
    path(
        "patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/move/review/",
        flow.ReviewMove.as_view(audience=STAFF_FOR_PATIENT),
        name="staff-patient-move-review",
    ),
    path(
        "patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/move/confirm/",
        flow.ConfirmMove.as_view(audience=STAFF_FOR_PATIENT),
        name="staff-patient-move-confirm",
    ),
    path(
        "patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/cancel/",
        flow.CancelAppointment.as_view(audience=STAFF_FOR_PATIENT),
        name="staff-patient-cancel",
    ),
    # -- dose orders (SPEC.md section 12) --
    path("plans/<uuid:plan_id>/dose-orders/", dose_orders.dose_orders_page, name="staff-dose-orders"),
    path("dose-orders/<uuid:order_id>/cosign/", dose_orders.dose_order_cosign_page, name="staff-dose-order-cosign"),
    # -- a plan a positive pregnancy test suspended: resumed or ended from the chart (section 12) --
    path("plans/<uuid:plan_id>/resume/", plan_decisions.plan_resume_page, name="staff-plan-resume"),
    path("plans/<uuid:plan_id>/end/", plan_decisions.plan_end_page, name="staff-plan-end"),
    # -- letters to the referring provider (SPEC.md section 12) --
    path("patients/<uuid:patient_id>/letters/", letters.patient_letters_page, name="staff-patient-letters"),
    path("letters/<uuid:letter_id>/pdf/", letters.letter_pdf_page, name="staff-letter-pdf"),
    path("calendar-feed/", feed.calendar_feed_page, name="staff-calendar-feed"),
    # -- infusion and report routes --
    path("infusions/<uuid:appointment_id>/", infusions.infusion_page, name="staff-infusion"),
    path("infusions/<uuid:appointment_id>/weight/", infusions.infusion_weight, name="staff-infusion-weight"),
    path("infusions/<uuid:appointment_id>/dose/", infusions.infusion_dose, name="staff-infusion-dose"),
    path("infusions/<uuid:appointment_id>/readiness/", infusions.infusion_readiness, name="staff-infusion-readiness"),
    path(
        "infusions/<uuid:appointment_id>/medications/",
        infusion_start.infusion_medications,
        name="staff-infusion-medications",
    ),
    path(
        "infusions/<uuid:appointment_id>/predose-override/",
        infusion_start.infusion_predose_override,
        name="staff-infusion-predose-override",
    ),
    path("infusions/<uuid:appointment_id>/vitals/", infusions.infusion_vitals, name="staff-infusion-vitals"),
    path("infusions/<uuid:appointment_id>/end/", infusions.infusion_end, name="staff-infusion-end"),
    path(
        "infusions/<uuid:appointment_id>/questionnaires/<uuid:questionnaire_id>/",
        infusions.infusion_questionnaire,
        name="staff-infusion-questionnaire",
    ),
    path(
        "infusions/<uuid:appointment_id>/adverse-events/",
        adverse_events.infusion_adverse_event,
        name="staff-infusion-adverse-event",
    ),
    path(
        "infusions/<uuid:appointment_id>/alerts/<uuid:alert_id>/",
        infusions.infusion_alert,
        name="staff-infusion-alert",
    ),
    path(
        "infusions/<uuid:appointment_id>/discharge/", infusions.infusion_discharge_page, name="staff-infusion-discharge"
    ),
    # -- the chair's scales and the next-day follow-up calls (web/staff/aftercare.py) --
    path("infusions/<uuid:appointment_id>/scales/", aftercare.infusion_scales_page, name="staff-infusion-scales"),
    path("follow-ups/", aftercare.follow_up_list_page, name="staff-follow-ups"),
    path("follow-ups/<uuid:follow_up_id>/", aftercare.follow_up_page, name="staff-follow-up"),
    *regulated_urls.urlpatterns,  # consent, pregnancy test, medication list (section 12); before <slug:step>
    path("infusions/<uuid:appointment_id>/<slug:step>/", infusions.infusion_step, name="staff-infusion-step"),
    path("alerts/<uuid:alert_id>/acknowledge/", home.alert_acknowledge_page, name="staff-alert-acknowledge"),
    path("reports/outcomes/", reports.outcome_report_page, name="staff-report-outcomes"),
    # -- the controlled-substance log (SPEC.md section 12) --
    *controlled_urls.urlpatterns,
]
