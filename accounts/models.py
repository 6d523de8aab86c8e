import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.roles import Role

EMAIL_TAKEN = "An account with this email already exists (emails are compared without regard to case)."


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """The one form an email is kept and looked up in (sign-up, sign-in, reset, the admin):
        trimmed and all lower-case, so a person has one account whatever they type."""
        return super().normalize_email((email or "").strip()).lower()

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("role", Role.ADMIN)
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in: patients and staff. The role decides what the API lets them do;
    ``is_staff`` only opens the Django admin."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True, error_messages={"unique": EMAIL_TAKEN})
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="The language of the pages and of every message the person gets.",
    )
    awaiting_confirmation = models.BooleanField(
        default=False,
        editable=False,
        help_text="Signed up and not yet confirmed by the emailed link (accounts.services.signup): "
        "inactive until then. A deactivated account is inactive without it.",
    )
    session_generation = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Raised to end every session and token of the account at once "
        "(accounts.services.access.user_access_end): page sessions and JWTs carry the value they began with.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            # With the unique email, one account per address whatever its case: the manager's
            # normalize_email (and clean(), for the admin's forms) keep it lower-case.
            models.CheckConstraint(condition=Q(email=Lower("email")), name="user_email_lower_case"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def clean(self) -> None:
        # Every model form (the Django admin's add and change forms) normalizes as sign-up does,
        # before the unique check compares it.
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django ends a page session whose stored hash no longer matches (as after a password
        # change); mixing in the generation lets "sign out everywhere" end them all at once too.
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT


class PatientProfile(models.Model):
    """What a patient gives at sign-up beyond their name and email."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="patient_profile")
    date_of_birth = models.DateField()
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +14155550123")
    search_text = models.TextField(
        blank=True,
        default="",
        editable=False,
        help_text="Name words, email, phone digits and date of birth, lower-case without accents "
        "(accounts.selectors.patient_search_text); written by the accounts service.",
    )

    def __str__(self) -> str:
        return f"Patient profile of {self.user_id}"
