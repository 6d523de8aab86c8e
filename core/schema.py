"""The OpenAPI schema says exactly what the API takes and answers (SPEC.md section 6).

``ClinicAutoSchema`` (``DEFAULT_SCHEMA_CLASS``) adds to drf-spectacular's own description:

- the error answers every operation can give, each with the ``Error`` body of ``core.errors``:
  400 where there is input to refuse, 401 where a token is read, 403 behind a role gate, 404 for
  an object named in the path, 429 where a throttle applies; a view adds the answers only its
  service knows of (a 403 of a role rule, a 409 of a state) with ``errors(...)``;
- what DRF really accepts of a string: not blank (whitespace only is blank where DRF trims it)
  and never a NUL character;
- that an optional query parameter may be sent empty, which DRF takes as left out;
- response bodies that hold no property beyond those described, so a body is one shape or the
  other where a role decides between two.
"""

from __future__ import annotations

from typing import Any

import uritemplate
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated

ERROR_DESCRIPTIONS = {
    400: "Bad input: `code` names the rule broken, `fields` the fields at fault.",
    401: "Not signed in, or the access token is invalid or expired.",
    403: "The signed-in user's role may not do this.",
    404: "No such object, or not one this user may see.",
    409: "The state of things forbids it now (a time taken, a record signed, a key reused, another change "
    "to the same appointment at that moment: `resource_busy`, send it again...).",
    429: "Too many requests: `Retry-After` says when to try again.",
}

# A NUL character is refused by every DRF CharField; whitespace alone is blank where DRF trims.
# NO_NUL asks for a character: where "" is allowed, spectacular offers it as a second, separate
# choice (``oneOf``), which must not match "" too. DRF trims with Python's ``str.strip``: its
# whitespace, spelled out (JSON Schema's ``\s`` differs: it lacks U+001C-U+001F and U+0085 and
# has U+FEFF), is what a non-blank string needs one character beyond.
PYTHON_WHITESPACE = r"\t\n\u000b\u000c\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL = r"^[^\u0000]+$"
NOT_BLANK = rf"^[^\u0000]*[^{PYTHON_WHITESPACE}\u0000][^\u0000]*$"


class ErrorSerializer(serializers.Serializer):
    """Every error: ``{"code", "detail", "fields"}`` (SPEC.md section 6)."""

    code = serializers.CharField(help_text="A machine code, e.g. `slot_unavailable`.")
    detail = serializers.CharField(help_text="What went wrong, for people.")
    # DRF's metaclass takes declared fields off the class: this is the body's ``fields``, and
    # ``Serializer.fields`` stays what it is.
    fields = serializers.DictField(  # type: ignore[assignment]
        help_text="Messages per input field at fault; empty when none is."
    )


def errors(*statuses: int, description: str = "") -> dict[int, OpenApiResponse]:
    """Error answers of an operation that only its service or selector knows of, for ``responses=``."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=description or ERROR_DESCRIPTIONS[code]) for code in statuses
    }


RULE_CODES = "x-rule-codes"


def rules_beyond_schema(*codes: str) -> dict[str, list[str]]:
    """For ``extend_schema(extensions=...)``: the ``code`` of each 400 that a rule no JSON Schema can
    state (between two fields, with stored data, with today's date) answers to input the schema
    allows. The 400's description names them; schemathesis' hooks (tests/schemathesis_hooks.py)
    accept a refusal of schema-valid input only with one of them."""
    return {RULE_CODES: sorted(codes)}


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    type={"type": "string", "minLength": 1, "maxLength": 128, "pattern": r"\S"},
    location=OpenApiParameter.HEADER,
    required=False,
    description="The same key from the same user replays the first answer instead of creating twice; "
    "a key reused for a different request is a 409.",
)

_FORMATTED_STRINGS = (
    serializers.EmailField,
    serializers.RegexField,
    serializers.SlugField,
    serializers.URLField,
    serializers.IPAddressField,
)


class ClinicAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for status_code in sorted(self._automatic_errors()):
            if str(status_code) not in responses:
                error = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status_code])
                responses[str(status_code)] = self._get_response_for_code(error, str(status_code), direction=direction)
        rule_codes = self.get_extensions().get(RULE_CODES)
        if rule_codes and "400" in responses:
            named = ", ".join(f"`{code}`" for code in rule_codes)
            responses["400"]["description"] += f" Rules beyond this schema answer {named}."
        return dict(sorted(responses.items()))

    def _automatic_errors(self) -> set[int]:
        view = self.view
        found = set()
        has_query = any(location == OpenApiParameter.QUERY for _, location in self._process_override_parameters())
        has_body = self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None
        if has_query or has_body:
            found.add(400)
        permissions = view.get_permissions()
        if view.get_authenticators() or not all(isinstance(p, AllowAny) for p in permissions):
            found.add(401)
        if any(not isinstance(p, (AllowAny, IsAuthenticated)) for p in permissions):
            found.add(403)
        if uritemplate.variables(self.path):
            found.add(404)
        if view.get_throttles():
            found.add(429)
        return found

    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._get_parameters()
        for parameter in parameters:
            if parameter["in"] == OpenApiParameter.QUERY and not parameter.get("required"):
                parameter["allowEmptyValue"] = True  # DRF takes ``?name=`` as the parameter left out
        return parameters

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not isinstance(field, _FORMATTED_STRINGS)
            and isinstance(schema, dict)
            and schema.get("type") == "string"
            and not {"format", "pattern", "enum"} & set(schema)
        ):
            schema["pattern"] = NOT_BLANK if field.trim_whitespace and not field.allow_blank else NO_NUL
        return schema

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        if direction == "response":
            schema["additionalProperties"] = False  # exactly these properties, nothing more
        return schema
