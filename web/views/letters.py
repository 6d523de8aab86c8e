"""/account/letters/: the letters the clinic sent the patient's referring doctor (SPEC.md section
12), each with when it went, to whom and after what; ``/account/letters/<id>/pdf/`` downloads one,
the same PDF the doctor received and the staff download. The views call ``letters_of_patient`` and
``letter_read``, the services the API calls: a patient reads only their own letters there, and
another patient's letter is not found (404), nothing written.

The letter itself is in English (clinical/letter_pdf.py); this page says so in the reader's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from clinical.api.letters import letter_pdf_download
from clinical.models import LetterKind
from clinical.services.letters import letter_read, letters_of_patient
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from core.roles import Role
from web.actor import actor_of
from web.refusals import raise_as_http

if TYPE_CHECKING:  # django-stubs-ext is a development tool only
    from django_stubs_ext import StrOrPromise

# What each kind of letter is, in the patient's words.
KIND_WORDS: dict[str, StrOrPromise] = {
    LetterKind.EVALUATION: gettext_lazy("Letter after your evaluation"),
    LetterKind.SERIES: gettext_lazy("Letter after your treatment series"),
}


@require_GET
@role_required(Role.PATIENT)
def letters_page(request: HttpRequest) -> HttpResponse:
    patient = actor_of(request)
    letters = letters_of_patient(actor=patient, patient_id=patient.pk, request_id=request_id_of(request))
    rows = [(letter, KIND_WORDS.get(letter.kind, letter.get_kind_display())) for letter in letters]
    return render(request, "web/letters.html", {"letters": rows})


@require_GET
@role_required(Role.PATIENT)
def letter_pdf_page(request: HttpRequest, letter_id: UUID) -> HttpResponse:
    try:
        letter = letter_read(actor=actor_of(request), letter_id=letter_id, request_id=request_id_of(request))
    except DomainError as error:
        raise_as_http(error)
        raise
    return letter_pdf_download(letter)
