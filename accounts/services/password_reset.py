"""Password reset by an emailed one-time link valid for one hour (SPEC.md section 11).

Django's PasswordResetTokenGenerator signs the link with the account's password hash and last
sign-in, so it stops working once used (the password changes) and after PASSWORD_RESET_TIMEOUT.
Asking answers the same whether or not the email has an account, after the same work: one email
either way (as sign-up does), the link to an account's owner or a note to any other address.
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.errors import AccountError
from accounts.models import User
from accounts.services.access import user_password_set
from accounts.services.emails import account_email_send, site_link
from accounts.services.signin import email_normalize


def password_reset_request(*, email: str, language: str = "en") -> None:
    """Email a reset link to the active account with this email, in the account's language; to
    any other address, a note in ``language`` (the request's) that no account that can sign in
    uses it. The same work either way (one query, one email rendered and sent, no password hash),
    so neither the answer nor its time tells whether the email has an account."""
    email = email_normalize(email=email)
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        default_token_generator.make_token(User(email=email))  # the token a link costs, so the time tells little
        context: dict[str, object] = {"signup_link": site_link(reverse("signup"))}
        account_email_send(to=email, language=language, template="password_reset_unknown", context=context)
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = site_link(reverse("password-reset-confirm", kwargs={"uidb64": uid, "token": token}))
    context = {"first_name": user.first_name, "link": link, "minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
    account_email_send(to=user.email, language=user.language, template="password_reset", context=context)


def password_reset_user(*, uidb64: str, token: str) -> User:
    """The account a reset link is for, while the link is good; AccountError invalid_link otherwise."""
    try:
        user_id = UUID(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError):
        user = None
    else:
        user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise AccountError(
            "This reset link is not valid: it was used already, it is older than an hour, or it was cut short.",
            code="invalid_link",
        )
    return user


def password_reset_confirm(*, uidb64: str, token: str, new_password: str) -> User:
    """Set the new password through a good link; the link then stops working and every session
    and token of the account ends."""
    user = password_reset_user(uidb64=uidb64, token=token)
    user_password_set(user=user, password=new_password)
    return user
