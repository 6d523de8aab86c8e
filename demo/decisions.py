"""The clinician's decisions in the demo history, between and after the infusions, written through
the services with the clock they would have had:

- a dose order in James's series: after two infusions with little change (PHQ-9 21, 20, 18) and
  no trouble, 0.75 mg/kg for the remaining infusions instead of the plan's 0.5. Source: Andrade C,
  "Ketamine for Depression, 4: In What Dose, at What Rate, by What Route, for How Long, and at What
  Frequency?", J Clin Psychiatry 2017;78(7):e852-e857 (0.5 mg/kg is the usual dose; some patients
  need up to 0.75 mg/kg);
- the letter to the referring psychiatrist after Linda's completed series (her agreement is on
  her evaluation: ``demo.steps.REFERRING_PROVIDER``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from accounts.models import User
from clinical.dose_order_rules import DoseOrderScope
from clinical.models import Evaluation, LetterKind, PlanStatus, TreatmentPlan
from clinical.services.dose_orders import DoseOrderTerms, dose_order_create
from clinical.services.letters import letter_write

TITRATED_MG_PER_KG = Decimal("0.75")
SERIES_RECOMMENDATIONS = (
    "Six infusions completed; her PHQ-9 came down from 19 to 4. We suggest reviewing her at your "
    "next appointment; we can see her again should her symptoms return."
)


def dose_order_titrate(patient: User, clinician: User, *, at: datetime) -> None:
    """A new mg/kg for the infusions of the patient's active plan not yet started."""
    plan = TreatmentPlan.objects.get(patient=patient, status=PlanStatus.ACTIVE)
    dose_order_create(
        actor=clinician,
        plan_id=plan.pk,
        terms=DoseOrderTerms(
            scope=DoseOrderScope.REMAINING,
            dose_mg_per_kg=TITRATED_MG_PER_KG,
            reason="Little change after two infusions at 0.5 mg/kg, well tolerated: 0.75 mg/kg from the next.",
        ),
        now=at,
    )


def series_letter_write(patient: User, clinician: User, *, at: datetime) -> None:
    """The letter to the referring provider after the patient's completed series."""
    evaluation = Evaluation.objects.get(patient=patient, plan__isnull=False)
    letter_write(
        actor=clinician,
        evaluation_id=evaluation.pk,
        kind=LetterKind.SERIES,
        recommendations=SERIES_RECOMMENDATIONS,
        now=at,
    )
