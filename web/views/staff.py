"""/staff/: each role's home after sign-in. Patients are refused (403)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from booking.selectors import schedule_for_day
from core.permissions import role_required
from core.roles import STAFF_ROLES
from scheduling.models import Clinic


@require_GET
@role_required(*STAFF_ROLES)
def staff_home(request: HttpRequest) -> HttpResponse:
    clinic = Clinic.objects.order_by("pk").first()
    zone = clinic.zone if clinic else timezone.get_current_timezone()
    day = timezone.localdate(timezone=zone)
    return render(request, "web/staff_home.html", {"day": day, "rows": schedule_for_day(day=day, zone=zone)})
