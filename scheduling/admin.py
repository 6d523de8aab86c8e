from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import ManyToManyField
from django.forms import BaseInlineFormSet, ModelMultipleChoiceField
from django.http import HttpRequest

from scheduling.models import (
    AppointmentType,
    Clinic,
    ClinicClosure,
    ClinicHours,
    ClinicOpening,
    ClinicOpeningHours,
    Room,
    RoomOutage,
    StaffMember,
    TimeOff,
    WorkingHours,
)
from scheduling.openings import block_set_problems
from scheduling.services import opening_staff_problems


class ClinicHoursInline(admin.TabularInline):
    model = ClinicHours
    extra = 0


class ClinicClosureInline(admin.TabularInline):
    model = ClinicClosure
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "phone"]
    inlines = [ClinicHoursInline, ClinicClosureInline]


class ClinicOpeningHoursFormSet(BaseInlineFormSet):
    """The blocks together: at least one, none overlapping (each block checks itself in its model)."""

    def clean(self) -> None:
        super().clean()
        blocks = [
            (form.cleaned_data["opens_at"], form.cleaned_data["closes_at"])
            for form in self.forms
            if form.cleaned_data.get("opens_at")
            and form.cleaned_data.get("closes_at")
            and not form.cleaned_data.get("DELETE")
        ]
        if any(form.errors for form in self.forms):
            return  # a block with its own error is named beside it already
        problems = block_set_problems(blocks)
        if problems:
            raise ValidationError(problems)


class ClinicOpeningHoursInline(admin.TabularInline):
    model = ClinicOpeningHours
    formset = ClinicOpeningHoursFormSet
    extra = 1


class ClinicOpeningForm(forms.ModelForm):
    class Meta:
        model = ClinicOpening
        fields = ["clinic", "opens_on", "staff", "reason"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        clinic, staff = cleaned.get("clinic"), cleaned.get("staff")
        if clinic is not None and staff is not None:
            for problem in opening_staff_problems(clinic=clinic, staff=staff):
                self.add_error("staff", problem)
        return cleaned


@admin.register(ClinicOpening)
class ClinicOpeningAdmin(admin.ModelAdmin):
    """An extra opening: a date made open for its blocks, with only the staff selected on duty."""

    form = ClinicOpeningForm
    list_display = ["opens_on", "blocks", "staff_on_duty", "reason"]
    list_filter = ["clinic"]
    date_hierarchy = "opens_on"
    inlines = [ClinicOpeningHoursInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("hours", "staff__user")

    @admin.display(description="Hours")
    def blocks(self, opening: ClinicOpening) -> str:
        return ", ".join(str(block) for block in opening.hours.all())

    @admin.display(description="Staff on duty")
    def staff_on_duty(self, opening: ClinicOpening) -> str:
        return ", ".join(sorted(member.user.full_name for member in opening.staff.all()))

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "staff":
            kwargs["queryset"] = StaffMember.objects.filter(is_active=True).select_related("user")
            kwargs["form_class"] = StaffChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class StaffChoiceField(ModelMultipleChoiceField):
    """A multi-select of staff, each named with their role."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.full_name} ({obj.user.get_role_display()})"


class RoomOutageInline(admin.TabularInline):
    model = RoomOutage
    extra = 0


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    inlines = [RoomOutageInline]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["__str__", "role", "is_active"]
    list_filter = ["user__role", "is_active"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    inlines = [WorkingHoursInline, TimeOffInline]

    @admin.display(ordering="user__role")
    def role(self, staff: StaffMember) -> str:
        return staff.user.get_role_display()


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "duration_minutes",
        "recovery_minutes",
        "turnover_minutes",
        "online_booking",
        "is_active",
    ]
    list_filter = ["online_booking", "is_active"]
