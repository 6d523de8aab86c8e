"""/staff/: each role's home after sign-in. Nurses and the front desk go to the day board;
clinicians see their own schedule for today and the evaluations to write or sign; therapists
their own schedule. Patients are refused (403)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import User
from booking.selectors import schedule_of_staff
from clinical.selectors import evaluations_to_write
from core.permissions import role_required
from core.roles import STAFF_ROLES, Role


@require_GET
@role_required(*STAFF_ROLES)
def staff_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # role_required let only staff through
    if user.role in (Role.NURSE, Role.ADMIN):
        return HttpResponseRedirect(reverse("staff-day"))
    schedule = schedule_of_staff(user=user)
    to_write = evaluations_to_write(clinician_id=user.pk, now=timezone.now()) if user.role == Role.CLINICIAN else None
    return render(request, "web/staff/home.html", {"schedule": schedule, "to_write": to_write})
