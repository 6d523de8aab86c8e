"""Once the log has an infusion's administration and waste, the session record's dose given stays
as the log recorded it: a change is refused (409 ``dose_logged``) and nothing is written; before
that, and for the other fields, the record changes as usual."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from clinical.errors import ClinicalConflictError
from clinical.models import ClinicalAccess, InfusionRecord
from clinical.services.infusions import infusion_record_update
from controlled.services.infusions import infusion_administration_record, infusion_draw
from tests.controlled.fixtures import dose_given, signature, under_way, vial

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("during")]


def reconciled_at_35_of_40(nurse, witness):
    """An infusion that drew 40.0 mg, gave 35.0 and logged the 5.0 left as wasted."""
    container = vial(nurse)
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("40.0"))
    dose_given(nurse, infusion, "35.0")
    infusion_administration_record(actor=nurse, appointment_id=infusion.pk, witness=signature(witness))
    return infusion


def record_of(infusion) -> tuple[Decimal | None, str]:
    record = InfusionRecord.objects.get(appointment=infusion)
    return record.dose_given_mg, record.dose_reason


def test_a_logged_dose_given_cannot_change_and_nothing_is_written(nurse, witness, demo_clinic):
    infusion = reconciled_at_35_of_40(nurse, witness)
    before = (record_of(infusion), ClinicalAccess.objects.count())

    with pytest.raises(ClinicalConflictError) as refused:
        infusion_record_update(
            actor=nurse, appointment_id=infusion.pk, changes={"dose_given_mg": Decimal("30.0"), "dose_reason": "x"}
        )

    assert (refused.value.code, refused.value.status_code) == ("dose_logged", 409)
    assert refused.value.fields == {"dose_given_mg": ["Recorded in the controlled-substance log."]}
    assert (record_of(infusion), ClinicalAccess.objects.count()) == before
    with pytest.raises(ClinicalConflictError):  # clearing it is a change too
        infusion_record_update(actor=nurse, appointment_id=infusion.pk, changes={"dose_given_mg": None})


def test_the_same_dose_and_the_other_fields_still_change(nurse, witness, demo_clinic):
    infusion = reconciled_at_35_of_40(nurse, witness)
    infusion_record_update(
        actor=nurse,
        appointment_id=infusion.pk,
        changes={"dose_given_mg": Decimal("35.0"), "dose_reason": "Stopped at 35 mg: nausea."},
    )
    assert record_of(infusion) == (Decimal("35.0"), "Stopped at 35 mg: nausea.")


def test_before_the_log_has_it_the_dose_given_may_change(nurse, demo_clinic):
    container = vial(nurse)
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("40.0"))
    dose_given(nurse, infusion, "35.0")
    dose_given(nurse, infusion, "32.0")
    assert record_of(infusion)[0] == Decimal("32.0")


def test_the_api_answers_409_dose_logged(client_for, nurse, witness, demo_clinic):
    infusion = reconciled_at_35_of_40(nurse, witness)
    refused = client_for(nurse).patch(f"/api/v1/infusions/{infusion.pk}/", {"dose_given_mg": "30.0"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "dose_logged"
    assert refused.json()["fields"] == {"dose_given_mg": ["Recorded in the controlled-substance log."]}
    assert record_of(infusion)[0] == Decimal("35.0")


def test_the_session_page_says_why_beside_the_dose(nurse, witness, demo_clinic):
    infusion = reconciled_at_35_of_40(nurse, witness)
    page = Client()
    page.force_login(nurse)
    refused = page.post(
        f"/staff/infusions/{infusion.pk}/dose/", {"dose-dose_given_mg": "30.0", "dose-dose_reason": "Stopped early."}
    )
    assert refused.status_code in (400, 409)
    assert "The controlled-substance log has recorded this dose as given" in refused.content.decode()
    assert record_of(infusion) == (Decimal("35.0"), "")


def test_the_session_page_offers_the_dose_form_until_the_log_has_the_dose(nurse, witness, demo_clinic):
    container = vial(nurse)
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("40.0"))
    dose_given(nurse, infusion, "35.0")
    page = Client()
    page.force_login(nurse)
    before = page.get(f"/staff/infusions/{infusion.pk}/").content.decode()
    assert "Record dose given" in before
    assert "can no longer change here" not in before

    infusion_administration_record(actor=nurse, appointment_id=infusion.pk, witness=signature(witness))
    after = page.get(f"/staff/infusions/{infusion.pk}/").content.decode()
    assert "Record dose given" not in after
    assert "The controlled-substance log has this dose as given" in after
    assert "35.0 mg" in after
