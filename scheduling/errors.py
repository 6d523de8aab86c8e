from core.errors import DomainError


class AvailabilityError(DomainError):
    default_code = "invalid_search"


class OpeningError(DomainError):
    default_code = "invalid_opening"
