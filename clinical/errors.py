from rest_framework import status

from core.errors import DomainError


class ClinicalError(DomainError):
    """A clinical record's rule says no (400 unless a subclass says otherwise)."""

    default_code = "invalid_evaluation"


class ClinicalConflictError(ClinicalError):
    """The record's state forbids the change (a signed evaluation, an active plan...)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "invalid_status"


class ClinicalPermissionError(ClinicalError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"
