// The resume position of one subscription: the one place that decides which cursor a reconnect asks for.

/** How far before the first connection a `since` fallback reaches (client and broker clocks may differ). */
export const SINCE_MARGIN_MS = 5000;

/** The partition a region-independent cursor names (`1.<partition>.…`), or undefined when it is not one. */
export function cursorPartition(cursor) {
  if (typeof cursor !== 'string') return undefined;
  const match = /^1\.(\d+)\./.exec(cursor);
  return match ? Number(match[1]) : undefined;
}

/**
 * Tracks, per partition, where a subscription is: the `cursor` of the last event it accepted when the server sends
 * cursors (region-independent: valid on any instance of any region), else the next offset wanted (`from=`, this
 * region only, for servers without cursors). Also which partition each channel lives in. Advanced for every event
 * the subscription accepts (in the order it hands them out), seeded from a starting `cursor` list, the server's
 * `subscribed` frame or an SSE event id when those carry a complete position.
 * Not thread-safe (JavaScript has one thread per realm; one instance per subscription).
 */
export class ResumePosition {
  /**
   * @param {string[]} channels the subscription's channels
   * @param {{from?: string|number, last?: number, since?: string|number, cursor?: string|string[]}} start the
   *   cursor it started with
   */
  constructor(channels, start = {}) {
    this.channels = [...channels];
    this.start = start;
    /** partition -> next offset wanted (events without a cursor) */
    this.next = new Map();
    /** partition -> cursor of the last event accepted in it */
    this.cursors = new Map();
    /** `origin/partition` -> next offset, to drop repeats of cursor events on the connection that sent them */
    this.seen = new Map();
    /** channel -> partition, learnt from events */
    this.partitionOf = new Map();
    /** true once a server-given position covers every partition of the subscription */
    this.complete = false;
    /** client time (ms) when the first connection opened; the `since` fallback reaches back from it */
    this.openedAt = null;
    /** how many events were accepted */
    this.accepted = 0;
    for (const cursor of cursorList(start.cursor)) this.takeCursor(cursor);
  }

  /** Notes that a connection opened (the first one fixes `openedAt`). */
  opened(now = Date.now()) {
    if (this.openedAt === null) this.openedAt = now;
  }

  /**
   * Notes that a connection resumed with `cursor=`: the server sends exactly what follows the cursors, with
   * offsets of the region it is in (another region's differ), so the offsets seen before say nothing any more.
   */
  resumedByCursor() {
    this.seen.clear();
  }

  /**
   * Seeds from a server position: `p:o,p:o` (a `subscribed` frame's `position`, or an older server's SSE event id)
   * or a stream cursor `c,c` (an SSE event id: one cursor per partition of the stream). A position that names
   * partitions of other regions' mirrored topics (`r2/3:40`, a server reading several regions) or that this client
   * cannot read is not kept: a partial one would start those topics live on a resume; the cursor of the first
   * event replaces it anyway.
   */
  seed(position) {
    if (typeof position !== 'string' || position === '') return;
    const parts = position.split(',');
    if (parts.every((part) => cursorPartition(part) !== undefined)) {
      for (const cursor of parts) this.takeCursor(cursor);
      this.complete = true;
      return;
    }
    const offsets = [];
    for (const part of parts) {
      const [p, o] = part.split(':');
      const partition = Number(p);
      const offset = Number(o);
      if (!Number.isInteger(partition) || !Number.isInteger(offset)) return; // not a position we understand
      offsets.push([partition, offset]);
    }
    for (const [partition, offset] of offsets) {
      const known = this.next.get(partition);
      if (known === undefined || offset > known) this.next.set(partition, offset);
    }
    this.complete = true;
  }

  /** True when `event` was already accepted (an offset below the next one wanted for its partition and origin). */
  isDuplicate(event) {
    const next = typeof event.cursor === 'string' ? this.seen.get(seenKey(event)) : this.next.get(event.partition);
    return next !== undefined && event.offset < next;
  }

  /** Records that `event` was accepted: its partition's cursor becomes the event's (or its next offset `offset + 1`). */
  advance(event) {
    if (typeof event.cursor === 'string') {
      this.cursors.set(event.partition, event.cursor);
      this.seen.set(seenKey(event), event.offset + 1);
    } else {
      this.next.set(event.partition, event.offset + 1);
    }
    if (typeof event.channel === 'string') this.partitionOf.set(event.channel, event.partition);
    this.accepted++;
  }

  /** The cursors known, one per partition in partition order. */
  cursorValues() {
    return [...this.cursors.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  }

  /** The `from=` value for what is known: `p:o,p:o` in partition order. */
  fromValue() {
    return [...this.next.entries()].sort((a, b) => a[0] - b[0]).map(([p, o]) => `${p}:${o}`).join(',');
  }

  /**
   * The cursor query parameters for the next connection:
   * - any cursor known (the server sends them, or the subscription started from them): `cursor=` once per
   *   partition. The server resumes right after each; a channel in a partition no cursor names starts at the
   *   oldest time the cursors name;
   * - else (a server without cursors) the position of every partition when it is known (a server-given position,
   *   or an event seen on every channel): `from=p:o,…`;
   * - nothing accepted yet: the starting cursor again; a live start asks for `since=<first open − margin>`
   *   once a connection has opened, so that events published while it was down are not missed;
   * - some channels not seen yet: a live or `since` start asks for `since=` from its start (events already
   *   accepted are dropped as duplicates); a `from`/`last` start resumes from the known partitions (channels
   *   not seen yet then start live: the limit until the server sends `subscribed`).
   * @returns {Record<string,string|string[]>}
   */
  query() {
    if (this.cursors.size > 0) return { cursor: this.cursorValues() };
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

  /**
   * Where a new subscription should start to carry on after the events accepted here, as `subscribe` options:
   * `{cursor: [...]}` (valid in any region) when cursors are known, `{from: 'p:o,…'}` for a server without
   * cursors, else the starting options (nothing accepted yet).
   */
  resumeOptions() {
    if (this.cursors.size > 0) return { cursor: this.cursorValues() };
    if (this.next.size > 0) return { from: this.fromValue() };
    const { from, last, since } = this.start;
    return Object.fromEntries(Object.entries({ from, last, since }).filter(([, v]) => v !== undefined));
  }

  takeCursor(cursor) {
    const partition = cursorPartition(cursor);
    if (partition !== undefined) this.cursors.set(partition, cursor);
  }
}

function seenKey(event) {
  return `${event.origin ?? ''}/${event.partition}`;
}

function cursorList(cursor) {
  if (cursor === undefined) return [];
  return (Array.isArray(cursor) ? cursor : [cursor]).flatMap((c) => String(c).split(','));
}

/** The query parameters of a starting cursor (at most one of from, last, since, cursor). */
export function startQuery({ from, last, since, cursor } = {}) {
  const given = [from, last, since, cursor].filter((v) => v !== undefined);
  if (given.length > 1) throw new TypeError('at most one of from, last, since and cursor');
  if (cursor !== undefined) {
    const cursors = cursorList(cursor);
    const bad = cursors.find((c) => cursorPartition(c) === undefined);
    if (cursors.length === 0 || bad !== undefined) throw new TypeError(`not a fanout cursor: '${bad ?? ''}'`);
    return { cursor: cursors };
  }
  if (from !== undefined) return { from: String(from) };
  if (last !== undefined) return { last: String(last) };
  if (since !== undefined) return { since: since instanceof Date ? String(since.getTime()) : String(since) };
  return {};
}
