from rest_framework import status

from core.errors import DomainError


class BookingError(DomainError):
    """A booking request breaks a rule (400 unless a subclass says otherwise)."""

    default_code = "booking_refused"


class BookingConflictError(BookingError):
    """The request is fine but the calendar or the appointment's state says no (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "slot_unavailable"
    default_detail = "This time is no longer available."


class BookingPermissionError(BookingError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"
