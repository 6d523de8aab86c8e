"""Fill PatientProfile.search_text for the patients registered before the column existed.

A frozen copy of accounts.selectors.patient_search_text as it was written with this migration
(migrations must not follow later changes of the app's code)."""

import re
import unicodedata

import phonenumbers
from django.db import migrations


def _folded(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _name_words(name):
    words = []
    for word in _folded(name).split():
        words.append(word)
        parts = [part for part in re.split(r"[^\w]+", word) if part]
        if len(parts) > 1 or (parts and parts[0] != word):
            words.extend(parts)
    return words


def _phone_words(phone):
    digits = re.sub(r"\D", "", phone)
    words = [digits] if digits else []
    try:
        national = str(phonenumbers.parse(phone, "US").national_number)
    except phonenumbers.NumberParseException:
        return words
    return words + ([national] if national != digits else [])


def fill(apps, schema_editor):
    PatientProfile = apps.get_model("accounts", "PatientProfile")
    for profile in PatientProfile.objects.select_related("user").iterator(chunk_size=500):
        user = profile.user
        words = [
            *_name_words(user.first_name),
            *_name_words(user.last_name),
            _folded(user.email),
            *_phone_words(profile.phone),
            profile.date_of_birth.isoformat(),
        ]
        profile.search_text = " " + " ".join(dict.fromkeys(words))
        profile.save(update_fields=["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_patientprofile_search_text"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
