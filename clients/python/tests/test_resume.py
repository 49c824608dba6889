"""Resume across a fan-out instance killed with SIGKILL: restarted on the same port, or replaced by another URL."""

from __future__ import annotations

import asyncio

from fanout_client import publish
from support import Subscriber, channel, run

TOTAL = 60


async def _publish_steadily(ingest_url: str, name: str, numbers: range, acked: list) -> None:
    for n in numbers:
        acked.append(await publish(ingest_url, name, {"n": n}))
        await asyncio.sleep(0.02)  # a steady stream, so that the kill lands mid-stream


def test_should_deliver_every_event_once_in_order_across_a_kill_and_restart(extra_fanout, ingest_url):
    async def scenario():
        await extra_fanout.start_async()
        name = channel("restart")
        acked: list = [await publish(ingest_url, name, {"n": 0})]
        # from the first ack: a freshly started instance may still be finding the log end for live events
        subscriber = Subscriber(extra_fanout.url, [name], from_=acked[0]["offset"], max_backoff=2.0)
        publisher = asyncio.create_task(_publish_steadily(ingest_url, name, range(1, TOTAL // 2), acked))
        await subscriber.received(10)
        extra_fanout.kill()  # mid-stream: the publisher runs on while the instance is down
        killed_after = len(subscriber.events)
        await extra_fanout.start_async()
        await publisher
        # the rest while the client reconnects: some from the log, some live
        await _publish_steadily(ingest_url, name, range(TOTAL // 2, TOTAL), acked)
        await subscriber.received(TOTAL)
        await subscriber.close()

        assert killed_after < TOTAL // 2
        assert [e["message"]["n"] for e in subscriber.events] == list(range(TOTAL))
        assert [e["offset"] for e in subscriber.events] == [a["offset"] for a in acked]
        broken = [s for s in subscriber.states if s.state == "disconnected"]
        assert broken and broken[0].code == 1006
        resumed = [s for s in subscriber.states if s.state == "connected" and s.resumed_from]
        assert resumed and resumed[-1].resumed_from.startswith("cursor="), resumed[-1].resumed_from

    run(scenario(), timeout=300)


def test_should_fail_over_to_the_next_url_when_an_instance_dies(extra_fanout, fanout_url, ingest_url):
    async def scenario():
        await extra_fanout.start_async()
        name = channel("failover")
        acked: list = [await publish(ingest_url, name, {"n": 0})]
        subscriber = Subscriber([extra_fanout.url, fanout_url], [name], from_=acked[0]["offset"], max_backoff=2.0)
        publisher = asyncio.create_task(_publish_steadily(ingest_url, name, range(1, TOTAL), acked))
        await subscriber.received(10)
        extra_fanout.kill()
        await publisher
        await subscriber.received(TOTAL)
        await subscriber.close()

        assert [e["message"]["n"] for e in subscriber.events] == list(range(TOTAL))
        connections = [s for s in subscriber.states if s.state == "connected"]
        assert connections[0].url == extra_fanout.url
        assert connections[-1].url == fanout_url

    run(scenario(), timeout=300)


def test_should_carry_on_from_a_stored_position_on_another_instance_with_nothing_lost_or_repeated(
        extra_fanout, fanout_url, ingest_url):
    async def scenario():
        await extra_fanout.start_async()
        names = [channel("stored-a"), channel("stored-b")]
        acked = {name: [] for name in names}

        async def round_of(count: int, start: int) -> None:
            for n in range(start, start + count):
                for name in names:
                    acked[name].append(await publish(ingest_url, name, {"n": n}))

        first = Subscriber(fanout_url, names, max_backoff=2.0)
        await first.connected()
        await round_of(5, 0)
        await first.received(10)
        stored = first.position()  # what a program keeps, e.g. in its database
        await first.close()
        assert len(stored["cursor"]) == len({e["partition"] for e in first.events})

        await round_of(5, 5)  # while no client is connected
        second = Subscriber(extra_fanout.url, names, max_backoff=2.0, **stored)  # another instance
        await second.connected()
        await round_of(3, 10)
        await second.received(16)
        await second.close()

        for name in names:
            got = [e["offset"] for e in first.events + second.events if e["channel"] == name]
            assert got == [a["offset"] for a in acked[name]], name
        assert all(isinstance(e.get("cursor"), str) for e in second.events)

    run(scenario(), timeout=300)
