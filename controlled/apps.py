from django.apps import AppConfig


class ControlledConfig(AppConfig):
    name = "controlled"
    verbose_name = "Controlled-substance log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from controlled.listeners import refuse_dose_change_once_logged
        from core.events import subscribe

        subscribe(refuse_dose_change_once_logged)  # the log and the record's dose never disagree
