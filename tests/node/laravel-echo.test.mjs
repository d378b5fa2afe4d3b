// Laravel Echo (broadcaster 'pusher', over pusher-js) against Herald: public and private
// `listen`, presence `here`/`joining`/`leaving`, and whispers. Channel authorization uses Echo's
// `authorizer` option, signing with the `pusher` server library as a Laravel backend's
// /broadcasting/auth would.

import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import Echo from 'laravel-echo';
import {
  APP_KEY, HOST, PORT, PusherClient, TIMEOUT_MS, connected, disconnectAll, serverLib, track,
  uniqueName, untrack, until,
} from './helpers.mjs';

afterEach(disconnectAll);

/** A connected Echo instance; `presenceData` is what the backend returns for presence channels. */
async function echo(presenceData = undefined) {
  const instance = new Echo({
    broadcaster: 'pusher',
    Pusher: PusherClient,
    key: APP_KEY,
    cluster: 'mt1',
    wsHost: HOST,
    wsPort: PORT,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    authorizer: (channel) => ({
      authorize: (socketId, callback) => {
        try {
          callback(null, serverLib.authorizeChannel(socketId, channel.name, presenceData));
        } catch (err) {
          callback(err, null);
        }
      },
    }),
  });
  track(instance);
  await connected(instance.connector.pusher);
  assert.equal(instance.connectionStatus(), 'connected');
  assert.equal(instance.socketId(), instance.connector.pusher.connection.socket_id);
  return instance;
}

/** Resolves when an Echo channel reports `subscribed`; rejects on `error` or after the timeout. */
function subscribed(echoChannel, label) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${label} to subscribe`)),
      TIMEOUT_MS);
    echoChannel.subscribed(() => {
      clearTimeout(timer);
      resolve(echoChannel);
    });
    echoChannel.error((err) => {
      clearTimeout(timer);
      reject(new Error(`${label}: subscription error ${JSON.stringify(err)}`));
    });
  });
}

test('Echo: channel().listen receives published events, with and without the namespace', async () => {
  const e = await echo();
  const name = uniqueName('orders');
  const withDot = [];
  const namespaced = [];
  const channel = e.channel(name)
    .listen('.OrderShipped', (data) => withDot.push(data)) // leading dot: the event name as published
    .listen('OrderShipped', (data) => namespaced.push(data)); // default namespace: App\Events\OrderShipped
  await subscribed(channel, name);

  await serverLib.trigger(name, 'OrderShipped', { order: { id: 1 } });
  // What a Laravel backend publishes for `class OrderShipped implements ShouldBroadcast`.
  await serverLib.trigger(name, 'App\\Events\\OrderShipped', { order: { id: 2 } });
  await until(() => withDot.length >= 1 && namespaced.length >= 1, {
    label: 'both OrderShipped events', describe: () => JSON.stringify({ withDot, namespaced }),
  });
  assert.deepEqual(withDot, [{ order: { id: 1 } }]);
  assert.deepEqual(namespaced, [{ order: { id: 2 } }]);
});

test('Echo: private().listen receives events published to the private channel', async () => {
  const e = await echo();
  const name = uniqueName('orders');
  const received = [];
  const channel = e.private(name).listen('.OrderShipped', (data) => received.push(data));
  await subscribed(channel, `private-${name}`);

  const response = await serverLib.trigger(`private-${name}`, 'OrderShipped', { order: { id: 7 } });
  assert.equal(response.status, 200);
  await until(() => received.length >= 1, { label: `OrderShipped on private-${name}` });
  assert.deepEqual(received, [{ order: { id: 7 } }]);
});

test('Echo: join().here/joining/leaving with two users', async () => {
  const room = uniqueName('chat');
  const alice = { user_id: 'alice', user_info: { id: 'alice', name: 'Alice' } };
  const bob = { user_id: 'bob', user_info: { id: 'bob', name: 'Bob' } };

  const seenByAlice = { here: [], joining: [], leaving: [] };
  const echoAlice = await echo(alice);
  const aliceChannel = echoAlice.join(room)
    .here((users) => seenByAlice.here.push(users))
    .joining((user) => seenByAlice.joining.push(user))
    .leaving((user) => seenByAlice.leaving.push(user));
  await until(() => seenByAlice.here.length >= 1, { label: `Alice's here() on presence-${room}` });
  assert.deepEqual(seenByAlice.here, [[alice.user_info]], 'Alice is alone at first');

  const seenByBob = { here: [], joining: [] };
  const echoBob = await echo(bob);
  echoBob.join(room)
    .here((users) => seenByBob.here.push(users))
    .joining((user) => seenByBob.joining.push(user));
  await until(() => seenByBob.here.length >= 1, { label: `Bob's here() on presence-${room}` });
  const byId = (a, b) => a.id.localeCompare(b.id);
  assert.deepEqual([...seenByBob.here[0]].sort(byId), [alice.user_info, bob.user_info], 'here() lists both users');

  await until(() => seenByAlice.joining.length >= 1, { label: 'joining() for Bob on Alice', describe: () => JSON.stringify(seenByAlice) });
  assert.deepEqual(seenByAlice.joining, [bob.user_info]);
  assert.deepEqual(seenByBob.joining, [], 'a user is not told about its own join');

  echoBob.disconnect();
  untrack(echoBob);
  await until(() => seenByAlice.leaving.length >= 1, { label: 'leaving() for Bob on Alice', describe: () => JSON.stringify(seenByAlice) });
  assert.deepEqual(seenByAlice.leaving, [bob.user_info]);
  assert.deepEqual(seenByAlice.here.length, 1, 'here() fired once');
  assert.equal(aliceChannel.subscription.members.count, 1, 'Alice is alone again');
});

test('Echo: private().whisper reaches the other user via listenForWhisper, not the sender', async () => {
  const name = uniqueName('typing');
  const sender = await echo();
  const receiver = await echo();
  const echoedToSender = [];
  const received = [];
  const senderChannel = sender.private(name).listenForWhisper('typing', (data) => echoedToSender.push(data));
  const receiverChannel = receiver.private(name).listenForWhisper('typing', (data) => received.push(data));
  await Promise.all([subscribed(senderChannel, 'sender'), subscribed(receiverChannel, 'receiver')]);

  senderChannel.whisper('typing', { name: 'Alice', typing: true });
  await until(() => received.length >= 1, { label: `whisper "typing" on private-${name}` });
  assert.deepEqual(received, [{ name: 'Alice', typing: true }]);

  // The receiver answers; once the sender has that, its own whisper would have come back already.
  const answers = [];
  senderChannel.listenForWhisper('reply', (data) => answers.push(data));
  receiverChannel.whisper('reply', { ok: true });
  await until(() => answers.length >= 1, { label: 'the whispered reply' });
  assert.deepEqual(echoedToSender, [], 'a whisper is not echoed to its sender');
  assert.deepEqual(received, [{ name: 'Alice', typing: true }], 'the receiver got the whisper once');
});

test('Echo: join().whisper reaches the other member of a presence channel', async () => {
  const room = uniqueName('room');
  const first = await echo({ user_id: 'w1', user_info: { name: 'One' } });
  const second = await echo({ user_id: 'w2', user_info: { name: 'Two' } });
  const received = [];
  const firstChannel = first.join(room);
  const secondChannel = second.join(room).listenForWhisper('typing', (data) => received.push(data));
  await Promise.all([subscribed(firstChannel, 'first'), subscribed(secondChannel, 'second')]);
  firstChannel.whisper('typing', { typing: true });
  await until(() => received.length >= 1, { label: `whisper on presence-${room}` });
  assert.deepEqual(received, [{ typing: true }]);
});
