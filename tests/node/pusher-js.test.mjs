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
import {
  serverLib, connect as connectClient, subscribe, waitFor, uniqueName, sleep, disconnectAll, untrack,
} from './helpers.mjs';

afterEach(disconnectAll);

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

/** A pusher-js client connected to Herald, authorizing channels (as the presence user, if given). */
function connect(presenceData = undefined) {
  return connectClient({ channelAuthorization: { customHandler: authorizerFor(presenceData) } });
}

test('public channel: an event triggered over the HTTP API reaches a subscribed pusher-js client', async () => {
  const client = await connect();
  const channelName = uniqueName('public');
  const [channel] = await subscribe(client, channelName);

  const payload = { message: 'hello from the HTTP API', n: 42, nested: { ok: true } };
  const received = waitFor(channel, 'greeting', { label: `event "greeting" on ${channelName}` });
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

  const added = waitFor(firstChannel, 'pusher:member_added', { label: 'member_added for u2' });
  const [, secondMembers] = await subscribe(second, channelName);
  assert.equal(secondMembers.count, 2, 'second member sees both');
  assert.equal(secondMembers.me.id, 'u2');
  assert.deepEqual(secondMembers.get('u1'), { id: 'u1', info: { name: 'A' } });
  assert.deepEqual(secondMembers.get('u2'), { id: 'u2', info: { name: 'B' } });

  const member = await added;
  assert.equal(member.id, 'u2');
  assert.deepEqual(member.info, { name: 'B' });
  assert.equal(firstChannel.members.count, 2);

  const removed = waitFor(firstChannel, 'pusher:member_removed', { label: 'member_removed for u2' });
  second.disconnect();
  untrack(second);
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
  const received = waitFor(receiverChannel, 'client-hello', { label: `client-hello on ${channelName}` });

  const payload = { from: 'sender', text: 'hi' };
  assert.equal(senderChannel.trigger('client-hello', payload), true, 'pusher-js sent the client event');
  assert.deepEqual(await received, payload);

  // Give a wrongly echoed copy time to arrive before asserting that none did.
  await sleep(500);
  assert.deepEqual(echoedToSender, [], 'the sender must not receive its own client event');
});
