"""The subscription's reactions to each kind of frame and close, against a scripted server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fake_server import FakeFanout
from fanout_client import CursorAhead, Gap, SubscriptionRefused
from support import Subscriber, run, until


def _query(path: str) -> dict:
    return {k: v for k, v in parse_qs(urlsplit(path).query).items()}


def test_should_yield_a_gap_where_the_server_reports_truncation_and_not_ask_for_it_again():
    async def first(c):
        await c.send({"type": "truncated", "partition": 3, "requested": 100, "earliest": 250})
        await c.event("a", 3, 250)
        await c.close(1001, "going away")

    async def second(c):
        await c.event("a", 3, 251)

    async def scenario():
        async with FakeFanout([first, second]) as server:
            subscriber = Subscriber(server.url, ["a"], from_=100, min_backoff=0.01)
            await subscriber.received(2)
            await subscriber.close()
        assert subscriber.items[0] == Gap(partition=3, requested=100, earliest=250)
        assert subscriber.items[0].missed == 150
        assert [e["offset"] for e in subscriber.events] == [250, 251]
        assert _query(server.paths[0])["from"] == ["100"]
        assert _query(server.paths[1])["from"] == ["3:251"]

    run(scenario(), timeout=60)


def test_should_resume_after_the_last_event_on_every_partition_of_several_channels():
    async def first(c):
        await c.event("a", 1, 7)
        await c.event("b", 4, 40)
        await c.event("a", 1, 8)
        await c.close(4000, "slow consumer")

    async def second(c):
        await c.event("b", 4, 41)

    async def scenario():
        async with FakeFanout([first, second]) as server:
            subscriber = Subscriber(server.url, ["a", "b"], last=2, min_backoff=0.01)
            await subscriber.received(4)
            await subscriber.close()
        assert _query(server.paths[0]) == {"channel": ["a", "b"], "last": ["2"]}
        assert _query(server.paths[1]) == {"channel": ["a", "b"], "from": ["1:9,4:41"]}
        assert subscriber.count("disconnected") == 1
        assert subscriber.states[2].code == 4000

    run(scenario(), timeout=60)


def test_should_resume_from_the_subscribed_position_when_no_event_arrived_yet():
    async def first(c):
        await c.send({"type": "subscribed", "channels": ["a", "b"], "position": "1:7,4:40"})
        await c.close(1011, "internal error")

    async def second(c):
        await c.event("a", 1, 7)

    async def scenario():
        async with FakeFanout([first, second]) as server:
            subscriber = Subscriber(server.url, ["a", "b"], min_backoff=0.01)
            await subscriber.received(1)
            await subscriber.close()
        assert "from" not in _query(server.paths[0])
        assert _query(server.paths[1])["from"] == ["1:7,4:40"]

    run(scenario(), timeout=60)


def test_should_drop_repeats_when_it_must_resume_with_its_first_cursor():
    # Channel b has delivered nothing yet and the server sent no `subscribed` frame: the client cannot name b's
    # partition, so it asks for last=2 again and drops what it already handed out of a.
    async def first(c):
        await c.event("a", 1, 7)
        await c.event("a", 1, 8)
        await c.close(1001)

    async def second(c):
        await c.event("a", 1, 7)
        await c.event("a", 1, 8)
        await c.event("b", 4, 40)
        await c.event("a", 1, 9)

    async def scenario():
        async with FakeFanout([first, second]) as server:
            subscriber = Subscriber(server.url, ["a", "b"], last=2, min_backoff=0.01)
            await subscriber.received(4)
            await subscriber.close()
        assert _query(server.paths[1])["last"] == ["2"]
        assert [(e["partition"], e["offset"]) for e in subscriber.events] == [(1, 7), (1, 8), (4, 40), (1, 9)]

    run(scenario(), timeout=60)


def test_should_report_catching_up_and_live_as_states():
    async def script(c):
        await c.send({"type": "catching-up"})
        await c.event("a", 0, 1)
        await c.send({"type": "live"})
        await c.event("a", 0, 2)

    async def scenario():
        async with FakeFanout([script]) as server:
            subscriber = Subscriber(server.url, ["a"])
            await subscriber.received(2)
            await until(lambda: subscriber.count("live") == 1, "the live state")
            await subscriber.close()
        assert [s.state for s in subscriber.states] == ["connecting", "connected", "catching-up", "live"]

    run(scenario(), timeout=60)


def test_should_move_to_the_next_url_when_one_refuses_connections():
    async def script(c):
        await c.event("a", 0, 1)

    async def scenario():
        async with FakeFanout([script]) as server:
            url = server.url
            subscriber = Subscriber(["ws://127.0.0.1:1", url], ["a"], min_backoff=0.01)
            await subscriber.received(1)
            await subscriber.close()
        assert [s.state for s in subscriber.states[:4]] == ["connecting", "disconnected", "connecting", "connected"]
        assert subscriber.states[1].url == "ws://127.0.0.1:1"
        assert subscriber.states[3].url == url

    run(scenario(), timeout=60)


def test_should_raise_on_1008_after_events_without_reconnecting():
    async def script(c):
        await c.event("a", 0, 1)
        await c.close(1008, "token expired")

    async def scenario():
        async with FakeFanout([script]) as server:
            subscriber = Subscriber(server.url, ["a"], min_backoff=0.01)
            await until(lambda: subscriber.error is not None, "the refusal", timeout=30)
        assert isinstance(subscriber.error, SubscriptionRefused)
        assert (subscriber.error.code, subscriber.error.reason) == (1008, "token expired")
        assert len(subscriber.events) == 1
        assert len(server.paths) == 1

    run(scenario(), timeout=60)


def _cursor(partition: int, tag: str) -> str:
    return f"1.{partition}.r1~m3xk1o9c~{tag}"


def test_should_retry_the_same_url_after_4001_then_move_to_the_next_with_the_cursor():
    async def serve(c):
        await c.event("a", 3, 10, _cursor(3, "e10"))
        await c.close(1001, "going away")

    async def ahead(c):
        await c.send({"type": "cursor-ahead", "origin": "r1", "partition": 3, "detail": "not here yet"})
        await c.close(4001, "cursor ahead")

    async def carry_on(c):
        await c.event("a", 3, 4, _cursor(3, "e11"))  # another region numbers the partition on its own

    async def scenario():
        async with FakeFanout([serve, carry_on]) as region1, FakeFanout([ahead]) as region2:
            subscriber = Subscriber([region1.url, region2.url], ["a"], min_backoff=0.01,
                                    cursor_ahead_retries=1, cursor_ahead_backoff=0.01)
            await subscriber.received(2)
            stored = subscriber.position()
            await subscriber.close()
        assert [_query(p).get("cursor") for p in region2.paths] == [[_cursor(3, "e10")]] * 2
        assert _query(region1.paths[1])["cursor"] == [_cursor(3, "e10")]
        assert [e["offset"] for e in subscriber.events] == [10, 4]
        notices = [i for i in subscriber.items if isinstance(i, CursorAhead)]
        assert notices == [CursorAhead("r1", 3, "not here yet")] * 2
        assert subscriber.count("cursor-ahead") == 2
        assert [s.code for s in subscriber.states if s.state == "disconnected"] == [1001, 4001, 4001]
        assert stored == {"cursor": [_cursor(3, "e11")]}

    run(scenario(), timeout=60)


def test_should_keep_retrying_a_single_url_after_4001():
    async def ahead(c):
        await c.send({"type": "cursor-ahead", "origin": "r2", "partition": 0, "detail": "not here yet"})
        await c.close(4001, "cursor ahead")

    async def arrived(c):
        await c.event("a", 0, 1, _cursor(0, "e1"))

    async def scenario():
        async with FakeFanout([ahead, ahead, ahead, arrived]) as server:
            subscriber = Subscriber(server.url, ["a"], cursor=_cursor(0, "e0"), cursor_ahead_backoff=0.01)
            await subscriber.received(1)
            await subscriber.close()
        assert [_query(p)["cursor"] for p in server.paths] == [[_cursor(0, "e0")]] * 4
        assert len([i for i in subscriber.items if isinstance(i, CursorAhead)]) == 3

    run(scenario(), timeout=60)


def test_should_yield_a_gap_with_origin_and_time_for_a_cursor_resume():
    async def script(c):
        await c.send({"type": "truncated", "origin": "r2", "partition": 3, "since": 1732480000000, "earliest": 250})
        await c.event("a", 3, 250, _cursor(3, "e250"), origin="r2")

    async def scenario():
        async with FakeFanout([script]) as server:
            subscriber = Subscriber(server.url, ["a"], cursor=_cursor(3, "old"))
            await subscriber.received(1)
            await subscriber.close()
        assert subscriber.items[0] == Gap(partition=3, requested=None, earliest=250, since=1732480000000, origin="r2")
        assert subscriber.items[0].missed is None

    run(scenario(), timeout=60)
