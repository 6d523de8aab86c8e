from django.contrib import admin

from scheduling.models import (
    AppointmentType,
    Clinic,
    ClinicClosure,
    ClinicHours,
    Room,
    RoomOutage,
    StaffMember,
    TimeOff,
    WorkingHours,
)


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
