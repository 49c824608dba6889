"""The resume position on its own: parsing, formatting, and which cursor the next connection uses."""

from __future__ import annotations

import pytest

from fanout_client import subscribe
from fanout_client._position import LIVE_LOOKBACK_MS, Position, format_position, parse_cursors, parse_position


def test_should_parse_and_format_position_lists():
    assert parse_position("3:17,7:0") == {3: 17, 7: 0}
    assert format_position({7: 0, 3: 17}) == "3:17,7:0"
    assert parse_position("") == {}


@pytest.mark.parametrize("bad", ["3", "3:", ":4", "a:1", "1:-2", "-1:2", "1:2,", "1:2;3:4"])
def test_should_refuse_malformed_positions(bad):
    with pytest.raises(ValueError):
        parse_position(bad)


def test_should_start_live_then_look_back_from_the_first_connection_until_every_channel_is_known():
    position = Position(["a", "b"], {})
    assert position.query() == {}
    position.connected(1_000_000)
    assert position.query() == {"since": str(1_000_000 - LIVE_LOOKBACK_MS)}
    assert position.accept({"channel": "a", "partition": 2, "offset": 5})
    assert position.query() == {"since": str(1_000_000 - LIVE_LOOKBACK_MS)}
    assert position.accept({"channel": "b", "partition": 9, "offset": 0})
    assert position.query() == {"from": "2:6,9:1"}


def test_should_drop_events_below_the_position_handed_out():
    position = Position(["a"], {"last": "5"})
    assert position.accept({"channel": "a", "partition": 2, "offset": 5})
    assert not position.accept({"channel": "a", "partition": 2, "offset": 5})
    assert not position.accept({"channel": "a", "partition": 2, "offset": 4})
    assert position.accept({"channel": "a", "partition": 2, "offset": 6})


def test_should_prefer_handed_out_positions_over_the_subscribed_ones():
    position = Position(["a", "b"], {"since": "0"})
    position.seed({"type": "subscribed", "channels": ["a", "b"], "position": "2:0,9:3"})
    assert position.accept({"channel": "a", "partition": 2, "offset": 0})
    assert position.query() == {"from": "2:1,9:3"}


def test_should_skip_past_a_gap():
    position = Position(["a"], {"from": "0"})
    position.accept({"channel": "a", "partition": 2, "offset": 3})
    position.skip_to(2, 10)
    assert position.query() == {"from": "2:10"}


def _cursor(partition: int, tag: str) -> str:
    return f"1.{partition}.r1~m3xk1o9c~{tag}"


def test_should_resume_with_the_cursor_of_each_partitions_last_event():
    position = Position(["a", "b"], {})
    assert position.accept({"channel": "a", "partition": 3, "offset": 7, "origin": "r1", "cursor": _cursor(3, "x7")})
    assert position.accept({"channel": "b", "partition": 1, "offset": 4, "origin": "r1", "cursor": _cursor(1, "x4")})
    assert position.accept({"channel": "a", "partition": 3, "offset": 8, "origin": "r1", "cursor": _cursor(3, "x8")})
    assert position.query() == {"cursor": [_cursor(1, "x4"), _cursor(3, "x8")]}
    assert position.resume_options() == {"cursor": [_cursor(1, "x4"), _cursor(3, "x8")]}


def test_should_fall_back_to_offsets_for_frames_without_a_cursor():
    position = Position(["a"], {})
    position.accept({"channel": "a", "partition": 3, "offset": 7})
    assert position.query() == {"from": "3:8"}
    assert position.resume_options() == {"from_": "3:8"}


def test_should_drop_repeats_per_origin_until_a_resume_by_cursor():
    position = Position(["a"], {})
    assert position.accept({"channel": "a", "partition": 3, "offset": 7, "origin": "r1", "cursor": _cursor(3, "a")})
    assert not position.accept({"channel": "a", "partition": 3, "offset": 7, "origin": "r1", "cursor": _cursor(3, "a")})
    # another origin's copy in the same partition numbers its offsets on its own
    assert position.accept({"channel": "a", "partition": 3, "offset": 2, "origin": "r2", "cursor": _cursor(3, "b")})
    position.resumed_by_cursor()  # another region: other offsets, and the server's answer is exact
    assert position.accept({"channel": "a", "partition": 3, "offset": 1, "origin": "r1", "cursor": _cursor(3, "c")})


def test_should_start_from_given_cursors_and_refuse_what_is_not_one():
    position = Position(["a"], {"cursor": [_cursor(2, "y")]})
    assert position.query() == {"cursor": [_cursor(2, "y")]}
    assert parse_cursors(f"{_cursor(1, 'a')},{_cursor(2, 'b')}") == [_cursor(1, "a"), _cursor(2, "b")]
    with pytest.raises(ValueError):
        parse_cursors("3:100")
    with pytest.raises(ValueError):
        subscribe("ws://x", ["a"], cursor=[_cursor(1, "a")], last=2)


def test_should_not_keep_a_subscribed_position_that_names_mirrored_partitions():
    position = Position(["a"], {})
    position.connected(1_000_000)
    position.seed({"type": "subscribed", "channels": ["a"], "position": "3:0,r2/3:0"})
    assert position.query() == {"since": str(1_000_000 - LIVE_LOOKBACK_MS)}
