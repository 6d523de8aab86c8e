from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Booking and clinical publish their changes through an explicit hook; the outbox listens here.
        from core.events import subscribe
        from notifications.outbox import on_domain_event

        subscribe(on_domain_event)
