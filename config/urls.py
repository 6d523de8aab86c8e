from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from booking.api.views import (
    AppointmentCancelApi,
    AppointmentDetailApi,
    AppointmentListCreateApi,
    AppointmentReadinessApi,
    AppointmentRescheduleApi,
    AppointmentTransitionApi,
    AvailabilityApi,
    WaitlistApi,
)
from booking.models import AppointmentEvent
from clinical.api.schedule import ScheduleApi
from config.api_docs import SchemaView, api_docs_view
from config.health import healthz
from notifications.api.views import AppointmentNotificationsApi, MyContactPreferencesApi
from scheduling.api.views import AppointmentTypeListApi

api_v1: list[URLPattern | URLResolver] = [
    path("", include("accounts.api.urls")),
    path("me/contact-preferences/", MyContactPreferencesApi.as_view(), name="me-contact-preferences"),
    path("appointment-types/", AppointmentTypeListApi.as_view(), name="appointment-types"),
    path("availability/", AvailabilityApi.as_view(), name="availability"),
    path("appointments/", AppointmentListCreateApi.as_view(), name="appointments"),
    path("appointments/<uuid:appointment_id>/", AppointmentDetailApi.as_view(), name="appointment"),
    path("appointments/<uuid:appointment_id>/cancel/", AppointmentCancelApi.as_view(), name="appointment-cancel"),
    path(
        "appointments/<uuid:appointment_id>/reschedule/",
        AppointmentRescheduleApi.as_view(),
        name="appointment-reschedule",
    ),
    *[
        path(
            f"appointments/<uuid:appointment_id>/{segment}/",
            AppointmentTransitionApi.as_view(action=action),
            name=f"appointment-{segment}",
        )
        for segment, action in [
            ("check-in", AppointmentEvent.Action.CHECKED_IN),
            ("start", AppointmentEvent.Action.STARTED),
            ("complete", AppointmentEvent.Action.COMPLETED),
            ("no-show", AppointmentEvent.Action.NO_SHOW),
        ]
    ],
    path("schedule/", ScheduleApi.as_view(), name="schedule"),
    path(
        "appointments/<uuid:appointment_id>/readiness/",
        AppointmentReadinessApi.as_view(),
        name="appointment-readiness",
    ),
    path(
        "appointments/<uuid:appointment_id>/notifications/",
        AppointmentNotificationsApi.as_view(),
        name="appointment-notifications",
    ),
    path("waitlist/", WaitlistApi.as_view(), name="waitlist"),
    path("", include("clinical.api.urls")),
    path("controlled/", include("controlled.api.urls")),
    path("", include("patient_data.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", api_docs_view(), name="docs"),
    path("api/v1/", include(api_v1)),
    path("", include("web.urls")),
]

handler400 = "web.errors.bad_request"
handler403 = "web.errors.permission_denied"
handler404 = "web.errors.not_found"
handler500 = "web.errors.server_error"
