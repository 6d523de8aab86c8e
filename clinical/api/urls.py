"""The clinical API's routes (included under /api/v1/ by config/urls.py)."""

from django.urls import path

from clinical.api.aftercare import FollowUpListApi, FollowUpRecordApi, InfusionScalesApi
from clinical.api.alerts import AlertListApi
from clinical.api.dose_orders import DoseOrderCosignApi, TreatmentPlanDoseOrdersApi
from clinical.api.infusions import (
    AlertAcknowledgeApi,
    InfusionAdverseEventApi,
    InfusionDischargeApi,
    InfusionPredoseOverrideApi,
    InfusionRecordApi,
    InfusionVitalsApi,
)
from clinical.api.letters import LetterCreateApi, LetterDetailApi, LetterPdfApi, PatientLettersApi
from clinical.api.outcomes import OutcomeReportApi, TreatmentPlanOutcomeApi
from clinical.api.questionnaires import MyQuestionnairesApi, QuestionnaireAnswersApi
from clinical.api.regulated import (
    InfusionMedicationsApi,
    InfusionPregnancyTestsApi,
    MyConsentApi,
    MyConsentSignApi,
    PatientConsentsApi,
    TreatmentPlanResumeApi,
)
from clinical.api.views import (
    EvaluationAddendumApi,
    EvaluationCreateApi,
    EvaluationDetailApi,
    EvaluationSignApi,
    TreatmentPlanBookSeriesApi,
    TreatmentPlanDiscontinueApi,
)

urlpatterns = [
    path("evaluations/", EvaluationCreateApi.as_view(), name="evaluations"),
    path("evaluations/<uuid:evaluation_id>/", EvaluationDetailApi.as_view(), name="evaluation"),
    path("evaluations/<uuid:evaluation_id>/sign/", EvaluationSignApi.as_view(), name="evaluation-sign"),
    path("evaluations/<uuid:evaluation_id>/addenda/", EvaluationAddendumApi.as_view(), name="evaluation-addenda"),
    path(
        "treatment-plans/<uuid:plan_id>/book-series/",
        TreatmentPlanBookSeriesApi.as_view(),
        name="treatment-plan-book-series",
    ),
    path(
        "treatment-plans/<uuid:plan_id>/discontinue/",
        TreatmentPlanDiscontinueApi.as_view(),
        name="treatment-plan-discontinue",
    ),
    # Dose orders (SPEC.md section 12).
    path(
        "treatment-plans/<uuid:plan_id>/dose-orders/",
        TreatmentPlanDoseOrdersApi.as_view(),
        name="treatment-plan-dose-orders",
    ),
    path("dose-orders/<uuid:order_id>/cosign/", DoseOrderCosignApi.as_view(), name="dose-order-cosign"),
    # Letters to the referring provider (SPEC.md section 12).
    path("letters/", LetterCreateApi.as_view(), name="letters"),
    path("letters/<uuid:letter_id>/", LetterDetailApi.as_view(), name="letter"),
    path("letters/<uuid:letter_id>/pdf/", LetterPdfApi.as_view(), name="letter-pdf"),
    path("patients/<uuid:patient_id>/letters/", PatientLettersApi.as_view(), name="patient-letters"),
    # Questionnaires and outcomes (SPEC.md section 10).
    path("me/questionnaires/", MyQuestionnairesApi.as_view(), name="my-questionnaires"),
    path(
        "questionnaires/<uuid:questionnaire_id>/answers/",
        QuestionnaireAnswersApi.as_view(),
        name="questionnaire-answers",
    ),
    path("treatment-plans/<uuid:plan_id>/outcome/", TreatmentPlanOutcomeApi.as_view(), name="treatment-plan-outcome"),
    path("reports/outcomes/", OutcomeReportApi.as_view(), name="outcome-report"),
    # The infusion session record and alerts (SPEC.md section 10).
    path("infusions/<uuid:appointment_id>/", InfusionRecordApi.as_view(), name="infusion-record"),
    path("infusions/<uuid:appointment_id>/vitals/", InfusionVitalsApi.as_view(), name="infusion-vitals"),
    path(
        "infusions/<uuid:appointment_id>/adverse-events/",
        InfusionAdverseEventApi.as_view(),
        name="infusion-adverse-events",
    ),
    path(
        "infusions/<uuid:appointment_id>/predose-override/",
        InfusionPredoseOverrideApi.as_view(),
        name="infusion-predose-override",
    ),
    path("infusions/<uuid:appointment_id>/discharge/", InfusionDischargeApi.as_view(), name="infusion-discharge"),
    # The chair's scales and the next-day follow-up calls (clinical/api/aftercare.py).
    path("infusions/<uuid:appointment_id>/scales/", InfusionScalesApi.as_view(), name="infusion-scales"),
    path("follow-ups/", FollowUpListApi.as_view(), name="follow-ups"),
    path("follow-ups/<uuid:follow_up_id>/", FollowUpRecordApi.as_view(), name="follow-up"),
    path("alerts/", AlertListApi.as_view(), name="alerts"),
    path("alerts/<uuid:alert_id>/acknowledge/", AlertAcknowledgeApi.as_view(), name="alert-acknowledge"),
    # The regulated record (SPEC.md section 12): consent, pregnancy tests, medications at check-in.
    path("me/consent/", MyConsentApi.as_view(), name="my-consent"),
    path("me/consents/", MyConsentSignApi.as_view(), name="my-consents"),
    path("patients/<uuid:patient_id>/consents/", PatientConsentsApi.as_view(), name="patient-consents"),
    path(
        "infusions/<uuid:appointment_id>/pregnancy-tests/",
        InfusionPregnancyTestsApi.as_view(),
        name="infusion-pregnancy-tests",
    ),
    path("infusions/<uuid:appointment_id>/medications/", InfusionMedicationsApi.as_view(), name="infusion-medications"),
    path("treatment-plans/<uuid:plan_id>/resume/", TreatmentPlanResumeApi.as_view(), name="treatment-plan-resume"),
]
