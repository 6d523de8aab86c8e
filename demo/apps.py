from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`: above every app (it writes through their services), imported by none."""

    name = "demo"
