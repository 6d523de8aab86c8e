"""``Idempotency-Key`` on creating requests: the same key from the same user on the same endpoint
replays the first successful answer instead of creating a second object.

The record is inserted before the work, in the same transaction: a concurrent repeat waits on the
unique constraint (PostgreSQL) or on the write lock (SQLite), then finds the finished record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from uuid import UUID

from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import DomainError
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128
_PENDING = 0


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_fingerprint != fingerprint:
        raise DomainError(
            "This Idempotency-Key was used for a different request.",
            code="idempotency_key_reused",
            status_code=409,
        )
    response = Response(record.response_body, status=record.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request: Request, *, user_id: UUID, endpoint: str, create: Callable[[], Response]) -> Response:
    key = request.headers.get(HEADER)
    if key is None:
        return create()
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise DomainError(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.",
            code="invalid_idempotency_key",
            fields={HEADER: ["Invalid."]},
        )
    fingerprint = _fingerprint(request)
    existing = IdempotencyRecord.objects.filter(user_id=user_id, key=key, endpoint=endpoint).first()
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user_id=user_id,
                key=key,
                endpoint=endpoint,
                request_fingerprint=fingerprint,
                response_status=_PENDING,
                response_body={},
            )
            response = create()
            record.response_status = response.status_code
            record.response_body = response.data
            record.save(update_fields=["response_status", "response_body"])
    except IntegrityError:
        # A concurrent request with this key won; its record is committed by now.
        return _replay(IdempotencyRecord.objects.get(user_id=user_id, key=key, endpoint=endpoint), fingerprint)
    return response
