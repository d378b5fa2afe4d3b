// End-to-end tests of a running Herald server with the official Pusher JavaScript libraries:
// pusher-js (the browser/Node client, using its bundled Node WebSocket transport) and pusher
// (the Node server library, for the signed HTTP API and for channel authorization).
//
// The server must already be running: scripts/test starts it and sets HERALD_PORT
// (HERALD_HOST defaults to 127.0.0.1). Client events must be enabled for the default app
// (SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES=true). Set HERALD_TEST_DEBUG=1 to see
// pusher-js's own log.

import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import PusherClient from 'pusher-js';
import PusherServer from 'pusher';

const HOST = process.env.HERALD_HOST || '127.0.0.1';
const PORT = Number.parseInt(process.env.HERALD_PORT ?? '', 10);
const APP_ID = process.env.HERALD_APP_ID || 'app-id';
const APP_KEY = process.env.HERALD_APP_KEY || 'app-key';
const APP_SECRET = process.env.HERALD_APP_SECRET || 'app-secret';
const TIMEOUT_MS = 10_000;

if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
  throw new Error(
    'HERALD_PORT is not set to a valid port: start Herald and set HERALD_PORT ' +
      '(scripts/test does both)',
  );
}

if (process.env.HERALD_TEST_DEBUG) {
  PusherClient.logToConsole = true;
}

const serverLib = new PusherServer({
  appId: APP_ID,
  key: APP_KEY,
  secret: APP_SECRET,
  host: HOST,
  port: String(PORT),
  useTLS: false,
  timeout: TIMEOUT_MS,
});

/** Every client created by a test; all are disconnected after each test so node can exit. */
const clients = new Set();

afterEach(() => {
  for (const client of clients) {
    try {
      client.disconnect();
    } catch {
      // already gone
    }
  }
  clients.clear();
});

function uniqueName(prefix) {
  return `${prefix}-${randomBytes(8).toString('hex')}`;
}

/** Resolves with the first payload of `event` on `target` (a pusher-js channel or connection). */
function waitFor(target, event, label = event, timeoutMs = TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    const handler = (data) => {
      clearTimeout(timer);
      target.unbind(event, handler);
      resolve(data);
    };
    const timer = setTimeout(() => {
      target.unbind(event, handler);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`));
    }, timeoutMs);
    target.bind(event, handler);
  });
}

/** Custom channel authorizer signing with the server library, as an app's auth endpoint would. */
function authorizerFor(presenceData) {
  return (params, callback) => {
    try {
      callback(null, serverLib.authorizeChannel(params.socketId, params.channelName, presenceData));
    } catch (err) {
      callback(err, null);
    }
  };
}

/** A pusher-js client connected to Herald (resolves once the connection state is `connected`). */
async function connect(presenceData = undefined) {
  const client = new PusherClient(APP_KEY, {
    cluster: 'mt1', // required by pusher-js, unused because wsHost is set
    wsHost: HOST,
    wsPort: PORT,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: { customHandler: authorizerFor(presenceData) },
  });
  clients.add(client);
  const states = [];
  const onStateChange = ({ current }) => states.push(current);
  client.connection.bind('state_change', onStateChange);
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out after ${TIMEOUT_MS} ms connecting to ws://${HOST}:${PORT}/app/${APP_KEY}` +
          ` (states: ${states.join(' -> ') || 'none'})`));
      }, TIMEOUT_MS);
      client.connection.bind('connected', () => {
        clearTimeout(timer);
        resolve();
      });
      for (const bad of ['failed', 'unavailable']) {
        client.connection.bind(bad, () => {
          clearTimeout(timer);
          reject(new Error(`pusher-js connection to ws://${HOST}:${PORT}/app/${APP_KEY} is ${bad}` +
            ` (states: ${states.join(' -> ')})`));
        });
      }
    });
  } finally {
    client.connection.unbind('state_change', onStateChange);
  }
  assert.match(client.connection.socket_id, /^\d+\.\d+$/, 'socket_id has the Pusher format');
  return client;
}

/** Subscribes and resolves with [channel, subscription_succeeded payload]; rejects on subscription_error. */
async function subscribe(client, channelName) {
  const channel = client.subscribe(channelName);
  const succeeded = waitFor(channel, 'pusher:subscription_succeeded', `subscription_succeeded on ${channelName}`);
  const failed = new Promise((_, reject) => {
    channel.bind('pusher:subscription_error', (err) => {
      reject(new Error(`subscription to ${channelName} failed: ${JSON.stringify(err)}`));
    });
  });
  const data = await Promise.race([succeeded, failed]);
  channel.unbind('pusher:subscription_error');
  return [channel, data];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('public channel: an event triggered over the HTTP API reaches a subscribed pusher-js client', async () => {
  const client = await connect();
  const channelName = uniqueName('public');
  const [channel] = await subscribe(client, channelName);

  const payload = { message: 'hello from the HTTP API', n: 42, nested: { ok: true } };
  const received = waitFor(channel, 'greeting', `event "greeting" on ${channelName}`);
  const response = await serverLib.trigger(channelName, 'greeting', payload);
  assert.equal(response.status, 200, 'POST /apps/app-id/events answers 200');

  const data = await received;
  assert.deepEqual(data, payload);
});

test('presence channel: members, member_added and member_removed', async () => {
  const channelName = uniqueName('presence');
  const first = await connect({ user_id: 'u1', user_info: { name: 'A' } });
  const second = await connect({ user_id: 'u2', user_info: { name: 'B' } });

  const [firstChannel, firstMembers] = await subscribe(first, channelName);
  assert.equal(firstMembers.count, 1, 'first member sees only itself');
  assert.equal(firstMembers.me.id, 'u1');
  assert.deepEqual(firstMembers.me.info, { name: 'A' });

  const added = waitFor(firstChannel, 'pusher:member_added', 'member_added for u2');
  const [, secondMembers] = await subscribe(second, channelName);
  assert.equal(secondMembers.count, 2, 'second member sees both');
  assert.equal(secondMembers.me.id, 'u2');
  assert.deepEqual(secondMembers.get('u1'), { id: 'u1', info: { name: 'A' } });
  assert.deepEqual(secondMembers.get('u2'), { id: 'u2', info: { name: 'B' } });

  const member = await added;
  assert.equal(member.id, 'u2');
  assert.deepEqual(member.info, { name: 'B' });
  assert.equal(firstChannel.members.count, 2);

  const removed = waitFor(firstChannel, 'pusher:member_removed', 'member_removed for u2');
  second.disconnect();
  clients.delete(second);
  const gone = await removed;
  assert.equal(gone.id, 'u2');
  assert.equal(firstChannel.members.count, 1);
});

test('private channel: a client event reaches the other subscriber but not the sender', async () => {
  const channelName = uniqueName('private');
  const sender = await connect();
  const receiver = await connect();
  const [senderChannel] = await subscribe(sender, channelName);
  const [receiverChannel] = await subscribe(receiver, channelName);

  const echoedToSender = [];
  senderChannel.bind('client-hello', (data) => echoedToSender.push(data));
  const received = waitFor(receiverChannel, 'client-hello', `client-hello on ${channelName}`);

  const payload = { from: 'sender', text: 'hi' };
  assert.equal(senderChannel.trigger('client-hello', payload), true, 'pusher-js sent the client event');
  assert.deepEqual(await received, payload);

  // Give a wrongly echoed copy time to arrive before asserting that none did.
  await sleep(500);
  assert.deepEqual(echoedToSender, [], 'the sender must not receive its own client event');
});
