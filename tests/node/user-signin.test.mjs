// User sign-in with pusher-js 8 (`userAuthentication.customHandler` + `pusher.signin()`), events
// sent to a user with the server library's `sendToUser`, and `terminateUserConnections`.
// The auth comes from the `pusher` server library's `authenticateUser`, as an app's
// user-authentication endpoint would return it.

import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  APP_KEY, PusherClient, clientOptions, connected, disconnectAll, serverLib, track, until, waitFor,
} from './helpers.mjs';

afterEach(disconnectAll);

/**
 * A pusher-js client that signs in as `userData.id` when asked. Records what the user of the
 * client would observe: connection states, connection errors, events bound on `pusher.user`.
 */
async function userClient(userData) {
  const authRequests = [];
  const client = track(new PusherClient(APP_KEY, clientOptions({
    userAuthentication: {
      customHandler: (params, callback) => {
        authRequests.push(params.socketId);
        try {
          callback(null, serverLib.authenticateUser(params.socketId, userData));
        } catch (err) {
          callback(err, null);
        }
      },
    },
  })));
  const seen = { states: [], errors: [], notes: [], authRequests };
  client.connection.bind('state_change', ({ current }) => seen.states.push(current));
  client.connection.bind('error', (err) => seen.errors.push(err));
  client.user.bind('note', (data) => seen.notes.push(data));
  await connected(client);
  return { client, seen };
}

/**
 * Signs in and resolves once the server confirmed (`pusher:signin_success`) and pusher-js's
 * automatic subscription to `#server-to-user-{id}` succeeded, so `sendToUser` can reach it.
 */
async function signIn({ client, seen }, userId) {
  const isFrame = (name, channel) => (event) => event.event === name && (!channel || event.channel === channel);
  const success = waitFor(client.connection, 'message', {
    label: `pusher:signin_success for ${userId}`, accept: isFrame('pusher:signin_success'),
  });
  const subscribed = waitFor(client.connection, 'message', {
    label: `subscription_succeeded on #server-to-user-${userId}`,
    accept: isFrame('pusher_internal:subscription_succeeded', `#server-to-user-${userId}`),
  });
  client.signin();
  await Promise.all([success, subscribed]);
  assert.equal(seen.authRequests.length, 1, 'the user authenticator was asked once');
  assert.equal(seen.authRequests[0], client.connection.socket_id, 'it was asked for this connection');
  assert.equal(client.user.user_data?.id, userId, 'pusher-js considers the user signed in');
}

test('user sign-in: sendToUser reaches every connection of that user, and only them', async () => {
  const u1 = await userClient({ id: 'u1', name: 'User One' });
  const u1SecondTab = await userClient({ id: 'u1', name: 'User One' });
  const u2 = await userClient({ id: 'u2', name: 'User Two' });
  await signIn(u1, 'u1');
  await signIn(u1SecondTab, 'u1');
  await signIn(u2, 'u2');
  assert.deepEqual(u1.client.user.user_data, { id: 'u1', name: 'User One' });

  const note = { text: 'your order shipped', order: 1234 };
  const response = await serverLib.sendToUser('u1', 'note', note);
  assert.equal(response.status, 200, 'sendToUser answers 200');
  await until(() => u1.seen.notes.length >= 1 && u1SecondTab.seen.notes.length >= 1, {
    label: 'the note on both connections of u1',
    describe: () => JSON.stringify({ u1: u1.seen.notes, u1SecondTab: u1SecondTab.seen.notes }),
  });
  assert.deepEqual(u1.seen.notes, [note]);
  assert.deepEqual(u1SecondTab.seen.notes, [note]);

  // u2 gets its own note afterwards; by then u1's note would have arrived had it been misrouted.
  await serverLib.sendToUser('u2', 'note', { text: 'for u2' });
  await until(() => u2.seen.notes.length >= 1, { label: "u2's own note" });
  assert.deepEqual(u2.seen.notes, [{ text: 'for u2' }], 'u2 sees only its own note');
  assert.deepEqual(u1.seen.notes, [note], 'u1 did not get the note meant for u2');
});

test('user sign-in: terminateUserConnections disconnects every connection of that user and no other', async () => {
  const u1 = await userClient({ id: 'u1' });
  const u1SecondTab = await userClient({ id: 'u1' });
  const u2 = await userClient({ id: 'u2' });
  await signIn(u1, 'u1');
  await signIn(u1SecondTab, 'u1');
  await signIn(u2, 'u2');

  const response = await serverLib.terminateUserConnections('u1');
  assert.equal(response.status, 200, 'terminateUserConnections answers 200');

  for (const [label, { client, seen }] of [['u1', u1], ['u1 second tab', u1SecondTab]]) {
    await until(() => client.connection.state === 'disconnected', {
      label: `${label} to be disconnected`, describe: () => seen.states.join(' -> '),
    });
    const codes = seen.errors.map((e) => e?.data?.code ?? e?.error?.data?.code);
    assert.ok(codes.includes(4009), `${label} was told why (pusher:error 4009); errors: ${JSON.stringify(seen.errors)}`);
  }

  // u2 is untouched: still connected and still reachable.
  await serverLib.sendToUser('u2', 'note', { text: 'still here' });
  await until(() => u2.seen.notes.length >= 1, { label: "u2's note after u1 was terminated" });
  assert.equal(u2.client.connection.state, 'connected');
  assert.deepEqual(u2.seen.notes, [{ text: 'still here' }]);

  // A 4009 close means "do not reconnect": pusher-js stays disconnected.
  assert.equal(u1.client.connection.state, 'disconnected', 'u1 did not reconnect');
  assert.ok(!u1.seen.states.slice(u1.seen.states.lastIndexOf('disconnected')).includes('connecting'));
});
