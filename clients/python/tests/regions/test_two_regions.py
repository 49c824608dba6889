"""Against a real two-region platform (``infra/run-local --regions 2``: two KRaft clusters, MirrorMaker 2 both ways,
ingest + fan-out per region), started by ``clients/run-tests``: REGION1_FANOUT_URL, REGION1_INGEST_URL,
REGION2_FANOUT_URL, REGION2_INGEST_URL. Not part of the single-region suite (run-tests passes
``--ignore=clients/python/tests/regions`` there).

A client follows a channel in region 1 through a TCP relay in front of region 1's fan-out, with region 2 as its second
URL. While both regions publish, the relay is cut (its port closed, every connection through it dropped): to the
client, region 1's fan-out is gone mid-stream. It moves to region 2 with its last cursor and must get every event of
both regions exactly once, each region's events in the order they were published there.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from typing import Dict, List

import pytest

from fanout_client import CursorAhead, Gap, publish
from support import Relay, Subscriber, run, until

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
            if any(s is not None for s in seqs):
                assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"{region}: consecutive seq"
        assert len(subscriber.events) == 2 * PER_REGION, "nothing else arrived"
        moved = [s for s in subscriber.states if s.state == "connected" and s.url == regions["r2"]["fanout"]]
        assert moved, [(s.state, s.url, s.code) for s in subscriber.states]
        assert moved[0].resumed_from and moved[0].resumed_from.startswith("cursor="), moved[0].resumed_from
        assert [i for i in subscriber.items if isinstance(i, Gap)] == [], "no gap reported"
        assert all(isinstance(i, (dict, CursorAhead)) for i in subscriber.items)

    run(scenario(), timeout=300)
