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


class BookingBusyError(BookingConflictError):
    """A lock the booking needs stayed taken beyond the lock timeout (booking/locking.py).

    409 like the other lost races: nothing was written, and the same request may simply be sent
    again (SPEC.md section 8 allows a booking under load no error but a 409).
    """

    default_code = "resource_busy"
    default_detail = "The calendar is busy with another change; nothing was changed, please try again."


class BookingPermissionError(BookingError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"
