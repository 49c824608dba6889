// The resume position of one subscription: the one place that decides which cursor a reconnect asks for.
// When the server offers a region-independent `cursor` on every event, only this file changes.

/** How far before the first connection a `since` fallback reaches (client and broker clocks may differ). */
export const SINCE_MARGIN_MS = 5000;

/**
 * Tracks, per partition, the next offset a subscription wants, and which partition each channel lives in.
 * Advanced for every event the subscription accepts (in the order it hands them out), seeded from the
 * server's `subscribed` frame or an SSE event id when those carry a complete position.
 * Not thread-safe (JavaScript has one thread per realm; one instance per subscription).
 */
export class ResumePosition {
  /**
   * @param {string[]} channels the subscription's channels
   * @param {{from?: string|number, last?: number, since?: string|number}} start the cursor it started with
   */
  constructor(channels, start = {}) {
    this.channels = [...channels];
    this.start = start;
    /** partition -> next offset wanted */
    this.next = new Map();
    /** channel -> partition, learnt from events */
    this.partitionOf = new Map();
    /** true once a server-given position covers every partition of the subscription */
    this.complete = false;
    /** client time (ms) when the first connection opened; the `since` fallback reaches back from it */
    this.openedAt = null;
    /** how many events were accepted */
    this.accepted = 0;
  }

  /** Notes that a connection opened (the first one fixes `openedAt`). */
  opened(now = Date.now()) {
    if (this.openedAt === null) this.openedAt = now;
  }

  /** Seeds from a server position `p:o,p:o` (a `subscribed` frame's `position`, or an SSE event id). */
  seed(position) {
    if (typeof position !== 'string' || position === '') return;
    for (const part of position.split(',')) {
      const [p, o] = part.split(':');
      const partition = Number(p);
      const offset = Number(o);
      if (!Number.isInteger(partition) || !Number.isInteger(offset)) return; // not a position we understand
      const known = this.next.get(partition);
      if (known === undefined || offset > known) this.next.set(partition, offset);
    }
    this.complete = true;
  }

  /** True when `event` was already accepted (an offset below the next one wanted for its partition). */
  isDuplicate(event) {
    const next = this.next.get(event.partition);
    return next !== undefined && event.offset < next;
  }

  /** Records that `event` was accepted: its partition's next offset becomes `offset + 1`. */
  advance(event) {
    this.next.set(event.partition, event.offset + 1);
    if (typeof event.channel === 'string') this.partitionOf.set(event.channel, event.partition);
    this.accepted++;
  }

  /** The `from=` value for what is known: `p:o,p:o` in partition order. */
  fromValue() {
    return [...this.next.entries()].sort((a, b) => a[0] - b[0]).map(([p, o]) => `${p}:${o}`).join(',');
  }

  /**
   * The cursor query parameters for the next connection:
   * - the position of every partition when it is known (a server-given position, or an event seen on every
   *   channel): `from=p:o,…`;
   * - nothing accepted yet: the starting cursor again; a live start asks for `since=<first open − margin>`
   *   once a connection has opened, so that events published while it was down are not missed;
   * - some channels not seen yet: a live or `since` start asks for `since=` from its start (events already
   *   accepted are dropped as duplicates); a `from`/`last` start resumes from the known partitions (channels
   *   not seen yet then start live: the limit until the server sends `subscribed`).
   * @returns {Record<string,string>}
   */
  query() {
    const known = this.complete || this.channels.every((c) => this.partitionOf.has(c));
    if (known && this.next.size > 0) return { from: this.fromValue() };
    const { from, last, since } = this.start;
    const isLive = from === undefined && last === undefined && since === undefined;
    if (this.accepted === 0 && this.next.size === 0) {
      if (!isLive) return startQuery(this.start);
      return this.openedAt === null ? {} : { since: String(this.openedAt - SINCE_MARGIN_MS) };
    }
    if (isLive && this.openedAt !== null) return { since: String(this.openedAt - SINCE_MARGIN_MS) };
    if (since !== undefined) return { since: String(since) };
    return { from: this.fromValue() };
  }
}

/** The query parameters of a starting cursor (at most one of from, last, since). */
export function startQuery({ from, last, since } = {}) {
  const given = [from, last, since].filter((v) => v !== undefined);
  if (given.length > 1) throw new TypeError('at most one of from, last and since');
  if (from !== undefined) return { from: String(from) };
  if (last !== undefined) return { last: String(last) };
  if (since !== undefined) return { since: since instanceof Date ? String(since.getTime()) : String(since) };
  return {};
}
