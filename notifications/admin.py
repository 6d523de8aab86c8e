from django.contrib import admin

from core.admin import PatientReadsLogged, ReadOnlyAdmin
from notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(PatientReadsLogged, ReadOnlyAdmin):
    """The outbox, for admins to read: filter by status to find ``unconfirmed`` messages (a worker
    died while the provider had them) and ``failed`` ones, and follow up with the patient.
    Nothing here sends or edits: the workers own the rows. Reading it is a logged read of the
    patients it names."""

    list_display = ["id", "due_at", "kind", "channel", "status", "attempts", "sent_at", "last_error", "appointment"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["=id", "=appointment__id"]
    date_hierarchy = "due_at"
    list_select_related = ["appointment__appointment_type"]
