"""The contract between the outbox and a channel: the hand-over, delivery's point of no return.

Over SMTP or HTTP nobody can deliver exactly once: a worker that dies between "the server has the
message" and "the row says so" leaves a message the outbox cannot know about (RFC 1047 describes
the SMTP case). The outbox chooses never to send a message twice. A channel does everything it can
before the point where the provider could act on the message (connect, MAIL, RCPT, the whole
DATA body), then calls ``handover()``: the row is recorded as delivering, in its own commit, and
from then on it is never sent again. Only then does the channel release the message (the
end-of-data line, the HTTP request). A worker killed before the hand-over leaves a half-sent
message the server throws away, and the row is sent again later; one killed after it leaves a row
that recovery marks ``unconfirmed`` for staff to check, never resent.
"""

from __future__ import annotations

from collections.abc import Callable

# Records the hand-over; False when the row's claim is no longer ours (recovered and claimed by
# another worker), and the channel must then abandon the message without releasing it.
Handover = Callable[[], bool]


class DeliveryRefused(Exception):
    """The provider answered, after the hand-over, that it did not take the message: it certainly
    was not delivered, so the outbox may retry it."""
