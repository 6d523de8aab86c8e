from uuid import UUID

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.access_log import accesses_naming
from core.models import PatientDataAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records only the services write (audit trails, the outbox): admins read, nobody edits."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PatientFilter(admin.SimpleListFilter):
    """Whose data was read: ``?patient=<id>`` (the id in the chart's address)."""

    title = "patient"
    parameter_name = "patient"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        chosen = self.value()
        return [(chosen, chosen)] if chosen else []

    def has_output(self) -> bool:
        return True

    def queryset(self, request: HttpRequest, queryset: QuerySet[PatientDataAccess]) -> QuerySet[PatientDataAccess]:
        chosen = self.value()
        if not chosen:
            return queryset
        try:
            patient_id = UUID(chosen)
        except ValueError:
            return queryset.none()
        return accesses_naming(queryset, patient_id)


@admin.register(PatientDataAccess)
class PatientDataAccessAdmin(ReadOnlyAdmin):
    """The patient-data access log (SPEC.md section 11): filter by patient, by actor, by date."""

    list_display = ["occurred_at", "actor", "actor_role", "what", "patient_ids", "request_id"]
    list_filter = [PatientFilter, "actor_role", ("actor", admin.RelatedOnlyFieldListFilter), "occurred_at"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor"]
