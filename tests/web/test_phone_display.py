"""Phone numbers as people read them (web/templatetags/phones.py)."""

from __future__ import annotations

import pytest

from web.templatetags.phones import phone_display


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+15105550142", "(510) 555-0142"),
        ("+34912345678", "+34 912 34 56 78"),
        ("", ""),
        (None, ""),
        ("not a number", "not a number"),
    ],
)
def test_a_stored_phone_number_is_shown_as_people_write_it(stored, shown):
    assert phone_display(stored) == shown
