"""The one place a page turns a service's refusal into words.

A service refuses with a ``DomainError`` whose ``code`` the API answers as is; a page shows the
reader a sentence instead. Each page keeps only its table (code -> sentence, written in the
reader's words and translated); this function looks the code up, falls back to the service's own
detail (or a page's general sentence), and fills in a value such as the day.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.errors import DomainError

if TYPE_CHECKING:  # django-stubs-ext is a development tool only
    from django_stubs_ext import StrOrPromise

    RefusalWords = Mapping[str, StrOrPromise]


def refusal_words(
    error: DomainError,
    words: RefusalWords | None = None,
    *,
    default: StrOrPromise | None = None,
    **values: str,
) -> str:
    """``words``' sentence for ``error.code``; otherwise ``default``, otherwise the service's detail.

    ``values`` fill the sentence's named places (``%(day)s``).
    """
    text = (words or {}).get(error.code, default if default is not None else error.detail)
    return str(text) % values if values else str(text)


def raise_as_http(error: DomainError) -> None:
    """A refusal that is not about the input (not found, or not this role's to do) is the page's
    404 or 403; any other refusal is for the page to show in words."""
    if error.status_code == HTTPStatus.NOT_FOUND:
        raise Http404 from error
    if error.status_code == HTTPStatus.FORBIDDEN:
        raise PermissionDenied from error
