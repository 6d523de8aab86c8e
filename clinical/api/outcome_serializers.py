"""Output of outcomes: one plan's PHQ-9 course (for the chart: totals by session), and the
outcome report, as JSON or as CSV (``OutcomeReportCsvRenderer``: one figure a row)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

from clinical.models import AdverseEventCode, Grade
from clinical.outcome_selectors import OutcomeReport, PlanOutcome
from core.api_fields import CalendarDateField, StrictCharField


def _percent_field(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=7, decimal_places=1, coerce_to_string=False, allow_null=True, help_text=help_text
    )


class SessionScoresSerializer(serializers.Serializer):
    session = serializers.IntegerField(min_value=1, help_text="The infusion's number in the plan.")
    appointment = serializers.UUIDField()
    starts_at = serializers.DateTimeField()
    phq9_total = serializers.IntegerField(allow_null=True, min_value=0, max_value=27)
    gad7_total = serializers.IntegerField(allow_null=True, min_value=0, max_value=21)


class PlanOutcomeSerializer(serializers.Serializer):
    plan = serializers.UUIDField()
    baseline_phq9 = serializers.IntegerField(
        allow_null=True,
        help_text="The last PHQ-9 answered before the plan's first infusion was given; the evaluation's total "
        "when there is none.",
    )
    baseline_source = serializers.ChoiceField(
        choices=[("check_in", "A check-in before the first infusion"), ("evaluation", "The evaluation")],
        allow_null=True,
    )
    latest_phq9 = serializers.IntegerField(
        allow_null=True, help_text="The last PHQ-9 answered after the first infusion was given; none before."
    )
    change_percent = _percent_field("(latest - baseline) / baseline, in percent; negative is better.")
    response = serializers.BooleanField(allow_null=True, help_text="Latest at least 50% below the baseline.")
    remission = serializers.BooleanField(
        allow_null=True, help_text="Latest below 5; none without a latest or when not applicable."
    )
    remission_applicable = serializers.BooleanField(help_text="A baseline of 10 or more.")
    sessions = SessionScoresSerializer(many=True, help_text="Sessions with an answer, for the chart.")


def plan_outcome_representation(outcome: PlanOutcome) -> dict[str, Any]:
    return PlanOutcomeSerializer(
        {
            "plan": outcome.plan_id,
            "baseline_phq9": outcome.baseline_phq9,
            "baseline_source": outcome.baseline_source,
            "latest_phq9": outcome.latest_phq9,
            "change_percent": outcome.change_percent,
            "response": outcome.response,
            "remission": outcome.remission,
            "remission_applicable": outcome.remission_applicable,
            "sessions": [
                {
                    "session": s.session,
                    "appointment": s.appointment_id,
                    "starts_at": s.starts_at,
                    "phq9_total": s.phq9_total,
                    "gad7_total": s.gad7_total,
                }
                for s in outcome.sessions
            ],
        }
    ).data


class ReportQuerySerializer(serializers.Serializer):
    date_from = CalendarDateField(help_text="The first clinic-local date.")
    date_to = CalendarDateField(help_text="The last clinic-local date: on or after date_from, a year at most.")


class AdverseEventCountSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=AdverseEventCode.choices)
    grade = serializers.ChoiceField(choices=Grade.choices, help_text="CTCAE v5.0 grade, 1 to 5.")
    count = serializers.IntegerField(min_value=1)
    serious = serializers.IntegerField(min_value=0, help_text="Of them, those marked serious.")


class OutcomeReportSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    time_zone = StrictCharField()
    plans_started = serializers.IntegerField(min_value=0)
    series_completed = serializers.IntegerField(min_value=0)
    completed_infusions = serializers.IntegerField(min_value=0)
    patients_with_enough_infusions = serializers.IntegerField(min_value=0, help_text="At least 4 completed.")
    responders = serializers.IntegerField(min_value=0)
    response_measured = serializers.IntegerField(min_value=0)
    response_rate_percent = _percent_field("responders / response_measured.")
    remitters = serializers.IntegerField(min_value=0)
    remission_measured = serializers.IntegerField(min_value=0)
    remission_rate_percent = _percent_field("remitters / remission_measured.")
    adverse_events = AdverseEventCountSerializer(many=True)
    blood_pressure_alerts = serializers.IntegerField(min_value=0)
    blood_pressure_alerts_per_100_infusions = _percent_field("Per 100 completed infusions.")


def outcome_report_representation(report: OutcomeReport) -> dict[str, Any]:
    return OutcomeReportSerializer(asdict(report)).data


class OutcomeReportCsvRenderer(BaseRenderer):
    """The report as CSV, one figure a row (``figure,value``); adverse events as
    ``adverse_events.<code>.grade_<grade>`` and ``...grade_<grade>.serious`` (how many of them
    were serious). An empty value is a rate with nobody to count."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["figure", "value"])
        for name, value in data.items():
            if name == "adverse_events":
                for row in value:
                    figure = f"adverse_events.{row['code']}.grade_{row['grade']}"
                    writer.writerow([figure, row["count"]])
                    writer.writerow([f"{figure}.serious", row["serious"]])
            else:
                writer.writerow([name, "" if value is None else value])
        return out.getvalue().encode(self.charset)
