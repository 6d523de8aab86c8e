"""The patient's treatment consent (SPEC.md section 12): /account/ shows what to sign and what was
signed (``web/templatetags/consent_tags.py``, one include); ``/account/consent/`` shows the newest
version in the patient's language with the form (full name, "I agree"); ``/account/consents/<id>/pdf/``
downloads a signature as a PDF. The views call ``consent_sign``, the service the API calls; a
refusal comes back beside its field and nothing is written.
"""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from clinical.consent_pdf import consent_pdf
from clinical.models import ConsentDocument
from clinical.regulated_rules import CONSENT_TYPED_NAME_MAX
from clinical.services.consent import consent_of_patient_own, consent_sign, consent_to_sign
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from core.roles import Role
from scheduling.selectors import clinic_zone
from web.forms import PageForm

REFUSALS = {
    "consent_version_superseded": gettext_lazy("A newer version of the consent was published. Please read it."),
    "consent_already_signed": gettext_lazy("You have signed this consent already."),
}


class ConsentForm(PageForm):
    typed_name = forms.CharField(
        label=gettext_lazy("Your full name"),
        max_length=CONSENT_TYPED_NAME_MAX,
        help_text=gettext_lazy("Type your first and last name as they are on your account."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    agree = forms.BooleanField(
        label=gettext_lazy("I agree"),
        required=False,
        help_text=gettext_lazy("I have read the consent above and agree to the treatment."),
    )

    def add_service_errors(self, fields: dict[str, list[str]]) -> None:
        words = {
            "typed_name": _("Type your full name as it is on your account."),
            "agree": _("Tick “I agree” to sign."),
        }
        for name in fields:
            self.add_error(name if name in self.fields else None, words.get(name, _("Check this answer.")))


def _patient(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # role_required let only patients through
    return request.user


def _language(patient: User) -> str:
    return "es" if (get_language() or patient.language or "en").startswith("es") else "en"


def document_in(document: ConsentDocument, language: str) -> dict[str, object]:
    spanish = language == "es"
    return {
        "id": document.pk,
        "version": document.version,
        "effective_on": document.effective_on,
        "title": document.title_es if spanish else document.title_en,
        "paragraphs": [
            p.strip() for p in (document.text_es if spanish else document.text_en).split("\n\n") if p.strip()
        ],
    }


def _page(request: HttpRequest, document: ConsentDocument, form: ConsentForm, *, status: int = 200) -> HttpResponse:
    context = {"document": document_in(document, _language(_patient(request))), "form": form}
    return render(request, "web/consent/sign.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.PATIENT)
def consent_page(request: HttpRequest) -> HttpResponse:
    patient = _patient(request)
    document = consent_to_sign(patient_id=patient.pk)
    if document is None:
        messages.info(request, _("There is no consent for you to sign."))
        return HttpResponseRedirect(reverse("account") + "#consent-title")
    if request.method == "GET":
        return _page(request, document, ConsentForm())
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _page(request, document, form, status=400)
    try:
        consent_sign(
            actor=patient,
            document_id=document.pk,
            typed_name=form.cleaned_data["typed_name"],
            agreed=form.cleaned_data["agree"],
            language=_language(patient),
            request_id=request_id_of(request),
        )
    except DomainError as error:
        if error.code in REFUSALS:
            messages.error(request, str(REFUSALS[error.code]))
            return HttpResponseRedirect(reverse("account") + "#consent-title")
        form.add_service_errors(error.fields or {"typed_name": []})
        return _page(request, document, form, status=400)
    messages.success(request, _("Thank you. Your consent is signed."))
    return HttpResponseRedirect(reverse("account") + "#consent-title")


@require_GET
@role_required(Role.PATIENT)
def consent_pdf_download(request: HttpRequest, consent_id: UUID) -> HttpResponse:
    try:
        consent = consent_of_patient_own(patient=_patient(request), consent_id=consent_id)
    except DomainError as error:
        raise Http404 from error
    response = HttpResponse(consent_pdf(consent, zone=clinic_zone()), content_type="application/pdf")
    name = f"consent-version-{consent.document.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
