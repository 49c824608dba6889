"""Where a subscription resumes: the one place that knows the server's resume formats.

A server that sends a region-independent ``cursor`` in every event frame is resumed with ``cursor=`` (one per
partition: the cursor of the last event yielded in it), valid on any instance of any region. For frames without a
cursor (older servers) the format is the ``from=`` position list (``p:o,p:o``: for each partition, the next offset
wanted), valid in one region.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

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


_CURSOR = re.compile(r"^1\.(\d+)\.[A-Za-z0-9_.~-]*$")


def cursor_partition(cursor: str) -> int:
    """The partition a cursor names (``1.<partition>.…``); raises ``ValueError`` when it is not a cursor."""
    match = _CURSOR.match(cursor) if isinstance(cursor, str) else None
    if not match:
        raise ValueError(f"not a fanout cursor: {cursor!r}")
    return int(match.group(1))


def parse_seqs(values: Union[str, Sequence[str]]) -> Dict[Tuple[str, str], int]:
    """Stored ``seq=`` values ``channel~origin~n`` (one, or a list) -> ``{(channel, origin): n}``; raises
    ``ValueError`` on anything else (``~`` is in neither channel names nor region aliases)."""
    items = [values] if isinstance(values, str) else list(values)
    result: Dict[Tuple[str, str], int] = {}
    for item in items:
        parts = str(item).split("~")
        if len(parts) != 3 or not parts[0] or not parts[2].isdigit():
            raise ValueError(f"not a seq value 'channel~origin~n': {item!r}")
        result[(parts[0], parts[1])] = int(parts[2])
    return result


def _is_seq(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def parse_cursors(cursors: Union[str, Sequence[str]]) -> List[str]:
    """One cursor, a list of them, or an SSE id ``c,c`` -> the list of cursors; raises ``ValueError`` on others."""
    items = [cursors] if isinstance(cursors, str) else list(cursors)
    result = [c for item in items for c in str(item).split(",")]
    if not result:
        raise ValueError("no cursor given")
    for c in result:
        cursor_partition(c)
    return result


class Position:
    """The resume position of one subscription, updated as events are handed out.

    - ``accept(event)`` for every event before it is handed out: keeps the event's ``cursor`` for its partition (or,
      for a frame without one, sets ``partition -> offset + 1``) and says whether the event is new (an event below
      what was handed out on this connection is a repeat and must be dropped).
    - ``seed(frame)`` with the server's ``subscribed`` frame: its ``position`` covers every partition of the
      subscription, so from then on the position is complete.
    - ``query()`` is the cursor for the next connection: ``{"cursor": [...]}`` (one per partition) once any cursor is
      known (a partition no cursor names then starts at the oldest time the cursors name: the server's rule);
      else ``{"from": "p:o,..."}`` once every channel's partition is
      known (from the ``subscribed`` frame, or an event of each channel); before that the first cursor again
      (``last``, ``from`` or ``since``), or for a live subscription ``since`` shortly before its first connection.
      Either way ``accept`` drops what was already handed out, so nothing repeats.
    - From a platform that numbers each channel's events (``seq`` in event frames): the last seq handed out per
      (channel, origin) decides alone what ``accept`` drops as a repeat (counted in ``duplicates``), tells how many
      events are missing before one (``missed_before``, less what a ``truncated`` frame ``explain``-ed) and goes with
      every ``query()`` as ``seq``: ``["channel~origin~n", ...]``.

    Not thread-safe: one subscription's task owns it.
    """

    def __init__(self, channels: Iterable[str], first_cursor: Mapping[str, Union[str, List[str]]],
                 seq: Union[str, Sequence[str], None] = None) -> None:
        self._channels = set(channels)
        self._first_cursor = {k: v for k, v in first_cursor.items() if k != "cursor"}
        # (channel, origin) -> the last seq handed out of that channel's events from that origin (a sequencing server)
        self._seqs: Dict[Tuple[str, str], int] = parse_seqs(seq) if seq is not None else {}
        # channel -> (first_seq, lost) of a truncated frame that named no origin, until that channel's next event
        self._explained_any_origin: Dict[str, Tuple[Optional[int], Optional[int]]] = {}
        #: how many events were dropped as repeats of ones handed out (by ``seq``, or by offset on one connection)
        self.duplicates = 0
        self._cursors: Dict[int, str] = {}
        # (origin, partition) -> next offset: repeats of cursor events on the connection that sent them
        self._seen: Dict[Tuple[Optional[str], int], int] = {}
        for c in parse_cursors(first_cursor["cursor"]) if "cursor" in first_cursor else []:
            self._cursors[cursor_partition(c)] = c
        self._handed_out: Dict[int, int] = {}
        self._seeded: Dict[int, int] = {}
        self._channels_seen: set = set()
        self._complete = False
        self._first_connected_ms: Optional[int] = None

    def connected(self, now_ms: int) -> None:
        if self._first_connected_ms is None:
            self._first_connected_ms = now_ms

    def seed(self, frame: Mapping) -> None:
        """Seeds from the server's start position. One that names partitions of other regions' mirrored topics
        (``r2/3:40``, a server reading several regions), or that this client cannot read, is not kept: a partial
        position would start those topics live on a resume; the cursor of the first event replaces it anyway."""
        self._seed_cursor(frame.get("cursor"))
        position = frame.get("position")
        if not isinstance(position, str) or "/" in position:
            return
        try:
            seeded = parse_position(position)
        except ValueError:
            return
        self._seeded.update(seeded)
        self._complete = True

    def _seed_cursor(self, stream_cursor) -> None:
        """The ``subscribed`` frame's ``cursor`` (the stream's start, one cursor per partition joined by ``,``): a
        partition no event has given a cursor yet resumes from there, on any instance of any region, so a subscription
        that leaves before its first event resumes exactly instead of going live. Event cursors are kept over it; an
        unreadable value is ignored."""
        if not isinstance(stream_cursor, str):
            return
        try:
            cursors = parse_cursors(stream_cursor)
        except ValueError:
            return
        for c in cursors:
            self._cursors.setdefault(cursor_partition(c), c)

    def resumed_by_cursor(self) -> None:
        """A connection resumed with ``cursor=``: the server sends exactly what follows, with the offsets of its own
        region (another region's differ), so the offsets seen before say nothing about repeats any more."""
        self._seen.clear()

    def accept(self, event: Mapping) -> bool:
        partition, offset = event.get("partition"), event.get("offset")
        if not isinstance(partition, int) or not isinstance(offset, int):
            return True
        seq, channel = event.get("seq"), event.get("channel")
        last = None
        if _is_seq(seq) and isinstance(channel, str):
            last = self._seqs.get((channel, str(event.get("origin") or "")))
            if last is not None and seq <= last:
                self.duplicates += 1
                return False
        # a known seq decides alone; without one, an offset below what this connection handed out is a repeat
        if not self._accept_position(event, partition, offset, check=last is None):
            self.duplicates += 1
            return False
        if _is_seq(seq) and isinstance(channel, str):
            self._seqs[(channel, str(event.get("origin") or ""))] = seq
        return True

    def missed_before(self, event: Mapping) -> int:
        """How many events of ``event``'s channel and origin are missing right before it and no ``truncated`` frame
        explained: ``seq - (last + 1)`` beyond what such a frame said was deleted. 0 when nothing is missing, when the
        event has no ``seq``, or when no earlier ``seq`` of its channel and origin is known. Call it once per event,
        before ``accept`` (it uses up a frame that named the channel without an origin)."""
        seq, channel = event.get("seq"), event.get("channel")
        if not _is_seq(seq) or not isinstance(channel, str):
            return 0
        last = self._seqs.get((channel, str(event.get("origin") or "")))
        if last is not None and seq <= last:
            return 0  # a repeat: accept drops it
        expected = None if last is None else last + 1
        note = self._explained_any_origin.pop(channel, None)
        if note is not None:
            first_seq, lost = note
            if first_seq is not None:
                expected = max(expected or 0, first_seq)
            elif expected is not None and lost is not None:
                expected += lost
        return 0 if expected is None else max(0, seq - expected)

    def explain(self, frame: Mapping) -> None:
        """Takes a ``truncated`` frame that names its channel: the events it says were deleted (``firstSeq``: the seq
        the channel continues with; else ``lost``: how many) are not reported again as missing."""
        channel = frame.get("channel")
        first_seq = frame.get("firstSeq") if _is_seq(frame.get("firstSeq")) else None
        lost = frame.get("lost") if _is_seq(frame.get("lost")) else None
        if not isinstance(channel, str) or (first_seq is None and lost is None):
            return
        origin = frame.get("origin")
        if not isinstance(origin, str):
            self._explained_any_origin[channel] = (first_seq, lost)
            return
        key = (channel, origin)
        last = self._seqs.get(key)
        if first_seq is not None:
            self._seqs[key] = max(last or 0, first_seq - 1)
        elif last is not None and lost is not None:
            self._seqs[key] = last + lost

    def seqs(self) -> List[str]:
        """The last ``seq`` handed out per channel and origin, as ``seq=`` values ``channel~origin~n``."""
        return [f"{c}~{o}~{n}" for (c, o), n in sorted(self._seqs.items()) if c in self._channels]

    def _accept_position(self, event: Mapping, partition: int, offset: int, check: bool = True) -> bool:
        cursor = event.get("cursor")
        if isinstance(cursor, str):
            key = (event.get("origin"), partition)
            seen = self._seen.get(key)
            if check and seen is not None and offset < seen:
                return False
            self._seen[key] = offset + 1
            self._cursors[partition] = cursor
            channel = event.get("channel")
            if channel is not None:
                self._channels_seen.add(channel)
            return True
        wanted = self._handed_out.get(partition)
        if check and wanted is not None and offset < wanted:
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

    def cursors(self) -> List[str]:
        """The cursor of the last event handed out in each partition, in partition order."""
        return [c for _, c in sorted(self._cursors.items())]

    def resume_options(self) -> Dict[str, Union[str, List[str]]]:
        options = self._cursor_options()
        if self.seqs():
            options["seq"] = self.seqs()
        return options

    def _cursor_options(self) -> Dict[str, Union[str, List[str]]]:
        """Where a new ``subscribe`` carries on right after the events handed out, as its keyword arguments:
        ``{"cursor": [...]}`` (valid in any region) when the server sends cursors, ``{"from_": "p:o,..."}`` for a
        server without them, else the first cursor again (``{}``: live)."""
        if self._cursors:
            return {"cursor": self.cursors()}
        if self._handed_out:
            return {"from_": format_position(self.positions())}
        return {("from_" if k == "from" else k): v for k, v in self._first_cursor.items()}

    def query(self) -> Dict[str, Union[str, List[str]]]:
        """The cursor query parameters for the next connection (empty: start live), with ``seq`` (the last seq per
        channel and origin) once the server sent any."""
        query = self._cursor_query()
        if self.seqs():
            query["seq"] = self.seqs()
        return query

    def _cursor_query(self) -> Dict[str, Union[str, List[str]]]:
        if self._cursors:
            return {"cursor": self.cursors()}
        if self._complete or (self._channels and self._channels <= self._channels_seen):
            return {"from": format_position(self.positions())} if self.positions() else {}
        if self._first_cursor:
            return dict(self._first_cursor)
        if self._first_connected_ms is not None:
            return {"since": str(self._first_connected_ms - LIVE_LOOKBACK_MS)}
        return {}
