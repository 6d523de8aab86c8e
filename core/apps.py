from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares: the domain error and its one HTTP mapping, request ids,
    idempotency, the event hook and the role permissions. Imports no app of the project."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"
