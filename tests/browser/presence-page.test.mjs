// A real browser against Herald: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) opens a page that loads pusher-js's browser build, authorizes a presence
// channel through the page's own POST /pusher/auth (signed by the `pusher` server library), and
// shows what it receives. The test publishes with the `pusher` library and watches the page.
//
// Needs Herald running (scripts/test starts it and sets HERALD_PORT) and Chromium installed
// (scripts/test installs it). CHROMIUM_PATH overrides /usr/bin/chromium. On failure a screenshot
// of each open page is written to the test's temp dir, whose path the failure message names.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import PusherServer from 'pusher';

const HOST = process.env.HERALD_HOST || '127.0.0.1';
const PORT = Number.parseInt(process.env.HERALD_PORT ?? '', 10);
const APP_ID = process.env.HERALD_APP_ID || 'app-id';
const APP_KEY = process.env.HERALD_APP_KEY || 'app-key';
const APP_SECRET = process.env.HERALD_APP_SECRET || 'app-secret';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TIMEOUT_MS = 10_000;
const LAUNCH_TIMEOUT_MS = 60_000;

if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
  throw new Error('HERALD_PORT is not set to a valid port: start Herald and set HERALD_PORT (scripts/test does both)');
}

const serverLib = new PusherServer({
  appId: APP_ID, key: APP_KEY, secret: APP_SECRET, host: HOST, port: String(PORT), useTLS: false, timeout: TIMEOUT_MS,
});

/** The users the page's auth endpoint knows: `?user=NAME` picks the presence data. */
const USERS = {
  alice: { user_id: 'alice', user_info: { name: 'Alice', color: 'red' } },
  bob: { user_id: 'bob', user_info: { name: 'Bob', color: 'blue' } },
};

const PUSHER_JS = path.join(
  path.dirname(createRequire(import.meta.url).resolve('pusher-js/package.json')), 'dist', 'web', 'pusher.min.js');

// ------------------------------------------------------------------ the page

/** The page: config comes from the query string, everything seen goes to window.herald and the DOM. */
const PAGE = `<!doctype html>
<html>
<head>
  <meta charset="utf-8">
  <title>Herald presence page</title>
  <style>
    body { font: 14px sans-serif; margin: 16px; }
    li { margin: 2px 0; }
  </style>
  <script src="/pusher.min.js"></script>
</head>
<body>
  <h1>Room <span id="channel"></span></h1>
  <p>Connection: <b id="state">initialized</b> &middot; socket <span id="socket-id">-</span></p>
  <h2>Members (<span id="member-count">0</span>)</h2>
  <ul id="members"></ul>
  <h2>Events</h2>
  <ul id="events"></ul>
  <script>
    const params = new URLSearchParams(location.search);
    const user = params.get('user');
    const channelName = params.get('channel');
    const seen = window.herald = {
      states: [], errors: [], subscribed: false, subscriptionError: null,
      members: {}, me: null, memberEvents: [], events: [],
    };
    const text = (id, value) => { document.getElementById(id).textContent = value; };
    const renderMembers = () => {
      const list = document.getElementById('members');
      list.replaceChildren(...Object.entries(seen.members).map(([id, info]) => {
        const li = document.createElement('li');
        li.dataset.userId = id;
        li.textContent = info && info.name ? info.name : id;
        return li;
      }));
      text('member-count', String(Object.keys(seen.members).length));
    };
    const addEvent = (name, data) => {
      seen.events.push({ name, data });
      const li = document.createElement('li');
      li.dataset.event = name;
      li.textContent = name + ': ' + JSON.stringify(data);
      document.getElementById('events').appendChild(li);
    };

    text('channel', channelName);
    const pusher = window.pusher = new Pusher(params.get('key'), {
      wsHost: params.get('wsHost'),
      wsPort: Number(params.get('wsPort')),
      forceTLS: false,
      enabledTransports: ['ws'],
      cluster: 'mt1',
      disableStats: true,
      channelAuthorization: { endpoint: '/pusher/auth?user=' + encodeURIComponent(user) },
    });
    pusher.connection.bind('state_change', ({ current }) => { seen.states.push(current); text('state', current); });
    pusher.connection.bind('connected', () => text('socket-id', pusher.connection.socket_id));
    pusher.connection.bind('error', (err) => seen.errors.push(JSON.parse(JSON.stringify(err))));

    const channel = pusher.subscribe(channelName);
    channel.bind('pusher:subscription_succeeded', (members) => {
      seen.subscribed = true;
      seen.me = members.me;
      members.each((m) => { seen.members[m.id] = m.info; });
      renderMembers();
    });
    channel.bind('pusher:subscription_error', (err) => { seen.subscriptionError = err; });
    channel.bind('pusher:member_added', (m) => {
      seen.memberEvents.push({ type: 'member_added', id: m.id, info: m.info });
      seen.members[m.id] = m.info;
      renderMembers();
    });
    channel.bind('pusher:member_removed', (m) => {
      seen.memberEvents.push({ type: 'member_removed', id: m.id, info: m.info });
      delete seen.members[m.id];
      renderMembers();
    });
    channel.bind_global((name, data) => { if (!name.startsWith('pusher:')) addEvent(name, data); });
  </script>
</body>
</html>`;

// ------------------------------------------------------------------ the app's web server

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** Requests the web server answered, for failure messages and for asserting that auth happened. */
const authRequests = [];

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
  } else if (req.method === 'GET' && url.pathname === '/pusher.min.js') {
    res.writeHead(200, { 'Content-Type': 'application/javascript' }).end(fs.readFileSync(PUSHER_JS));
  } else if (req.method === 'POST' && url.pathname === '/pusher/auth') {
    const form = new URLSearchParams(await readBody(req)); // pusher-js posts socket_id and channel_name as a form
    const user = url.searchParams.get('user');
    const socketId = form.get('socket_id');
    const channelName = form.get('channel_name');
    authRequests.push({ user, socketId, channelName });
    const presence = USERS[user];
    if (!presence || !socketId || !channelName) {
      res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'unknown user' }));
      return;
    }
    const auth = serverLib.authorizeChannel(socketId, channelName, presence);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(auth));
  } else if (url.pathname === '/favicon.ico') {
    res.writeHead(204).end();
  } else {
    res.writeHead(404).end();
  }
}

let web;
let webPort;
let browser;
let tmpDir;
let failures = 0;
/** Pages opened by the current test: screenshotted on failure, closed after each test. */
let pages = [];

before(async () => {
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-browser-'));
  web = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise((resolve, reject) => {
    web.once('error', reject);
    web.listen(0, '127.0.0.1', resolve);
  });
  webPort = web.address().port;

  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium package (scripts/test does)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: LAUNCH_TIMEOUT_MS,
    // playwright gives the browser a fresh --user-data-dir of its own; without the
    // background-networking switches Chromium's connections are refused on this machine.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await Promise.race([browser?.close(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  if (web) {
    web.closeAllConnections();
    await new Promise((resolve) => web.close(resolve));
  }
  if (tmpDir && failures === 0) fs.rmSync(tmpDir, { recursive: true, force: true });
});

afterEach(async () => {
  const open = pages;
  pages = [];
  for (const { context } of open) {
    await context.close().catch(() => {});
  }
});

/** Runs `body`; on failure, screenshots every open page into the temp dir and names the files. */
async function withScreenshots(name, body) {
  try {
    await body();
  } catch (err) {
    failures += 1;
    const shots = [];
    for (const [i, { page, label }] of pages.entries()) {
      const file = path.join(tmpDir, `${name}-${i}-${label}.png`.replace(/[^\w.-]+/g, '_'));
      try {
        await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
        const seen = await page.evaluate(() => JSON.stringify(window.herald)).catch(() => '?');
        shots.push(`${file} (window.herald: ${seen})`);
      } catch (shotErr) {
        shots.push(`${label}: no screenshot (${shotErr.message})`);
      }
    }
    err.message += `\nscreenshots: ${shots.join('; ') || 'none (no page open)'}` +
      `\nauth requests: ${JSON.stringify(authRequests)}`;
    throw err;
  }
}

/** Opens the page as `user` in its own browser context (a separate browser profile). */
async function openPage(user, channelName) {
  const context = await browser.newContext();
  const page = await context.newPage();
  pages.push({ context, page, label: user });
  page.setDefaultTimeout(TIMEOUT_MS);
  const consoleLines = [];
  page.on('console', (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => consoleLines.push(`pageerror: ${err.message}`));
  const query = new URLSearchParams({ user, channel: channelName, key: APP_KEY, wsHost: HOST, wsPort: String(PORT) });
  await page.goto(`http://127.0.0.1:${webPort}/?${query}`, { timeout: TIMEOUT_MS });
  try {
    await page.waitForFunction(() => window.herald.subscribed || window.herald.subscriptionError, null,
      { timeout: TIMEOUT_MS });
  } catch (err) {
    err.message += `\npage console: ${consoleLines.join(' | ') || '(empty)'}`;
    throw err;
  }
  const subscriptionError = await page.evaluate(() => window.herald.subscriptionError);
  assert.equal(subscriptionError, null, `${user}'s subscription to ${channelName} failed`);
  return page;
}

const uniqueRoom = () => `presence-room-${randomBytes(6).toString('hex')}`;

test('browser: a presence page connects, shows itself as a member and shows a published event', async () => {
  await withScreenshots('published-event', async () => {
    const room = uniqueRoom();
    const page = await openPage('alice', room);

    const seen = await page.evaluate(() => window.herald);
    assert.equal(seen.states.at(-1), 'connected');
    assert.deepEqual(seen.me, { id: 'alice', info: USERS.alice.user_info }, 'me is the user the auth endpoint signed');
    assert.deepEqual(seen.members, { alice: USERS.alice.user_info });
    assert.equal(await page.locator('#state').textContent(), 'connected');
    assert.match(await page.locator('#socket-id').textContent(), /^\d+\.\d+$/);
    assert.deepEqual(await page.locator('#members li').allTextContents(), ['Alice']);
    assert.ok(authRequests.some((r) => r.user === 'alice' && r.channelName === room),
      'the page asked its own /pusher/auth for the presence channel');

    const payload = { text: 'Dinner is ready', count: 3 };
    const response = await serverLib.trigger(room, 'announcement', payload);
    assert.equal(response.status, 200);
    await page.locator('#events li[data-event="announcement"]').waitFor({ timeout: TIMEOUT_MS });
    assert.deepEqual(await page.evaluate(() => window.herald.events), [{ name: 'announcement', data: payload }]);
    assert.equal(await page.locator('#events li').first().textContent(), `announcement: ${JSON.stringify(payload)}`);
  });
});

test('browser: a second member joining is shown with its user_info, and leaving removes it', async () => {
  await withScreenshots('member-added', async () => {
    const room = uniqueRoom();
    const alicePage = await openPage('alice', room);
    const bobPage = await openPage('bob', room);

    // Bob sees both members with their user_info.
    const bobSees = await bobPage.evaluate(() => window.herald);
    assert.deepEqual(bobSees.members, { alice: USERS.alice.user_info, bob: USERS.bob.user_info });
    assert.deepEqual((await bobPage.locator('#members li').allTextContents()).sort(), ['Alice', 'Bob']);

    // Alice's page shows member_added for Bob, with the user_info Bob's auth carried.
    await alicePage.waitForFunction(() => window.herald.memberEvents.some((e) => e.type === 'member_added'), null,
      { timeout: TIMEOUT_MS });
    assert.deepEqual(await alicePage.evaluate(() => window.herald.memberEvents),
      [{ type: 'member_added', id: 'bob', info: { name: 'Bob', color: 'blue' } }]);
    await alicePage.locator('#members li[data-user-id="bob"]').waitFor({ timeout: TIMEOUT_MS });
    assert.equal(await alicePage.locator('#member-count').textContent(), '2');

    // Bob closes his tab: Alice's page drops him.
    const bobContext = pages.find((p) => p.page === bobPage).context;
    pages = pages.filter((p) => p.page !== bobPage);
    await bobContext.close();
    await alicePage.waitForFunction(() => window.herald.memberEvents.some((e) => e.type === 'member_removed'), null,
      { timeout: TIMEOUT_MS });
    assert.deepEqual((await alicePage.evaluate(() => window.herald.memberEvents)).map((e) => [e.type, e.id]),
      [['member_added', 'bob'], ['member_removed', 'bob']]);
    assert.deepEqual(await alicePage.locator('#members li').allTextContents(), ['Alice']);
    assert.equal(await alicePage.locator('#member-count').textContent(), '1');
  });
});
