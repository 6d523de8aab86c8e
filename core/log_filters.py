"""Quiet, useful request logs: one line per request error, with the request id.

Django logs every answer of 400 and above on ``django.request``; for a refused request (a
patient's 403, a 404) it adds the exception's whole traceback, which says nothing a 4xx does not.
The 4xx lines keep their one line; a 5xx keeps its traceback. ``runserver`` logs each request
again on ``django.server``, so its line for an error, which has no request id, is left out.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.http import HttpRequest

from core.request_id import request_id_of


class RequestErrorFilter(logging.Filter):
    """For ``django.request``: the request id on every line, no traceback below 500."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < HTTPStatus.INTERNAL_SERVER_ERROR:
            record.exc_info = None
            record.exc_text = None
        request = getattr(record, "request", None)
        request_id = request_id_of(request) if isinstance(request, HttpRequest) else ""
        if request_id:
            record.msg = f"{record.getMessage()} (request {request_id})"
            record.args = ()
        return True


class SkipServerErrorLines(logging.Filter):
    """For ``django.server`` (runserver's access lines): errors are django.request's to log."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        return not (isinstance(status, int) and status >= HTTPStatus.BAD_REQUEST)
