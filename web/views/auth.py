"""Sign in, create an account and sign out, with Django sessions (the API keeps JWT)."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.errors import AccountError
from accounts.models import User
from accounts.services import patient_register
from core.roles import Role
from web.forms import SignInForm, SignUpForm, form_add_domain_error
from web.views.public import remember_language, safe_next

# The service's refusals in the reader's words (the API answers the same codes).
SIGN_UP_MESSAGES = {
    "invalid_phone": _("Enter a phone number we can call, for example (415) 555-0123."),
    "invalid_date_of_birth": _("The date of birth must be in the past."),
    "weak_password": _("Choose a stronger password: at least 8 characters, not only numbers, not a common one."),
    "email_taken": _("An account with this email already exists. Sign in instead."),
}


def _landing(user: User) -> str:
    return reverse("account") if user.role == Role.PATIENT else reverse("staff-home")


def _signed_in(request: HttpRequest, user: User) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    response = HttpResponseRedirect(safe_next(request, _landing(user)))
    return remember_language(response, user.language)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        assert isinstance(user, User)
        return _signed_in(request, user)
    return render(request, "web/signin.html", {"form": form, "next": safe_next(request, "")})


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient_register(**form.cleaned_data, language=get_language() or "en")
        except AccountError as error:
            form_add_domain_error(form, error, SIGN_UP_MESSAGES)
        else:
            user = authenticate(request, username=form.cleaned_data["email"], password=form.cleaned_data["password"])
            assert isinstance(user, User)
            return _signed_in(request, user)
    return render(request, "web/signup.html", {"form": form, "next": safe_next(request, "")})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("home"))
