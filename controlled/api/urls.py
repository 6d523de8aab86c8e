"""The controlled-substance log's API routes (included under /api/v1/controlled/ by config/urls.py)."""

from django.urls import path

from controlled.api.views import (
    ContainersApi,
    ContainerWasteApi,
    CountsApi,
    EntryCorrectionApi,
    InfusionAdministrationApi,
    InfusionDrawApi,
    InfusionKetamineApi,
    InventoryApi,
    ReportApi,
)

urlpatterns = [
    path("containers/", ContainersApi.as_view(), name="controlled-containers"),
    path("containers/<uuid:container_id>/waste/", ContainerWasteApi.as_view(), name="controlled-container-waste"),
    path("entries/<int:entry_id>/corrections/", EntryCorrectionApi.as_view(), name="controlled-entry-correction"),
    path("infusions/<uuid:appointment_id>/", InfusionKetamineApi.as_view(), name="controlled-infusion"),
    path("infusions/<uuid:appointment_id>/draws/", InfusionDrawApi.as_view(), name="controlled-infusion-draws"),
    path(
        "infusions/<uuid:appointment_id>/administration/",
        InfusionAdministrationApi.as_view(),
        name="controlled-infusion-administration",
    ),
    path("counts/", CountsApi.as_view(), name="controlled-counts"),
    path("report/", ReportApi.as_view(), name="controlled-report"),
    path("inventory/", InventoryApi.as_view(), name="controlled-inventory"),
]
