// The live viewer: follows one channel with the JavaScript client (copied next to this file from clients/js at
// build time), publishes to it, and shows the connection state. Deep links: ?channel=C[&last=N|&from=O|&since=T].
import { FanoutClient } from './client/index.js';

const MAX_ROWS = 500;
const $ = (id) => document.getElementById(id);
const base = new URL('.', location.href).toString(); // the fan-out instance that served this page
const params = new URLSearchParams(location.search);

let token = params.get('token') || sessionStorage.getItem('fanout.token') || undefined;
let client = null;
let subscription = null;
let following = null; // { channel, kind, value }
let shown = 0;
let pending = []; // rows waiting for the next animation frame
let frameRequested = false;
let awaitingSubscribed = false; // a first WebSocket is open, its `subscribed` frame not yet here

if (params.has('token')) { // keep the token out of the address bar (and out of shared deep links)
  sessionStorage.setItem('fanout.token', token);
  params.delete('token');
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
}
if (token) $('auth').hidden = false;

function newClient() {
  client?.close();
  client = new FanoutClient({ url: base, token });
  return client;
}

function setState(kind, text) {
  const state = $('state');
  state.dataset.state = kind;
  state.textContent = text;
}

function notice(text, kind = '') {
  const item = document.createElement('li');
  item.className = kind;
  item.textContent = `${new Date().toLocaleTimeString()} · ${text}`;
  $('notices').prepend(item);
  while ($('notices').children.length > 20) $('notices').lastElementChild.remove();
}

function formatTime(ms) {
  const date = new Date(ms);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} `
    + `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function row(event) {
  const tr = document.createElement('tr');
  tr.className = 'fresh';
  const cells = [
    [String(event.offset), 'num'],
    [String(event.partition), 'num'],
    [formatTime(event.timestamp), 'num'],
    [typeof event.message === 'string' ? event.message : JSON.stringify(event.message), 'msg'],
  ];
  for (const [text, cls] of cells) {
    const td = document.createElement('td');
    td.className = cls;
    td.textContent = text;
    tr.append(td);
  }
  tr.cells[2].title = new Date(event.timestamp).toISOString();
  tr.dataset.offset = String(event.offset);
  return tr;
}

function show(event) {
  pending.push(event);
  if (!frameRequested) {
    frameRequested = true;
    requestAnimationFrame(flush);
  }
}

function flush() {
  frameRequested = false;
  const body = $('events').tBodies[0];
  const fragment = document.createDocumentFragment();
  for (let i = pending.length - 1; i >= 0; i--) fragment.append(row(pending[i])); // newest first
  shown += pending.length;
  pending = [];
  body.prepend(fragment);
  while (body.rows.length > MAX_ROWS) body.lastElementChild.remove();
  $('count').textContent = `(${shown} received${shown > MAX_ROWS ? `, newest ${MAX_ROWS} shown` : ''})`;
}

function describeStart({ kind, value }) {
  if (kind === 'last') return `from its last ${value} events`;
  if (kind === 'from') return `from offset ${value}`;
  if (kind === 'since') return `since ${value}`;
  return 'live';
}

function onState(s) {
  const channel = following?.channel;
  switch (s.state) {
    case 'connecting':
      if (s.attempt === 0 && !subscription?.everConnected) setState('connecting', `Connecting to ${channel}…`);
      break;
    case 'connected':
      if (s.resumed) {
        setState('connected', `Reconnected to ${channel} · catching up`);
        notice(`reconnected (${s.transport}), resuming with ${Object.entries(s.query).map(([k, v]) => `${k}=${v}`).join('&') || 'live'}`);
      } else if (s.transport === 'sse') {
        // an SSE stream's headers arrive once the subscription is in place: nothing published from now on is missed
        setState('connected', `Connected · following ${channel} ${describeStart(following)}`);
      } else {
        // a WebSocket is open before the server has the subscription; "Connected" waits for its `subscribed` frame
        awaitingSubscribed = true;
        setState('connecting', `Subscribing to ${channel}…`);
      }
      break;
    case 'subscribed':
      if (awaitingSubscribed) {
        awaitingSubscribed = false;
        setState('connected', `Connected · following ${channel} ${describeStart(following)}`);
      }
      break;
    case 'resumed':
      setState('resumed', `Resumed · ${s.caughtUp} event${s.caughtUp === 1 ? '' : 's'} caught up`);
      notice(`resumed: ${s.caughtUp} event${s.caughtUp === 1 ? '' : 's'} published while away caught up`);
      break;
    case 'reconnecting':
      setState('reconnecting', `Reconnecting in ${(s.delayMs / 1000).toFixed(1)} s`);
      notice(`disconnected (${s.code}${s.reason ? `: ${s.reason}` : ''}); reconnecting`);
      break;
    case 'gap':
      if (s.lastSeq !== undefined) notice(`gap in ${s.channel} (from ${s.origin}): ${s.missed} event${s.missed === 1 ? '' : 's'} missing before seq ${s.seq}`, 'gap');
      else if (s.lost !== undefined) notice(`gap in ${s.channel}: ${s.lost} event${s.lost === 1 ? '' : 's'} no longer kept`, 'gap');
      else if (s.requested === undefined) notice(`gap in partition ${s.partition}: events since ${s.since} no longer kept, the oldest is at offset ${s.earliest}`, 'gap');
      else notice(`gap in partition ${s.partition}: asked from offset ${s.requested}, the oldest still kept is ${s.earliest}`, 'gap');
      break;
    case 'catching-up':
      setState('reconnecting', 'Catching up from the log');
      break;
    case 'live':
      setState('connected', `Live · following ${channel}`);
      break;
    case 'paused':
      setState('paused', 'Paused: the page fell behind; resuming');
      break;
    case 'failed':
      setState('failed', `Refused: ${s.error.reason || s.error.message}`);
      notice(s.error.message, 'error');
      if (/token/i.test(s.error.reason ?? '')) askForToken(s.error.reason);
      break;
    default:
      break;
  }
}

function askForToken(reason) {
  $('auth').hidden = false;
  $('auth-note').textContent = reason;
  $('token').focus();
}

function cursorOptions({ kind, value }) {
  if (kind === 'last') return { last: Number(value) };
  if (kind === 'from') return { from: value };
  if (kind === 'since') return { since: /^\d+$/.test(value) ? Number(value) : value };
  return {};
}

function follow(next) {
  subscription?.close();
  following = next;
  awaitingSubscribed = false;
  shown = 0;
  pending = [];
  $('events').tBodies[0].replaceChildren();
  $('notices').replaceChildren();
  $('count').textContent = '';
  const query = new URLSearchParams({ channel: next.channel });
  if (next.kind !== 'live') query.set(next.kind, next.value);
  history.replaceState(null, '', `${location.pathname}?${query}`);
  document.title = `${next.channel} · fanout`;
  let options;
  try {
    options = { ...cursorOptions(next), onState };
    subscription = newClient().subscribe(next.channel, options);
  } catch (e) {
    setState('failed', e.message);
    return;
  }
  const mine = subscription;
  (async () => {
    try {
      for await (const item of mine) {
        if (item.type === undefined) show(item);
      }
    } catch {
      /* reported through onState('failed') */
    }
  })();
}

function startFromForm() {
  const kind = $('start').value;
  const value = $('start-value').value.trim();
  if (kind !== 'live' && value === '') {
    $('start-value').focus();
    return;
  }
  follow({ channel: $('channel').value.trim(), kind, value });
}

function syncStartValue() {
  const kind = $('start').value;
  $('start-value-label').hidden = kind === 'live';
  $('start-value-name').textContent = { last: 'N', from: 'Offset', since: 'Time (ISO-8601 or epoch ms)' }[kind] ?? '';
  $('start-value').inputMode = kind === 'since' ? 'text' : 'numeric';
}

async function loadChannels() {
  const directory = params.get('directory') || base;
  try {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const response = await fetch(new URL('channels?limit=200', directory.replace(/\/*$/, '/')), { headers });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { channels } = await response.json();
    $('channels').replaceChildren(...channels.map(({ channel, count }) => {
      const option = document.createElement('option');
      option.value = channel;
      option.label = `${count} event${count === 1 ? '' : 's'}`;
      return option;
    }));
    $('directory-note').textContent = channels.length ? `${channels.length} known channels (type to pick one)` : '';
  } catch {
    $('directory-note').textContent = 'The channel directory is not reachable from this page: type a channel name.';
  }
}

$('follow').addEventListener('submit', (e) => {
  e.preventDefault();
  startFromForm();
});
$('start').addEventListener('change', syncStartValue);
$('auth').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $('token').value.trim() || undefined;
  if (token) sessionStorage.setItem('fanout.token', token);
  else sessionStorage.removeItem('fanout.token');
  $('auth-note').textContent = '';
  loadChannels();
  if (following) follow(following);
});
$('publish').addEventListener('submit', async (e) => {
  e.preventDefault();
  const channel = following?.channel ?? $('channel').value.trim();
  const text = $('message').value;
  if (!channel) {
    $('publish-result').textContent = 'Pick a channel first.';
    $('channel').focus();
    return;
  }
  if (text.trim() === '') return;
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    message = text; // not JSON: published as a JSON string
  }
  $('publish-result').textContent = 'Publishing…';
  try {
    const ack = await (client ?? newClient()).publish(channel, message);
    $('publish-result').textContent = `Published to ${ack.channel} at offset ${ack.offset} (partition ${ack.partition})`;
    $('message').value = '';
  } catch (error) {
    $('publish-result').textContent = `Not published: ${error.reason || error.message}`;
    if (/token/i.test(error.reason ?? '')) askForToken(error.reason);
  }
});

// deep link: /?channel=C[&last=N|&from=O|&since=T]
const deepChannel = params.get('channel');
for (const kind of ['last', 'from', 'since']) {
  if (params.has(kind)) {
    $('start').value = kind;
    $('start-value').value = params.get(kind);
  }
}
syncStartValue();
loadChannels();
if (deepChannel) {
  $('channel').value = deepChannel;
  startFromForm();
} else {
  $('channel').focus();
}
