"""Where a subscription resumes: the one place that knows the server's resume format.

Today the format is the ``from=`` position list (``p:o,p:o``: for each partition, the next offset wanted). When the
server's region-independent ``cursor`` arrives, only this module changes.
"""

from __future__ import annotations

from typing import Dict, Iterable, Mapping, Optional

# How far before the first connection a live subscription that never learned its positions looks back on resume
# (see Position.query): covers clock differences between this machine and the publishers.
LIVE_LOOKBACK_MS = 5_000


def parse_position(text: str) -> Dict[int, int]:
    """``"3:17,7:0"`` -> ``{3: 17, 7: 0}``; raises ``ValueError`` on anything else."""
    result: Dict[int, int] = {}
    if not text:
        return result
    for part in text.split(","):
        partition, sep, offset = part.partition(":")
        if not sep:
            raise ValueError(f"bad position {text!r}")
        p, o = int(partition), int(offset)
        if p < 0 or o < 0:
            raise ValueError(f"bad position {text!r}")
        result[p] = o
    return result


def format_position(positions: Mapping[int, int]) -> str:
    return ",".join(f"{p}:{o}" for p, o in sorted(positions.items()))


class Position:
    """The resume position of one subscription, updated as events are handed out.

    - ``accept(event)`` for every event before it is handed out: sets ``partition -> offset + 1`` and says whether
      the event is new (an event below the position is a repeat and must be dropped).
    - ``seed(frame)`` with the server's ``subscribed`` frame: its ``position`` covers every partition of the
      subscription, so from then on the position is complete.
    - ``query()`` is the cursor for the next connection: ``{"from": "p:o,..."}`` once every channel's partition is
      known (from the ``subscribed`` frame, or an event of each channel); before that the first cursor again
      (``last``, ``from`` or ``since``), or for a live subscription ``since`` shortly before its first connection.
      Either way ``accept`` drops what was already handed out, so nothing repeats.

    Not thread-safe: one subscription's task owns it.
    """

    def __init__(self, channels: Iterable[str], first_cursor: Mapping[str, str]) -> None:
        self._channels = set(channels)
        self._first_cursor = dict(first_cursor)
        self._handed_out: Dict[int, int] = {}
        self._seeded: Dict[int, int] = {}
        self._channels_seen: set = set()
        self._complete = False
        self._first_connected_ms: Optional[int] = None

    def connected(self, now_ms: int) -> None:
        if self._first_connected_ms is None:
            self._first_connected_ms = now_ms

    def seed(self, frame: Mapping) -> None:
        position = frame.get("position")
        if isinstance(position, str):
            self._seeded.update(parse_position(position))
            self._complete = True

    def accept(self, event: Mapping) -> bool:
        partition, offset = event.get("partition"), event.get("offset")
        if not isinstance(partition, int) or not isinstance(offset, int):
            return True
        wanted = self._handed_out.get(partition)
        if wanted is not None and offset < wanted:
            return False
        self._handed_out[partition] = offset + 1
        channel = event.get("channel")
        if channel is not None:
            self._channels_seen.add(channel)
        return True

    def skip_to(self, partition: int, earliest: int) -> None:
        """After a gap: nothing below ``earliest`` exists any more, so do not ask for it (and hear of it) again."""
        if self._handed_out.get(partition, -1) < earliest:
            self._handed_out[partition] = earliest

    def positions(self) -> Dict[int, int]:
        merged = dict(self._seeded)
        merged.update(self._handed_out)
        return merged

    def query(self) -> Dict[str, str]:
        """The cursor query parameters for the next connection (empty: start live)."""
        if self._complete or (self._channels and self._channels <= self._channels_seen):
            return {"from": format_position(self.positions())} if self.positions() else {}
        if self._first_cursor:
            return dict(self._first_cursor)
        if self._first_connected_ms is not None:
            return {"since": str(self._first_connected_ms - LIVE_LOOKBACK_MS)}
        return {}
