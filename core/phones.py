"""Phone numbers as people read them: stored in E.164 (+15105550142), shown as (510) 555-0142
(or in international form for a number outside the clinic's country). ``tel:`` links keep E.164.
Pages use it through the ``phone_display`` filter (web/templatetags/phones.py); letters directly."""

from __future__ import annotations

import phonenumbers

HOME_REGION = "US"  # the clinic's country: its numbers read without the country code


def phone_display(value: str | None) -> str:
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, HOME_REGION)
    except phonenumbers.NumberParseException:
        return value  # an old or odd value is shown as it was stored, never hidden
    if phonenumbers.region_code_for_number(parsed) == HOME_REGION:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
