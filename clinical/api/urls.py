"""The clinical API's routes (included under /api/v1/ by config/urls.py)."""

from django.urls import path

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
]
