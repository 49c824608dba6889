"""Values the client hands to its caller: gaps, state changes and errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Gap:
    """Events that will not come: yielded by ``subscribe`` in place of them, never swallowed.

    The server says so (a ``truncated`` frame) when a requested position in ``partition`` is below what Kafka still
    keeps: events with offsets ``requested`` .. ``earliest - 1`` are gone, and the events that follow start at
    ``earliest``. For a ``since=`` time or a ``cursor=`` resume the frame names the time instead: ``since`` (epoch
    milliseconds) and, for a cursor, the ``origin`` region whose events were deleted; ``requested`` is then None. A
    platform that numbers each channel's events adds the ``channel``, ``lost`` (exactly how many of its events were
    deleted) and ``first_seq`` (the ``seq`` it continues with).

    The client itself yields one (``detected`` True, right before the event after the hole) when an event's ``seq`` is
    more than one past the last of its channel and ``origin`` and no ``truncated`` frame accounted for the
    difference: ``lost`` events are missing, ``first_seq`` is the arriving event's ``seq``, ``earliest`` its offset.
    """

    partition: Optional[int]
    requested: Optional[int]
    earliest: Optional[int]
    since: Optional[int] = None
    origin: Optional[str] = None
    channel: Optional[str] = None
    lost: Optional[int] = None
    first_seq: Optional[int] = None
    detected: bool = False

    @property
    def missed(self) -> Optional[int]:
        """How many events were missed: exactly ``lost`` when known, else how many offsets were skipped (an upper
        bound on the events of the subscribed channels lost); None when the server named a time rather than an
        offset."""
        if self.lost is not None:
            return self.lost
        if self.requested is None or self.earliest is None:
            return None
        return max(0, self.earliest - self.requested)


@dataclass(frozen=True)
class CursorAhead:
    """The resume cursor names an event that has not reached the instance's region yet (a ``cursor-ahead`` frame,
    then close 4001): yielded before the subscription retries the same URL after a pause, then the next URL.

    ``origin`` is the region the event was published in (resuming there works at once), ``detail`` the server's
    explanation. Nothing is lost: the subscription keeps its cursor.
    """

    origin: Optional[str]
    partition: Optional[int]
    detail: str


@dataclass(frozen=True)
class StateChange:
    """What ``on_state`` receives.

    ``state`` is one of ``connecting``, ``connected``, ``catching-up``, ``live``, ``cursor-ahead``, ``disconnected``,
    ``closed``.
    ``url`` is the instance the change is about. ``disconnected`` carries the close ``code`` (1006 when the
    connection just broke) and ``reason``, and ``retry_in``, the seconds until the next attempt. ``connected`` after a
    disconnect carries ``resumed_from``, the cursor query it resumed with (``cursor=...``, ``from=...``, the first
    cursor again, or ``live``). ``cursor-ahead`` carries the server's ``detail`` as ``reason``. ``catching-up`` and ``live`` pass on what the server says about a session it serves from the log.
    """

    state: str
    url: str
    attempt: int = 0
    code: Optional[int] = None
    reason: Optional[str] = None
    retry_in: Optional[float] = None
    resumed_from: Optional[str] = None


class FanoutError(Exception):
    """Base of the errors this client raises."""


class SubscriptionRefused(FanoutError):
    """The server refused the subscription (close 1008, or an HTTP 4xx at the handshake): retrying cannot help.

    ``code`` is the WebSocket close code (1008, 1009) or the HTTP status of the refused handshake; ``reason`` is
    the server's reason.
    """

    def __init__(self, code: int, reason: str, url: str) -> None:
        super().__init__(f"subscription refused by {url}: {code} {reason}".rstrip())
        self.code = code
        self.reason = reason
        self.url = url


class PublishError(FanoutError):
    """A publish the ingest-service refused or could not take.

    ``status`` is the HTTP status (0 when no answer came), ``detail`` the problem+json detail, ``retry_after`` the
    seconds the server asked to wait (429, 503) or None.
    """

    def __init__(self, status: int, detail: str, retry_after: Optional[float] = None) -> None:
        super().__init__(f"publish failed: {status} {detail}".rstrip())
        self.status = status
        self.detail = detail
        self.retry_after = retry_after
