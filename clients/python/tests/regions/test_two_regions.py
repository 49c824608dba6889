"""Against a real two-region platform (``infra/run-local --regions 2``: two KRaft clusters, MirrorMaker 2 both ways,
ingest + fan-out per region), started by ``clients/run-tests``: REGION1_FANOUT_URL, REGION1_INGEST_URL,
REGION2_FANOUT_URL, REGION2_INGEST_URL. Not part of the single-region suite (run-tests passes
``--ignore=clients/python/tests/regions`` there).

A client follows a channel in region 1 through a TCP relay in front of region 1's fan-out, with region 2 as its second
URL. While both regions publish, the relay is cut (its port closed, every connection through it dropped): to the
client, region 1's fan-out is gone mid-stream. It moves to region 2 with its last cursor and must get every event of
both regions exactly once, each region's events in the order they were published there; with FANOUT_SEQUENCED=1 (the
platform started ``--sequenced``) each region's events carry seq 1, 2, 3, ... of that origin.

A client that got only its ``subscribed`` frame in region 1 (no event yet) loses region 1 and carries on in region 2 by
that frame's ``cursor``: every event both regions published meanwhile exactly once, and not the event published just
before it subscribed (a live resume, ``since=<first connection - 5 s>``, would hand that one out).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from typing import Dict, List
from urllib.parse import parse_qs

import pytest

from fanout_client import CursorAhead, Gap, publish
from support import Relay, Subscriber, run, until

SEQUENCED = os.environ.get("FANOUT_SEQUENCED") == "1"  # clients/run-tests starts the two-region platform --sequenced
PER_REGION = 60  # events each region publishes: half before the cut, half after
NAMES = ("REGION1_FANOUT_URL", "REGION1_INGEST_URL", "REGION2_FANOUT_URL", "REGION2_INGEST_URL")


@pytest.fixture(scope="module")
def regions() -> Dict[str, Dict[str, str]]:
    missing = [name for name in NAMES if not os.environ.get(name)]
    if missing:
        pytest.fail(f"{', '.join(missing)} not set: run this through clients/run-tests, which starts "
                    f"infra/run-local --regions 2", pytrace=False)
    return {region: {"fanout": os.environ[f"REGION{i}_FANOUT_URL"], "ingest": os.environ[f"REGION{i}_INGEST_URL"]}
            for i, region in ((1, "r1"), (2, "r2"))}


def test_should_move_from_region1_to_region2_by_cursor_mid_stream_and_get_every_event_of_both_regions_once_in_order(
        regions):
    async def scenario():
        name = f"py.regions.{uuid.uuid4().hex[:12]}"
        relay = Relay(regions["r1"]["fanout"])
        await relay.start()
        # since= applies to every origin: nothing published from here on is missed, whichever region it comes from
        subscriber = Subscriber([relay.url, regions["r2"]["fanout"]], [name], since=int(time.time() * 1000) - 1000,
                                max_backoff=2.0)
        try:
            await subscriber.connected()
            assert subscriber.states[1].url == relay.url
            acks: Dict[str, List[dict]] = {"r1": [], "r2": []}
            cut = asyncio.Event()

            async def publish_in(region: str) -> None:
                for n in range(PER_REGION):
                    if n == PER_REGION // 2:
                        await cut.wait()  # the second half only once region 1 is cut off
                    acks[region].append(await publish(regions[region]["ingest"], name, {"region": region, "n": n}))
                    await asyncio.sleep(0.02)

            publishing = asyncio.gather(publish_in("r1"), publish_in("r2"))
            # mid-stream: the client has events of both regions, neither region has published everything
            await until(lambda: len({e["origin"] for e in subscriber.events}) == 2 and len(subscriber.events) >= 10,
                        f"events of both regions in region 1 (have {len(subscriber.events)})")
            relay.cut()
            at_cut = (len(subscriber.events), subscriber.position())
            cut.set()
            await publishing
            await subscriber.received(2 * PER_REGION, timeout=180)
            await asyncio.sleep(1)  # anything more would be a repeat: give it a moment to show up
        finally:
            relay.cut()
            await subscriber.close()

        assert at_cut[0] < 2 * PER_REGION and "cursor" in at_cut[1], "cut mid-stream, with a cursor"
        for region in ("r1", "r2"):
            got = [e for e in subscriber.events if e["origin"] == region]
            assert [e["id"] for e in got] == [a["id"] for a in acks[region]], \
                f"every event published in {region} exactly once, in {region}'s order"
            assert [e["message"]["n"] for e in got] == list(range(PER_REGION))
            seqs = [e.get("seq") for e in got]
            if SEQUENCED:
                assert seqs == list(range(1, len(got) + 1)), f"{region}: seq 1, 2, 3, ... (the platform is --sequenced)"
            else:
                assert seqs == [None] * len(got), f"{region}: no seq (FANOUT_SEQUENCED is not 1)"
        assert len(subscriber.events) == 2 * PER_REGION, "nothing else arrived"
        moved = [s for s in subscriber.states if s.state == "connected" and s.url == regions["r2"]["fanout"]]
        assert moved, [(s.state, s.url, s.code) for s in subscriber.states]
        assert moved[0].resumed_from and moved[0].resumed_from.startswith("cursor="), moved[0].resumed_from
        assert [i for i in subscriber.items if isinstance(i, Gap)] == [], "no gap reported"
        assert all(isinstance(i, (dict, CursorAhead)) for i in subscriber.items)

    run(scenario(), timeout=300)


def test_should_resume_in_region2_by_the_subscribed_frames_cursor_when_region1_is_lost_before_any_event(regions):
    async def scenario():
        name = f"py.regions.subscribed.{uuid.uuid4().hex[:12]}"
        before = await publish(regions["r1"]["ingest"], name, {"before": True})
        # region 1's fan-out has read the channel's partition up to that event: its subscribed frame can carry the cursor
        watcher = Subscriber(regions["r1"]["fanout"], [name], since=before["timestamp"])
        try:
            await watcher.received(1)
        finally:
            await watcher.close()
        r1, r2 = Relay(regions["r1"]["fanout"]), Relay(regions["r2"]["fanout"])
        await r1.start()
        await r2.start()
        subscriber = Subscriber([r1.url, r2.url], [name], min_backoff=0.2, max_backoff=1.0)
        acks: Dict[str, List[dict]] = {"r1": [], "r2": []}
        try:
            await subscriber.connected()
            await until(lambda: "cursor" in subscriber.position(),
                        "the subscribed frame's cursor as the position of a subscription with no event yet")
            subscribed_cursor = subscriber.position()["cursor"]
            r2.refusing = True  # region 2 unreachable while both regions publish: the client has only its subscribed frame
            r1.cut()
            await until(lambda: subscriber.count("disconnected") >= 1, "region 1 lost")
            for n in range(10):
                for region in ("r1", "r2"):
                    acks[region].append(await publish(regions[region]["ingest"], name, {"region": region, "n": n}))
            assert subscriber.events == [], "nothing arrived while both regions were out of reach"
            r2.refusing = False
            await subscriber.received(20, timeout=180)
            await asyncio.sleep(1)  # anything more would be a repeat or the event from before: give it a moment
        finally:
            r1.cut()
            r2.cut()
            await subscriber.close()

        for region in ("r1", "r2"):
            assert [e["id"] for e in subscriber.events if e["origin"] == region] == [a["id"] for a in acks[region]], \
                f"every event published in {region} meanwhile exactly once, in order"
        assert len(subscriber.events) == 20, f"nothing else arrived (the event before the subscription is {before['id']})"
        moved = [s for s in subscriber.states if s.state == "connected" and s.url == r2.url]
        assert moved, [(s.state, s.url, s.code) for s in subscriber.states]
        query = parse_qs(moved[0].resumed_from or "")
        assert query.get("cursor") == subscribed_cursor and "since" not in query, moved[0].resumed_from
        assert [i for i in subscriber.items if isinstance(i, Gap)] == [], "no gap reported"

    run(scenario(), timeout=300)
