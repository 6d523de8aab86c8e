"""The clinical record, one module per part; every model keeps its import path ``clinical.models``."""

from clinical.models.adverse_events import (
    AdverseEvent,
    AdverseEventAction,
    AdverseEventCode,
    Grade,
    Outcome,
    Relatedness,
)
from clinical.models.alerts import Alert, AlertAction, AlertKind
from clinical.models.evaluations import (
    ChildbearingPotential,
    ClinicalAccess,
    Contraindication,
    Decision,
    Evaluation,
    EvaluationAddendum,
    EvaluationStatus,
    MedicationClass,
    PlanStatus,
    Route,
    SubstanceUse,
    SuicideRiskLevel,
    TreatmentPlan,
)
from clinical.models.infusions import (
    ClinicThresholds,
    InfusionRecord,
    MedicationsReview,
    PredoseOverride,
    VitalsReading,
)
from clinical.models.questionnaires import Questionnaire, QuestionnaireKind

__all__ = [
    "AdverseEvent",
    "AdverseEventAction",
    "AdverseEventCode",
    "Alert",
    "AlertAction",
    "AlertKind",
    "ChildbearingPotential",
    "ClinicThresholds",
    "ClinicalAccess",
    "Contraindication",
    "Decision",
    "Evaluation",
    "EvaluationAddendum",
    "EvaluationStatus",
    "Grade",
    "InfusionRecord",
    "MedicationClass",
    "MedicationsReview",
    "Outcome",
    "PlanStatus",
    "PredoseOverride",
    "Questionnaire",
    "QuestionnaireKind",
    "Relatedness",
    "Route",
    "SubstanceUse",
    "SuicideRiskLevel",
    "TreatmentPlan",
    "VitalsReading",
]
