"""A patient's check-in forms without a browser: what /account/ lists, the form's questions and
answers in both languages, checking and sending the answers, the calm message after a self-harm
answer, and who reaches what (another patient's check-in is 404; nothing is written on a refusal)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import AppointmentStatus
from clinical.errors import ClinicalError
from clinical.models import Alert, AlertKind, Questionnaire
from core.roles import Role
from tests.accounts.otp import force_login_with_second_factor
from tests.clinical.questionnaire_fixtures import (
    GAD7_CALM,
    PHQ9_CALM,
    START,
    answered,
    infusion_with_questionnaires,
    plan_of,
)
from tests.factories import UserFactory
from web.views import questionnaires as questionnaire_pages

pytestmark = pytest.mark.django_db

OPEN_NOW = START - timedelta(hours=48)  # inside the 72 hours before the infusion
GIVEN = AppointmentStatus.COMPLETED
PHQ9_LEGENDS = [
    "1. Little interest or pleasure in doing things",
    "2. Feeling down, depressed, or hopeless",
    "3. Trouble falling or staying asleep, or sleeping too much",
    "4. Feeling tired or having little energy",
    "5. Poor appetite or overeating",
    "6. Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "7. Trouble concentrating on things, such as reading the newspaper or watching television",
    "8. Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety "
    "or restless that you have been moving around a lot more than usual",
    "9. Thoughts that you would be better off dead or of hurting yourself in some way",
]
GAD7_LEGENDS = [
    "1. Feeling nervous, anxious or on edge",
    "2. Not being able to stop or control worrying",
    "3. Worrying too much about different things",
    "4. Trouble relaxing",
    "5. Being so restless that it is hard to sit still",
    "6. Becoming easily annoyed or irritable",
    "7. Feeling afraid as if something awful might happen",
]
SPANISH_PHQ9_LEGENDS = [
    "1. Poco interés o placer en hacer cosas",
    "2. Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
    "3. Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
    "4. Se ha sentido cansado(a) o con poca energía",
    "5. Sin apetito o ha comido en exceso",
    "6. Se ha sentido mal con usted mismo(a) — o que es un fracaso o que ha quedado mal con usted mismo(a) "
    "o con su familia",
    "7. Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el periódico o ver la "
    "televisión",
    "8. ¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo contrario — muy "
    "inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo normal",
    "9. Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
]
ANSWERS = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
SPANISH_ANSWERS = ["Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos los días"]
# The closing question (not scored): Pfizer's PHQ-9 / GAD-7 forms, and the official Spanish PHQ-9.
DIFFICULTY = (
    "If you checked off any problems, how difficult have these problems made it for you to do your work, take "
    "care of things at home, or get along with other people?"
)
DIFFICULTY_ANSWERS = ["Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"]
SPANISH_DIFFICULTY = (
    "Si marcó cualquiera de los problemas, ¿qué tanta dificultad le han dado estos problemas para hacer su "
    "trabajo, encargarse de las tareas del hogar, o llevarse bien con otras personas?"
)
SPANISH_DIFFICULTY_ANSWERS = ["No ha sido difícil", "Un poco difícil", "Muy difícil", "Extremadamente difícil"]
DIFFICULTY_VALUES = ["not_difficult", "somewhat_difficult", "very_difficult", "extremely_difficult"]
CRISIS_LINE = "In a crisis, call or text 988 (Suicide and Crisis Lifeline) or 911."


@pytest.fixture(autouse=True)
def frozen_while_open():
    with time_machine.travel(OPEN_NOW, tick=False):
        yield


@pytest.fixture
def infusion(demo_clinic, patient):
    return infusion_with_questionnaires(plan_of(patient))


def signed_in(user, *, language: str = "en", enforce_csrf_checks: bool = False) -> Client:
    """A session as after signing in (staff past the second factor too)."""
    client = Client(enforce_csrf_checks=enforce_csrf_checks, headers={"accept-language": language})
    force_login_with_second_factor(client, user)
    return client


def text_of(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def legends(html: str) -> list[str]:
    return [text_of(legend) for legend in re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.S)]


def radio_groups(html: str) -> list[list[tuple[str, str]]]:
    """Each fieldset's radios as (value, label text)."""
    groups = []
    for fieldset in re.findall(r"<fieldset[^>]*>(.*?)</fieldset>", html, re.S):
        groups.append(
            [
                (value, text_of(label))
                for value, label in re.findall(
                    r'<label for="[^"]+"><input type="radio" name="(?:item_\d|difficulty)" value="(\w+)"[^>]*>'
                    r"(.*?)</label>",
                    fieldset,
                    re.S,
                )
            ]
        )
    return groups


def answers_of(items: list[int]) -> dict[str, str]:
    return {f"item_{number}": str(value) for number, value in enumerate(items, start=1)}


def page_url(questionnaire: Questionnaire) -> str:
    return f"/account/questionnaires/{questionnaire.pk}/"


def test_the_account_lists_the_check_ins_to_answer_with_an_answer_link_each(patient, infusion):
    _, phq9, gad7 = infusion

    html = signed_in(patient).get("/account/").content.decode()

    section = html[html.index('id="checkins-title"') : html.index('id="upcoming-title"')]
    assert "Check-ins before your sessions" in section
    assert [text_of(link) for link in re.findall(r'<a class="button" href="[^"]+">(.*?)</a>', section, re.S)] == [
        "Answer How you have been feeling",
        "Answer Worry and nerves",
    ]
    assert re.findall(r'<a class="button" href="([^"]+)"', section) == [page_url(phq9), page_url(gad7)]
    assert "9 questions, before your session on Monday, December 7, 2026 at 10:00 AM Pacific Time" in text_of(section)
    assert "7 questions, before your session on Monday, December 7, 2026 at 10:00 AM Pacific Time" in text_of(section)
    assert "PHQ" not in html
    assert "GAD" not in html


def test_the_account_shows_an_answered_check_in_with_its_total_and_band_in_plain_words(patient, infusion):
    _, phq9, _ = infusion
    answered(phq9, [2, 2, 1, 2, 1, 1, 1, 1, 0], at=OPEN_NOW - timedelta(hours=1))

    section = text_of(signed_in(patient).get("/account/").content.decode())

    assert "How you have been feeling , Saturday, December 5, 2026 at 9:00 AM Pacific Time" in section
    assert "Total 11 out of 27, in the moderate range." in section
    assert section.count("Answer ") == 1  # the GAD-7 is still to answer


def test_without_check_ins_the_account_has_no_check_in_section(patient, demo_clinic):
    html = signed_in(patient).get("/account/").content.decode()

    assert "checkins-title" not in html


def test_the_form_asks_each_phq9_item_in_its_own_fieldset_with_the_four_standard_answers(patient, infusion):
    _, phq9, _ = infusion

    response = signed_in(patient).get(page_url(phq9))

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<title>\s*Your check-in ·", html)
    assert "<h1>How you have been feeling</h1>" in html
    assert "Over the last 2 weeks, how often have you been bothered by any of the following problems?" in html
    assert legends(html) == [*PHQ9_LEGENDS, DIFFICULTY]
    assert radio_groups(html) == [[(str(value), ANSWERS[value]) for value in range(4)]] * 9 + [
        list(zip(DIFFICULTY_VALUES, DIFFICULTY_ANSWERS, strict=True))
    ]


def test_the_gad7_form_asks_its_seven_items(patient, infusion):
    _, _, gad7 = infusion

    html = signed_in(patient).get(page_url(gad7)).content.decode()

    assert "<h1>Worry and nerves</h1>" in html
    assert "Over the last 2 weeks, how often have you been bothered by the following problems?" in html
    assert legends(html) == [*GAD7_LEGENDS, DIFFICULTY]
    assert len(radio_groups(html)) == 8


def test_in_spanish_the_form_uses_the_official_spanish_wording(patient, infusion):
    _, phq9, _ = infusion

    html = signed_in(patient, language="es").get(page_url(phq9)).content.decode()

    assert '<html lang="es">' in html
    assert "<h1>Cómo se ha sentido</h1>" in html
    assert (
        "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los siguientes problemas?" in html
    )
    assert legends(html) == [*SPANISH_PHQ9_LEGENDS, SPANISH_DIFFICULTY]
    assert radio_groups(html) == [[(str(value), SPANISH_ANSWERS[value]) for value in range(4)]] * 9 + [
        list(zip(DIFFICULTY_VALUES, SPANISH_DIFFICULTY_ANSWERS, strict=True))
    ]


def test_missing_answers_come_back_beside_their_questions_and_nothing_is_written(patient, infusion):
    _, phq9, _ = infusion
    answers = answers_of(PHQ9_CALM)
    del answers["item_4"], answers["item_9"]

    response = signed_in(patient).post(page_url(phq9), answers)

    html = response.content.decode()
    assert response.status_code == 200
    summary = html[html.index('class="error-summary"') : html.index("</div>", html.index('class="error-summary"'))]
    assert re.findall(r'<a href="([^"]+)"', summary) == ["#id_item_4_0", "#id_item_9_0"]
    assert 'aria-describedby="id_item_4_error"' in html
    assert '<ul class="errorlist" id="id_item_4_error"><li>Choose an answer to question 4.</li></ul>' in html
    assert 'value="1" required id="id_item_2_1" checked' in html  # what was chosen stays chosen
    phq9.refresh_from_db()
    assert (phq9.answered_at, phq9.items, phq9.total) == (None, None, None)


def test_an_answer_outside_the_four_is_refused_beside_its_question(patient, infusion):
    _, phq9, _ = infusion

    response = signed_in(patient).post(page_url(phq9), answers_of(PHQ9_CALM) | {"item_3": "4"})

    assert "Choose one of the four answers to question 3." in response.content.decode()
    phq9.refresh_from_db()
    assert phq9.answered_at is None


def test_the_patient_checks_the_answers_then_sends_them(patient, infusion):
    _, phq9, _ = infusion
    client = signed_in(patient)

    review = client.post(page_url(phq9), answers_of([0, 1, 2, 3, 0, 1, 2, 3, 0]))

    html = review.content.decode()
    assert re.search(r"<title>\s*Check your answers ·", html)
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html, re.S)
    assert [(text_of(question), answer) for question, answer in pairs] == list(
        zip(PHQ9_LEGENDS, [ANSWERS[value] for value in [0, 1, 2, 3, 0, 1, 2, 3, 0]], strict=True)
    )
    phq9.refresh_from_db()
    assert phq9.answered_at is None  # nothing is sent before "Send answers"

    sent = client.post(page_url(phq9), answers_of([0, 1, 2, 3, 0, 1, 2, 3, 0]) | {"confirm": "yes"})

    assert sent.status_code == 302
    assert sent["Location"] == page_url(phq9)
    phq9.refresh_from_db()
    assert (phq9.items, phq9.total, phq9.answered_at, phq9.answered_by, phq9.on_behalf) == (
        [0, 1, 2, 3, 0, 1, 2, 3, 0],
        12,
        timezone.now(),
        patient,
        False,
    )
    assert not Alert.objects.exists()
    page = text_of(client.get(page_url(phq9)).content.decode())
    assert "Thank you. Your answers are sent to your care team." in page
    assert "Your total is 12 out of 27, in the moderate range." in page
    assert "2. Feeling down, depressed, or hopeless Several days" in page
    assert "Answer the next check-in" in page  # the GAD-7 is still to answer
    assert CRISIS_LINE not in page


def test_the_closing_question_is_checked_sent_and_shown_in_spanish_and_not_scored(patient, infusion):
    _, _, gad7 = infusion
    client = signed_in(patient, language="es")
    chosen = answers_of(GAD7_CALM) | {"difficulty": "very_difficult"}

    review = text_of(client.post(page_url(gad7), chosen).content.decode())
    assert f"{SPANISH_DIFFICULTY} Muy difícil" in review
    client.post(page_url(gad7), chosen | {"confirm": "yes"})

    gad7.refresh_from_db()
    assert (gad7.items, gad7.total, gad7.difficulty) == (GAD7_CALM, 2, "very_difficult")
    assert f"{SPANISH_DIFFICULTY} Muy difícil" in text_of(client.get(page_url(gad7)).content.decode())


def test_change_your_answers_shows_the_form_again_with_the_answers_chosen(patient, infusion):
    _, _, gad7 = infusion

    html = signed_in(patient).post(page_url(gad7), answers_of(GAD7_CALM) | {"change": "yes"}).content.decode()

    assert legends(html) == [*GAD7_LEGENDS, DIFFICULTY]
    assert "error-summary" not in html
    assert 'value="1" required id="id_item_1_1" checked' in html
    gad7.refresh_from_db()
    assert gad7.answered_at is None


def test_a_self_harm_answer_raises_the_alert_and_the_patient_reads_a_calm_message_with_the_crisis_line(
    patient, infusion, clinician_user
):
    appointment, phq9, _ = infusion
    client = signed_in(patient)

    client.post(page_url(phq9), answers_of([0, 0, 0, 0, 0, 0, 0, 0, 1]) | {"confirm": "yes"})

    alert = Alert.objects.get()
    assert (alert.kind, alert.questionnaire, alert.appointment, alert.patient, alert.resolved_at) == (
        AlertKind.SELF_HARM,
        phq9,
        appointment,
        patient,
        None,
    )
    page = text_of(client.get(page_url(phq9)).content.decode())
    assert "Thank you for telling us" in page
    assert "A member of your care team will contact you soon to talk with you about how you are feeling." in page
    assert CRISIS_LINE in page
    assert "Your total is 1 out of 27, in the lowest range." in page
    # A clinician's note never reaches the patient.
    Alert.objects.filter(pk=alert.pk).update(
        resolved_at=timezone.now(), resolved_by=clinician_user, note="Called her; safety plan in place."
    )
    for url in (page_url(phq9), "/account/"):
        assert "safety plan" not in client.get(url).content.decode()


def test_an_answered_check_in_shows_the_answers_and_cannot_be_answered_again(patient, infusion):
    _, phq9, _ = infusion
    answered(phq9, PHQ9_CALM, at=OPEN_NOW - timedelta(minutes=5))

    response = signed_in(patient).post(page_url(phq9), answers_of([3] * 9) | {"confirm": "yes"})

    assert response.status_code == 200
    assert "Your total is 3 out of 27, in the lowest range." in text_of(response.content.decode())
    phq9.refresh_from_db()
    assert (phq9.items, phq9.total) == (PHQ9_CALM, 3)


def test_another_patients_check_in_answers_404_and_nothing_is_written(other_patient, infusion):
    _, phq9, _ = infusion
    client = signed_in(other_patient)

    assert client.get(page_url(phq9)).status_code == 404
    assert client.post(page_url(phq9), answers_of(PHQ9_CALM) | {"confirm": "yes"}).status_code == 404
    phq9.refresh_from_db()
    assert phq9.answered_at is None


def test_a_check_in_not_open_yet_or_closed_answers_404(patient, demo_clinic):
    plan = plan_of(patient)
    _, later, _ = infusion_with_questionnaires(plan, starts_at=START + timedelta(days=7))
    _, closed, _ = infusion_with_questionnaires(plan, status=AppointmentStatus.CANCELLED)
    client = signed_in(patient)

    assert client.get(page_url(later)).status_code == 404
    assert client.get(page_url(closed)).status_code == 404
    assert client.post(page_url(closed), answers_of(PHQ9_CALM) | {"confirm": "yes"}).status_code == 404
    assert not Questionnaire.objects.filter(answered_at__isnull=False).exists()


@pytest.mark.parametrize("role", [Role.NURSE, Role.CLINICIAN, Role.ADMIN, Role.THERAPIST])
def test_staff_do_not_reach_the_patients_check_in_page(role, infusion):
    _, phq9, _ = infusion

    response = signed_in(UserFactory(role=role)).post(page_url(phq9), answers_of(PHQ9_CALM) | {"confirm": "yes"})

    assert response.status_code == 403
    phq9.refresh_from_db()
    assert phq9.answered_at is None


def test_signed_out_visitors_are_sent_to_sign_in(infusion):
    _, phq9, _ = infusion

    response = Client().get(page_url(phq9))

    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


def test_sending_answers_needs_the_csrf_token(patient, infusion):
    _, phq9, _ = infusion

    response = signed_in(patient, enforce_csrf_checks=True).post(
        page_url(phq9), answers_of(PHQ9_CALM) | {"confirm": "yes"}
    )

    assert response.status_code == 403
    phq9.refresh_from_db()
    assert phq9.answered_at is None


def outcome_words(client: Client) -> str:
    html = client.get("/account/").content.decode()
    section = html[html.index('id="treatment-title"') : html.index("</section>", html.index('id="treatment-title"'))]
    return text_of(section)


@pytest.mark.parametrize(
    ("latest_items", "expected"),
    [
        # The first check-in of the plan scored 18 (below); the evaluation's 15 is never a measure
        # for the patient (tests/web/test_outcome_not_derivable.py).
        (
            [1, 1, 1, 1, 1, 1, 1, 0, 0],
            "Your latest check-in about how you have been feeling scored 7 out of 27. Lower scores mean you have "
            "been feeling better. That is 61% lower than at your first check-in. Your score has come down by half "
            "or more since your first check-in: a clear improvement.",
        ),
        (
            [1, 1, 1, 1, 0, 0, 0, 0, 0],
            "Your latest check-in about how you have been feeling scored 4 out of 27. Lower scores mean you have "
            "been feeling better. That is 78% lower than at your first check-in. Your latest score is in the lowest "
            "range: few or no signs of low mood.",
        ),
        (
            [2, 2, 2, 2, 1, 1, 0, 0, 0],
            "Your latest check-in about how you have been feeling scored 10 out of 27. Lower scores mean you have "
            "been feeling better. That is 44% lower than at your first check-in.",
        ),
        (
            [3, 3, 3, 2, 2, 2, 2, 2, 0],
            "Your latest check-in about how you have been feeling scored 19 out of 27. Lower scores mean you have "
            "been feeling better. That is 6% higher than at your first check-in. Your care team will talk this "
            "through with you.",
        ),
        (
            [2, 2, 2, 2, 2, 2, 2, 2, 2],
            "Your latest check-in about how you have been feeling scored 18 out of 27. Lower scores mean you have "
            "been feeling better. That is the same as at your first check-in.",
        ),
    ],
)
def test_the_outcome_reads_in_plain_words_from_the_latest_answer(patient, demo_clinic, latest_items, expected):
    plan = plan_of(patient)
    _, earlier, _ = infusion_with_questionnaires(plan, starts_at=START - timedelta(days=3), status=GIVEN)
    answered(earlier, [2] * 9, at=START - timedelta(days=4))
    _, latest, _ = infusion_with_questionnaires(plan)
    answered(latest, latest_items, at=OPEN_NOW - timedelta(hours=1))

    words = outcome_words(signed_in(patient))

    assert words.endswith(expected)
    assert "How you are doing" in words


def test_below_10_at_the_first_check_in_there_is_no_remission(patient, demo_clinic):
    plan = plan_of(patient)
    _, earlier, _ = infusion_with_questionnaires(plan, starts_at=START - timedelta(days=3), status=GIVEN)
    answered(earlier, [1] * 9, at=START - timedelta(days=4))
    _, latest, _ = infusion_with_questionnaires(plan)
    answered(latest, [1, 1, 1, 1, 0, 0, 0, 0, 0], at=OPEN_NOW - timedelta(hours=1))

    words = outcome_words(signed_in(patient))

    assert words.endswith(
        "Your latest check-in about how you have been feeling scored 4 out of 27. Lower scores mean you have "
        "been feeling better. That is 56% lower than at your first check-in. Your score has come down by half "
        "or more since your first check-in: a clear improvement."
    )


def test_before_an_infusion_was_given_there_is_no_outcome(patient, demo_clinic):
    plan = plan_of(patient)
    _, first, _ = infusion_with_questionnaires(plan, starts_at=START - timedelta(days=1))
    answered(first, [2] * 9, at=START - timedelta(days=3))
    _, second, _ = infusion_with_questionnaires(plan)
    answered(second, [1] * 9, at=OPEN_NOW - timedelta(hours=1))  # before the first one was given

    assert "How you are doing" not in outcome_words(signed_in(patient))


def test_before_any_answer_there_is_no_outcome_and_never_the_evaluations_score(patient, infusion):
    words = outcome_words(signed_in(patient))

    assert "How you are doing" not in words
    assert "15" not in words  # the evaluation's PHQ-9 (a screening value the patient never sees)


def test_a_check_in_closed_while_the_patient_checked_the_answers_says_so_and_writes_nothing(
    patient, infusion, monkeypatch
):
    # The infusion starts between "Continue" and "Send answers": the service refuses.
    _, phq9, _ = infusion
    client = signed_in(patient)
    client.post(page_url(phq9), answers_of(PHQ9_CALM))
    real_answer = questionnaire_pages.questionnaire_answer

    def closed_meanwhile(**kwargs):
        Questionnaire.objects.filter(pk=phq9.pk).update(closed_at=timezone.now())
        return real_answer(**kwargs)

    monkeypatch.setattr(questionnaire_pages, "questionnaire_answer", closed_meanwhile)

    response = client.post(page_url(phq9), answers_of(PHQ9_CALM) | {"confirm": "yes"}, follow=True)

    assert response.redirect_chain == [("/account/#checkins-title", 302)]
    assert (
        "This check-in is closed: your session has begun, or it was moved or cancelled. Nothing was saved."
        in text_of(response.content.decode())
    )
    phq9.refresh_from_db()
    assert (phq9.answered_at, phq9.items) == (None, None)


def test_an_answer_the_service_refuses_comes_back_beside_its_question(patient, infusion, monkeypatch):
    _, phq9, _ = infusion

    def refuse(**kwargs):
        raise ClinicalError("Some answers are missing.", code="invalid_answers", fields={"items.6": ["Out of range."]})

    monkeypatch.setattr(questionnaire_pages, "questionnaire_answer", refuse)

    response = signed_in(patient).post(page_url(phq9), answers_of(PHQ9_CALM) | {"confirm": "yes"})

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<ul class="errorlist" id="id_item_6_error"><li>Choose one of the four answers to question 6.</li></ul>' in html
    )
    assert legends(html) == [*PHQ9_LEGENDS, DIFFICULTY]


def test_answers_the_clinic_entered_with_the_patient_say_so(patient, infusion, nurse_user):
    _, phq9, _ = infusion
    answered(phq9, PHQ9_CALM, at=OPEN_NOW - timedelta(hours=1), by=nurse_user)
    Questionnaire.objects.filter(pk=phq9.pk).update(on_behalf=True)

    page = text_of(signed_in(patient).get(page_url(phq9)).content.decode())

    assert (
        "Answered on Saturday, December 5, 2026 at 9:00 AM Pacific Time. The clinic entered these answers with you."
        in page
    )


def test_the_account_reads_its_check_ins_in_a_fixed_number_of_queries(patient, demo_clinic, django_assert_num_queries):
    plan = plan_of(patient)
    client = signed_in(patient)
    _, first, _ = infusion_with_questionnaires(plan)
    answered(first, PHQ9_CALM, at=OPEN_NOW - timedelta(hours=1))
    client.get("/account/")  # the session's first request does its one-off work
    with CaptureQueriesContext(connection) as with_one_visit:
        client.get("/account/")
    for days in (1, 2, 3):
        _, phq9, _ = infusion_with_questionnaires(plan, starts_at=START + timedelta(days=days, hours=1))
        answered(phq9, PHQ9_CALM, at=OPEN_NOW - timedelta(hours=days))

    with django_assert_num_queries(len(with_one_visit.captured_queries)):
        html = client.get("/account/").content.decode()

    assert text_of(html).count("Total 3 out of 27, in the lowest range.") == 4
