"""The client against the running platform: publish, subscribe live and from history, several channels, refusals."""

from __future__ import annotations

import pytest

from fanout_client import PublishError, SubscriptionRefused, publish
from support import Subscriber, channel, run, until


def test_should_deliver_a_publish_to_a_live_subscriber_with_the_acked_position(fanout_url, ingest_url):
    async def scenario():
        name = channel("live")
        subscriber = Subscriber(fanout_url, [name])
        await subscriber.connected()
        ack = await publish(ingest_url, name, {"text": "the dude abides"})
        await subscriber.received(1)
        await subscriber.close()
        event = subscriber.events[0]
        assert (event["channel"], event["partition"], event["offset"], event["id"]) == \
               (name, ack["partition"], ack["offset"], ack["id"])
        assert event["message"] == {"text": "the dude abides"} == ack["message"]

    run(scenario())


def test_should_replay_the_last_n_events_then_go_live(fanout_url, ingest_url):
    async def scenario():
        name = channel("last")
        for n in range(5):
            await publish(ingest_url, name, n)
        subscriber = Subscriber(fanout_url, [name], last=3)
        await subscriber.received(3)
        await publish(ingest_url, name, 5)
        await subscriber.received(4)
        await subscriber.close()
        assert subscriber.messages() == [2, 3, 4, 5]

    run(scenario())


def test_should_start_from_an_acked_offset(fanout_url, ingest_url):
    async def scenario():
        name = channel("from")
        acks = [await publish(ingest_url, name, n) for n in range(4)]
        subscriber = Subscriber(fanout_url, [name], from_=acks[1]["offset"])
        await subscriber.received(3)
        await subscriber.close()
        assert subscriber.messages() == [1, 2, 3]

    run(scenario())


def test_should_follow_several_channels_each_in_publish_order(fanout_url, ingest_url):
    async def scenario():
        names = [channel("multi-a"), channel("multi-b"), channel("multi-c")]
        subscriber = Subscriber(fanout_url, names)
        await subscriber.connected()
        for n in range(10):
            for name in names:
                await publish(ingest_url, name, {"n": n})
        await subscriber.received(30)
        await subscriber.close()
        for name in names:
            assert [m["n"] for m in subscriber.messages(name)] == list(range(10))

    run(scenario())


def test_should_return_the_first_ack_for_a_repeated_idempotency_key(ingest_url):
    async def scenario():
        name = channel("idem")
        first = await publish(ingest_url, name, {"order": 1}, idempotency_key="key-" + name)
        again = await publish(ingest_url, name, {"order": 1}, idempotency_key="key-" + name)
        assert again == first

    run(scenario())


def test_should_raise_the_servers_detail_when_a_publish_is_refused(ingest_url):
    async def scenario():
        with pytest.raises(PublishError) as refused:
            await publish(ingest_url, "no/slashes", {"x": 1})
        assert refused.value.status == 400
        assert "'/'" in refused.value.detail

    run(scenario())


def test_should_raise_when_the_server_refuses_the_subscription_with_1008(fanout_url):
    async def scenario():
        subscriber = Subscriber(fanout_url, ["no/slashes"])
        await until(lambda: subscriber.error is not None, "the refusal")
        assert isinstance(subscriber.error, SubscriptionRefused)
        assert subscriber.error.code == 1008
        assert "bad channel" in subscriber.error.reason
        assert subscriber.count("connected") == 1  # refused once, never retried
        assert subscriber.states[-1].state == "closed"

    run(scenario())
