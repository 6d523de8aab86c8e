"""/staff/controlled/report/ and /staff/controlled/inventory/: the controlled-substance log's
report for a range of clinic days and its inventory as of a day (SPEC.md section 12), for
clinicians and the clinic admin; on the page, as CSV (``?format=csv``) and as PDF
(``?format=pdf``), each written once in ``controlled.exports``.

GET forms (the dates are no patient's data; a report is bookmarkable): no dates shows the form
filled with the last full month (the report) or today (the inventory). The range rules are the
selector's (``controlled_report``), shown beside the date. The report names the patients given
ketamine: its read is put in the access log, whatever the format.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from controlled.exports import inventory_csv, inventory_pdf, report_csv, report_pdf
from controlled.report import Report, controlled_inventory, controlled_report
from core.access_log import log_patient_reads
from core.errors import DomainError
from core.permissions import role_required
from core.roles import REPORT_READER_ROLES
from scheduling.models import Clinic
from scheduling.selectors import clinic_today, clinic_zone
from web.forms import form_add_domain_error
from web.staff.controlled_forms import InventoryDayForm
from web.staff.forms import ReportRangeForm
from web.staff.reports import last_month


def _download(body: str | bytes, *, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _clinic_name() -> str:
    clinic = Clinic.objects.only("name").order_by("pk").first()
    return clinic.name if clinic else "Clinic"


@require_GET
@role_required(*REPORT_READER_ROLES)
def controlled_report_page(request: HttpRequest) -> HttpResponse:
    zone = clinic_zone()
    if "date_from" not in request.GET and "date_to" not in request.GET:
        first, last = last_month(clinic_today())
        form = ReportRangeForm(initial={"date_from": first, "date_to": last})
        return render(request, "web/staff/controlled/report.html", {"form": form, "report": None, "zone": zone})
    form = ReportRangeForm(request.GET)
    report: Report | None = None
    if form.is_valid():
        try:
            report = controlled_report(date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"])
        except DomainError as error:
            form_add_domain_error(form, error)
    if report is not None:
        log_patient_reads(request, "staff-controlled-report", report.patient_ids)
        name = f"controlled-log-{report.date_from.isoformat()}-{report.date_to.isoformat()}"
        wanted = request.GET.get("format")
        if wanted == "csv":
            return _download(report_csv(report, zone), content_type="text/csv; charset=utf-8", name=f"{name}.csv")
        if wanted == "pdf":
            pdf = report_pdf(report, zone, clinic=_clinic_name())
            return _download(pdf, content_type="application/pdf", name=f"{name}.pdf")
    context: dict[str, Any] = {"form": form, "report": report, "zone": zone}
    return render(request, "web/staff/controlled/report.html", context, status=400 if form.errors else 200)


@require_GET
@role_required(*REPORT_READER_ROLES)
def controlled_inventory_page(request: HttpRequest) -> HttpResponse:
    zone = clinic_zone()
    form = InventoryDayForm(request.GET if "date" in request.GET else None, initial={"date": clinic_today()})
    on: date | None = form.cleaned_data["date"] if form.is_bound and form.is_valid() else None
    inventory = controlled_inventory(on=on) if on is not None else None
    if inventory is not None:
        name = f"controlled-inventory-{inventory.on.isoformat()}"
        wanted = request.GET.get("format")
        if wanted == "csv":
            return _download(inventory_csv(inventory, zone), content_type="text/csv; charset=utf-8", name=f"{name}.csv")
        if wanted == "pdf":
            pdf = inventory_pdf(inventory, zone, clinic=_clinic_name())
            return _download(pdf, content_type="application/pdf", name=f"{name}.pdf")
    context: dict[str, Any] = {"form": form, "inventory": inventory, "zone": zone}
    return render(request, "web/staff/controlled/inventory.html", context, status=400 if form.errors else 200)
