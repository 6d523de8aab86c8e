"""The forms of the regulated record's staff page (``web/staff/regulated.py``): a pregnancy test,
the medication review at check-in, a paper consent on file. The services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from clinical.models import MedicationClass, MedicationsReview, PregnancyResult
from clinical.services.medications import ALLERGIES_MAX
from web.forms import PageForm

LINE_HELP = "One medicine a line: name; dose; how often; class (" + ", ".join(MedicationClass.values) + ")."


class PregnancyTestForm(PageForm):
    result = forms.ChoiceField(
        label="Result", choices=PregnancyResult.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose negative or positive."},
    )  # fmt: skip
    taken_on = forms.DateField(
        label="Day of the test", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the day of the test.", "invalid": "Enter a date like 2026-12-07."},
    )  # fmt: skip


def medication_lines(text: str) -> tuple[list[dict[str, str]], list[int]]:
    """The textarea's lines as the evaluation's medication entries, and the numbers of lines that
    are not four parts (the service checks each value)."""
    medications, bad = [], []
    for number, line in enumerate((row for row in text.splitlines() if row.strip()), start=1):
        parts = [part.strip() for part in line.split(";")]
        if len(parts) != len(("name", "dose", "frequency", "drug_class")):
            bad.append(number)
            continue
        name, dose, frequency, drug_class = parts
        medications.append({"name": name, "dose": dose, "frequency": frequency, "drug_class": drug_class.lower()})
    return medications, bad


class MedicationsForm(PageForm):
    review = forms.ChoiceField(
        label="Medication list reviewed with the patient", choices=MedicationsReview.choices,
        widget=forms.RadioSelect, error_messages={"required": "Choose whether the list is unchanged or was updated."},
    )  # fmt: skip
    medications = forms.CharField(
        label="Updated list", required=False, help_text=LINE_HELP, widget=forms.Textarea(attrs={"rows": 4})
    )
    allergies = forms.CharField(
        label="Allergies (updated)", required=False, max_length=ALLERGIES_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    allergies_none_known = forms.BooleanField(label="No known allergies", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        medications, bad = medication_lines(data.get("medications") or "")
        if bad:
            self.add_error("medications", f"Line {', '.join(map(str, bad))}: give name; dose; how often; class.")
        data["medication_list"] = medications
        return data


class PaperConsentForm(PageForm):
    signed_on = forms.DateField(
        label="Day written on the signed copy", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the day on the signed copy.", "invalid": "Enter a date like 2026-12-07."},
    )  # fmt: skip
    language = forms.ChoiceField(label="Language of the signed copy", choices=settings.LANGUAGES)
