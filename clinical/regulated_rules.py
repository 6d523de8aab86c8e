"""The regulated record's rules (SPEC.md section 12), pure functions without the database.

- Consent: a document version applies to visits on or after its effective day; the current one
  for a day is the highest version already effective that day. A signature of that version, or of
  a later one, covers the visit (a later version restates the consent).
- Pregnancy tests: needed at every infusion when the evaluation says childbearing potential
  ``yes`` or ``unknown`` (not recorded counts as unknown); a test counts for an infusion when it
  was taken on the infusion's day or up to 7 days before (7 counts, 8 does not). Among the tests
  that count, the latest decides (a positive one refuses the start).
- Medications at check-in: what each class means for a ketamine infusion.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal

from django.utils.translation import gettext_lazy as _

from clinical.evaluation_rules import childbearing_potential_of
from clinical.models.evaluations import ChildbearingPotential, MedicationClass

PREGNANCY_TEST_VALID_DAYS = 7
PregnancyStatus = Literal["satisfied", "missing", "positive"]
CONSENT_TYPED_NAME_MAX = 200


def consent_version_current(documents: Iterable[tuple[int, date]], *, day: date) -> int | None:
    """The version (of ``(version, effective_on)`` pairs of one kind) that applies on ``day``."""
    effective = [version for version, effective_on in documents if effective_on <= day]
    return max(effective) if effective else None


def consent_covers(signed_versions: Iterable[int], *, current_version: int | None) -> bool:
    """Whether a signature covers a visit whose current version is ``current_version`` (none
    published: nothing covers it, so an infusion never starts without a consent to sign)."""
    if current_version is None:
        return False
    return any(version >= current_version for version in signed_versions)


def typed_name_matches(typed: str, *, first_name: str, last_name: str) -> bool:
    """The typed full name is the account's first and last name (case and spaces aside)."""

    def plain(text: str) -> str:
        return " ".join(text.split()).casefold()

    return plain(typed) == plain(f"{first_name} {last_name}")


def pregnancy_test_required(childbearing_potential: str) -> bool:
    return childbearing_potential_of(childbearing_potential) in (
        ChildbearingPotential.YES,
        ChildbearingPotential.UNKNOWN,
    )


def pregnancy_test_counts(*, taken_on: date, infusion_day: date) -> bool:
    return 0 <= (infusion_day - taken_on).days <= PREGNANCY_TEST_VALID_DAYS


def pregnancy_status(tests: Iterable[tuple[date, str]], *, infusion_day: date) -> PregnancyStatus:
    """``(taken_on, result)`` pairs, latest recorded last: the latest test that counts decides."""
    counting = [
        (taken_on, result)
        for taken_on, result in tests
        if pregnancy_test_counts(taken_on=taken_on, infusion_day=infusion_day)
    ]
    if not counting:
        return "missing"
    latest_day = max(taken_on for taken_on, _result in counting)
    latest = [result for taken_on, result in counting if taken_on == latest_day][-1]
    return "positive" if latest == "positive" else "satisfied"


# What each class means in the chair. Sources (found with the search tool):
# - benzodiazepines, lamotrigine: Veraart et al., "Pharmacodynamic interactions between ketamine
#   and psychiatric medications used in the treatment of depression: a systematic review" (2021):
#   benzodiazepines and probably lamotrigine reduce ketamine's treatment outcome; Andrade, J Clin
#   Psychiatry 2017 ("Ketamine for Depression, 5"): benzodiazepines may diminish the response.
# - stimulants, MAOIs: the Ketalar prescribing summary (PDR): ketamine's sympathomimetic effect
#   raises blood pressure and heart rate; stimulants add to it. For the MAOI tranylcypromine the
#   same review found case reports without relevant changes in vital signs: the words ask to
#   watch the pressure, not to refuse.
# - opioids: Ketalar's label as drugs.com cites it: ketamine with opioid analgesics or other CNS
#   depressants may cause profound sedation and respiratory depression.
MEDICATION_CLASS_MEANINGS = {
    MedicationClass.BENZODIAZEPINE: _("May blunt the response to ketamine."),
    MedicationClass.LAMOTRIGINE: _("May blunt the response to ketamine."),
    MedicationClass.MAOI: _("Blood pressure: ketamine raises it; watch the readings."),
    MedicationClass.STIMULANT: _("Blood pressure: ketamine raises it; watch the readings."),
    MedicationClass.OPIOID: _("Breathing: sedation and slowed breathing together with ketamine; watch SpO2."),
}


def medication_class_meaning(drug_class: str) -> str:
    """What a class means here ("" for a class with nothing to say)."""
    meaning = MEDICATION_CLASS_MEANINGS.get(drug_class)  # type: ignore[call-overload]
    return str(meaning) if meaning is not None else ""
