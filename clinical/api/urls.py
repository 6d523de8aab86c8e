"""The clinical API's routes (included under /api/v1/ by config/urls.py)."""

from django.urls import path

from clinical.api.alerts import AlertListApi
from clinical.api.infusions import (
    AlertAcknowledgeApi,
    InfusionAdverseEventApi,
    InfusionDischargeApi,
    InfusionPredoseOverrideApi,
    InfusionRecordApi,
    InfusionVitalsApi,
)
from clinical.api.outcomes import OutcomeReportApi, TreatmentPlanOutcomeApi
from clinical.api.questionnaires import MyQuestionnairesApi, QuestionnaireAnswersApi
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
    path("alerts/", AlertListApi.as_view(), name="alerts"),
    path("alerts/<uuid:alert_id>/acknowledge/", AlertAcknowledgeApi.as_view(), name="alert-acknowledge"),
]
