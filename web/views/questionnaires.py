"""A patient's check-in forms before each infusion (SPEC.md section 10): answer one, check the
answers, send them; then read them back with their total.

One address per questionnaire, ``/account/questionnaires/<id>/``: a due one shows its form, an
answered one the answers. Another patient's questionnaire, or one not open or closed, answers 404
like a missing one. The views read through ``questionnaires_of_patient`` and write through
``questionnaire_answer``, the service the API calls; a refusal comes back in words.

When PHQ-9 item 9 is answered above 0 the service raises a self-harm alert for the care team; the
patient reads a calm message with the crisis line and that the care team will contact them. They
never see the alert itself or a clinician's note.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import User
from clinical import scoring
from clinical.questionnaire_selectors import PatientQuestionnaire, questionnaires_of_patient
from clinical.services.questionnaires import questionnaire_answer
from core.errors import DomainError
from core.permissions import role_required
from core.request_id import request_id_of
from core.roles import Role
from web.checkins import (
    BANDS,
    DIFFICULTY_QUESTION,
    ITEMS,
    MAX_TOTALS,
    QUESTIONS,
    TITLES,
    QuestionnaireForm,
    answer_label,
    difficulty_label,
    item_field_name,
)
from web.refusals import refusal_words

# The service's refusals in the patient's words (the API answers the same codes).
CLOSED = gettext_lazy(
    "This check-in is closed: your session has begun, or it was moved or cancelled. Nothing was saved."
)
ANSWER_MESSAGES = {
    "already_answered": gettext_lazy("You have answered this check-in already. Thank you."),
    "questionnaire_closed": CLOSED,
    "questionnaire_not_open": gettext_lazy("This check-in is not open yet. It opens 3 days before your session."),
    "not_found": CLOSED,
}


def _patient(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # role_required let only patients through
    return request.user


def _own(
    patient: User, questionnaire_id: UUID, *, now: datetime
) -> tuple[PatientQuestionnaire, list[PatientQuestionnaire]]:
    """The patient's questionnaire (due or answered) and all of theirs; 404 otherwise."""
    rows = questionnaires_of_patient(patient_id=patient.pk, now=now)
    for row in rows:
        if row.questionnaire.pk == questionnaire_id:
            return row, rows
    raise Http404


def _next_due(rows: list[PatientQuestionnaire], questionnaire_id: UUID) -> PatientQuestionnaire | None:
    return next((row for row in rows if row.state == "due" and row.questionnaire.pk != questionnaire_id), None)


def _form_context(row: PatientQuestionnaire, form: QuestionnaireForm) -> dict[str, Any]:
    kind = row.questionnaire.kind
    return {
        "questionnaire": row.questionnaire,
        "title": TITLES[kind],
        "question": QUESTIONS[kind],
        "item_count": len(ITEMS[kind]),
        "form": form,
    }


def _add_service_error(form: QuestionnaireForm, error: DomainError) -> None:
    """The service names a wrong answer ``items.<n>``: it goes beside question n."""
    named = False
    for key in error.fields:
        number = key.removeprefix("items.")
        if number.isdigit() and item_field_name(int(number)) in form.fields:
            form.add_error(
                item_field_name(int(number)),
                _("Choose one of the four answers to question %(number)s.") % {"number": number},
            )
            named = True
    if not named:
        form.add_error(None, refusal_words(error, ANSWER_MESSAGES))


@require_http_methods(["GET", "POST"])
@role_required(Role.PATIENT)
def questionnaire_page(request: HttpRequest, questionnaire_id: UUID) -> HttpResponse:
    patient = _patient(request)
    now = timezone.now()
    row, rows = _own(patient, questionnaire_id, now=now)
    if row.state == "answered":
        return _render_answered(request, row, rows)
    kind = row.questionnaire.kind
    if request.method == "GET" or "change" in request.POST:
        # "Change your answers" shows the form again with what was chosen.
        form = QuestionnaireForm(request.POST if request.method == "POST" else None, kind=kind)
        return render(request, "web/questionnaire.html", _form_context(row, form))
    form = QuestionnaireForm(request.POST, kind=kind)
    if not form.is_valid():
        return render(request, "web/questionnaire.html", _form_context(row, form))
    if "confirm" not in request.POST:
        answers = form.review_rows()
        return render(request, "web/questionnaire_review.html", _form_context(row, form) | {"answers": answers})
    try:
        questionnaire_answer(
            actor=patient,
            questionnaire_id=row.questionnaire.pk,
            items=form.items(),
            difficulty=form.difficulty(),
            request_id=request_id_of(request),
        )
    except DomainError as error:
        if error.fields:
            _add_service_error(form, error)
            return render(request, "web/questionnaire.html", _form_context(row, form))
        messages.error(request, refusal_words(error, ANSWER_MESSAGES))
        return HttpResponseRedirect(reverse("account") + "#checkins-title")
    messages.success(request, _("Thank you. Your answers are sent to your care team."))
    return HttpResponseRedirect(reverse("account-questionnaire", args=[row.questionnaire.pk]))


def _render_answered(request: HttpRequest, row: PatientQuestionnaire, rows: list[PatientQuestionnaire]) -> HttpResponse:
    questionnaire = row.questionnaire
    kind = questionnaire.kind
    items = list(questionnaire.items or [])
    context = {
        "questionnaire": questionnaire,
        "title": TITLES[kind],
        "question": QUESTIONS[kind],
        "answers": [(text, answer_label(value)) for text, value in zip(ITEMS[kind], items, strict=True)],
        "difficulty": difficulty_label(questionnaire.difficulty) if questionnaire.difficulty else None,
        "difficulty_question": DIFFICULTY_QUESTION,
        "total": questionnaire.total,
        "max_total": MAX_TOTALS[kind],
        "band": BANDS.get(row.band or ""),
        "needs_support": scoring.raises_self_harm_alert(kind, items),
        "next_due": _next_due(rows, questionnaire.pk),
    }
    return render(request, "web/questionnaire_answered.html", context)
