from django.contrib import admin
from django.http import HttpRequest

from notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The outbox, for admins to read: filter by status to find ``unconfirmed`` messages (a worker
    died while the provider had them) and ``failed`` ones, and follow up with the patient.
    Nothing here sends or edits: the workers own the rows."""

    list_display = ["id", "due_at", "kind", "channel", "status", "attempts", "sent_at", "last_error", "appointment"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["=id", "=appointment__id"]
    date_hierarchy = "due_at"
    list_select_related = ["appointment__appointment_type"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
