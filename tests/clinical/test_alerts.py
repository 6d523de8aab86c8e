"""Resolving alerts: who may, with what, once; overdue readings come and go with the schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clinical.errors import ClinicalError
from clinical.models import Alert, ClinicalAccess
from clinical.services.alerts import alert_acknowledge
from clinical.services.infusions import infusion_vitals_record
from tests.clinical.infusion_fixtures import NORMAL, START, infusion_appointment, self_harm_alert, start

pytestmark = pytest.mark.django_db


def threshold_alert(nurse) -> Alert:
    appointment = infusion_appointment()
    start(appointment, nurse)
    recorded = infusion_vitals_record(
        actor=nurse, appointment_id=appointment.pk, now=START + timedelta(minutes=10), **{**NORMAL, "spo2": 89}
    )
    assert recorded.alert is not None
    return recorded.alert


def refused(call, code: str, status: int) -> ClinicalError:
    with pytest.raises(ClinicalError) as caught:
        call()
    assert (caught.value.code, caught.value.status_code) == (code, status)
    return caught.value


def unresolved(alert: Alert) -> bool:
    return Alert.objects.filter(pk=alert.pk, resolved_at__isnull=True, action="", note="").exists()


def test_a_clinician_may_record_the_action_on_a_reading_too(demo_clinic, nurse_user, clinician_user):
    alert = threshold_alert(nurse_user)
    resolved = alert_acknowledge(actor=clinician_user, alert_id=alert.pk, action="stopped", request_id="req-ack")
    assert (resolved.action, resolved.note, resolved.resolved_by_id) == ("stopped", "", clinician_user.pk)
    audit = ClinicalAccess.objects.filter(action="acknowledge").values_list("actor_id", "object_type", "object_id")
    assert list(audit) == [(clinician_user.pk, "alert", alert.pk)]


def test_a_reading_alert_needs_an_action(demo_clinic, nurse_user):
    alert = threshold_alert(nurse_user)
    error = refused(
        lambda: alert_acknowledge(actor=nurse_user, alert_id=alert.pk, note="Fine."), "action_required", 400
    )
    assert error.fields == {"action": ["Required."]}
    refused(lambda: alert_acknowledge(actor=nurse_user, alert_id=alert.pk, action="ignored"), "action_required", 400)
    assert unresolved(alert)


def test_an_alert_is_resolved_once(demo_clinic, nurse_user):
    alert = threshold_alert(nurse_user)
    alert_acknowledge(actor=nurse_user, alert_id=alert.pk, action="continued", now=START + timedelta(minutes=11))
    refused(lambda: alert_acknowledge(actor=nurse_user, alert_id=alert.pk, action="paused"), "alert_resolved", 409)
    alert.refresh_from_db()
    assert (alert.action, alert.resolved_at) == ("continued", START + timedelta(minutes=11))


def test_only_a_clinician_acknowledges_a_self_harm_answer_with_a_note(demo_clinic, nurse_user, clinician_user):
    alert = self_harm_alert(infusion_appointment())
    refused(lambda: alert_acknowledge(actor=nurse_user, alert_id=alert.pk, note="Seen."), "permission_denied", 403)
    refused(lambda: alert_acknowledge(actor=clinician_user, alert_id=alert.pk, note="  "), "note_required", 400)
    refused(
        lambda: alert_acknowledge(actor=clinician_user, alert_id=alert.pk, action="continued", note="Seen."),
        "action_not_applicable",
        400,
    )
    assert unresolved(alert)
    resolved = alert_acknowledge(
        actor=clinician_user, alert_id=alert.pk, note="Safety plan reviewed.", now=START - timedelta(minutes=30)
    )
    assert (resolved.note, resolved.action, resolved.resolved_at) == (
        "Safety plan reviewed.",
        "",
        START - timedelta(minutes=30),
    )


@pytest.mark.parametrize("role", ["therapist_user", "admin_user", "patient"])
def test_other_roles_resolve_no_alert(demo_clinic, nurse_user, role, request):
    alert = threshold_alert(nurse_user)
    actor = request.getfixturevalue(role)
    refused(lambda: alert_acknowledge(actor=actor, alert_id=alert.pk, action="continued"), "permission_denied", 403)
    assert unresolved(alert)
    assert not ClinicalAccess.objects.filter(action="acknowledge").exists()


def test_an_unknown_alert_is_not_found(demo_clinic, nurse_user):
    refused(lambda: alert_acknowledge(actor=nurse_user, alert_id=Alert().pk, action="continued"), "not_found", 404)
