"""The ``phone_display`` filter: core/phones.py's reading of a stored E.164 number."""

from __future__ import annotations

from django import template

from core import phones

register = template.Library()


@register.filter
def phone_display(value: str | None) -> str:
    return phones.phone_display(value)
