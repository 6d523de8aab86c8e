from django.contrib import admin

from booking.models import Appointment


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "appointment_type", "patient", "room", "staff", "nurse", "status"]
    list_filter = ["status", "appointment_type"]
    list_select_related = ["appointment_type", "patient", "room", "staff__user", "nurse__user"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["patient", "room", "staff", "nurse"]
    # The lifecycle (and its history) belongs to the booking services, not to a form.
    readonly_fields = ["status"]
