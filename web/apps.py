from django.apps import AppConfig


class WebConfig(AppConfig):
    """The pages people use (SPEC.md section 9): thin views over the same services and selectors
    as the API. Nothing imports web/."""

    name = "web"
    default_auto_field = "django.db.models.BigAutoField"
