// Unit tests of the per-channel sequence bookkeeping (`seq` in event frames of a sequencing platform): repeats
// dropped and counted, gaps reported with the exact count unless a `truncated` notice explained them, `seq=` sent on
// resume. The position alone, and a subscription driven by a scripted WebSocket class: no platform needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResumePosition, seqList, startQuery } from '../src/position.js';
import { FanoutClient } from '../src/index.js';

const cursorOf = (partition, tag) => `1.${partition}.r1~m3xk1o9c~${tag}`;
const event = (channel, origin, seq, offset = seq + 100, partition = 3) =>
  ({ channel, partition, offset, timestamp: 0, id: `${origin}-${seq}`, origin, cursor: cursorOf(partition, `${origin}${seq}`),
    seq, message: null });

/** Runs `e` through the position as a subscription does: a repeat is dropped, else its gap measured and it accepted. */
function offer(position, e) {
  if (position.isDuplicate(e)) return 'duplicate';
  const missed = position.missedBefore(e);
  position.advance(e);
  return missed;
}

test('shouldDropAnEventWhoseSeqIsAtOrBelowTheLastOfItsChannelAndOriginAndCountIt', () => {
  const position = new ResumePosition(['a'], {});
  assert.equal(offer(position, event('a', 'r1', 1)), 0);
  assert.equal(offer(position, event('a', 'r1', 2)), 0);
  assert.equal(offer(position, event('a', 'r1', 2)), 'duplicate');
  assert.equal(offer(position, event('a', 'r1', 1, 999)), 'duplicate'); // by seq, whatever its offset
  assert.equal(offer(position, event('a', 'r2', 1)), 0); // another origin counts on its own
  assert.equal(position.duplicates, 2);
});

test('shouldMeasureAGapWithTheExactNumberOfEventsMissedPerChannelAndOrigin', () => {
  const position = new ResumePosition(['a', 'b'], {});
  offer(position, event('a', 'r1', 4));
  offer(position, event('b', 'r1', 10));
  assert.equal(offer(position, event('a', 'r1', 7)), 2); // 5 and 6 never came
  assert.equal(offer(position, event('b', 'r1', 11)), 0);
  assert.equal(offer(position, event('a', 'r2', 9)), 0); // the first of its origin: nothing to compare with
  assert.equal(offer(position, event('a', 'r1', 8)), 0); // delivery went on
});

test('shouldNotReportTheEventsATruncatedNoticeAccountedFor', () => {
  const position = new ResumePosition(['a'], {});
  offer(position, event('a', 'r1', 3));
  position.explain({ type: 'truncated', channel: 'a', origin: 'r1', partition: 3, lost: 4, firstSeq: 8 });
  assert.equal(offer(position, event('a', 'r1', 8)), 0);
  // a notice with only `lost`, then one more missing than it said
  position.explain({ type: 'truncated', channel: 'a', origin: 'r1', lost: 2 });
  assert.equal(offer(position, event('a', 'r1', 12)), 1); // 9, 10 deleted (said), 11 missing (not said)
  // a notice without an origin covers the channel's next event, whichever origin
  position.explain({ type: 'truncated', channel: 'a', partition: 3, lost: 5, firstSeq: 18 });
  assert.equal(offer(position, event('a', 'r1', 18)), 0);
  assert.equal(offer(position, event('a', 'r1', 20)), 1); // used up: the next jump is a gap again
  // today's notices (no channel) change nothing
  position.explain({ type: 'truncated', partition: 3, requested: 1, earliest: 9 });
  assert.equal(offer(position, event('a', 'r1', 21)), 0);
});

test('shouldTellAGapFromTheFirstEventWhenATruncatedNoticeGaveTheFirstSeq', () => {
  const position = new ResumePosition(['a'], {});
  position.explain({ type: 'truncated', channel: 'a', origin: 'r1', lost: 6, firstSeq: 7 });
  assert.equal(offer(position, event('a', 'r1', 9)), 2);
});

test('shouldResumeWithTheLastSeqOfEachChannelAndOriginBesidesTheCursors', () => {
  const position = new ResumePosition(['a', 'b'], {});
  offer(position, event('b', 'r2', 5, 40, 1));
  offer(position, event('a', 'r1', 7, 8, 3));
  offer(position, event('a', 'r2', 2, 9, 3));
  assert.deepEqual(position.query(), {
    cursor: [cursorOf(1, 'r25'), cursorOf(3, 'r22')],
    seq: ['a~r1~7', 'a~r2~2', 'b~r2~5'],
  });
  assert.deepEqual(position.resumeOptions(), position.query());
});

test('shouldSendNoSeqWhenTheFramesCarryNone', () => {
  const position = new ResumePosition(['a'], {});
  const plain = event('a', 'r1', 1);
  delete plain.seq;
  offer(position, plain);
  assert.deepEqual(position.query(), { cursor: [cursorOf(3, 'r11')] });
});

test('shouldStartFromStoredSeqValuesAndRefuseMalformedOnes', () => {
  const position = new ResumePosition(['a'], { cursor: [cursorOf(3, 'x')], seq: ['a~r1~7'] });
  assert.deepEqual(position.query(), { cursor: [cursorOf(3, 'x')], seq: ['a~r1~7'] });
  assert.equal(offer(position, event('a', 'r1', 7)), 'duplicate');
  assert.equal(offer(position, event('a', 'r1', 9)), 1);
  assert.deepEqual(seqList('a~r1~3'), [['a~r1', 3]]);
  for (const bad of ['a~r1', 'a~r1~x', '~r1~3', 'a~r1~-1', 'a~r1~3~4']) {
    assert.throws(() => startQuery({ seq: [bad] }), /not a seq value/, bad);
  }
});

/** A WebSocket class whose instances the test drives: open(), frame(obj), serverClose(code). */
function scriptedWebSocket() {
  const sockets = [];
  const waiting = [];
  class ScriptedWebSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      sockets.push(this);
      waiting.splice(0).forEach((resolve) => resolve());
    }
    open() { this.readyState = 1; this.onopen?.(); }
    frame(object) { this.onmessage?.({ data: JSON.stringify(object) }); }
    serverClose(code, reason = '') { this.readyState = 3; this.onclose?.({ code, reason }); }
    close() { this.readyState = 3; }
    send() {}
  }
  const socket = async (n) => {
    while (sockets.length <= n) await new Promise((resolve) => waiting.push(resolve));
    return sockets[n];
  };
  return { ScriptedWebSocket, socket };
}

test('shouldHandOutAGapNoticeBeforeTheEventAfterAJumpAndResumeWithSeq', async () => {
  const { ScriptedWebSocket, socket } = scriptedWebSocket();
  const states = [];
  const client = new FanoutClient({ urls: ['ws://r1.test', 'ws://r2.test'], WebSocket: ScriptedWebSocket,
    backoff: { initialMs: 1, maxMs: 2 } });
  const sub = client.subscribe('orders', { onState: (s) => states.push(s) });
  try {
    const first = await socket(0);
    assert.equal(new URL(first.url).searchParams.getAll('seq').length, 0, 'nothing known yet: no seq=');
    first.open();
    first.frame(event('orders', 'r1', 1));
    first.frame(event('orders', 'r1', 2));
    first.frame(event('orders', 'r1', 5)); // 3 and 4 never came
    first.frame(event('orders', 'r1', 6));
    const items = [];
    for (let i = 0; i < 5; i++) items.push((await sub.next()).value);
    assert.deepEqual(items.map((item) => item.type ?? item.seq), [1, 2, 'gap', 5, 6]);
    assert.deepEqual(items[2], { type: 'gap', channel: 'orders', origin: 'r1', partition: 3, missed: 2, lastSeq: 2, seq: 5 });
    assert.ok(states.some((s) => s.state === 'gap' && s.missed === 2 && s.channel === 'orders'));
    assert.deepEqual(sub.gaps, [{ channel: 'orders', origin: 'r1', partition: 3, missed: 2, lastSeq: 2, seq: 5 }]);

    first.serverClose(1006, 'lost');
    const second = await socket(1);
    const query = new URL(second.url).searchParams;
    assert.deepEqual(query.getAll('seq'), ['orders~r1~6']);
    assert.deepEqual(query.getAll('cursor'), [cursorOf(3, 'r16')]);
    second.open();
    second.frame(event('orders', 'r1', 6, 7)); // the other region repeats the last one
    second.frame({ type: 'truncated', channel: 'orders', origin: 'r1', partition: 3, lost: 3, firstSeq: 10, since: 1, earliest: 0 });
    second.frame(event('orders', 'r1', 10, 8));
    const truncated = (await sub.next()).value;
    assert.equal(truncated.type, 'truncated');
    assert.ok(states.some((s) => s.state === 'gap' && s.lost === 3 && s.missed === 3 && s.firstSeq === 10));
    const next = (await sub.next()).value;
    assert.equal(next.seq, 10, 'explained by the notice: no gap item');
    assert.equal(sub.duplicates, 1);
    assert.deepEqual(sub.position().seq, ['orders~r1~10']);
  } finally {
    client.close();
  }
});
