"""The infusion session record page's reads, renders and refusals (SPEC.md section 10).

``submit`` is every form's path: it calls the service first and builds the page only when the
form or the service refuses, so a write through the page costs the statements it costs through
the API (less the API's rendering of the session), and one audit row. The page itself is read
through the audited read and the session selector, the API's. No patient name in the title or
the address: ids only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from clinical.infusion_rules import RECORD_ROLES
from clinical.infusion_selectors import InfusionSession, infusion_session
from clinical.models import InfusionRecord
from clinical.services.infusion_record import infusion_record_read
from controlled.services.infusions import infusion_reconciled
from core.access_log import log_patient_reads
from core.errors import DomainError
from core.request_id import request_id_of
from web.actor import actor_of
from web.forms import form_add_domain_error
from web.refusals import raise_as_http
from web.staff.infusion_page import infusion_page_build
from web.staff.infusion_words import missing_words, predose_words

TEMPLATE = "web/staff/infusion.html"


# -- reading, rendering, refusing -------------------------------------------------------------------------


def record_read(request: HttpRequest, appointment_id: UUID) -> InfusionRecord:
    """The record, through the audited read (the API's)."""
    try:
        return infusion_record_read(
            actor=actor_of(request), appointment_id=appointment_id, request_id=request_id_of(request)
        )
    except DomainError as error:
        raise_as_http(error)
        raise


def page_url(appointment_id: UUID, anchor: str = "") -> str:
    return reverse("staff-infusion", args=[appointment_id]) + (f"#{anchor}" if anchor else "")


def session_render(
    request: HttpRequest,
    session: InfusionSession,
    *,
    failed: str = "",
    form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    failed_forms = {failed: form} if failed and form is not None else {}
    page = infusion_page_build(session, role=actor.role, now=timezone.now(), failed=failed_forms)
    context: dict[str, Any] = {
        "page": page,
        "appointment": page.appointment,
        "record": page.record,
        "zone": page.zone,
        "forms": page.forms,
        "failed_form": form,
        "failed": failed,
        "can_write": actor.role in RECORD_ROLES,
        # Once the controlled-substance log has the administration, the dose given stays as logged
        # (controlled/listeners.py refuses a change): the page says so instead of offering the form.
        "dose_logged": session.record.dose_given_mg is not None and infusion_reconciled(page.appointment.pk),
    }
    log_patient_reads(request, "staff-infusion", [session.record.patient_id])
    return render(request, TEMPLATE, context, status=status)


def page_render(
    request: HttpRequest, appointment_id: UUID, *, failed: str = "", form: forms.Form | None = None, status: int = 200
) -> HttpResponse:
    """The page: the audited read, then the session selector."""
    session = infusion_session(record=record_read(request, appointment_id), now=timezone.now())
    return session_render(request, session, failed=failed, form=form, status=status)


# A form's own way of placing a refusal on its fields (default: the service's detail beside each).
Place = Callable[[forms.Form, DomainError], None]


def refused(
    request: HttpRequest,
    appointment_id: UUID,
    name: str,
    form: forms.Form,
    error: DomainError,
    *,
    place: Place | None = None,
) -> HttpResponse:
    """The page again, the service's refusal beside its field and in the summary at the top; a
    refused start or discharge lists everything that is missing."""
    raise_as_http(error)
    now = timezone.now()
    session = infusion_session(record=record_read(request, appointment_id), now=now)
    zone = session.appointment.appointment_type.clinic.zone
    missing = error.fields.get("missing") if isinstance(error.fields, dict) else None
    if place is not None:
        place(form, error)
    elif not isinstance(missing, list):
        form_add_domain_error(form, error)
    readings = [row.reading for row in session.readings]
    predose = predose_words(readings, session.thresholds, now=now) if "baseline_in_range" in (missing or []) else ""
    for item in missing or []:
        if item in form.fields:  # a checklist item: beside its box, named by its label
            form.add_error(item, "Not ticked yet.")
        else:
            words = missing_words(str(item), recovered_at=session.recovery_ends_at, zone=zone, predose=predose)
            form.add_error(None, words)
    for item in error.fields.get("checklist") or []:  # the discharge's boxes not ticked
        if item in form.fields:
            form.add_error(item, "Not ticked yet.")
    return session_render(request, session, failed=name, form=form, status=error.status_code)


@dataclass(frozen=True)
class Done:
    """What a write through the page says, and where on the page it sends the browser."""

    words: str
    anchor: str = ""
    level: int = messages.SUCCESS


def submit(
    request: HttpRequest,
    appointment_id: UUID,
    *,
    name: str,
    form: forms.Form,
    write: Callable[[dict[str, Any]], Done],
    place: Place | None = None,
) -> HttpResponse:
    """Every form of the page: check the form, call the service (``write``) first, then back to
    the page (Post/Redirect/Get); the page is built here only when the form or the service refuses
    (``place``: the form's own way of putting the refusal beside its fields)."""
    if not form.is_valid():
        return page_render(request, appointment_id, failed=name, form=form, status=400)
    try:
        done = write(form.cleaned_data)
    except DomainError as error:
        return refused(request, appointment_id, name, form, error, place=place)
    messages.add_message(request, done.level, done.words)
    return HttpResponseRedirect(page_url(appointment_id, done.anchor))
