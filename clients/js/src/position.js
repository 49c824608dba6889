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
    /** `channel~origin` -> the last `seq` accepted of that channel's events from that origin (a sequencing server) */
    this.seqs = new Map();
    /** channel -> what a `truncated` notice without an origin said was deleted, until that channel's next event */
    this.explainedAnyOrigin = new Map();
    /** how many events were dropped as already accepted (by `seq`, or by offset on one connection) */
    this.duplicates = 0;
    for (const cursor of cursorList(start.cursor)) this.takeCursor(cursor);
    for (const [key, seq] of seqList(start.seq)) this.seqs.set(key, seq);
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

  /**
   * Seeds from the `cursor` of the server's `subscribed` frame (the stream's start, one cursor per partition joined
   * by `,`): a partition no event has given a cursor yet resumes from there, on any instance of any region, so a
   * subscription that leaves before its first event resumes exactly instead of going live. The cursors of accepted
   * events are kept over it; a value that is not a list of cursors is ignored.
   */
  seedStreamCursor(streamCursor) {
    if (typeof streamCursor !== 'string' || streamCursor === '') return;
    const parts = streamCursor.split(',');
    if (!parts.every((part) => cursorPartition(part) !== undefined)) return;
    for (const cursor of parts) {
      const partition = cursorPartition(cursor);
      if (!this.cursors.has(partition)) this.cursors.set(partition, cursor);
    }
  }

  /**
   * True when `event` was already accepted: a `seq` at or below the last one accepted of its channel and origin, or
   * (events without `seq`, or the first of their channel and origin) an offset below the next one wanted for its
   * partition and origin on this connection. Counts each in `duplicates`.
   */
  isDuplicate(event) {
    const last = isSeq(event.seq) ? this.seqs.get(seqKey(event.channel, event.origin)) : undefined;
    let duplicate;
    if (last !== undefined) {
      duplicate = event.seq <= last;
    } else {
      const next = typeof event.cursor === 'string' ? this.seen.get(seenKey(event)) : this.next.get(event.partition);
      duplicate = next !== undefined && event.offset < next;
    }
    if (duplicate) this.duplicates++;
    return duplicate;
  }

  /**
   * How many events of `event`'s channel and origin are missing right before it and were not explained by a
   * `truncated` notice: `seq - (last + 1)` beyond what such a notice said was deleted; 0 when nothing is missing,
   * when the event has no `seq`, or when no earlier `seq` of its channel and origin is known. Call it once per event,
   * after `isDuplicate` (it uses up a notice that named the channel without an origin).
   */
  missedBefore(event) {
    if (!isSeq(event.seq) || typeof event.channel !== 'string') return 0;
    let expected = this.seqs.get(seqKey(event.channel, event.origin));
    if (expected !== undefined) expected += 1;
    const note = this.explainedAnyOrigin.get(event.channel);
    if (note) {
      this.explainedAnyOrigin.delete(event.channel);
      if (note.firstSeq !== undefined) expected = Math.max(expected ?? 0, note.firstSeq);
      else if (expected !== undefined) expected += note.lost;
    }
    return expected === undefined ? 0 : Math.max(0, event.seq - expected);
  }

  /**
   * Takes a `truncated` notice that names its channel: the events it says were deleted (`firstSeq`: the seq the
   * channel continues with; else `lost`: how many) are not reported again as a gap when the next event arrives.
   */
  explain(notice) {
    if (typeof notice?.channel !== 'string') return;
    const firstSeq = isSeq(notice.firstSeq) ? notice.firstSeq : undefined;
    const lost = Number.isInteger(notice.lost) && notice.lost >= 0 ? notice.lost : undefined;
    if (firstSeq === undefined && lost === undefined) return;
    if (typeof notice.origin !== 'string') {
      this.explainedAnyOrigin.set(notice.channel, { firstSeq, lost });
      return;
    }
    const key = seqKey(notice.channel, notice.origin);
    const last = this.seqs.get(key);
    if (firstSeq !== undefined) this.seqs.set(key, Math.max(last ?? 0, firstSeq - 1));
    else if (last !== undefined) this.seqs.set(key, last + lost);
  }

  /** The last `seq` accepted per channel and origin, as `seq=` values `channel~origin~n` (channel order). */
  seqValues() {
    return [...this.seqs.entries()]
      .filter(([key]) => this.channels.includes(key.slice(0, key.indexOf('~'))))
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([key, seq]) => `${key}~${seq}`);
  }

  /** Records that `event` was accepted: its partition's cursor becomes the event's (or its next offset `offset + 1`). */
  advance(event) {
    if (isSeq(event.seq) && typeof event.channel === 'string') {
      const key = seqKey(event.channel, event.origin);
      const last = this.seqs.get(key);
      if (last === undefined || event.seq > last) this.seqs.set(key, event.seq);
    }
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
    const query = this.cursorQuery();
    const seq = this.seqValues();
    if (seq.length > 0) query.seq = seq;
    return query;
  }

  /** {@link query} without the `seq` values. */
  cursorQuery() {
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
    const options = this.cursorOptions();
    const seq = this.seqValues();
    if (seq.length > 0) options.seq = seq;
    return options;
  }

  cursorOptions() {
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

/** A per-channel sequence number as the server sends it (`seq`, n >= 1; 0 only in a stored `seq=` before any). */
function isSeq(value) {
  return Number.isInteger(value) && value >= 0;
}

/** `channel~origin` (`~` is in neither channel names nor region aliases). */
function seqKey(channel, origin) {
  return `${channel}~${origin ?? ''}`;
}

/**
 * Stored `seq=` values (`channel~origin~n`, an array or one string) -> [`channel~origin`, n] pairs; a malformed
 * one is a TypeError.
 */
export function seqList(seq) {
  if (seq === undefined) return [];
  return (Array.isArray(seq) ? seq : [seq]).map((value) => {
    const parts = String(value).split('~');
    const n = Number(parts[2]);
    if (parts.length !== 3 || parts[0] === '' || parts[2] === '' || !isSeq(n)) {
      throw new TypeError(`not a seq value 'channel~origin~n': '${value}'`);
    }
    return [`${parts[0]}~${parts[1]}`, n];
  });
}

function seenKey(event) {
  return `${event.origin ?? ''}/${event.partition}`;
}

function cursorList(cursor) {
  if (cursor === undefined) return [];
  return (Array.isArray(cursor) ? cursor : [cursor]).flatMap((c) => String(c).split(','));
}

/** The query parameters of a starting cursor (at most one of from, last, since, cursor). */
export function startQuery({ from, last, since, cursor, seq } = {}) {
  seqList(seq); // checked here, sent by ResumePosition.query()
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
