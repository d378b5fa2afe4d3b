// Cache channels seen through pusher-js: a new subscriber gets the last event published to the
// channel right after subscribing; a channel with nothing kept triggers `pusher:cache_miss`
// (which pusher-js emits on the channel).

import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { connect, disconnectAll, serverLib, uniqueName, until } from './helpers.mjs';

afterEach(disconnectAll);

/** Subscribes and records every event pusher-js emits on the channel, in order (name, data). */
function subscribeRecording(client, channelName) {
  const channel = client.subscribe(channelName);
  const seen = [];
  channel.bind_global((name, data) => seen.push([name, data]));
  return [channel, seen];
}

const names = (seen) => seen.map(([name]) => name);

test('cache channel: a new subscriber receives the last published event right after subscribing', async () => {
  const channelName = uniqueName('cache-x'); // "cache-x-<hex>": a cache channel, fresh for this run
  for (const price of [100, 101]) {
    const response = await serverLib.trigger(channelName, 'price', { price });
    assert.equal(response.status, 200);
  }

  const client = await connect();
  const [, seen] = subscribeRecording(client, channelName);
  await until(() => seen.some(([name]) => name === 'price'), {
    label: `the cached "price" event on ${channelName}`, describe: () => JSON.stringify(seen),
  });
  assert.deepEqual(seen[0][0], 'pusher:subscription_succeeded');
  assert.deepEqual(seen[1], ['price', { price: 101 }], 'the last published event comes right after subscribing');
  assert.ok(!names(seen).includes('pusher:cache_miss'), 'no cache_miss for a channel with a kept event');

  // A live event reaches the subscriber once; the kept one is not replayed with it.
  await serverLib.trigger(channelName, 'price', { price: 102 });
  await until(() => seen.length >= 3, { label: 'the live "price" event', describe: () => JSON.stringify(seen) });
  assert.deepEqual(seen.slice(1), [['price', { price: 101 }], ['price', { price: 102 }]]);

  // The next subscriber gets the newest event.
  const late = await connect();
  const [, lateSeen] = subscribeRecording(late, channelName);
  await until(() => lateSeen.length >= 2, { label: 'the cached event for a later subscriber', describe: () => JSON.stringify(lateSeen) });
  assert.deepEqual(lateSeen.map(([n, d]) => [n, n === 'price' ? d : undefined]),
    [['pusher:subscription_succeeded', undefined], ['price', { price: 102 }]]);
});

test('cache channel: subscribing to a never-published cache channel triggers pusher:cache_miss', async () => {
  const channelName = uniqueName('cache-never');
  const client = await connect();
  const [channel, seen] = subscribeRecording(client, channelName);
  await until(() => names(seen).includes('pusher:cache_miss'), {
    label: `pusher:cache_miss on ${channelName}`, describe: () => JSON.stringify(seen),
  });
  assert.deepEqual(names(seen), ['pusher:subscription_succeeded', 'pusher:cache_miss']);
  assert.equal(channel.subscribed, true, 'the subscription itself succeeded');

  // After a cache miss the channel works like any other.
  await serverLib.trigger(channelName, 'first', { n: 1 });
  await until(() => names(seen).includes('first'), { label: 'the first live event after the miss' });
  assert.deepEqual(seen[2], ['first', { n: 1 }]);
});

test('cache channel: the prefix counts only at the start of the name', async () => {
  const channelName = uniqueName('my-cache-x'); // an ordinary public channel
  await serverLib.trigger(channelName, 'price', { price: 1 });
  const client = await connect();
  const [, seen] = subscribeRecording(client, channelName);
  await until(() => seen.length >= 1, { label: `subscription_succeeded on ${channelName}` });
  // A marker published after subscribing bounds the wait for anything that should not come.
  await serverLib.trigger(channelName, 'marker', { done: true });
  await until(() => names(seen).includes('marker'), { label: 'the marker event' });
  assert.deepEqual(names(seen), ['pusher:subscription_succeeded', 'marker'],
    'neither a replayed event nor cache_miss on an ordinary channel');
});
