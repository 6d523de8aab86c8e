"""The regulated record's staff pages of an infusion (web/staff/urls.py lists them before the
session record's ``<slug:step>`` route, which would otherwise take ``regulated``)."""

from django.urls import path

from web.staff import regulated

urlpatterns = [
    path("infusions/<uuid:appointment_id>/regulated/", regulated.regulated_page, name="staff-infusion-regulated"),
    path(
        "infusions/<uuid:appointment_id>/regulated/pregnancy-test/",
        regulated.regulated_pregnancy_test,
        name="staff-infusion-pregnancy-test",
    ),
    path(
        "infusions/<uuid:appointment_id>/regulated/medications/",
        regulated.regulated_medications,
        name="staff-infusion-medication-list",
    ),
    path(
        "infusions/<uuid:appointment_id>/regulated/paper-consent/",
        regulated.regulated_paper_consent,
        name="staff-infusion-paper-consent",
    ),
]
