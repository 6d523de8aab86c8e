from django.contrib import admin

from clinical.models import ClinicalAccess
from core.admin import ReadOnlyAdmin


@admin.register(ClinicalAccess)
class ClinicalAccessAdmin(ReadOnlyAdmin):
    """The audit trail of evaluation records, for admins to read; nobody edits it.

    Evaluations themselves are not in the admin on purpose: every read of one goes through the
    API, which records it here.
    """

    list_display = ["occurred_at", "actor", "actor_role", "action", "object_type", "object_id", "request_id"]
    list_filter = ["action", "actor_role", "object_type"]
    search_fields = ["object_id", "request_id"]
    list_select_related = ["actor"]
