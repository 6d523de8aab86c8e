"""Appointment types are data (admin-editable, English); the demo clinic's names are also in the
translation catalogue, so a Spanish page shows them in Spanish. Unknown names show as stored."""

from django import template
from django.utils.translation import gettext, gettext_noop

from scheduling.models import AppointmentType

register = template.Library()

KNOWN_NAMES = (
    gettext_noop("Ketamine Therapy Evaluation"),
    gettext_noop("Infusion session"),
    gettext_noop("Integration therapy"),
)


@register.filter
def type_name(appointment_type: AppointmentType) -> str:
    return gettext(appointment_type.name)
