// deploy/docker-compose*.yml and deploy/docker-stack.yml, validated without a Docker engine:
// `docker-compose config` (Debian's docker-compose package; scripts/test installs it) must accept
// each file, and what it resolved is checked against the scaling guide's topologies: nginx in
// front of three nodes, each with its own INSTANCE_PROCESS_ID, on Redis / NATS / Redis Cluster,
// with health checks and a stop grace period above Herald's. The Swarm stack is also rendered with
// `docker stack config` (the Docker CLI's own Swarm loader) when the docker CLI is present.
// The nginx.conf the compose files mount is run live by cluster-nginx.test.mjs.
// Self-contained (no HERALD_PORT needed); skipped with the reason when a tool is missing.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { REPO, baseEnv, executable, onPath } from './processes.mjs';

const DEPLOY = join(REPO, 'deploy');
const NODES = ['herald-1', 'herald-2', 'herald-3'];
const run = promisify(execFile);

const COMPOSE = process.env.HERALD_DOCKER_COMPOSE
  ? (executable(process.env.HERALD_DOCKER_COMPOSE) ? process.env.HERALD_DOCKER_COMPOSE : null)
  : onPath('docker-compose');
const composeSkip = COMPOSE ? false
  : 'no docker-compose (set HERALD_DOCKER_COMPOSE, or install Debian\'s docker-compose: scripts/test does)';
const DOCKER = onPath('docker');
const stackSkip = !DOCKER ? 'no docker CLI on PATH (docker stack config needs no engine, only the CLI)'
  : spawnSync(DOCKER, ['stack', 'config', '--help'], { stdio: 'ignore' }).status !== 0
    ? `${DOCKER} has no \`stack config\` (Docker CLI 24 or later has)` : false;

/** `tool args` run for its output; an error carries the tool's stderr. */
async function output(tool, args) {
  try {
    // Only the basics of the environment: the files' ${HERALD_*:-default} resolve to their defaults.
    const { stdout } = await run(tool, args, { cwd: REPO, env: baseEnv(), maxBuffer: 8 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    throw new Error(`${tool} ${args.join(' ')} failed (status ${err.code}):\n${err.stderr || err.message}`);
  }
}

/** The file as `docker-compose config` resolved it. */
async function composeConfig(file) {
  return parse(await output(COMPOSE, ['-f', join(DEPLOY, file), 'config']));
}

/** A service's environment as a map (Compose prints a map; a list of NAME=value is allowed too). */
function envOf(service) {
  const env = service.environment ?? {};
  return Array.isArray(env)
    ? Object.fromEntries(env.map((item) => [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)]))
    : Object.fromEntries(Object.entries(env).map(([name, value]) => [name, String(value)]));
}

/** A command as one string, whichever form it was written in. */
function commandOf(service) {
  return [service.entrypoint ?? [], service.command ?? []].flat().join(' ');
}

/** A health check's command as one string. */
function healthcheckOf(service) {
  const test = service.healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : String(test ?? '');
}

/** Seconds in a Compose duration ("30s", "1m30s"). */
function seconds(duration) {
  let total = 0;
  for (const [, n, unit] of String(duration).matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(n) * { ms: 0.001, s: 1, m: 60, h: 3600 }[unit];
  }
  return total;
}

/** Bytes in a memory size ("512M" from docker-compose, "536870912" from docker stack config). */
function bytes(size) {
  const [, n, unit = ''] = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(String(size).trim()) ?? [];
  return Number(n) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[unit.toLowerCase()];
}

/** A volume as {source, target, readOnly}, from the short or the long syntax. */
function volumeOf(volume) {
  if (typeof volume === 'string') {
    const [source, target, mode = ''] = volume.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  }
  return { source: volume.source, target: volume.target, readOnly: Boolean(volume.read_only) };
}

/** The `server host:port` lines of deploy/nginx.conf's upstream. */
function nginxUpstreams() {
  const text = readFileSync(join(DEPLOY, 'nginx.conf'), 'utf8');
  const block = /upstream\s+\S+\s*\{([^}]*)\}/.exec(text)?.[1] ?? '';
  return [...block.matchAll(/^\s*server\s+(\S+)/gm)].map((m) => m[1]);
}

/** What every compose topology shares: nginx on port 80 in front of three ready nodes. */
function checkNginxAndNodes(config, adapterDriver) {
  const { services } = config;
  const nginx = services.nginx;
  assert.ok(nginx, 'an nginx service');
  assert.match(nginx.image, /^nginx(:|$)/);
  assert.ok((nginx.ports ?? []).some((p) => String(p.target ?? p).endsWith('80')), `nginx publishes port 80: ${JSON.stringify(nginx.ports)}`);
  const mounts = (nginx.volumes ?? []).map(volumeOf);
  assert.deepEqual(mounts.find((v) => v.target === '/etc/nginx/nginx.conf'),
    { source: join(DEPLOY, 'nginx.conf'), target: '/etc/nginx/nginx.conf', readOnly: true },
    'nginx runs deploy/nginx.conf, the file cluster-nginx.test.mjs runs in front of real nodes');
  assert.deepEqual(nginxUpstreams(), NODES.map((name) => `${name}:6001`), 'nginx.conf\'s upstream is the three nodes');
  for (const name of NODES) {
    assert.equal(nginx.depends_on?.[name]?.condition, 'service_healthy', `nginx waits for ${name} to be ready`);
  }

  const ids = new Set();
  for (const name of NODES) {
    const node = services[name];
    assert.ok(node, `a ${name} service`);
    assert.deepEqual(node.build, { context: REPO, dockerfile: 'deploy/Dockerfile' }, `${name} is built from deploy/Dockerfile`);
    const env = envOf(node);
    assert.equal(env.INSTANCE_PROCESS_ID, name, `${name} has its own INSTANCE_PROCESS_ID`);
    ids.add(env.INSTANCE_PROCESS_ID);
    assert.equal(env.ADAPTER_DRIVER, adapterDriver, `${name}'s adapter`);
    assert.match(healthcheckOf(node), /http:\/\/127\.0\.0\.1:6001\/up\b/, `${name}'s health check is readiness (/up)`);
    const grace = Number(env.SHUTDOWN_GRACE_PERIOD ?? 10);
    assert.ok(seconds(node.stop_grace_period ?? '10s') > grace,
      `${name}: stop_grace_period ${node.stop_grace_period} leaves Herald its shutdown_grace_period (${grace} s) before the SIGKILL`);
  }
  assert.equal(ids.size, NODES.length, 'the process ids are distinct');
  return NODES.map((name) => services[name]);
}

describe('deploy/: Compose and Swarm files', { concurrency: true }, () => {
  test('docker-compose.yml: nginx, three nodes on Redis with appendonly, health checks', { skip: composeSkip }, async () => {
    const config = await composeConfig('docker-compose.yml');
    const nodes = checkNginxAndNodes(config, 'redis');
    const redis = config.services.redis;
    assert.match(commandOf(redis), /^redis-server\b.*--appendonly yes/, 'redis-server --appendonly yes');
    assert.match(healthcheckOf(redis), /redis-cli ping/);
    assert.ok((redis.volumes ?? []).map(volumeOf).some((v) => v.target === '/data'), 'its append-only file on a volume');
    for (const node of nodes) {
      const env = envOf(node);
      assert.equal(env.REDIS_URL, 'redis://redis:6379');
      for (const part of ['CACHE_DRIVER', 'QUEUE_DRIVER', 'RATE_LIMITER_DRIVER']) {
        assert.equal(env[part], 'redis', `${part}: shared by the nodes`);
      }
      assert.equal(node.depends_on?.redis?.condition, 'service_healthy');
    }
  });

  test('docker-compose.nats.yml: the same nodes on a three-server NATS cluster', { skip: composeSkip }, async () => {
    const config = await composeConfig('docker-compose.nats.yml');
    const nodes = checkNginxAndNodes(config, 'nats');
    const servers = ['nats-1', 'nats-2', 'nats-3'];
    for (const name of servers) {
      const nats = config.services[name];
      assert.ok(nats, `a ${name} service`);
      const command = commandOf(nats);
      assert.match(command, /--cluster_name herald\b/, `${name} is in the cluster`);
      const routes = /--routes (\S+)/.exec(command)?.[1].split(',') ?? [];
      assert.deepEqual(routes.sort(), servers.filter((other) => other !== name).map((other) => `nats://${other}:6222`),
        `${name} routes to the other two`);
      assert.match(healthcheckOf(nats), /8222\/healthz/);
    }
    for (const node of nodes) {
      assert.deepEqual(envOf(node).NATS_SERVERS.split(','), servers.map((name) => `nats://${name}:4222`));
      for (const name of servers) assert.equal(node.depends_on?.[name]?.condition, 'service_healthy');
    }
  });

  test('docker-compose.redis-cluster.yml: the same nodes on a three-master Redis Cluster', { skip: composeSkip }, async () => {
    const config = await composeConfig('docker-compose.redis-cluster.yml');
    const nodes = checkNginxAndNodes(config, 'redis-cluster');
    const members = ['redis-1', 'redis-2', 'redis-3'];
    for (const name of members) {
      const command = commandOf(config.services[name]);
      assert.match(command, /--cluster-enabled yes/, `${name} runs in cluster mode`);
      assert.match(command, /--appendonly yes/, `${name} keeps an append-only file`);
      assert.match(command, new RegExp(`--cluster-announce-hostname ${name}\\b`), `${name} announces its service name`);
      assert.match(healthcheckOf(config.services[name]), /redis-cli ping/);
    }
    const init = config.services['redis-cluster-init'];
    assert.ok(init, 'a one-shot service that forms the cluster');
    assert.match(commandOf(init), new RegExp(`redis-cli --cluster create ${members.map((m) => `${m}:6379`).join(' ')} `));
    for (const name of members) assert.equal(init.depends_on?.[name]?.condition, 'service_healthy');
    for (const node of nodes) {
      const env = envOf(node);
      assert.deepEqual(env.REDIS_CLUSTER_NODES.split(','), members.map((name) => `redis://${name}:6379`));
      assert.equal(env.QUEUE_DRIVER, 'redis-cluster');
      assert.equal(node.depends_on?.['redis-cluster-init']?.condition, 'service_completed_successfully',
        'the nodes start once the cluster is formed');
    }
  });

  /** The Swarm stack's points, on either renderer's output. */
  function checkStack(config, renderer) {
    const herald = config.services.herald;
    assert.equal(herald.deploy?.replicas, 3, `${renderer}: 3 replicas`);
    assert.equal(bytes(herald.deploy?.resources?.limits?.memory), 512 * 1024 ** 2, `${renderer}: 512M memory limit`);
    assert.equal(Number(herald.deploy?.resources?.limits?.cpus), 0.5, `${renderer}: 0.5 CPU limit`);
    assert.deepEqual(herald.deploy?.placement?.constraints, ['node.role == worker']);
    const env = envOf(herald);
    assert.match(env.INSTANCE_PROCESS_ID, /\{\{\s*\.Task\.Name\s*\}\}/, `${renderer}: a process id per task, from Swarm's template`);
    assert.equal(env.ADAPTER_DRIVER, 'redis');
    assert.equal(env.REDIS_URL, 'redis://redis:6379');
    assert.match(healthcheckOf(herald), /\/live\b/,
      `${renderer}: Swarm replaces unhealthy tasks, so its health check is liveness (/live), not readiness`);
    assert.ok(seconds(herald.stop_grace_period) > Number(env.SHUTDOWN_GRACE_PERIOD ?? 10),
      `${renderer}: stop_grace_period ${herald.stop_grace_period} above shutdown_grace_period`);
    assert.equal(herald.deploy?.update_config?.order, 'start-first', `${renderer}: a new task is up before the old one stops`);
    assert.equal(herald.deploy?.update_config?.parallelism, 1);
    assert.ok((herald.ports ?? []).some((p) => String(p.target ?? p).endsWith('6001')), `${renderer}: port 6001 published`);
    const redis = config.services.redis;
    assert.match(commandOf(redis), /redis-server.*--appendonly yes/);
    assert.deepEqual(redis.deploy?.placement?.constraints, ['node.role == manager']);
    assert.equal(config.networks?.herald_network?.driver, 'overlay');
  }

  test('docker-stack.yml (docker-compose config): 3 replicas, 512M and 0.5 CPU, liveness health check', { skip: composeSkip }, async () => {
    checkStack(await composeConfig('docker-stack.yml'), 'docker-compose config');
  });

  test('docker-stack.yml (docker stack config): the Swarm loader accepts it the same', { skip: stackSkip }, async () => {
    const rendered = await output(DOCKER, ['stack', 'config', '-c', join(DEPLOY, 'docker-stack.yml')]);
    checkStack(parse(rendered), 'docker stack config');
  });
});
