from core.errors import DomainError


class AccountError(DomainError):
    default_code = "invalid_account"
