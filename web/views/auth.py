"""Signing in (password, then the second factor where one is required), signing out (here or
everywhere), the password reset and the account's security page. Django
sessions; the API keeps JWT. Every rule is accounts' services'; these views ask and show.

Between the password and the code the session holds only who is signing in and since when
(``PENDING``): nobody is signed in, no page of the account opens, until the code passes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from rest_framework.throttling import SimpleRateThrottle

from accounts.errors import AccountError
from accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from accounts.models import User
from accounts.services.access import user_access_end, user_password_change, user_signed_out
from accounts.services.password_reset import password_reset_confirm, password_reset_request, password_reset_user
from accounts.services.second_factor import (
    SecondFactorError,
    recovery_codes_replace,
    second_factor_disable,
    second_factor_enabled,
    second_factor_required,
    second_factor_verify,
    totp_device_pending,
    totp_enrol_confirm,
    totp_qr_svg,
    totp_secret_base32,
)
from accounts.services.signin import (
    AccountLocked,
    InvalidCredentials,
    account_locked_until,
    password_check,
    sign_in_failed,
)
from core.roles import Role
from scheduling.selectors import clinic_zone
from web import timefmt
from web.auth_forms import (
    CodeForm,
    EnrolCodeForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordResetForm,
    SignInForm,
)
from web.views.dev_mail import dev_mailbox_on
from web.views.public import remember_language, safe_next

# The service's refusals in the reader's words (the API answers the same codes).
SIGN_UP_MESSAGES = {
    "invalid_phone": _("Enter a phone number we can call, for example (415) 555-0123."),
    "invalid_date_of_birth": _("The date of birth must be in the past."),
    "weak_password": _("Choose a stronger password: at least 8 characters, not only numbers, not a common one."),
}
WRONG_LOGIN = _("The email or the password is not right. Check both and try again.")
WRONG_CODE = _("The code is not right, or it was used already. Type the code your app shows now.")
WEAK_PASSWORD = SIGN_UP_MESSAGES["weak_password"]
RECOVERY_CODES = "recovery_codes_to_show"  # shown once, on the page after enrolment
LOCKED = "account_locked"  # the code of a form error that says the account is locked
PENDING = "signin_pending"  # {"user": id, "at": epoch seconds, "next": path} between password and code


class AddressThrottle(SimpleRateThrottle):
    """Sign-in, sign-up and reset pages per address, at the API's "auth" rate (THROTTLE_AUTH)."""

    scope = "auth"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": "pages-auth", "ident": self.get_ident(request)}


def address_throttled(request: HttpRequest) -> bool:
    # DRF's throttle reads only the address and the clock of the request: a page's request will do.
    return not AddressThrottle().allow_request(request, None)  # type: ignore[arg-type]


def _landing(user: User) -> str:
    return reverse("account") if user.role == Role.PATIENT else reverse("staff-home")


def locked_message(locked: AccountLocked) -> str:
    zone = clinic_zone()
    return gettext("Too many tries. For your safety this account is locked. Try again after %(time)s.") % {
        "time": timefmt.clock_label(locked.retry_at, zone) + " " + timefmt.zone_name(zone)
    }


def signed_in(request: HttpRequest, user: User, *, next_url: str, device: Any = None) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)  # the session has passed the second factor (user.is_verified())
    request.session[SIGNED_IN_AT] = request.session[LAST_SEEN_AT] = int(timezone.now().timestamp())
    response = HttpResponseRedirect(next_url or _landing(user))
    return remember_language(response, user.language)


def _pending_user(request: HttpRequest) -> tuple[User, str] | None:
    """Who passed the password step in this session, still within its time; None otherwise."""
    pending = request.session.get(PENDING)
    if not pending:
        return None
    if timezone.now().timestamp() - pending["at"] > settings.SIGN_IN_SECOND_STEP_SECONDS:
        del request.session[PENDING]
        return None
    user = User.objects.filter(pk=UUID(pending["user"]), is_active=True).first()
    return (user, pending.get("next", "")) if user is not None else None


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    status = 200
    next_url = safe_next(request, "")
    if request.method == "POST" and form.is_valid():
        email, password = form.cleaned_data["email"], form.cleaned_data["password"]
        try:
            if address_throttled(request):
                raise AccountError(gettext("Too many tries from this network. Wait a minute and try again."))
            user = password_check(request=request, email=email, password=password)
        except AccountLocked as locked:
            form.add_error(None, locked_message(locked))
            status = 429
        except InvalidCredentials:
            form.add_error(None, WRONG_LOGIN)
        except AccountError as error:
            form.add_error(None, error.detail)
            status = 429
        else:
            if not second_factor_required(user=user):
                return signed_in(request, user, next_url=next_url)
            request.session.cycle_key()
            request.session[PENDING] = {"user": str(user.pk), "at": int(timezone.now().timestamp()), "next": next_url}
            step = "signin-code" if second_factor_enabled(user=user) else "signin-enrol"
            return HttpResponseRedirect(reverse(step))
    return render(request, "web/signin.html", {"form": form, "next": next_url}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    pending = _pending_user(request)
    if pending is None:
        return HttpResponseRedirect(reverse("signin"))
    user, next_url = pending
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        retry_at = account_locked_until(email=user.email)
        if retry_at is not None:
            form.add_error("code", locked_message(AccountLocked(retry_at=retry_at)))
            status = 429
        else:
            try:
                device = second_factor_verify(user=user, code=form.cleaned_data["code"])
            except SecondFactorError:
                sign_in_failed(request=request, email=user.email)
                form.add_error("code", WRONG_CODE)
            else:
                del request.session[PENDING]
                return signed_in(request, user, next_url=next_url, device=device)
    return render(request, "web/signin_code.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in of staff: add the account to an authenticator app, confirm with a code, and
    keep the recovery codes shown once."""
    pending = _pending_user(request)
    if pending is None:
        return HttpResponseRedirect(reverse("signin"))
    user, next_url = pending
    if second_factor_enabled(user=user):
        return HttpResponseRedirect(reverse("signin-code"))
    device = totp_device_pending(user=user)
    form = EnrolCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = totp_enrol_confirm(user=user, code=form.cleaned_data["code"])
        except SecondFactorError:
            sign_in_failed(request=request, email=user.email)
            form.add_error("code", WRONG_CODE)
        else:
            del request.session[PENDING]
            response = signed_in(request, user, next_url=next_url, device=enrolment.device)
            request.session[RECOVERY_CODES] = {"codes": enrolment.recovery_codes, "next": response["Location"]}
            response["Location"] = reverse("recovery-codes")
            return response
    context = {"form": form, "secret": totp_secret_base32(device=device), "qr_url": reverse("signin-enrol-qr")}
    return render(request, "web/signin_enrol.html", context)


@never_cache
@login_required
@require_GET
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made, once: the session forgets them as this page shows them."""
    shown = request.session.pop(RECOVERY_CODES, None)
    if shown is None:
        return HttpResponseRedirect(reverse("security"))
    return render(request, "web/recovery_codes.html", {"codes": shown["codes"], "continue_to": shown["next"]})


@never_cache
@require_GET
def sign_in_enrol_qr(request: HttpRequest) -> HttpResponse:
    """The enrolment QR code, drawn on the server (an image from our own address: no inline
    script or data: URL for the content security policy to allow)."""
    pending = _pending_user(request)
    if pending is None:
        return HttpResponse(status=404)
    return HttpResponse(totp_qr_svg(device=totp_device_pending(user=pending[0])), content_type="image/svg+xml")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """This session ends, and with it the account's API refresh tokens."""
    if isinstance(request.user, User):
        user_signed_out(user_id=request.user.pk)
    logout(request)
    return HttpResponseRedirect(reverse("home"))


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """Every session and token of the account ends, this one too."""
    assert isinstance(request.user, User)
    user_access_end(user_id=request.user.pk)
    logout(request)
    return HttpResponseRedirect(reverse("signin") + "?ended=1")


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if address_throttled(request):
            form.add_error(None, gettext("Too many tries from this network. Wait a minute and try again."))
            return render(request, "web/password_reset.html", {"form": form}, status=429)
        password_reset_request(email=form.cleaned_data["email"], language=get_language() or "en")
        return HttpResponseRedirect(reverse("password-reset-sent"))
    return render(request, "web/password_reset.html", {"form": form})


@require_GET
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "web/password_reset_sent.html", {"dev_mailbox_on": dev_mailbox_on()})


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_set(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        password_reset_user(uidb64=uidb64, token=token)
    except AccountError:
        return render(request, "web/password_reset_invalid.html", status=400)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_confirm(uidb64=uidb64, token=token, new_password=form.cleaned_data["new_password"])
        except AccountError as error:
            if error.code != "weak_password":
                return render(request, "web/password_reset_invalid.html", status=400)
            form.add_error("new_password", WEAK_PASSWORD)
        else:
            logout(request)
            return HttpResponseRedirect(reverse("signin") + "?reset=1")
    return render(request, "web/password_reset_set.html", {"form": form})


def _show_recovery_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    request.session[RECOVERY_CODES] = {"codes": codes, "next": reverse("security")}
    return HttpResponseRedirect(reverse("recovery-codes"))


def _password_change(request: HttpRequest, user: User, form: PasswordChangeForm) -> HttpResponse | None:
    """The answer once the password changed (every session ends, this one too); None to show the errors."""
    try:
        user_password_change(
            request=request,
            user=user,
            current_password=form.cleaned_data["current_password"],
            new_password=form.cleaned_data["new_password"],
        )
    except AccountLocked as locked:
        form.add_error("current_password", ValidationError(locked_message(locked), code=LOCKED))
        return None
    except AccountError as error:
        if error.code == "weak_password":
            form.add_error("new_password", WEAK_PASSWORD)
        else:
            form.add_error("current_password", gettext("The current password is not right."))
        return None
    logout(request)
    return HttpResponseRedirect(reverse("signin") + "?changed=1")


def _second_factor_change(request: HttpRequest, user: User, action: str, form: EnrolCodeForm) -> HttpResponse | None:
    """Turn the factor on (with the app's first code), make new recovery codes or turn it off
    (with a current code); None to show the errors."""
    try:
        if action == "enable":
            enrolment = totp_enrol_confirm(user=user, code=form.cleaned_data["code"])
            otp_login(request, enrolment.device)
            return _show_recovery_codes(request, enrolment.recovery_codes)
        second_factor_verify(user=user, code=form.cleaned_data["code"])
        if action == "recovery":
            return _show_recovery_codes(request, recovery_codes_replace(user=user))
        second_factor_disable(user=user)
    except SecondFactorError:
        form.add_error("code", WRONG_CODE)
        return None
    except AccountError as error:
        form.add_error(None, error.detail)
        return None
    return HttpResponseRedirect(reverse("security"))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    """The account's security: change the password, sign out everywhere, and the second factor
    (patients turn it on or off; everyone with it makes new recovery codes)."""
    user = request.user
    assert isinstance(user, User)
    enabled = second_factor_enabled(user=user)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    factor_actions = ("recovery", "disable") if enabled else ("enable",)
    password_form = PasswordChangeForm(request.POST if action == "password" else None)
    code_form = EnrolCodeForm(request.POST if action in factor_actions else None)
    answer = None
    if action == "password" and password_form.is_valid():
        answer = _password_change(request, user, password_form)
    elif action in factor_actions and code_form.is_valid():
        answer = _second_factor_change(request, user, action, code_form)
    if answer is not None:
        return answer
    context: dict[str, Any] = {"password_form": password_form, "code_form": code_form, "enabled": enabled}
    if not enabled and user.role == Role.PATIENT:
        device = totp_device_pending(user=user)
        context.update(secret=totp_secret_base32(device=device), qr_url=reverse("security-qr"))
    locked = password_form.has_error("current_password", code=LOCKED)
    return render(request, "web/security.html", context, status=429 if locked else 200)


@never_cache
@login_required
@require_GET
def security_qr(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return HttpResponse(totp_qr_svg(device=totp_device_pending(user=user)), content_type="image/svg+xml")
