"""The accounts' own emails (sign-up, password reset): rendered from
``accounts/email/<template>[_subject].<language>.txt`` in one of settings.LANGUAGES and sent at
once (they carry a one-time link, or say that none was sent)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def language_offered(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def account_email_send(*, to: str, language: str, template: str, context: dict[str, object]) -> None:
    language = language_offered(language)
    with translation.override(language):
        subject = render_to_string(f"accounts/email/{template}_subject.{language}.txt", context).strip()
        body = render_to_string(f"accounts/email/{template}.{language}.txt", context)
    send_mail(subject, body, None, [to])
