from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Booking publishes its changes through an explicit hook; the outbox listens here.
        from booking.events import subscribe
        from notifications.outbox import on_booking_event

        subscribe(on_booking_event)
