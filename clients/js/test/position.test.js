// Unit tests of the pieces that need no platform: the resume position, endpoint URLs, back-off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResumePosition, startQuery, SINCE_MARGIN_MS } from '../src/position.js';
import { backoffDelay, endpointUrl, FanoutClient } from '../src/index.js';

const event = (channel, partition, offset) => ({ channel, partition, offset, timestamp: 0, id: 'x', message: null });

test('shouldResumeFromTheOffsetAfterEachPartitionsLastEvent', () => {
  const position = new ResumePosition(['a', 'b'], {});
  position.opened(1000);
  position.advance(event('a', 3, 7));
  position.advance(event('b', 1, 40));
  position.advance(event('a', 3, 8));
  assert.deepEqual(position.query(), { from: '1:41,3:9' });
});

test('shouldDropEventsAlreadyAccepted', () => {
  const position = new ResumePosition(['a'], {});
  position.advance(event('a', 3, 7));
  assert.equal(position.isDuplicate(event('a', 3, 7)), true);
  assert.equal(position.isDuplicate(event('a', 3, 6)), true);
  assert.equal(position.isDuplicate(event('a', 3, 8)), false);
  assert.equal(position.isDuplicate(event('b', 4, 0)), false);
});

test('shouldRepeatTheStartingCursorWhileNothingWasAccepted', () => {
  assert.deepEqual(new ResumePosition(['a'], { last: 5 }).query(), { last: '5' });
  assert.deepEqual(new ResumePosition(['a'], { from: 12 }).query(), { from: '12' });
  assert.deepEqual(new ResumePosition(['a'], { since: '2026-11-24T10:00:00Z' }).query(), { since: '2026-11-24T10:00:00Z' });
});

test('shouldAskForEverythingSinceTheFirstOpenWhenALiveStartSawNoEvents', () => {
  const position = new ResumePosition(['a'], {});
  assert.deepEqual(position.query(), {});
  position.opened(100000);
  position.opened(200000); // only the first open counts
  assert.deepEqual(position.query(), { since: String(100000 - SINCE_MARGIN_MS) });
});

test('shouldUseSinceWhileSomeChannelsOfALiveStartAreUnseen', () => {
  const position = new ResumePosition(['a', 'b'], {});
  position.opened(100000);
  position.advance(event('a', 3, 7));
  assert.deepEqual(position.query(), { since: String(100000 - SINCE_MARGIN_MS) });
  position.advance(event('b', 5, 0));
  assert.deepEqual(position.query(), { from: '3:8,5:1' });
});

test('shouldTakeACompletePositionFromTheServer', () => {
  const position = new ResumePosition(['a', 'b'], { last: 3 });
  position.seed('2:10,9:4');
  assert.deepEqual(position.query(), { from: '2:10,9:4' });
  position.advance(event('a', 2, 10));
  assert.deepEqual(position.query(), { from: '2:11,9:4' });
  position.seed('2:5'); // an older position never moves it back
  assert.deepEqual(position.query(), { from: '2:11,9:4' });
});

test('shouldRefuseTwoStartingCursors', () => {
  assert.throws(() => startQuery({ from: 1, last: 2 }), /at most one/);
  assert.deepEqual(startQuery({ since: new Date(5000) }), { since: '5000' });
});

test('shouldMapBaseUrlsToEndpoints', () => {
  assert.equal(endpointUrl('http://127.0.0.1:8081', 'websocket', { channel: ['a', 'b'], last: '5' }),
    'ws://127.0.0.1:8081/events?channel=a&channel=b&last=5');
  assert.equal(endpointUrl('https://example.org/fanout/', 'websocket'), 'wss://example.org/fanout/events');
  assert.equal(endpointUrl('ws://127.0.0.1:8081/events', 'sse', { from: '1:2,3:4', channel: 'news:eu' }), 'http://127.0.0.1:8081/sse?from=1:2,3:4&channel=news:eu');
});

test('shouldBackOffExponentiallyWithJitterUpToTheCap', () => {
  const options = { initialMs: 100, maxMs: 1000 };
  assert.equal(backoffDelay(0, options, () => 0), 50);
  assert.equal(backoffDelay(0, options, () => 1), 100);
  assert.equal(backoffDelay(3, options, () => 0), 400);
  assert.equal(backoffDelay(30, options, () => 1), 1000);
});

test('shouldRefuseAClientWithoutUrl', () => {
  assert.throws(() => new FanoutClient({}), /url/);
  assert.throws(() => new FanoutClient({ url: 'http://x', transport: 'carrier-pigeon' }), /transport/);
});
