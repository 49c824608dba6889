"""The per-channel sequence against the running platform.

``clients/run-tests`` runs it twice: against its single-region platform (not sequenced, FANOUT_SEQUENCED=0, unless
CLIENTS_SEQUENCED=1) and against region 1 of its two-region platform, started with ``--sequenced``
(FANOUT_SEQUENCED=1). With FANOUT_SEQUENCED=1 every event frame must carry ``seq``, consecutive per channel and
origin, and a resume must send the last one of each channel (``seq=channel~origin~n``); a sequenced platform whose
frames carry no seq fails the test with a message saying so. Without ``--sequenced`` frames must carry no seq and a resume must send none: the client behaves as before.
"""

from __future__ import annotations

import os
import time
from urllib.parse import parse_qs

from fanout_client import publish
from support import Relay, Subscriber, channel, run, until

SEQUENCED = os.environ.get("FANOUT_SEQUENCED") == "1"


def _check_seq(events):
    carrying = [e for e in events if "seq" in e]
    if SEQUENCED:
        assert len(carrying) == len(events), (
            f"the platform was started with --sequenced (FANOUT_SEQUENCED=1) but {len(events) - len(carrying)} of "
            f"{len(events)} event frames carry no \"seq\": is the server's fanout.sequence.enabled on, and does this "
            f"fanout-service build number events?")
    else:
        assert not carrying, ("the platform was not started with --sequenced (FANOUT_SEQUENCED is not 1) but event "
                              "frames carry \"seq\": set CLIENTS_SEQUENCED=1 so that the seq tests expect it")


def test_should_resume_with_the_last_seq_of_each_channel_when_sequenced_or_with_none_otherwise_losing_nothing(
        fanout_url, ingest_url):
    async def scenario():
        names = sorted([channel("seq-a"), channel("seq-b")])
        relay = Relay(fanout_url)
        await relay.start()
        subscriber = Subscriber(relay.url, names, since=int(time.time() * 1000) - 1000, min_backoff=0.1,
                                max_backoff=1.0)
        acks = {name: [] for name in names}

        async def round_of(count: int) -> None:
            for n in range(count):
                for name in names:
                    acks[name].append(await publish(ingest_url, name, {"n": n}))

        try:
            await subscriber.connected()
            await round_of(5)
            await subscriber.received(10)
            _check_seq(subscriber.events)
            last = {name: [e for e in subscriber.events if e["channel"] == name][-1] for name in names}
            relay.drop()  # the connection breaks; the client reconnects through the relay, resuming
            await until(lambda: subscriber.count("connected") >= 2, "reconnected")
            await round_of(5)
            await subscriber.received(20)
        finally:
            relay.cut()
            await subscriber.close()

        _check_seq(subscriber.events)
        for name in names:
            got = [e for e in subscriber.events if e["channel"] == name]
            assert [e["id"] for e in got] == [a["id"] for a in acks[name]], f"{name}: every event once, in order"
            if SEQUENCED:
                assert [e["seq"] for e in got] == list(range(1, len(got) + 1)), f"{name}: seq 1, 2, 3, ..."
        resumed = [s for s in subscriber.states if s.state == "connected"][1].resumed_from
        query = parse_qs(resumed)
        assert "cursor" in query, resumed
        if SEQUENCED:
            assert query["seq"] == [f"{n}~{last[n]['origin']}~{last[n]['seq']}" for n in names], resumed
        else:
            assert "seq" not in query, resumed
        assert len(subscriber.items) == 20, "no gap, no other notice"

    run(scenario(), timeout=180)
