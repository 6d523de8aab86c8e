from django.apps import AppConfig


class ControlledConfig(AppConfig):
    name = "controlled"
    verbose_name = "Controlled-substance log"
    default_auto_field = "django.db.models.BigAutoField"
