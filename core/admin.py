from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from core.access_log import accesses_naming, log_patient_reads
from core.models import PatientDataAccess

# Where each admin view keeps what it shows: the page of the list, the object of the others.
_SHOWN_IN_CONTEXT = ("original", "object")


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records only the services write (audit trails, the outbox): admins read, nobody edits."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PatientReadsLogged(admin.ModelAdmin):
    """An admin of rows that show patients' data: every page of it that shows some (the list, an
    object's page, its history, its delete confirmation) writes one patient-data access row
    (core/access_log.py), as the pages and the API do: who, which view, which patients.

    ``patient_ids_of`` names the patients an object shows (its ``patient_id`` by default). The
    row is written once the view has chosen what to show, from the objects it shows (no query
    per row); a list showing no patient, or a reader who is a patient, writes none."""

    def patient_ids_of(self, obj: Any) -> Iterable[UUID | None]:
        return [getattr(obj, "patient_id", None)]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        context = response.context_data if isinstance(response, TemplateResponse) else None
        changelist = context.get("cl") if context else None
        if changelist is not None:
            self._log(request, [i for obj in changelist.result_list for i in self.patient_ids_of(obj)])
        return response

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return self._logged(request, super().changeform_view(request, object_id, form_url, extra_context))

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return self._logged(request, super().history_view(request, object_id, extra_context))

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return self._logged(request, super().delete_view(request, object_id, extra_context))

    def _logged(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """Log the object a rendered page shows (a redirect after a save shows nothing)."""
        if isinstance(response, TemplateResponse) and response.context_data:
            shown = next(
                (response.context_data[key] for key in _SHOWN_IN_CONTEXT if response.context_data.get(key)), None
            )
            if shown is not None:
                self._log(request, self.patient_ids_of(shown))
        return response

    def _log(self, request: HttpRequest, patient_ids: Iterable[UUID | None]) -> None:
        match = request.resolver_match
        log_patient_reads(request, match.view_name if match else request.path[:64], patient_ids)


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
