"""The permission matrix (issue 13): every route of the URL configuration by every role, the
expected answer written once in EXPECTED.

The routes come from config.urls itself: a route without a row fails the test, and so does a row
whose route is gone. Rows are keyed by the route's path pattern (route names are not unique: the
API and the pages both have "appointment", "appointment-cancel", "appointment-readiness").

Each cell is the exact status code, "login" for a redirect to the sign-in page asking to come
back, or "→/path" for another redirect (ids as <id>, a next= query left out). Roles: anonymous,
the patient who owns the objects in the path, another patient, nurse, clinician, therapist, admin.
Pages are called with a signed-in session (force_login, the staff second factor passed), the API
with a JWT. Each call is built by tests/route_world.py with a body valid for a role allowed to
(fresh objects where it writes); for the write routes of its WRITES a refused call (login, 4xx)
must leave the route's main table as it was. The clock is frozen on a Monday morning
(tests/test_api_schema.py's NOW). MATRIX_PRINT=<file> writes the answers observed, as a table
to review before pasting.

Not walked: the rest of the django-otp admin site below /admin/ (Django's own); one row for its
index says it sends anyone not signed in as staff to its own sign-in, and ADMIN_ROUTES, the
admin's pages that show or change a patient's record, have their rows.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from booking.services.appointments import appointment_book
from core.roles import Role
from scheduling.models import AppointmentType
from tests.clinical.plans import active_plan
from tests.factories import PatientFactory, UserFactory
from tests.route_world import NOW, WRITES, Call, MatrixWorld, api_schema_path, own_phq9, request_for, threshold_alert
from tests.test_api_schema import CALLS

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "patient", "other_patient", "nurse", "clinician", "therapist", "admin")
LA = ZoneInfo("America/Los_Angeles")
Cell = int | str
A = "anonymous"

L = "login"

# route pattern -> method -> the answer to each role, in the order of ROLES:
#   (anonymous, patient, other_patient, nurse, clinician, therapist, admin)
EXPECTED: dict[str, dict[str, tuple[Cell, Cell, Cell, Cell, Cell, Cell, Cell]]] = {
    "/healthz": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/admin/": {
        "GET": (
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            200,
        ),
        "POST": (
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            200,
        ),
    },
    # The admin's change views (issue 18), for the clinic's admin (a superuser): a user's page
    # (an empty POST: the form again, with its errors); an appointment's page is read-only (a
    # POST is refused, whoever sends it); its cancel and move are forms calling the services (an
    # empty POST: the form again). Everyone else is sent to the admin's sign-in.
    "/admin/accounts/user/<path:object_id>/change/": {
        "GET": (
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            200,
        ),
        "POST": (
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            200,
        ),
    },
    "/admin/booking/appointment/<path:object_id>/change/": {
        "GET": (
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            200,
        ),
        "POST": (
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            403,
        ),
    },
    "/admin/booking/appointment/<uuid:appointment_id>/cancel/": {
        "GET": (
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            200,
        ),
        "POST": (
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            200,
        ),
    },
    "/admin/booking/appointment/<uuid:appointment_id>/reschedule/": {
        "GET": (
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            200,
        ),
        "POST": (
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            "→/admin/login/",
            200,
        ),
    },
    "/api/schema/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/api/docs/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/api/v1/auth/register/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (202, 202, 202, 202, 202, 202, 202),
    },
    "/api/v1/auth/register/confirm/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (200, 200, 200, 200, 200, 200, 200),
    },
    "/api/v1/auth/token/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (200, 200, 200, 200, 200, 200, 200),
    },
    "/api/v1/auth/token/refresh/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (200, 200, 200, 200, 200, 200, 200),
    },
    "/api/v1/auth/logout/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (200, 200, 200, 200, 200, 200, 200),
    },
    "/api/v1/auth/password-reset/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (202, 202, 202, 202, 202, 202, 202),
    },
    "/api/v1/auth/password-reset/confirm/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (200, 200, 200, 200, 200, 200, 200),
    },
    "/api/v1/me/": {
        "GET": (401, 200, 200, 200, 200, 200, 200),
        "POST": (401, 405, 405, 405, 405, 405, 405),
    },
    "/api/v1/me/contact-preferences/": {
        "GET": (401, 200, 200, 403, 403, 403, 403),
        "POST": (401, 405, 405, 403, 403, 403, 403),
        "PATCH": (401, 200, 200, 403, 403, 403, 403),
    },
    "/api/v1/appointment-types/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/api/v1/availability/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/api/v1/appointments/": {
        "GET": (401, 200, 200, 200, 200, 200, 200),
        "POST": (401, 409, 201, 201, 201, 403, 201),
    },
    "/api/v1/appointments/<uuid:appointment_id>/": {
        "GET": (401, 200, 404, 200, 200, 200, 200),
        "POST": (401, 405, 405, 405, 405, 405, 405),
    },
    "/api/v1/appointments/<uuid:appointment_id>/cancel/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 200, 404, 200, 200, 403, 200),
    },
    "/api/v1/appointments/<uuid:appointment_id>/reschedule/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 200, 404, 200, 200, 403, 200),
    },
    "/api/v1/appointments/<uuid:appointment_id>/check-in/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 403, 403, 200, 200, 403, 200),
    },
    "/api/v1/appointments/<uuid:appointment_id>/start/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 403, 403, 200, 200, 403, 200),
    },
    "/api/v1/appointments/<uuid:appointment_id>/complete/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 403, 403, 200, 200, 403, 200),
    },
    "/api/v1/appointments/<uuid:appointment_id>/no-show/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 403, 403, 200, 200, 403, 200),
    },
    "/api/v1/schedule/": {
        "GET": (401, 403, 403, 200, 200, 200, 200),
        "POST": (401, 403, 403, 405, 405, 405, 405),
    },
    "/api/v1/appointments/<uuid:appointment_id>/readiness/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 200, 404, 403, 403, 403, 403),
    },
    "/api/v1/appointments/<uuid:appointment_id>/notifications/": {
        "GET": (401, 403, 403, 200, 200, 200, 200),
        "POST": (401, 403, 403, 405, 405, 405, 405),
    },
    "/api/v1/waitlist/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 201, 201, 403, 403, 403, 403),
    },
    "/api/v1/evaluations/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 403, 403, 403, 201, 403, 403),
    },
    "/api/v1/evaluations/<uuid:evaluation_id>/": {
        "GET": (401, 200, 404, 200, 200, 200, 200),
        "POST": (401, 405, 405, 405, 405, 405, 405),
        "PATCH": (401, 403, 403, 403, 200, 403, 403),
    },
    "/api/v1/evaluations/<uuid:evaluation_id>/sign/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 403, 403, 403, 200, 403, 403),
    },
    "/api/v1/evaluations/<uuid:evaluation_id>/addenda/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 403, 403, 403, 201, 403, 403),
    },
    "/api/v1/treatment-plans/<uuid:plan_id>/book-series/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 201, 404, 201, 201, 403, 201),
    },
    "/api/v1/treatment-plans/<uuid:plan_id>/discontinue/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 403, 403, 403, 200, 403, 403),
    },
    "/api/v1/treatment-plans/<uuid:plan_id>/dose-orders/": {
        "GET": (401, 403, 403, 200, 200, 403, 403),
        "POST": (401, 403, 403, 403, 201, 403, 403),
    },
    "/api/v1/dose-orders/<uuid:order_id>/cosign/": {
        "GET": (401, 403, 403, 403, 405, 403, 403),
        "POST": (401, 403, 403, 403, 200, 403, 403),
    },
    "/api/v1/letters/": {
        "GET": (401, 403, 403, 403, 405, 403, 403),
        "POST": (401, 403, 403, 403, 201, 403, 403),
    },
    "/api/v1/letters/<uuid:letter_id>/": {
        "GET": (401, 200, 404, 200, 200, 403, 403),
        "POST": (401, 405, 405, 405, 405, 405, 405),
    },
    "/api/v1/letters/<uuid:letter_id>/pdf/": {
        "GET": (401, 200, 404, 200, 200, 403, 403),
        "POST": (401, 405, 405, 405, 405, 405, 405),
    },
    "/api/v1/patients/<uuid:patient_id>/letters/": {
        "GET": (401, 200, 404, 200, 200, 403, 403),
        "POST": (401, 405, 405, 405, 405, 405, 405),
    },
    "/api/v1/me/questionnaires/": {
        "GET": (401, 200, 200, 403, 403, 403, 403),
        "POST": (401, 405, 405, 403, 403, 403, 403),
    },
    "/api/v1/questionnaires/<uuid:questionnaire_id>/answers/": {
        "GET": (401, 405, 405, 405, 405, 405, 405),
        "POST": (401, 201, 404, 201, 201, 403, 403),
    },
    "/api/v1/treatment-plans/<uuid:plan_id>/outcome/": {
        "GET": (401, 403, 403, 200, 200, 403, 403),
        "POST": (401, 405, 405, 405, 405, 405, 405),
    },
    "/api/v1/reports/outcomes/": {
        "GET": (401, 403, 403, 403, 200, 403, 200),
        "POST": (401, 403, 403, 403, 405, 403, 405),
    },
    "/api/v1/infusions/<uuid:appointment_id>/": {
        "GET": (401, 403, 403, 200, 200, 403, 403),
        "POST": (401, 403, 403, 405, 405, 403, 403),
        "PATCH": (401, 403, 403, 200, 200, 403, 403),
    },
    "/api/v1/infusions/<uuid:appointment_id>/vitals/": {
        "GET": (401, 403, 403, 405, 405, 403, 403),
        "POST": (401, 403, 403, 201, 201, 403, 403),
    },
    "/api/v1/infusions/<uuid:appointment_id>/adverse-events/": {
        "GET": (401, 403, 403, 405, 405, 403, 403),
        "POST": (401, 403, 403, 201, 201, 403, 403),
    },
    "/api/v1/infusions/<uuid:appointment_id>/discharge/": {
        "GET": (401, 403, 403, 405, 405, 403, 403),
        "POST": (401, 403, 403, 200, 200, 403, 403),
    },
    "/api/v1/infusions/<uuid:appointment_id>/predose-override/": {
        "GET": (401, 403, 403, 403, 405, 403, 403),
        "POST": (401, 403, 403, 403, 201, 403, 403),
    },
    "/api/v1/alerts/": {
        "GET": (401, 403, 403, 200, 200, 403, 200),
        "POST": (401, 403, 403, 405, 405, 403, 405),
    },
    "/api/v1/alerts/<uuid:alert_id>/acknowledge/": {
        "GET": (401, 403, 403, 405, 405, 403, 403),
        "POST": (401, 403, 403, 200, 200, 403, 403),
    },
    "/api/v1/infusions/<uuid:appointment_id>/scales/": {
        "GET": (401, 403, 403, 405, 405, 403, 403),
        "POST": (401, 403, 403, 201, 201, 403, 403),
    },
    "/api/v1/follow-ups/": {
        "GET": (401, 403, 403, 200, 200, 403, 403),
        "POST": (401, 403, 403, 405, 405, 403, 403),
    },
    "/api/v1/follow-ups/<uuid:follow_up_id>/": {
        "GET": (401, 403, 403, 405, 405, 403, 403),
        "POST": (401, 403, 403, 200, 200, 403, 403),
    },
    # The regulated record (issue 21): the patient's own consent; staff's paper copy and read;
    # pregnancy tests and the medication list at an infusion; a suspended plan resumed.
    "/api/v1/me/consent/": {
        "GET": (401, 200, 200, 403, 403, 403, 403),
        "POST": (401, 405, 405, 403, 403, 403, 403),
    },
    "/api/v1/me/consents/": {
        "GET": (401, 405, 405, 403, 403, 403, 403),
        "POST": (401, 201, 201, 403, 403, 403, 403),
    },
    "/api/v1/patients/<uuid:patient_id>/consents/": {
        "GET": (401, 403, 403, 200, 200, 403, 200),
        "POST": (401, 403, 403, 201, 201, 403, 201),
    },
    "/api/v1/infusions/<uuid:appointment_id>/pregnancy-tests/": {
        "GET": (401, 403, 403, 200, 200, 403, 403),
        "POST": (401, 403, 403, 201, 201, 403, 403),
    },
    "/api/v1/infusions/<uuid:appointment_id>/medications/": {
        "GET": (401, 403, 403, 200, 200, 403, 403),
        "POST": (401, 403, 403, 200, 200, 403, 403),
    },
    "/api/v1/treatment-plans/<uuid:plan_id>/resume/": {
        "GET": (401, 403, 403, 403, 405, 403, 403),
        "POST": (401, 403, 403, 403, 200, 403, 403),
    },
    "/api/v1/controlled/containers/": {
        "GET": (401, 403, 403, 200, 200, 403, 200),
        "POST": (401, 403, 403, 201, 201, 403, 403),
    },
    "/api/v1/controlled/containers/<uuid:container_id>/waste/": {
        "GET": (401, 403, 403, 405, 405, 403, 403),
        "POST": (401, 403, 403, 201, 201, 403, 403),
    },
    "/api/v1/controlled/entries/<int:entry_id>/corrections/": {
        "GET": (401, 403, 403, 405, 405, 403, 403),
        "POST": (401, 403, 403, 201, 201, 403, 403),
    },
    "/api/v1/controlled/infusions/<uuid:appointment_id>/": {
        "GET": (401, 403, 403, 200, 200, 403, 403),
        "POST": (401, 403, 403, 405, 405, 403, 403),
    },
    "/api/v1/controlled/infusions/<uuid:appointment_id>/draws/": {
        "GET": (401, 403, 403, 405, 405, 403, 403),
        "POST": (401, 403, 403, 201, 201, 403, 403),
    },
    "/api/v1/controlled/infusions/<uuid:appointment_id>/administration/": {
        "GET": (401, 403, 403, 405, 405, 403, 403),
        "POST": (401, 403, 403, 201, 201, 403, 403),
    },
    "/api/v1/controlled/counts/": {
        "GET": (401, 403, 403, 200, 200, 403, 200),
        "POST": (401, 403, 403, 201, 201, 403, 403),
    },
    "/api/v1/controlled/report/": {
        "GET": (401, 403, 403, 403, 200, 403, 200),
        "POST": (401, 403, 403, 403, 405, 403, 405),
    },
    "/api/v1/controlled/inventory/": {
        "GET": (401, 403, 403, 403, 200, 403, 200),
        "POST": (401, 403, 403, 403, 405, 403, 405),
    },
    "/api/v1/me/export/": {
        "GET": (401, 200, 200, 403, 403, 403, 403),
        "POST": (401, 405, 405, 403, 403, 403, 403),
    },
    "/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/language/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": ("→/", "→/", "→/", "→/", "→/", "→/", "→/"),
    },
    "/signin/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (
            "→/account/",
            "→/account/",
            "→/account/",
            "→/signin/code/",
            "→/signin/code/",
            "→/signin/code/",
            "→/signin/code/",
        ),
    },
    "/signup/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (
            "→/signup/sent/",
            "→/signup/sent/",
            "→/signup/sent/",
            "→/signup/sent/",
            "→/signup/sent/",
            "→/signup/sent/",
            "→/signup/sent/",
        ),
    },
    "/signup/sent/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    # A fresh sign-up's emailed link: its page asks for the password and a button press (GET changes nothing);
    # whoever presses it (a CSRF-checked POST) with that sign-up's password is signed in as the new account.
    "/signup/confirm/<str:token>/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": ("→/account/", "→/account/", "→/account/", "→/account/", "→/account/", "→/account/", "→/account/"),
    },
    "/signout/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": ("→/", "→/", "→/", "→/", "→/", "→/", "→/"),
    },
    "/book/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/book/review/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/book/confirm/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        # An integration session: the patient's plan is active, the other patient has none (404).
        "POST": (L, "→/appointments/<id>/", 404, 403, 403, 403, 403),
    },
    "/account/": {
        "GET": (L, 200, 200, 403, 403, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/account/series/": {
        "GET": (L, 200, 200, 403, 403, 403, 403),
        # 200: the form again with the refusal (the API call above booked the patient's series; the
        # other patient has no plan).
        "POST": (L, 200, 200, 403, 403, 403, 403),
    },
    "/account/series/booked/": {
        "GET": (L, "→/account/", "→/account/", 403, 403, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/account/waitlist/": {
        "GET": (L, 200, 200, 403, 403, 403, 403),
        "POST": (L, "→/account/", "→/account/", 403, 403, 403, 403),
    },
    "/account/contact-preferences/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, "→/account/#contact-title", "→/account/#contact-title", 403, 403, 403, 403),
    },
    "/account/export/": {
        "GET": (L, 200, 200, 403, 403, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    # The patient's letters to their referring doctor: the list (their own; none is 200 too), and
    # one letter's PDF (the other patient's is not found).
    "/account/letters/": {
        "GET": (L, 200, 200, 403, 403, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/account/letters/<uuid:letter_id>/pdf/": {
        "GET": (L, 200, 404, 403, 403, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/account/questionnaires/<uuid:questionnaire_id>/": {
        "GET": (L, 200, 404, 403, 403, 403, 403),
        "POST": (L, "→/account/questionnaires/<id>/", 404, 403, 403, 403, 403),
    },
    # The treatment consent (issue 21): read and sign the newest version, download a signature.
    "/account/consent/": {
        "GET": (L, 200, 200, 403, 403, 403, 403),
        "POST": (L, "→/account/#consent-title", "→/account/#consent-title", 403, 403, 403, 403),
    },
    "/account/consents/<uuid:consent_id>/pdf/": {
        "GET": (L, 200, 404, 403, 403, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/appointments/<uuid:appointment_id>/": {
        "GET": (L, 200, 404, 403, 403, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/appointments/<uuid:appointment_id>/calendar.ics": {
        "GET": (L, 200, 404, 403, 403, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/appointments/<uuid:appointment_id>/cancel/": {
        "GET": (L, 200, 404, 403, 403, 403, 403),
        "POST": (L, "→/appointments/<id>/", 404, 403, 403, 403, 403),
    },
    "/appointments/<uuid:appointment_id>/reschedule/": {
        "GET": (L, 200, 404, 403, 403, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/appointments/<uuid:appointment_id>/reschedule/review/": {
        "GET": (L, 200, 404, 403, 403, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/appointments/<uuid:appointment_id>/reschedule/confirm/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, "→/appointments/<id>/", 404, 403, 403, 403, 403),
    },
    "/appointments/<uuid:appointment_id>/readiness/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, "→/appointments/<id>/#readiness", 404, 403, 403, 403, 403),
    },
    "/staff/": {
        "GET": (L, 403, 403, "→/staff/day/", 200, 200, "→/staff/day/"),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/day/": {
        "GET": (L, 403, 403, 200, 200, 403, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/day/appointments/<uuid:appointment_id>/<slug:step>/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (
            L,
            403,
            403,
            "→/staff/day/?date=2026-11-30",
            "→/staff/day/?date=2026-11-30",
            403,
            "→/staff/day/?date=2026-11-30",
        ),
    },
    "/staff/evaluations/start/<uuid:appointment_id>/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, 403, "→/staff/evaluations/<id>/", 403, 403),
    },
    "/staff/evaluations/<uuid:evaluation_id>/": {
        "GET": (L, 403, 403, 200, 200, 200, 200),
        "POST": (L, 403, 403, 403, "→/staff/evaluations/<id>/", 403, 403),
    },
    "/staff/evaluations/<uuid:evaluation_id>/sign/": {
        "GET": (L, 403, 403, 403, 200, 403, 403),
        "POST": (L, 403, 403, 403, "→/staff/evaluations/<id>/", 403, 403),
    },
    "/staff/evaluations/<uuid:evaluation_id>/addenda/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, 403, "→/staff/evaluations/<id>/#addenda", 403, 403),
    },
    "/staff/patients/": {
        "GET": (L, 403, 403, 200, 200, 403, 200),
        "POST": (L, 403, 403, 200, 200, 403, 200),
    },
    "/staff/patients/<uuid:patient_id>/": {
        "GET": (L, 403, 403, 200, 200, 403, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/patients/<uuid:patient_id>/book/": {
        "GET": (L, 403, 403, 200, 200, 403, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/patients/<uuid:patient_id>/book/review/": {
        "GET": (L, 403, 403, 200, 200, 403, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/patients/<uuid:patient_id>/book/confirm/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (
            L,
            403,
            403,
            "→/staff/patients/<id>/#upcoming",
            "→/staff/patients/<id>/#upcoming",
            403,
            "→/staff/patients/<id>/#upcoming",
        ),
    },
    "/staff/patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/move/": {
        "GET": (L, 403, 403, 200, 200, 403, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/move/review/": {
        "GET": (L, 403, 403, 200, 200, 403, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/move/confirm/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (
            L,
            403,
            403,
            "→/staff/patients/<id>/#upcoming",
            "→/staff/patients/<id>/#upcoming",
            403,
            "→/staff/patients/<id>/#upcoming",
        ),
    },
    "/staff/patients/<uuid:patient_id>/appointments/<uuid:appointment_id>/cancel/": {
        "GET": (L, 403, 403, 200, 200, 403, 200),
        "POST": (
            L,
            403,
            403,
            "→/staff/patients/<id>/#past",
            "→/staff/patients/<id>/#past",
            403,
            "→/staff/patients/<id>/#past",
        ),
    },
    "/staff/calendar-feed/": {
        "GET": (L, 403, 403, 200, 200, 200, 200),
        "POST": (L, 403, 403, 200, 200, 200, 200),
    },
    "/staff/infusions/<uuid:appointment_id>/": {
        "GET": (L, 403, 403, 200, 200, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/infusions/<uuid:appointment_id>/weight/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, "→/staff/infusions/<id>/#dose", "→/staff/infusions/<id>/#dose", 403, 403),
    },
    "/staff/infusions/<uuid:appointment_id>/dose/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, "→/staff/infusions/<id>/#dose", "→/staff/infusions/<id>/#dose", 403, 403),
    },
    "/staff/infusions/<uuid:appointment_id>/readiness/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, "→/staff/infusions/<id>/#readiness", "→/staff/infusions/<id>/#readiness", 403, 403),
    },
    "/staff/infusions/<uuid:appointment_id>/medications/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, "→/staff/infusions/<id>/#readiness", "→/staff/infusions/<id>/#readiness", 403, 403),
    },
    "/staff/plans/<uuid:plan_id>/dose-orders/": {
        "GET": (L, 403, 403, 200, 200, 403, 403),
        "POST": (L, 403, 403, 403, "→/staff/plans/<id>/dose-orders/", 403, 403),
    },
    # A plan a positive pregnancy test suspended, resumed or ended from the chart: the chart's
    # readers come in, the service lets only a clinician (back to the chart).
    "/staff/plans/<uuid:plan_id>/resume/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, 403, "→/staff/patients/<id>/", 403, 403),
    },
    "/staff/plans/<uuid:plan_id>/end/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, 403, "→/staff/patients/<id>/", 403, 403),
    },
    "/staff/dose-orders/<uuid:order_id>/cosign/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, 403, "→/staff/plans/<id>/dose-orders/", 403, 403),
    },
    "/staff/patients/<uuid:patient_id>/letters/": {
        "GET": (L, 403, 403, 200, 200, 403, 403),
        "POST": (L, 403, 403, 403, "→/staff/patients/<id>/letters/", 403, 403),
    },
    "/staff/letters/<uuid:letter_id>/pdf/": {
        "GET": (L, 403, 403, 200, 200, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/infusions/<uuid:appointment_id>/predose-override/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, 403, "→/staff/infusions/<id>/#start", 403, 403),
    },
    "/staff/infusions/<uuid:appointment_id>/vitals/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, "→/staff/infusions/<id>/#readings", "→/staff/infusions/<id>/#readings", 403, 403),
    },
    "/staff/infusions/<uuid:appointment_id>/end/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, "→/staff/infusions/<id>/#readings", "→/staff/infusions/<id>/#readings", 403, 403),
    },
    "/staff/infusions/<uuid:appointment_id>/questionnaires/<uuid:questionnaire_id>/": {
        "GET": (L, 403, 403, 200, 200, 403, 403),
        "POST": (
            L,
            403,
            403,
            "→/staff/infusions/<id>/#questionnaires",
            "→/staff/infusions/<id>/#questionnaires",
            403,
            403,
        ),
    },
    "/staff/infusions/<uuid:appointment_id>/adverse-events/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (
            L,
            403,
            403,
            "→/staff/infusions/<id>/#adverse-events",
            "→/staff/infusions/<id>/#adverse-events",
            403,
            403,
        ),
    },
    "/staff/infusions/<uuid:appointment_id>/alerts/<uuid:alert_id>/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, "→/staff/infusions/<id>/#alerts", "→/staff/infusions/<id>/#alerts", 403, 403),
    },
    "/staff/infusions/<uuid:appointment_id>/discharge/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, "→/staff/infusions/<id>/", "→/staff/infusions/<id>/", 403, 403),
    },
    "/staff/infusions/<uuid:appointment_id>/scales/": {
        "GET": (L, 403, 403, 200, 200, 403, 403),
        "POST": (
            L,
            403,
            403,
            "→/staff/infusions/<id>/scales/",
            "→/staff/infusions/<id>/scales/",
            403,
            403,
        ),
    },
    "/staff/follow-ups/": {
        "GET": (L, 403, 403, 200, 200, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/follow-ups/<uuid:follow_up_id>/": {
        "GET": (L, 403, 403, 200, 200, 403, 403),
        "POST": (
            L,
            403,
            403,
            "→/staff/follow-ups/?date=2026-12-01",
            "→/staff/follow-ups/?date=2026-12-01",
            403,
            403,
        ),
    },
    # An infusion's consent, pregnancy test and medication list (issue 21).
    "/staff/infusions/<uuid:appointment_id>/regulated/": {
        "GET": (L, 403, 403, 200, 200, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/infusions/<uuid:appointment_id>/regulated/pregnancy-test/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (
            L,
            403,
            403,
            "→/staff/infusions/<id>/regulated/#pregnancy",
            "→/staff/infusions/<id>/regulated/#pregnancy",
            403,
            403,
        ),
    },
    "/staff/infusions/<uuid:appointment_id>/regulated/medications/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (
            L,
            403,
            403,
            "→/staff/infusions/<id>/regulated/#medications",
            "→/staff/infusions/<id>/regulated/#medications",
            403,
            403,
        ),
    },
    "/staff/infusions/<uuid:appointment_id>/regulated/paper-consent/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (
            L,
            403,
            403,
            "→/staff/infusions/<id>/regulated/#consent",
            "→/staff/infusions/<id>/regulated/#consent",
            403,
            403,
        ),
    },
    "/staff/infusions/<uuid:appointment_id>/<slug:step>/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, "→/staff/infusions/<id>/#readings", "→/staff/infusions/<id>/#readings", 403, 403),
    },
    "/staff/alerts/<uuid:alert_id>/acknowledge/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, 403, "→/staff/#alerts-title", 403, 403),
    },
    "/staff/reports/outcomes/": {
        "GET": (L, 403, 403, 403, 200, 403, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/controlled/": {
        "GET": (L, 403, 403, 200, 200, 403, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/controlled/receive/": {
        "GET": (L, 403, 403, 200, 200, 403, 403),
        "POST": (L, 403, 403, "→/staff/controlled/", "→/staff/controlled/", 403, 403),
    },
    "/staff/controlled/containers/<uuid:container_id>/waste/": {
        "GET": (L, 403, 403, 200, 200, 403, 403),
        "POST": (L, 403, 403, "→/staff/controlled/", "→/staff/controlled/", 403, 403),
    },
    "/staff/controlled/infusions/<uuid:appointment_id>/": {
        "GET": (L, 403, 403, 200, 200, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/controlled/infusions/<uuid:appointment_id>/draw/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (
            L,
            403,
            403,
            "→/staff/controlled/infusions/<id>/#draws",
            "→/staff/controlled/infusions/<id>/#draws",
            403,
            403,
        ),
    },
    "/staff/controlled/infusions/<uuid:appointment_id>/administration/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (
            L,
            403,
            403,
            "→/staff/controlled/infusions/<id>/#administration",
            "→/staff/controlled/infusions/<id>/#administration",
            403,
            403,
        ),
    },
    "/staff/controlled/count/": {
        "GET": (L, 403, 403, 200, 200, 403, 403),
        "POST": (L, 403, 403, "→/staff/controlled/#count", "→/staff/controlled/#count", 403, 403),
    },
    "/staff/controlled/discrepancies/<uuid:alert_id>/resolve/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 403, 403, 403, "→/staff/controlled/#discrepancies", 403, 403),
    },
    "/staff/controlled/report/": {
        "GET": (L, 403, 403, 403, 200, 403, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/staff/controlled/inventory/": {
        "GET": (L, 403, 403, 403, 200, 403, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    # A nurse's feed token: no session needed, the token is the reader.
    "/calendar/<str:token>.ics": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    # The sign-in steps after the password: with no sign-in under way, back to the sign-in page.
    "/signin/code/": {
        "GET": (L, L, L, L, L, L, L),
        "POST": (L, L, L, L, L, L, L),
    },
    "/signin/enrol/": {
        "GET": (L, L, L, L, L, L, L),
        "POST": (L, L, L, L, L, L, L),
    },
    # Only during an enrolment under way.
    "/signin/enrol/qr.svg": {
        "GET": (404, 404, 404, 404, 404, 404, 404),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/signin/recovery-codes/": {
        "GET": (
            L,
            "→/account/security/",
            "→/account/security/",
            "→/account/security/",
            "→/account/security/",
            "→/account/security/",
            "→/account/security/",
        ),
        "POST": (L, 405, 405, 405, 405, 405, 405),
    },
    "/signout/everywhere/": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (
            L,
            "→/signin/?ended=1",
            "→/signin/?ended=1",
            "→/signin/?ended=1",
            "→/signin/?ended=1",
            "→/signin/?ended=1",
            "→/signin/?ended=1",
        ),
    },
    "/password-reset/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (
            "→/password-reset/sent/",
            "→/password-reset/sent/",
            "→/password-reset/sent/",
            "→/password-reset/sent/",
            "→/password-reset/sent/",
            "→/password-reset/sent/",
            "→/password-reset/sent/",
        ),
    },
    "/password-reset/sent/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "/password-reset/<str:uidb64>/<str:token>/": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (
            "→/signin/?reset=1",
            "→/signin/?reset=1",
            "→/signin/?reset=1",
            "→/signin/?reset=1",
            "→/signin/?reset=1",
            "→/signin/?reset=1",
            "→/signin/?reset=1",
        ),
    },
    "/account/security/": {
        "GET": (L, 200, 200, 200, 200, 200, 200),
        "POST": (
            L,
            "→/signin/?changed=1",
            "→/signin/?changed=1",
            "→/signin/?changed=1",
            "→/signin/?changed=1",
            "→/signin/?changed=1",
            "→/signin/?changed=1",
        ),
    },
    "/account/security/qr.svg": {
        "GET": (L, 200, 200, 200, 200, 200, 200),
        "POST": (L, 405, 405, 405, 405, 405, 405),
    },
    # The demo mailbox of `make run`: off outside the development settings (tests/web/test_dev_mailbox.py).
    "/dev/mail/": {
        "GET": (404, 404, 404, 404, 404, 404, 404),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
}


# The admin's pages that show or change a patient's record, walked each (issue 18): its change
# views of appointments and users, and the appointment's two actions (booking/admin.py).
ADMIN_ROUTES = (
    "/admin/accounts/user/<path:object_id>/change/",
    "/admin/booking/appointment/<path:object_id>/change/",
    "/admin/booking/appointment/<uuid:appointment_id>/cancel/",
    "/admin/booking/appointment/<uuid:appointment_id>/reschedule/",
)


def routes(patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "/") -> Iterator[str]:
    """Every route pattern of the URL configuration, '/'-rooted; the admin site as one route, and
    the admin pages of ADMIN_ROUTES."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if pattern == "/admin/":
                yield pattern  # Django's admin site (django-otp's): one row for the rest of it
                yield from ADMIN_ROUTES
                continue
            yield from routes(entry.url_patterns, pattern)
        else:
            yield pattern


def every_pattern(patterns: list[URLPattern | URLResolver], prefix: str = "/") -> Iterator[str]:
    """Every route pattern below ``patterns``, the admin site's included."""
    for entry in patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from every_pattern(entry.url_patterns, pattern)
        else:
            yield pattern


def methods(pattern: str) -> tuple[str, ...]:
    """GET and POST on every route, and PATCH where the API documents it."""
    patched = ("PATCH", api_schema_path(pattern)) in CALLS
    return ("GET", "POST", "PATCH") if patched else ("GET", "POST")


# Routes that end the caller's sessions or tokens (or change their password): called as a fresh
# account of the role, so the world's accounts keep theirs for the routes after.
ENDS_ACCESS = {"/signout/everywhere/", "/account/security/"}


def fresh_user(role: str) -> User:
    if role in ("patient", "other_patient"):
        user: User = PatientFactory()
    else:
        user = UserFactory(role=role, is_staff=role == Role.ADMIN)
    return user


@pytest.fixture
def world(
    demo_clinic, patient, other_patient, nurse_user, clinician_user, therapist_user, admin_user
) -> Iterator[MatrixWorld]:
    with time_machine.travel(NOW, tick=False):
        # The clinic's admin as seed_demo makes it: a superuser of the Django admin too.
        admin_user.is_superuser = True
        admin_user.save(update_fields=["is_superuser"])
        users = {
            "patient": patient,
            "other_patient": other_patient,
            "nurse": nurse_user,
            "clinician": clinician_user,
            "therapist": therapist_user,
            "admin": admin_user,
        }
        plan = active_plan(patient, signed_at=NOW.replace(day=27))
        booked = appointment_book(
            actor=patient,
            patient=patient,
            appointment_type=AppointmentType.objects.get(code="evaluation"),
            starts_at=datetime(2026, 12, 3, 10, tzinfo=LA),
        )
        clients: dict[str, Any] = {A: APIClient(raise_request_exception=False)}
        for role, user in users.items():
            clients[role] = APIClient(raise_request_exception=False)
            clients[role].credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        world = MatrixWorld(users=users, patient=patient, booked=booked, signed=plan.evaluation, clients=clients)
        world.infusion, world.alert = threshold_alert(world, patient=patient)
        world.questionnaire = own_phq9(world)
        yield world


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def cell_of(response: Any) -> Cell:
    """The status, "login" for the sign-in page asking to come back (?next=), or "→" and where
    another redirect goes (its query kept unless it is a next=, ids as <id>)."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return int(response.status_code)
    target, _, query = response["Location"].partition("?")
    if "next=" in query:
        query = ""
    if target == "/signin/" and not query:
        return "login"
    return "→" + UUID.sub("<id>", target + (f"?{query}" if query else ""))


def page_client(world: MatrixWorld, role: str, user: User | None) -> Client:
    """A signed-in page session per role, kept while it stays that role's (a call that signs out,
    in or as someone else drops it); a fresh one for a fresh account."""
    if user is None and role in world.pages:
        return world.pages[role]
    client = Client(raise_request_exception=False)
    if role != A:
        client.force_login(user or world.users[role])
    if user is None:
        world.pages[role] = client
    return client


def send(world: MatrixWorld, role: str, call: Call, *, user: User | None = None) -> Any:
    if call.url.startswith("/api/v1/"):
        body = json.dumps(call.body) if call.body is not None else ""
        return world.clients[role].generic(call.method, call.url, body, content_type="application/json")
    client = page_client(world, role, user)
    if call.method == "GET":
        response = client.get(call.url)
    else:
        body = _form_encoded(call.body or {})
        response = client.generic(call.method, call.url, body, content_type="application/x-www-form-urlencoded")
    signed_in = client.session.get("_auth_user_id")
    if signed_in != (None if role == A else str(world.users[role].pk)):
        world.pages.pop(role, None)
    return response


def _form_encoded(body: dict[str, Any]) -> str:
    return urlencode([(key, "on" if value is True else value) for key, value in body.items() if value is not False])


def test_every_route_has_a_row_and_every_row_a_route() -> None:
    assert set(ADMIN_ROUTES) <= set(every_pattern(get_resolver().url_patterns)), "an admin route is gone"
    present = set(routes())
    assert sorted(present - set(EXPECTED)) == [], "routes without a row in EXPECTED"
    assert sorted(set(EXPECTED) - present) == [], "rows of EXPECTED whose route is gone"
    assert sorted(set(WRITES) - present) == [], "write routes whose route is gone"


def test_a_route_added_anywhere_is_found_and_has_no_row() -> None:
    """The walk reaches a route at any depth of includes; such a new route has no row."""

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    added: list[URLPattern | URLResolver] = [
        path("new/<uuid:thing_id>/", view, name="new"),
        path("api/v1/", include([path("", include([path("things/", view, name="things")]))])),
    ]
    assert list(routes(added)) == ["/new/<uuid:thing_id>/", "/api/v1/things/"]
    assert {"/new/<uuid:thing_id>/", "/api/v1/things/"} & set(EXPECTED) == set()


def test_every_route_answers_every_role_as_the_table_says(world: MatrixWorld) -> None:
    observed: dict[str, dict[str, tuple[Cell, ...]]] = {}
    wrote: list[str] = []
    with time_machine.travel(NOW, tick=False):
        for pattern in routes():
            for method in methods(pattern):
                answers: list[Cell] = []
                for role in ROLES:
                    call = request_for(world, pattern, method, role)
                    table = WRITES.get(pattern) if method != "GET" else None
                    before = table._default_manager.count() if table else 0
                    user = fresh_user(role) if pattern in ENDS_ACCESS and role != A else None
                    cell = cell_of(send(world, role, call, user=user))
                    answers.append(cell)
                    refused = cell == "login" or (isinstance(cell, int) and 400 <= cell < 500)
                    if table and refused and table._default_manager.count() != before:
                        wrote.append(f"{method} {pattern} as {role} answered {cell} and wrote a {table.__name__}")
                observed.setdefault(pattern, {})[method] = tuple(answers)
    if os.environ.get("MATRIX_PRINT"):  # a file to write the observed table to, to review and paste
        with open(os.environ["MATRIX_PRINT"], "w") as out:
            for pattern, by_method in observed.items():
                out.write(f"    {pattern!r}: {{\n")
                for method, row in by_method.items():
                    out.write(f"        {method!r}: {row!r},\n")
                out.write("    },\n")
    differences = [
        f"{method} {pattern}: expected {EXPECTED.get(pattern, {}).get(method)}, answered {row}"
        for pattern, by_method in observed.items()
        for method, row in by_method.items()
        if EXPECTED.get(pattern, {}).get(method) != row
    ]
    differences += [
        f"{pattern}: the table has methods {sorted(EXPECTED[pattern])}, the test calls {sorted(by_method)}"
        for pattern, by_method in observed.items()
        if pattern in EXPECTED and set(EXPECTED[pattern]) != set(by_method)
    ]
    assert differences == []
    assert wrote == []
