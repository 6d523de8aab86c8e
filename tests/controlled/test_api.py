"""The controlled-substance log's API: answers and error shapes, nothing written on a refusal,
every read that names a patient in the access log, the report as CSV, and a count discrepancy
resolved through the alerts API. (Every route by every role: tests/test_route_permissions.py.)"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from clinical.models import Alert
from controlled.models import Container, DailyCount, LedgerEntry
from controlled.services.infusions import infusion_draw
from core.models import PatientDataAccess
from tests.accounts.otp import totp_code
from tests.controlled.fixtures import DAY, dose_given, under_way, vial
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("during")]


def witness_body(witness) -> dict[str, str]:
    return {"witness_email": witness.email, "witness_password": TEST_PASSWORD, "witness_otp": totp_code(witness)}


def test_a_draw_and_a_witnessed_administration_through_the_api(client_for, nurse, witness, demo_clinic):
    container = vial(nurse)
    infusion = under_way(nurse)
    api = client_for(nurse)
    url = f"/api/v1/controlled/infusions/{infusion.pk}/"

    drawn = api.post(url + "draws/", {"container": str(container.pk), "mg": "40.0"}, format="json")
    dose_given(nurse, infusion, "35.0")
    done = api.post(url + "administration/", witness_body(witness), format="json")

    assert drawn.status_code == 201
    assert (drawn.json()["drawn_mg"], drawn.json()["entries"][0]["balance_after_mg"]) == ("40.0", "460.0")
    assert done.status_code == 201
    body = done.json()
    assert (body["given_mg"], body["wasted_mg"], body["reconciled"]) == ("35.0", "5.0", True)
    assert [entry["kind"] for entry in body["entries"]] == ["draw", "administration", "waste"]
    assert body["entries"][2]["witness"]["id"] == str(witness.pk)
    assert PatientDataAccess.objects.filter(what="api:controlled-infusion").count() == 2


def test_a_draw_beyond_the_balance_is_a_409_in_the_error_shape_and_writes_nothing(client_for, nurse, demo_clinic):
    container = vial(nurse, concentration_mg_per_ml=Decimal("10.00"), volume_ml=Decimal("5.00"))
    infusion = under_way(nurse)
    refused = client_for(nurse).post(
        f"/api/v1/controlled/infusions/{infusion.pk}/draws/",
        {"container": str(container.pk), "mg": "50.1"},
        format="json",
    )
    assert refused.status_code == 409
    assert refused.json() == {
        "code": "insufficient_stock",
        "detail": "The container holds less than that: nothing was written.",
        "fields": {"mg": ["More than the container holds."]},
    }
    assert LedgerEntry.objects.filter(kind="draw").count() == 0
    assert Container.objects.get().balance_mg == Decimal("50.0")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"witness_password": "wrong-password"}, "witness_password_invalid"),
        ({"witness_otp": "000000"}, "witness_otp_invalid"),
        ({"witness_email": "", "witness_password": "", "witness_otp": ""}, "witness_required"),
    ],
)
def test_a_witness_refused_through_the_api_writes_nothing(client_for, nurse, witness, demo_clinic, change, code):
    container = vial(nurse)
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("40.0"))
    dose_given(nurse, infusion, "35.0")
    refused = client_for(nurse).post(
        f"/api/v1/controlled/infusions/{infusion.pk}/administration/",
        {**witness_body(witness), **change},
        format="json",
    )
    assert (refused.status_code, refused.json()["code"]) == (400, code)
    assert LedgerEntry.objects.filter(kind__in=["administration", "waste"]).count() == 0


def test_the_report_as_json_and_csv_is_in_the_access_log(client_for, nurse, clinician, demo_clinic):
    container = vial(nurse)
    infusion = under_way(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("35.0"))
    api = client_for(clinician)
    url = f"/api/v1/controlled/report/?date_from={DAY}&date_to={DAY}"

    as_json = api.get(url)
    as_csv = api.get(url, HTTP_ACCEPT="text/csv")

    assert as_json.json()["totals"] == {
        "received_mg": "500.0",
        "drawn_mg": "35.0",
        "administered_mg": "0.0",
        "wasted_not_given_mg": "0.0",
        "wasted_stock_mg": "0.0",
        "corrections_mg": "0.0",
        "opening_mg": "0.0",
        "closing_mg": "465.0",
        "balanced": True,
    }
    assert as_json.json()["entries"][1]["patient"]["id"] == str(infusion.patient_id)
    assert as_csv["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert ["closing_mg", "465.0"] in rows
    reads = PatientDataAccess.objects.filter(what="api:controlled-report")
    assert [read.patient_ids for read in reads] == [[str(infusion.patient_id)]] * 2
    assert client_for(nurse).get(url).status_code == 403  # the report is for clinicians and the admin


def test_a_count_discrepancy_is_resolved_through_the_alerts_api_by_a_clinician(
    client_for, nurse, witness, clinician, demo_clinic
):
    vial(nurse)
    counted = client_for(nurse).post(
        "/api/v1/controlled/counts/", {"containers_counted": 0, "open_ml": [], **witness_body(witness)}, format="json"
    )
    assert counted.status_code == 201
    assert (counted.json()["agrees"], counted.json()["reasons"]) == (False, ["container_number"])
    alert_id = counted.json()["alert"]
    status = client_for(nurse).get(f"/api/v1/controlled/counts/?date={DAY}").json()
    assert [d["id"] for d in status["open_discrepancies"]] == [alert_id]

    nurse_tries = client_for(nurse).post(
        f"/api/v1/alerts/{alert_id}/acknowledge/", {"note": "Recounted."}, format="json"
    )
    resolved = client_for(clinician).post(
        f"/api/v1/alerts/{alert_id}/acknowledge/", {"note": "Recounted."}, format="json"
    )

    assert nurse_tries.status_code == 403
    assert resolved.status_code == 200
    assert (resolved.json()["kind"], resolved.json()["appointment"]) == ("count_discrepancy", None)
    assert Alert.objects.get().resolved_by == clinician
    assert DailyCount.objects.count() == 1
