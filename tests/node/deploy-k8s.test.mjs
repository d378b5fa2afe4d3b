// deploy/k8s: rendered with `kubectl kustomize deploy/k8s` (offline), then every point of the
// issue checked on what it rendered: a Deployment whose INSTANCE_PROCESS_ID is the pod's name,
// readiness on /up and liveness on /live, a preStop pause before the 4200 close, a termination
// grace period above preStop + shutdown_grace_period, the scaling guide's resources, a Service on
// 6001, the metrics port with Prometheus scrape annotations, a PodDisruptionBudget and a
// HorizontalPodAutoscaler, and Redis. Without kubectl ($HERALD_KUBECTL, else kubectl on PATH) the
// same checks run on the files the kustomization lists (it lists files and nothing else), and the
// rendering test is skipped with the reason. Self-contained (no HERALD_PORT needed).

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { REPO, executable, onPath } from './processes.mjs';

const K8S = join(REPO, 'deploy/k8s');
const KUBECTL = process.env.HERALD_KUBECTL
  ? (executable(process.env.HERALD_KUBECTL) ? process.env.HERALD_KUBECTL : null)
  : onPath('kubectl');
/** Seconds a graceful stop may still spend after shutdown_grace_period: webhook requests in flight get 5 s. */
const AFTER_GRACE_S = 5;

/** The YAML documents of a multi-document text, as plain objects. */
function documents(text, where) {
  return parseAllDocuments(text).map((doc) => {
    assert.deepEqual(doc.errors, [], `${where}: YAML errors`);
    return doc.toJS();
  }).filter(Boolean);
}

/** `kubectl kustomize deploy/k8s`, or null without kubectl. */
async function rendered() {
  if (!KUBECTL) return null;
  try {
    const { stdout } = await promisify(execFile)(KUBECTL, ['kustomize', K8S], { maxBuffer: 8 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    throw new Error(`kubectl kustomize ${K8S} failed (status ${err.code}):\n${err.stderr || err.message}`);
  }
}

/** The resources the kustomization lists, read as they are (what kustomize renders, as it adds nothing). */
function listedFiles() {
  const kustomization = parse(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'));
  const extra = Object.keys(kustomization).filter((key) => !['apiVersion', 'kind', 'resources'].includes(key));
  assert.deepEqual(extra, [], 'the kustomization only lists files (so the plain files are what it renders)');
  return kustomization.resources.flatMap((file) => documents(readFileSync(join(K8S, file), 'utf8'), file));
}

/** The container port a probe or Service names (by name or number). */
function containerPort(container, port) {
  const found = (container.ports ?? []).find((p) => p.name === port || p.containerPort === port);
  assert.ok(found, `${container.name} has a port ${port}`);
  return found.containerPort;
}

function envValue(container, name) {
  return (container.env ?? []).find((item) => item.name === name);
}

/** Whether `selector.matchLabels` (or a Service's selector) picks pods with `labels`. */
function selects(selector, labels) {
  return Object.entries(selector ?? {}).length > 0
    && Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

describe('deploy/k8s', () => {
  let docs = [];
  let fromKubectl = false;
  const one = (kind, name) => {
    const found = docs.filter((doc) => doc.kind === kind && (!name || doc.metadata?.name === name));
    assert.equal(found.length, 1, `one ${kind}${name ? ` ${name}` : ''} (kinds: ${docs.map((d) => d.kind).join(', ')})`);
    return found[0];
  };
  const herald = () => one('Deployment', 'herald');
  const pod = () => herald().spec.template;
  const container = () => {
    const containers = pod().spec.containers;
    assert.equal(containers.length, 1);
    return containers[0];
  };

  before(async () => {
    const text = await rendered();
    fromKubectl = text !== null;
    docs = text === null ? listedFiles() : documents(text, 'kubectl kustomize');
  });

  test('kubectl kustomize deploy/k8s renders every listed file', {
    skip: KUBECTL ? false : 'no kubectl (set HERALD_KUBECTL, or install one); the checks below read the listed files',
  }, () => {
    assert.ok(fromKubectl);
    const plain = listedFiles().map((doc) => `${doc.kind}/${doc.metadata.name}`).sort();
    assert.deepEqual(docs.map((doc) => `${doc.kind}/${doc.metadata.name}`).sort(), plain);
  });

  test('a Deployment of 3 herald pods, each named by INSTANCE_PROCESS_ID from metadata.name', () => {
    const deployment = herald();
    assert.equal(deployment.spec.replicas, 3);
    assert.ok(selects(deployment.spec.selector.matchLabels, pod().metadata.labels), 'its selector picks its pods');
    assert.deepEqual(envValue(container(), 'INSTANCE_PROCESS_ID')?.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
    assert.equal(envValue(container(), 'ADAPTER_DRIVER')?.value, 'redis');
    assert.equal(envValue(container(), 'LOG_FORMAT')?.value, 'json', 'JSON logs for the cluster\'s log collector');
    const strategy = deployment.spec.strategy;
    assert.equal(strategy.rollingUpdate.maxUnavailable, 0, 'a rollout starts a new pod before stopping an old one');
  });

  test('readiness on /up, liveness on /live, both on the WebSocket port 6001', () => {
    const c = container();
    assert.equal(c.readinessProbe?.httpGet?.path, '/up');
    assert.equal(containerPort(c, c.readinessProbe.httpGet.port), 6001);
    assert.equal(c.livenessProbe?.httpGet?.path, '/live');
    assert.equal(containerPort(c, c.livenessProbe.httpGet.port), 6001);
    if (c.startupProbe) {
      assert.notEqual(c.startupProbe.httpGet?.path, '/up', 'a start-up probe must not wait for the backends');
    }
  });

  test('a preStop pause, then shutdown_grace_period, within terminationGracePeriodSeconds', () => {
    const c = container();
    const preStop = c.lifecycle?.preStop;
    const pause = preStop?.sleep?.seconds
      ?? Number(/^sleep (\d+)$/.exec((preStop?.exec?.command ?? []).join(' '))?.[1]);
    assert.ok(pause >= 5, `preStop sleeps (${JSON.stringify(preStop)}) so the load balancer stops routing to the pod before Herald closes with 4200`);
    const grace = Number(envValue(c, 'SHUTDOWN_GRACE_PERIOD')?.value ?? 10);
    const termination = pod().spec.terminationGracePeriodSeconds;
    assert.ok(termination > grace, `terminationGracePeriodSeconds ${termination} > shutdown_grace_period ${grace}`);
    assert.ok(termination >= pause + grace + AFTER_GRACE_S,
      `terminationGracePeriodSeconds ${termination} covers the preStop pause (${pause} s, counted in it), ` +
      `shutdown_grace_period (${grace} s) and the webhooks in flight (${AFTER_GRACE_S} s)`);
  });

  test('the scaling guide\'s resources: requests 256Mi / 250m, limits 512Mi / 500m', () => {
    assert.deepEqual(container().resources, {
      requests: { memory: '256Mi', cpu: '250m' },
      limits: { memory: '512Mi', cpu: '500m' },
    });
  });

  test('runs as the image\'s non-root user', () => {
    const dockerUser = /^USER\s+(\d+)/m.exec(readFileSync(join(REPO, 'deploy/Dockerfile'), 'utf8'))?.[1];
    const security = pod().spec.securityContext;
    assert.equal(security?.runAsNonRoot, true);
    assert.equal(String(security?.runAsUser), dockerUser, 'the uid of deploy/Dockerfile\'s USER');
  });

  test('metrics on port 9601 with Prometheus scrape annotations', () => {
    const annotations = pod().metadata.annotations ?? {};
    assert.equal(annotations['prometheus.io/scrape'], 'true');
    assert.equal(annotations['prometheus.io/path'], '/metrics');
    assert.equal(annotations['prometheus.io/port'], '9601');
    assert.equal(containerPort(container(), 'metrics'), 9601);
    assert.equal(envValue(container(), 'METRICS_PORT')?.value ?? '9601', '9601');
  });

  test('a Service on 6001 to the pods\' WebSocket port', () => {
    const service = one('Service', 'herald');
    assert.ok(selects(service.spec.selector, pod().metadata.labels), 'it selects the herald pods');
    assert.equal(service.spec.ports.length, 1, 'only the WebSocket/API port is exposed (not the metrics)');
    const [port] = service.spec.ports;
    assert.equal(port.port, 6001);
    assert.equal(containerPort(container(), port.targetPort), 6001);
    assert.equal(service.spec.sessionAffinity ?? 'None', 'None', 'no sticky sessions needed');
  });

  test('a PodDisruptionBudget and a HorizontalPodAutoscaler for the Deployment', () => {
    const pdb = one('PodDisruptionBudget');
    assert.ok(selects(pdb.spec.selector.matchLabels, pod().metadata.labels), 'the budget covers the herald pods');
    assert.ok(pdb.spec.maxUnavailable === 1 || pdb.spec.minAvailable >= 2, `at most one pod down at a time: ${JSON.stringify(pdb.spec)}`);
    const hpa = one('HorizontalPodAutoscaler');
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'herald' });
    assert.ok(hpa.spec.minReplicas >= 3 && hpa.spec.maxReplicas > hpa.spec.minReplicas,
      `${hpa.spec.minReplicas}-${hpa.spec.maxReplicas} replicas`);
    assert.ok(hpa.spec.metrics.some((m) => m.resource?.name === 'cpu'), 'scales on CPU');
  });

  test('Redis with an append-only file, at the address the pods use', () => {
    const redisService = one('Service', 'redis');
    const [redisPort] = redisService.spec.ports;
    assert.equal(envValue(container(), 'REDIS_URL')?.value, `redis://${redisService.metadata.name}:${redisPort.port}`);
    const redis = one('StatefulSet', 'redis');
    assert.ok(selects(redisService.spec.selector, redis.spec.template.metadata.labels));
    const [redisContainer] = redis.spec.template.spec.containers;
    assert.match([...(redisContainer.command ?? []), ...(redisContainer.args ?? [])].join(' '), /redis-server.*--appendonly yes/);
  });
});
