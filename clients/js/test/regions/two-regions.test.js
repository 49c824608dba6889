// Against a real two-region platform (infra/run-local --regions 2: two KRaft clusters, MirrorMaker 2 both ways,
// ingest + fan-out per region), started by clients/run-tests: REGION1_FANOUT_URL, REGION1_INGEST_URL,
// REGION2_FANOUT_URL, REGION2_INGEST_URL. Not part of the single-region suite (clients/js/test/*.test.js).
//
// A client follows a channel in region 1 through a TCP relay in front of region 1's fan-out, with region 2 as its
// second URL. While both regions publish, the relay is cut (its port closed, every connection through it dropped):
// to the client, region 1's fan-out is gone mid-stream. It moves to region 2 with its last cursor and must get every
// event of both regions exactly once, each region's events in the order they were published there; with
// FANOUT_SEQUENCED=1 (the platform started --sequenced) each region's events carry seq 1, 2, 3, … of that origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { FanoutClient } from '../../src/index.js';
import { Relay } from '../platform.js';

const REGIONS = {
  r1: { fanout: process.env.REGION1_FANOUT_URL, ingest: process.env.REGION1_INGEST_URL },
  r2: { fanout: process.env.REGION2_FANOUT_URL, ingest: process.env.REGION2_INGEST_URL },
};
const SEQUENCED = process.env.FANOUT_SEQUENCED === '1'; // clients/run-tests starts the two-region platform --sequenced
const PER_REGION = 60; // events each region publishes: half before the cut, half after

function requireRegions() {
  const missing = ['REGION1_FANOUT_URL', 'REGION1_INGEST_URL', 'REGION2_FANOUT_URL', 'REGION2_INGEST_URL']
    .filter((name) => !process.env[name]);
  if (missing.length > 0) {
    assert.fail(`${missing.join(', ')} not set: run this through clients/run-tests, which starts infra/run-local --regions 2`);
  }
}

async function push(ingestUrl, channel, message) {
  const response = await fetch(`${ingestUrl}/push`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ channel, message }),
  });
  if (!response.ok) throw new Error(`push to ${ingestUrl}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function until(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await sleep(50);
  }
}

test('shouldMoveFromRegion1ToRegion2ByCursorMidStreamAndGetEveryEventOfBothRegionsOnceInOrder', { timeout: 300000 }, async () => {
  requireRegions();
  const channel = `js-regions-${process.pid}-${Date.now().toString(36)}`;
  const relay = new Relay(REGIONS.r1.fanout);
  await relay.start();
  const states = [];
  const client = new FanoutClient({ urls: [relay.url, REGIONS.r2.fanout], transport: 'websocket',
    backoff: { initialMs: 200, maxMs: 2000 } });
  // since= applies to every origin: nothing published from here on is missed, whichever region it comes from
  const subscription = client.subscribe(channel, { since: Date.now() - 1000, onState: (s) => states.push(s) });
  const events = [];
  const notices = [];
  const reading = (async () => {
    for await (const item of subscription) (item.type ? notices : events).push(item);
  })();
  try {
    await until(() => states.some((s) => s.state === 'connected'), 60000, 'connected to region 1');
    assert.equal(states.find((s) => s.state === 'connected').url, relay.url);

    let cut = false;
    let cutNow;
    const cutDone = new Promise((resolve) => { cutNow = resolve; });
    const acks = { r1: [], r2: [] };
    const publish = async (region) => {
      for (let n = 0; n < PER_REGION; n++) {
        if (n === PER_REGION / 2) await cutDone; // the second half only once region 1 is cut off
        acks[region].push(await push(REGIONS[region].ingest, channel, { region, n }));
        await sleep(20);
      }
    };
    const publishing = Promise.all([publish('r1'), publish('r2')]);

    // mid-stream: the client has events of both regions, neither region has published everything
    await until(() => new Set(events.map((e) => e.origin)).size === 2 && events.length >= 10, 120000,
      `events of both regions in region 1 (have ${events.length})`);
    relay.cut();
    cut = true;
    const atCut = { events: events.length, cursor: subscription.position().cursor };
    cutNow();
    await publishing;
    await until(() => events.length >= 2 * PER_REGION, 180000,
      `all ${2 * PER_REGION} events (have ${events.length}; states ${JSON.stringify(states.slice(-6))})`);
    await sleep(1000); // anything more would be a repeat: give it a moment to show up

    assert.ok(cut && atCut.events < 2 * PER_REGION && Array.isArray(atCut.cursor), 'cut mid-stream, with a cursor');
    for (const region of ['r1', 'r2']) {
      const got = events.filter((e) => e.origin === region);
      assert.deepEqual(got.map((e) => e.id), acks[region].map((a) => a.id),
        `every event published in ${region} exactly once, in ${region}'s order`);
      assert.deepEqual(got.map((e) => e.message.n), [...Array(PER_REGION).keys()]);
      const seqs = got.map((e) => e.seq);
      if (SEQUENCED) {
        assert.deepEqual(seqs, seqs.map((_, i) => 1 + i), `${region}: seq 1, 2, 3, … (a fresh channel; the platform is --sequenced)`);
      } else {
        assert.deepEqual(seqs.filter((s) => s !== undefined), [], `${region}: no seq (FANOUT_SEQUENCED is not 1)`);
      }
    }
    assert.equal(events.length, 2 * PER_REGION, 'nothing else arrived');
    const moved = states.find((s) => s.state === 'connected' && s.url === REGIONS.r2.fanout);
    assert.ok(moved, `moved to region 2: ${JSON.stringify(states.filter((s) => s.state !== 'gap'))}`);
    assert.ok(moved.resumed && Array.isArray(moved.query.cursor), `resumed in region 2 by cursor: ${JSON.stringify(moved.query)}`);
    assert.deepEqual(notices.filter((n) => n.type !== 'cursor-ahead'), [], 'no gap reported');
  } finally {
    client.close();
    relay.cut();
    await reading.catch(() => {});
  }
});

// A client that got only its `subscribed` frame in region 1 (no event yet) loses region 1 and carries on in region 2
// by that frame's `cursor`: it gets every event both regions published meanwhile exactly once, and not the event
// published just before it subscribed (a live resume, `since=<first connection − 5 s>`, would hand that one out).
test('shouldResumeInRegion2ByTheSubscribedFramesCursorWhenRegion1IsLostBeforeAnyEvent', { timeout: 300000 }, async () => {
  requireRegions();
  const channel = `js-regions-subscribed-${process.pid}-${Date.now().toString(36)}`;
  const before = await push(REGIONS.r1.ingest, channel, { before: true });
  // region 1's fan-out has read the channel's partition up to that event: its subscribed frame can carry the cursor
  const watcher = new FanoutClient({ url: REGIONS.r1.fanout, transport: 'websocket' }).subscribe(channel, { since: before.timestamp });
  for await (const item of watcher) if (item.id === before.id) break;

  const r1 = new Relay(REGIONS.r1.fanout);
  const r2 = new Relay(REGIONS.r2.fanout);
  await r1.start();
  await r2.start();
  const states = [];
  const client = new FanoutClient({ urls: [r1.url, r2.url], transport: 'websocket', backoff: { initialMs: 200, maxMs: 1000 } });
  const subscription = client.subscribe(channel, { onState: (s) => states.push(s) });
  const events = [];
  const notices = [];
  const reading = (async () => {
    for await (const item of subscription) (item.type ? notices : events).push(item);
  })();
  try {
    await until(() => states.some((s) => s.state === 'subscribed'), 60000, 'subscribed in region 1');
    const subscribed = states.find((s) => s.state === 'subscribed');
    assert.equal(typeof subscribed.cursor, 'string', `region 1's subscribed frame carries the stream's cursor: ${JSON.stringify(subscribed)}`);
    r2.refusing = true; // region 2 unreachable while both regions publish: the client has only its subscribed frame
    r1.cut();
    await until(() => states.some((s) => s.state === 'reconnecting'), 60000, 'region 1 lost');
    const acks = { r1: [], r2: [] };
    for (let n = 0; n < 10; n++) {
      for (const region of ['r1', 'r2']) acks[region].push(await push(REGIONS[region].ingest, channel, { region, n }));
    }
    assert.equal(events.length, 0, 'nothing arrived while both regions were out of reach');
    r2.refusing = false;
    await until(() => events.length >= 20, 180000,
      `all 20 events in region 2 (have ${events.length}; states ${JSON.stringify(states.slice(-6))})`);
    await sleep(1000); // anything more would be a repeat or the event from before: give it a moment to show up

    for (const region of ['r1', 'r2']) {
      assert.deepEqual(events.filter((e) => e.origin === region).map((e) => e.id), acks[region].map((a) => a.id),
        `every event published in ${region} meanwhile exactly once, in order`);
    }
    assert.equal(events.length, 20, `nothing else arrived (the event before the subscription is ${before.id})`);
    const moved = states.find((s) => s.state === 'connected' && s.url === r2.url);
    assert.ok(moved, `moved to region 2: ${JSON.stringify(states)}`);
    assert.deepEqual(moved.query.cursor, subscribed.cursor.split(','), `resumed by the subscribed frame's cursor: ${JSON.stringify(moved.query)}`);
    assert.equal(moved.query.since, undefined, 'not a live resume');
    assert.deepEqual(notices.filter((n) => n.type !== 'cursor-ahead'), [], 'no gap reported');
  } finally {
    client.close();
    watcher.close();
    r1.cut();
    r2.cut();
    await reading.catch(() => {});
  }
});
