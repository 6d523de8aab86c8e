"""The controlled-substance log's staff pages, /staff/controlled/... (web/staff/urls.py lists them)."""

from django.urls import path

from web.staff import controlled, controlled_reports

urlpatterns = [
    path("controlled/", controlled.controlled_stock, name="staff-controlled"),
    path("controlled/receive/", controlled.controlled_receive, name="staff-controlled-receive"),
    path(
        "controlled/containers/<uuid:container_id>/waste/",
        controlled.controlled_container_waste,
        name="staff-controlled-container-waste",
    ),
    path(
        "controlled/infusions/<uuid:appointment_id>/", controlled.controlled_infusion, name="staff-controlled-infusion"
    ),
    path(
        "controlled/infusions/<uuid:appointment_id>/draw/",
        controlled.controlled_infusion_draw,
        name="staff-controlled-infusion-draw",
    ),
    path(
        "controlled/infusions/<uuid:appointment_id>/administration/",
        controlled.controlled_infusion_administration,
        name="staff-controlled-infusion-administration",
    ),
    path("controlled/count/", controlled.controlled_count, name="staff-controlled-count"),
    path(
        "controlled/discrepancies/<uuid:alert_id>/resolve/",
        controlled.controlled_discrepancy_resolve,
        name="staff-controlled-discrepancy-resolve",
    ),
    path("controlled/report/", controlled_reports.controlled_report_page, name="staff-controlled-report"),
    path("controlled/inventory/", controlled_reports.controlled_inventory_page, name="staff-controlled-inventory"),
]
