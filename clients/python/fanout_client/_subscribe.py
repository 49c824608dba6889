"""``subscribe``: an async iterator over a fan-out subscription that reconnects and resumes by itself."""

from __future__ import annotations

import asyncio
import inspect
import json
import random
import time
from typing import AsyncIterator, Callable, Dict, List, Optional, Sequence, Union
from urllib.parse import urlencode, urlsplit, urlunsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake

from ._position import Position, parse_cursors
from ._types import CursorAhead, Gap, StateChange, SubscriptionRefused

try:  # websockets >= 13: the new asyncio client
    from websockets.asyncio.client import connect as _ws_connect

    _HEADERS_ARG = "additional_headers"
except ImportError:  # websockets 10.x-12.x (Debian bookworm has 10.4)
    from websockets import connect as _ws_connect

    _HEADERS_ARG = "extra_headers"

Item = Union[dict, Gap, CursorAhead]
StateCallback = Callable[[StateChange], object]

# Close codes after which reconnecting cannot help: 1008 refused (bad request, forbidden), 1009 frame too large.
REFUSED_CODES = frozenset({1008, 1009})
# Close codes that say "not this instance, not now": try the next URL first.
MOVE_ON_CODES = frozenset({1001, 1013, 1006})
# Close code after a cursor-ahead frame: the cursor's event has not reached that region yet.
CURSOR_AHEAD = 4001
# A connection that lasted this long counts as healthy: the back-off starts again from the bottom.
HEALTHY_AFTER_S = 10.0


def events_url(base: str, channels: Sequence[str], cursor: Dict[str, Union[str, List[str]]]) -> str:
    """``http://h:8081`` or ``ws://h:8081[/events]`` + channels + cursor -> the ``ws://h:8081/events?...`` URL."""
    parts = urlsplit(base)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    if scheme not in ("ws", "wss"):
        raise ValueError(f"not a fan-out URL: {base!r} (want ws://, wss://, http:// or https://)")
    path = parts.path if parts.path not in ("", "/") else "/events"
    query = [("channel", c) for c in channels]
    for name, value in sorted(cursor.items()):
        query += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    # ':' and ',' stay as they are: channel names and positions use them, and fanout-service's WebSocket endpoint
    # reads the query without percent-decoding it (`from=2%3A1` is refused there).
    query_text = urlencode(query, safe=":,")
    if parts.query:
        query_text = parts.query + "&" + query_text
    return urlunsplit((scheme, parts.netloc, path, query_text, ""))


def backoff_delay(failures: int, minimum: float, maximum: float) -> float:
    """Full jitter: uniform in [0, min(maximum, minimum * 2^failures)], so that many clients do not reconnect at once."""
    return random.uniform(0, min(maximum, minimum * (2 ** min(failures, 30))))


class Subscription:
    """What :func:`subscribe` returns: an async iterator of items, with :meth:`position` to store and resume from.

    ``async for item in subscription`` (one task iterates it); ``await subscription.aclose()`` closes the socket at
    once (``contextlib.aclosing`` works too).
    """

    def __init__(self, position: Position, items: AsyncIterator[Item]) -> None:
        self._position = position
        self._items = items

    def position(self) -> Dict[str, Union[str, List[str]]]:
        """Where a new subscription carries on right after the last item yielded, as :func:`subscribe` keyword
        arguments: ``{"cursor": [...]}`` (one per partition; valid on any instance of any region) when the server
        sends cursors, ``{"from_": "p:o,..."}`` for a server without them, else the first cursor again. Store it and
        call ``subscribe(urls, channels, **stored)`` later."""
        return self._position.resume_options()

    @property
    def duplicates(self) -> int:
        """How many events were dropped as repeats of ones already yielded (by ``seq``, or by offset on one
        connection): a debugging aid, nothing the program has to act on."""
        return self._position.duplicates

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> Item:
        return await self._items.__anext__()

    async def aclose(self) -> None:
        await self._items.aclose()


def subscribe(
    urls: Union[str, Sequence[str]],
    channels: Union[str, Sequence[str]],
    *,
    last: Optional[int] = None,
    from_: Union[int, str, None] = None,
    since: Union[int, str, None] = None,
    cursor: Union[str, Sequence[str], None] = None,
    seq: Union[str, Sequence[str], None] = None,
    token: Optional[str] = None,
    on_state: Optional[StateCallback] = None,
    min_backoff: float = 0.2,
    max_backoff: float = 10.0,
    cursor_ahead_retries: int = 2,
    cursor_ahead_backoff: float = 0.5,
    open_timeout: float = 10.0,
    max_size: int = 16 * 1024 * 1024,
) -> Subscription:
    """Follow ``channels`` on a fan-out service, yielding each event frame (a ``dict``) once, in order per channel.

    ``urls``: one fan-out instance (``ws://host:8081``, ``http://host:8081`` or a full ``.../events`` URL) or several
    (instances, or regions) to fail over between. At most one of ``last`` (the last N events of each channel),
    ``from_`` (an offset, or a ``p:o,p:o`` position list), ``since`` (epoch milliseconds or ISO-8601) and ``cursor``
    (event cursors, one per partition, e.g. a stored ``position()["cursor"]``: right after those events, in any
    region) starts from history; without them the subscription starts live. ``seq`` (a stored ``position()["seq"]``,
    ``channel~origin~n`` values) gives the last ``seq`` of each channel and origin, so that gaps and repeats are told
    from the first event on. ``token`` is sent as ``Authorization: Bearer``.

    From a platform that numbers each channel's events (``seq`` in event frames), an event whose ``seq`` is at or
    below the last one of its channel and origin is a repeat, dropped and counted in ``duplicates``; one more than one
    past it, with no ``truncated`` frame explaining the hole, is preceded by a :class:`Gap` with ``detected`` True and
    ``lost`` the exact number missing; delivery goes on. Each resume sends the last ``seq`` per channel and origin
    (``seq=channel~origin~n``) besides the cursor.

    After any disconnect (the instance died, went away with 1001, was busy with 1013, found this client too slow
    with 4000, the network broke) it reconnects with jittered exponential back-off (``min_backoff`` doubling up to
    ``max_backoff`` seconds), moving to the next URL when a connection fails, and resumes right after the last event
    it yielded, by its ``cursor`` when the server sends them: nothing is repeated or skipped. Events the server no
    longer has are yielded as a :class:`Gap`, never skipped silently. A cursor whose event has not reached the
    instance's region yet is yielded as a :class:`CursorAhead` (then close 4001): the subscription retries the same
    URL ``cursor_ahead_retries`` times (jittered back-off from ``cursor_ahead_backoff`` seconds), then the next URL.
    A refusal (close 1008/1009, or an HTTP 4xx at the handshake) raises :class:`SubscriptionRefused`. ``on_state``
    (a function or coroutine function) receives a :class:`StateChange` on every change of connection state.

    It runs until the caller stops iterating; close it with ``aclose()`` (or ``contextlib.aclosing``) to close the
    socket at once. One task iterates it.
    """
    url_list = [urls] if isinstance(urls, str) else list(urls)
    channel_list = [channels] if isinstance(channels, str) else list(channels)
    if not url_list:
        raise ValueError("give at least one fan-out URL")
    if not channel_list:
        raise ValueError("give at least one channel")
    given = (("last", last), ("from", from_), ("since", since), ("cursor", cursor))
    first_cursor: Dict[str, Union[str, List[str]]] = {k: str(v) for k, v in given[:3] if v is not None}
    if cursor is not None:
        first_cursor["cursor"] = parse_cursors(cursor)
    if len(first_cursor) > 1:
        raise ValueError("give at most one of last, from_, since and cursor")
    for base in url_list:
        events_url(base, channel_list, {})  # fail fast on a URL that is not one
    position = Position(channel_list, first_cursor, seq)
    options = dict(token=token, on_state=on_state, min_backoff=min_backoff, max_backoff=max_backoff,
                   cursor_ahead_retries=cursor_ahead_retries, cursor_ahead_backoff=cursor_ahead_backoff,
                   open_timeout=open_timeout, max_size=max_size)
    return Subscription(position, _follow(url_list, channel_list, position, **options))


async def _follow(
    url_list: List[str],
    channel_list: List[str],
    position: Position,
    *,
    token: Optional[str],
    on_state: Optional[StateCallback],
    min_backoff: float,
    max_backoff: float,
    cursor_ahead_retries: int,
    cursor_ahead_backoff: float,
    open_timeout: float,
    max_size: int,
) -> AsyncIterator[Item]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    index = 0
    failures = 0
    ahead_closes = 0  # consecutive 4001 closes on the current URL
    resumed_from: Optional[str] = None

    async def notify(change: StateChange) -> None:
        if on_state is not None:
            result = on_state(change)
            if inspect.isawaitable(result):
                await result

    while True:
        base = url_list[index]
        cursor = position.query()
        if "cursor" in cursor:
            position.resumed_by_cursor()
        url = events_url(base, channel_list, cursor)
        await notify(StateChange("connecting", base, attempt=failures))
        connected_at: Optional[float] = None
        handed_out = False
        try:
            async with _ws_connect(url, open_timeout=open_timeout, max_size=max_size,
                                   **{_HEADERS_ARG: headers}) as ws:
                connected_at = time.monotonic()
                position.connected(int(time.time() * 1000))
                await notify(StateChange("connected", base, attempt=failures, resumed_from=resumed_from))
                async for raw in ws:
                    frame = _parse(raw)
                    if frame is None:
                        continue
                    kind = frame.get("type")
                    if kind is None:
                        missed = position.missed_before(frame)
                        if position.accept(frame):
                            handed_out = True
                            ahead_closes = 0
                            if missed:
                                yield Gap(_int_or_none(frame.get("partition")), None, _int_or_none(frame.get("offset")),
                                          origin=frame.get("origin"), channel=frame.get("channel"), lost=missed,
                                          first_seq=frame.get("seq"), detected=True)
                            yield frame
                    elif kind == "truncated":
                        gap = Gap(_int_or_none(frame.get("partition")), _int_or_none(frame.get("requested")),
                                  _int_or_none(frame.get("earliest")), _int_or_none(frame.get("since")),
                                  frame.get("origin"), frame.get("channel") if isinstance(frame.get("channel"), str)
                                  else None, _int_or_none(frame.get("lost")), _int_or_none(frame.get("firstSeq")))
                        position.explain(frame)
                        if gap.requested is not None and gap.partition is not None and gap.earliest is not None:
                            position.skip_to(gap.partition, gap.earliest)
                        yield gap
                    elif kind == "cursor-ahead":
                        ahead = CursorAhead(frame.get("origin"), _int_or_none(frame.get("partition")),
                                            str(frame.get("detail", "")))
                        await notify(StateChange("cursor-ahead", base, attempt=failures, reason=ahead.detail))
                        yield ahead
                    elif kind == "subscribed":
                        position.seed(frame)
                    elif kind in ("catching-up", "live"):
                        await notify(StateChange(kind, base, attempt=failures))
                    # ack and error frames answer publishes sent on the socket; this client sends none.
                code, reason = ws.close_code or 1000, ws.close_reason or ""
        except ConnectionClosed as closed:
            code, reason = (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else (1006, "connection lost")
        except InvalidHandshake as refused:
            status = _handshake_status(refused)
            if status is not None and 400 <= status < 500 and status not in (408, 429):
                await notify(StateChange("closed", base, attempt=failures, code=status, reason=str(refused)))
                raise SubscriptionRefused(status, str(refused), base) from refused
            code, reason = 1006, str(refused)
        except (OSError, asyncio.TimeoutError) as broken:
            code, reason = 1006, str(broken) or type(broken).__name__

        if code in REFUSED_CODES:
            await notify(StateChange("closed", base, attempt=failures, code=code, reason=reason))
            raise SubscriptionRefused(code, reason, base)
        healthy = handed_out or (connected_at is not None and time.monotonic() - connected_at >= HEALTHY_AFTER_S)
        failures = 1 if healthy else failures + 1
        if code == CURSOR_AHEAD:
            # the cursor's event has not reached that region yet: wait for it there a few times, then move on
            ahead_closes += 1
            if ahead_closes > cursor_ahead_retries and len(url_list) > 1:
                ahead_closes = 0
                index = (index + 1) % len(url_list)
            delay = backoff_delay(max(ahead_closes, 1), cursor_ahead_backoff, max_backoff)
        else:
            ahead_closes = 0
            if connected_at is None or code in MOVE_ON_CODES:
                index = (index + 1) % len(url_list)
            delay = backoff_delay(failures, min_backoff, max_backoff)
        await notify(StateChange("disconnected", base, attempt=failures, code=code, reason=reason, retry_in=delay,
                                 resumed_from=None))
        resumed_from = urlencode(position.query(), safe=":,", doseq=True) or "live"
        await asyncio.sleep(delay)


def _parse(raw: Union[str, bytes]) -> Optional[dict]:
    try:
        frame = json.loads(raw)
    except ValueError:
        return None
    return frame if isinstance(frame, dict) else None


def _int_or_none(value) -> Optional[int]:
    return value if isinstance(value, int) else None


def _handshake_status(error: Exception) -> Optional[int]:
    status = getattr(error, "status_code", None)  # websockets < 13: InvalidStatusCode
    if status is None:
        status = getattr(getattr(error, "response", None), "status_code", None)  # websockets >= 13: InvalidStatus
    return status if isinstance(status, int) else None
