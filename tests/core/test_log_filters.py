"""Quiet request logs: one line per request error with its request id, a traceback only for a 5xx,
runserver's duplicate line left out (core/log_filters.py, wired in config/settings/base.py)."""

from __future__ import annotations

import logging
import sys

import pytest

from core.log_filters import RequestErrorFilter

pytestmark = pytest.mark.django_db

REQUEST_ID = "req-0123456789abcdef"


def test_a_patients_403_on_a_staff_page_is_one_line_with_the_request_id_and_no_traceback(client, patient, caplog):
    client.force_login(patient)
    caplog.set_level(logging.INFO)

    answer = client.get("/staff/", headers={"X-Request-ID": REQUEST_ID})

    assert answer.status_code == 403
    logged = [record for record in caplog.records if record.name == "django.request"]
    assert [(record.levelname, record.getMessage(), record.exc_info) for record in logged] == [
        ("WARNING", f"Forbidden (Permission denied): /staff/ (request {REQUEST_ID})", None)
    ]
    assert "Traceback" not in caplog.text


def test_an_api_refusal_is_one_line_with_the_request_id(api_client, caplog):
    caplog.set_level(logging.INFO)

    answer = api_client.get("/api/v1/me/", headers={"X-Request-ID": REQUEST_ID})

    assert answer.status_code == 401
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "django.request"] == [
        ("WARNING", f"Unauthorized: /api/v1/me/ (request {REQUEST_ID})")
    ]


def _record(status: int, *, with_traceback: bool) -> logging.LogRecord:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        exc_info = sys.exc_info() if with_traceback else None
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Failed: %s", ("/x/",), exc_info)
    record.status_code = status
    return record


def test_a_server_error_keeps_its_traceback():
    record = _record(500, with_traceback=True)

    assert RequestErrorFilter().filter(record) is True
    assert record.exc_info is not None
    assert record.getMessage() == "Failed: /x/"


def test_runservers_own_line_for_an_error_is_left_out_and_its_other_lines_kept(caplog):
    server = logging.getLogger("django.server")
    caplog.set_level(logging.INFO)

    server.warning('"%s" %s %s', "GET /staff/ HTTP/1.1", "403", "12", extra={"status_code": 403})
    server.info('"%s" %s %s', "GET / HTTP/1.1", "200", "34", extra={"status_code": 200})

    assert [r.getMessage() for r in caplog.records if r.name == "django.server"] == ['"GET / HTTP/1.1" 200 34']
