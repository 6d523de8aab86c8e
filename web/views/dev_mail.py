"""The demo mailbox (/dev/mail/): under `make run`, every email and text message the clinic
sends, newest first, so a visitor can open a sign-up or reset link without a real inbox. Only
the development settings turn it on (DEV_MAILBOX_DIR); everywhere else it answers 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.dev_mailbox import mailbox_folder, mailbox_messages
from scheduling.selectors import clinic_zone

SHOWN = 100  # the newest; a long demo keeps its older messages on disk


@never_cache
@require_safe
def dev_mailbox(request: HttpRequest) -> HttpResponse:
    folder = mailbox_folder()
    if folder is None:
        raise Http404
    context = {"mailbox_messages": mailbox_messages(folder=folder, limit=SHOWN), "zone": clinic_zone()}
    return render(request, "web/dev_mailbox.html", context)


def dev_mailbox_on() -> bool:
    """For the "check your email" pages: say where to look when running the demo."""
    return mailbox_folder() is not None
