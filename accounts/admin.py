from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from accounts.models import PatientProfile, User
from accounts.services import patient_search_text_refresh
from accounts.services.access import user_access_end, user_deactivate
from core.admin import PatientReadsLogged
from core.roles import Role


class PatientProfileInline(admin.StackedInline):
    model = PatientProfile
    can_delete = False


@admin.register(User)
class UserAdmin(PatientReadsLogged, DjangoUserAdmin):
    """Accounts; a page showing a patient's (the list, their page with date of birth and phone,
    their history) is a logged read (``PatientReadsLogged``)."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [PatientProfileInline]
    actions = ["deactivate"]

    def patient_ids_of(self, obj: Any) -> Iterable[UUID | None]:
        return [obj.pk] if obj.role == Role.PATIENT else []

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.resolver_match and request.resolver_match.url_name == "autocomplete":
            # The only autocomplete of accounts chooses a staff member's: never list patients there.
            results = results.exclude(role=Role.PATIENT)
        return results, may_have_duplicates

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Deactivated: every session and token the account holds ends now, not at its expiry.
            user_access_end(user_id=obj.pk)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        response = self._logged(request, super().user_change_password(request, id, form_url))
        if request.method == "POST" and isinstance(response, HttpResponseRedirect):  # saved, not refused
            # A password set by an admin ends the account's sessions and tokens, as any change does.
            user_access_end(user_id=UUID(id))
        return response

    @admin.action(description="Deactivate and end every session")
    def deactivate(self, request: HttpRequest, queryset: Any) -> None:
        for user_id in queryset.values_list("pk", flat=True):
            user_deactivate(user_id=user_id)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Name, email, phone or date of birth may have changed: the staff search reads them from one column.
        patient_search_text_refresh(user_id=form.instance.pk)

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "role")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "role", "password1", "password2")},
        ),
    )
