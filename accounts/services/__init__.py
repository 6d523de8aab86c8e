from datetime import date
from uuid import UUID

import phonenumbers
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.errors import AccountError
from accounts.models import PatientProfile, User
from accounts.selectors import patient_search_text
from core.roles import Role
from scheduling.selectors import clinic_today


def phone_normalize(*, phone: str, region: str = "US") -> str:
    """A valid phone number in E.164 form, or an AccountError."""
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException as error:
        raise AccountError(
            "This is not a phone number.", code="invalid_phone", fields={"phone": [str(error)]}
        ) from error
    if not phonenumbers.is_valid_number(parsed):
        raise AccountError(
            "This phone number is not valid.", code="invalid_phone", fields={"phone": ["Not a valid number."]}
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# The code each refused detail answers with (the API's `code` is the first refused detail's).
DETAIL_CODES = {"date_of_birth": "invalid_date_of_birth", "phone": "invalid_phone", "password": "weak_password"}
_DETAIL_SENTENCES = {
    "date_of_birth": "The date of birth must lie in the past.",
    "phone": "This phone number is not valid.",
    "password": "The password is too weak.",
}


def patient_details_problems(
    *,
    email: str,
    password: str | None,
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    phone: str | None,
    today: date | None = None,
) -> dict[str, list[str]]:
    """Every refused detail of a sign-up at once, by field (empty when all are acceptable). A
    detail given as None (the form could not read it) is not checked: its own error is shown."""
    problems: dict[str, list[str]] = {}
    if date_of_birth is not None and date_of_birth >= (today or clinic_today()):
        problems["date_of_birth"] = ["Must lie in the past."]
    if phone is not None:
        try:
            phone_normalize(phone=phone)
        except AccountError as error:
            problems["phone"] = error.fields["phone"]
    if password is not None:
        candidate = User(email=email, first_name=first_name, last_name=last_name, role=Role.PATIENT)
        try:
            validate_password(password, user=candidate)
        except ValidationError as error:
            problems["password"] = list(error.messages)
    return problems


def patient_details_check(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    phone: str,
    today: date | None = None,
) -> str:
    """The phone in E.164 form when a sign-up's details are acceptable (whether or not the email
    has an account: sign-up must not tell); otherwise one AccountError naming every refused
    detail in ``fields``."""
    email = User.objects.normalize_email(email)
    details = {"email": email, "password": password, "first_name": first_name, "last_name": last_name}
    problems = patient_details_problems(**details, date_of_birth=date_of_birth, phone=phone, today=today)
    if problems:
        first = next(iter(problems))
        raise AccountError(_DETAIL_SENTENCES[first], code=DETAIL_CODES[first], fields=problems)
    return phone_normalize(phone=phone)


def patient_register(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    phone: str,
    today: date | None = None,
    language: str = "en",
    awaiting_confirmation: bool = False,
) -> User:
    """Create a patient account with its profile, or raise an AccountError and create nothing.
    ``awaiting_confirmation``: inactive until its emailed link is opened (accounts.services.signup);
    accounts made for a patient by others are active at once."""
    email = User.objects.normalize_email(email)
    normalized_phone = patient_details_check(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        phone=phone,
        today=today,
    )
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                role=Role.PATIENT,
                language=language,
                is_active=not awaiting_confirmation,
                awaiting_confirmation=awaiting_confirmation,
            )
            search_text = patient_search_text(
                first_name=first_name,
                last_name=last_name,
                email=email,
                phone=normalized_phone,
                date_of_birth=date_of_birth,
            )
            PatientProfile.objects.create(
                user=user, date_of_birth=date_of_birth, phone=normalized_phone, search_text=search_text
            )
    except IntegrityError as error:
        # The unique email constraint decides races between two sign-ups with one address.
        raise AccountError(
            "An account with this email already exists.",
            code="email_taken",
            fields={"email": ["Already registered."]},
            status_code=409,
        ) from error
    return user


def user_set_language(*, user_id: UUID, language: str) -> None:
    """The language of someone's pages and messages (one of settings.LANGUAGES)."""
    if language not in dict(settings.LANGUAGES):
        raise AccountError("This language is not offered.", code="unknown_language", fields={"language": ["Unknown."]})
    User.objects.filter(pk=user_id).update(language=language)


def patient_search_text_refresh(*, user_id: UUID) -> None:
    """Rewrite a patient's search column from their current name, email, phone and date of birth
    (for any writer of those other than ``patient_register``: the Django admin, the demo seed)."""
    profile = PatientProfile.objects.select_related("user").filter(user_id=user_id).first()
    if profile is None:
        return
    user = profile.user
    PatientProfile.objects.filter(pk=profile.pk).update(
        search_text=patient_search_text(
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            phone=profile.phone,
            date_of_birth=profile.date_of_birth,
        )
    )
