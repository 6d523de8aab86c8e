"""One booking flow (book, move, cancel), written once and bound to two audiences: a patient for
themselves (web/urls.py) and booking staff for a patient (web/staff/urls.py). See audience.py."""

from web.booking_flow.book import ChooseTime, ConfirmBooking, ReviewBooking
from web.booking_flow.change import CancelAppointment, ChooseNewTime, ConfirmMove, ReviewMove

__all__ = [
    "CancelAppointment",
    "ChooseNewTime",
    "ChooseTime",
    "ConfirmBooking",
    "ConfirmMove",
    "ReviewBooking",
    "ReviewMove",
]
