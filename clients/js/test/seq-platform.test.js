// The per-channel sequence against the running platform. clients/run-tests runs it twice: against its single-region
// platform (not sequenced, FANOUT_SEQUENCED=0, unless CLIENTS_SEQUENCED=1) and against region 1 of its two-region
// platform, started with --sequenced (FANOUT_SEQUENCED=1). With FANOUT_SEQUENCED=1 every event frame must carry
// `seq`, consecutive per channel and origin, and a resume must send the last one of each channel
// (`seq=channel~origin~n`); a sequenced platform whose frames carry no seq fails the test with a message saying so. Without --sequenced (FANOUT_SEQUENCED
// unset or 0) frames must carry no seq and a resume must send none: the client behaves as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FanoutClient } from '../src/index.js';
import { FANOUT_URL, noPlatform, push, Relay, takeEvents, uniqueChannel, until } from './platform.js';

const SEQUENCED = process.env.FANOUT_SEQUENCED === '1';

function checkSeq(events) {
  const carrying = events.filter((e) => e.seq !== undefined);
  if (SEQUENCED) {
    assert.equal(carrying.length, events.length, 'the platform was started with --sequenced (FANOUT_SEQUENCED=1) '
      + `but ${events.length - carrying.length} of ${events.length} event frames carry no "seq": is the server's `
      + 'fanout.sequence.enabled on, and does this fanout-service build number events?');
  } else {
    assert.equal(carrying.length, 0, 'the platform was not started with --sequenced (FANOUT_SEQUENCED is not 1) but '
      + 'event frames carry "seq": set CLIENTS_SEQUENCED=1 so that the seq tests expect it');
  }
}

test(`shouldResumeWith${SEQUENCED ? 'TheLastSeqOfEachChannel' : 'OutSeqWhenThePlatformDoesNotSequence'}AndLoseOrRepeatNothing`, { skip: noPlatform, timeout: 180000 }, async () => {
  const [a, b] = [uniqueChannel('seq-a'), uniqueChannel('seq-b')];
  const relay = new Relay(FANOUT_URL);
  await relay.start();
  const states = [];
  const client = new FanoutClient({ url: relay.url, transport: 'websocket', backoff: { initialMs: 100, maxMs: 1000 } });
  const subscription = client.subscribe([a, b], { since: Date.now() - 1000, onState: (s) => states.push(s) });
  const notices = [];
  try {
    await until(() => states.some((s) => s.state === 'connected'), 60000, 'connected');
    const acks = { [a]: [], [b]: [] };
    const round = async (n) => {
      for (let i = 0; i < n; i++) for (const channel of [a, b]) acks[channel].push(await push(channel, { i }));
    };
    await round(5);
    const events = await takeEvents(subscription, 10, { notices });
    checkSeq(events);
    const before = Object.fromEntries([a, b].map((c) => [c, events.filter((e) => e.channel === c).at(-1)]));

    relay.drop(); // the connection breaks; the client reconnects through the relay, resuming
    await until(() => states.filter((s) => s.state === 'connected').length >= 2, 60000, 'reconnected');
    await round(5);
    events.push(...await takeEvents(subscription, 10, { notices }));
    checkSeq(events);

    for (const channel of [a, b]) {
      const got = events.filter((e) => e.channel === channel);
      assert.deepEqual(got.map((e) => e.id), acks[channel].map((ack) => ack.id), `${channel}: every event once, in order`);
      if (SEQUENCED) {
        const seqs = got.map((e) => e.seq);
        assert.deepEqual(seqs, seqs.map((_, k) => 1 + k), `${channel}: seq 1, 2, 3, … (a fresh channel, one origin)`);
      }
    }
    const resumed = states.filter((s) => s.state === 'connected')[1];
    const expected = SEQUENCED ? [a, b].sort().map((c) => `${c}~${before[c].origin}~${before[c].seq}`) : undefined;
    assert.deepEqual(resumed.query.seq, expected, `the resume's seq= values: ${JSON.stringify(resumed.query)}`);
    assert.ok(Array.isArray(resumed.query.cursor), 'resumed by cursor');
    assert.deepEqual(notices, [], 'no gap, no other notice');
    assert.deepEqual(subscription.gaps, []);
  } finally {
    client.close();
    relay.cut();
  }
});
