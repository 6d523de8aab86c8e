"""Sign-up that never tells whether an email has an account (SPEC.md section 11).

Every acceptable sign-up gets the same answer after about the same work (a password hash and one
email). A new email gets an inactive account and a link valid for 24 hours that activates it; an
email whose account still awaits its link gets that account restarted with the new details and a
fresh link (the earlier links stop working: whoever signed up first, only the mailbox's holder
decides the password); an email with an account gets nothing created and a note to its owner
(sign in, or reset the password). The link is a ``django.core.signing`` token (a TimestampSigner underneath, with its
own salt) naming the account, a fingerprint of its state (so it works once: activation changes
the state) and where the person was going. Opening it also takes the password chosen at that
sign-up: the newest link reaches the mailbox's holder even when someone else signed up last with
that address, and it must not start the other person's account (a wrong password counts as a
failed sign-in of the email, so the link's page guesses no better than the sign-in page).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from uuid import UUID

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.errors import AccountError
from accounts.models import PatientProfile, User
from accounts.selectors import patient_search_text
from accounts.services import patient_details_check, patient_register
from accounts.services.emails import account_email_send, language_offered, site_link
from accounts.services.signin import AccountLocked, account_locked_until, email_normalize, sign_in_failed

SIGNUP_LINK_AGE = timedelta(hours=24)
_SALT = "accounts.services.signup"
_UNUSABLE = "!"  # an unusable password: checking against it hashes once and matches nothing


@dataclass(frozen=True)
class SignupConfirmed:
    user: User
    next_path: str  # where the person was when they signed up ("" when nowhere in particular)


@dataclass(frozen=True)
class _Details:
    """What a sign-up chose: the account made, or restarted, holds exactly this."""

    password: str
    first_name: str
    last_name: str
    date_of_birth: date
    phone: str  # E.164
    language: str


def _state(user: User) -> str:
    # Changes when the account is activated (or its password changes): a used link stops working.
    value = f"{user.pk}:{user.password}:{user.is_active}:{user.awaiting_confirmation}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:32]


def signup_token_make(*, user: User, next_path: str = "") -> str:
    return signing.dumps({"u": str(user.pk), "s": _state(user), "n": next_path}, salt=_SALT, compress=True)


def _mail(*, user: User, template: str, context: dict[str, object]) -> None:
    context = {"first_name": user.first_name, **context}
    account_email_send(to=user.email, language=user.language, template=template, context=context)


def _confirm_link_send(*, user: User, next_path: str) -> None:
    token = signup_token_make(user=user, next_path=next_path)
    link = site_link(reverse("signup-confirm", kwargs={"token": token}))
    _mail(user=user, template="signup_confirm", context={"link": link, "hours": SIGNUP_LINK_AGE // timedelta(hours=1)})


def _owner_told(*, user: User) -> None:
    context: dict[str, object] = {
        "signin_link": site_link(reverse("signin")),
        "reset_link": site_link(reverse("password-reset")),
    }
    _mail(user=user, template="signup_known", context=context)


def _pending_restart(*, user_id: UUID, details: _Details) -> User | None:
    """An account still awaiting its link starts afresh with the details given now (whoever signed
    up before, only the mailbox's holder opens the link, and it activates what this sign-up chose);
    the links sent before stop working, as their fingerprint names the old password hash. None
    when the account was opened meanwhile."""
    with transaction.atomic():
        # Locked as signup_confirm locks it: an old link opened at this moment activates before or not at all.
        user = User.objects.select_for_update().filter(pk=user_id, awaiting_confirmation=True).first()
        if user is None:
            return None
        user.set_password(details.password)
        user.first_name, user.last_name, user.language = details.first_name, details.last_name, details.language
        user.date_joined = timezone.now()
        user.save(update_fields=["password", "first_name", "last_name", "language", "date_joined"])
        search_text = patient_search_text(
            first_name=details.first_name,
            last_name=details.last_name,
            email=user.email,
            phone=details.phone,
            date_of_birth=details.date_of_birth,
        )
        PatientProfile.objects.update_or_create(
            user=user,
            defaults={"date_of_birth": details.date_of_birth, "phone": details.phone, "search_text": search_text},
        )
    return user


def patient_signup(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    phone: str,
    language: str = "en",
    next_path: str = "",
    today: date | None = None,
) -> None:
    """Answer a sign-up the same way whether or not the email has an account: AccountError for
    unacceptable details (checked before the email is looked up); otherwise one email — a link to
    finish a new account (or to restart one still awaiting its link, with these details), or a
    note to the owner of an existing one — after one password hash, and nothing else to say."""
    email = email_normalize(email=email)
    phone = patient_details_check(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        phone=phone,
        today=today,
    )
    details = _Details(password, first_name, last_name, date_of_birth, phone, language_offered(language))
    existing = User.objects.filter(email=email).first()
    if existing is None:
        try:
            user = patient_register(email=email, today=today, awaiting_confirmation=True, **asdict(details))
        except AccountError as error:
            if error.code != "email_taken":
                raise
            # Another sign-up with this email won the race: this one restarts it or tells its owner.
            existing = User.objects.get(email=email)
        else:
            _confirm_link_send(user=user, next_path=next_path)
            return
    if existing.awaiting_confirmation:
        restarted = _pending_restart(user_id=existing.pk, details=details)
        if restarted is not None:
            _confirm_link_send(user=restarted, next_path=next_path)
            return
    else:
        make_password(password)  # the hashing a new account costs, so the time tells little
    _owner_told(user=existing)


def _link_invalid() -> AccountError:
    return AccountError(
        "This link is not valid: it was used already, it is older than 24 hours, or it was cut short.",
        code="invalid_link",
    )


def _link_read(token: str) -> tuple[str, str, str]:
    """The account id, state fingerprint and path a good link names; AccountError invalid_link otherwise."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=SIGNUP_LINK_AGE)
        return str(payload["u"]), str(payload["s"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise _link_invalid() from error


def _link_opens(user: User | None, state: str) -> bool:
    return user is not None and constant_time_compare(state, _state(user))


def signup_link_check(*, token: str) -> None:
    """AccountError invalid_link unless the link would start its account now. Only reads: the
    link's page asks for a button press before ``signup_confirm``."""
    user_id, state, _ = _link_read(token)
    if not _link_opens(User.objects.filter(pk=user_id, awaiting_confirmation=True).first(), state):
        raise _link_invalid()


def _password_mismatch() -> AccountError:
    return AccountError(
        "This link belongs to a different sign-up, or the password is not the one chosen with it. "
        "Sign up again to get a new link.",
        code="signup_password_mismatch",
        fields={"password": ["Not the password chosen with this link."]},
    )


def signup_confirm(*, request: HttpRequest, token: str, password: str) -> SignupConfirmed:
    """Activate the account a good link names (once, within 24 hours) when ``password`` is the one
    chosen at its sign-up. Refused: AccountError invalid_link; AccountLocked (429) after too many
    failures for the email; AccountError signup_password_mismatch, counted as a failed sign-in, the
    account still pending. One password hash whatever the answer."""
    try:
        user_id, state, next_path = _link_read(token)
    except AccountError:
        check_password(password, _UNUSABLE)  # hashes once all the same, so the time tells nothing
        raise
    with transaction.atomic():
        # Locked: two openings of one link at once activate it once.
        user = User.objects.select_for_update().filter(pk=user_id, awaiting_confirmation=True).first()
        opens = _link_opens(user, state)
        # Not user.check_password: it would save a rehashed password, which changes the link's state.
        matches = check_password(password, user.password if user is not None and opens else _UNUSABLE)
        retry_at = account_locked_until(email=user.email) if user is not None and opens else None
        if opens and matches and retry_at is None:
            assert user is not None
            user.is_active, user.awaiting_confirmation = True, False
            user.save(update_fields=["is_active", "awaiting_confirmation"])
    if user is None or not opens:
        raise _link_invalid()
    if retry_at is not None:
        raise AccountLocked(retry_at=retry_at)
    if not matches:
        sign_in_failed(request=request, email=user.email)  # after the transaction: the failure is kept
        raise _password_mismatch()
    AxesProxyHandler.reset_attempts(username=user.email)  # as a sign-in does
    return SignupConfirmed(user=user, next_path=next_path)
