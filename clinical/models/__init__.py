"""The clinical record, one module per part; every model keeps its import path ``clinical.models``."""

from clinical.models.alerts import Alert, AlertAction, AlertKind
from clinical.models.evaluations import (
    ClinicalAccess,
    Contraindication,
    Decision,
    Evaluation,
    EvaluationAddendum,
    EvaluationStatus,
    PlanStatus,
    Route,
    SubstanceUse,
    TreatmentPlan,
)
from clinical.models.infusions import (
    AdverseEvent,
    AdverseEventCode,
    ClinicThresholds,
    InfusionRecord,
    Severity,
    VitalsReading,
)
from clinical.models.questionnaires import Questionnaire, QuestionnaireKind

__all__ = [
    "AdverseEvent",
    "AdverseEventCode",
    "Alert",
    "AlertAction",
    "AlertKind",
    "ClinicThresholds",
    "ClinicalAccess",
    "Contraindication",
    "Decision",
    "Evaluation",
    "EvaluationAddendum",
    "EvaluationStatus",
    "InfusionRecord",
    "PlanStatus",
    "Questionnaire",
    "QuestionnaireKind",
    "Route",
    "Severity",
    "SubstanceUse",
    "TreatmentPlan",
    "VitalsReading",
]
