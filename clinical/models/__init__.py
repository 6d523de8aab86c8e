"""The clinical record, one module per part; every model keeps its import path ``clinical.models``."""

from clinical.models.adverse_events import (
    AdverseEvent,
    AdverseEventAction,
    AdverseEventCode,
    Grade,
    Outcome,
    Relatedness,
)
from clinical.models.aftercare import FollowUpCall, ScaleAssessment
from clinical.models.alerts import Alert, AlertAction, AlertKind
from clinical.models.dose_orders import DoseOrder, DoseOrderCosignature
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
from clinical.models.letters import Letter, LetterKind
from clinical.models.questionnaires import Difficulty, Questionnaire, QuestionnaireKind
from clinical.models.regulated import (
    ConsentDocument,
    ConsentKind,
    ConsentMethod,
    MedicationListVersion,
    PatientConsent,
    PregnancyResult,
    PregnancyTest,
)

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
    "ConsentDocument",
    "ConsentKind",
    "ConsentMethod",
    "Contraindication",
    "Decision",
    "Difficulty",
    "DoseOrder",
    "DoseOrderCosignature",
    "Evaluation",
    "EvaluationAddendum",
    "EvaluationStatus",
    "FollowUpCall",
    "Grade",
    "InfusionRecord",
    "Letter",
    "LetterKind",
    "MedicationClass",
    "MedicationListVersion",
    "MedicationsReview",
    "Outcome",
    "PatientConsent",
    "PlanStatus",
    "PredoseOverride",
    "PregnancyResult",
    "PregnancyTest",
    "Questionnaire",
    "QuestionnaireKind",
    "Relatedness",
    "Route",
    "ScaleAssessment",
    "SubstanceUse",
    "SuicideRiskLevel",
    "TreatmentPlan",
    "VitalsReading",
]
