// Test helpers: the running platform that clients/run-tests started (FANOUT_URL, INGEST_URL, KAFKA_BOOTSTRAP,
// FANOUT_JAR), extra fan-out instances a test starts and kills, and small waiting helpers (no fixed sleeps).
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FanoutClient } from '../src/index.js';

export const FANOUT_URL = process.env.FANOUT_URL;
export const INGEST_URL = process.env.INGEST_URL;
export const KAFKA_BOOTSTRAP = process.env.KAFKA_BOOTSTRAP;
export const FANOUT_JAR = process.env.FANOUT_JAR;

/** Why platform tests cannot run here, or false. */
export const noPlatform = FANOUT_URL && INGEST_URL ? false : 'FANOUT_URL and INGEST_URL are not set (run clients/run-tests)';
export const noExtraInstance = noPlatform || (KAFKA_BOOTSTRAP && FANOUT_JAR ? false : 'KAFKA_BOOTSTRAP and FANOUT_JAR are not set');

let counter = 0;
/** A channel name no other test (or earlier run) uses. */
export function uniqueChannel(prefix = 'js') {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}

/** POST /push to the ingest-service; returns the ack. */
export async function push(channel, message) {
  const response = await fetch(`${INGEST_URL}/push`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ channel, message }),
  });
  if (!response.ok) throw new Error(`push ${response.status}: ${await response.text()}`);
  return response.json();
}

/** The next item of a subscription, or an error after `ms`. */
export async function nextItem(subscription, ms = 30000) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no item within ${ms} ms`)), ms);
  });
  try {
    const { value, done } = await Promise.race([subscription.next(), timeout]);
    if (done) throw new Error('subscription ended');
    return value;
  } finally {
    clearTimeout(timer);
  }
}

/** The next `n` events (items without `type`), collecting any notices into `notices`. */
export async function takeEvents(subscription, n, { ms = 60000, notices = [] } = {}) {
  const deadline = Date.now() + ms;
  const events = [];
  while (events.length < n) {
    const item = await nextItem(subscription, Math.max(1, deadline - Date.now()));
    if (item.type) notices.push(item);
    else events.push(item);
  }
  return events;
}

/** Resolves once `predicate()` holds, polling every 50 ms, or rejects after `ms`. */
export async function until(predicate, ms = 30000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await sleep(50);
  }
}

/** A TCP port nobody listens on right now. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function healthy(port) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/actuator/health`);
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Waits until the fan-out instance at `url` delivers a live event to a subscription opened just before it was
 * published. A fresh instance can miss such an event: it fixes a live subscription's start position only after
 * the socket is open, and its first replay consumer takes a while to create (see the report of this change).
 */
export async function warmUp(url, ms = 180000) {
  const deadline = Date.now() + ms;
  const seen = [];
  for (let attempt = 0; ; attempt++) {
    const client = new FanoutClient({ url });
    const channel = uniqueChannel('warm-up');
    const states = [];
    const subscription = client.subscribe(channel, { onState: (s) => states.push(s.state) });
    try {
      await until(() => states.includes('connected'), Math.max(1, deadline - Date.now()), `connected to ${url}`);
      const ack = await push(channel, 'warm-up');
      const event = await nextItem(subscription, 5000);
      if (event.offset === ack.offset) return attempt;
    } catch (e) {
      seen.push(`attempt ${attempt}: ${e.message} (states ${states.join(',')})`);
      if (Date.now() > deadline) throw new Error(`${url} delivered no live event within ${ms} ms: ${seen.slice(-3).join('; ')}`);
    } finally {
      client.close();
    }
  }
}

const started = new Set();
process.on('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

/**
 * An extra fan-out instance on `port` (the platform's Kafka and directory); `start()` waits for health 200,
 * `kill()` sends SIGKILL and waits for the process to be gone.
 */
export class FanoutInstance {
  constructor(port) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.child = null;
    this.output = [];
  }

  async start(ms = 180000) {
    const child = spawn('java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-jar', FANOUT_JAR,
      `--server.port=${this.port}`, `--spring.kafka.bootstrap-servers=${KAFKA_BOOTSTRAP}`,
      `--fanout.replay.directory-url=${INGEST_URL}`, '--server.address=127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    started.add(child);
    const keep = (chunk) => {
      this.output.push(chunk.toString());
      if (this.output.length > 200) this.output.shift();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('exit', () => started.delete(child));
    try {
      await until(async () => {
        if (child.exitCode !== null) throw new Error(`fan-out instance exited with ${child.exitCode}`);
        return healthy(this.port);
      }, ms, `fan-out instance on port ${this.port} healthy`);
      await warmUp(this.url);
    } catch (e) {
      e.message += `\n--- its output ---\n${this.output.join('').slice(-4000)}`;
      throw e;
    }
  }

  async kill() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }
}

/**
 * A TCP relay on a port of its own to `target` (`http://host:port`), to take a fan-out instance away from a client
 * without touching the instance: `drop()` breaks every connection through it (the port stays open), `cut()` also
 * closes the port; `refusing = true` closes each new connection at once until set back.
 */
export class Relay {
  constructor(target) {
    this.target = new URL(target);
    this.sockets = new Set();
    /** While true, every connection is closed as soon as it is accepted (the target looks down). */
    this.refusing = false;
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = connect(Number(this.target.port), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  async start() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${this.server.address().port}`;
  }

  drop() {
    for (const socket of this.sockets) socket.destroy();
  }

  cut() {
    this.server.close();
    this.drop();
  }
}
