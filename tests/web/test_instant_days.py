"""An instant shown as a day is the clinic's calendar day, not UTC's: a consent signed at 18:30 in
California on 11 December is already 12 December in UTC, and a page must say the 11th."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.template import Context, Template
from django.test import Client

from tests.clinical.infusion_fixtures import LA, check_in, infusion_appointment
from tests.clinical.regulated_fixtures import consent_document, consented
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

EVENING = datetime(2026, 12, 11, 18, 30, tzinfo=LA)  # 02:30 on the 12th in UTC


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_the_account_shows_the_consent_on_the_clinic_day_it_was_signed(demo_clinic):
    patient = PatientFactory(language="en")
    consented(patient, at=EVENING, document=consent_document(version=1))
    page = signed_in(patient).get("/account/").content.decode()
    assert "signed on paper on Friday, December 11, 2026" in page
    assert "December 12" not in page


def test_the_staff_record_shows_the_consent_on_the_clinic_day_it_was_signed(demo_clinic, nurse_user):
    appointment = infusion_appointment()
    check_in(appointment, nurse_user)
    consented(appointment.patient, at=EVENING, document=consent_document(version=2))
    page = signed_in(nurse_user).get(f"/staff/infusions/{appointment.pk}/regulated/").content.decode()
    assert "Friday, December 11, 2026" in page
    assert "Saturday, December 12, 2026" not in page


def test_an_evening_infusion_links_back_to_its_own_day_board(demo_clinic, nurse_user):
    appointment = infusion_appointment(starts_at=datetime(2026, 12, 11, 17, 0, tzinfo=LA))  # 01:00 UTC on the 12th
    page = signed_in(nurse_user).get(f"/staff/infusions/{appointment.pk}/").content.decode()
    assert "/staff/day/?date=2026-12-11" in page


def test_day_year_refuses_an_instant_so_a_page_never_shows_utcs_day():
    with pytest.raises(TypeError):
        Template("{% load clinic_time %}{{ at|day_year }}").render(Context({"at": EVENING}))
    shown = Template("{% load clinic_time %}{{ at|instant_day:zone }}").render(Context({"at": EVENING, "zone": LA}))
    assert shown == "Friday, December 11, 2026"
