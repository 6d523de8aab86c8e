"""The start gate on the session record page (SPEC.md section 10): the nurse records the medication
review, is refused the start with a 170/105 baseline and reads why in words, a clinician records
the pre-dose override (a nurse cannot), then the nurse starts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from booking.models import AppointmentStatus
from clinical.models import InfusionRecord, PredoseOverride
from core.roles import Role
from tests.clinical.infusion_fixtures import CHECK_IN, START, answer_questionnaires, check_in, reading
from tests.factories import UserFactory
from tests.web.test_infusion_pages import infusion, nurse, page_url, signed_in, text_of  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_high_baseline_is_refused_in_words_until_a_clinician_overrides(infusion, nurse):  # noqa: F811
    with time_machine.travel(START, tick=False):
        client = signed_in(nurse)
        check_in(infusion, nurse, at=CHECK_IN)
        answer_questionnaires(infusion, at=CHECK_IN)
        assert client.post(page_url(infusion, "weight"), {"weight-weight_kg": "70.0"}).status_code == 302
        reading(infusion, nurse, at=START - timedelta(minutes=2), systolic=170, diastolic=105)
        refused = client.post(page_url(infusion, "start"))
        assert refused.status_code == 409
        words = text_of(refused)
        assert "The medication list has not been reviewed at check-in." in words
        assert (
            "The baseline reading is outside the pre-dose limits and no clinician has recorded a pre-dose "
            "override since: systolic 170, at or above 160; diastolic 105, at or above 100." in words
        )
        assert "Record pre-dose override" not in words  # the nurse has no override form
        reviewed = client.post(page_url(infusion, "medications"), {"medications-medications_review": "no_change"})
        assert reviewed.status_code == 302
        assert InfusionRecord.objects.get(appointment=infusion).medications_review == "no_change"
        assert client.post(page_url(infusion, "predose-override"), {"override-note": "Fine."}).status_code == 403
        assert not PredoseOverride.objects.exists()

        clinician = signed_in(UserFactory(role=Role.CLINICIAN))
        assert "Record pre-dose override" in text_of(clinician.get(page_url(infusion)))
        empty = clinician.post(page_url(infusion, "predose-override"), {"override-note": ""})
        assert (empty.status_code, PredoseOverride.objects.count()) == (400, 0)
        note = "Known hypertension, usual for her; reviewed."
        done = clinician.post(page_url(infusion, "predose-override"), {"override-note": note})
        assert done.status_code == 302
        assert "Pre-dose override at 9:00 AM" in text_of(client.get(page_url(infusion)))
        assert client.post(page_url(infusion, "start")).status_code == 302
    infusion.refresh_from_db()
    assert infusion.status == AppointmentStatus.IN_PROGRESS
