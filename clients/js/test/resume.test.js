// Resume across a fan-out instance killed with SIGKILL: restarted on the same port, and failed over to another
// URL. The test starts its own extra instance (java -jar $FANOUT_JAR) against the platform's Kafka.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FanoutClient } from '../src/index.js';
import { FANOUT_URL, FanoutInstance, freePort, noExtraInstance, push, takeEvents, uniqueChannel, until } from './platform.js';

let instance;

before(async () => {
  if (noExtraInstance) return;
  instance = new FanoutInstance(await freePort());
  await instance.start();
});

after(async () => {
  await instance?.kill();
});

/** Publishes `count` events to each channel, alternating; returns the acks per channel. */
async function publishRound(channels, round, count) {
  const acks = Object.fromEntries(channels.map((c) => [c, []]));
  for (let i = 0; i < count; i++) {
    for (const channel of channels) acks[channel].push(await push(channel, { round, i }));
  }
  return acks;
}

function assertEveryEventOnceInOrder(events, acksPerRound) {
  for (const channel of Object.keys(acksPerRound[0])) {
    const expected = acksPerRound.flatMap((acks) => acks[channel]).map((a) => a.offset);
    const got = events.filter((e) => e.channel === channel).map((e) => e.offset);
    assert.deepEqual(got, expected, `channel ${channel}: every event once, in order`);
  }
}

test('shouldResumeAcrossAnInstanceKilledAndRestartedWithNothingLostOrRepeated', { skip: noExtraInstance, timeout: 300000 }, async () => {
  // c is not published to before the kill: the client knows no position for it and must still miss nothing
  const [a, b, c] = [uniqueChannel('ka'), uniqueChannel('kb'), uniqueChannel('kc')];
  const states = [];
  const client = new FanoutClient({ url: instance.url, backoff: { initialMs: 200, maxMs: 2000 } });
  const subscription = client.subscribe([a, b, c], { onState: (s) => states.push(s) });
  try {
    await until(() => states.some((s) => s.state === 'connected'), 30000, 'connected');
    const before = await publishRound([a, b], 0, 5);
    const events = await takeEvents(subscription, 10).catch((e) => { e.message += ` states: ${JSON.stringify(states)}`; throw e; });

    await instance.kill();
    await until(() => states.some((s) => s.state === 'reconnecting'), 30000, 'reconnecting');
    const away = await publishRound([a, b, c], 1, 5); // published while no instance serves the client
    await instance.start();

    const afterRestart = await publishRound([a, b, c], 2, 3);
    events.push(...await takeEvents(subscription, 15 + 9, { ms: 120000 }).catch((e) => { e.message += ` states: ${JSON.stringify(states)}`; throw e; }));
    assertEveryEventOnceInOrder(events, [{ ...before, [c]: [] }, away, afterRestart]);
    assert.ok(states.some((s) => s.state === 'connected' && s.resumed), 'a resumed connection was reported');
  } finally {
    client.close();
  }
});

test('shouldFailOverToAnotherUrlWithNothingLostOrRepeated', { skip: noExtraInstance, timeout: 300000 }, async () => {
  const channel = uniqueChannel('fo');
  const states = [];
  const client = new FanoutClient({ urls: [instance.url, FANOUT_URL], backoff: { initialMs: 200, maxMs: 2000 } });
  const subscription = client.subscribe(channel, { onState: (s) => states.push(s) });
  try {
    await until(() => states.some((s) => s.state === 'connected'), 30000, 'connected');
    assert.equal(states.find((s) => s.state === 'connected').url, instance.url);
    const before = await publishRound([channel], 0, 5);
    const events = await takeEvents(subscription, 5);

    await instance.kill();
    const away = await publishRound([channel], 1, 5);
    await until(() => states.some((s) => s.state === 'connected' && s.url === FANOUT_URL), 60000, 'failed over');
    const later = await publishRound([channel], 2, 5);
    events.push(...await takeEvents(subscription, 10, { ms: 60000 }));
    assertEveryEventOnceInOrder(events, [before, away, later]);
    assert.ok(events.every((e) => typeof e.cursor === 'string'), 'every event frame carries a cursor');
    const resumed = states.find((s) => s.state === 'connected' && s.url === FANOUT_URL);
    assert.ok(Array.isArray(resumed.query.cursor), `resumed by cursor, not offsets: ${JSON.stringify(resumed.query)}`);
  } finally {
    client.close();
  }
});

test('shouldCarryOnFromAStoredPositionOnAnotherInstanceWithNothingLostOrRepeated', { skip: noExtraInstance, timeout: 300000 }, async () => {
  if (instance.child?.exitCode !== null || instance.child?.signalCode !== null) await instance.start();
  const [a, b] = [uniqueChannel('pa'), uniqueChannel('pb')];
  const first = new FanoutClient({ url: FANOUT_URL });
  const states = [];
  const subscription = first.subscribe([a, b], { onState: (s) => states.push(s) });
  let stored;
  try {
    await until(() => states.some((s) => s.state === 'connected'), 30000, 'connected');
    const round0 = await publishRound([a, b], 0, 5);
    const events = await takeEvents(subscription, 10);
    // the program has read 10 events and stores its position; then it goes away mid-stream
    stored = JSON.parse(JSON.stringify(subscription.position()));
    assert.equal(stored.cursor.length, new Set(events.map((e) => e.partition)).size, 'one cursor per partition');
    first.close();
    const taken = events;
    const round1 = await publishRound([a, b], 1, 5); // published while no client is connected

    const second = new FanoutClient({ url: instance.url });
    try {
      const resumed = second.subscribe([a, b], stored);
      const round2 = await publishRound([a, b], 2, 3);
      taken.push(...await takeEvents(resumed, 10 + 6, { ms: 120000 }));
      assertEveryEventOnceInOrder(taken, [round0, round1, round2]);
    } finally {
      second.close();
    }
  } finally {
    first.close();
  }
});
