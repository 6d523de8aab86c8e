"""The export's route (included under /api/v1/ by config/urls.py)."""

from django.urls import path

from patient_data.api.views import MyDataExportApi

urlpatterns = [
    path("me/export/", MyDataExportApi.as_view(), name="me-export"),
]
