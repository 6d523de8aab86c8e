from rest_framework import status

from core.errors import DomainError


class ControlledError(DomainError):
    """A rule of the controlled-substance log says no (400 unless a subclass says otherwise)."""

    default_code = "controlled_refused"


class ControlledConflictError(ControlledError):
    """The stock or the record's state forbids it now (409): too little left, already recorded."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "invalid_status"


class ControlledPermissionError(ControlledError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"


class ControlledNotFoundError(ControlledError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"
