"""The clinical access log's one writer: every staff read and change of a clinical record."""

from __future__ import annotations

from datetime import datetime

from django.db import models

from accounts.models import User
from clinical.models import ClinicalAccess


def clinical_audit(actor: User, action: str, obj: models.Model, *, request_id: str, at: datetime) -> None:
    ClinicalAccess.objects.create(
        actor=actor,
        actor_role=actor.role,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=obj.pk,
        occurred_at=at,
        request_id=request_id,
    )
