"""The resume position on its own: parsing, formatting, and which cursor the next connection uses."""

from __future__ import annotations

import pytest

from fanout_client._position import LIVE_LOOKBACK_MS, Position, format_position, parse_position


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
