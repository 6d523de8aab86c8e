"""/account/: a patient's appointments, the outcome of their evaluation in plain words and their
plan's progress; booking the whole series, the waitlist, contact preferences and language.

Thin views over the services and selectors the API calls: ``treatment_plan_book_series``,
``waitlist_join``, ``contact_preferences_set``; a refusal comes back in words, beside its field or
at the top of the form.
"""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from booking.selectors import appointment_list
from booking.services.waitlist import waitlist_join
from booking.upcoming import appointment_timeline, readiness_asked
from clinical.outcome_selectors import patient_outcome, plan_outcome
from clinical.questionnaire_selectors import questionnaires_of_patient
from clinical.selectors import bookable_types_for, treatment_summary_for_patient
from clinical.services.series import treatment_plan_book_series
from core.errors import DomainError
from core.permissions import role_required
from core.roles import Role
from notifications.preferences import contact_preferences_of, contact_preferences_set
from patient_data.selectors import patient_data_export
from scheduling.models import PlanCounter
from scheduling.selectors import appointment_type_offered, clinic_zone
from web import timefmt
from web.checkins import questionnaire_rows
from web.forms import ContactPreferencesForm, LanguageForm, SeriesForm, WaitlistForm, form_add_domain_error
from web.templatetags.type_names import type_name

SERIES_SESSION_KEY = "series_booked"

# The services' refusals in the patient's words (the API answers the same codes).
SERIES_MESSAGES = {
    "series_infeasible": gettext_lazy(
        "Your remaining sessions do not all fit your plan's spacing and time window from that first day, "
        "so nothing was booked. Try an earlier first day or another time of day, or book one session at a time."
    ),
    "plan_exhausted": gettext_lazy("Every session of your treatment plan is already booked or done."),
    "no_active_treatment_plan": gettext_lazy("Your treatment plan is not active. Please call the clinic."),
    "resource_busy": gettext_lazy("The calendar is busy with another change. Nothing was booked; please try again."),
}
WAITLIST_MESSAGES = {
    "invalid_date_range": gettext_lazy("The latest day must be the same as the earliest day or after it."),
    "outside_booking_window": gettext_lazy("Choose days from today up to two months ahead."),
    "date_range_too_long": gettext_lazy("Choose at most 62 days."),
    "too_many_waitlist_entries": gettext_lazy(
        "You are already waiting for several times. The clinic will contact you as times open up."
    ),
    "staff_only_type": gettext_lazy("Only the clinic books this kind of visit. Please call the clinic."),
}


def _patient(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # role_required let only patients through
    return request.user


@require_GET
@role_required(Role.PATIENT)
def account(request: HttpRequest) -> HttpResponse:
    patient = _patient(request)
    now = timezone.now()
    timeline = appointment_timeline(appointment_list(viewer=patient, zone=timezone.get_current_timezone()), now=now)
    bookable = {t.counts_against_plan for t in bookable_types_for(patient_id=patient.pk)}
    treatment = treatment_summary_for_patient(patient_id=patient.pk)
    context = {
        "upcoming": timeline.upcoming,
        "cancelled_ahead": timeline.cancelled_ahead,
        "readiness_asked": [a for a in timeline.upcoming if readiness_asked(appointment=a, now=now)],
        "past": timeline.past,
        "treatment": treatment,
        # The patient's own reading of their plan's outcome (never the evaluation's score).
        "outcome": patient_outcome(plan_outcome(treatment.plan) if treatment.plan else None),
        "can_book_infusion": PlanCounter.INFUSIONS in bookable,
        "can_book_integration": PlanCounter.INTEGRATION_SESSIONS in bookable,
        "contact_form": ContactPreferencesForm(initial=asdict(contact_preferences_of(user_id=patient.pk))),
        "language_form": LanguageForm(initial={"language": patient.language}),
        "language_name": dict(settings.LANGUAGES).get(patient.language, patient.language),
        "checkins": questionnaire_rows(questionnaires_of_patient(patient_id=patient.pk, now=now)),
    }
    return render(request, "web/account.html", context)


# -- the whole series ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(Role.PATIENT)
def series(request: HttpRequest) -> HttpResponse:
    """Book every remaining infusion of the plan: the first day and time of day, check, book."""
    patient = _patient(request)
    treatment = treatment_summary_for_patient(patient_id=patient.pk)
    form = SeriesForm(request.POST if request.method == "POST" else None, initial=request.GET.dict())
    context = {"treatment": treatment, "form": form}
    if treatment.plan is None or not form.is_bound or not form.is_valid():
        return render(request, "web/series.html", context)
    if "confirm" not in request.POST:
        zone = clinic_zone()
        context |= {
            "preferred_time_label": timefmt.wall_clock_label(form.cleaned_data["preferred_time"], zone),
            "change_url": f"{reverse('account-series')}?{urlencode(_series_answers(form))}",
        }
        return render(request, "web/series_review.html", context)
    try:
        booked = treatment_plan_book_series(actor=patient, plan_id=treatment.plan.pk, **form.cleaned_data)
    except DomainError as error:
        form_add_domain_error(form, error, SERIES_MESSAGES)
        return render(request, "web/series.html", context)
    request.session[SERIES_SESSION_KEY] = [str(appointment.pk) for appointment in booked]
    messages.success(request, _("Your sessions are booked."))
    return HttpResponseRedirect(reverse("account-series-booked"))


def _series_answers(form: SeriesForm) -> dict[str, str]:
    """The answers as the form's fields read them back (for "Change your answers")."""
    data = form.cleaned_data
    return {"start_date": data["start_date"].isoformat(), "preferred_time": data["preferred_time"].strftime("%H:%M")}


@require_GET
@role_required(Role.PATIENT)
def series_booked(request: HttpRequest) -> HttpResponse:
    """The appointments the series booking just made (their ids kept in the session)."""
    patient = _patient(request)
    ids = request.session.get(SERIES_SESSION_KEY) or []
    if not ids:
        return HttpResponseRedirect(reverse("account"))
    booked = appointment_list(viewer=patient, zone=timezone.get_current_timezone()).filter(pk__in=ids)
    context = {"booked": booked, "treatment": treatment_summary_for_patient(patient_id=patient.pk)}
    return render(request, "web/series_booked.html", context)


# -- the waitlist -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(Role.PATIENT)
def waitlist(request: HttpRequest) -> HttpResponse:
    """Wait for a time of one kind between two days; a message comes when one opens up."""
    patient = _patient(request)
    choices = [(t.code, type_name(t)) for t in bookable_types_for(patient_id=patient.pk)]
    form = WaitlistForm(
        request.POST if request.method == "POST" else None,
        initial={"type": request.GET.get("type", "")},
        type_choices=choices,
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            entry = waitlist_join(
                actor=patient,
                appointment_type=appointment_type_offered(code=data["type"]),
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
        except DomainError as error:
            form_add_domain_error(form, error, WAITLIST_MESSAGES)
        else:
            messages.success(
                request,
                _(
                    "You are on the waitlist for %(visit)s from %(first)s to %(last)s. "
                    "We will send you a message when a time opens up."
                )
                % {
                    "visit": type_name(entry.appointment_type),
                    "first": timefmt.day_label_with_year(entry.date_from),
                    "last": timefmt.day_label_with_year(entry.date_to),
                },
            )
            return HttpResponseRedirect(reverse("account"))
    return render(request, "web/waitlist.html", {"form": form})


# -- contact preferences ------------------------------------------------------------------------


@require_POST
@role_required(Role.PATIENT)
def contact_preferences(request: HttpRequest) -> HttpResponse:
    form = ContactPreferencesForm(request.POST)
    if form.is_valid():
        contact_preferences_set(user_id=_patient(request).pk, **form.cleaned_data)
        messages.success(request, _("Your contact preferences are saved."))
    return HttpResponseRedirect(reverse("account") + "#contact-title")


# -- the patient's own data ---------------------------------------------------------------------


@require_GET
@role_required(Role.PATIENT)
def data_export(request: HttpRequest) -> HttpResponse:
    """The same document as ``GET /api/v1/me/export/``, as a file to keep (SPEC.md section 11)."""
    document = patient_data_export(patient=_patient(request), now=timezone.now())
    response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response
