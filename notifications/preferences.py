"""A patient's contact channels, read and written in one place for the API and the pages.

Email is on and text messages are off until the patient opts in (the model's defaults): a patient
who never chose has no row, and reads the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db import transaction

from notifications.models import ContactPreference


@dataclass(frozen=True)
class ContactChannels:
    email_enabled: bool
    sms_enabled: bool


def _channels(preference: ContactPreference) -> ContactChannels:
    return ContactChannels(email_enabled=preference.email_enabled, sms_enabled=preference.sms_enabled)


def contact_preferences_of(*, user_id: UUID) -> ContactChannels:
    """The channels the person chose, or the defaults when they never chose (one query)."""
    preference = ContactPreference.objects.filter(user_id=user_id).first() or ContactPreference()
    return _channels(preference)


def contact_preferences_set(
    *, user_id: UUID, email_enabled: bool | None = None, sms_enabled: bool | None = None
) -> ContactChannels:
    """Change the channels named (None keeps a channel as it is) and return them all."""
    changes = {
        name: value
        for name, value in (("email_enabled", email_enabled), ("sms_enabled", sms_enabled))
        if value is not None
    }
    with transaction.atomic():
        preference, _ = ContactPreference.objects.select_for_update().get_or_create(user_id=user_id)
        if changes:
            for name, value in changes.items():
                setattr(preference, name, value)
            preference.save(update_fields=list(changes))
    return _channels(preference)
