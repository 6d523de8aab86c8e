"""Reads over accounts: finding a patient for the staff pages (SPEC.md section 9).

The search runs over one normalized column, ``PatientProfile.search_text``, that the accounts
service writes with the profile (``patient_search_text``): the patient's name words, email, phone
digits and date of birth, lower-case and without accents. Normalizing in Python, once per write,
makes "Martín", "MARTIN" and "martin" one word on SQLite and PostgreSQL alike (no ``unaccent``
extension, no collation differences). Each word of the query must begin one of the column's
words: the column starts with a space and joins its words with spaces, so "the word starts with
``term``" is ``contains(" " + term)``, the same LIKE on both databases. One query per search.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import phonenumbers
from django.db.models import Q, QuerySet

from accounts.models import PatientProfile, User
from core.roles import Role

SEARCH_RESULTS_LIMIT = 50
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_PHONE = re.compile(r"^\+?[\d\s().\-]+$")
_MIN_PHONE_DIGITS = 3


def text_folded(text: str) -> str:
    """Lower-case, accents removed (NFKD, combining marks dropped): "Martín" -> "martin"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _name_words(name: str) -> list[str]:
    """A name's words, and a hyphenated or apostrophized word whole and in its parts."""
    words: list[str] = []
    for word in text_folded(name).split():
        words.append(word)
        parts = [part for part in re.split(r"[^\w]+", word) if part]
        if len(parts) > 1 or (parts and parts[0] != word):
            words.extend(parts)
    return words


def _phone_words(phone: str) -> list[str]:
    """The digits of an E.164 number, with and without the country code."""
    digits = re.sub(r"\D", "", phone)
    words = [digits] if digits else []
    try:
        national = str(phonenumbers.parse(phone, "US").national_number)
    except phonenumbers.NumberParseException:
        return words
    return words + ([national] if national != digits else [])


def patient_search_text(*, first_name: str, last_name: str, email: str, phone: str, date_of_birth: date) -> str:
    """What ``PatientProfile.search_text`` holds: " word word ..." (a leading space)."""
    words = [
        *_name_words(first_name),
        *_name_words(last_name),
        text_folded(email),
        *_phone_words(phone),
        date_of_birth.isoformat(),
    ]
    return " " + " ".join(dict.fromkeys(words))


def _date_term(query: str) -> str | None:
    """ "1985-06-01" or "06/01/1985" (month first, as written in the US) as an ISO date."""
    if match := _ISO_DATE.match(query):
        year, month, day = (int(part) for part in match.groups())
    elif match := _US_DATE.match(query):
        month, day, year = (int(part) for part in match.groups())
    else:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def search_terms(query: str) -> list[str]:
    """The query as word beginnings to find: a date, a phone number's digits, or words."""
    query = text_folded(query).strip()
    if not query:
        return []
    if (as_date := _date_term(query)) is not None:
        return [as_date]
    if _PHONE.match(query):
        digits = re.sub(r"\D", "", query)
        if len(digits) >= _MIN_PHONE_DIGITS:
            return [digits]
    return list(dict.fromkeys(query.split()))


@dataclass(frozen=True)
class PatientMatch:
    id: UUID
    full_name: str
    email: str
    date_of_birth: date


def patient_search(*, query: str, limit: int = SEARCH_RESULTS_LIMIT) -> list[PatientMatch]:
    """Active patients whose name, email, phone or date of birth each query word begins (one query)."""
    terms = search_terms(query)
    if not terms:
        return []
    condition = Q()
    for term in terms:
        condition &= Q(search_text__contains=" " + term)
    rows = (
        PatientProfile.objects.filter(condition, user__role=Role.PATIENT, user__is_active=True)
        .order_by("user__last_name", "user__first_name", "user__email")
        .values_list("user_id", "user__first_name", "user__last_name", "user__email", "date_of_birth")[:limit]
    )
    return [
        PatientMatch(id=user_id, full_name=f"{first} {last}".strip(), email=email, date_of_birth=born)
        for user_id, first, last, email, born in rows
    ]


def patient_for_staff(*, patient_id: UUID) -> User | None:
    """An active patient with their profile (for the chart), or None."""
    rows: QuerySet[User] = User.objects.select_related("patient_profile").filter(
        pk=patient_id, role=Role.PATIENT, is_active=True
    )
    return rows.first()
