from django.contrib import admin
from django.http import HttpRequest

from booking.models import Appointment, ClinicalAccess


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "appointment_type", "patient", "room", "staff", "nurse", "status"]
    list_filter = ["status", "appointment_type"]
    list_select_related = ["appointment_type", "patient", "room", "staff__user", "nurse__user"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["patient", "room", "staff", "nurse"]
    # The lifecycle (and its history) belongs to the booking services, not to a form.
    readonly_fields = ["status"]


@admin.register(ClinicalAccess)
class ClinicalAccessAdmin(admin.ModelAdmin):
    """The audit trail of evaluation records, for admins to read; nobody edits it.

    Evaluations themselves are not in the admin on purpose: every read of one goes through the
    API, which records it here.
    """

    list_display = ["occurred_at", "actor", "actor_role", "action", "object_type", "object_id", "request_id"]
    list_filter = ["action", "actor_role", "object_type"]
    search_fields = ["object_id", "request_id"]
    list_select_related = ["actor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
