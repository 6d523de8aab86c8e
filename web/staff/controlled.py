"""/staff/controlled/: the controlled-substance log's pages (SPEC.md section 12).

- ``/staff/controlled/``: the stock on the shelf (balance in mg and mL, sealed or opened, expired),
  today's count and any open count discrepancy, which a clinician resolves here with a note;
- ``receive/``: a receipt of vials; ``containers/<id>/waste/``: an expired or damaged vial wasted;
- ``infusions/<appointment id>/``: an infusion's draws, then its administration (the session
  record's dose given) and the witnessed waste of the rest, on one screen;
- ``count/``: the daily count by two staff (a blind count: the book's figures are not shown).

Nurses and clinicians write, the admin reads the stock; patients are refused (403). Every form
posts to its own address, calls one service (the API's), and on success sends the browser back
(Post/Redirect/Get) with the outcome in words; a refusal comes back on the page, the error summary
linking to the field the service named. The witness signs on the same screen with their own
password and code. No patient name in a title or an address; reads naming a patient are logged.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from clinical.services.alerts import alert_acknowledge
from controlled.rules import RESOLVER_ROLES, STOCK_READER_ROLES
from controlled.selectors import container_get, containers_open, count_status, infusion_ketamine, stock_on_hand
from controlled.services.counts import daily_count_record
from controlled.services.infusions import infusion_administration_record, infusion_draw
from controlled.services.stock import container_receive, container_waste
from controlled.witness import WitnessSignature
from core.access_log import log_patient_reads
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from core.roles import CARE_TEAM_ROLES
from scheduling.selectors import clinic_today, clinic_zone
from web.forms import form_add_domain_error
from web.staff.controlled_forms import (
    AdministrationForm,
    ContainerWasteForm,
    CountForm,
    DrawForm,
    ReceiveForm,
    ResolveForm,
    WitnessForm,
)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # role_required let only staff through
    return request.user


def _witness(request: HttpRequest, form: WitnessForm) -> WitnessSignature:
    data = form.cleaned_data
    return WitnessSignature(
        email=data["witness_email"], password=data["witness_password"], otp=data["witness_otp"], request=request
    )


def _refused(form: forms.Form, error: DomainError) -> None:
    """A service's refusal beside its field; a refusal by role or of a missing object as such."""
    if error.status_code == HTTPStatus.FORBIDDEN:
        raise PermissionDenied from error
    if error.status_code == HTTPStatus.NOT_FOUND:
        raise Http404 from error
    form_add_domain_error(form, error)


# -- the stock ---------------------------------------------------------------------------------------


def _stock_page(request: HttpRequest, *, failed: tuple[UUID, ResolveForm] | None = None) -> HttpResponse:
    today = clinic_today()
    status = count_status(day=today)
    resolving = _user(request).role in RESOLVER_ROLES
    discrepancies = [
        (alert, failed[1] if failed and failed[0] == alert.pk else ResolveForm(prefix=f"resolve-{alert.pk}"))
        for alert in status.open_discrepancies
    ]
    context: dict[str, Any] = {
        "rows": stock_on_hand(today=today),
        "status": status,
        "discrepancies": discrepancies,
        "resolving": resolving,
        "writer": _user(request).role in CARE_TEAM_ROLES,
        "failed_form": failed[1] if failed else None,
        "zone": clinic_zone(),
    }
    return render(request, "web/staff/controlled/stock.html", context, status=400 if failed else 200)


@require_GET
@role_required(*STOCK_READER_ROLES)
def controlled_stock(request: HttpRequest) -> HttpResponse:
    return _stock_page(request)


@require_POST
@role_required(*RESOLVER_ROLES)
def controlled_discrepancy_resolve(request: HttpRequest, alert_id: UUID) -> HttpResponse:
    """A clinician resolves a count discrepancy with a note (clinical's ``alert_acknowledge``)."""
    form = ResolveForm(request.POST, prefix=f"resolve-{alert_id}")
    if form.is_valid():
        try:
            alert_acknowledge(
                actor=_user(request),
                alert_id=alert_id,
                note=form.cleaned_data["note"],
                request_id=request_id_of(request),
            )
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, "Count discrepancy resolved.")
            return HttpResponseRedirect(reverse("staff-controlled") + "#discrepancies")
    return _stock_page(request, failed=(alert_id, form))


@require_http_methods(["GET", "POST"])
@role_required(*CARE_TEAM_ROLES)
def controlled_receive(request: HttpRequest) -> HttpResponse:
    form = ReceiveForm(request.POST or None, initial={"received_on": clinic_today()})
    if request.method == "POST" and form.is_valid():
        try:
            containers = container_receive(actor=_user(request), **form.cleaned_data)
        except DomainError as error:
            _refused(form, error)
        else:
            first = containers[0]
            messages.success(request, f"Received {len(containers)} of lot {first.lot} ({first.content_mg} mg each).")
            return HttpResponseRedirect(reverse("staff-controlled"))
    status = 400 if form.errors else 200
    return render(request, "web/staff/controlled/receive.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*CARE_TEAM_ROLES)
def controlled_container_waste(request: HttpRequest, container_id: UUID) -> HttpResponse:
    try:
        container = container_get(container_id=container_id)
    except DomainError as error:
        raise Http404 from error
    form = ContainerWasteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = container_waste(
                actor=_user(request),
                container_id=container.pk,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                witness=_witness(request, form),
            )
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Wasted {entry.quantity_mg} mg of lot {container.lot}, witnessed.")
            return HttpResponseRedirect(reverse("staff-controlled"))
    context = {"form": form, "container": container}
    return render(request, "web/staff/controlled/waste.html", context, status=400 if form.errors else 200)


# -- an infusion's ketamine ---------------------------------------------------------------------------


def _infusion_page(
    request: HttpRequest,
    appointment_id: UUID,
    *,
    draw_form: DrawForm | None = None,
    administration_form: AdministrationForm | None = None,
) -> HttpResponse:
    try:
        ketamine = infusion_ketamine(appointment_id=appointment_id)
    except DomainError as error:
        raise Http404 from error
    log_patient_reads(request, "staff-controlled-infusion", [ketamine.appointment.patient_id])
    today = clinic_today()
    usable = [row.container for row in stock_on_hand(today=today) if not row.expired]
    failed = draw_form if draw_form is not None and draw_form.errors else administration_form
    context = {
        "ketamine": ketamine,
        "appointment": ketamine.appointment,
        "zone": clinic_zone(),
        "draw_form": draw_form or DrawForm(prefix="draw", containers=usable),
        "administration_form": administration_form or AdministrationForm(prefix="administration"),
        "failed_form": failed if failed is not None and failed.errors else None,
    }
    status = 400 if context["failed_form"] is not None else 200
    return render(request, "web/staff/controlled/infusion.html", context, status=status)


def _infusion_url(appointment_id: UUID, anchor: str) -> str:
    return reverse("staff-controlled-infusion", args=[appointment_id]) + f"#{anchor}"


@require_GET
@role_required(*CARE_TEAM_ROLES)
def controlled_infusion(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    return _infusion_page(request, appointment_id)


@require_POST
@role_required(*CARE_TEAM_ROLES)
def controlled_infusion_draw(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    usable = [row.container for row in stock_on_hand(today=clinic_today()) if not row.expired]
    form = DrawForm(request.POST, prefix="draw", containers=usable)
    if form.is_valid():
        try:
            entry = infusion_draw(
                actor=_user(request),
                appointment_id=appointment_id,
                container_id=UUID(form.cleaned_data["container"]),
                mg=form.cleaned_data["mg"],
            )
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Draw recorded: {entry.quantity_mg} mg; {entry.balance_after_mg} mg left in it.")
            return HttpResponseRedirect(_infusion_url(appointment_id, "draws"))
    return _infusion_page(request, appointment_id, draw_form=form)


@require_POST
@role_required(*CARE_TEAM_ROLES)
def controlled_infusion_administration(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    form = AdministrationForm(request.POST, prefix="administration")
    if form.is_valid():
        try:
            done = infusion_administration_record(
                actor=_user(request), appointment_id=appointment_id, witness=_witness(request, form)
            )
        except DomainError as error:
            _refused(form, error)
        else:
            wasted = f"; {done.wasted_mg} mg wasted, witnessed" if done.wasted_mg else "; nothing to waste"
            messages.success(request, f"Administration recorded: {done.given_mg} mg given{wasted}.")
            return HttpResponseRedirect(_infusion_url(appointment_id, "administration"))
    return _infusion_page(request, appointment_id, administration_form=form)


# -- the daily count ----------------------------------------------------------------------------------


def _count_errors(form: CountForm, error: DomainError) -> None:
    """The service names an open container's mL as ``open_ml.<id>``; the form's field is ``ml_<id>``."""
    fields = {key.replace("open_ml.", "ml_"): value for key, value in error.fields.items() if key != "missing"}
    # A plain DomainError carries the renamed fields: a subclass may take other arguments
    # (AccountLocked takes only the time the lock ends).
    form_add_domain_error(
        form, DomainError(error.detail, code=error.code, fields=fields, status_code=error.status_code)
    )


@require_http_methods(["GET", "POST"])
@role_required(*CARE_TEAM_ROLES)
def controlled_count(request: HttpRequest) -> HttpResponse:
    form = CountForm(request.POST or None, open_containers=containers_open())
    if request.method == "POST" and form.is_valid():
        try:
            count = daily_count_record(
                actor=_user(request),
                containers_counted=form.cleaned_data["containers_counted"],
                open_ml=form.open_ml(),
                witness=_witness(request, form),
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            if error.status_code == HTTPStatus.FORBIDDEN:
                raise PermissionDenied from error
            _count_errors(form, error)
        else:
            if count.agrees:
                messages.success(request, "Count recorded: it agrees with the book.")
            else:
                messages.warning(request, "Count recorded: it does not agree with the book. A clinician is alerted.")
            return HttpResponseRedirect(reverse("staff-controlled") + "#count")
    context = {"form": form, "day": clinic_today()}
    return render(request, "web/staff/controlled/count.html", context, status=400 if form.errors else 200)
