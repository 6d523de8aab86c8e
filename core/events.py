"""The explicit hook through which apps react to each other's changes, inside the same transaction.

An app that publishes never imports its listeners: booking and clinical publish their events
here; notifications subscribes when it starts (its AppConfig.ready). Listeners run synchronously
inside the writing transaction, so what they write (outbox rows) commits or rolls back with the
change itself. Not Django signals: the calls are visible at the one place that publishes them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[[Any], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def publish(event: object) -> None:
    for listener in list(_listeners):
        listener(event)
