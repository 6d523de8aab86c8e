from django.apps import AppConfig


class PatientDataConfig(AppConfig):
    """A patient's own data from every app, in one download (SPEC.md section 11). The one layer
    that reads them all; it has no models and nothing imports it but the pages."""

    name = "patient_data"
    default_auto_field = "django.db.models.BigAutoField"
