"""The consent documents in the admin (SPEC.md section 12): an admin publishes a version (kind,
version, title and text in English and Spanish, effective date). Once a patient signed a version
it is read-only (a PostgreSQL trigger refuses the change too: 0008_regulated_guards) and never
deleted; a change is a new version. Signatures are not here: staff read them on the infusion's
page and through the API, where every read is logged."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clinical.models import ConsentDocument, PatientConsent

FIELDS = ("kind", "version", "effective_on", "title_en", "text_en", "title_es", "text_es")


def _signed(obj: Any) -> bool:
    return obj is not None and PatientConsent.objects.filter(document=obj).exists()


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(admin.ModelAdmin):
    list_display = ["kind", "version", "effective_on", "title_en", "created_at"]
    list_filter = ["kind"]
    ordering = ["kind", "-version"]
    fields = FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return FIELDS if _signed(obj) else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not _signed(obj) and obj is not None
