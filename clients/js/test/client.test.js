// FanoutClient against the running platform (clients/run-tests starts it and sets FANOUT_URL, INGEST_URL).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FanoutClient, FanoutError } from '../src/index.js';
import { FANOUT_URL, INGEST_URL, noPlatform, push, takeEvents, uniqueChannel, until, warmUp } from './platform.js';

before(async () => {
  if (!noPlatform) await warmUp(FANOUT_URL);
});

const connected = (states) => () => states.some((s) => s.state === 'connected');

test('shouldReceiveWhatIsPublishedOverTheSocketAndOverHttp', { skip: noPlatform }, async () => {
  const client = new FanoutClient({ url: FANOUT_URL });
  const viaHttp = new FanoutClient({ url: FANOUT_URL, ingestUrl: INGEST_URL });
  const channel = uniqueChannel();
  const states = [];
  const subscription = client.subscribe(channel, { onState: (s) => states.push(s) });
  try {
    await until(connected(states), 30000, 'connected');
    const first = await client.publish(channel, { text: 'over the socket' });
    const second = await viaHttp.publish(channel, { text: 'over HTTP' }, { idempotencyKey: `${channel}-k` });
    assert.equal(first.channel, channel);
    assert.deepEqual(first.message, { text: 'over the socket' });
    assert.equal(second.offset, first.offset + 1);
    const events = await takeEvents(subscription, 2);
    assert.deepEqual(events.map((e) => [e.offset, e.message.text]),
      [[first.offset, 'over the socket'], [second.offset, 'over HTTP']]);
    assert.equal(events[0].id, first.id);
  } finally {
    client.close();
    viaHttp.close();
  }
});

test('shouldNotWriteARetriedPublishTwice', { skip: noPlatform }, async () => {
  const client = new FanoutClient({ url: FANOUT_URL });
  const channel = uniqueChannel();
  try {
    const key = `${channel}-same`;
    const first = await client.publish(channel, 'once', { idempotencyKey: key });
    const again = await client.publish(channel, 'once', { idempotencyKey: key });
    assert.equal(again.offset, first.offset);
    assert.equal(again.id, first.id);
  } finally {
    client.close();
  }
});

test('shouldStartFromTheLastNEventsThenGoLive', { skip: noPlatform }, async () => {
  const channel = uniqueChannel();
  const acks = [];
  for (let i = 0; i < 8; i++) acks.push(await push(channel, { i }));
  const client = new FanoutClient({ url: FANOUT_URL });
  try {
    const subscription = client.subscribe(channel, { last: 5 });
    const history = await takeEvents(subscription, 5);
    assert.deepEqual(history.map((e) => e.message.i), [3, 4, 5, 6, 7]);
    const live = await push(channel, { i: 8 });
    const [next] = await takeEvents(subscription, 1);
    assert.equal(next.offset, live.offset);
  } finally {
    client.close();
  }
});

test('shouldFollowSeveralChannelsOnOneSubscription', { skip: noPlatform }, async () => {
  const [a, b, c] = [uniqueChannel('a'), uniqueChannel('b'), uniqueChannel('c')];
  const client = new FanoutClient({ url: FANOUT_URL });
  const states = [];
  try {
    const subscription = client.subscribe([a, b], { onState: (s) => states.push(s) });
    await until(connected(states), 30000, 'connected');
    await push(a, 'a1');
    await push(c, 'not subscribed');
    await push(b, 'b1');
    await push(a, 'a2');
    const events = await takeEvents(subscription, 3);
    assert.deepEqual(events.map((e) => `${e.channel}:${e.message}`).sort(), [`${a}:a1`, `${a}:a2`, `${b}:b1`].sort());
    assert.deepEqual(events.filter((e) => e.channel === a).map((e) => e.message), ['a1', 'a2']);
  } finally {
    client.close();
  }
});

test('shouldReplayOverSseFromAnOffset', { skip: noPlatform }, async () => {
  const channel = uniqueChannel();
  const acks = [];
  for (let i = 0; i < 4; i++) acks.push(await push(channel, i));
  const client = new FanoutClient({ url: FANOUT_URL, transport: 'sse' });
  try {
    const subscription = client.subscribe(channel, { from: acks[1].offset });
    const events = await takeEvents(subscription, 3);
    assert.deepEqual(events.map((e) => e.message), [1, 2, 3]);
  } finally {
    client.close();
  }
});

test('shouldPauseAReaderThatFallsBehindAndResumeWithoutLossOrRepeat', { skip: noPlatform }, async () => {
  const channel = uniqueChannel('slow');
  const client = new FanoutClient({ url: FANOUT_URL, maxBuffered: 4 });
  const states = [];
  try {
    const subscription = client.subscribe(channel, { onState: (s) => states.push(s) });
    await until(connected(states), 30000, 'connected');
    const acks = [];
    for (let i = 0; i < 12; i++) acks.push(await push(channel, i));
    await until(() => states.some((s) => s.state === 'paused'), 30000, 'paused'); // nobody read yet
    const events = await takeEvents(subscription, 12);
    assert.deepEqual(events.map((e) => e.offset), acks.map((a) => a.offset));
    assert.deepEqual(events.map((e) => e.message), [...Array(12).keys()]);
  } finally {
    client.close();
  }
});

test('shouldEndTheIterationWithTheRefusalOfABadRequest', { skip: noPlatform }, async () => {
  const client = new FanoutClient({ url: FANOUT_URL });
  const states = [];
  try {
    const subscription = client.subscribe(uniqueChannel(), { from: 'banana', onState: (s) => states.push(s) });
    await assert.rejects(async () => {
      for await (const event of subscription) assert.fail(`no event expected, got ${JSON.stringify(event)}`);
    }, (error) => error instanceof FanoutError && error.code === 1008 && /from/.test(error.reason));
    assert.ok(states.some((s) => s.state === 'failed'));
    assert.ok(!states.some((s) => s.state === 'reconnecting'), 'a refusal is not retried');
  } finally {
    client.close();
  }
});

test('shouldRejectAPublishTheServerRefuses', { skip: noPlatform }, async () => {
  const client = new FanoutClient({ url: FANOUT_URL });
  try {
    await assert.rejects(client.publish('no spaces allowed', 'x'),
      (error) => error instanceof FanoutError && (error.status === 400 || error.code === 1008));
  } finally {
    client.close();
  }
});
