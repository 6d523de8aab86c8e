from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin

        from accounts.admin_site import ClinicAdminSite

        # django-otp's documented way to guard the default admin site (every app registers on it).
        admin.site.__class__ = ClinicAdminSite
