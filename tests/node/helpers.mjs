// Shared helpers of the Node end-to-end tests (not a test file itself: node --test runs only
// *.test.mjs). Every wait is bounded; every client made here is tracked so a test file can
// disconnect them all in afterEach and node can exit.
//
// The server must already be running: scripts/test starts it and sets HERALD_PORT
// (HERALD_HOST defaults to 127.0.0.1). Set HERALD_TEST_DEBUG=1 to see pusher-js's own log.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import PusherClient from 'pusher-js';
import PusherServer from 'pusher';

export const HOST = process.env.HERALD_HOST || '127.0.0.1';
export const PORT = Number.parseInt(process.env.HERALD_PORT ?? '', 10);
export const APP_ID = process.env.HERALD_APP_ID || 'app-id';
export const APP_KEY = process.env.HERALD_APP_KEY || 'app-key';
export const APP_SECRET = process.env.HERALD_APP_SECRET || 'app-secret';
export const TIMEOUT_MS = 10_000;

if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
  throw new Error(
    'HERALD_PORT is not set to a valid port: start Herald and set HERALD_PORT ' +
      '(scripts/test does both)',
  );
}

if (process.env.HERALD_TEST_DEBUG) {
  PusherClient.logToConsole = true;
}

export { PusherClient };

/** The official server library pointed at Herald (signed HTTP API, channel and user auth). */
export const serverLib = new PusherServer({
  appId: APP_ID,
  key: APP_KEY,
  secret: APP_SECRET,
  host: HOST,
  port: String(PORT),
  useTLS: false,
  timeout: TIMEOUT_MS,
});

/** The pusher-js options every client of these tests uses, plus `extra`. */
export function clientOptions(extra = {}) {
  return {
    cluster: 'mt1', // required by pusher-js, unused because wsHost is set
    wsHost: HOST,
    wsPort: PORT,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    ...extra,
  };
}

/** Something with a disconnect() (a pusher-js client, a Laravel Echo instance). */
const tracked = new Set();

export function track(client) {
  tracked.add(client);
  return client;
}

export function untrack(client) {
  tracked.delete(client);
}

/** The WebSocket object (pusher-js's bundled faye-websocket client) of each connected client. */
const sockets = new WeakMap();

/**
 * Disconnects every tracked client (call from afterEach).
 *
 * Works around a pusher-js (bundled faye-websocket) quirk: when the server closes a connection
 * with a 4000-4099 code, pusher-js calls close() on the already closed socket, which arms a
 * 30 s close timer that keeps node alive although nothing is open any more. A closed socket
 * needs no timer, so it is cleared here.
 */
export function disconnectAll() {
  for (const client of tracked) {
    try {
      client.disconnect();
    } catch {
      // already gone
    }
    const socket = sockets.get(client.connector?.pusher ?? client);
    if (socket && socket.readyState === 3 /* CLOSED */ && socket._closeTimer) {
      clearTimeout(socket._closeTimer);
    }
  }
  tracked.clear();
}

export function uniqueName(prefix) {
  return `${prefix}-${randomBytes(8).toString('hex')}`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves with the first payload of `event` on `target` (anything with bind/unbind: a pusher-js
 * channel, connection or user) that satisfies `accept`; rejects after `timeoutMs`.
 */
export function waitFor(target, event, { label = event, timeoutMs = TIMEOUT_MS, accept = () => true } = {}) {
  return new Promise((resolve, reject) => {
    const handler = (data) => {
      if (!accept(data)) return;
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

/**
 * Polls `check` (every 20 ms) until it returns a truthy value, which is returned; rejects with
 * `label` and the last value of `describe()` after `timeoutMs`.
 */
export async function until(check, { label, timeoutMs = TIMEOUT_MS, describe = () => '' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) {
      const seen = describe();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}${seen ? `; saw ${seen}` : ''}`);
    }
    await sleep(20);
  }
}

/** Resolves once a pusher-js client's connection is `connected`; rejects on failed/unavailable or timeout. */
export async function connected(client) {
  const states = [];
  const onStateChange = ({ current }) => states.push(current);
  client.connection.bind('state_change', onStateChange);
  try {
    if (client.connection.state !== 'connected') {
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
    }
  } finally {
    client.connection.unbind('state_change', onStateChange);
  }
  assert.match(client.connection.socket_id, /^\d+\.\d+$/, 'socket_id has the Pusher format');
  const socket = client.connection.connection?.transport?.socket;
  if (socket) sockets.set(client, socket);
  return client;
}

/** A connected pusher-js client with the given extra options (tracked). */
export async function connect(extra = {}) {
  const client = track(new PusherClient(APP_KEY, clientOptions(extra)));
  return connected(client);
}

/** Subscribes and resolves with [channel, subscription_succeeded payload]; rejects on subscription_error. */
export async function subscribe(client, channelName) {
  const channel = client.subscribe(channelName);
  let onError;
  const failed = new Promise((_, reject) => {
    onError = (err) => reject(new Error(`subscription to ${channelName} failed: ${JSON.stringify(err)}`));
    channel.bind('pusher:subscription_error', onError);
  });
  try {
    const data = await Promise.race([
      waitFor(channel, 'pusher:subscription_succeeded', { label: `subscription_succeeded on ${channelName}` }),
      failed,
    ]);
    return [channel, data];
  } finally {
    channel.unbind('pusher:subscription_error', onError);
  }
}

/** Records every frame a pusher-js client receives (`connection.bind('message')`), in order. */
export function recordFrames(client) {
  const frames = [];
  client.connection.bind('message', (event) => frames.push(event));
  return frames;
}
