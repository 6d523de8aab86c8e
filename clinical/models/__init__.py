"""The clinical record, one module per part; every model keeps its import path ``clinical.models``."""

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
    AdverseEvent,
    AdverseEventCode,
    ClinicThresholds,
    InfusionRecord,
    MedicationsReview,
    PredoseOverride,
    Severity,
    VitalsReading,
)
from clinical.models.questionnaires import Difficulty, Questionnaire, QuestionnaireKind

__all__ = [
    "AdverseEvent",
    "AdverseEventCode",
    "Alert",
    "AlertAction",
    "AlertKind",
    "ChildbearingPotential",
    "ClinicThresholds",
    "ClinicalAccess",
    "Contraindication",
    "Decision",
    "Difficulty",
    "Evaluation",
    "EvaluationAddendum",
    "EvaluationStatus",
    "InfusionRecord",
    "MedicationClass",
    "MedicationsReview",
    "PlanStatus",
    "PredoseOverride",
    "Questionnaire",
    "QuestionnaireKind",
    "Route",
    "Severity",
    "SubstanceUse",
    "SuicideRiskLevel",
    "TreatmentPlan",
    "VitalsReading",
]
