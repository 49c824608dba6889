"""Per-channel sequence bookkeeping (``seq`` in event frames of a sequencing platform): repeats dropped and counted,
gaps yielded with the exact count unless a ``truncated`` frame explained them, ``seq=`` sent on resume. The position on
its own, and a subscription against a scripted server: no platform needed."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from fake_server import FakeFanout
from fanout_client import Gap
from fanout_client._position import Position, parse_seqs
from support import Subscriber, run


def _event(channel, origin, seq, offset=None, partition=3):
    offset = seq + 100 if offset is None else offset
    return {"channel": channel, "partition": partition, "offset": offset, "timestamp": 0, "id": f"{origin}-{seq}",
            "origin": origin, "cursor": f"1.{partition}.{origin}~m3xk1o9c~{origin}{seq}", "seq": seq, "message": seq}


def _offer(position, event):
    """What a subscription does with an event: the gap before it, or 'duplicate' when it is dropped."""
    missed = position.missed_before(event)
    return missed if position.accept(event) else "duplicate"


def test_should_drop_an_event_whose_seq_is_at_or_below_the_last_of_its_channel_and_origin_and_count_it():
    position = Position(["a"], {})
    assert _offer(position, _event("a", "r1", 1)) == 0
    assert _offer(position, _event("a", "r1", 2)) == 0
    assert _offer(position, _event("a", "r1", 2)) == "duplicate"
    assert _offer(position, _event("a", "r1", 1, offset=999)) == "duplicate"  # by seq, whatever its offset
    assert _offer(position, _event("a", "r2", 1)) == 0  # another origin counts on its own
    assert position.duplicates == 2


def test_should_measure_a_gap_with_the_exact_number_of_events_missed_per_channel_and_origin():
    position = Position(["a", "b"], {})
    _offer(position, _event("a", "r1", 4))
    _offer(position, _event("b", "r1", 10))
    assert _offer(position, _event("a", "r1", 7)) == 2  # 5 and 6 never came
    assert _offer(position, _event("b", "r1", 11)) == 0
    assert _offer(position, _event("a", "r2", 9)) == 0  # the first of its origin: nothing to compare with
    assert _offer(position, _event("a", "r1", 8)) == 0  # delivery went on


def test_should_not_report_the_events_a_truncated_frame_accounted_for():
    position = Position(["a"], {})
    _offer(position, _event("a", "r1", 3))
    position.explain({"type": "truncated", "channel": "a", "origin": "r1", "partition": 3, "lost": 4, "firstSeq": 8})
    assert _offer(position, _event("a", "r1", 8)) == 0
    position.explain({"type": "truncated", "channel": "a", "origin": "r1", "lost": 2})
    assert _offer(position, _event("a", "r1", 12)) == 1  # 9, 10 deleted (said), 11 missing (not said)
    position.explain({"type": "truncated", "channel": "a", "partition": 3, "lost": 5, "firstSeq": 18})  # no origin
    assert _offer(position, _event("a", "r1", 18)) == 0
    assert _offer(position, _event("a", "r1", 20)) == 1  # used up: the next jump is a gap again
    position.explain({"type": "truncated", "partition": 3, "requested": 1, "earliest": 9})  # today's: no channel
    assert _offer(position, _event("a", "r1", 21)) == 0


def test_should_resume_with_the_last_seq_of_each_channel_and_origin_besides_the_cursors():
    position = Position(["a", "b"], {})
    _offer(position, _event("b", "r2", 5, offset=40, partition=1))
    _offer(position, _event("a", "r1", 7, offset=8))
    _offer(position, _event("a", "r2", 2, offset=9))
    assert position.query() == {"cursor": ["1.1.r2~m3xk1o9c~r25", "1.3.r2~m3xk1o9c~r22"],
                                "seq": ["a~r1~7", "a~r2~2", "b~r2~5"]}
    assert position.resume_options() == position.query()


def test_should_send_no_seq_when_the_frames_carry_none():
    position = Position(["a"], {})
    plain = _event("a", "r1", 1)
    del plain["seq"]
    _offer(position, plain)
    assert "seq" not in position.query()


def test_should_start_from_stored_seq_values_and_refuse_malformed_ones():
    position = Position(["a"], {"cursor": ["1.3.r1~m3xk1o9c~x"]}, ["a~r1~7"])
    assert position.query() == {"cursor": ["1.3.r1~m3xk1o9c~x"], "seq": ["a~r1~7"]}
    assert _offer(position, _event("a", "r1", 7)) == "duplicate"
    assert _offer(position, _event("a", "r1", 9)) == 1
    assert parse_seqs("a~r1~3") == {("a", "r1"): 3}
    for bad in ["a~r1", "a~r1~x", "~r1~3", "a~r1~-1", "a~r1~3~4"]:
        with pytest.raises(ValueError):
            parse_seqs([bad])


def test_should_yield_a_detected_gap_before_the_event_after_a_jump_and_resume_with_seq():
    async def first(c):
        for seq in (1, 2, 5, 6):  # 3 and 4 never come
            await c.send(_event("orders", "r1", seq))
        await c.close(1001, "going away")

    async def second(c):
        await c.send(_event("orders", "r1", 6, offset=7))  # another instance repeats the last one
        await c.send({"type": "truncated", "channel": "orders", "origin": "r1", "partition": 3, "lost": 3,
                      "firstSeq": 10, "since": 1, "earliest": 0})
        await c.send(_event("orders", "r1", 10, offset=8))

    async def scenario():
        async with FakeFanout([first, second]) as server:
            subscriber = Subscriber(server.url, ["orders"], min_backoff=0.01)
            await subscriber.received(5)
            duplicates = subscriber._iterator.duplicates
            position = subscriber.position()
            await subscriber.close()
        items = [item if isinstance(item, Gap) else item["seq"] for item in subscriber.items]
        assert items[:3] == [1, 2, Gap(partition=3, requested=None, earliest=105, origin="r1", channel="orders",
                                       lost=2, first_seq=5, detected=True)]
        assert items[3:5] == [5, 6]
        truncated = items[5]
        assert isinstance(truncated, Gap) and not truncated.detected
        assert (truncated.channel, truncated.lost, truncated.first_seq, truncated.missed) == ("orders", 3, 10, 3)
        assert items[6:] == [10]  # explained by the frame: no detected gap
        assert "seq" not in parse_qs(urlsplit(server.paths[0]).query)
        assert parse_qs(urlsplit(server.paths[1]).query)["seq"] == ["orders~r1~6"]
        assert duplicates == 1
        assert position["seq"] == ["orders~r1~10"]

    run(scenario(), timeout=60)
