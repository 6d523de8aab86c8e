"""What every page's layout shows: the clinic's name, address and phone (one query, only when a
template reads them)."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from scheduling.models import Clinic


def clinic(request: HttpRequest) -> dict[str, Any]:
    return {"clinic": SimpleLazyObject(lambda: Clinic.objects.order_by("pk").first())}
