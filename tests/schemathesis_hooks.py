"""Schemathesis hooks for `st run` against this API; schemathesis.toml loads them.

A 400 to input the schema allows is a mismatch, unless the operation's schema names the rule that
answered it: a rule no JSON Schema can state (between two fields, with stored data, with today's
date) lists its ``code`` in the operation's ``x-rule-codes`` (``core.schema.rules_beyond_schema``).
schemathesis.toml lets schemathesis' own positive-data check accept a 400; this check then accepts
only a 400 whose ``code`` the operation names, so a schema that is merely too loose still fails.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis.specs.openapi.checks import is_unexpected_http_status_case

RULE_CODES = "x-rule-codes"  # core.schema.RULE_CODES; this file runs outside Django


@schemathesis.check
def schema_valid_input_refused_only_by_a_named_rule(ctx: Any, response: Any, case: Any) -> bool | None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    if is_unexpected_http_status_case(case):  # a probe of the request's shape, not of its data
        return None
    named = case.operation.definition.raw.get(RULE_CODES, [])
    try:
        code = json.loads(response.content)["code"]
    except (ValueError, KeyError, TypeError):
        code = None
    if code not in named:
        raise AssertionError(
            f"Schema-valid input refused with code {code!r}, which no rule of the operation's "
            f"{RULE_CODES} ({', '.join(named) or 'none'}) names: the schema allows more than the API takes."
        )
    return None
