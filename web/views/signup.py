"""Creating an account on the pages: the form, "check your email", and the emailed link's page.
Every rule is accounts.services.signup's; these views ask and show."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.errors import AccountError
from accounts.services import DETAIL_CODES, patient_details_problems
from accounts.services.signin import AccountLocked
from accounts.services.signup import patient_signup, signup_confirm, signup_link_check
from web.forms import SignUpConfirmForm, SignUpForm, form_add_domain_error
from web.views.auth import SIGN_UP_MESSAGES, address_throttled, locked_message, signed_in
from web.views.dev_mail import dev_mailbox_on
from web.views.public import safe_next


@never_cache
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """The same answer for a new email and one with an account ("check your email"): the email
    itself tells its owner which (accounts.services.signup). A refusal names every wrong field at
    once and keeps what was typed, the password aside (a password is never sent back to a page)."""
    form = SignUpForm(request.POST or None)
    status = 200
    next_url = safe_next(request, "")
    if request.method == "POST" and not form.is_valid():
        _add_detail_problems(form)
    elif request.method == "POST":
        try:
            if address_throttled(request):
                raise AccountError(
                    gettext("Too many tries from this network. Wait a minute and try again."), code="throttled"
                )
            patient_signup(**form.cleaned_data, language=get_language() or "en", next_path=next_url)
        except AccountError as error:
            _add_account_error(form, error)
            status = 429 if error.code == "throttled" else 200
        else:
            return HttpResponseRedirect(reverse("signup-sent"))
    return render(request, "web/signup.html", {"form": form, "next": next_url}, status=status)


def _add_account_error(form: SignUpForm, error: AccountError) -> None:
    """The service's refusal beside each field it names, in that field's words."""
    if not error.fields:
        form_add_domain_error(form, error, SIGN_UP_MESSAGES)
        return
    for name in error.fields:
        if name in form.fields and name not in form.errors:
            form.add_error(name, SIGN_UP_MESSAGES.get(DETAIL_CODES.get(name, ""), error.detail))


def _add_detail_problems(form: SignUpForm) -> None:
    """When some fields could not be read, the service still judges those that could (the date of
    birth, the phone, the password), so one submit shows every wrong field."""
    data = form.cleaned_data
    problems = patient_details_problems(
        email=data.get("email", ""),
        password=data.get("password"),
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        date_of_birth=data.get("date_of_birth"),
        phone=data.get("phone"),
    )
    if problems:
        _add_account_error(form, AccountError(code="invalid_details", fields=problems))


@require_GET
def sign_up_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "web/signup_sent.html", {"dev_mailbox_on": dev_mailbox_on()})


CONFIRM_MESSAGES = {
    "signup_password_mismatch": _(
        "This link belongs to a different sign-up, or the password is not the one chosen with it. "
        "Sign up again to get a new link."
    ),
}


@never_cache
@require_http_methods(["GET", "POST"])
def sign_up_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link. GET shows a page asking for the password chosen at the sign-up and
    changes nothing (a mail scanner that opens links, or another site that sends a browser here,
    starts no account and signs nobody in); its POST, CSRF-checked, starts the account when the
    password is that sign-up's, signs the person in and takes them back to where they were."""
    form = SignUpConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    try:
        if not form.is_valid():
            signup_link_check(token=token)
        else:
            confirmed = signup_confirm(request=request, token=token, password=form.cleaned_data["password"])
            next_path = confirmed.next_path
            if not url_has_allowed_host_and_scheme(next_path, allowed_hosts={request.get_host()}, require_https=False):
                next_path = ""
            return signed_in(request, confirmed.user, next_url=next_path)
    except AccountLocked as locked:
        form.add_error("password", locked_message(locked))
        status = 429
    except AccountError as error:
        if error.code == "invalid_link":
            return render(request, "web/signup_invalid.html", status=400)
        form_add_domain_error(form, error, CONFIRM_MESSAGES)
    return render(request, "web/signup_confirm.html", {"form": form}, status=status)
