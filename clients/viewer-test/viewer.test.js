// The live viewer (fanout-service's GET /) in a real browser: playwright-core driving Debian's Chromium headless,
// against the running platform (FANOUT_URL, INGEST_URL from clients/run-tests). Saves docs/viewer.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { FANOUT_URL, noPlatform, push, uniqueChannel, warmUp } from '../js/test/platform.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/viewer.png');

let browser;
let page;
const pageErrors = [];
const consoleErrors = [];

before(async () => {
  if (noPlatform) return;
  await warmUp(FANOUT_URL);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1180, height: 720 }, colorScheme: 'light' });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
});

after(async () => {
  await browser?.close();
});

const rows = () => page.locator('#events tbody tr');
const row = (text) => page.locator('#events tbody tr', { hasText: text });

test('shouldShowEventsPublishedFromCurlAndFromThePageThenReplayTheLastFive', { skip: noPlatform, timeout: 180000 }, async () => {
  const channel = uniqueChannel('orders');
  await page.goto(`${FANOUT_URL}/?channel=${channel}`);
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30000 });

  const fromCurl = await push(channel, { text: 'the dude abides', from: 'curl' });
  await row('the dude abides').waitFor({ timeout: 30000 });
  assert.equal(await row('the dude abides').locator('td').first().textContent(), String(fromCurl.offset));

  await page.getByLabel('Message').fill('{"text":"published from the page"}');
  await page.getByRole('button', { name: 'Publish' }).click();
  await row('published from the page').waitFor({ timeout: 30000 });
  await page.getByText(/Published to .* at offset/).waitFor({ timeout: 30000 });

  for (const [i, text] of ['shipped', 'delivered', 'reviewed'].entries()) {
    await push(channel, { order: 1042 + i, status: text });
  }
  await row('reviewed').waitFor({ timeout: 30000 });
  assert.equal(await rows().count(), 5);

  // one more, so that last=5 is not simply everything
  await push(channel, { order: 1045, status: 'archived' });
  await row('archived').waitFor({ timeout: 30000 });

  await page.goto(`${FANOUT_URL}/?channel=${channel}&last=5`);
  await page.getByRole('status').filter({ hasText: 'last 5' }).waitFor({ timeout: 30000 });
  await row('archived').waitFor({ timeout: 30000 });
  await row('published from the page').waitFor({ timeout: 30000 });
  assert.equal(await rows().count(), 5, 'the last 5 events from history');
  assert.equal(await row('the dude abides').count(), 0, 'the sixth-newest is not among the last 5');
  assert.equal(await page.getByLabel('Start').inputValue(), 'last');

  await page.getByLabel('Message').fill('"live after the replay"');
  await page.getByRole('button', { name: 'Publish' }).click();
  await row('live after the replay').waitFor({ timeout: 30000 });

  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.waitForTimeout(1300); // let the new-row highlight fade before the screenshot (not an assertion)
  await page.screenshot({ path: SCREENSHOT });

  assert.deepEqual(pageErrors, [], 'no page errors');
  assert.deepEqual(consoleErrors, [], 'no console errors');
});

test('shouldReportARefusedChannelWithoutPageErrors', { skip: noPlatform, timeout: 60000 }, async () => {
  await page.goto(`${FANOUT_URL}/?channel=${uniqueChannel()}&from=banana`);
  await page.getByRole('status').filter({ hasText: 'Refused' }).waitFor({ timeout: 30000 });
  assert.deepEqual(pageErrors, [], 'no page errors');
});

test('shouldSayConnectedOnlyOnceTheServerHasTheSubscription', { skip: noPlatform, timeout: 90000 }, async () => {
  // A WebSocket opens before the server has put the subscription in place, and an event published in between is not
  // the subscription's: its `subscribed` frame is the point from which nothing is missed. The route holds the
  // server's frames back, so the page has an open socket without its `subscribed` frame for as long as the test likes.
  const held = [];
  let released = false;
  let release = () => assert.fail('the page opened no WebSocket');
  const own = await browser.newPage();
  own.on('pageerror', (error) => pageErrors.push(error.message));
  await own.routeWebSocket(/\/events/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => (released ? ws.send(message) : held.push(message)));
    ws.onClose(() => server.close());
    release = () => {
      released = true;
      for (const message of held.splice(0)) ws.send(message);
    };
  });
  try {
    const channel = uniqueChannel('held');
    await own.goto(`${FANOUT_URL}/?channel=${channel}`);
    const state = own.locator('#state');
    await state.filter({ hasText: 'Subscribing' }).waitFor({ timeout: 30000 });
    const deadline = Date.now() + 15000;
    while (held.length === 0 && Date.now() < deadline) await own.waitForTimeout(50);
    assert.match(String(held[0]), /"type":"subscribed"/, 'the server has sent its subscribed frame (held by the route)');
    await own.waitForTimeout(500);
    assert.match(await state.textContent(), /^Subscribing/, 'an open socket without its subscribed frame is not "Connected"');

    release();
    await state.filter({ hasText: 'Connected' }).waitFor({ timeout: 30000 });
    await push(channel, { text: 'right after Connected' });
    await own.locator('#events tbody tr', { hasText: 'right after Connected' }).waitFor({ timeout: 30000 });
  } finally {
    await own.close();
  }
  assert.deepEqual(pageErrors, [], 'no page errors');
});
