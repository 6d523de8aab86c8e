"""Page forms: they parse and label input; the rules are the services' (the same as the API's),
and a service's refusal comes back as an error beside its field (``form_add_domain_error``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.input_bounds import BoundedDateField
from web.refusals import refusal_words

if TYPE_CHECKING:  # django-stubs-ext is a development tool only
    from django_stubs_ext import StrOrPromise


def form_add_domain_error(
    form: forms.Form, error: DomainError, messages: Mapping[str, StrOrPromise] | None = None
) -> None:
    """Put a service's refusal beside the fields it names (or at the top), in the reader's words.

    ``messages`` maps an error code to a translated sentence; otherwise the service's own detail.
    """
    text = refusal_words(error, messages)
    named = [name for name in error.fields if name in form.fields]
    if not named:
        form.add_error(None, text)
        return
    for name in named:
        form.add_error(name, text)


class PageForm(forms.Form):
    """Labels read exactly as written ("Email", not "Email:"): screen readers and tests name fields by them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, labelled for this clinic (the username is the email)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    username = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("The email or the password is not right. Check both and try again."),
        "inactive": _("This account is not active. Please call the clinic."),
    }


class SignUpForm(PageForm):
    first_name = forms.CharField(
        label=_("First name"), max_length=80, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=80, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    date_of_birth = BoundedDateField(
        label=_("Date of birth"),
        # In words: the browser's date box shows its own order (mm/dd/yyyy in the US, dd/mm/aaaa in Spanish).
        help_text=_("For example June 1, 1985."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        help_text=_("A mobile number we can reach you on, for example (415) 555-0123."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        help_text=_("At least 8 characters, not only numbers, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class SignUpConfirmForm(PageForm):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        help_text=_("The one you chose when you signed up."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CancelForm(PageForm):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        help_text=_("It helps the clinic plan. You can leave it empty."),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReadinessForm(PageForm):
    driver_arranged = forms.BooleanField(label=_("An adult will drive me home"), required=False)
    fasting_acknowledged = forms.BooleanField(label=_("I have read the fasting instructions"), required=False)


class SeriesForm(PageForm):
    start_date = BoundedDateField(
        label=_("First day"),
        error_messages={
            "required": _("Enter the first day for your sessions."),
            "invalid": _("Enter a real date, for example 2026-12-01."),
        },
        help_text=_("The earliest day for your first session, for example 2026-12-01."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    preferred_time = forms.TimeField(
        label=_("Preferred time of day"),
        error_messages={
            "required": _("Enter the time of day you prefer."),
            "invalid": _("Enter a time, for example 10:00 AM."),
        },
        help_text=_("Pacific Time, for example 10:00 AM. Each session goes at the open time nearest to it."),
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"),
    )


class WaitlistForm(PageForm):
    type = forms.ChoiceField(
        label=_("Kind of visit"), error_messages={"required": _("Choose the kind of visit you are waiting for.")}
    )
    date_from = BoundedDateField(
        label=_("Earliest day"),
        help_text=_("The first day that would suit you, for example 2026-12-01."),
        error_messages={
            "required": _("Enter the earliest day that would suit you."),
            "invalid": _("Enter a real date, for example 2026-12-01."),
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = BoundedDateField(
        label=_("Latest day"),
        help_text=_("The last day that would suit you."),
        error_messages={
            "required": _("Enter the latest day that would suit you."),
            "invalid": _("Enter a real date, for example 2026-12-14."),
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, type_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = type_choices  # type: ignore[attr-defined]


class ContactPreferencesForm(PageForm):
    email_enabled = forms.BooleanField(label=_("Email"), required=False)
    sms_enabled = forms.BooleanField(label=_("Text messages"), required=False)


class LanguageForm(PageForm):
    language = forms.ChoiceField(label=_("Language for your pages and messages"), choices=settings.LANGUAGES)


def form_add_each_reason(form: forms.Form, error: DomainError, *, renamed: Mapping[str, str] | None = None) -> None:
    """Every reason of a service's refusal in its own words: beside its field (``renamed`` maps a
    service's field name to the form's), or at the top for a reason no field of the form holds
    (the record's state); the refusal's sentence when it names none."""
    fields = error.fields if isinstance(error.fields, dict) else {}
    if not fields:
        form.add_error(None, str(error.detail))
    for name, reasons in fields.items():
        target = (renamed or {}).get(name, name)
        for reason in reasons if isinstance(reasons, list) else [reasons]:
            form.add_error(target if target in form.fields else None, str(reason))
