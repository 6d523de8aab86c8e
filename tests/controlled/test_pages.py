"""The controlled-substance log's staff pages without a browser: each page answers, a draw and a
witnessed waste through their forms, a refusal shown beside its field with nothing written, the
count, the report and inventory as page, CSV and PDF (read back with pypdf), and the access log."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from pypdf import PdfReader

from accounts.models import User
from controlled.models import DailyCount, LedgerEntry
from controlled.services.infusions import infusion_draw
from core.models import PatientDataAccess
from core.roles import Role
from tests.accounts.otp import totp_code
from tests.controlled.fixtures import DAY, dose_given, staff, under_way, vial
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("during")]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def witness_fields(witness: User, prefix: str = "") -> dict[str, str]:
    return {
        f"{prefix}witness_email": witness.email,
        f"{prefix}witness_password": TEST_PASSWORD,
        f"{prefix}witness_otp": totp_code(witness),
    }


@pytest.fixture
def infusion(nurse, demo_clinic):
    return under_way(nurse)


def test_a_draw_then_the_administration_with_a_witnessed_waste_through_the_pages(nurse, witness, infusion):
    container = vial(nurse)
    client = signed_in(nurse)
    url = f"/staff/controlled/infusions/{infusion.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert infusion.patient.full_name in page.content.decode()

    drawn = client.post(url + "draw/", {"draw-container": str(container.pk), "draw-mg": "40.0"})
    assert drawn.status_code == 302
    dose_given(nurse, infusion, "35.0")
    shown = client.get(url).content.decode()
    assert "5.0 mg to waste" in shown
    done = client.post(url + "administration/", witness_fields(witness, "administration-"))

    assert done.status_code == 302
    assert list(LedgerEntry.objects.order_by("id").values_list("kind", "quantity_mg")) == [
        ("receipt", Decimal("500.0")),
        ("draw", Decimal("40.0")),
        ("administration", Decimal("35.0")),
        ("waste", Decimal("5.0")),
    ]
    assert "Wasted: 5.0 mg (lot KX2291)" in client.get(url).content.decode()
    reads = PatientDataAccess.objects.filter(what="staff-controlled-infusion")
    assert {tuple(read.patient_ids) for read in reads} == {(str(infusion.patient_id),)}


def test_a_wrong_witness_code_is_shown_beside_the_field_and_nothing_is_written(nurse, witness, infusion):
    container = vial(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("40.0"))
    dose_given(nurse, infusion, "35.0")
    fields = {**witness_fields(witness, "administration-"), "administration-witness_otp": "000000"}

    refused = signed_in(nurse).post(f"/staff/controlled/infusions/{infusion.pk}/administration/", fields)

    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'role="alert"' in html
    assert "Witness code: The witness&#x27;s code is not right, or it was used already." in html
    assert LedgerEntry.objects.filter(kind__in=["administration", "waste"]).count() == 0


def test_a_draw_beyond_the_balance_is_refused_on_the_page(nurse, infusion):
    container = vial(nurse, concentration_mg_per_ml=Decimal("10.00"), volume_ml=Decimal("5.00"))
    refused = signed_in(nurse).post(
        f"/staff/controlled/infusions/{infusion.pk}/draw/", {"draw-container": str(container.pk), "draw-mg": "50.1"}
    )
    assert refused.status_code == 400
    assert "Drawn (mg): The container holds less than that: nothing was written." in refused.content.decode()
    assert LedgerEntry.objects.filter(kind="draw").count() == 0


def test_the_count_through_its_page_and_the_board_says_so(nurse, witness, infusion):
    container = vial(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("35.0"))
    client = signed_in(nurse)
    board = client.get(f"/staff/day/?date={DAY.isoformat()}").content.decode()
    assert "Controlled-substance count on Monday, December 7, 2026: <strong>due</strong>" in board
    form = client.get("/staff/controlled/count/").content.decode()
    assert "9.30" not in form  # a blind count: the book's figures are not shown

    counted = client.post(
        "/staff/controlled/count/",
        {"containers_counted": "1", f"ml_{container.pk}": "9.30", **witness_fields(witness)},
    )

    assert counted.status_code == 302
    assert DailyCount.objects.get().agrees
    board = client.get(f"/staff/day/?date={DAY.isoformat()}").content.decode()
    assert '<span class="confirmed">done</span>' in board


def test_a_disagreeing_count_shows_on_the_board_until_a_clinician_resolves_it(nurse, witness, clinician, demo_clinic):
    vial(nurse)
    signed_in(nurse).post("/staff/controlled/count/", {"containers_counted": "0", **witness_fields(witness)})
    count = DailyCount.objects.get()
    assert count.reasons == ["container_number"]
    doctor = signed_in(clinician)
    assert "A count discrepancy is open" in doctor.get(f"/staff/day/?date={DAY.isoformat()}").content.decode()

    resolved = doctor.post(
        f"/staff/controlled/discrepancies/{count.alert_id}/resolve/",
        {f"resolve-{count.alert_id}-note": "The vial was in the fridge; recounted, 1."},
    )

    assert resolved.status_code == 302
    assert "A count discrepancy is open" not in doctor.get(f"/staff/day/?date={DAY.isoformat()}").content.decode()


def test_the_report_as_page_csv_and_pdf(nurse, witness, clinician, infusion):
    container = vial(nurse)
    infusion_draw(actor=nurse, appointment_id=infusion.pk, container_id=container.pk, mg=Decimal("35.0"))
    client = signed_in(clinician)
    query = f"?date_from={DAY.isoformat()}&date_to={DAY.isoformat()}"

    page = client.get("/staff/controlled/report/" + query).content.decode()
    as_csv = client.get("/staff/controlled/report/" + query + "&format=csv")
    as_pdf = client.get("/staff/controlled/report/" + query + "&format=pdf")

    assert "465.0" in page
    assert infusion.patient.full_name in page
    rows = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert rows[1:3] == [["received_mg", "500.0"], ["drawn_mg", "35.0"]]
    assert as_pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(as_pdf.content)).pages)
    assert "Controlled-substance log: 2026-12-07 to 2026-12-07" in text
    assert "465.0" in text
    assert PatientDataAccess.objects.filter(what="staff-controlled-report").count() == 3


def test_the_inventory_as_page_csv_and_pdf(nurse, clinician, demo_clinic):
    vial(nurse, number=2)
    client = signed_in(clinician)
    page = client.get(f"/staff/controlled/inventory/?date={DAY.isoformat()}").content.decode()
    as_csv = client.get(f"/staff/controlled/inventory/?date={DAY.isoformat()}&format=csv").content.decode()
    as_pdf = client.get(f"/staff/controlled/inventory/?date={DAY.isoformat()}&format=pdf").content
    assert "1000.0" in page
    assert list(csv.reader(io.StringIO(as_csv)))[-1][-2] == "1000.0"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(as_pdf)).pages)
    assert "inventory at the close of 2026-12-07" in text
    assert "1000.0" in text


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/staff/controlled/", {Role.NURSE, Role.CLINICIAN, Role.ADMIN}),
        ("/staff/controlled/receive/", {Role.NURSE, Role.CLINICIAN}),
        ("/staff/controlled/count/", {Role.NURSE, Role.CLINICIAN}),
        ("/staff/controlled/report/", {Role.CLINICIAN, Role.ADMIN}),
        ("/staff/controlled/inventory/", {Role.CLINICIAN, Role.ADMIN}),
    ],
)
def test_who_may_open_each_page(demo_clinic, patient, url, allowed):
    for role in (Role.NURSE, Role.CLINICIAN, Role.THERAPIST, Role.ADMIN):
        assert signed_in(staff(role)).get(url).status_code == (200 if role in allowed else 403), (url, role)
    assert signed_in(patient).get(url).status_code == 403
