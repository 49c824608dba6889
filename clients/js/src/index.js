// fanout's JavaScript client, for browsers and Node 18+ (tested on Node 20). No build step: this file and position.js are the package
// (and are copied as-is into fanout-service's jar for the live viewer).
//
//   const client = new FanoutClient({ url: 'http://127.0.0.1:8081' });
//   const sub = client.subscribe(['orders'], { last: 10, onState: (s) => console.log(s.state) });
//   for await (const event of sub) console.log(event.offset, event.message);
//
// Threading: JavaScript runs it on one thread; every callback (onState) is called from the event loop, never
// re-entrantly from a method the caller is in. A subscription has one reader (one `for await` at a time).

import { ResumePosition, startQuery } from './position.js';

export { ResumePosition } from './position.js';

/** Close codes after which retrying the same request cannot help: the iteration ends with a FanoutError. */
const FATAL_CLOSE_CODES = new Set([1008, 1009]);
/** HTTP statuses of `GET /sse` after which retrying cannot help (bad request, no or bad token, forbidden). */
const FATAL_HTTP_STATUSES = new Set([400, 401, 403, 404, 413, 415, 422]);
/** Close code after a `cursor-ahead` frame: the cursor's event has not reached this region (yet). */
export const CURSOR_AHEAD = 4001;

/** An error the server gave (a close code for WebSocket refusals, an HTTP or error-frame status otherwise). */
export class FanoutError extends Error {
  /**
   * @param {string} message what went wrong
   * @param {{code?: number, status?: number, reason?: string}} details close `code` or HTTP/error-frame `status`
   */
  constructor(message, { code, status, reason } = {}) {
    super(message);
    this.name = 'FanoutError';
    this.code = code;
    this.status = status;
    this.reason = reason;
  }
}

let nodeWebSocket; // the `ws` package's class, loaded only where there is no global WebSocket (Node 20)

async function webSocketClass(given) {
  if (given) return { Impl: given, headersAllowed: false };
  if (typeof globalThis.WebSocket === 'function') return { Impl: globalThis.WebSocket, headersAllowed: false };
  if (!nodeWebSocket) {
    const module = await import('ws');
    nodeWebSocket = module.WebSocket ?? module.default;
  }
  return { Impl: nodeWebSocket, headersAllowed: true };
}

/**
 * The URL of an endpoint of a fan-out instance given as `http(s)://host:port`, `ws(s)://host:port` or either with a
 * path: `/events` for WebSockets, `/sse` for Server-Sent Events (a given `/events` or `/sse` path is switched, any
 * other path is a prefix, as behind a reverse proxy).
 */
export function endpointUrl(base, transport, query = {}) {
  const url = new URL(base, globalThis.location?.href);
  const webSocket = transport === 'websocket';
  if (webSocket && url.protocol === 'http:') url.protocol = 'ws:';
  if (webSocket && url.protocol === 'https:') url.protocol = 'wss:';
  if (!webSocket && url.protocol === 'ws:') url.protocol = 'http:';
  if (!webSocket && url.protocol === 'wss:') url.protocol = 'https:';
  const path = url.pathname.replace(/\/+$/, '');
  const wanted = webSocket ? '/events' : '/sse';
  url.pathname = /\/(events|sse)$/.test(path) ? path.replace(/\/(events|sse)$/, wanted) : path + wanted;
  const pairs = [];
  for (const [name, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) pairs.push(`${queryPart(name)}=${queryPart(v)}`);
  }
  if (pairs.length > 0) url.search = (url.search ? `${url.search}&` : '?') + pairs.join('&');
  return url.toString();
}

/**
 * Percent-encodes a query name or value but keeps `:` and `,` (legal in a query, RFC 3986): the server reads
 * `from=3:1235,7:88` and channel names such as `news:eu` from the raw query.
 */
function queryPart(value) {
  return encodeURIComponent(String(value)).replace(/%3A/gi, ':').replace(/%2C/gi, ',');
}

/** A random idempotency key (128 bits; Node 18 has no global `crypto`, insecure browser pages no randomUUID). */
function randomId() {
  const crypto = globalThis.crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Equal-jitter exponential back-off: half the capped exponential delay, plus a random part of the other half. */
export function backoffDelay(attempt, { initialMs = 250, maxMs = 10000 } = {}, random = Math.random) {
  const capped = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(capped / 2 + random() * (capped / 2));
}

function unrefTimer(timer) {
  if (typeof timer === 'object' && typeof timer?.unref === 'function') timer.unref();
  return timer;
}

/**
 * A client of one fanout platform. Options:
 * - `url` or `urls`: fan-out instance(s), `http://host:8081` or `ws://host:8081`; several are tried in turn
 *   on failures (fail-over);
 * - `token`: a JWT, sent as `Authorization: Bearer` where the platform allows headers, else as `?token=`;
 * - `ingestUrl`: where `publish` POSTs (`/push`); without it, `publish` goes over a WebSocket to a fan-out
 *   instance (a publish object answered by an ack frame);
 * - `transport`: `'auto'` (default: WebSocket, switching to SSE after two attempts that could not open a socket),
 *   `'websocket'` or `'sse'`;
 * - `backoff`: `{ initialMs: 250, maxMs: 10000 }`; `connectTimeoutMs` (10000); `maxBuffered` (10000 events held
 *   for a slow reader before the connection is paused); `WebSocket`: a WebSocket class to use instead of the
 *   platform's (`ws` in Node 20);
 * - `cursorAhead`: `{ retries: 2, initialMs: 500, maxMs: 5000 }`: after a close 4001 (the cursor's event has not
 *   reached that region yet) the same URL is tried again `retries` times (jittered back-off from `initialMs`),
 *   then the next URL.
 */
export class FanoutClient {
  constructor({ url, urls, token, ingestUrl, transport = 'auto', backoff, connectTimeoutMs = 10000,
    maxBuffered = 10000, publishTimeoutMs = 15000, WebSocket, cursorAhead } = {}) {
    const list = urls ?? (url !== undefined ? [url] : []);
    if (!Array.isArray(list) || list.length === 0) throw new TypeError('FanoutClient needs url or urls');
    if (!['auto', 'websocket', 'sse'].includes(transport)) {
      throw new TypeError(`transport must be 'auto', 'websocket' or 'sse', not '${transport}'`);
    }
    this.urls = list.map(String);
    this.token = token;
    this.ingestUrl = ingestUrl;
    this.transport = transport;
    this.backoff = { initialMs: 250, maxMs: 10000, ...backoff };
    this.cursorAhead = { retries: 2, initialMs: 500, maxMs: 5000, ...cursorAhead };
    this.connectTimeoutMs = connectTimeoutMs;
    this.maxBuffered = maxBuffered;
    this.publishTimeoutMs = publishTimeoutMs;
    this.WebSocket = WebSocket;
    this.subscriptions = new Set();
    this.publisher = null;
  }

  /**
   * Subscribes to `channels` (a name or an array). Options: at most one of `from` (an offset, or `p:o,p:o`),
   * `last` (N), `since` (epoch ms, a Date or ISO-8601), `cursor` (event cursors, one per partition, e.g. a
   * stored `sub.position().cursor`: resumes right after them, in any region); `seq` (a stored
   * `sub.position().seq`: the last `seq` of each channel and origin, `channel~origin~n`, so that gaps and repeats
   * are told from the first event on); `onState(state)` for connection state, gaps and refusals. Returns a
   * {@link Subscription}: `for await (const event of sub)`, `sub.position()` and `sub.close()`.
   */
  subscribe(channels, options = {}) {
    const list = Array.isArray(channels) ? [...channels] : [channels];
    if (list.length === 0) throw new TypeError('subscribe needs at least one channel');
    startQuery(options); // validates: at most one cursor
    const subscription = new Subscription(this, list, options);
    this.subscriptions.add(subscription);
    subscription.finished.then(() => this.subscriptions.delete(subscription));
    subscription.start();
    return subscription;
  }

  /**
   * Publishes `message` (any JSON value) to `channel`; resolves with the ack
   * `{channel, message, id, partition, offset, timestamp}` once Kafka has the event, rejects with a FanoutError
   * otherwise. `idempotencyKey`: a retry with the same key within the platform's window is not written twice
   * (over a WebSocket a key is always sent, a generated one when none is given, so the client's own resend after
   * a lost connection cannot duplicate).
   */
  async publish(channel, message, { idempotencyKey } = {}) {
    if (message === undefined) throw new TypeError('publish needs a message (any JSON value)');
    if (this.ingestUrl) return this.publishOverHttp(channel, message, idempotencyKey);
    if (!this.publisher) this.publisher = new SocketPublisher(this);
    return this.publisher.publish(channel, message, idempotencyKey ?? randomId());
  }

  async publishOverHttp(channel, message, idempotencyKey) {
    const headers = { 'Content-Type': 'application/json' };
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const url = new URL('push', String(this.ingestUrl).replace(/\/*$/, '/'));
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ channel, message }) });
    const body = await response.text();
    if (!response.ok) {
      let detail = body;
      try { detail = JSON.parse(body).detail ?? body; } catch { /* not problem+json */ }
      throw new FanoutError(`publish refused (${response.status}): ${detail}`, { status: response.status, reason: detail });
    }
    return JSON.parse(body);
  }

  /** Closes every subscription and the publish socket. */
  close() {
    for (const subscription of [...this.subscriptions]) subscription.close();
    this.publisher?.close();
    this.publisher = null;
  }
}

/**
 * One subscription: an async iterable of event frames (the objects the server sent). Control frames are not
 * events: a `truncated` notice (the server could not go back as far as asked) is handed out in stream order as an
 * item with `type: 'truncated'` and also reported to `onState` as `{state: 'gap', …}`; a `cursor-ahead` notice is
 * handed out as an item with `type: 'cursor-ahead'` and reported to `onState`; every other control frame
 * goes to `onState` only. From a platform that numbers each channel's events (`seq` in event frames), an event whose
 * `seq` is more than one past the last of its channel and origin, with no `truncated` notice explaining the
 * missing ones, is preceded by an item `{type: 'gap', channel, origin, partition, missed, lastSeq, seq}` (`missed`:
 * exactly how many), also reported to `onState` as `{state: 'gap', …}` and recorded in `gaps`; delivery goes on.
 * An event whose `seq` is at or below the last one is a repeat: dropped and counted in `duplicates`. After any
 * disconnect it reconnects by itself (jittered exponential back-off, next URL) and resumes from its
 * {@link ResumePosition}; an event at or below what it already took is dropped, so nothing repeats. A refusal
 * (close 1008, or 400/401/403 over SSE) ends the iteration with a FanoutError once the events already received are
 * handed out.
 *
 * States given to `onState`: `connecting` {url, transport, attempt}, `connected` {url, transport, resumed, query},
 * `subscribed` {position, cursor?} (when the server sends its start position: from then on nothing published is missed;
 * `cursor`, when the server knows it, is what a reconnect before the first event resumes from),
 * `resumed` {caughtUp} (events published while away, counted by publish time, once they stop arriving),
 * `catching-up` / `live` (the server says a slow connection is served from the log / live again), `gap`
 * {partition, requested | since, earliest, origin?, channel?, lost?, firstSeq?, missed?} (a `truncated` notice) or
 * {channel, origin, partition, missed, lastSeq, seq} (events missing by `seq`), `cursor-ahead` {origin, partition,
 * detail} (the resume cursor names an event that has not reached that region yet: a close 4001 follows, and the
 * subscription retries the same URL after a pause, then the next URL), `reconnecting` {code, reason, delayMs,
 * attempt}, `paused` (the reader is behind by `maxBuffered` events; resumes once it catches up), `failed` {error},
 * `closed`.
 */
export class Subscription {
  constructor(client, channels, options) {
    this.client = client;
    this.channels = channels;
    this.onState = typeof options.onState === 'function' ? options.onState : () => {};
    const start = { from: options.from, last: options.last, since: options.since, cursor: options.cursor,
      seq: options.seq };
    this.resume = new ResumePosition(channels, start); // what was accepted (queued): where reconnects resume
    this.taken = new ResumePosition(channels, start); // what the reader took: what position() gives out
    this.queue = [];
    this.waiters = [];
    this.error = null;
    this.closed = false;
    this.connection = null;
    this.urlIndex = 0;
    this.failures = 0; // consecutive connection attempts that ended without progress
    this.aheadCloses = 0; // consecutive 4001 closes on the current URL
    this.aheadSeen = false; // the current connection sent cursor-ahead (SSE ends its stream instead of closing 4001)
    this.openFailures = 0; // consecutive attempts that could not open at all (drives the 'auto' switch to SSE)
    this.transport = client.transport === 'sse' ? 'sse' : 'websocket';
    this.everConnected = false;
    this.paused = false;
    this.retryTimer = null;
    this.catchUp = null;
    this.gaps = [];
    let finish;
    this.finished = new Promise((resolve) => { finish = resolve; });
    this.finish = finish;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  /** How many events were dropped as repeats of ones already accepted (by `seq`, or by offset on one connection). */
  get duplicates() {
    return this.resume.duplicates;
  }

  /** The next event (or `truncated` notice); `done` once closed; throws the FanoutError that ended it. */
  next() {
    if (this.queue.length > 0) {
      const value = this.queue.shift();
      this.took(value);
      this.maybeUnpause();
      return Promise.resolve({ value, done: false });
    }
    if (this.error) return Promise.reject(this.error);
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Called when a `for await` loop exits early: closes the subscription. */
  return() {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Stops receiving: the socket closes, pending reads end (`done`), nothing reconnects. */
  close() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.connection?.close();
    this.connection = null;
    this.queue.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ value: undefined, done: true });
    this.state({ state: 'closed' });
    this.finish();
  }

  start() {
    this.connect();
  }

  state(state) {
    try {
      this.onState(state);
    } catch (e) {
      console.error('fanout: onState threw', e);
    }
  }

  /**
   * Where a new subscription would carry on right after the last event the reader took, as `subscribe` options:
   * `{cursor: [...]}` (one per partition, valid on any instance of any region) when the server sends cursors,
   * `{from: 'p:o,…'}` for a server without them, else the starting options (nothing taken yet). Store it and pass
   * it to `client.subscribe(channels, position)` later.
   */
  position() {
    return this.taken.resumeOptions();
  }

  took(item) {
    if (item.type === undefined) this.taken.advance(item);
  }

  hand(item) {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.took(item);
      waiter.resolve({ value: item, done: false });
    } else {
      this.queue.push(item);
      if (!this.paused && this.queue.length >= this.client.maxBuffered) this.pause();
    }
  }

  pause() {
    this.paused = true;
    this.state({ state: 'paused', buffered: this.queue.length });
    const connection = this.connection;
    this.connection = null;
    connection?.close();
  }

  maybeUnpause() {
    if (this.paused && this.queue.length <= this.client.maxBuffered / 2 && !this.closed) {
      this.paused = false;
      this.connect();
    }
  }

  fail(error) {
    if (this.closed) return;
    this.error = error;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.connection?.close();
    this.connection = null;
    this.state({ state: 'failed', error });
    if (this.queue.length === 0) for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    this.finish();
  }

  // ---- connection lifecycle ----

  async connect() {
    if (this.closed || this.paused) return;
    const url = this.client.urls[this.urlIndex % this.client.urls.length];
    const query = this.resume.query();
    if (query.cursor) this.resume.resumedByCursor();
    this.aheadSeen = false;
    const resumed = this.everConnected;
    this.state({ state: 'connecting', url, transport: this.transport, attempt: this.failures });
    const handlers = {
      opened: () => this.opened(url, query, resumed),
      frame: (frame, sseId) => this.frame(frame, sseId),
      ended: (code, reason, didOpen, progressed) => this.ended(code, reason, didOpen, progressed),
    };
    const Connection = this.transport === 'sse' ? SseConnection : WebSocketConnection;
    const connection = new Connection(this.client, url, this.channels, query, handlers);
    this.connection = connection;
    try {
      await connection.open();
    } catch (e) {
      // could not even start (e.g. no WebSocket implementation): a fatal setup error
      if (this.connection === connection) this.fail(e instanceof FanoutError ? e : new FanoutError(String(e?.message ?? e)));
    }
  }

  opened(url, query, resumed) {
    this.everConnected = true;
    this.openFailures = 0;
    this.resume.opened();
    this.state({ state: 'connected', url, transport: this.transport, resumed, query });
    if (resumed) this.startCatchUpCount();
  }

  /** Counts events published before this reconnect (by their publish time) and reports them once they stop. */
  startCatchUpCount() {
    const since = Date.now();
    const catchUp = { since, count: 0, timer: null };
    const report = () => {
      if (this.catchUp !== catchUp || this.closed) return;
      this.catchUp = null;
      this.state({ state: 'resumed', caughtUp: catchUp.count });
    };
    catchUp.report = report;
    catchUp.rearm = () => {
      clearTimeout(catchUp.timer);
      catchUp.timer = unrefTimer(setTimeout(report, 1000));
    };
    this.catchUp = catchUp;
    catchUp.rearm();
  }

  frame(frame, sseId) {
    if (this.closed || frame === null || typeof frame !== 'object') return;
    if (frame.type === undefined) {
      if (typeof frame.partition !== 'number' || typeof frame.offset !== 'number') return;
      if (this.resume.isDuplicate(frame)) return;
      const missed = this.resume.missedBefore(frame);
      if (missed > 0) this.seqGap(frame, missed);
      this.resume.advance(frame);
      if (sseId) this.resume.seed(sseId);
      this.failures = 0;
      this.aheadCloses = 0;
      if (this.catchUp) {
        if (typeof frame.timestamp === 'number' && frame.timestamp < this.catchUp.since) {
          this.catchUp.count++;
          this.catchUp.rearm();
        } else {
          this.catchUp.report();
        }
      }
      this.hand(frame);
      return;
    }
    switch (frame.type) {
      case 'subscribed':
        this.resume.seed(frame.position);
        this.resume.seedStreamCursor(frame.cursor);
        this.failures = 0;
        this.state({ state: 'subscribed', position: frame.position, ...(typeof frame.cursor === 'string' ? { cursor: frame.cursor } : {}) });
        break;
      case 'truncated': {
        const gap = { partition: frame.partition, requested: frame.requested, earliest: frame.earliest };
        for (const field of ['origin', 'since', 'channel', 'lost', 'firstSeq']) {
          if (frame[field] !== undefined) gap[field] = frame[field];
        }
        if (Number.isInteger(frame.lost)) gap.missed = frame.lost;
        this.resume.explain(frame);
        this.gaps.push(gap);
        this.state({ state: 'gap', ...gap });
        this.hand(frame);
        break;
      }
      case 'cursor-ahead':
        // the close 4001 follows (SSE: the stream ends); ended() retries the same URL, then the next one
        this.aheadSeen = true;
        this.state({ state: 'cursor-ahead', origin: frame.origin, partition: frame.partition, detail: frame.detail });
        this.hand(frame);
        break;
      case 'catching-up':
      case 'live':
        if (frame.type === 'live') this.catchUp?.report();
        this.state({ state: frame.type });
        break;
      default:
        break; // ack/error answer publishes, which a subscription does not send; unknown types are ignored
    }
  }

  /** Reports `missed` events of `event`'s channel and origin that never came (told by `seq`, not by the server). */
  seqGap(event, missed) {
    const lastSeq = event.seq - missed - 1;
    const gap = { channel: event.channel, origin: event.origin, partition: event.partition, missed, lastSeq,
      seq: event.seq };
    this.gaps.push(gap);
    this.state({ state: 'gap', ...gap });
    this.hand({ type: 'gap', ...gap });
  }

  ended(code, reason, didOpen, progressed) {
    if (this.closed) return;
    if (FATAL_CLOSE_CODES.has(code) || FATAL_HTTP_STATUSES.has(code)) {
      const what = code >= 1000 ? `closed with ${code}` : `refused with HTTP ${code}`;
      const error = new FanoutError(`subscription ${what}: ${reason || 'no reason given'}`,
        code >= 1000 ? { code, reason } : { status: code, reason });
      this.fail(error);
      return;
    }
    if (this.paused) return; // we closed it; connect() runs again once the reader catches up
    if (this.aheadSeen) code = CURSOR_AHEAD; // an SSE stream that ended after cursor-ahead
    if (this.catchUp) this.catchUp.report();
    if (!didOpen) this.openFailures++;
    if (!progressed) this.failures++;
    if (this.client.transport === 'auto' && !didOpen && this.openFailures >= 2) {
      this.transport = this.transport === 'websocket' ? 'sse' : 'websocket';
      this.openFailures = 0;
    }
    let delayMs;
    if (code === CURSOR_AHEAD) {
      // the cursor's event has not reached that region yet: wait for it there a few times, then try the next URL
      this.aheadCloses++;
      const ahead = this.client.cursorAhead;
      if (this.aheadCloses > ahead.retries && this.client.urls.length > 1) {
        this.aheadCloses = 0;
        this.urlIndex++;
      }
      delayMs = backoffDelay(this.aheadCloses, ahead);
    } else {
      this.aheadCloses = 0;
      this.urlIndex++;
      // the first retry after a connection that worked is quick (another instance is usually up); then back off
      delayMs = backoffDelay(this.failures, this.client.backoff);
    }
    this.state({ state: 'reconnecting', code, reason, delayMs, attempt: this.failures });
    this.retryTimer = setTimeout(() => this.connect(), delayMs);
  }
}

/** One WebSocket connection of a subscription or of the publisher; reports through its handlers. */
class WebSocketConnection {
  constructor(client, url, channels, query, handlers) {
    this.client = client;
    this.url = url;
    this.channels = channels;
    this.query = query;
    this.handlers = handlers;
    this.socket = null;
    this.done = false;
    this.didOpen = false;
    this.openedAt = 0;
    this.progressed = false;
  }

  async open() {
    const { Impl, headersAllowed } = await webSocketClass(this.client.WebSocket);
    if (this.done) return;
    const query = { channel: this.channels, ...this.query };
    if (this.client.token && !headersAllowed) query.token = this.client.token;
    const target = endpointUrl(this.url, 'websocket', query);
    let socket;
    try {
      socket = headersAllowed && this.client.token
        ? new Impl(target, { headers: { Authorization: `Bearer ${this.client.token}` } })
        : new Impl(target);
    } catch (e) {
      this.end(1006, String(e?.message ?? e)); // a malformed URL, or a blocked port
      return;
    }
    this.socket = socket;
    const timeout = setTimeout(() => {
      if (!this.didOpen) {
        this.closeSocket();
        this.end(1006, 'connect timeout');
      }
    }, this.client.connectTimeoutMs);
    socket.onopen = () => {
      clearTimeout(timeout);
      this.didOpen = true;
      this.openedAt = Date.now();
      this.handlers.opened?.();
    };
    socket.onmessage = (message) => {
      if (this.done) return;
      this.progressed = true;
      const text = typeof message.data === 'string' ? message.data : String(message.data);
      let frame;
      try {
        frame = JSON.parse(text);
      } catch {
        return; // not JSON: not a frame of the contract
      }
      this.handlers.frame(frame);
    };
    socket.onerror = () => {}; // a close event follows, with the code
    socket.onclose = (event) => {
      clearTimeout(timeout);
      this.end(event.code, event.reason);
    };
  }

  send(text) {
    if (!this.socket || this.socket.readyState !== 1) return false;
    this.socket.send(text);
    return true;
  }

  end(code, reason) {
    if (this.done) return;
    this.done = true;
    // a connection that stayed up a while counts as progress even when no frame came (an idle live channel)
    const progressed = this.progressed || (this.didOpen && Date.now() - this.openedAt >= 5000);
    this.handlers.ended(code, reason, this.didOpen, progressed);
  }

  closeSocket() {
    const socket = this.socket;
    if (!socket) return;
    try {
      if (socket.readyState === 0 && typeof socket.terminate === 'function') socket.terminate(); // ws, not yet open
      else socket.close(1000, 'client closed');
    } catch {
      /* already closing */
    }
  }

  /** Closes on the client's behalf: no further handler calls. */
  close() {
    this.done = true;
    this.closeSocket();
  }
}

/**
 * One Server-Sent Events connection (`GET /sse`), read with `fetch` (in browsers and in Node, which has no
 * EventSource) so that this client, not the browser, decides when and from where to reconnect. Each event's `id`
 * is the stream's complete position after it.
 */
class SseConnection {
  constructor(client, url, channels, query, handlers) {
    this.client = client;
    this.url = url;
    this.channels = channels;
    this.query = query;
    this.handlers = handlers;
    this.abort = new AbortController();
    this.done = false;
    this.didOpen = false;
    this.openedAt = 0;
    this.progressed = false;
  }

  async open() {
    const target = endpointUrl(this.url, 'sse', { channel: this.channels, ...this.query });
    const headers = { Accept: 'text/event-stream' };
    if (this.client.token) headers.Authorization = `Bearer ${this.client.token}`;
    const timeout = setTimeout(() => this.abort.abort(), this.client.connectTimeoutMs);
    let response;
    try {
      response = await fetch(target, { headers, signal: this.abort.signal, cache: 'no-store' });
    } catch (e) {
      clearTimeout(timeout);
      this.end(1006, String(e?.message ?? e));
      return;
    } finally {
      clearTimeout(timeout);
    }
    if (!response.ok) {
      let detail = '';
      try {
        const body = await response.text();
        try { detail = JSON.parse(body).detail ?? body; } catch { detail = body; }
      } catch { /* no body */ }
      this.end(FATAL_HTTP_STATUSES.has(response.status) ? response.status : 1011, detail || `HTTP ${response.status}`);
      return;
    }
    this.didOpen = true;
    this.openedAt = Date.now();
    this.handlers.opened?.();
    try {
      await this.read(response.body);
      this.end(1006, 'stream ended');
    } catch (e) {
      this.end(1006, String(e?.message ?? e));
    }
  }

  async read(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let event = { data: [], id: undefined, type: 'message' };
    for (;;) {
      const { value, done } = await reader.read();
      if (done || this.done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (event.data.length > 0) this.dispatch(event);
          event = { data: [], id: undefined, type: 'message' };
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let val = colon < 0 ? '' : line.slice(colon + 1);
          if (val.startsWith(' ')) val = val.slice(1);
          if (field === 'data') event.data.push(val);
          else if (field === 'id') event.id = val;
          else if (field === 'event') event.type = val;
        }
      }
    }
  }

  dispatch(event) {
    if (this.done) return;
    this.progressed = true;
    let frame;
    try {
      frame = JSON.parse(event.data.join('\n'));
    } catch {
      return;
    }
    this.handlers.frame(frame, event.id);
  }

  end(code, reason) {
    if (this.done) return;
    this.done = true;
    const progressed = this.progressed || (this.didOpen && Date.now() - this.openedAt >= 5000);
    this.handlers.ended(code, reason, this.didOpen, progressed);
  }

  close() {
    this.done = true;
    this.abort.abort();
  }
}

/**
 * Publishes over a WebSocket to a fan-out instance: publish objects `{"channel","message","id"}` on one socket,
 * answered in order by ack or error frames. Unanswered publishes are sent again, with the same id (so the platform
 * writes each once), on the next socket after a disconnect; each one fails after `publishTimeoutMs`. The socket
 * closes after a few idle seconds.
 */
class SocketPublisher {
  constructor(client) {
    this.client = client;
    this.pending = []; // in send order: {frame, resolve, reject, timer}
    this.connection = null;
    this.ready = false;
    this.urlIndex = 0;
    this.failures = 0;
    this.idleTimer = null;
    this.retryTimer = null;
    this.closed = false;
  }

  publish(channel, message, id) {
    const frame = JSON.stringify({ channel, message, id });
    return new Promise((resolve, reject) => {
      const entry = { frame, message, resolve, reject, timer: null };
      entry.timer = setTimeout(() => {
        const index = this.pending.indexOf(entry);
        if (index >= 0) this.pending.splice(index, 1);
        reject(new FanoutError(`publish to '${channel}' not acknowledged within ${this.client.publishTimeoutMs} ms`));
        // the answers of this socket would now be matched to the wrong publishes: start a fresh one
        this.connection?.close();
        this.connection = null;
        this.ready = false;
        if (this.pending.length > 0) this.connect(channel);
      }, this.client.publishTimeoutMs);
      this.pending.push(entry);
      clearTimeout(this.idleTimer);
      if (this.ready) this.connection.send(frame);
      else if (!this.connection && !this.retryTimer) this.connect(channel);
    });
  }

  connect(channel) {
    if (this.closed) return;
    const url = this.client.urls[this.urlIndex % this.client.urls.length];
    const connection = new WebSocketConnection(this.client, url, [channel], {}, {
      opened: () => {
        if (this.connection !== connection) return;
        this.ready = true;
        for (const entry of this.pending) connection.send(entry.frame);
      },
      frame: (frame) => {
        if (this.connection !== connection) return;
        if (frame?.type !== 'ack' && frame?.type !== 'error') return; // events of the socket's channel
        this.failures = 0;
        const entry = this.pending.shift();
        if (!entry) return;
        clearTimeout(entry.timer);
        if (frame.type === 'ack') {
          const { type, ...ack } = frame;
          entry.resolve({ channel: ack.channel, message: entry.message, id: ack.id, partition: ack.partition,
            offset: ack.offset, timestamp: ack.timestamp });
        } else {
          entry.reject(new FanoutError(`publish refused (${frame.status}): ${frame.detail}`,
            { status: frame.status, reason: frame.detail }));
        }
        if (this.pending.length === 0) this.armIdle();
      },
      ended: (code, reason) => {
        if (this.connection !== connection) return;
        this.connection = null;
        this.ready = false;
        if (FATAL_CLOSE_CODES.has(code)) {
          for (const entry of this.pending.splice(0)) {
            clearTimeout(entry.timer);
            entry.reject(new FanoutError(`publish socket closed with ${code}: ${reason}`, { code, reason }));
          }
          return;
        }
        if (this.pending.length === 0) return;
        this.urlIndex++;
        this.failures++;
        const next = JSON.parse(this.pending[0].frame).channel;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.connect(next);
        }, backoffDelay(this.failures, this.client.backoff));
      },
    });
    this.connection = connection;
    connection.open().catch((e) => {
      for (const entry of this.pending.splice(0)) {
        clearTimeout(entry.timer);
        entry.reject(e);
      }
    });
  }

  armIdle() {
    clearTimeout(this.idleTimer);
    this.idleTimer = unrefTimer(setTimeout(() => {
      if (this.pending.length > 0) return;
      this.connection?.close();
      this.connection = null;
      this.ready = false;
    }, 3000));
  }

  close() {
    this.closed = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.retryTimer);
    this.connection?.close();
    this.connection = null;
    for (const entry of this.pending.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(new FanoutError('client closed'));
    }
  }
}
