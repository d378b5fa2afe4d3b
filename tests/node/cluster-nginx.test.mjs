// The scaling guide's deployment, end to end: two Herald nodes sharing Redis (adapter.driver
// redis) behind nginx running deploy/nginx.conf, the file deploy/docker-compose*.yml mount (the
// guide's "Nginx Example": least_conn upstream with keepalive, the $connection_upgrade map, the
// proxy_* location block), used by pusher-js and the `pusher` server library through nginx only.
// The nodes' own GET /usage (asked directly, not through nginx) tells which node holds a
// connection.
//
// Self-contained: this file starts both nodes (java -jar $HERALD_JAR, default
// server/target/herald.jar) and nginx ($HERALD_NGINX, else /usr/sbin/nginx, else nginx on PATH)
// on free loopback ports, and stops them in `after`. Needs Redis on 127.0.0.1:6379. Skipped, with
// the reason, when the jar or nginx is missing (scripts/test provides both). helpers.mjs still
// wants HERALD_PORT set (any valid port); its server library and clients are not used here: the
// clients are built with its helpers pointed at nginx. Set HERALD_TEST_DEBUG=1 to see the nodes'
// and nginx's output.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PusherServer from 'pusher';
import {
  APP_ID, APP_KEY, APP_SECRET, TIMEOUT_MS, connect as connectClient, disconnectAll, sleep, subscribe,
  uniqueName, until, untrack, waitFor,
} from './helpers.mjs';
import {
  HERALD_JAR, LOOPBACK, REPO, baseEnv, describeExit, executable, httpStatus, onPath, outputOf, running,
  startProcess, started, stopProcess, freePort,
} from './processes.mjs';

/** The nginx configuration of deploy/, run here with the changes nginxConfig() lists. */
const DEPLOY_NGINX_CONF = join(REPO, 'deploy/nginx.conf');
const NODE_START_TIMEOUT_MS = 30_000;
const NGINX_START_TIMEOUT_MS = 10_000;
const NODE_STOP_GRACE_MS = 15_000;
const NGINX_STOP_GRACE_MS = 5_000;

/** $HERALD_NGINX, else /usr/sbin/nginx, else nginx on PATH; null when none is found. */
function findNginx() {
  if (process.env.HERALD_NGINX) {
    return executable(process.env.HERALD_NGINX) ? process.env.HERALD_NGINX : null;
  }
  return onPath('nginx', ['/usr/sbin']);
}

const NGINX = findNginx();
const skipReason = !existsSync(HERALD_JAR)
  ? `the Herald jar ${HERALD_JAR} does not exist (build it, or set HERALD_JAR)`
  : !NGINX
    ? (process.env.HERALD_NGINX
      ? `HERALD_NGINX=${process.env.HERALD_NGINX} is not an executable`
      : 'no nginx binary (set HERALD_NGINX, or install nginx: scripts/test does)')
    : false;

// ---------------------------------------------------------------- Herald nodes

/** The environment of a node: the basics plus the default app's variables; nothing that could override its config file. */
function nodeEnv() {
  return baseEnv({
    SOCKUDO_DEFAULT_APP_ID: APP_ID,
    SOCKUDO_DEFAULT_APP_KEY: APP_KEY,
    SOCKUDO_DEFAULT_APP_SECRET: APP_SECRET,
    SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'true',
  });
}

/** Starts a node with its own JSON config in `dir`; resolves once GET /up answers 200. */
async function startNode(dir, processId, redisPrefix) {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({
    host: LOOPBACK,
    port,
    instance: { process_id: processId },
    adapter: {
      driver: 'redis',
      redis: {
        prefix: redisPrefix,
        redis_pub_options: { url: 'redis://127.0.0.1:6379' },
        redis_sub_options: { url: 'redis://127.0.0.1:6379' },
      },
    },
  }, null, 2));
  // cwd = its own dir, so no config/config.json of wherever the tests run from is loaded.
  const proc = startProcess(`herald ${processId} (port ${port})`, 'java',
    ['-XX:+ExitOnOutOfMemoryError', '-jar', HERALD_JAR, '--config', configFile], { cwd: dir, env: nodeEnv() });
  const node = { proc, port, processId };
  const deadline = Date.now() + NODE_START_TIMEOUT_MS;
  let status = null;
  for (;;) {
    if (!running(proc.child)) {
      throw new Error(`${proc.name} ${describeExit(proc)} before GET /up answered 200${outputOf(proc)}`);
    }
    status = await httpStatus(`http://${LOOPBACK}:${port}/up`);
    if (status === 200) return node;
    if (Date.now() > deadline) {
      throw new Error(`GET http://${LOOPBACK}:${port}/up of ${proc.name} did not answer 200 within ` +
        `${NODE_START_TIMEOUT_MS} ms (last status: ${status ?? 'no answer'})${outputOf(proc)}`);
    }
    await sleep(100);
  }
}

/** A node's own count of open connections (GET /usage, asked directly, not through nginx). */
async function connectionsOn(node) {
  const response = await fetch(`http://${LOOPBACK}:${node.port}/usage`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  assert.equal(response.status, 200, `GET /usage of ${node.proc.name}`);
  const body = await response.json();
  assert.equal(typeof body.connections, 'number', `GET /usage of ${node.proc.name} has a connections count`);
  return body.connections;
}

// ---------------------------------------------------------------- nginx

/** The http modules of `names` that nginx -V says were left out of this build. */
function nginxLacks(names) {
  const { stdout = '', stderr = '' } = spawnSync(NGINX, ['-V'], { encoding: 'utf8' });
  const info = `${stdout}${stderr}`;
  return names.filter((name) => info.includes(`--without-http_${name}_module`));
}

/**
 * deploy/nginx.conf with exactly two changes: the `server` lines of its upstream become one line
 * per node of this test (127.0.0.1:<node port>, with the parameters of the file's first `server`
 * line), and `listen 80;` becomes `listen 127.0.0.1:<port>;`. Where nginx writes its files when it
 * runs unprivileged from `dir` is said outside the file's directives: pid, error log and (as root,
 * whose workers would otherwise switch to a user that cannot use `dir`) `user root` on the command
 * line (nginxGlobals), and the *_temp_path and access_log lines inserted at the top of `http {`.
 */
function nginxConfig(dir, listenPort, nodePorts) {
  const text = readFileSync(DEPLOY_NGINX_CONF, 'utf8');
  const fail = (what) => {
    throw new Error(`${DEPLOY_NGINX_CONF}: ${what}; tests/node/cluster-nginx.test.mjs runs that file and ` +
      'changes only its upstream server lines and its listen port');
  };
  const upstream = /^(\s*upstream\s+\S+\s*\{\n)([^}]*?)(^\s*\})/m.exec(text);
  if (!upstream) fail('no upstream block');
  const serverLine = /^([ \t]*)server[ \t]+\S+([^;\n]*);[ \t]*\n/gm;
  const servers = [...upstream[2].matchAll(serverLine)];
  if (servers.length === 0) fail('no `server` line in the upstream block');
  const [, indent, params] = servers[0];
  let first = true;
  const body = upstream[2].replace(serverLine, () => {
    if (!first) return '';
    first = false;
    return nodePorts.map((port) => `${indent}server ${LOOPBACK}:${port}${params};\n`).join('');
  });
  let config = text.slice(0, upstream.index) + upstream[1] + body + upstream[3]
    + text.slice(upstream.index + upstream[0].length);

  const listens = config.match(/^\s*listen\s+80;\s*$/gm) || [];
  if (listens.length !== 1) fail(`${listens.length} \`listen 80;\` lines instead of one`);
  config = config.replace(/^(\s*)listen\s+80;/m, `$1listen ${LOOPBACK}:${listenPort};`);

  const http = /^http\s*\{[ \t]*\n/m.exec(config);
  if (!http) fail('no `http {` block');
  const lacking = nginxLacks(['fastcgi', 'uwsgi', 'scgi']);
  const files = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .filter((kind) => !lacking.includes(kind))
    .map((kind) => `    ${kind}_temp_path ${join(dir, `${kind}_temp`)};\n`)
    .join('') + `    access_log ${join(dir, 'access.log')};\n`;
  const at = http.index + http[0].length;
  return config.slice(0, at) + files + config.slice(at);
}

/** The main-context directives given with -g: where the pid file and the error log go, and the workers' user. */
function nginxGlobals(dir) {
  return `${process.getuid?.() === 0 ? 'user root; ' : ''}pid ${join(dir, 'nginx.pid')}; ` +
    `error_log ${join(dir, 'error.log')} warn; daemon off;`;
}

function portAccepts(port) {
  return new Promise((resolveAccepts) => {
    const socket = createConnection({ host: LOOPBACK, port });
    const done = (ok) => {
      socket.destroy();
      resolveAccepts(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Starts nginx in the foreground as a child; resolves once its port accepts connections. */
async function startNginx(dir, nodePorts) {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'nginx.conf');
  writeFileSync(configFile, nginxConfig(dir, port, nodePorts));
  // -e: the error log before the config is read (else the build's default, which may be unwritable).
  const proc = startProcess(`nginx (port ${port})`, NGINX,
    ['-p', `${dir}/`, '-e', join(dir, 'error.log'), '-c', configFile, '-g', nginxGlobals(dir)], { cwd: dir });
  const withLog = () => {
    let log = '';
    try {
      log = execFileSync('tail', ['-n', '50', join(dir, 'error.log')], { encoding: 'utf8' });
    } catch {
      // no log yet
    }
    return `${outputOf(proc)}\n---- ${join(dir, 'error.log')} ----\n${log.trimEnd() || '(empty)'}`;
  };
  const deadline = Date.now() + NGINX_START_TIMEOUT_MS;
  for (;;) {
    if (!running(proc.child)) {
      throw new Error(`${proc.name} ${describeExit(proc)} before accepting connections${withLog()}`);
    }
    if (await portAccepts(port)) return { proc, port };
    if (Date.now() > deadline) {
      throw new Error(`${proc.name} did not accept connections within ${NGINX_START_TIMEOUT_MS} ms${withLog()}`);
    }
    await sleep(50);
  }
}

// ---------------------------------------------------------------- the tests

/**
 * `promise`, marked as handled: awaited later, it still rejects, but when an assertion fails
 * before that, its timeout does not surface as an unhandled rejection after the test ended.
 */
function handled(promise) {
  promise.catch(() => {});
  return promise;
}

// When the jar or nginx is missing every test is skipped with the reason, one by one rather than the
// describe as a whole: node:test counts the tests of a skipped describe nowhere, so scripts/test's
// "N skipped" would not show it. The hooks then do nothing.
const skip = { skip: skipReason };

describe('two Herald nodes sharing Redis behind nginx (the scaling guide\'s deployment)', () => {
  let workDir = null;
  const nodes = [];
  let nginx = null;
  /** The `pusher` server library, through nginx. */
  let serverLib = null;
  /** The `pusher` server library pointed at each node directly (for the presence test's wait). */
  const nodeLibs = [];

  before(async () => {
    if (skipReason) return;
    workDir = mkdtempSync(join(tmpdir(), 'herald-nginx-'));
    const prefix = `herald_nginx_${randomBytes(6).toString('hex')}:`;
    const suffix = randomBytes(3).toString('hex');
    const [first, second] = await Promise.allSettled([
      startNode(join(workDir, 'node-1'), `herald-nginx-1-${suffix}`, prefix),
      startNode(join(workDir, 'node-2'), `herald-nginx-2-${suffix}`, prefix),
    ]);
    for (const result of [first, second]) {
      if (result.status === 'fulfilled') nodes.push(result.value);
    }
    // Nodes that did not come up are still stopped in `after` (they are in `started`).
    const failures = [first, second].filter((result) => result.status === 'rejected');
    if (failures.length > 0) throw new Error(failures.map((result) => result.reason.message).join('\n\n'));
    nginx = await startNginx(join(workDir, 'nginx'), nodes.map((node) => node.port));
    const libFor = (port) => new PusherServer({
      appId: APP_ID,
      key: APP_KEY,
      secret: APP_SECRET,
      host: LOOPBACK,
      port: String(port),
      useTLS: false,
      timeout: TIMEOUT_MS,
    });
    serverLib = libFor(nginx.port);
    nodeLibs.push(...nodes.map((node) => libFor(node.port)));
  });

  after(async () => {
    disconnectAll();
    // nginx first (no new connections reach the nodes), then both nodes at once.
    for (const proc of started) {
      if (proc.name.startsWith('nginx')) await stopProcess(proc, NGINX_STOP_GRACE_MS);
    }
    await Promise.all([...started].map((proc) => stopProcess(proc, NODE_STOP_GRACE_MS)));
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  /** Each node's open connections, in the order of `nodes`. */
  const counts = () => Promise.all(nodes.map(connectionsOn));

  afterEach(async () => {
    disconnectAll();
    if (skipReason || !nginx) return;
    // Every test starts with no connection on either node, so /usage deltas tell where a client is.
    let seen = [];
    await until(async () => {
      seen = await counts();
      return seen.every((count) => count === 0);
    }, { label: 'both nodes to have no connection left', describe: () => JSON.stringify(seen) });
  });

  /** Signs channel subscriptions as an app's auth endpoint would; presence users are named after the socket. */
  const authorizer = (params, callback) => {
    try {
      const presence = params.channelName.startsWith('presence-')
        ? { user_id: userOf(params.socketId), user_info: { socket: params.socketId } }
        : undefined;
      callback(null, serverLib.authorizeChannel(params.socketId, params.channelName, presence));
    } catch (err) {
      callback(err, null);
    }
  };
  const userOf = (socketId) => `user-${socketId}`;

  /** A pusher-js client connected through nginx (tracked by helpers.mjs). */
  async function connect() {
    try {
      return await connectClient({
        wsHost: LOOPBACK,
        wsPort: nginx.port,
        channelAuthorization: { customHandler: authorizer },
      });
    } catch (err) {
      err.message += ` (through nginx on ${LOOPBACK}:${nginx.port})`;
      throw err;
    }
  }

  /**
   * Connects a client through nginx and tells which node got it: the one whose /usage count went
   * up. Needs no other connection to open or close meanwhile (the tests connect one at a time).
   */
  async function connectLocated() {
    const was = await counts();
    const client = await connect();
    let now = was;
    await until(async () => {
      now = await counts();
      return now.reduce((a, b) => a + b) === was.reduce((a, b) => a + b) + 1;
    }, { label: 'the new connection to show in a node\'s /usage', describe: () => `${was} -> ${now}` });
    const node = now.findIndex((count, i) => count === was[i] + 1);
    assert.notEqual(node, -1, `one node's count went up by one: ${was} -> ${now}`);
    return { client, node };
  }

  /** Two clients connected through nginx to different nodes (least_conn alternates). */
  async function clientsOnBothNodes() {
    const first = await connectLocated();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const candidate = await connectLocated(); // one on the same node stays connected until afterEach
      if (candidate.node !== first.node) return [first, candidate];
    }
    assert.fail(`six clients connected through nginx all went to node ${first.node + 1}`);
  }

  /** `n` clients connected through nginx, subscribed to `channelName`, and where each landed. */
  async function spreadClients(n, channelName) {
    const placed = [];
    for (let i = 0; i < n; i += 1) placed.push(await connectLocated());
    const channels = [];
    for (const { client } of placed) {
      const [channel] = await subscribe(client, channelName);
      channels.push(channel);
    }
    return { placed, channels };
  }

  test('nginx spreads pusher-js connections over both nodes', skip, async () => {
    const channelName = uniqueName('spread');
    const { placed } = await spreadClients(4, channelName);
    const perNode = await counts();
    for (const [i, node] of nodes.entries()) {
      assert.ok(perNode[i] >= 1, `${node.proc.name} has connections (GET /usage connections: ${perNode})`);
    }
    assert.equal(perNode.reduce((a, b) => a + b), 4, `the 4 clients, and only them, are connected: ${perNode}`);
    assert.deepEqual(new Set(placed.map((p) => p.node)), new Set([0, 1]), 'clients landed on both nodes');
  });

  test('an event published through nginx with the server library reaches clients on both nodes', skip, async () => {
    const channelName = uniqueName('broadcast');
    const { placed, channels } = await spreadClients(4, channelName);
    assert.deepEqual(new Set(placed.map((p) => p.node)), new Set([0, 1]), 'clients landed on both nodes');

    const payload = { message: 'through nginx', n: 7 };
    const received = channels.map((channel, i) => handled(waitFor(channel, 'news', {
      label: `event "news" at client ${i + 1} (node ${placed[i].node + 1})`,
    })));
    const response = await serverLib.trigger(channelName, 'news', payload);
    assert.equal(response.status, 200, 'POST /apps/app-id/events through nginx answers 200');
    for (const data of await Promise.all(received)) {
      assert.deepEqual(data, payload);
    }
  });

  test('presence channel: members, member_added and member_removed across nodes', skip, async () => {
    const channelName = uniqueName('presence');
    const [first, second] = await clientsOnBothNodes();
    const firstUser = userOf(first.client.connection.socket_id);
    const secondUser = userOf(second.client.connection.socket_id);
    const firstSocket = first.client.connection.socket_id;
    const secondSocket = second.client.connection.socket_id;

    const [firstChannel, firstMembers] = await subscribe(first.client, channelName);
    assert.equal(firstMembers.count, 1, 'the first member sees only itself');
    assert.equal(firstMembers.me.id, firstUser);

    const added = handled(waitFor(firstChannel, 'pusher:member_added', {
      label: `member_added for ${secondUser} (node ${second.node + 1}) at node ${first.node + 1}`,
    }));
    const [secondChannel, secondMembers] = await subscribe(second.client, channelName);
    // A member who joined on the other node a moment ago is either in the list already or
    // arrives right after it as member_added: either way pusher-js ends up knowing both.
    await until(() => secondChannel.members.get(firstUser) !== null, {
      label: `${firstUser} (node ${first.node + 1}) known at node ${second.node + 1}`,
      describe: () => JSON.stringify(secondChannel.members.members),
    });
    assert.equal(secondChannel.members.count, 2, 'the second member, on the other node, sees both');
    assert.equal(secondMembers.me.id, secondUser);
    assert.deepEqual(secondChannel.members.get(firstUser), { id: firstUser, info: { socket: firstSocket } });
    assert.deepEqual(secondChannel.members.get(secondUser), { id: secondUser, info: { socket: secondSocket } });

    const member = await added;
    assert.equal(member.id, secondUser);
    assert.deepEqual(member.info, { socket: secondSocket });
    assert.equal(firstChannel.members.count, 2);

    const removed = handled(waitFor(firstChannel, 'pusher:member_removed', {
      label: `member_removed for ${secondUser} (node ${second.node + 1}) at node ${first.node + 1}`,
    }));
    second.client.disconnect();
    untrack(second.client);
    const gone = await removed;
    assert.equal(gone.id, secondUser);
    assert.equal(firstChannel.members.count, 1);
  });

  test('private channel: a client event reaches a subscriber on the other node, not the sender', skip, async () => {
    const channelName = uniqueName('private');
    const [sender, receiver] = await clientsOnBothNodes();
    const [senderChannel] = await subscribe(sender.client, channelName);
    const [receiverChannel] = await subscribe(receiver.client, channelName);

    const echoedToSender = [];
    senderChannel.bind('client-whisper', (data) => echoedToSender.push(data));
    const received = handled(waitFor(receiverChannel, 'client-whisper', {
      label: `client-whisper from node ${sender.node + 1} at node ${receiver.node + 1}`,
    }));
    const payload = { from: 'sender', text: 'psst' };
    assert.equal(senderChannel.trigger('client-whisper', payload), true, 'pusher-js sent the client event');
    assert.deepEqual(await received, payload);

    // Instead of sleeping: a server event published after the whisper arrived elsewhere reaches
    // the sender after any wrongly echoed copy would have (its own node handled the whisper first).
    const barrier = waitFor(senderChannel, 'barrier', { label: 'the server event "barrier" at the sender' });
    await serverLib.trigger(channelName, 'barrier', {});
    await barrier;
    assert.deepEqual(echoedToSender, [], 'the sender must not receive its own client event');
  });
});
