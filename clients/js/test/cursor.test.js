// Unit tests of the cursor bookkeeping and of what a subscription does on each close code, with a scripted
// WebSocket class in place of a server (FanoutClient's `WebSocket` option): no platform needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResumePosition, cursorPartition, startQuery } from '../src/position.js';
import { FanoutClient } from '../src/index.js';

const cursorOf = (partition, tag) => `1.${partition}.r1~m3xk1o9c~${tag}`;
const event = (channel, partition, offset, cursor, origin = 'r1') =>
  ({ channel, partition, offset, timestamp: 0, id: `e${offset}`, origin, cursor, message: null });

test('shouldResumeWithTheCursorOfEachPartitionsLastEvent', () => {
  const position = new ResumePosition(['a', 'b'], {});
  position.advance(event('a', 3, 7, cursorOf(3, 'x7')));
  position.advance(event('b', 1, 40, cursorOf(1, 'x40')));
  position.advance(event('a', 3, 8, cursorOf(3, 'x8')));
  assert.deepEqual(position.query(), { cursor: [cursorOf(1, 'x40'), cursorOf(3, 'x8')] });
  assert.deepEqual(position.resumeOptions(), { cursor: [cursorOf(1, 'x40'), cursorOf(3, 'x8')] });
});

test('shouldFallBackToOffsetsForFramesWithoutACursor', () => {
  const position = new ResumePosition(['a'], {});
  position.advance(event('a', 3, 7, undefined));
  assert.deepEqual(position.query(), { from: '3:8' });
  assert.deepEqual(position.resumeOptions(), { from: '3:8' });
});

test('shouldStartFromGivenCursorsAndValidateThem', () => {
  const position = new ResumePosition(['a'], { cursor: [cursorOf(2, 'y')] });
  assert.deepEqual(position.query(), { cursor: [cursorOf(2, 'y')] });
  assert.deepEqual(startQuery({ cursor: `${cursorOf(1, 'a')},${cursorOf(2, 'b')}` }), { cursor: [cursorOf(1, 'a'), cursorOf(2, 'b')] });
  assert.throws(() => startQuery({ cursor: '3:100' }), /not a fanout cursor/);
  assert.throws(() => startQuery({ cursor: [cursorOf(1, 'a')], last: 3 }), /at most one/);
  assert.equal(cursorPartition('1.11.r1'), 11);
  assert.equal(cursorPartition('2.11.r1~x'), undefined);
});

test('shouldDropRepeatsPerOriginUntilAResumeByCursor', () => {
  const position = new ResumePosition(['a'], {});
  position.advance(event('a', 3, 7, cursorOf(3, 'x7'), 'r1'));
  assert.equal(position.isDuplicate(event('a', 3, 7, cursorOf(3, 'x7'), 'r1')), true);
  // another origin's copy in this partition has offsets of its own
  assert.equal(position.isDuplicate(event('a', 3, 2, cursorOf(3, 'z2'), 'r2')), false);
  // after a resume by cursor (perhaps in another region, with other offsets) the server's answer is exact
  position.resumedByCursor();
  assert.equal(position.isDuplicate(event('a', 3, 5, cursorOf(3, 'x8'), 'r1')), false);
});

test('shouldTakeAStreamCursorFromAnSseId', () => {
  const position = new ResumePosition(['a', 'b'], {});
  position.seed(`${cursorOf(4, 'p')},${cursorOf(9, 'q')}`);
  assert.deepEqual(position.query(), { cursor: [cursorOf(4, 'p'), cursorOf(9, 'q')] });
});

/** A WebSocket class whose instances the test drives: open(), frame(obj), close(code). */
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

const queryOf = (url) => new URL(url).searchParams;

test('shouldRetryTheSameUrlAfter4001ThenMoveToTheNextWithTheCursor', async () => {
  const { ScriptedWebSocket, socket } = scriptedWebSocket();
  const states = [];
  const client = new FanoutClient({ urls: ['ws://r1.test', 'ws://r2.test'], WebSocket: ScriptedWebSocket,
    backoff: { initialMs: 1, maxMs: 2 }, cursorAhead: { retries: 1, initialMs: 1, maxMs: 2 } });
  const sub = client.subscribe('orders', { onState: (s) => states.push(s) });
  try {
    const first = await socket(0);
    assert.equal(new URL(first.url).host, 'r1.test');
    first.open();
    first.frame(event('orders', 3, 10, cursorOf(3, 'e10')));
    assert.equal((await sub.next()).value.offset, 10);

    first.serverClose(1001, 'going away'); // → the next URL, resuming by cursor
    const second = await socket(1);
    assert.equal(new URL(second.url).host, 'r2.test');
    assert.deepEqual(queryOf(second.url).getAll('cursor'), [cursorOf(3, 'e10')]);
    second.open();
    second.frame({ type: 'cursor-ahead', origin: 'r1', partition: 3, detail: 'not here yet' });
    second.serverClose(4001, 'cursor ahead');
    const notice = (await sub.next()).value;
    assert.equal(notice.type, 'cursor-ahead');
    assert.ok(states.some((s) => s.state === 'cursor-ahead' && s.origin === 'r1' && s.partition === 3));

    const third = await socket(2); // the same URL once more, same cursor
    assert.equal(new URL(third.url).host, 'r2.test');
    assert.deepEqual(queryOf(third.url).getAll('cursor'), [cursorOf(3, 'e10')]);
    third.open();
    third.frame({ type: 'cursor-ahead', origin: 'r1', partition: 3, detail: 'not here yet' });
    third.serverClose(4001, 'cursor ahead');

    const fourth = await socket(3); // retries used up: the next URL
    assert.equal(new URL(fourth.url).host, 'r1.test');
    assert.deepEqual(queryOf(fourth.url).getAll('cursor'), [cursorOf(3, 'e10')]);
    fourth.open();
    // another instance or region numbers the partition differently: a lower offset is not a repeat
    fourth.frame(event('orders', 3, 4, cursorOf(3, 'e11')));
    let next = (await sub.next()).value;
    if (next.type === 'cursor-ahead') next = (await sub.next()).value;
    assert.equal(next.cursor, cursorOf(3, 'e11'));
    assert.deepEqual(sub.position(), { cursor: [cursorOf(3, 'e11')] });
  } finally {
    client.close();
  }
});

test('shouldMoveToTheNextUrlOn1013AndOnAFailedConnect', async () => {
  const { ScriptedWebSocket, socket } = scriptedWebSocket();
  const client = new FanoutClient({ urls: ['ws://a.test', 'ws://b.test', 'ws://c.test'], WebSocket: ScriptedWebSocket,
    transport: 'websocket', backoff: { initialMs: 1, maxMs: 2 } });
  const sub = client.subscribe('orders', { from: 5 });
  try {
    const first = await socket(0);
    assert.equal(queryOf(first.url).get('from'), '5');
    first.open();
    first.frame(event('orders', 1, 5, undefined)); // an older server: no cursor
    await sub.next();
    first.serverClose(1013, 'try again later');
    const second = await socket(1);
    assert.equal(new URL(second.url).host, 'b.test');
    assert.equal(queryOf(second.url).get('from'), '1:6');
    second.serverClose(1006, ''); // never opened
    const third = await socket(2);
    assert.equal(new URL(third.url).host, 'c.test');
    assert.deepEqual(sub.position(), { from: '1:6' });
  } finally {
    client.close();
  }
});

test('shouldGivePositionOnlyForEventsTheReaderTook', async () => {
  const { ScriptedWebSocket, socket } = scriptedWebSocket();
  const client = new FanoutClient({ url: 'ws://a.test', WebSocket: ScriptedWebSocket });
  const sub = client.subscribe('orders', { cursor: cursorOf(0, 'start') });
  try {
    const first = await socket(0);
    assert.deepEqual(queryOf(first.url).getAll('cursor'), [cursorOf(0, 'start')]);
    first.open();
    first.frame(event('orders', 0, 1, cursorOf(0, 'e1')));
    first.frame(event('orders', 0, 2, cursorOf(0, 'e2'))); // queued, not yet read
    assert.deepEqual(sub.position(), { cursor: [cursorOf(0, 'start')] });
    await sub.next();
    assert.deepEqual(sub.position(), { cursor: [cursorOf(0, 'e1')] });
  } finally {
    client.close();
  }
});

test('shouldTreatAnSseStreamEndingAfterCursorAheadAs4001', async () => {
  const { createServer } = await import('node:http');
  const requests = [];
  const serve = (name) => createServer((request, response) => {
    requests.push(`${name} ${request.url}`);
    response.writeHead(200, { 'Content-Type': 'text/event-stream' });
    if (name === 'b') {
      response.write(`id: ${cursorOf(3, 'e11')}\ndata: ${JSON.stringify(event('orders', 3, 4, cursorOf(3, 'e11')))}\n\n`);
      return; // stays open
    }
    response.write(`event: cursor-ahead\ndata: ${JSON.stringify({ type: 'cursor-ahead', origin: 'r2', partition: 3, detail: 'not here yet' })}\n\n`);
    response.end(`event: error\ndata: ${JSON.stringify({ type: 'error', detail: 'cursor ahead' })}\n\n`);
  });
  const servers = [serve('a'), serve('b')];
  await Promise.all(servers.map((server) => new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))));
  const [a, b] = servers.map((server) => `http://127.0.0.1:${server.address().port}`);
  const states = [];
  const client = new FanoutClient({ urls: [a, b], transport: 'sse', backoff: { initialMs: 1, maxMs: 2 },
    cursorAhead: { retries: 1, initialMs: 1, maxMs: 2 } });
  const sub = client.subscribe('orders', { cursor: cursorOf(3, 'e10'), onState: (s) => states.push(s) });
  try {
    let item;
    do item = (await sub.next()).value; while (item.type !== undefined);
    assert.equal(item.cursor, cursorOf(3, 'e11'));
    const resume = `/sse?channel=orders&cursor=${cursorOf(3, 'e10')}`;
    assert.deepEqual(requests, [`a ${resume}`, `a ${resume}`, `b ${resume}`]);
    assert.deepEqual(states.filter((s) => s.state === 'reconnecting').map((s) => s.code), [4001, 4001]);
  } finally {
    client.close();
    for (const server of servers) server.closeAllConnections?.(), server.close();
  }
});

test('shouldNotKeepASubscribedPositionThatNamesMirroredPartitions', () => {
  const position = new ResumePosition(['a'], {});
  position.opened(100000);
  position.seed('3:0,r2/3:0');
  assert.deepEqual(position.query(), { since: String(100000 - 5000) });
});
