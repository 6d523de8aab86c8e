"""/staff/reports/outcomes/: the outcome report of SPEC.md section 10 for clinicians and the
clinic admin, on the page and as CSV.

A GET form (the dates are no patient's data, so they may sit in the address, and a report is
bookmarkable): no dates shows the form with the last full calendar month filled in; dates show
the report's figures in tables; ``?format=csv`` with the same dates downloads the same figures
as the API's CSV (one renderer: ``clinical.api.outcome_serializers``). Who may read and the
range rules are the service's (``outcome_report_read``): a refusal is shown beside the date.
"""

from __future__ import annotations

from datetime import date, timedelta
from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import User
from clinical.api.outcome_serializers import OutcomeReportCsvRenderer, outcome_report_representation
from clinical.models import AdverseEventCode, Grade
from clinical.outcome_selectors import OutcomeReport
from clinical.services.outcomes import outcome_report_read
from core.errors import DomainError
from core.permissions import role_required
from core.roles import REPORT_READER_ROLES
from scheduling.selectors import clinic_zone
from web.forms import form_add_domain_error
from web.staff.forms import ReportRangeForm


def last_month(today: date) -> tuple[date, date]:
    """The last full calendar month before ``today``."""
    last_day = today.replace(day=1) - timedelta(days=1)
    return last_day.replace(day=1), last_day


def _event_rows(report: OutcomeReport) -> list[dict[str, object]]:
    """Adverse events as a code-by-grade table (every code that occurred, each grade), with the
    serious ones counted apart."""
    counts = {(row.code, row.grade): row.count for row in report.adverse_events}
    codes = [code for code in AdverseEventCode.values if any(key[0] == code for key in counts)]
    return [
        {
            "label": AdverseEventCode(code).label,
            "counts": [counts.get((code, grade), 0) for grade in Grade.values],
            "total": sum(counts.get((code, grade), 0) for grade in Grade.values),
            "serious": sum(row.serious for row in report.adverse_events if row.code == code),
        }
        for code in codes
    ]


@require_GET
@role_required(*REPORT_READER_ROLES)
def outcome_report_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # role_required let only clinicians and admins through
    zone = clinic_zone()
    asked = "date_from" in request.GET or "date_to" in request.GET
    if not asked:
        first, last = last_month(timezone.localdate(timezone=zone))
        form = ReportRangeForm(initial={"date_from": first, "date_to": last})
        return render(request, "web/staff/report_outcomes.html", {"form": form, "report": None, "zone": zone})
    form = ReportRangeForm(request.GET)
    report = None
    if form.is_valid():
        try:
            report = outcome_report_read(
                actor=user, date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"]
            )
        except DomainError as error:
            if error.status_code == HTTPStatus.FORBIDDEN:
                raise PermissionDenied from error
            form_add_domain_error(form, error)
    if report is not None and request.GET.get("format") == "csv":
        body = OutcomeReportCsvRenderer().render(outcome_report_representation(report))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        name = f"outcomes-{report.date_from.isoformat()}-{report.date_to.isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        "form": form,
        "report": report,
        "event_rows": _event_rows(report) if report else [],
        "grades": Grade.values,
        "zone": zone,
    }
    return render(request, "web/staff/report_outcomes.html", context, status=400 if form.errors else 200)
