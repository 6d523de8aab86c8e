"""The one place where errors become HTTP responses.

Every error leaves the API as ``{"code": ..., "detail": ..., "fields": {...}}`` (SPEC.md section 6):
domain errors raised by services and selectors, DRF's own exceptions (validation,
authentication, permission, throttling, parsing) and Django's 404.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the clinic said no. Subclasses name their area (``AvailabilityError`` ...)."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    default_detail = "The request breaks a rule of the clinic."

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
        status_code: int | None = None,
    ) -> None:
        self.detail = detail or self.default_detail
        self.code = code or self.default_code
        self.fields = fields or {}
        if status_code is not None:
            self.status_code = status_code
        super().__init__(self.detail)


def error_body(code: str, detail: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "detail": detail, "fields": fields or {}}


# DRF's own codes serve as machine codes, except the parser's, which deserves a clearer name.
_RENAMED_CODES = {"parse_error": "malformed_request"}


def _flatten(detail: Any) -> Any:
    """DRF's ErrorDetail trees become plain lists of strings per field."""
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _validation_response(exc: exceptions.ValidationError) -> Response:
    detail = exc.detail
    if isinstance(detail, dict):
        fields = _flatten(detail)
        non_field = fields.pop("non_field_errors", None)
        message = "; ".join(non_field) if non_field else "Some fields are invalid."
        codes = exc.get_codes()
        code = "invalid"
        # A single-field error with a specific code (e.g. "invalid_date_range") names itself.
        if isinstance(codes, dict) and len(codes) == 1:
            only = next(iter(codes.values()))
            if isinstance(only, list) and len(only) == 1 and isinstance(only[0], str):
                code = only[0] if only[0] not in {"invalid", "required", "null", "blank"} else "invalid"
        return Response(error_body(code, message, fields), status=status.HTTP_400_BAD_REQUEST)
    messages = _flatten(detail) if isinstance(detail, list) else [str(detail)]
    return Response(error_body("invalid", "; ".join(messages)), status=status.HTTP_400_BAD_REQUEST)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        refusal = Response(error_body(exc.code, exc.detail, exc.fields), status=exc.status_code)
        view, request = context.get("view"), context.get("request")
        if exc.status_code == status.HTTP_401_UNAUTHORIZED and view is not None and request is not None:
            # As DRF does for its own NotAuthenticated: say how to sign in.
            challenge = view.get_authenticate_header(request)
            if challenge:
                refusal["WWW-Authenticate"] = challenge
        return refusal
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc)

    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handler answers (in JSON, see below)
    assert isinstance(exc, exceptions.APIException)
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.default_detail)
    response.data = error_body(_RENAMED_CODES.get(code, code), str(detail))
    return response


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", "Not found."), status=404)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("server_error", "Something went wrong on our side."), status=500)


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("bad_request", "Bad request."), status=400)


def json_permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("permission_denied", "Not allowed."), status=403)
